// GroupClustersWithScore (spreadconstraint/group_clusters.go): the feasible clusters with their score and
// available replicas (estimate + replicas already assigned there), sorted by overflow order asc (the
// clusterAffinities term's own clusters before those of its overflowAffinities), score desc, available replicas
// desc, name asc; and, for the spread constraints in use, the same clusters grouped by region, zone or
// provider (each group scored by its best cluster, with the sum of its clusters' available replicas).

import type { Cluster } from '../../../apis/cluster/v1alpha1/index.js';
import type { Placement, SpreadFieldValue } from '../../../apis/policy/v1alpha1/index.js';
import type { ResourceBindingSpec } from '../../../apis/work/v1alpha2/index.js';
import { clusterZones } from '../../../util/selector.js';
import type { AvailableReplicasCalculator } from '../estimation.js';
import { shouldIgnoreSpreadConstraint } from './select.js';

export interface ClusterScore {
  cluster: Cluster;
  score: number;
  /** 0: matched by the affinity in force; i+1: only by overflowAffinities[i] (default 0) */
  overflowOrder?: number;
}

export interface ClusterDetailInfo {
  name: string;
  score: number;
  /** 0 for the term's own clusters, i+1 for clusters matched only by overflowAffinities[i] */
  overflowOrder: number;
  availableReplicas: number;
  cluster: Cluster;
}

/** A region, zone or provider with its clusters (in global order). */
export interface GroupInfo {
  name: string;
  /** the highest score of its clusters */
  score: number;
  availableReplicas: number;
  clusters: ClusterDetailInfo[];
}

export type TopologyField = Exclude<SpreadFieldValue, 'cluster'>;

export interface GroupClustersInfo {
  clusters: ClusterDetailInfo[];
  groups: Partial<Record<TopologyField, Map<string, GroupInfo>>>;
}

/** sortClusters: overflow order asc, then score desc, then available replicas desc, then name asc. */
export function compareClusterInfos(a: ClusterDetailInfo, b: ClusterDetailInfo): number {
  if (a.overflowOrder !== b.overflowOrder) return a.overflowOrder - b.overflowOrder;
  if (a.score !== b.score) return b.score - a.score;
  if (a.availableReplicas !== b.availableReplicas) return b.availableReplicas - a.availableReplicas;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The value a cluster is grouped by for a topology field ('' when it has none). */
export function topologyValue(cluster: Cluster, field: TopologyField): string {
  switch (field) {
    case 'region':
      return cluster.spec?.region ?? '';
    case 'provider':
      return cluster.spec?.provider ?? '';
    case 'zone':
      return [...clusterZones(cluster)].sort().join(',');
  }
}

function isTopologyIgnored(placement: Placement): boolean {
  const sc = placement.spreadConstraints ?? [];
  if (sc.length === 0 || (sc.length === 1 && (sc[0]!.spreadByField ?? 'cluster') === 'cluster')) return true;
  return shouldIgnoreSpreadConstraint(placement);
}

export function groupClustersWithScore(scores: readonly ClusterScore[], placement: Placement, spec: ResourceBindingSpec, calc: AvailableReplicasCalculator): GroupClustersInfo {
  const assigned = new Map<string, number>();
  for (const t of spec.clusters ?? []) assigned.set(t.name, t.replicas ?? 0);
  const available = calc(
    scores.map((s) => s.cluster),
    spec,
  );
  const clusters: ClusterDetailInfo[] = scores.map((s, i) => {
    const name = s.cluster.metadata?.name ?? '';
    return { name, score: s.score, overflowOrder: s.overflowOrder ?? 0, availableReplicas: (available[i]?.replicas ?? 0) + (assigned.get(name) ?? 0), cluster: s.cluster };
  });
  clusters.sort(compareClusterInfos);
  const info: GroupClustersInfo = { clusters, groups: {} };
  if (isTopologyIgnored(placement)) return info;
  const fields = new Set((placement.spreadConstraints ?? []).map((c) => c.spreadByField));
  for (const field of ['zone', 'region', 'provider'] as const) {
    if (!fields.has(field)) continue;
    const groups = new Map<string, GroupInfo>();
    for (const c of clusters) {
      const key = topologyValue(c.cluster, field);
      if (!key) continue;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { name: key, score: c.score, availableReplicas: 0, clusters: [] }));
      g.clusters.push(c);
      // with overflow tiers the first cluster of a group need not be its best scored
      if (c.score > g.score) g.score = c.score;
      g.availableReplicas += c.availableReplicas;
    }
    info.groups[field] = groups;
  }
  return info;
}
