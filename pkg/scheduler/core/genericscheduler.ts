// The scheduling decision (core/generic_scheduler.go), a pure function of the binding and the clusters:
// findClustersThatFit (filter plugins; deleting clusters skipped, unhealthy ones are not: tolerations decide)
// → prioritizeClusters (score plugins) → selectClusters (spread constraints) → assignReplicas.
// With placement.clusterAffinities the terms are tried in order, starting at the one the binding was last
// scheduled with (status.schedulerObservingAffinityName; the first on a triggered reschedule): the first
// term that schedules wins; when none does, the first term's error is thrown. A term's overflowAffinities add
// lower-priority cluster tiers for a Divided workload (see overflow.ts).
// No I/O, no clock, no randomness: ties are broken by names and the resource UID.

import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import type { ClusterAffinity, ClusterAffinityTerm } from '../../apis/policy/v1alpha1/index.js';
import type { ResourceBindingSpec, ResourceBindingStatus, TargetCluster } from '../../apis/work/v1alpha2/index.js';
import type { ReplicaEstimator } from '../../estimator/interface.js';
import { DEFAULT_FRAMEWORK, type Framework } from '../framework/framework.js';
import { FitError, ScheduleError, wrapError, type FilterResult, type ScheduleContext } from '../framework/types.js';
import { assignReplicas, rescheduleRequired } from './assignment.js';
import { calAvailableReplicas, DEFAULT_ESTIMATORS, type AvailableReplicasCalculator } from './estimation.js';
import { assignWorkloadReplicas, overflowAffinitiesInEffect, overflowOrderOf } from './overflow.js';
import { groupClustersWithScore } from './spreadconstraint/group.js';
import { selectBestClusters } from './spreadconstraint/select.js';

export interface ScheduleOptions {
  /** Enabled plugins (default: every in-tree plugin). */
  framework?: Framework;
  /** Replica estimators (default: the general estimator). */
  estimators?: readonly ReplicaEstimator[];
  /** --enable-empty-workload-propagation: selected clusters that get 0 replicas stay in the result. */
  enableEmptyWorkloadPropagation?: boolean;
}

export interface ScheduleResult {
  clusters: TargetCluster[];
  /** The clusterAffinities term used (only with placement.clusterAffinities). */
  affinityName?: string;
}

/** What the decision reads of a ResourceBinding or ClusterResourceBinding. */
export interface SchedulableBinding {
  metadata?: { name?: string; namespace?: string };
  spec: ResourceBindingSpec;
  status?: ResourceBindingStatus;
}

/**
 * Schedules a binding onto the given clusters. Throws FitError (no cluster passed the filters),
 * UnschedulableError (the clusters cannot hold the replicas) or ScheduleError (anything else).
 */
export function schedule(binding: SchedulableBinding, clusters: readonly Cluster[], opts: ScheduleOptions = {}): ScheduleResult {
  const spec = binding.spec;
  const status = binding.status ?? {};
  const placement = spec.placement;
  if (!placement) {
    const ref = binding.metadata?.namespace ? `${binding.metadata.namespace}/${binding.metadata.name}` : binding.metadata?.name;
    throw new ScheduleError(`failed to get placement from binding(${ref ?? ''}): spec.placement is empty; the detector copies it from the propagation policy`);
  }
  const terms = placement.clusterAffinities;
  if (!terms || terms.length === 0) return { clusters: scheduleOnce(spec, status, placement.clusterAffinity, clusters, opts) };

  let index = rescheduleRequired(spec.rescheduleTriggeredAt, status.lastScheduledTime) ? 0 : getAffinityIndex(terms, status.schedulerObservingAffinityName);
  let firstErr: unknown;
  for (; index < terms.length; index++) {
    const term = terms[index]!;
    try {
      const result = scheduleOnce(spec, { ...status, schedulerObservingAffinityName: term.affinityName }, term, clusters, opts, term.overflowAffinities);
      return { clusters: result, affinityName: term.affinityName };
    } catch (err) {
      firstErr ??= err;
    }
  }
  throw firstErr;
}

/** getAffinityIndex: the index of the observed term, 0 when unknown. */
export function getAffinityIndex(terms: readonly ClusterAffinityTerm[], observedName: string | undefined): number {
  if (!observedName) return 0;
  const i = terms.findIndex((t) => t.affinityName === observedName);
  return i < 0 ? 0 : i;
}

function gvkOf(spec: ResourceBindingSpec): ScheduleContext['gvk'] {
  const apiVersion = spec.resource.apiVersion ?? '';
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion, kind: spec.resource.kind } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1), kind: spec.resource.kind };
}

function scheduleOnce(
  spec: ResourceBindingSpec,
  status: ResourceBindingStatus,
  affinity: ClusterAffinity | undefined,
  clusters: readonly Cluster[],
  opts: ScheduleOptions,
  overflowAffinities?: readonly ClusterAffinity[],
): TargetCluster[] {
  const fw = opts.framework ?? DEFAULT_FRAMEWORK;
  const overflows = overflowAffinitiesInEffect(spec, overflowAffinities);
  const ctx: ScheduleContext = {
    spec,
    status,
    affinity,
    ...(overflows.length ? { overflowAffinities: overflows } : {}),
    targets: new Set((spec.clusters ?? []).map((t) => t.name)),
    gvk: gvkOf(spec),
  };

  // findClustersThatFit
  const feasible: Cluster[] = [];
  const diagnosis = new Map<string, FilterResult>();
  for (const c of clusters) {
    // the binding controller cleans up results on a deleting cluster: never schedule onto one
    if (c.metadata?.deletionTimestamp) continue;
    const r = fw.runFilterPlugins(ctx, c);
    if (r.code === 'Success') feasible.push(c);
    else diagnosis.set(c.metadata?.name ?? '', r);
  }
  if (feasible.length === 0) throw new FitError(clusters.length, diagnosis);

  // prioritizeClusters
  const scores = fw.runScorePlugins(ctx, feasible);
  // OverflowOrder per feasible cluster (empty without overflow affinities: every cluster is tier 0)
  const tiers = new Map<string, number>();
  if (overflows.length) for (const c of feasible) tiers.set(c.metadata?.name ?? '', overflowOrderOf(c, affinity, overflows));

  const calc = memoizedCalculator(opts.estimators ?? DEFAULT_ESTIMATORS);
  let selected: Cluster[];
  try {
    const info = groupClustersWithScore(
      feasible.map((cluster, i) => ({ cluster, score: scores[i]!, overflowOrder: tiers.get(cluster.metadata?.name ?? '') ?? 0 })),
      spec.placement!,
      spec,
      calc,
    );
    selected = selectBestClusters(spec.placement!, info, spec.replicas ?? 0);
  } catch (err) {
    throw wrapError('failed to select clusters', err);
  }

  let assigned: TargetCluster[];
  try {
    assigned = overflows.length ? assignWorkloadReplicas(selected, spec, status, calc, tiers) : assignReplicas(selected, spec, status, calc);
  } catch (err) {
    throw wrapError('failed to assign replicas', err);
  }
  if (opts.enableEmptyWorkloadPropagation) assigned = attachZeroReplicasCluster(selected, assigned);
  return assigned;
}

/** Estimates each cluster once per decision (selection and assignment both ask). */
function memoizedCalculator(estimators: readonly ReplicaEstimator[]): AvailableReplicasCalculator {
  const memo = new Map<Cluster, number>();
  return (clusters, spec) => {
    const missing = clusters.filter((c) => !memo.has(c));
    if (missing.length) {
      const res = calAvailableReplicas(missing, spec, estimators);
      missing.forEach((c, i) => memo.set(c, res[i]!.replicas ?? 0));
    }
    return clusters.map((c) => ({ name: c.metadata?.name ?? '', replicas: memo.get(c)! }));
  };
}

/** attachZeroReplicasCluster: selected clusters without replicas are kept with 0. */
function attachZeroReplicasCluster(selected: readonly Cluster[], result: TargetCluster[]): TargetCluster[] {
  const have = new Set(result.map((t) => t.name));
  const out = [...result];
  for (const c of selected) {
    const name = c.metadata?.name ?? '';
    if (!have.has(name)) out.push({ name, replicas: 0 });
  }
  return out;
}
