// The claim metadata that ties a resource template (and its binding) to the policy propagating it
// (Karmada pkg/detector/claim.go): a permanent-id label plus name annotations. Pure functions that read a
// claim and compute the label/annotation changes that set or clear one.

import type { ClusterPropagationPolicy, PropagationPolicy } from '../../apis/policy/v1alpha1/index.js';
import {
  CLUSTER_PROPAGATION_POLICY_ANNOTATION,
  CLUSTER_PROPAGATION_POLICY_PERMANENT_ID_LABEL,
  PROPAGATION_POLICY_NAME_ANNOTATION,
  PROPAGATION_POLICY_NAMESPACE_ANNOTATION,
  PROPAGATION_POLICY_PERMANENT_ID_LABEL,
} from '../../apis/policy/v1alpha1/index.js';
import type { KubeObject } from '../../runtime/types.js';

export type ClaimKind = 'PropagationPolicy' | 'ClusterPropagationPolicy';

export const PP_CLAIM_LABELS = [PROPAGATION_POLICY_PERMANENT_ID_LABEL];
export const PP_CLAIM_ANNOTATIONS = [PROPAGATION_POLICY_NAMESPACE_ANNOTATION, PROPAGATION_POLICY_NAME_ANNOTATION];
export const CPP_CLAIM_LABELS = [CLUSTER_PROPAGATION_POLICY_PERMANENT_ID_LABEL];
export const CPP_CLAIM_ANNOTATIONS = [CLUSTER_PROPAGATION_POLICY_ANNOTATION];

/** Who claims a template: the policy's kind, namespace (PP only), name and permanent id. */
export interface Claim {
  kind: ClaimKind;
  namespace?: string;
  name: string;
  id: string;
}

/**
 * The claim on an object, as propagateResource reads it: a PropagationPolicy claim needs both name
 * annotations and the permanent-id label; otherwise a ClusterPropagationPolicy claim needs its name
 * annotation and label.
 */
export function readClaim(obj: KubeObject): Claim | undefined {
  const labels = obj.metadata?.labels ?? {};
  const ann = obj.metadata?.annotations ?? {};
  const ppNs = ann[PROPAGATION_POLICY_NAMESPACE_ANNOTATION];
  const ppName = ann[PROPAGATION_POLICY_NAME_ANNOTATION];
  const ppID = labels[PROPAGATION_POLICY_PERMANENT_ID_LABEL];
  if (ppNs && ppName && ppID) return { kind: 'PropagationPolicy', namespace: ppNs, name: ppName, id: ppID };
  const cppName = ann[CLUSTER_PROPAGATION_POLICY_ANNOTATION];
  const cppID = labels[CLUSTER_PROPAGATION_POLICY_PERMANENT_ID_LABEL];
  if (cppName && cppID) return { kind: 'ClusterPropagationPolicy', name: cppName, id: cppID };
  return undefined;
}

/** The policy's permanent id (set by the webhook on create). */
export function policyID(policy: PropagationPolicy | ClusterPropagationPolicy, kind: ClaimKind): string {
  const label = kind === 'PropagationPolicy' ? PROPAGATION_POLICY_PERMANENT_ID_LABEL : CLUSTER_PROPAGATION_POLICY_PERMANENT_ID_LABEL;
  return policy.metadata?.labels?.[label] ?? '';
}

/** The claim a policy puts on what it propagates. */
export function claimOf(policy: PropagationPolicy | ClusterPropagationPolicy, kind: ClaimKind): Claim {
  return {
    kind,
    namespace: kind === 'PropagationPolicy' ? (policy.metadata?.namespace ?? '') : undefined,
    name: policy.metadata?.name ?? '',
    id: policyID(policy, kind),
  };
}

/** Label/annotation values to set (string) or remove (null); a merge patch of metadata. */
export interface MetadataChange {
  labels: Record<string, string | null>;
  annotations: Record<string, string | null>;
}

/**
 * The change that makes obj claimed by exactly this claim: AddPPClaimMetadata / AddCPPClaimMetadata.
 * A PropagationPolicy claim also drops a ClusterPropagationPolicy claim (excludeClusterPolicy: a PP may
 * preempt a CPP); a CPP claim drops a stale PP claim (the detector unclaims before a CPP takes over).
 */
export function claimChange(claim: Claim): MetadataChange {
  if (claim.kind === 'PropagationPolicy') {
    return {
      labels: { [PROPAGATION_POLICY_PERMANENT_ID_LABEL]: claim.id, [CLUSTER_PROPAGATION_POLICY_PERMANENT_ID_LABEL]: null },
      annotations: {
        [PROPAGATION_POLICY_NAMESPACE_ANNOTATION]: claim.namespace ?? '',
        [PROPAGATION_POLICY_NAME_ANNOTATION]: claim.name,
        [CLUSTER_PROPAGATION_POLICY_ANNOTATION]: null,
      },
    };
  }
  return {
    labels: { [CLUSTER_PROPAGATION_POLICY_PERMANENT_ID_LABEL]: claim.id, [PROPAGATION_POLICY_PERMANENT_ID_LABEL]: null },
    annotations: {
      [CLUSTER_PROPAGATION_POLICY_ANNOTATION]: claim.name,
      [PROPAGATION_POLICY_NAMESPACE_ANNOTATION]: null,
      [PROPAGATION_POLICY_NAME_ANNOTATION]: null,
    },
  };
}

/** CleanupPPClaimMetadata / CleanupCPPClaimMetadata. */
export function cleanupChange(kind: ClaimKind): MetadataChange {
  const [labels, annotations] = kind === 'PropagationPolicy' ? [PP_CLAIM_LABELS, PP_CLAIM_ANNOTATIONS] : [CPP_CLAIM_LABELS, CPP_CLAIM_ANNOTATIONS];
  return { labels: Object.fromEntries(labels.map((k) => [k, null])), annotations: Object.fromEntries(annotations.map((k) => [k, null])) };
}

/**
 * NeedCleanupClaimMetadata: only clear a claim that still carries this policy's permanent id (a policy
 * deleted and re-created under the same name must not lose what its successor claimed).
 */
export function needCleanupClaimMetadata(obj: KubeObject, kind: ClaimKind, id: string): boolean {
  const label = kind === 'PropagationPolicy' ? PROPAGATION_POLICY_PERMANENT_ID_LABEL : CLUSTER_PROPAGATION_POLICY_PERMANENT_ID_LABEL;
  return obj.metadata?.labels?.[label] === id;
}

/** The part of a change that differs from obj (empty maps: nothing to write). */
export function pendingChange(obj: KubeObject, change: MetadataChange): MetadataChange {
  const diff = (current: Record<string, string> | undefined, want: Record<string, string | null>) =>
    Object.fromEntries(Object.entries(want).filter(([k, v]) => (v === null ? current?.[k] !== undefined : current?.[k] !== v)));
  return { labels: diff(obj.metadata?.labels, change.labels), annotations: diff(obj.metadata?.annotations, change.annotations) };
}

export function isEmptyChange(change: MetadataChange): boolean {
  return !Object.keys(change.labels).length && !Object.keys(change.annotations).length;
}

/** Applies a change to label/annotation maps (returns new maps; empty maps become undefined). */
export function applyChange(
  labels: Record<string, string> | undefined,
  annotations: Record<string, string> | undefined,
  change: MetadataChange,
): { labels?: Record<string, string>; annotations?: Record<string, string> } {
  const apply = (cur: Record<string, string> | undefined, ch: Record<string, string | null>) => {
    const out = { ...(cur ?? {}) };
    for (const [k, v] of Object.entries(ch)) {
      if (v === null) delete out[k];
      else out[k] = v;
    }
    return Object.keys(out).length ? out : undefined;
  };
  return { labels: apply(labels, change.labels), annotations: apply(annotations, change.annotations) };
}

/**
 * A JSON merge patch of the change guarded by resourceVersion: the server rejects it with 409 when the
 * object changed since it was read, so a user's concurrent edit is never overwritten.
 */
export function claimPatch(obj: KubeObject, change: MetadataChange): Record<string, unknown> {
  const metadata: Record<string, unknown> = { resourceVersion: obj.metadata?.resourceVersion };
  if (Object.keys(change.labels).length) metadata.labels = change.labels;
  if (Object.keys(change.annotations).length) metadata.annotations = change.annotations;
  return { metadata };
}
