// ResourceBindingSpec.GracefulEvictCluster (Karmada's binding_types_helper.go): take a cluster out of
// spec.clusters and, unless the purge mode is Directly, remember it as a gracefulEvictionTask so the
// binding controller keeps its Work until the replacement is healthy and the scheduler does not pick
// it again. Shared by the taint manager and the application failover controllers.

import { nowTime } from '../../apis/meta/v1/types.js';
import type { PurgeMode } from '../../apis/policy/v1alpha1/index.js';
import type { GracefulEvictionTask, ResourceBindingSpec } from '../../apis/work/v1alpha2/index.js';

export interface EvictionTaskOptions {
  purgeMode: PurgeMode;
  reason: string;
  producer: string;
  message?: string;
  gracePeriodSeconds?: number;
  suppressDeletion?: boolean;
  /** creationTimestamp of the task (default: now). */
  now?: string;
  /**
   * Record a task for Directly too (application failover, as upstream: the task keeps the scheduler off
   * the failed cluster while the binding controller deletes its Work at once). The taint manager does not.
   */
  taskForDirectly?: boolean;
}

/** True for the purge modes that drop the old cluster's Work at once (Immediately is Directly's old name). */
export function isPurgeDirectly(mode: PurgeMode | undefined): boolean {
  return mode === 'Directly' || mode === 'Immediately';
}

/**
 * The spec after evicting cluster; undefined when the cluster is not a target (nothing to do). A cluster
 * already in gracefulEvictionTasks is only removed from spec.clusters (no second task).
 */
export function gracefulEvictCluster(spec: ResourceBindingSpec, cluster: string, opts: EvictionTaskOptions): ResourceBindingSpec | undefined {
  const clusters = spec.clusters ?? [];
  const evicted = clusters.find((c) => c.name === cluster);
  if (!evicted) return undefined;
  const next: ResourceBindingSpec = { ...spec, clusters: clusters.filter((c) => c.name !== cluster) };
  if (isPurgeDirectly(opts.purgeMode) && !opts.taskForDirectly) return next;
  const tasks = spec.gracefulEvictionTasks ?? [];
  if (tasks.some((t) => t.fromCluster === cluster)) return next;
  const task: GracefulEvictionTask = {
    fromCluster: cluster,
    purgeMode: opts.purgeMode,
    reason: opts.reason,
    producer: opts.producer,
    creationTimestamp: opts.now ?? nowTime(),
    clustersBeforeFailover: clusters.map((c) => c.name),
  };
  if (evicted.replicas !== undefined && evicted.replicas > 0) task.replicas = evicted.replicas;
  if (opts.message) task.message = opts.message;
  if (opts.gracePeriodSeconds !== undefined) task.gracePeriodSeconds = opts.gracePeriodSeconds;
  if (opts.suppressDeletion !== undefined) task.suppressDeletion = opts.suppressDeletion;
  next.gracefulEvictionTasks = [...tasks, task];
  return next;
}
