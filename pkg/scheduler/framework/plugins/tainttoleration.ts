// TaintToleration filter (plugins/tainttoleration): a cluster with a NoSchedule or NoExecute taint that the
// placement's clusterTolerations do not tolerate is filtered out. Clusters already in spec.clusters pass:
// evicting from them is the taint manager's job (after a grace period), not the scheduler's.

import type { Cluster } from '../../../apis/cluster/v1alpha1/index.js';
import type { Taint, Toleration } from '../../../apis/core/v1/types.js';
import { SUCCESS, unschedulable, type FilterPlugin, type FilterResult, type ScheduleContext } from '../types.js';

export const TAINT_TOLERATION = 'TaintToleration';

/** corev1.Toleration.ToleratesTaint. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? '') {
    case '':
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

/** v1helper.FindMatchingUntoleratedTaint: the first taint passing the predicate that no toleration tolerates. */
export function findUntoleratedTaint(taints: readonly Taint[] | undefined, tolerations: readonly Toleration[] | undefined, predicate: (t: Taint) => boolean): Taint | undefined {
  for (const taint of taints ?? []) {
    if (!predicate(taint)) continue;
    if (!(tolerations ?? []).some((t) => toleratesTaint(t, taint))) return taint;
  }
  return undefined;
}

/** corev1.Taint.ToString: key=value:effect (key:effect without a value). */
export function taintToString(t: Taint): string {
  return t.value ? `${t.key}=${t.value}:${t.effect}` : `${t.key}:${t.effect}`;
}

const scheduleBlocking = (t: Taint) => t.effect === 'NoSchedule' || t.effect === 'NoExecute';

export const taintToleration: FilterPlugin = {
  name: TAINT_TOLERATION,
  filter(ctx: ScheduleContext, cluster: Cluster): FilterResult {
    if (ctx.targets.has(cluster.metadata?.name ?? '')) return SUCCESS;
    const taint = findUntoleratedTaint(cluster.spec?.taints, ctx.spec.placement?.clusterTolerations, scheduleBlocking);
    return taint ? unschedulable(`cluster(s) had untolerated taint {${taintToString(taint)}}`) : SUCCESS;
  },
};
