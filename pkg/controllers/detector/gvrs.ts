// Resources the detector reads and writes (the lead may fold these into one shared place).

import { gvr } from '../../runtime/gvr.js';

export const PROPAGATION_POLICIES = gvr('policy.karmada.io', 'v1alpha1', 'propagationpolicies');
export const CLUSTER_PROPAGATION_POLICIES = gvr('policy.karmada.io', 'v1alpha1', 'clusterpropagationpolicies', false);
export const OVERRIDE_POLICIES = gvr('policy.karmada.io', 'v1alpha1', 'overridepolicies');
export const CLUSTER_OVERRIDE_POLICIES = gvr('policy.karmada.io', 'v1alpha1', 'clusteroverridepolicies', false);
export const RESOURCE_BINDINGS = gvr('work.karmada.io', 'v1alpha2', 'resourcebindings');
export const CLUSTER_RESOURCE_BINDINGS = gvr('work.karmada.io', 'v1alpha2', 'clusterresourcebindings', false);
export const PRIORITY_CLASSES = gvr('scheduling.k8s.io', 'v1', 'priorityclasses', false);
