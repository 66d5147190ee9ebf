// Overflow affinities (placement.clusterAffinities[i].overflowAffinities, the "Inherited Cluster Affinities"
// proposal): for a Divided workload the term's own clusters (tier 0, OverflowOrder 0) are filled first, up to
// what they can hold; the rest overflows to the clusters of overflowAffinities[0] (tier 1), then [1] (tier 2),
// and so on. A cluster matched by several tiers belongs to the lowest. Duplicated and non-workload bindings
// ignore overflow affinities altogether (their clusters do not even pass the ClusterAffinity filter).
//
// assignWorkloadReplicas decides each tier's share, then divides the share within the tier with the usual
// strategy (assignReplicas on the tier's clusters, given the tier's part of the previous result):
//  - static weights (stateless) and Fresh (rescheduleTriggeredAt > lastScheduledTime): spec.replicas are
//    poured into the tiers anew, each taking at most its room (estimate + replicas it already runs);
//  - steady scale-up (incl. the first schedule): the previous result stays where it is, in every tier; only
//    the added replicas are poured, each tier taking at most its free room (the estimate);
//  - steady scale-down: the highest tiers give replicas back first (tier 0 keeps up to what it ran, then
//    tier 1, ...), so the workload drains back towards the term's own clusters; within a tier the usual
//    scale-down;
//  - unchanged: the previous result.
// The last tier that has clusters takes whatever is left, so a shortfall is reported as without tiers.

import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import { replicaSchedulingType, type ClusterAffinity } from '../../apis/policy/v1alpha1/index.js';
import type { ResourceBindingSpec, ResourceBindingStatus, TargetCluster } from '../../apis/work/v1alpha2/index.js';
import { affinityMatches } from '../framework/affinity.js';
import { ScheduleError, UnschedulableError, wrapError } from '../framework/types.js';
import { assignReplicas, rescheduleRequired, strategyTypeOf } from './assignment.js';
import type { AvailableReplicasCalculator } from './estimation.js';

/** The overflow affinities that apply to this binding: only a Divided workload (replicas > 0) uses them. */
export function overflowAffinitiesInEffect(spec: ResourceBindingSpec, overflows: readonly ClusterAffinity[] | undefined): readonly ClusterAffinity[] {
  if (!overflows || overflows.length === 0) return [];
  if ((spec.replicas ?? 0) <= 0) return [];
  if (replicaSchedulingType(spec.placement) !== 'Divided') return [];
  return overflows;
}

/**
 * OverflowOrder of a cluster: 0 when the affinity in force matches it (or no overflow applies), i+1 when only
 * overflowAffinities[i] (the first that matches) does. A cluster nothing matches (the ClusterAffinity
 * plugin disabled) counts as the term's own.
 */
export function overflowOrderOf(cluster: Cluster, affinity: ClusterAffinity | undefined, overflows: readonly ClusterAffinity[]): number {
  if (overflows.length === 0 || affinityMatches(cluster, affinity)) return 0;
  const i = overflows.findIndex((a) => affinityMatches(cluster, a));
  return i < 0 ? 0 : i + 1;
}

/** AssignReplicas with overflow tiers (assignWorkloadReplicas); tiers maps a cluster name to its OverflowOrder. */
export function assignWorkloadReplicas(
  candidates: readonly Cluster[],
  spec: ResourceBindingSpec,
  status: ResourceBindingStatus,
  calc: AvailableReplicasCalculator,
  tiers: ReadonlyMap<string, number>,
): TargetCluster[] {
  if (candidates.length === 0) throw new ScheduleError('no clusters available to schedule');
  const strategy = strategyTypeOf(spec.placement);
  const groups = groupByTier(candidates, tiers);
  const desired = spec.replicas ?? 0;
  // one tier, Duplicated, non-workloads or an unknown strategy: exactly as without overflow affinities
  if (groups.length <= 1 || desired <= 0 || strategy === undefined || strategy === 'Duplicated') return assignReplicas(candidates, spec, status, calc);

  const nameOf = (c: Cluster) => c.metadata?.name ?? '';
  const candidateNames = new Set(candidates.map(nameOf));
  // previous result on clusters that are still candidates; replicas on dropped clusters count as scale-up
  const previous = (spec.clusters ?? []).filter((t) => candidateNames.has(t.name));
  const prevReplicas = new Map(previous.map((t) => [t.name, t.replicas ?? 0]));
  const estimate = new Map(calc(candidates, spec).map((t) => [t.name, t.replicas ?? 0]));
  const sum = (cs: readonly Cluster[], f: (name: string) => number) => cs.reduce((n, c) => n + f(nameOf(c)), 0);
  const prevOf = (name: string) => prevReplicas.get(name) ?? 0;
  const estOf = (name: string) => estimate.get(name) ?? 0;
  const prevPerTier = groups.map((cs) => sum(cs, prevOf));
  const assigned = prevPerTier.reduce((a, b) => a + b, 0);
  const dynamic = strategy !== 'StaticWeight';

  let shares: number[];
  if (!dynamic || rescheduleRequired(spec.rescheduleTriggeredAt, status.lastScheduledTime)) {
    const rooms = groups.map((cs) => sum(cs, (n) => estOf(n) + prevOf(n)));
    if (dynamic) ensureRoom('failed to do fresh scale', rooms, desired);
    shares = pour(desired, rooms);
  } else if (assigned < desired) {
    const rooms = groups.map((cs) => sum(cs, estOf));
    ensureRoom('failed to scale up', rooms, desired - assigned);
    shares = pour(desired - assigned, rooms).map((added, i) => prevPerTier[i]! + added);
  } else {
    // scale-down keeps the lower tiers first; unchanged keeps every tier's previous count
    shares = pour(desired, prevPerTier);
  }

  const result: TargetCluster[] = [];
  groups.forEach((cs, i) => {
    const share = shares[i]!;
    if (share <= 0) return;
    const names = new Set(cs.map(nameOf));
    const tierSpec: ResourceBindingSpec = { ...spec, replicas: share, clusters: previous.filter((t) => names.has(t.name)) };
    result.push(...assignReplicas(cs, tierSpec, status, calc));
  });
  return result;
}

/** The candidates split by OverflowOrder, lowest first, keeping their order; empty tiers left out. */
function groupByTier(candidates: readonly Cluster[], tiers: ReadonlyMap<string, number>): Cluster[][] {
  const byTier = new Map<number, Cluster[]>();
  for (const c of candidates) {
    const t = tiers.get(c.metadata?.name ?? '') ?? 0;
    let list = byTier.get(t);
    if (!list) byTier.set(t, (list = []));
    list.push(c);
  }
  return [...byTier.entries()].sort((a, b) => a[0] - b[0]).map(([, cs]) => cs);
}

/** Each tier in turn takes what it has room for; the last one takes the rest. */
function pour(total: number, rooms: readonly number[]): number[] {
  let remaining = total;
  return rooms.map((room, i) => {
    const take = i === rooms.length - 1 ? remaining : Math.min(remaining, Math.max(room, 0));
    remaining -= take;
    return take;
  });
}

/** The tiers together must hold the replicas: report the shortfall over all of them, as without tiers. */
function ensureRoom(prefix: string, rooms: readonly number[], need: number): void {
  const total = rooms.reduce((a, b) => a + b, 0);
  if (total < need) throw wrapError(prefix, new UnschedulableError(`Clusters available replicas ${total} are not enough to schedule.`));
}
