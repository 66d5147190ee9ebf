// Attached bindings (dependenciesdistributor/dependencies_distributor.go): a binding with
// spec.propagateDeps ("independent") makes its dependencies (ConfigMaps, Secrets, ServiceAccounts,
// PVCs, ... as the interpreter names them) follow it. Each dependency gets an "attached" ResourceBinding
// without placement whose spec.requiredBy holds a snapshot {namespace, name, clusters} of every
// independent binding needing it; the binding controller sends it to the union of those clusters.
// Pure functions over objects; the distributor reads caches and writes what they return.

import type { DependentObjectReference } from '../../resourceinterpreter/interface.js';
import {
  CLUSTER_PROPAGATION_POLICY_PERMANENT_ID_LABEL,
  PROPAGATION_POLICY_PERMANENT_ID_LABEL,
} from '../../apis/policy/v1alpha1/wellknown.js';
import {
  API_VERSION as BINDING_API_VERSION,
  BINDING_CONTROLLER_FINALIZER,
  generateBindingName,
  generateBindingReferenceKey,
  RESOURCE_BINDING_PERMANENT_ID_LABEL,
  type BindingSnapshot,
  type ResourceBinding,
} from '../../apis/work/v1alpha2/index.js';
import type { KubeObject } from '../../runtime/types.js';
import { deepEqual } from '../../util/deepequal.js';
import { labelSelectorMatches, type LabelSelectorObject } from '../../util/selector.js';

/** On attached bindings: which independent binding needs them (value: its permanent id). */
export const DEPENDED_BY_LABEL_KEY_PREFIX = 'resourcebinding.karmada.io/depended-by-';
/** On independent bindings: their dependencies, JSON. */
export const DEPENDENCIES_ANNOTATION = 'resourcebinding.karmada.io/dependencies';

/** `resourcebinding.karmada.io/depended-by-<hash of ns/name>`: unique per independent binding. */
export function dependedByLabelKey(namespace: string, name: string): string {
  return DEPENDED_BY_LABEL_KEY_PREFIX + generateBindingReferenceKey(namespace, name);
}

function cmp(a: string | undefined, b: string | undefined): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The dependencies in a stable order with Go's field order and omitempty, as the annotation stores them. */
export function normalizeDependencies(deps: readonly DependentObjectReference[]): DependentObjectReference[] {
  return [...deps]
    .sort((a, b) => cmp(a.apiVersion, b.apiVersion) || cmp(a.kind, b.kind) || cmp(a.namespace, b.namespace) || cmp(a.name, b.name))
    .map((d) => ({
      apiVersion: d.apiVersion,
      kind: d.kind,
      ...(d.namespace ? { namespace: d.namespace } : {}),
      ...(d.name ? { name: d.name } : {}),
      ...(d.labelSelector ? { labelSelector: d.labelSelector } : {}),
    }));
}

/** The dependencies recorded on an independent binding (none when absent or unreadable). */
export function recordedDependencies(binding: KubeObject): DependentObjectReference[] {
  const raw = binding.metadata?.annotations?.[DEPENDENCIES_ANNOTATION];
  if (!raw) return [];
  try {
    const v = JSON.parse(raw) as unknown;
    return Array.isArray(v) ? (v as DependentObjectReference[]) : [];
  } catch {
    return [];
  }
}

/** Index values of an independent binding: one per named dependency, one per kind+namespace for selectors. */
export function dependencyIndexValues(binding: KubeObject): string[] {
  return recordedDependencies(binding).map((d) => dependencyIndexValue(d.apiVersion, d.kind, d.namespace, d.name ?? '*'));
}

export function dependencyIndexValue(apiVersion: string, kind: string, namespace: string | undefined, name: string): string {
  return `${apiVersion}|${kind}|${namespace ?? ''}|${name}`;
}

/** matchesWithBindingDependencies: whether an object (with these labels) is one of the binding's dependencies. */
export function dependsOn(binding: KubeObject, obj: { apiVersion: string; kind: string; namespace?: string; name: string; labels?: Record<string, string> }): boolean {
  for (const d of recordedDependencies(binding)) {
    if (d.apiVersion !== obj.apiVersion || d.kind !== obj.kind || (d.namespace ?? '') !== (obj.namespace ?? '')) continue;
    if (d.name) {
      if (d.name === obj.name) return true;
    } else if (d.labelSelector && labelSelectorMatches(d.labelSelector as LabelSelectorObject, obj.labels)) {
      return true;
    }
  }
  return false;
}

/** buildAttachedBinding: the attached binding of one dependency object for one independent binding. */
export function buildAttachedBinding(independent: ResourceBinding, object: KubeObject, newID: () => string): ResourceBinding {
  const ns = independent.metadata?.namespace ?? '';
  const name = independent.metadata?.name ?? '';
  const apiVersion = object.apiVersion ?? '';
  const kind = object.kind ?? '';
  return {
    apiVersion: BINDING_API_VERSION,
    kind: 'ResourceBinding',
    metadata: {
      name: generateBindingName(kind, object.metadata?.name ?? ''),
      namespace: ns,
      ownerReferences: [{ apiVersion, kind, name: object.metadata?.name ?? '', uid: object.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true }],
      labels: {
        [dependedByLabelKey(ns, name)]: independent.metadata?.labels?.[RESOURCE_BINDING_PERMANENT_ID_LABEL] ?? '',
        // what the Karmada webhook would add; set here so real kube-apiservers get it too
        [RESOURCE_BINDING_PERMANENT_ID_LABEL]: newID(),
      },
      finalizers: [BINDING_CONTROLLER_FINALIZER],
    },
    spec: {
      resource: {
        apiVersion,
        kind,
        namespace: object.metadata?.namespace,
        name: object.metadata?.name ?? '',
        uid: object.metadata?.uid,
        resourceVersion: object.metadata?.resourceVersion,
      },
      requiredBy: [{ namespace: ns, name, clusters: independent.spec.clusters ?? [] }],
      ...(independent.spec.preserveResourcesOnDeletion !== undefined ? { preserveResourcesOnDeletion: independent.spec.preserveResourcesOnDeletion } : {}),
      // spelled out: the API server defaults it, and a missing value would look like a change forever
      conflictResolution: independent.spec.conflictResolution ?? 'Abort',
    },
  };
}

/** mergeBindingSnapshot: new snapshots replace those of the same binding, others are appended. */
export function mergeBindingSnapshot(existing: readonly BindingSnapshot[] | undefined, added: readonly BindingSnapshot[]): BindingSnapshot[] {
  const out = (existing ?? []).map((s) => ({ ...s }));
  for (const n of added) {
    const i = out.findIndex((s) => (s.namespace ?? '') === (n.namespace ?? '') && s.name === n.name);
    if (i >= 0) out[i] = { ...out[i]!, clusters: n.clusters };
    else out.push(n);
  }
  return out;
}

/** deleteBindingFromSnapshot. */
export function deleteBindingFromSnapshot(namespace: string, name: string, existing: readonly BindingSnapshot[] | undefined): BindingSnapshot[] {
  return (existing ?? []).filter((s) => !((s.namespace ?? '') === namespace && s.name === name));
}

/**
 * The stored attached binding updated with a freshly built one (createOrUpdateAttachedBinding), or
 * undefined when nothing changes. Throws when the stored binding belongs to another object of the
 * same name (an old one the garbage collector has not removed yet).
 */
export function updateAttachedBinding(existing: ResourceBinding, attached: ResourceBinding): ResourceBinding | undefined {
  const owner = existing.metadata?.ownerReferences?.find((o) => o.controller);
  const want = attached.metadata?.ownerReferences?.[0];
  if (owner && want && owner.uid !== want.uid) {
    throw new Error(
      `ResourceBinding ${existing.metadata?.namespace}/${existing.metadata?.name} is owned by another ${owner.kind} (uid ${owner.uid}); waiting for the garbage collector to remove it`,
    );
  }
  const spec = { ...existing.spec };
  // a binding with placement comes from a policy: it keeps its own conflict resolution
  if (!spec.placement) spec.conflictResolution = attached.spec.conflictResolution ?? 'Abort';
  spec.requiredBy = mergeBindingSnapshot(existing.spec.requiredBy, attached.spec.requiredBy ?? []);
  spec.resource = attached.spec.resource;
  if (attached.spec.preserveResourcesOnDeletion !== undefined) spec.preserveResourcesOnDeletion = attached.spec.preserveResourcesOnDeletion;
  else delete spec.preserveResourcesOnDeletion;
  const labels = { ...(existing.metadata?.labels ?? {}) };
  for (const [k, v] of Object.entries(attached.metadata?.labels ?? {})) {
    // the stored permanent id stays
    if (k === RESOURCE_BINDING_PERMANENT_ID_LABEL && labels[k]) continue;
    labels[k] = v;
  }
  if (deepEqual(spec, existing.spec) && deepEqual(labels, existing.metadata?.labels ?? {})) return undefined;
  return { ...existing, metadata: { ...existing.metadata, labels }, spec };
}

/** Claimed by a (Cluster)PropagationPolicy: the detector owns it, whatever requires it. */
export function claimedByPolicy(binding: KubeObject & { spec?: { placement?: unknown } }): boolean {
  const labels = binding.metadata?.labels ?? {};
  return !!binding.spec?.placement || !!labels[PROPAGATION_POLICY_PERMANENT_ID_LABEL] || !!labels[CLUSTER_PROPAGATION_POLICY_PERMANENT_ID_LABEL];
}

/**
 * An attached binding no longer required by the independent binding: its label and snapshot removed
 * (removeScheduleResultFromAttachedBindings). 'delete' when nothing requires it any more and no policy
 * claims it; undefined when the independent binding was not in it.
 */
export function detachBinding(attached: ResourceBinding, namespace: string, name: string): { op: 'update'; binding: ResourceBinding } | { op: 'delete' } | undefined {
  const key = dependedByLabelKey(namespace, name);
  const labels = { ...(attached.metadata?.labels ?? {}) };
  const hadLabel = key in labels;
  delete labels[key];
  const requiredBy = deleteBindingFromSnapshot(namespace, name, attached.spec.requiredBy);
  if (!hadLabel && requiredBy.length === (attached.spec.requiredBy ?? []).length) return undefined;
  const spec = { ...attached.spec, requiredBy };
  delete spec.preserveResourcesOnDeletion;
  const binding: ResourceBinding = { ...attached, metadata: { ...attached.metadata, labels }, spec };
  if (!requiredBy.length && !claimedByPolicy(binding)) return { op: 'delete' };
  return { op: 'update', binding };
}

/**
 * isOrphanAttachedBindings: an attached binding none of the current dependencies names (by name, or
 * by a selector its object's labels still match). labelsOf gives the object's labels when cached.
 */
export function isOrphanAttached(
  attached: ResourceBinding,
  deps: readonly DependentObjectReference[],
  labelsOf: (ref: ResourceBinding['spec']['resource']) => Record<string, string> | undefined,
): boolean {
  const r = attached.spec.resource;
  for (const d of deps) {
    if (d.apiVersion !== r.apiVersion || d.kind !== r.kind || (d.namespace ?? '') !== (r.namespace ?? '')) continue;
    if (d.name) {
      if (d.name === r.name) return false;
    } else if (d.labelSelector) {
      const labels = labelsOf(r);
      if (labels && labelSelectorMatches(d.labelSelector as LabelSelectorObject, labels)) return false;
    }
  }
  return true;
}
