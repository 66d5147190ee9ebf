// Cache indexes that keep policy matching proportional to the policies that can matter: a template only
// looks at the policies whose selectors could select it (its kind plus its name, one of its labels, or
// neither), and an override policy only at the policies depending on it. With thousands of policies per
// namespace this is the difference between a few lookups and a scan per template.

import type { ResourceSelector } from '../../apis/policy/v1alpha1/index.js';
import type { IndexFunc } from '../../runtime/indexer.js';
import type { KubeObject } from '../../runtime/types.js';
import type { ClaimKind } from './claim.js';
import type { AnyPolicy } from './match.js';

/**
 * Policy index, one value per selector: "<scope>#name:<name>" for a selector naming an object,
 * "<scope>#label:<key>=<value>" for one matchLabels pair of a label selector (every object it selects
 * carries that pair), "<scope>#*" for the rest. The index only narrows: matching is still done in full.
 */
export const SELECTS_INDEX = 'detector.selects';
/** Policy index: the (Cluster)OverridePolicies named in spec.dependentOverrides. */
export const DEPENDS_INDEX = 'detector.depends';

/**
 * The scope of a selector: "<namespace>|<apiVersion>|<kind>" for a PropagationPolicy (its own namespace:
 * a PP never selects elsewhere), "<apiVersion>|<kind>" for a ClusterPropagationPolicy.
 */
export function selectorScope(kind: ClaimKind, policyNamespace: string, apiVersion: string, objKind: string): string {
  return kind === 'PropagationPolicy' ? `${policyNamespace}|${apiVersion}|${objKind}` : `${apiVersion}|${objKind}`;
}

function selectorIndexValue(scope: string, rs: ResourceSelector): string {
  if (rs.name) return `${scope}#name:${rs.name}`;
  const ml = rs.labelSelector?.matchLabels;
  if (ml) {
    const key = Object.keys(ml).sort()[0];
    if (key !== undefined) return `${scope}#label:${key}=${ml[key]}`;
  }
  return `${scope}#*`;
}

export function selectsIndex(kind: ClaimKind): IndexFunc<KubeObject> {
  return (obj) => {
    const p = obj as AnyPolicy;
    const ns = p.metadata?.namespace ?? '';
    const out = new Set<string>();
    for (const rs of p.spec?.resourceSelectors ?? []) out.add(selectorIndexValue(selectorScope(kind, ns, rs.apiVersion, rs.kind), rs));
    return [...out];
  };
}

/** Index values under which the policies that could select the template are found. */
export function candidateIndexValues(kind: ClaimKind, template: KubeObject): string[] {
  const scope = selectorScope(kind, template.metadata?.namespace ?? '', template.apiVersion ?? '', template.kind ?? '');
  const out = [`${scope}#name:${template.metadata?.name ?? ''}`, `${scope}#*`];
  for (const [k, v] of Object.entries(template.metadata?.labels ?? {})) out.push(`${scope}#label:${k}=${v}`);
  return out;
}

/** Index values: "<namespace>/<name>" of each dependent override ("<name>" for a ClusterPropagationPolicy). */
export function dependsIndex(kind: ClaimKind): IndexFunc<KubeObject> {
  return (obj) => {
    const p = obj as AnyPolicy;
    const ns = p.metadata?.namespace ?? '';
    return (p.spec?.dependentOverrides ?? []).map((n) => (kind === 'PropagationPolicy' ? `${ns}/${n}` : n));
  };
}
