// Resources the detector reads and writes.
import { gvr } from '../../runtime/gvr.js';

export {
  CLUSTER_OVERRIDE_POLICIES,
  CLUSTER_PROPAGATION_POLICIES,
  CLUSTER_RESOURCE_BINDINGS,
  OVERRIDE_POLICIES,
  PROPAGATION_POLICIES,
  RESOURCE_BINDINGS,
  RESOURCE_INTERPRETER_CUSTOMIZATIONS,
} from '../../util/clusterapi.js';
export const PRIORITY_CLASSES = gvr('scheduling.k8s.io', 'v1', 'priorityclasses', false);
