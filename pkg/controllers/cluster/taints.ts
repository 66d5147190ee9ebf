// Which NoSchedule taints the cluster controller keeps on a Cluster, from its Ready condition
// (Karmada's taintClusterByCondition): Ready=False -> cluster.karmada.io/not-ready, Ready=Unknown ->
// cluster.karmada.io/unreachable, otherwise neither. Other taints (users', cordon, NoExecute) are kept.

import type { Taint } from '../../apis/core/v1/types.js';
import { TAINT_CLUSTER_NOT_READY, TAINT_CLUSTER_TERMINATING, TAINT_CLUSTER_UNREACHABLE } from '../../apis/cluster/v1alpha1/index.js';

export const NOT_READY_TAINT: Taint = { key: TAINT_CLUSTER_NOT_READY, effect: 'NoSchedule' };
export const UNREACHABLE_TAINT: Taint = { key: TAINT_CLUSTER_UNREACHABLE, effect: 'NoSchedule' };
export const TERMINATING_TAINT: Taint = { key: TAINT_CLUSTER_TERMINATING, effect: 'NoExecute' };

const same = (a: Taint, b: Taint) => a.key === b.key && a.effect === b.effect;

/** taints with `add` present and `remove` absent; undefined when that is already the case. */
export function updateTaints(taints: readonly Taint[] | undefined, add: readonly Taint[], remove: readonly Taint[], now?: string): Taint[] | undefined {
  const cur = [...(taints ?? [])];
  let next = cur.filter((t) => !remove.some((r) => same(r, t)));
  let changed = next.length !== cur.length;
  for (const a of add) {
    if (next.some((t) => same(t, a))) continue;
    next = [...next, { ...a, ...(a.effect === 'NoExecute' && now ? { timeAdded: now } : {}) }];
    changed = true;
  }
  return changed ? next : undefined;
}

/** The taints a cluster should carry for its Ready condition status; undefined when unchanged. */
export function taintsForReadyCondition(taints: readonly Taint[] | undefined, readyStatus: string | undefined): Taint[] | undefined {
  switch (readyStatus) {
    case 'False':
      return updateTaints(taints, [NOT_READY_TAINT], [UNREACHABLE_TAINT]);
    case 'Unknown':
      return updateTaints(taints, [UNREACHABLE_TAINT], [NOT_READY_TAINT]);
    default:
      return updateTaints(taints, [], [NOT_READY_TAINT, UNREACHABLE_TAINT]);
  }
}
