// The NoExecute taint decision (Karmada's taint_manager.go needEviction + helper.GetMinTolerationTime):
// a binding on a cluster with a NoExecute taint that its placement.clusterTolerations do not tolerate is
// evicted at once; tolerated taints with tolerationSeconds are evicted when the shortest one runs out
// (counted from the taint's timeAdded); tolerations without tolerationSeconds tolerate forever.

import type { Taint, Toleration } from '../../apis/core/v1/types.js';
import { toleratesTaint } from '../../scheduler/framework/plugins/tainttoleration.js';

export function noExecuteTaints(taints: readonly Taint[] | undefined): Taint[] {
  return (taints ?? []).filter((t) => t.effect === 'NoExecute');
}

/** helper.GetMatchingTolerations: whether every taint is tolerated, and the tolerations used. */
export function getMatchingTolerations(taints: readonly Taint[], tolerations: readonly Toleration[] | undefined): { allTolerated: boolean; used: Toleration[] } {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const t = (tolerations ?? []).find((tol) => toleratesTaint(tol, taint));
    if (!t) return { allTolerated: false, used: [] };
    used.push(t);
  }
  return { allTolerated: true, used };
}

export type EvictionDecision =
  | { action: 'none' } // no NoExecute taint, or tolerated forever
  | { action: 'evict'; taint?: Taint }
  | { action: 'recheck'; afterMs: number };

/**
 * What to do now with a binding on a cluster carrying these taints. A taint without timeAdded counts
 * from firstSeen(taint) (when the caller first saw it), else from now.
 */
export function evictionDecision(taints: readonly Taint[] | undefined, tolerations: readonly Toleration[] | undefined, now: number, firstSeen?: (t: Taint) => number | undefined): EvictionDecision {
  const noExec = noExecuteTaints(taints);
  if (noExec.length === 0) return { action: 'none' };
  const { allTolerated } = getMatchingTolerations(noExec, tolerations);
  if (!allTolerated) {
    const taint = noExec.find((taint) => !(tolerations ?? []).some((tol) => toleratesTaint(tol, taint)));
    return { action: 'evict', taint };
  }
  // helper.GetMinTolerationTime: the shortest tolerationSeconds among the used tolerations, counted
  // from the earliest NoExecute taint's timeAdded; none set means tolerated forever
  const { used } = getMatchingTolerations(noExec, tolerations);
  const secs = used.map((t) => t.tolerationSeconds).filter((s): s is number => s !== undefined);
  if (secs.length === 0) return { action: 'none' };
  const min = Math.min(...secs);
  if (min <= 0) return { action: 'evict' };
  const added = Math.min(...noExec.map((t) => (t.timeAdded ? Date.parse(t.timeAdded) : undefined) ?? firstSeen?.(t) ?? now));
  const left = added + min * 1000 - now;
  if (left <= 0) return { action: 'evict' };
  return { action: 'recheck', afterMs: left };
}
