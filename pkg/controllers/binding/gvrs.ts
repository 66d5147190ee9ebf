// Resources the binding controllers read and write.
export { CLUSTER_OVERRIDE_POLICIES, CLUSTER_RESOURCE_BINDINGS, OVERRIDE_POLICIES, RESOURCE_BINDINGS } from '../../util/clusterapi.js';
