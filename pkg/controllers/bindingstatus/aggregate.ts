// Binding status aggregation as a pure function (Karmada pkg/util/helper/workstatus.go
// assembleWorkStatus / generateFullyAppliedCondition / worksFullyApplied, and helper/binding.go
// ObtainBindingSpecExistingClusters): the Works of a binding in, status.aggregatedStatus (one item per
// Work, sorted by cluster) and the FullyApplied condition out. No server, no clock (now is passed in).

import { clusterOfExecutionNamespace } from '../../apis/cluster/v1alpha1/index.js';
import type { Work } from '../../apis/work/v1alpha1/index.js';
import { WORK_CONDITION_APPLIED } from '../../apis/work/v1alpha1/index.js';
import {
  BINDING_CONDITION_FULLY_APPLIED,
  BINDING_REASON_FULLY_APPLIED_FAILED,
  BINDING_REASON_FULLY_APPLIED_SUCCESS,
  type AggregatedStatusItem,
  type ObjectReference,
  type ResourceBindingSpec,
  type ResourceBindingStatus,
} from '../../apis/work/v1alpha2/index.js';
import { setStatusCondition, type StatusCondition } from '../../util/conditions.js';
import { deepEqual } from '../../util/deepequal.js';

export const FULLY_APPLIED_SUCCESS_MESSAGE = 'All works have been successfully applied';
export const FULLY_APPLIED_FAILED_MESSAGE = 'Failed to apply all works, see status.aggregatedStatus for details';

/** What this file needs of a ResourceBinding / ClusterResourceBinding. */
export interface BindingLike {
  spec: ResourceBindingSpec;
  status?: ResourceBindingStatus;
}

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** Index of the manifest that is the referenced template (GetManifestIndex); -1 when absent. */
export function getManifestIndex(work: Work, ref: ObjectReference): number {
  const manifests = work.spec?.workload?.manifests ?? [];
  return manifests.findIndex((m) => {
    const md = (m.metadata ?? {}) as { name?: string; namespace?: string };
    return m.apiVersion === ref.apiVersion && m.kind === ref.kind && (md.namespace ?? '') === (ref.namespace ?? '') && md.name === ref.name;
  });
}

/** equalIdentifier: the manifest status at this ordinal describes the referenced template. */
function identifierMatches(id: { ordinal: number; group?: string; version: string; kind: string; namespace?: string; name: string }, ordinal: number, ref: ObjectReference): boolean {
  const { group, version } = splitApiVersion(ref.apiVersion);
  return (
    id.ordinal === ordinal &&
    (id.group ?? '') === group &&
    id.version === version &&
    id.kind === ref.kind &&
    (id.namespace ?? '') === (ref.namespace ?? '') &&
    id.name === ref.name
  );
}

/**
 * assembleWorkStatus: one item per Work not being deleted, sorted by clusterName. A Work that is not
 * applied reports the Applied condition's message and health Unknown; an applied one reports the
 * manifest status and health its work status controller wrote (Unknown until then).
 * Throws (as upstream) when a Work does not carry the template or is outside an execution namespace.
 */
export function assembleWorkStatus(works: readonly Work[], ref: ObjectReference): AggregatedStatusItem[] {
  const items: AggregatedStatusItem[] = [];
  for (const work of works) {
    if (work.metadata?.deletionTimestamp) continue;
    const where = `Work ${work.metadata?.namespace}/${work.metadata?.name}`;
    const ordinal = getManifestIndex(work, ref);
    if (ordinal < 0) {
      throw new Error(`${where} has no manifest ${ref.apiVersion} ${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}; the binding controller re-renders it from the template`);
    }
    const clusterName = clusterOfExecutionNamespace(work.metadata?.namespace);
    if (!clusterName) throw new Error(`${where} is not in an execution namespace (karmada-es-<cluster>); move it or delete it`);

    const cond = work.status?.conditions?.find((c) => c.type === WORK_CONDITION_APPLIED);
    const applied = cond?.status === 'True';
    if (!applied) {
      const item: AggregatedStatusItem = { clusterName, applied: false, health: 'Unknown' };
      if (cond?.message) item.appliedMessage = cond.message;
      items.push(item);
      continue;
    }
    const item: AggregatedStatusItem = { clusterName, applied: true, health: 'Unknown' };
    const ms = work.status?.manifestStatuses?.find((s) => identifierMatches(s.identifier, ordinal, ref));
    if (ms) {
      if (ms.status !== undefined) item.status = ms.status;
      if (ms.health) item.health = ms.health;
    }
    items.push(item);
  }
  return items.sort((a, b) => (a.clusterName < b.clusterName ? -1 : a.clusterName > b.clusterName ? 1 : 0));
}

/**
 * ObtainBindingSpecExistingClusters: scheduled clusters, clusters of bindings that require this one,
 * and clusters still being gracefully evicted (not those purged directly, whose Works go at once).
 */
export function obtainBindingSpecExistingClusters(spec: ResourceBindingSpec): Set<string> {
  const names = new Set<string>((spec.clusters ?? []).map((c) => c.name));
  for (const b of spec.requiredBy ?? []) for (const c of b.clusters ?? []) names.add(c.name);
  for (const t of spec.gracefulEvictionTasks ?? []) {
    if (t.purgeMode !== 'Immediately' && t.purgeMode !== 'Directly') names.add(t.fromCluster);
  }
  return names;
}

/** worksFullyApplied: scheduled, one item per target cluster, every item applied. */
export function worksFullyApplied(items: readonly AggregatedStatusItem[], targetClusters: ReadonlySet<string>): boolean {
  if (targetClusters.size === 0) return false;
  if (targetClusters.size !== items.length) return false;
  return items.every((it) => it.applied === true && targetClusters.has(it.clusterName));
}

/**
 * The FullyApplied condition (generateFullyAppliedCondition). The failure message is upstream's,
 * followed by the clusters at fault so `kubectl describe` says where to look.
 */
export function generateFullyAppliedCondition(spec: ResourceBindingSpec, items: readonly AggregatedStatusItem[]): StatusCondition {
  const targets = obtainBindingSpecExistingClusters(spec);
  if (worksFullyApplied(items, targets)) {
    return { type: BINDING_CONDITION_FULLY_APPLIED, status: 'True', reason: BINDING_REASON_FULLY_APPLIED_SUCCESS, message: FULLY_APPLIED_SUCCESS_MESSAGE };
  }
  const have = new Set(items.map((it) => it.clusterName));
  const notApplied = items.filter((it) => !it.applied).map((it) => it.clusterName);
  const missing = [...targets].filter((c) => !have.has(c)).sort();
  const details: string[] = [];
  if (notApplied.length) details.push(`not applied on ${notApplied.join(', ')}`);
  if (missing.length) details.push(`no work yet for ${missing.join(', ')}`);
  return {
    type: BINDING_CONDITION_FULLY_APPLIED,
    status: 'False',
    reason: BINDING_REASON_FULLY_APPLIED_FAILED,
    message: details.length ? `${FULLY_APPLIED_FAILED_MESSAGE}: ${details.join('; ')}` : FULLY_APPLIED_FAILED_MESSAGE,
  };
}

export interface AggregatedBindingStatus {
  /** The binding's whole new status (a copy; the input is not modified). */
  status: ResourceBindingStatus;
  /** Whether it differs from the binding's current status (write only then). */
  changed: boolean;
}

/** The binding's status with aggregatedStatus and FullyApplied recomputed from its Works. */
export function aggregateBindingStatus(binding: BindingLike, works: readonly Work[], now?: string): AggregatedBindingStatus {
  const items = assembleWorkStatus(works, binding.spec.resource);
  const old = binding.status ?? {};
  const conditions = (old.conditions ?? []).map((c) => ({ ...c })) as StatusCondition[];
  setStatusCondition(conditions, generateFullyAppliedCondition(binding.spec, items), now);
  const status = { ...old, aggregatedStatus: items, conditions } as ResourceBindingStatus;
  const changed = !deepEqual(old.aggregatedStatus ?? [], items) || !deepEqual(old.conditions ?? [], conditions);
  return { status, changed };
}
