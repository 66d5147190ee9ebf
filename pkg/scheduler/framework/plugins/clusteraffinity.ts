// ClusterAffinity filter and score (plugins/clusteraffinity): the cluster must match placement.clusterAffinity,
// or the clusterAffinities term being tried (util.ClusterMatches: exclude, labelSelector, fieldSelector on
// provider/region/zone, clusterNames), or, for a Divided workload, one of that term's overflowAffinities.
// Its score is always 0.

import type { Cluster } from '../../../apis/cluster/v1alpha1/index.js';
import { affinityMatches } from '../affinity.js';
import { MIN_CLUSTER_SCORE, SUCCESS, unschedulable, type FilterPlugin, type FilterResult, type ScheduleContext, type ScorePlugin } from '../types.js';

export const CLUSTER_AFFINITY = 'ClusterAffinity';

const NOT_MATCHED = unschedulable('cluster(s) did not match the placement cluster affinity constraint');

export const clusterAffinity: FilterPlugin & ScorePlugin = {
  name: CLUSTER_AFFINITY,
  filter(ctx: ScheduleContext, cluster: Cluster): FilterResult {
    if (!ctx.affinity || affinityMatches(cluster, ctx.affinity)) return SUCCESS;
    if (ctx.overflowAffinities?.some((a) => affinityMatches(cluster, a))) return SUCCESS;
    return NOT_MATCHED;
  },
  score(): number {
    return MIN_CLUSTER_SCORE;
  },
};
