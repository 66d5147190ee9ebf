// What of a member object stays the member's when Karmada updates it (objectwatcher.retainClusterFields
// and util.RetainLabels/RetainAnnotations), and what Karmada takes back when it lets an object go
// (the execution controller's cleanupPolicyClaimMetadata for preserveResourcesOnDeletion). Pure.

import {
  APPLIED_CLUSTER_OVERRIDES_ANNOTATION,
  APPLIED_OVERRIDES_ANNOTATION,
  CLUSTER_PROPAGATION_POLICY_ANNOTATION,
  CLUSTER_PROPAGATION_POLICY_LABEL,
  CLUSTER_PROPAGATION_POLICY_PERMANENT_ID_LABEL,
  PROPAGATION_POLICY_NAME_ANNOTATION,
  PROPAGATION_POLICY_NAME_LABEL,
  PROPAGATION_POLICY_NAMESPACE_ANNOTATION,
  PROPAGATION_POLICY_NAMESPACE_LABEL,
  PROPAGATION_POLICY_PERMANENT_ID_LABEL,
} from '../../apis/policy/v1alpha1/index.js';
import {
  CLUSTER_RESOURCE_BINDING_ANNOTATION,
  CLUSTER_RESOURCE_BINDING_PERMANENT_ID_LABEL,
  CONFLICT_RESOLUTION_ANNOTATION,
  MANAGED_ANNOTATIONS_ANNOTATION,
  MANAGED_BY_KARMADA_LABEL,
  MANAGED_LABELS_ANNOTATION,
  RESOURCE_BINDING_NAME_ANNOTATION,
  RESOURCE_BINDING_NAMESPACE_ANNOTATION,
  RESOURCE_BINDING_PERMANENT_ID_LABEL,
  RESOURCE_TEMPLATE_GENERATION_ANNOTATION,
  RESOURCE_TEMPLATE_UID_ANNOTATION,
  WORK_NAME_ANNOTATION,
  WORK_NAMESPACE_ANNOTATION,
  WORK_PERMANENT_ID_LABEL,
} from '../../apis/work/v1alpha2/index.js';
import type { KubeObject } from '../../runtime/types.js';

/** Keys listed in a comma-separated managed-labels/managed-annotations annotation. */
function recordedKeys(obj: KubeObject, annotation: string): Set<string> {
  const v = obj.metadata?.annotations?.[annotation];
  return new Set((v ?? '').split(',').map((s) => s.trim()).filter(Boolean));
}

/**
 * desired's map plus observed's entries it lacks, except keys Karmada managed before (recorded in
 * observed's managed-* annotation) that the template no longer has: those were removed on purpose.
 */
function retainMap(desired: Record<string, string> | undefined, observed: Record<string, string> | undefined, deleted: Set<string>): Record<string, string> | undefined {
  const out: Record<string, string> = { ...(desired ?? {}) };
  for (const [k, v] of Object.entries(observed ?? {})) {
    if (deleted.has(k) || k in out) continue;
    out[k] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * A copy of desired ready to replace observed: its resourceVersion (optimistic concurrency), the
 * finalizers and ownerReferences member controllers set, and labels/annotations added in the member.
 */
export function retainClusterFields(desired: KubeObject, observed: KubeObject): KubeObject {
  const out = structuredClone(desired);
  const md = (out.metadata ??= {});
  const om = observed.metadata ?? {};
  if (om.resourceVersion) md.resourceVersion = om.resourceVersion;
  if (om.finalizers?.length) md.finalizers = [...om.finalizers];
  else delete md.finalizers;
  if (om.ownerReferences?.length) md.ownerReferences = structuredClone(om.ownerReferences);
  else delete md.ownerReferences;

  const deletedLabels = recordedKeys(observed, MANAGED_LABELS_ANNOTATION);
  for (const k of Object.keys(md.labels ?? {})) deletedLabels.delete(k);
  const labels = retainMap(md.labels, om.labels, deletedLabels);
  if (labels) md.labels = labels;
  else delete md.labels;

  const deletedAnnotations = recordedKeys(observed, MANAGED_ANNOTATIONS_ANNOTATION);
  for (const k of Object.keys(md.annotations ?? {})) deletedAnnotations.delete(k);
  const annotations = retainMap(md.annotations, om.annotations, deletedAnnotations);
  if (annotations) md.annotations = annotations;
  else delete md.annotations;
  return out;
}

/** Labels Karmada puts on member objects (binding/work/policy claims, the managed marker). */
export const KARMADA_MEMBER_LABELS = [
  MANAGED_BY_KARMADA_LABEL,
  RESOURCE_BINDING_PERMANENT_ID_LABEL,
  CLUSTER_RESOURCE_BINDING_PERMANENT_ID_LABEL,
  WORK_PERMANENT_ID_LABEL,
  PROPAGATION_POLICY_PERMANENT_ID_LABEL,
  CLUSTER_PROPAGATION_POLICY_PERMANENT_ID_LABEL,
  PROPAGATION_POLICY_NAMESPACE_LABEL,
  PROPAGATION_POLICY_NAME_LABEL,
  CLUSTER_PROPAGATION_POLICY_LABEL,
];

/** Annotations Karmada puts on member objects. */
export const KARMADA_MEMBER_ANNOTATIONS = [
  WORK_NAMESPACE_ANNOTATION,
  WORK_NAME_ANNOTATION,
  RESOURCE_TEMPLATE_UID_ANNOTATION,
  RESOURCE_TEMPLATE_GENERATION_ANNOTATION,
  MANAGED_LABELS_ANNOTATION,
  MANAGED_ANNOTATIONS_ANNOTATION,
  CONFLICT_RESOLUTION_ANNOTATION,
  RESOURCE_BINDING_NAMESPACE_ANNOTATION,
  RESOURCE_BINDING_NAME_ANNOTATION,
  CLUSTER_RESOURCE_BINDING_ANNOTATION,
  PROPAGATION_POLICY_NAMESPACE_ANNOTATION,
  PROPAGATION_POLICY_NAME_ANNOTATION,
  CLUSTER_PROPAGATION_POLICY_ANNOTATION,
  APPLIED_OVERRIDES_ANNOTATION,
  APPLIED_CLUSTER_OVERRIDES_ANNOTATION,
];

/**
 * observed without Karmada's labels and annotations (a member object Karmada lets go when its Work is
 * deleted with preserveResourcesOnDeletion), or undefined when it carries none.
 */
export function withoutKarmadaMetadata(observed: KubeObject): KubeObject | undefined {
  const labels = observed.metadata?.labels ?? {};
  const annotations = observed.metadata?.annotations ?? {};
  const hasLabel = KARMADA_MEMBER_LABELS.some((k) => k in labels);
  const hasAnnotation = KARMADA_MEMBER_ANNOTATIONS.some((k) => k in annotations);
  if (!hasLabel && !hasAnnotation) return undefined;
  const out = structuredClone(observed);
  const md = out.metadata!;
  for (const k of KARMADA_MEMBER_LABELS) delete md.labels?.[k];
  for (const k of KARMADA_MEMBER_ANNOTATIONS) delete md.annotations?.[k];
  return out;
}
