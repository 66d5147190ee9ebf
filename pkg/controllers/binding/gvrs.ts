// Resources the binding controllers read and write (the lead may move these next to the API types).

import { gvr } from '../../runtime/gvr.js';

export const RESOURCE_BINDINGS = gvr('work.karmada.io', 'v1alpha2', 'resourcebindings');
export const CLUSTER_RESOURCE_BINDINGS = gvr('work.karmada.io', 'v1alpha2', 'clusterresourcebindings', false);
export const OVERRIDE_POLICIES = gvr('policy.karmada.io', 'v1alpha1', 'overridepolicies');
export const CLUSTER_OVERRIDE_POLICIES = gvr('policy.karmada.io', 'v1alpha1', 'clusteroverridepolicies', false);
