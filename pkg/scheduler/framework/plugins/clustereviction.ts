// ClusterEviction filter (plugins/clustereviction): a cluster the binding is being gracefully evicted from
// (spec.gracefulEvictionTasks) is not a candidate until the eviction task is gone.

import type { Cluster } from '../../../apis/cluster/v1alpha1/index.js';
import { SUCCESS, unschedulable, type FilterPlugin, type FilterResult, type ScheduleContext } from '../types.js';

export const CLUSTER_EVICTION = 'ClusterEviction';

const EVICTING = unschedulable('cluster(s) is in the process of eviction');

export const clusterEviction: FilterPlugin = {
  name: CLUSTER_EVICTION,
  filter(ctx: ScheduleContext, cluster: Cluster): FilterResult {
    const name = cluster.metadata?.name;
    return (ctx.spec.gracefulEvictionTasks ?? []).some((t) => t.fromCluster === name) ? EVICTING : SUCCESS;
  },
};
