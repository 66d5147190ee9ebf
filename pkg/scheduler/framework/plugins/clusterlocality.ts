// ClusterLocality score (plugins/clusterlocality): clusters that already run the workload (in spec.clusters,
// with replicas assigned overall) score 100, others 0, so rescheduling prefers to stay where it is.

import type { Cluster } from '../../../apis/cluster/v1alpha1/index.js';
import { MAX_CLUSTER_SCORE, MIN_CLUSTER_SCORE, type ScheduleContext, type ScorePlugin } from '../types.js';

export const CLUSTER_LOCALITY = 'ClusterLocality';

export const clusterLocality: ScorePlugin = {
  name: CLUSTER_LOCALITY,
  score(ctx: ScheduleContext, cluster: Cluster): number {
    const targets = ctx.spec.clusters ?? [];
    if (targets.length === 0) return MIN_CLUSTER_SCORE;
    let sum = 0;
    for (const t of targets) sum += t.replicas ?? 0;
    if (sum <= 0) return MIN_CLUSTER_SCORE;
    return ctx.targets.has(cluster.metadata?.name ?? '') ? MAX_CLUSTER_SCORE : MIN_CLUSTER_SCORE;
  },
};
