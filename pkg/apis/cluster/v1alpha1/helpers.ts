// Cluster helpers: create/update-time defaults (Karmada's pkg/apis/cluster/mutation), condition and
// readiness queries, and API enablement lookups (cluster_helper.go).

import { nowTime, findCondition } from '../../meta/v1/types.js';
import type { Taint } from '../../core/v1/types.js';
import { MAX_INT64 } from '../../core/v1/quantity.js';
import type { Cluster, ResourceModel } from './types.js';
import { CLUSTER_CONDITION_COMPLETE_API_ENABLEMENTS, CLUSTER_CONDITION_READY } from './wellknown.js';

const MAX = MAX_INT64.toString();

/** The default 9 grades of cpu/memory (SetDefaultClusterResourceModels). */
export function defaultResourceModels(): ResourceModel[] {
  const cpu = ['0', '1', '2', '4', '8', '16', '32', '64', '128', MAX];
  const mem = ['0', '4Gi', '16Gi', '32Gi', '64Gi', '128Gi', '256Gi', '512Gi', '1Ti', MAX];
  return Array.from({ length: 9 }, (_, grade) => ({
    grade,
    ranges: [
      { name: 'cpu', min: cpu[grade]!, max: cpu[grade + 1]! },
      { name: 'memory', min: mem[grade]!, max: mem[grade + 1]! },
    ],
  }));
}

/**
 * Sorts models by grade; the first grade's minimums become 0 and the last grade's maximums MaxInt64
 * (StandardizeClusterResourceModels).
 */
export function standardizeResourceModels(models: ResourceModel[]): void {
  if (models.length === 0) return;
  models.sort((a, b) => a.grade - b.grade);
  for (const r of models[0]!.ranges) r.min = '0';
  for (const r of models[models.length - 1]!.ranges) r.max = MAX;
}

/** NoExecute taints get timeAdded when missing (MutateClusterTaints). */
export function mutateClusterTaints(taints: Taint[] | undefined, now: string = nowTime()): void {
  for (const t of taints ?? []) if (t.effect === 'NoExecute' && !t.timeAdded) t.timeAdded = now;
}

export interface ClusterDefaultingOptions {
  operation: 'CREATE' | 'UPDATE';
  /** The CustomizedClusterResourceModeling feature gate (default on). */
  resourceModeling?: boolean;
  now?: string;
}

/**
 * What karmada-aggregated-apiserver does before validating a Cluster write: NoExecute taints get
 * timeAdded, a lone deprecated `zone` moves into `zones`, and resource models are defaulted on create
 * (standardized when given).
 */
export function defaultCluster(cluster: Cluster, opts: ClusterDefaultingOptions): void {
  const spec = cluster.spec;
  if (!spec || typeof spec !== 'object') return;
  mutateClusterTaints(spec.taints, opts.now);
  if (spec.zone && !(spec.zones && spec.zones.length)) {
    spec.zones = [spec.zone];
    delete spec.zone;
  }
  if (opts.resourceModeling === false) return;
  if (!spec.resourceModels || spec.resourceModels.length === 0) {
    if (opts.operation === 'CREATE') spec.resourceModels = defaultResourceModels();
  } else {
    standardizeResourceModels(spec.resourceModels);
  }
}

export function clusterCondition(cluster: Cluster, type: string) {
  return findCondition(cluster.status?.conditions, type);
}

/** Ready=True. */
export function isClusterReady(cluster: Cluster): boolean {
  return clusterCondition(cluster, CLUSTER_CONDITION_READY)?.status === 'True';
}

export function findTaint(cluster: Cluster, key: string, effect?: string): Taint | undefined {
  return cluster.spec?.taints?.find((t) => t.key === key && (effect === undefined || t.effect === effect));
}

export type APIEnablementStatus = 'APIEnabled' | 'APIDisabled' | 'APIUnknown';

/**
 * Whether the cluster serves the kind (Cluster.APIEnablement): enabled if listed in apiEnablements;
 * disabled only when the list is known complete (CompleteAPIEnablements=True); unknown otherwise.
 */
export function clusterAPIEnablement(cluster: Cluster, gvk: { group: string; version: string; kind: string }): APIEnablementStatus {
  const gv = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
  for (const e of cluster.status?.apiEnablements ?? []) {
    if (e.groupVersion !== gv) continue;
    if ((e.resources ?? []).some((r) => r.kind === gvk.kind)) return 'APIEnabled';
  }
  const complete = clusterCondition(cluster, CLUSTER_CONDITION_COMPLETE_API_ENABLEMENTS)?.status === 'True';
  return complete ? 'APIDisabled' : 'APIUnknown';
}
