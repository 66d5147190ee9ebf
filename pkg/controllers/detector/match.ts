// Which policy propagates a resource template (Karmada pkg/detector/policy.go propagateResource,
// compare.go, preemption.go), as pure functions over the template and the candidate policies.
//
// Order of precedence: a template keeps the policy that claims it while that policy exists and still
// selects it; otherwise the best PropagationPolicy of its namespace wins, then the best
// ClusterPropagationPolicy. "Best" is the highest spec.priority, then the most precise selector match
// (name > labelSelector > kind), then the lowest policy name. With preemption: Always, a policy
// selecting the template by name takes it from a claimant of lower priority; a PropagationPolicy takes
// it from any ClusterPropagationPolicy, never the other way round.

import type { ClusterPropagationPolicy, PropagationPolicy } from '../../apis/policy/v1alpha1/index.js';
import type { KubeObject } from '../../runtime/types.js';
import { PRIORITY_MATCH_NAME, PRIORITY_MISMATCH, resourceMatchSelectorsPriority, resourceSelectorPriority } from '../../util/selector.js';
import { readClaim, type Claim, type ClaimKind } from './claim.js';

export type AnyPolicy = PropagationPolicy | ClusterPropagationPolicy;

export interface PolicyRef {
  kind: ClaimKind;
  policy: AnyPolicy;
}

/** PropagationSpec.ExplicitPriority: spec.priority, 0 when unset. */
export function explicitPriority(policy: AnyPolicy): number {
  return policy.spec?.priority ?? 0;
}

function deleting(policy: AnyPolicy): boolean {
  return !!policy.metadata?.deletionTimestamp;
}

/**
 * getHighestPriorityPropagationPolicy / getHighestPriorityClusterPropagationPolicy: among the policies
 * selecting obj (deleting ones never match), the highest explicit priority, then implicit priority,
 * then the alphabetically first name.
 */
export function highestPriorityPolicy<P extends AnyPolicy>(policies: readonly P[], obj: KubeObject): P | undefined {
  let best: P | undefined;
  let bestExplicit = Number.NEGATIVE_INFINITY;
  let bestImplicit = PRIORITY_MISMATCH;
  for (const p of policies) {
    if (deleting(p)) continue;
    const implicit = resourceMatchSelectorsPriority(obj, p.spec?.resourceSelectors);
    if (implicit <= PRIORITY_MISMATCH) continue;
    const explicit = explicitPriority(p);
    if (
      explicit > bestExplicit ||
      (explicit === bestExplicit && (implicit > bestImplicit || (implicit === bestImplicit && (p.metadata?.name ?? '') < (best?.metadata?.name ?? ''))))
    ) {
      best = p;
      bestExplicit = explicit;
      bestImplicit = implicit;
    }
  }
  return best;
}

/**
 * Whether a policy may preempt with respect to this template: preemption Always and a resource selector
 * naming the template (upstream fetches the templates to preempt by each selector's name).
 */
export function canPreempt(policy: AnyPolicy, obj: KubeObject): boolean {
  if (policy.spec?.preemption !== 'Always' || deleting(policy)) return false;
  return (policy.spec?.resourceSelectors ?? []).some((rs) => resourceSelectorPriority(obj, rs) === PRIORITY_MATCH_NAME);
}

/** The policy that takes obj away from its current claimant, if any (preemption.go). */
export function findPreemptor(
  obj: KubeObject,
  current: PolicyRef,
  propagationPolicies: readonly PropagationPolicy[],
  clusterPropagationPolicies: readonly ClusterPropagationPolicy[],
): PolicyRef | undefined {
  const currentName = current.policy.metadata?.name;
  const currentPriority = explicitPriority(current.policy);
  if (current.kind === 'PropagationPolicy') {
    // high-priority PP > low-priority PP; a CPP never preempts a PP
    const pp = highestPriorityPolicy(
      propagationPolicies.filter((p) => p.metadata?.name !== currentName && canPreempt(p, obj) && explicitPriority(p) > currentPriority),
      obj,
    );
    return pp ? { kind: 'PropagationPolicy', policy: pp } : undefined;
  }
  // a PP preempts a CPP regardless of priority (preemptClusterPropagationPolicyDirectly)
  const pp = highestPriorityPolicy(
    propagationPolicies.filter((p) => canPreempt(p, obj)),
    obj,
  );
  if (pp) return { kind: 'PropagationPolicy', policy: pp };
  const cpp = highestPriorityPolicy(
    clusterPropagationPolicies.filter((p) => p.metadata?.name !== currentName && canPreempt(p, obj) && explicitPriority(p) > currentPriority),
    obj,
  );
  return cpp ? { kind: 'ClusterPropagationPolicy', policy: cpp } : undefined;
}

export interface PolicyCandidates {
  /** PropagationPolicies of the template's namespace that may select it (by apiVersion/kind). */
  propagationPolicies: readonly PropagationPolicy[];
  /** ClusterPropagationPolicies that may select it. */
  clusterPropagationPolicies: readonly ClusterPropagationPolicy[];
  /** The policy named by the template's claim, when it exists (looked up by claim.namespace/name). */
  claimedPolicy?: AnyPolicy;
  /** Honour preemption: Always (Karmada's PropagationPolicyPreemption feature gate). */
  preemption?: boolean;
}

export type PolicyDecision =
  /** Claim the template for this policy and write its binding. */
  | { action: 'apply'; target: PolicyRef; claim?: Claim; preempted?: PolicyRef }
  /** The claim no longer stands (policy gone or no longer selecting) and no other policy selects it. */
  | { action: 'unclaim'; claim: Claim }
  /** Nothing to do now. */
  | { action: 'none'; reason: string };

/** The decision for one template (propagateResource's steps 1–4 plus preemption). */
export function decidePolicy(obj: KubeObject, c: PolicyCandidates): PolicyDecision {
  const claim = readClaim(obj);
  let current: PolicyRef | undefined;
  if (claim) {
    const p = c.claimedPolicy;
    if (p && deleting(p)) {
      // the policy's own deletion handling unclaims the template; don't race it
      return { action: 'none', reason: `claimed by ${describeClaim(claim)}, which is being deleted` };
    }
    if (p && resourceMatchSelectorsPriority(obj, p.spec?.resourceSelectors) > PRIORITY_MISMATCH) current = { kind: claim.kind, policy: p };
  }
  if (current) {
    const preemptor = c.preemption ? findPreemptor(obj, current, c.propagationPolicies, c.clusterPropagationPolicies) : undefined;
    if (preemptor) return { action: 'apply', target: preemptor, claim, preempted: current };
    return { action: 'apply', target: current, claim };
  }
  const ns = obj.metadata?.namespace;
  const pp = ns ? highestPriorityPolicy(c.propagationPolicies, obj) : undefined;
  if (pp) return { action: 'apply', target: { kind: 'PropagationPolicy', policy: pp }, claim };
  const cpp = highestPriorityPolicy(c.clusterPropagationPolicies, obj);
  if (cpp) return { action: 'apply', target: { kind: 'ClusterPropagationPolicy', policy: cpp }, claim };
  if (claim) return { action: 'unclaim', claim };
  return { action: 'none', reason: 'no matching policy' };
}

export function describeClaim(c: { kind: ClaimKind; namespace?: string; name: string }): string {
  return c.kind === 'PropagationPolicy' ? `PropagationPolicy ${c.namespace}/${c.name}` : `ClusterPropagationPolicy ${c.name}`;
}

export function describePolicy(ref: PolicyRef): string {
  return describeClaim({ kind: ref.kind, namespace: ref.policy.metadata?.namespace, name: ref.policy.metadata?.name ?? '' });
}
