// APIEnablement filter (plugins/apienablement): the member must serve the resource's group/version/kind
// (status.apiEnablements). A cluster already in spec.clusters passes, so a briefly incomplete API list does
// not pull a running workload off it.

import type { APIEnablement, Cluster } from '../../../apis/cluster/v1alpha1/index.js';
import { SUCCESS, unschedulable, type FilterPlugin, type FilterResult, type ScheduleContext } from '../types.js';

export const API_ENABLEMENT = 'APIEnablement';

const served = new WeakMap<APIEnablement[], Set<string>>();

/** Cluster.APIEnablement(gvk) == APIEnabled, with the cluster's list indexed once per status version. */
export function apiEnabled(cluster: Cluster, gvk: { group: string; version: string; kind: string }): boolean {
  const list = cluster.status?.apiEnablements;
  if (!list) return false;
  let set = served.get(list);
  if (!set) {
    set = new Set();
    for (const e of list) for (const r of e.resources ?? []) set.add(`${e.groupVersion}|${r.kind}`);
    served.set(list, set);
  }
  return set.has(`${gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version}|${gvk.kind}`);
}

export const apiEnablement: FilterPlugin = {
  name: API_ENABLEMENT,
  filter(ctx: ScheduleContext, cluster: Cluster): FilterResult {
    if (apiEnabled(cluster, ctx.gvk)) return SUCCESS;
    if (ctx.targets.has(cluster.metadata?.name ?? '')) return SUCCESS;
    return unschedulable('no such API resource');
  },
};
