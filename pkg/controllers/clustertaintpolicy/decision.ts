// What taints a Cluster should carry given the ClusterTaintPolicies (Karmada's
// pkg/controllers/taint/clustertaintpolicy_controller.go): policies apply oldest first; for each policy
// whose targetClusters match, its taints are added when ALL addOnConditions match the Cluster's status
// conditions, then removed when ALL removeOnConditions match. Empty condition lists never match, a
// condition type the Cluster lacks never matches (even with NotIn), and other taints are left alone.

import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import type { Taint } from '../../apis/core/v1/types.js';
import type { ClusterTaintPolicy, MatchCondition, PolicyTaint } from '../../apis/policy/v1alpha1/index.js';
import { clusterMatches } from '../../util/selector.js';

interface Condition {
  type: string;
  status: string;
}

const same = (a: { key: string; effect: string }, b: { key: string; effect: string }) => a.key === b.key && a.effect === b.effect;

/** conditionMatches: every match condition holds (ANDed); an empty list is false. */
export function conditionMatches(conditions: readonly Condition[] | undefined, match: readonly MatchCondition[] | undefined): boolean {
  if (!match?.length) return false;
  return match.every((m) => {
    const c = (conditions ?? []).find((x) => x.type === m.conditionType);
    if (!c) return false;
    switch (m.operator) {
      case 'In':
        return m.statusValues.includes(c.status);
      case 'NotIn':
        return !m.statusValues.includes(c.status);
      default:
        return false;
    }
  });
}

/** Oldest first, by name on ties, so conflicting policies settle on one answer instead of flapping. */
export function sortPolicies(policies: readonly ClusterTaintPolicy[]): ClusterTaintPolicy[] {
  return [...policies].sort((a, b) => {
    const ta = a.metadata?.creationTimestamp ?? '';
    const tb = b.metadata?.creationTimestamp ?? '';
    if (ta !== tb) return ta < tb ? -1 : 1;
    return (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
  });
}

function addTaints(cur: Taint[], add: readonly PolicyTaint[], now: string): Taint[] {
  const next = [...cur];
  for (const t of add) {
    if (next.some((x) => same(x, t))) continue;
    // timeAdded is only written for NoExecute taints (corev1.Taint); it starts the eviction clock
    next.push({ key: t.key, ...(t.value ? { value: t.value } : {}), effect: t.effect, ...(t.effect === 'NoExecute' ? { timeAdded: now } : {}) });
  }
  return next;
}

function removeTaints(cur: Taint[], remove: readonly PolicyTaint[]): Taint[] {
  return cur.filter((x) => !remove.some((t) => same(x, t)));
}

/**
 * The taints the Cluster should carry after applying every policy; `now` (RFC 3339) becomes the
 * timeAdded of NoExecute taints added here. Returns the Cluster's own list (same contents) when nothing changes.
 */
export function desiredClusterTaints(cluster: Cluster, policies: readonly ClusterTaintPolicy[], now: string): Taint[] {
  let taints: Taint[] = [...(cluster.spec?.taints ?? [])];
  const conditions = cluster.status?.conditions as Condition[] | undefined;
  for (const p of sortPolicies(policies)) {
    if (p.spec?.targetClusters && !clusterMatches(cluster, p.spec.targetClusters)) continue;
    const policyTaints = p.spec?.taints ?? [];
    if (conditionMatches(conditions, p.spec?.addOnConditions)) taints = addTaints(taints, policyTaints, now);
    if (conditionMatches(conditions, p.spec?.removeOnConditions)) taints = removeTaints(taints, policyTaints);
  }
  return taints;
}
