// The override manager (upstream pkg/util/overridemanager/overridemanager.go) as a pure function: the
// resource template as one member cluster should receive it, after the ClusterOverridePolicies and then
// the OverridePolicies of the template's namespace that select it and target that cluster.

import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import type { ClusterOverridePolicy, OverridePolicy, Overriders, ResourceSelector, RuleWithCluster } from '../../apis/policy/v1alpha1/index.js';
import type { KubeObject } from '../../runtime/types.js';
import { clusterMatches, PRIORITY_MATCH_ALL, PRIORITY_MISMATCH, resourceMatchSelectorsPriority } from '../selector.js';
import { marshalAppliedOverrides, type OverridePolicyShadow } from './appliedoverrides.js';
import { buildCommandArgsPatches } from './commandargsoverride.js';
import { applyFieldOverrider } from './fieldoverrider.js';
import { buildImagePatches } from './imageoverride.js';
import { buildLabelAnnotationPatches } from './labelannotationoverrider.js';
import { applyOverrideOptions, type OverrideOption } from './patch.js';

export interface OverridePolicies {
  clusterOverridePolicies: ClusterOverridePolicy[];
  overridePolicies: OverridePolicy[];
}

export interface OverrideResult {
  /** A new object; the input is never mutated. */
  object: KubeObject;
  /** JSON for annotation policy.karmada.io/applied-cluster-overrides; undefined when none applied. */
  appliedClusterOverrides?: string;
  /** JSON for annotation policy.karmada.io/applied-overrides; undefined when none applied. */
  appliedOverrides?: string;
}

export type OverridePolicyKind = 'ClusterOverridePolicy' | 'OverridePolicy';

/** An override policy that does not apply to the object; the message names policy, object, cluster and overrider. */
export class OverrideError extends Error {
  constructor(
    message: string,
    readonly policyKind: OverridePolicyKind,
    readonly policyName: string,
    readonly clusterName: string,
  ) {
    super(message);
    this.name = 'OverrideError';
  }
}

/** One matching rule of one policy (upstream policyOverriders), in application order. */
export interface PolicyOverriders {
  name: string;
  namespace?: string;
  overriders: Overriders;
}

type AnyOverridePolicy = ClusterOverridePolicy | OverridePolicy;

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * upstream getOverridersFromOverridePolicies: the policies whose resourceSelectors select the object
 * (none = all), ordered by implicit priority (match-all < labelSelector < name) then name, expanded into
 * their rules that target the cluster. The deprecated spec.targetCluster + spec.overriders form counts
 * as one rule when overrideRules is empty.
 */
export function getOverridersFromOverridePolicies(policies: readonly AnyOverridePolicy[], obj: KubeObject, cluster: Cluster): PolicyOverriders[] {
  const matching: { policy: AnyOverridePolicy; priority: number }[] = [];
  for (const policy of policies) {
    const selectors = policy.spec?.resourceSelectors ?? [];
    const priority = selectors.length === 0 ? PRIORITY_MATCH_ALL : resourceMatchSelectorsPriority(obj, selectors);
    if (priority !== PRIORITY_MISMATCH) matching.push({ policy, priority });
  }
  // Array.prototype.sort is stable, like upstream's sort.SliceStable.
  matching.sort((a, b) => a.priority - b.priority || compareNames(a.policy.metadata?.name ?? '', b.policy.metadata?.name ?? ''));

  const out: PolicyOverriders[] = [];
  for (const { policy } of matching) {
    const spec = policy.spec ?? {};
    let rules: RuleWithCluster[] = spec.overrideRules ?? [];
    if (rules.length === 0) rules = [{ targetCluster: spec.targetCluster, overriders: spec.overriders ?? {} }];
    for (const rule of rules) {
      if (rule.targetCluster === undefined || rule.targetCluster === null || clusterMatches(cluster, rule.targetCluster)) {
        out.push({ name: policy.metadata?.name ?? '', namespace: policy.metadata?.namespace, overriders: rule.overriders ?? {} });
      }
    }
  }
  return out;
}

function step(label: string, fn: () => KubeObject): KubeObject {
  try {
    return fn();
  } catch (e) {
    throw new Error(`${label}: ${(e as Error).message}`);
  }
}

function patchEach<T>(obj: KubeObject, name: string, items: readonly T[] | undefined, build: (o: KubeObject, item: T) => OverrideOption[]): KubeObject {
  (items ?? []).forEach((item, i) => {
    obj = step(`${name}[${i}]`, () => applyOverrideOptions(obj, build(obj, item)));
  });
  return obj;
}

/**
 * upstream applyPolicyOverriders: image, command, args, labels, annotations, field, then plaintext
 * overriders, each turned into JSON patches against the object as left by the previous one.
 */
export function applyPolicyOverriders(obj: KubeObject, overriders: Overriders): KubeObject {
  obj = patchEach(obj, 'imageOverrider', overriders.imageOverrider, buildImagePatches);
  obj = patchEach(obj, 'commandOverrider', overriders.commandOverrider, (o, x) => buildCommandArgsPatches('command', o, x));
  obj = patchEach(obj, 'argsOverrider', overriders.argsOverrider, (o, x) => buildCommandArgsPatches('args', o, x));
  obj = patchEach(obj, 'labelsOverrider', overriders.labelsOverrider, (o, x) => buildLabelAnnotationPatches(o, x, 'labels'));
  obj = patchEach(obj, 'annotationsOverrider', overriders.annotationsOverrider, (o, x) => buildLabelAnnotationPatches(o, x, 'annotations'));
  (overriders.fieldOverrider ?? []).forEach((f, i) => {
    obj = step(`fieldOverrider[${i}]`, () => applyFieldOverrider(obj, f));
  });
  const plaintext = (overriders.plaintext ?? []).map((p): OverrideOption => ({ op: p.operator, path: p.path, value: p.value }));
  return step('plaintext', () => applyOverrideOptions(obj, plaintext));
}

function describeObject(obj: KubeObject): string {
  const ns = obj.metadata?.namespace;
  return `${obj.kind ?? 'object'} ${ns ? `${ns}/` : ''}${obj.metadata?.name ?? ''}`;
}

function applyGroup(
  obj: KubeObject,
  kind: OverridePolicyKind,
  matched: readonly PolicyOverriders[],
  cluster: Cluster,
): { object: KubeObject; applied: OverridePolicyShadow[] } {
  const applied: OverridePolicyShadow[] = [];
  const clusterName = cluster.metadata?.name ?? '';
  for (const p of matched) {
    try {
      obj = applyPolicyOverriders(obj, p.overriders);
    } catch (e) {
      const policy = p.namespace ? `${p.namespace}/${p.name}` : p.name;
      throw new OverrideError(
        `failed to apply ${kind} ${policy} to ${describeObject(obj)} for cluster ${clusterName}: ${(e as Error).message}; ` +
          `fix the policy's overriders (or the resource template) so that they apply`,
        kind,
        p.name,
        clusterName,
      );
    }
    applied.push({ policyName: p.name, overriders: p.overriders });
  }
  return { object: obj, applied };
}

/** An OverridePolicy's selectors with an empty namespace mean the policy's own (the webhook's defaulting). */
function withPolicyNamespace(op: OverridePolicy): OverridePolicy {
  const ns = op.metadata?.namespace;
  const selectors = op.spec?.resourceSelectors;
  if (!ns || !selectors?.some((s) => !s.namespace)) return op;
  return { ...op, spec: { ...op.spec, resourceSelectors: selectors.map((s): ResourceSelector => (s.namespace ? s : { ...s, namespace: ns })) } };
}

/**
 * upstream OverrideManager.ApplyOverridePolicies for one target cluster. ClusterOverridePolicies apply
 * first; then, for namespaced objects only, the OverridePolicies of the object's namespace (matched
 * against the object as the cluster policies left it). Within each group the most specific policy is
 * applied last, so it wins. Throws OverrideError when an overrider cannot be applied.
 */
export function applyOverridePolicies(obj: KubeObject, cluster: Cluster, policies: OverridePolicies): OverrideResult {
  const cops = getOverridersFromOverridePolicies(policies.clusterOverridePolicies, obj, cluster);
  const clusterGroup = applyGroup(obj, 'ClusterOverridePolicy', cops, cluster);
  let object = clusterGroup.object;

  let namespaced: OverridePolicyShadow[] = [];
  const namespace = obj.metadata?.namespace;
  if (namespace) {
    const sameNamespace = policies.overridePolicies.filter((op) => op.metadata?.namespace === namespace).map(withPolicyNamespace);
    const ops = getOverridersFromOverridePolicies(sameNamespace, object, cluster);
    const group = applyGroup(object, 'OverridePolicy', ops, cluster);
    object = group.object;
    namespaced = group.applied;
  }

  // Patching always works on copies; make sure the caller never gets its own object back.
  if (object === obj) object = structuredClone(obj);
  const result: OverrideResult = { object };
  const appliedClusterOverrides = marshalAppliedOverrides(clusterGroup.applied);
  const appliedOverrides = marshalAppliedOverrides(namespaced);
  if (appliedClusterOverrides !== undefined) result.appliedClusterOverrides = appliedClusterOverrides;
  if (appliedOverrides !== undefined) result.appliedOverrides = appliedOverrides;
  return result;
}
