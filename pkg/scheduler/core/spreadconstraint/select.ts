// SelectBestClusters (spreadconstraint/select_clusters*.go): which of the feasible clusters to use.
//  - no spread constraints, or a static-weighted division: all of them;
//  - spread by region (or zone/provider, which upstream does not select by; here they work like region):
//    choose groups with selectGroups, take each group's best cluster, then fill up to the cluster
//    constraint's maxGroups with the remaining clusters by score and available replicas;
//  - spread by cluster: the top maxGroups clusters by score; for a Divided workload, the lowest-scored picks
//    are swapped for higher-capacity clusters until together they can hold the replicas.
// Duplicated (and nil replicaScheduling) ignores capacity.

import type { Cluster } from '../../../apis/cluster/v1alpha1/index.js';
import type { Placement, SpreadConstraint, SpreadFieldValue } from '../../../apis/policy/v1alpha1/index.js';
import { replicaSchedulingType } from '../../../apis/policy/v1alpha1/index.js';
import { ScheduleError } from '../../framework/types.js';
import { compareClusterInfos, type ClusterDetailInfo, type GroupClustersInfo, type TopologyField } from './group.js';
import { selectGroups } from './selectgroups.js';

/** Capacity is not considered (InvalidReplicas). */
export const INVALID_REPLICAS = -1;

/** Static weights decide the division on their own: spread constraints are ignored. */
export function shouldIgnoreSpreadConstraint(placement: Placement): boolean {
  const s = placement.replicaScheduling;
  if (!s || replicaSchedulingType(placement) !== 'Divided') return false;
  if ((s.replicaDivisionPreference ?? 'Weighted') !== 'Weighted') return false;
  const wp = s.weightPreference;
  return !wp || ((wp.staticWeightList?.length ?? 0) !== 0 && !wp.dynamicWeight);
}

function shouldIgnoreAvailableResource(placement: Placement): boolean {
  return replicaSchedulingType(placement) === 'Duplicated';
}

export function selectBestClusters(placement: Placement, info: GroupClustersInfo, needReplicas: number): Cluster[] {
  const constraints = placement.spreadConstraints ?? [];
  if (constraints.length === 0 || shouldIgnoreSpreadConstraint(placement)) return info.clusters.map((c) => c.cluster);
  if (shouldIgnoreAvailableResource(placement)) needReplicas = INVALID_REPLICAS;
  const byField = new Map<SpreadFieldValue, SpreadConstraint>();
  for (const c of constraints) {
    // the webhook defaults spreadByField to cluster when neither field nor label is set
    const field = c.spreadByField ?? (c.spreadByLabel ? undefined : 'cluster');
    if (field) byField.set(field, c);
  }
  for (const field of ['region', 'zone', 'provider'] as const) {
    if (byField.has(field)) return selectBestClustersByGroup(field, byField.get(field)!, byField.get('cluster') ?? {}, info);
  }
  if (byField.has('cluster')) return selectBestClustersByCluster(byField.get('cluster')!, info, needReplicas);
  throw new ScheduleError('just support cluster, region, zone and provider spread constraints; spreadByLabel is not supported');
}

/** selectBestClustersByRegion, generalised to any topology field. */
function selectBestClustersByGroup(field: TopologyField, groupConstraint: SpreadConstraint, clusterConstraint: SpreadConstraint, info: GroupClustersInfo): Cluster[] {
  const groups = info.groups[field] ?? new Map();
  if (groups.size < (groupConstraint.minGroups ?? 0)) {
    throw new ScheduleError(`the number of feasible ${field} is less than spreadConstraint.MinGroups`);
  }
  const chosen = selectGroups(
    [...groups.values()].map((g) => ({ name: g.name, value: g.clusters.length, weight: g.score })),
    groupConstraint.minGroups ?? 0,
    groupConstraint.maxGroups ?? 0,
    clusterConstraint.minGroups ?? 0,
  );
  if (chosen.length === 0) throw new ScheduleError('the number of clusters is less than the cluster spreadConstraint.MinGroups');
  const clusters: Cluster[] = [];
  const candidates: ClusterDetailInfo[] = [];
  for (const g of chosen) {
    const group = groups.get(g.name)!;
    clusters.push(group.clusters[0]!.cluster);
    candidates.push(...group.clusters.slice(1));
  }
  let needCnt = candidates.length + clusters.length;
  const maxClusters = clusterConstraint.maxGroups ?? 0;
  if (needCnt > maxClusters) needCnt = maxClusters;
  const restCnt = needCnt - clusters.length;
  if (restCnt > 0) {
    candidates.sort(compareClusterInfos);
    for (let i = 0; i < restCnt; i++) clusters.push(candidates[i]!.cluster);
  }
  return clusters;
}

function selectBestClustersByCluster(constraint: SpreadConstraint, info: GroupClustersInfo, needReplicas: number): Cluster[] {
  const total = info.clusters.length;
  if (total < (constraint.minGroups ?? 0)) throw new ScheduleError('the number of feasible clusters is less than spreadConstraint.MinGroups');
  const needCnt = Math.min(constraint.maxGroups ?? 0, total);
  let picked: ClusterDetailInfo[];
  if (needReplicas === INVALID_REPLICAS) {
    picked = info.clusters.slice(0, needCnt);
  } else {
    picked = selectClustersByAvailableResource(info.clusters, needCnt, needReplicas);
    if (picked.length === 0) throw new ScheduleError(`no enough resource when selecting ${needCnt} clusters`);
  }
  return picked.map((c) => c.cluster);
}

/**
 * The top needCount clusters by score; while they cannot hold needReplicas together, the lowest-scored pick
 * is swapped for the remaining cluster with the most available replicas (if that has more). Empty when even
 * then they cannot hold them.
 */
export function selectClustersByAvailableResource(candidates: readonly ClusterDetailInfo[], needCount: number, needReplicas: number): ClusterDetailInfo[] {
  const ret = candidates.slice(0, needCount);
  const rest = candidates.slice(needCount);
  for (let update = ret.length - 1; !enough(ret, needReplicas) && update >= 0; update--) {
    const idx = maxAvailableIndex(rest, ret[update]!.availableReplicas);
    if (idx === -1) continue;
    [ret[update], rest[idx]] = [rest[idx]!, ret[update]!];
  }
  return enough(ret, needReplicas) ? ret : [];
}

function enough(clusters: readonly ClusterDetailInfo[], needReplicas: number): boolean {
  let total = 0;
  for (const c of clusters) total += c.availableReplicas;
  return total >= needReplicas;
}

/** GetClusterWithMaxAvailableResource: index of the cluster with the most available replicas above origin, or -1. */
function maxAvailableIndex(clusters: readonly ClusterDetailInfo[], origin: number): number {
  let max = origin;
  let idx = -1;
  for (let i = 0; i < clusters.length; i++) {
    if (max < clusters[i]!.availableReplicas) {
      idx = i;
      max = clusters[i]!.availableReplicas;
    }
  }
  return idx;
}
