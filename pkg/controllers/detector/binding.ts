// The ResourceBinding / ClusterResourceBinding a policy asks for (Karmada detector.go BuildResourceBinding,
// BuildClusterResourceBinding and the CreateOrUpdate mutation in ApplyPolicy/ApplyClusterPolicy), as pure
// functions: build the desired binding, then fold it into the existing one touching only the fields the
// detector owns (never spec.clusters, the scheduler's result, nor status).

import type { PropagationSpec, Suspension } from '../../apis/policy/v1alpha1/index.js';
import { PROPAGATION_POLICY_PERMANENT_ID_LABEL } from '../../apis/policy/v1alpha1/index.js';
import {
  BINDING_CONTROLLER_FINALIZER,
  CLUSTER_RESOURCE_BINDING_CONTROLLER_FINALIZER,
  API_VERSION as WORK_V1ALPHA2,
  generateBindingName,
  type ReplicaRequirements,
  type ResourceBinding,
  type ResourceBindingSpec,
} from '../../apis/work/v1alpha2/index.js';
import type { KubeObject, OwnerReference } from '../../runtime/types.js';
import { deepEqual } from '../../util/deepequal.js';
import { applyChange, claimChange, cleanupChange, needCleanupClaimMetadata, type Claim } from './claim.js';

export type BindingKind = 'ResourceBinding' | 'ClusterResourceBinding';

export interface BindingInputs {
  /** The (claimed) resource template, with apiVersion and kind set. */
  template: KubeObject;
  /** The claim of the policy being applied. */
  claim: Claim;
  spec: PropagationSpec;
  /** From the interpreter's InterpretReplica hook (absent when the kind has none). */
  replicas?: number;
  replicaRequirements?: ReplicaRequirements;
  /** The resolved PriorityClass value when the policy asks for schedulePriority. */
  schedulePriority?: number;
}

/** Namespaced templates get a ResourceBinding (even under a ClusterPropagationPolicy); cluster-scoped ones a ClusterResourceBinding. */
export function bindingKindFor(template: KubeObject): BindingKind {
  return template.metadata?.namespace ? 'ResourceBinding' : 'ClusterResourceBinding';
}

/** metav1.NewControllerRef(template). */
export function controllerRef(template: KubeObject): OwnerReference {
  return {
    apiVersion: template.apiVersion ?? '',
    kind: template.kind ?? '',
    name: template.metadata?.name ?? '',
    uid: template.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** BuildResourceBinding / BuildClusterResourceBinding. */
export function buildBinding(b: BindingInputs): ResourceBinding {
  const t = b.template;
  const kind = bindingKindFor(t);
  const ns = t.metadata?.namespace;
  const claimMeta = applyChange(undefined, undefined, claimChange(b.claim));
  const spec: ResourceBindingSpec = {
    resource: {
      apiVersion: t.apiVersion ?? '',
      kind: t.kind ?? '',
      ...(ns ? { namespace: ns } : {}),
      name: t.metadata?.name ?? '',
      uid: t.metadata?.uid,
      resourceVersion: t.metadata?.resourceVersion,
    },
    propagateDeps: b.spec.propagateDeps || undefined,
    schedulerName: b.spec.schedulerName,
    placement: b.spec.placement ?? {},
    failover: b.spec.failover,
    conflictResolution: b.spec.conflictResolution,
    preserveResourcesOnDeletion: b.spec.preserveResourcesOnDeletion,
    suspension: b.spec.suspension ? { ...b.spec.suspension } : undefined,
    replicas: b.replicas || undefined,
    replicaRequirements: b.replicaRequirements,
  };
  if (kind === 'ResourceBinding' && b.schedulePriority !== undefined) spec.schedulePriority = { priority: b.schedulePriority };
  return {
    apiVersion: WORK_V1ALPHA2,
    kind,
    metadata: {
      name: generateBindingName(t.kind ?? '', t.metadata?.name ?? ''),
      ...(ns ? { namespace: ns } : {}),
      labels: claimMeta.labels,
      annotations: claimMeta.annotations,
      ownerReferences: [controllerRef(t)],
      finalizers: [kind === 'ResourceBinding' ? BINDING_CONTROLLER_FINALIZER : CLUSTER_RESOURCE_BINDING_CONTROLLER_FINALIZER],
    },
    spec,
  };
}

/**
 * util.MergePolicySuspension: the policy's part replaces the binding's, the binding's own `scheduling`
 * switch stays; nothing left means no suspension.
 */
export function mergePolicySuspension(binding: ResourceBindingSpec['suspension'], policy: Suspension | undefined): ResourceBindingSpec['suspension'] {
  const scheduling = binding?.scheduling;
  if (policy) return { ...(scheduling !== undefined ? { scheduling } : {}), ...policy };
  return scheduling !== undefined ? { scheduling } : undefined;
}

/** The controller owner reference of an object, if any (metav1.GetControllerOf). */
export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller);
}

function dedupeFinalizers(existing: string[] | undefined, desired: string[] | undefined): string[] | undefined {
  const out = [...(existing ?? [])];
  for (const f of desired ?? []) if (!out.includes(f)) out.push(f);
  return out.length ? out : undefined;
}

function setOrDelete(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value === undefined) delete target[key];
  else target[key] = value;
}

/**
 * The existing binding with the desired one folded in (the CreateOrUpdate mutate function): claim labels
 * and annotations merged (dropping the other policy kind's claim), finalizers merged, owner reference,
 * resource, replicas and the policy-derived fields replaced. spec.clusters, other spec fields, other
 * metadata and status are kept as they are.
 */
export function mergeBinding(existing: ResourceBinding, desired: ResourceBinding, policySuspension: Suspension | undefined): ResourceBinding {
  // two-level copy: only whole fields of metadata and spec are replaced, nested values are shared (and
  // never mutated), which keeps large fields such as managedFields and status out of the work
  const meta = { ...(existing.metadata ?? {}) };
  const out: ResourceBinding = { ...existing, metadata: meta, spec: { ...existing.spec } };
  const dm = desired.metadata ?? {};
  // the other kind's claim goes first (excludeClusterPolicy for a PP claim; a CPP claim replaces a stale PP one)
  const isPP = !!dm.labels?.[PROPAGATION_POLICY_PERMANENT_ID_LABEL];
  const other = applyChange(meta.labels, meta.annotations, cleanupChange(isPP ? 'ClusterPropagationPolicy' : 'PropagationPolicy'));
  const labels = { ...(other.labels ?? {}), ...(dm.labels ?? {}) };
  const annotations = { ...(other.annotations ?? {}), ...(dm.annotations ?? {}) };
  setOrDelete(meta, 'labels', Object.keys(labels).length ? labels : undefined);
  setOrDelete(meta, 'annotations', Object.keys(annotations).length ? annotations : undefined);
  setOrDelete(meta, 'finalizers', dedupeFinalizers(meta.finalizers, dm.finalizers));
  meta.ownerReferences = dm.ownerReferences;

  const spec = out.spec as Record<string, unknown>;
  const ds = desired.spec;
  const crb = desired.kind === 'ClusterResourceBinding';
  spec.resource = ds.resource;
  setOrDelete(spec, 'replicaRequirements', ds.replicaRequirements);
  setOrDelete(spec, 'replicas', ds.replicas);
  setOrDelete(spec, 'components', ds.components);
  // upstream leaves propagateDeps and schedulePriority of an existing ClusterResourceBinding alone
  if (!crb) setOrDelete(spec, 'propagateDeps', ds.propagateDeps);
  setOrDelete(spec, 'schedulerName', ds.schedulerName);
  setOrDelete(spec, 'placement', ds.placement);
  setOrDelete(spec, 'failover', ds.failover);
  setOrDelete(spec, 'conflictResolution', ds.conflictResolution);
  setOrDelete(spec, 'preserveResourcesOnDeletion', ds.preserveResourcesOnDeletion);
  if (!crb) setOrDelete(spec, 'schedulePriority', ds.schedulePriority);
  setOrDelete(spec, 'suspension', mergePolicySuspension(existing.spec?.suspension, policySuspension));
  return out;
}

/** Whether merging changed anything the detector owns (cheap: managedFields and status are not compared). */
export function bindingChanged(existing: ResourceBinding, merged: ResourceBinding): boolean {
  const a = existing.metadata ?? {};
  const b = merged.metadata ?? {};
  return (
    !deepEqual(a.labels, b.labels) ||
    !deepEqual(a.annotations, b.annotations) ||
    !deepEqual(a.finalizers, b.finalizers) ||
    !deepEqual(a.ownerReferences, b.ownerReferences) ||
    !deepEqual(existing.spec, merged.spec)
  );
}

/** The binding with a claim removed (CleanupResourceBindingClaimMetadata); undefined when it does not carry it. */
export function unclaimBinding(existing: ResourceBinding, claim: Claim): ResourceBinding | undefined {
  if (!needCleanupClaimMetadata(existing, claim.kind, claim.id)) return undefined;
  const meta = { ...(existing.metadata ?? {}) };
  const out: ResourceBinding = { ...existing, metadata: meta };
  const m = applyChange(meta.labels, meta.annotations, cleanupChange(claim.kind));
  setOrDelete(meta, 'labels', m.labels);
  setOrDelete(meta, 'annotations', m.annotations);
  return out;
}
