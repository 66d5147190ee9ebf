// The override manager's contract as the binding controller uses it (pkg/util/overridemanager exports
// applyOverridePolicies with this shape). Kept as a type here so the controller can be given any
// implementation, and tests a small fake.

import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import type { ClusterOverridePolicy, OverridePolicy } from '../../apis/policy/v1alpha1/index.js';
import type { KubeObject } from '../../runtime/types.js';

export interface OverridePolicySet {
  clusterOverridePolicies: ClusterOverridePolicy[];
  overridePolicies: OverridePolicy[];
}

export interface OverrideResult {
  object: KubeObject;
  /** JSON for the policy.karmada.io/applied-cluster-overrides annotation, when any applied. */
  appliedClusterOverrides?: string;
  /** JSON for the policy.karmada.io/applied-overrides annotation, when any applied. */
  appliedOverrides?: string;
}

/** Pure: returns the object as it should be in the cluster; throws with a message naming the policy. */
export type ApplyOverridePolicies = (obj: KubeObject, cluster: Cluster, policies: OverridePolicySet) => OverrideResult;
