// The scheduling framework's contract (Karmada pkg/scheduler/framework/interface.go, types.go): filter plugins
// say whether a cluster fits a binding ({code, reasons}), score plugins rank the clusters that fit, and the
// errors a scheduling attempt ends with (FitError, UnschedulableError) carry what the Scheduled condition says.

import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import type { ClusterAffinity } from '../../apis/policy/v1alpha1/index.js';
import type { ResourceBindingSpec, ResourceBindingStatus } from '../../apis/work/v1alpha2/index.js';

export type Code = 'Success' | 'Unschedulable' | 'Error';

/** framework.Result: Success, or why the cluster does not fit. */
export interface FilterResult {
  code: Code;
  reasons: string[];
}

export const SUCCESS: FilterResult = Object.freeze({ code: 'Success', reasons: [] }) as FilterResult;

export function unschedulable(...reasons: string[]): FilterResult {
  return { code: 'Unschedulable', reasons };
}

export const MIN_CLUSTER_SCORE = 0;
export const MAX_CLUSTER_SCORE = 100;

/**
 * What plugins see of one scheduling attempt, computed once per attempt so a plugin's check per cluster
 * is cheap: the binding, the cluster affinity in force (placement.clusterAffinity, or the clusterAffinities
 * term being tried) and the names of the clusters already in spec.clusters.
 */
export interface ScheduleContext {
  spec: ResourceBindingSpec;
  status: ResourceBindingStatus;
  /** The affinity the ClusterAffinity filter applies (undefined: every cluster matches). */
  affinity?: ClusterAffinity;
  /**
   * The term's overflowAffinities, in order, when they apply (a Divided workload): clusters matching one of
   * them also pass the ClusterAffinity filter. Empty or undefined otherwise.
   */
  overflowAffinities?: readonly ClusterAffinity[];
  /** Names in spec.clusters (TargetContains). */
  targets: ReadonlySet<string>;
  /** Group/version/kind of spec.resource. */
  gvk: { group: string; version: string; kind: string };
}

export interface Plugin {
  readonly name: string;
}

export interface FilterPlugin extends Plugin {
  filter(ctx: ScheduleContext, cluster: Cluster): FilterResult;
}

export interface ScorePlugin extends Plugin {
  score(ctx: ScheduleContext, cluster: Cluster): number;
}

export function isFilterPlugin(p: Plugin): p is FilterPlugin {
  return typeof (p as FilterPlugin).filter === 'function';
}

export function isScorePlugin(p: Plugin): p is ScorePlugin {
  return typeof (p as ScorePlugin).score === 'function';
}

/**
 * No cluster passed the filters (framework.FitError): the message counts the reasons, e.g.
 * "0/3 clusters are available: 1 cluster(s) had untolerated taint {cluster.karmada.io/not-ready:NoSchedule},
 * 2 cluster(s) did not match the placement cluster affinity constraint."
 */
export class FitError extends Error {
  override readonly name = 'FitError';
  constructor(
    readonly numAllClusters: number,
    /** cluster name → why it was filtered out */
    readonly diagnosis: ReadonlyMap<string, FilterResult>,
  ) {
    super(fitErrorMessage(numAllClusters, diagnosis));
  }
}

function fitErrorMessage(numAllClusters: number, diagnosis: ReadonlyMap<string, FilterResult>): string {
  if (numAllClusters === 0 || diagnosis.size === 0) return `0/${numAllClusters} clusters are available: no cluster exists.`;
  const histogram = new Map<string, number>();
  for (const r of diagnosis.values()) for (const reason of r.reasons) histogram.set(reason, (histogram.get(reason) ?? 0) + 1);
  const parts = [...histogram].map(([reason, n]) => `${n} ${reason}`).sort();
  return `0/${numAllClusters} clusters are available: ${parts.join(', ')}.`;
}

/** Clusters fit but cannot hold the replicas (framework.UnschedulableError); retried when clusters change. */
export class UnschedulableError extends Error {
  override readonly name = 'UnschedulableError';
}

/** Any other failure of the algorithm (bad spread constraints, unsupported strategy): condition SchedulerError. */
export class ScheduleError extends Error {
  override readonly name = 'ScheduleError';
}

/** Re-raises err with a prefix, keeping its kind (fmt.Errorf("...: %w") in Go). */
export function wrapError(prefix: string, err: unknown): Error {
  const msg = `${prefix}: ${err instanceof Error ? err.message : String(err)}`;
  if (err instanceof UnschedulableError) return new UnschedulableError(msg);
  if (err instanceof FitError) return err; // the shell reports a FitError's own message
  return new ScheduleError(msg);
}
