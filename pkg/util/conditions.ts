// meta.SetStatusCondition / RemoveStatusCondition for metav1.Condition lists.

import { nowTime } from '../apis/meta/v1/types.js';

export interface StatusCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

/**
 * Sets the condition in place: a new condition or a status change gets lastTransitionTime (the given
 * one, or now); otherwise reason/message/observedGeneration are updated and the time kept.
 * Returns whether anything changed.
 */
export function setStatusCondition<C extends StatusCondition>(conditions: C[], cond: C, now: string = nowTime()): boolean {
  const i = conditions.findIndex((c) => c.type === cond.type);
  if (i < 0) {
    conditions.push({ ...cond, lastTransitionTime: cond.lastTransitionTime ?? now });
    return true;
  }
  const cur = conditions[i]!;
  let changed = false;
  if (cur.status !== cond.status) {
    cur.status = cond.status;
    cur.lastTransitionTime = cond.lastTransitionTime ?? now;
    changed = true;
  }
  for (const k of ['reason', 'message', 'observedGeneration'] as const) {
    if (cur[k] !== cond[k]) {
      (cur as StatusCondition)[k] = cond[k] as never;
      changed = true;
    }
  }
  return changed;
}

export function removeStatusCondition<C extends StatusCondition>(conditions: C[], type: string): boolean {
  const i = conditions.findIndex((c) => c.type === type);
  if (i < 0) return false;
  conditions.splice(i, 1);
  return true;
}
