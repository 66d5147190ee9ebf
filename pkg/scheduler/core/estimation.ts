// calAvailableReplicas (core/util.go): per candidate cluster, the minimum over all estimators of the
// replicas it can still take. Non-workloads (spec.replicas 0) are not estimated; a cluster no estimator could
// judge counts as able to take all of spec.replicas.

import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import type { ResourceBindingSpec, TargetCluster } from '../../apis/work/v1alpha2/index.js';
import { generalEstimator } from '../../estimator/general.js';
import { MAX_INT32, UNAUTHENTIC_REPLICA, type ReplicaEstimator } from '../../estimator/interface.js';

export const DEFAULT_ESTIMATORS: readonly ReplicaEstimator[] = [generalEstimator];

export function calAvailableReplicas(clusters: readonly Cluster[], spec: ResourceBindingSpec, estimators: readonly ReplicaEstimator[] = DEFAULT_ESTIMATORS): TargetCluster[] {
  const out: TargetCluster[] = clusters.map((c) => ({ name: c.metadata?.name ?? '', replicas: MAX_INT32 }));
  const replicas = spec.replicas ?? 0;
  if (replicas === 0) return out;
  for (const est of estimators) {
    const res = est.maxAvailableReplicas(clusters, spec.replicaRequirements);
    for (let i = 0; i < out.length; i++) {
      const r = res[i];
      if (r === undefined || r === UNAUTHENTIC_REPLICA) continue;
      if (out[i]!.replicas! > r) out[i]!.replicas = r;
    }
  }
  for (const t of out) if (t.replicas === MAX_INT32) t.replicas = replicas;
  return out;
}

export type AvailableReplicasCalculator = (clusters: readonly Cluster[], spec: ResourceBindingSpec) => TargetCluster[];
