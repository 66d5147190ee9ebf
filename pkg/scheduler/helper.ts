// The scheduler shell's decisions about a binding (Karmada pkg/scheduler/helper.go, pkg/util/binding.go):
// whether it needs scheduling at all, and what the Scheduled condition says about an attempt. Pure.

import type { Placement, ReplicaSchedulingStrategy } from '../apis/policy/v1alpha1/index.js';
import { DEFAULT_SCHEDULER_NAME, replicaSchedulingType } from '../apis/policy/v1alpha1/index.js';
import {
  BINDING_CONDITION_SCHEDULED,
  BINDING_REASON_NO_CLUSTER_FIT,
  BINDING_REASON_SCHEDULER_ERROR,
  BINDING_REASON_SUCCESS,
  BINDING_REASON_UNSCHEDULABLE,
  type ResourceBindingSpec,
  type TargetCluster,
} from '../apis/work/v1alpha2/index.js';
import type { StatusCondition } from '../util/conditions.js';
import { deepEqual } from '../util/deepequal.js';
import { rescheduleRequired, sumOfReplicas } from './core/assignment.js';
import { FitError, UnschedulableError } from './framework/types.js';

export { rescheduleRequired };

export const SUCCESSFUL_SCHEDULING_MESSAGE = 'Binding has been scheduled successfully.';

/** Event reasons (pkg/events). */
export const EVENT_REASON_SCHEDULE_BINDING_SUCCEED = 'ScheduleBindingSucceed';
export const EVENT_REASON_SCHEDULE_BINDING_FAILED = 'ScheduleBindingFailed';

/** schedulerNameFilter: an empty spec.schedulerName means default-scheduler. */
export function schedulerNameMatches(ours: string, bindingSchedulerName: string | undefined): boolean {
  return ours === (bindingSchedulerName || DEFAULT_SCHEDULER_NAME);
}

/** spec.suspension.scheduling: the scheduler leaves the binding alone. */
export function isSchedulingSuspended(spec: ResourceBindingSpec): boolean {
  return spec.suspension?.scheduling === true;
}

/**
 * placementChanged: the placement differs from the one last scheduled with (annotation
 * policy.karmada.io/applied-placement). For clusterAffinities only the term in use matters: adding or
 * editing other terms does not move a scheduled binding.
 */
export function placementChanged(placement: Placement, appliedPlacement: string | undefined, observedAffinityName: string | undefined): boolean {
  if (!appliedPlacement) return true;
  let applied: Placement;
  try {
    applied = JSON.parse(appliedPlacement) as Placement;
  } catch {
    return false; // as upstream: an unreadable annotation is not a change
  }
  if (deepEqual(placement, applied)) return false;
  if (
    !deepEqual(placement.clusterAffinity, applied.clusterAffinity) ||
    !deepEqual(placement.clusterTolerations, applied.clusterTolerations) ||
    !deepEqual(placement.spreadConstraints, applied.spreadConstraints) ||
    !deepEqual(placement.replicaScheduling, applied.replicaScheduling)
  ) {
    return true;
  }
  if (!observedAffinityName) return true;
  const term = placement.clusterAffinities?.find((t) => t.affinityName === observedAffinityName);
  const appliedTerm = applied.clusterAffinities?.find((t) => t.affinityName === observedAffinityName);
  return !term || !appliedTerm || !deepEqual(term, appliedTerm);
}

/**
 * util.IsBindingReplicasChanged: Duplicated — some target does not run spec.replicas; Divided — the
 * targets' replicas do not add up to spec.replicas. Without a replicaScheduling strategy: false.
 */
export function isBindingReplicasChanged(spec: ResourceBindingSpec, strategy: ReplicaSchedulingStrategy | undefined): boolean {
  if (!strategy) return false;
  const type = strategy.replicaSchedulingType ?? 'Divided';
  if (type === 'Duplicated') return (spec.clusters ?? []).some((t) => (t.replicas ?? 0) !== (spec.replicas ?? 0));
  if (type === 'Divided') return sumOfReplicas(spec.clusters) !== (spec.replicas ?? 0);
  return false;
}

export type ScheduleTrigger = 'PlacementChanged' | 'ReplicasChanged' | 'RescheduleTriggered' | 'Duplicated' | 'NeverScheduled' | 'TargetClusterGone';

/**
 * Why a binding needs scheduling (doScheduleBinding's checks, in order), or undefined when it only needs
 * schedulerObservedGeneration brought up to date. clusterExists tells whether a target cluster is still there
 * (present and not being deleted).
 */
export function scheduleTrigger(
  binding: {
    metadata?: { annotations?: Record<string, string> };
    spec: ResourceBindingSpec;
    status?: { schedulerObservingAffinityName?: string; lastScheduledTime?: string; conditions?: { type: string }[] };
  },
  appliedPlacementAnnotation: string,
  clusterExists: (name: string) => boolean,
): ScheduleTrigger | undefined {
  const spec = binding.spec;
  const placement = spec.placement ?? {};
  if (placementChanged(placement, binding.metadata?.annotations?.[appliedPlacementAnnotation], binding.status?.schedulerObservingAffinityName)) return 'PlacementChanged';
  if (isBindingReplicasChanged(spec, placement.replicaScheduling)) return 'ReplicasChanged';
  if (rescheduleRequired(spec.rescheduleTriggeredAt, binding.status?.lastScheduledTime)) return 'RescheduleTriggered';
  // non-workloads count as duplicated even when the type is Divided: always re-evaluated
  if ((spec.replicas ?? 0) === 0 || replicaSchedulingType(placement) === 'Duplicated') return 'Duplicated';
  // a result written without its condition (the status patch failed): finish the job
  if (!binding.status?.conditions?.some((c) => c.type === BINDING_CONDITION_SCHEDULED)) return 'NeverScheduled';
  if ((spec.clusters ?? []).some((t) => !clusterExists(t.name))) return 'TargetClusterGone';
  return undefined;
}

export type ScheduledReason = typeof BINDING_REASON_SUCCESS | typeof BINDING_REASON_NO_CLUSTER_FIT | typeof BINDING_REASON_UNSCHEDULABLE | typeof BINDING_REASON_SCHEDULER_ERROR;

/**
 * getConditionByError: the Scheduled condition for an attempt's outcome, and whether the error is final
 * (not retried with backoff): success and NoClusterFit are; Unschedulable waits for clusters to change;
 * anything else is retried.
 */
export function scheduledCondition(err: unknown): { condition: StatusCondition & { reason: ScheduledReason; message: string }; final: boolean } {
  const cond = (status: 'True' | 'False', reason: ScheduledReason, message: string) => ({ type: BINDING_CONDITION_SCHEDULED, status, reason, message });
  if (err === undefined) return { condition: cond('True', BINDING_REASON_SUCCESS, SUCCESSFUL_SCHEDULING_MESSAGE), final: true };
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof UnschedulableError) return { condition: cond('False', BINDING_REASON_UNSCHEDULABLE, message), final: false };
  if (err instanceof FitError) return { condition: cond('False', BINDING_REASON_NO_CLUSTER_FIT, message), final: true };
  return { condition: cond('False', BINDING_REASON_SCHEDULER_ERROR, message), final: false };
}

/** targetClustersToString: "member1:2, member2:3". */
export function targetClustersToString(tcs: readonly TargetCluster[]): string {
  return tcs.map((t) => `${t.name}:${t.replicas ?? 0}`).join(', ');
}
