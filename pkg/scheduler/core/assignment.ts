// AssignReplicas (core/common.go, assignment.go, division_algorithm.go): how many replicas each selected
// cluster gets.
//  - Duplicated: every cluster gets spec.replicas.
//  - Divided, static weights: weight = the highest weight among the staticWeightList rules matching the
//    cluster; weight-0 clusters get nothing; if no cluster has a weight, all weigh 1. Webster division of
//    spec.replicas, ignoring the previous result.
//  - Divided, dynamicWeight AvailableReplicas / Aggregated (assignByDynamicStrategy), from the previous
//    result restricted to the candidates:
//      Fresh (rescheduleTriggeredAt > lastScheduledTime): divide spec.replicas anew, each cluster weighted by
//        what it can take plus what it already runs;
//      scale-down (assigned > desired): divide spec.replicas over the previous result, weighted by its shares;
//      scale-up, incl. the first schedule (assigned < desired): divide only the added replicas, weighted by
//        what each cluster can still take, and add them to the previous result;
//      unchanged: keep the previous result.
//    Aggregated first puts previously used clusters in front and keeps the shortest prefix that can hold
//    the target, so as few clusters as possible are used. Not enough room in total: UnschedulableError.
// Non-workloads (spec.replicas 0) go to every selected cluster without replicas.

import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import { replicaSchedulingType, type Placement, type StaticClusterWeight } from '../../apis/policy/v1alpha1/index.js';
import type { ResourceBindingSpec, ResourceBindingStatus, TargetCluster } from '../../apis/work/v1alpha2/index.js';
import { affinityMatches } from '../framework/affinity.js';
import { ScheduleError, UnschedulableError, wrapError } from '../framework/types.js';
import { allocateByWeight, tieBreakerByUID, type ClusterWeight } from '../webster.js';
import type { AvailableReplicasCalculator } from './estimation.js';

export type StrategyType = 'Duplicated' | 'Aggregated' | 'StaticWeight' | 'DynamicWeight';
export type AssignmentMode = 'Steady' | 'Fresh';

/** util.RescheduleRequired: a reschedule was triggered after the last successful scheduling. */
export function rescheduleRequired(rescheduleTriggeredAt: string | undefined, lastScheduledTime: string | undefined): boolean {
  if (!rescheduleTriggeredAt) return false;
  if (!lastScheduledTime) return true;
  return Date.parse(rescheduleTriggeredAt) > Date.parse(lastScheduledTime);
}

export function strategyTypeOf(placement: Placement | undefined): StrategyType | undefined {
  if (replicaSchedulingType(placement) === 'Duplicated') return 'Duplicated';
  const s = placement!.replicaScheduling!;
  // the webhook defaults the division preference to Weighted for Divided
  switch (s.replicaDivisionPreference ?? 'Weighted') {
    case 'Aggregated':
      return 'Aggregated';
    case 'Weighted':
      return s.weightPreference?.dynamicWeight ? 'DynamicWeight' : 'StaticWeight';
    default:
      return undefined;
  }
}

export function sumOfReplicas(tcs: readonly TargetCluster[] | undefined): number {
  let sum = 0;
  for (const t of tcs ?? []) sum += t.replicas ?? 0;
  return sum;
}

/** removeZeroReplicasCluster. */
export function removeZeroReplicasCluster(tcs: readonly TargetCluster[]): TargetCluster[] {
  return tcs.filter((t) => (t.replicas ?? 0) > 0).map((t) => ({ name: t.name, replicas: t.replicas }));
}

/** Replicas desc; a stable sort, so equal clusters keep their (score) order as Go's small-slice sort does. */
function sortByReplicasDesc(tcs: TargetCluster[]): TargetCluster[] {
  return tcs.sort((a, b) => (b.replicas ?? 0) - (a.replicas ?? 0));
}

export function assignReplicas(candidates: readonly Cluster[], spec: ResourceBindingSpec, status: ResourceBindingStatus, calc: AvailableReplicasCalculator): TargetCluster[] {
  if (candidates.length === 0) throw new ScheduleError('no clusters available to schedule');
  const replicas = spec.replicas ?? 0;
  if (replicas <= 0) return candidates.map((c) => ({ name: c.metadata?.name ?? '' }));
  const strategy = strategyTypeOf(spec.placement);
  const tieBreaker = tieBreakerByUID(spec.resource.uid);
  let result: TargetCluster[];
  switch (strategy) {
    case 'Duplicated':
      result = candidates.map((c) => ({ name: c.metadata?.name ?? '', replicas }));
      break;
    case 'StaticWeight':
      result = allocateByWeight(replicas, staticWeightList(candidates, spec.placement?.replicaScheduling?.weightPreference?.staticWeightList), [], tieBreaker);
      break;
    case 'Aggregated':
    case 'DynamicWeight':
      result = assignByDynamicStrategy(strategy, candidates, spec, status, calc, tieBreaker);
      break;
    default:
      throw new ScheduleError(
        `unsupported replica scheduling strategy, replicaSchedulingType: ${replicaSchedulingType(spec.placement)}, replicaDivisionPreference: ${spec.placement?.replicaScheduling?.replicaDivisionPreference}, please try another scheduling strategy`,
      );
  }
  return removeZeroReplicasCluster(result);
}

/** getStaticWeightInfoList: the highest matching rule's weight per cluster; all 1 when none weighs anything. */
export function staticWeightList(candidates: readonly Cluster[], rules: readonly StaticClusterWeight[] | undefined): ClusterWeight[] {
  const list: ClusterWeight[] = [];
  for (const c of candidates) {
    let weight = 0;
    for (const r of rules ?? []) if (affinityMatches(c, r.targetCluster) && r.weight > weight) weight = r.weight;
    if (weight > 0) list.push({ name: c.metadata?.name ?? '', weight });
  }
  if (list.length === 0) return candidates.map((c) => ({ name: c.metadata?.name ?? '', weight: 1 }));
  return list;
}

interface DynamicState {
  strategy: 'Aggregated' | 'DynamicWeight';
  scheduled: TargetCluster[];
  available: TargetCluster[];
  target: number;
}

function assignByDynamicStrategy(
  strategy: 'Aggregated' | 'DynamicWeight',
  candidates: readonly Cluster[],
  spec: ResourceBindingSpec,
  status: ResourceBindingStatus,
  calc: AvailableReplicasCalculator,
  tieBreaker: ReturnType<typeof tieBreakerByUID>,
): TargetCluster[] {
  const names = new Set(candidates.map((c) => c.metadata?.name ?? ''));
  // previous result on clusters that are still candidates; replicas on dropped clusters count as scale-up
  const scheduled = (spec.clusters ?? []).filter((t) => names.has(t.name)).map((t) => ({ name: t.name, replicas: t.replicas ?? 0 }));
  const assigned = sumOfReplicas(scheduled);
  const desired = spec.replicas ?? 0;
  const divide = (state: DynamicState) => dynamicDivideReplicas(state, tieBreaker);

  if (rescheduleRequired(spec.rescheduleTriggeredAt, status.lastScheduledTime)) {
    const available = calc(candidates, spec);
    for (const s of scheduled) {
      const a = available.find((x) => x.name === s.name);
      if (a) a.replicas = (a.replicas ?? 0) + (s.replicas ?? 0);
    }
    return attempt('failed to do fresh scale', () => divide({ strategy, scheduled: [], available: sortByReplicasDesc(available), target: desired }));
  }
  if (assigned > desired) {
    // weights are the previous shares (spec.clusters as upstream takes them); divided from scratch
    const available = sortByReplicasDesc((spec.clusters ?? []).map((t) => ({ name: t.name, replicas: t.replicas ?? 0 })));
    return attempt('failed to scale down', () => divide({ strategy, scheduled: [], available, target: desired }));
  }
  if (assigned < desired) {
    const available = sortByReplicasDesc(calc(candidates, spec));
    return attempt('failed to scale up', () => divide({ strategy, scheduled, available, target: desired - assigned }));
  }
  return scheduled;
}

function attempt(prefix: string, f: () => TargetCluster[]): TargetCluster[] {
  try {
    return f();
  } catch (err) {
    throw wrapError(prefix, err);
  }
}

function dynamicDivideReplicas(state: DynamicState, tieBreaker: ReturnType<typeof tieBreakerByUID>): TargetCluster[] {
  const availableReplicas = sumOfReplicas(state.available);
  if (availableReplicas < state.target) throw new UnschedulableError(`Clusters available replicas ${availableReplicas} are not enough to schedule.`);
  let available = state.available;
  if (state.strategy === 'Aggregated') {
    available = resortAvailableClusters(available, state.scheduled);
    let sum = 0;
    for (let i = 0; i < available.length; i++) {
      sum += available[i]!.replicas ?? 0;
      if (sum >= state.target) {
        available = available.slice(0, i + 1);
        break;
      }
    }
  }
  return allocateByWeight(
    state.target,
    available.map((t) => ({ name: t.name, weight: t.replicas ?? 0 })),
    state.scheduled,
    tieBreaker,
  );
}

/** Clusters that already run replicas go first (keeping order), so a scale-up fills them before new ones. */
function resortAvailableClusters(available: TargetCluster[], scheduled: readonly TargetCluster[]): TargetCluster[] {
  const prior = new Set(scheduled.filter((t) => (t.replicas ?? 0) > 0).map((t) => t.name));
  if (prior.size === 0) return available;
  return [...available.filter((t) => prior.has(t.name)), ...available.filter((t) => !prior.has(t.name))];
}
