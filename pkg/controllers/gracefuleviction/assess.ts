// The graceful eviction decision (Karmada's evictiontask.go assessEvictionTasks): which
// gracefulEvictionTasks a binding keeps and which clusters' old Works may now go. A task goes when
// suppressDeletion is explicitly false, when it outlived its grace period (the task's
// gracePeriodSeconds or --graceful-eviction-timeout), or when every scheduled cluster reports the
// resource applied and Healthy (the replacement is up). suppressDeletion true keeps it for good.

import type { AggregatedStatusItem, GracefulEvictionTask, TargetCluster } from '../../apis/work/v1alpha2/index.js';

export const DEFAULT_GRACEFUL_EVICTION_TIMEOUT_MS = 10 * 60_000;

export interface AssessInput {
  tasks: readonly GracefulEvictionTask[];
  /** spec.clusters: the new schedule result. */
  scheduled: readonly TargetCluster[];
  aggregatedStatus: readonly AggregatedStatusItem[];
  /** --graceful-eviction-timeout for tasks without gracePeriodSeconds. */
  timeoutMs: number;
  now: Date;
}

export interface AssessResult {
  keptTasks: GracefulEvictionTask[];
  evictedClusters: string[];
}

/** Every scheduled cluster has an applied, Healthy aggregated status (allScheduledResourceInHealthyState). */
export function allScheduledResourceInHealthyState(scheduled: readonly TargetCluster[], status: readonly AggregatedStatusItem[]): boolean {
  return scheduled.every((tc) => {
    const item = status.find((s) => s.clusterName === tc.name);
    return !!item && item.applied === true && item.health === 'Healthy';
  });
}

function taskTimeoutMs(task: GracefulEvictionTask, defaultMs: number): number {
  return task.gracePeriodSeconds !== undefined ? task.gracePeriodSeconds * 1000 : defaultMs;
}

export function assessEvictionTasks(input: AssessInput): AssessResult {
  const keptTasks: GracefulEvictionTask[] = [];
  const evictedClusters: string[] = [];
  const nowStr = input.now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const healthy = allScheduledResourceInHealthyState(input.scheduled, input.aggregatedStatus);
  for (const task of input.tasks) {
    // a task without a creation time starts its clock now
    if (!task.creationTimestamp) {
      keptTasks.push({ ...task, creationTimestamp: nowStr });
      continue;
    }
    if (task.suppressDeletion !== undefined) {
      if (task.suppressDeletion) keptTasks.push(task);
      else evictedClusters.push(task.fromCluster);
      continue;
    }
    const deadline = Date.parse(task.creationTimestamp) + taskTimeoutMs(task, input.timeoutMs);
    if (deadline < input.now.getTime() || healthy) {
      evictedClusters.push(task.fromCluster);
      continue;
    }
    keptTasks.push(task);
  }
  return { keptTasks, evictedClusters };
}

/** Milliseconds until the earliest kept task times out (undefined when none can time out). */
export function nextRetryMs(tasks: readonly GracefulEvictionTask[], timeoutMs: number, now: Date): number | undefined {
  let min: number | undefined;
  for (const task of tasks) {
    if (task.suppressDeletion !== undefined || !task.creationTimestamp) continue;
    const left = Date.parse(task.creationTimestamp) + taskTimeoutMs(task, timeoutMs) - now.getTime();
    min = min === undefined ? left : Math.min(min, left);
  }
  return min === undefined ? undefined : Math.max(0, min);
}
