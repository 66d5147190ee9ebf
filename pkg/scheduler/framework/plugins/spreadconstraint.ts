// SpreadConstraint filter (plugins/spreadconstraint): when spreading by provider, region or zone, a cluster
// without that property cannot be placed in any group and is filtered out.

import type { Cluster } from '../../../apis/cluster/v1alpha1/index.js';
import { clusterZones } from '../../../util/selector.js';
import { SUCCESS, unschedulable, type FilterPlugin, type FilterResult, type ScheduleContext } from '../types.js';

export const SPREAD_CONSTRAINT = 'SpreadConstraint';

export const spreadConstraint: FilterPlugin = {
  name: SPREAD_CONSTRAINT,
  filter(ctx: ScheduleContext, cluster: Cluster): FilterResult {
    for (const c of ctx.spec.placement?.spreadConstraints ?? []) {
      if (c.spreadByField === 'provider' && !cluster.spec?.provider) return unschedulable("cluster(s) didn't have provider property");
      if (c.spreadByField === 'region' && !cluster.spec?.region) return unschedulable("cluster(s) didn't have region property");
      if (c.spreadByField === 'zone' && clusterZones(cluster).length === 0) return unschedulable("cluster(s) didn't have zone property");
    }
    return SUCCESS;
  },
};
