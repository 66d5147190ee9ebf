// The pure part of the WorkloadRebalancer controller (upstream workloadrebalancer_controller.go): which
// workloads still need a reschedule trigger, and the status that results.

import type { ObservedWorkload, RebalancerObjectReference, WorkloadRebalancer, WorkloadRebalancerStatus } from '../../apis/apps/v1alpha1/index.js';

export const RESULT_SUCCESSFUL = 'Successful';
export const RESULT_FAILED = 'Failed';

const refKey = (w: RebalancerObjectReference) => `${w.apiVersion} ${w.kind} ${w.namespace ?? ''} ${w.name}`;

/**
 * status.observedWorkloads brought in line with spec.workloads: entries still listed keep their result
 * (editing the list re-runs only new entries); entries no longer listed stay only if they succeeded; new
 * entries start without a result. Sorted by "apiVersion kind namespace name" as upstream.
 */
export function syncWorkloadsFromSpecToStatus(r: WorkloadRebalancer): WorkloadRebalancerStatus {
  const wanted = new Map<string, RebalancerObjectReference>();
  for (const w of r.spec.workloads) wanted.set(refKey(w), w);
  const observed: ObservedWorkload[] = [];
  for (const item of r.status?.observedWorkloads ?? []) {
    const k = refKey(item.workload);
    if (wanted.has(k)) {
      observed.push(item);
      wanted.delete(k);
    } else if (item.result === RESULT_SUCCESSFUL) {
      observed.push(item);
    }
  }
  for (const w of wanted.values()) observed.push({ workload: w });
  observed.sort((a, b) => (refKey(a.workload) < refKey(b.workload) ? -1 : refKey(a.workload) > refKey(b.workload) ? 1 : 0));
  return { observedWorkloads: observed, observedGeneration: r.metadata?.generation };
}

/** A binding needs the trigger when it has none or an older one than the rebalancer's creation. */
export function needTriggerReschedule(creationTimestamp: string | undefined, rescheduleTriggeredAt: string | undefined): boolean {
  if (!rescheduleTriggeredAt) return true;
  return Date.parse(creationTimestamp ?? '') > Date.parse(rescheduleTriggeredAt);
}

/** Milliseconds until a finished rebalancer expires (<= 0: delete now), or undefined when it never does. */
export function timeLeftMs(r: WorkloadRebalancer, now = Date.now()): number | undefined {
  const ttl = r.spec.ttlSecondsAfterFinished;
  const finish = r.status?.finishTime;
  if (ttl === undefined || ttl === null || !finish) return undefined;
  return Date.parse(finish) + ttl * 1000 - now;
}
