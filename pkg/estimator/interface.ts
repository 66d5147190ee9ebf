// The replica estimator contract (Karmada pkg/estimator/client/interface.go): how many more replicas of a
// workload, each with the given requirements, each cluster can take. The scheduler takes the minimum over
// all registered estimators, ignoring UNAUTHENTIC_REPLICA ("this estimator cannot tell").

import type { Cluster } from '../apis/cluster/v1alpha1/index.js';
import type { ReplicaRequirements } from '../apis/work/v1alpha2/index.js';

/** An estimator's "no answer" for a cluster (UnauthenticReplica). */
export const UNAUTHENTIC_REPLICA = -1;

export const MAX_INT32 = 2147483647;

export interface ReplicaEstimator {
  readonly name: string;
  /** One figure per cluster, in the clusters' order. Pure: no I/O. */
  maxAvailableReplicas(clusters: readonly Cluster[], requirements: ReplicaRequirements | undefined): number[];
}
