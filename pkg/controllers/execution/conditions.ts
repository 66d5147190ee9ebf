// The Work conditions the execution controller owns (Applied, Dispatching), as pure functions of what
// happened, and the merge of new conditions into a Work's list.

import type { Work } from '../../apis/work/v1alpha1/index.js';
import {
  WORK_CONDITION_APPLIED,
  WORK_CONDITION_DISPATCHING,
  WORK_REASON_APPLIED_FAILED,
  WORK_REASON_APPLIED_SUCCESSFUL,
  WORK_REASON_DISPATCHING,
  WORK_REASON_DISPATCHING_SUSPENDED,
} from '../../apis/work/v1alpha1/index.js';
import { setStatusCondition, type StatusCondition } from '../../util/conditions.js';

export const APPLIED_SUCCESSFUL_MESSAGE = 'Manifest has been successfully applied';
export const DISPATCHING_MESSAGE = 'Work is being dispatched to member clusters.';
export const DISPATCHING_SUSPENDED_MESSAGE = 'Work dispatching is in a suspended state.';

/** Event reasons on Works (Karmada's pkg/events). */
export const EVENT_REASON_SYNC_WORKLOAD_FAILED = 'SyncFailed';
export const EVENT_REASON_SYNC_WORKLOAD_SUCCEED = 'SyncSucceed';
export const EVENT_REASON_WORK_DISPATCHING = 'WorkDispatching';

export function isWorkSuspendDispatching(work: Work): boolean {
  return work.spec?.suspendDispatching === true;
}

/** Dispatching=False/SuspendDispatching while spec.suspendDispatching, else True/Dispatching. */
export function dispatchingCondition(work: Work): StatusCondition {
  return isWorkSuspendDispatching(work)
    ? { type: WORK_CONDITION_DISPATCHING, status: 'False', reason: WORK_REASON_DISPATCHING_SUSPENDED, message: DISPATCHING_SUSPENDED_MESSAGE }
    : { type: WORK_CONDITION_DISPATCHING, status: 'True', reason: WORK_REASON_DISPATCHING, message: DISPATCHING_MESSAGE };
}

/** Applied after applying every manifest: True, or False with how many succeeded and every error. */
export function appliedCondition(succeeded: number, total: number, errors: string[]): StatusCondition {
  if (errors.length === 0) return { type: WORK_CONDITION_APPLIED, status: 'True', reason: WORK_REASON_APPLIED_SUCCESSFUL, message: APPLIED_SUCCESSFUL_MESSAGE };
  return { type: WORK_CONDITION_APPLIED, status: 'False', reason: WORK_REASON_APPLIED_FAILED, message: `Failed to apply all manifests (${succeeded}/${total}): ${errors.join('; ')}` };
}

/** Applied=False for a failure before any manifest could be applied (no client, cluster not ready). */
export function appliedFailedCondition(message: string): StatusCondition {
  return { type: WORK_CONDITION_APPLIED, status: 'False', reason: WORK_REASON_APPLIED_FAILED, message };
}

/**
 * The Work's conditions with updates set (lastTransitionTime only on status changes), or undefined
 * when nothing would change (no status write needed).
 */
export function mergeConditions(current: readonly StatusCondition[] | undefined, updates: StatusCondition[], now?: string): StatusCondition[] | undefined {
  const next = structuredClone((current ?? []) as StatusCondition[]);
  let changed = false;
  for (const u of updates) if (setStatusCondition(next, { ...u }, now)) changed = true;
  return changed ? next : undefined;
}
