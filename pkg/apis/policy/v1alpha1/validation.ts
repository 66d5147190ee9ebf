// Semantic validation of policies, as karmada-webhook applies it (pkg/util/validation/validation.go and
// pkg/webhook/*/validating.go), plus checks whose absence would only surface later as scheduling or
// override failures. Type/shape errors are the schema's job; everything here assumes the shape is right.
// Messages name the field and say how to fix it.

import type { FieldCause } from '../../../apiserver/registry/types.js';
import { FieldPath, duplicate, forbidden, invalid, notSupported, required, tooLong } from '../../../apiserver/validation/field.js';
import { isQualifiedName } from '../../../apiserver/validation/names.js';
import { validateAnnotations, validateLabelSelector, validateLabels } from '../../../apiserver/validation/objectmeta.js';
import { isReservedNamespace } from '../../cluster/v1alpha1/wellknown.js';
import { isValidQuantity, parseQuantity } from '../../core/v1/quantity.js';
import type { Toleration } from '../../core/v1/types.js';
import type { ObjectMeta } from '../../../apiserver/registry/types.js';
import type { ClusterAffinity, ClusterAffinityTerm, FailoverBehavior, Placement, PropagationSpec, ResourceSelector, SpreadConstraint, Suspension } from './propagation.js';
import type { OverrideSpec, Overriders } from './override.js';
import type { FederatedResourceQuotaSpec } from './federatedresourcequota.js';
import type { ClusterTaintPolicy, ClusterTaintPolicySpec, MatchCondition } from './clustertaintpolicy.js';
import {
  CLUSTER_PROPAGATION_POLICY_PERMANENT_ID_LABEL,
  POLICY_NAME_MAX_LENGTH,
  PROPAGATION_POLICY_PERMANENT_ID_LABEL,
  PROVIDER_FIELD,
  REGION_FIELD,
  ZONE_FIELD,
} from './wellknown.js';

const SPEC = FieldPath.of('spec');

/** go-openapi jsonpointer.New: empty or starting with '/'. */
export function jsonPointerError(p: string): string | undefined {
  if (p === '' || p.startsWith('/')) return undefined;
  return `JSON pointer must be empty or start with a "/", e.g. "/${p.replace(/^\.+/, '').replace(/\./g, '/')}"`;
}

export function validateResourceSelectors(selectors: ResourceSelector[] | undefined, fld: FieldPath, opts: { requireNonEmpty: boolean }): FieldCause[] {
  const errs: FieldCause[] = [];
  if (opts.requireNonEmpty && !(selectors && selectors.length)) {
    errs.push(required(fld, 'at least one resource selector is required, e.g. {apiVersion: apps/v1, kind: Deployment, name: nginx}; selecting everything is not allowed'));
  }
  (selectors ?? []).forEach((s, i) => {
    const p = fld.index(i);
    if (!s.apiVersion) errs.push(required(p.child('apiVersion'), 'the API version of the selected resources, e.g. apps/v1 or v1'));
    if (!s.kind) errs.push(required(p.child('kind'), 'the kind of the selected resources, e.g. Deployment'));
    if (s.labelSelector) errs.push(...validateLabelSelector(s.labelSelector, p.child('labelSelector')));
  });
  return errs;
}

/** ValidatePolicyFieldSelector: keys provider/region/zone, operators In/NotIn. */
export function validateClusterAffinity(affinity: ClusterAffinity | undefined, fld: FieldPath): FieldCause[] {
  if (!affinity) return [];
  const errs: FieldCause[] = [];
  if (affinity.labelSelector) errs.push(...validateLabelSelector(affinity.labelSelector, fld.child('labelSelector')));
  (affinity.fieldSelector?.matchExpressions ?? []).forEach((e, i) => {
    const p = fld.child('fieldSelector', 'matchExpressions').index(i);
    if (![PROVIDER_FIELD, REGION_FIELD, ZONE_FIELD].includes(e.key)) {
      errs.push(invalid(p.child('key'), e.key, `unsupported key ${JSON.stringify(e.key)}, must be provider, region, or zone`));
    }
    if (e.operator !== 'In' && e.operator !== 'NotIn') {
      errs.push(invalid(p.child('operator'), e.operator, `unsupported operator ${JSON.stringify(e.operator)}, must be In or NotIn`));
    }
  });
  return errs;
}

export function validateClusterAffinities(terms: ClusterAffinityTerm[] | undefined, fld: FieldPath): FieldCause[] {
  const errs: FieldCause[] = [];
  const seen = new Set<string>();
  (terms ?? []).forEach((t, i) => {
    const p = fld.index(i);
    for (const msg of isQualifiedName(t.affinityName ?? '')) errs.push(invalid(p.child('affinityName'), t.affinityName ?? '', msg));
    if (seen.has(t.affinityName)) errs.push(duplicate(p.child('affinityName'), t.affinityName));
    seen.add(t.affinityName);
    errs.push(...validateClusterAffinity(t, p));
    (t.overflowAffinities ?? []).forEach((o, j) => {
      const op = p.child('overflowAffinities').index(j);
      for (const msg of isQualifiedName(o.affinityName ?? '')) errs.push(invalid(op.child('affinityName'), o.affinityName ?? '', msg));
      errs.push(...validateClusterAffinity(o, op));
    });
  });
  return errs;
}

/** ValidateSpreadConstraint. */
export function validateSpreadConstraints(constraints: SpreadConstraint[] | undefined, fld: FieldPath): FieldCause[] {
  const errs: FieldCause[] = [];
  const byField = new Map<string, number>();
  (constraints ?? []).forEach((c, i) => {
    const p = fld.index(i);
    if (c.spreadByField && c.spreadByLabel) {
      errs.push(invalid(p, c, 'spreadByLabel should not co-exist with spreadByField; keep one of them'));
    }
    const min = c.minGroups ?? 0;
    const max = c.maxGroups ?? 0;
    if (min < 0) errs.push(invalid(p.child('minGroups'), min, 'minGroups lower than 0 is not allowed'));
    if (max < 0) errs.push(invalid(p.child('maxGroups'), max, 'maxGroups lower than 0 is not allowed'));
    if (max > 0 && max < min) errs.push(invalid(p.child('maxGroups'), max, `maxGroups lower than minGroups (${min}) is not allowed; raise maxGroups or lower minGroups`));
    if (c.spreadByField) {
      const n = (byField.get(c.spreadByField) ?? 0) + 1;
      byField.set(c.spreadByField, n);
      if (n === 2) errs.push(invalid(fld, constraints, `multiple ${c.spreadByField} spread constraints are not allowed; merge them into one`));
    }
  });
  if (byField.size > 0 && !byField.has('cluster')) {
    errs.push(
      invalid(
        fld,
        constraints,
        'the cluster spread constraint must be enabled in one of the constraints in case of SpreadByField is enabled; add {spreadByField: cluster, minGroups: N, maxGroups: M} to say how many clusters to select',
      ),
    );
  }
  return errs;
}

const TOLERATION_OPERATORS = ['Equal', 'Exists'];
const TOLERATION_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function validateTolerations(tolerations: Toleration[] | undefined, fld: FieldPath): FieldCause[] {
  const errs: FieldCause[] = [];
  (tolerations ?? []).forEach((t, i) => {
    const p = fld.index(i);
    if (t.operator && !TOLERATION_OPERATORS.includes(t.operator)) errs.push(notSupported(p.child('operator'), t.operator, TOLERATION_OPERATORS));
    if (t.operator === 'Exists' && t.value) errs.push(invalid(p.child('operator'), t.operator, 'value must be empty when `operator` is \'Exists\''));
    if (!t.key && t.operator !== 'Exists') errs.push(invalid(p.child('operator'), t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    if (t.effect && !TOLERATION_EFFECTS.includes(t.effect)) errs.push(notSupported(p.child('effect'), t.effect, TOLERATION_EFFECTS));
  });
  return errs;
}

/** ValidatePlacement. */
export function validatePlacement(placement: Placement | undefined, fld: FieldPath): FieldCause[] {
  if (!placement) return [];
  const errs: FieldCause[] = [];
  if (placement.clusterAffinity && placement.clusterAffinities) {
    errs.push(
      forbidden(fld.child('clusterAffinities'), 'clusterAffinities cannot co-exist with clusterAffinity; keep clusterAffinity for one cluster group or move it into clusterAffinities as the first term'),
    );
  }
  errs.push(...validateClusterAffinity(placement.clusterAffinity, fld.child('clusterAffinity')));
  errs.push(...validateClusterAffinities(placement.clusterAffinities, fld.child('clusterAffinities')));
  errs.push(...validateTolerations(placement.clusterTolerations, fld.child('clusterTolerations')));
  errs.push(...validateSpreadConstraints(placement.spreadConstraints, fld.child('spreadConstraints')));
  const wp = placement.replicaScheduling?.weightPreference;
  (wp?.staticWeightList ?? []).forEach((w, i) => {
    const p = fld.child('replicaScheduling', 'weightPreference', 'staticWeightList').index(i);
    if (!(w.weight >= 1)) errs.push(invalid(p.child('weight'), w.weight, 'weight must be at least 1'));
    errs.push(...validateClusterAffinity(w.targetCluster, p.child('targetCluster')));
  });
  return errs;
}

function isGraceful(mode: string | undefined): boolean {
  return mode === undefined || mode === 'Gracefully' || mode === 'Graciously';
}

/** ValidateFailover / ValidateApplicationFailover. */
export function validateFailover(failover: FailoverBehavior | undefined, fld: FieldPath): FieldCause[] {
  const app = failover?.application;
  if (!app) return [];
  const errs: FieldCause[] = [];
  const p = fld.child('application');
  const tol = app.decisionConditions?.tolerationSeconds;
  if (tol !== undefined && tol < 0) errs.push(invalid(p.child('decisionConditions', 'tolerationSeconds'), tol, 'must be greater than or equal to 0'));
  if (!isGraceful(app.purgeMode) && app.gracePeriodSeconds !== undefined) {
    errs.push(invalid(p.child('gracePeriodSeconds'), app.gracePeriodSeconds, 'only takes effect when purgeMode is Gracefully; remove it or set purgeMode: Gracefully'));
  }
  if (isGraceful(app.purgeMode) && app.gracePeriodSeconds === undefined) {
    errs.push(required(p.child('gracePeriodSeconds'), 'should not be empty when purgeMode is Gracefully'));
  }
  if (app.gracePeriodSeconds !== undefined && app.gracePeriodSeconds <= 0) errs.push(invalid(p.child('gracePeriodSeconds'), app.gracePeriodSeconds, 'must be greater than 0'));
  return errs;
}

function validateSuspension(s: Suspension | undefined, fld: FieldPath): FieldCause[] {
  if (s?.dispatching === true && (s.dispatchingOnClusters?.clusterNames?.length ?? 0) > 0) {
    return [invalid(fld, s, 'suspension dispatching cannot co-exist with dispatchingOnClusters.clusterNames; use dispatching: true to suspend all clusters or list the clusters')];
  }
  return [];
}

/** ValidatePropagationSpec. */
export function validatePropagationSpec(spec: PropagationSpec): FieldCause[] {
  const errs: FieldCause[] = [];
  errs.push(...validateResourceSelectors(spec.resourceSelectors, SPEC.child('resourceSelectors'), { requireNonEmpty: true }));
  errs.push(...validatePlacement(spec.placement, SPEC.child('placement')));
  if (spec.failover?.application && !spec.propagateDeps) {
    errs.push(invalid(SPEC.child('propagateDeps'), spec.propagateDeps ?? false, 'application failover is set, propagateDeps must be true'));
  }
  errs.push(...validateFailover(spec.failover, SPEC.child('failover')));
  if (spec.preemption === 'Always') {
    (spec.resourceSelectors ?? []).forEach((s, i) => {
      if (!s.name) {
        errs.push(
          invalid(SPEC.child('resourceSelectors').index(i).child('name'), s.name ?? '', 'name cannot be empty if preemption is Always, the empty name may cause unexpected resources preemption'),
        );
      }
    });
  }
  errs.push(...validateSuspension(spec.suspension, SPEC.child('suspension')));
  return errs;
}

interface PolicyObject {
  metadata?: ObjectMeta;
  spec?: PropagationSpec;
}

function validatePolicyCommon(policy: PolicyObject, old: PolicyObject | undefined, kind: string, idLabel: string): FieldCause[] {
  const errs: FieldCause[] = [];
  const name = policy.metadata?.name ?? '';
  if (name.length > POLICY_NAME_MAX_LENGTH) {
    const e = tooLong(FieldPath.of('metadata', 'name'), name, POLICY_NAME_MAX_LENGTH);
    e.message += ` (${kind} names are used as label values)`;
    errs.push(e);
  }
  const labels = policy.metadata?.labels ?? {};
  if (old) {
    if ((policy.spec?.schedulerName ?? '') !== (old.spec?.schedulerName ?? '')) {
      errs.push(invalid(SPEC.child('schedulerName'), policy.spec?.schedulerName ?? '', 'the schedulerName should not be updated; create a new policy to use another scheduler'));
    }
    if (labels[idLabel] !== old.metadata?.labels?.[idLabel]) {
      errs.push(invalid(FieldPath.of('metadata', 'labels').key(idLabel), labels[idLabel] ?? '', `label ${idLabel} is immutable, it can only be set by the system during creation`));
    }
  }
  if (!labels[idLabel]) {
    errs.push(required(FieldPath.of('metadata', 'labels').key(idLabel), `label ${idLabel} is required, it is set by the system during creation`));
  }
  if (policy.spec) errs.push(...validatePropagationSpec(policy.spec));
  return errs;
}

/** PropagationPolicy create/update validation. */
export function validatePropagationPolicy(policy: PolicyObject, old?: PolicyObject): FieldCause[] {
  return validatePolicyCommon(policy, old, 'PropagationPolicy', PROPAGATION_POLICY_PERMANENT_ID_LABEL);
}

/** ClusterPropagationPolicy create/update validation: also refuses Karmada's reserved namespaces. */
export function validateClusterPropagationPolicy(policy: PolicyObject, old?: PolicyObject): FieldCause[] {
  const errs = validatePolicyCommon(policy, old, 'ClusterPropagationPolicy', CLUSTER_PROPAGATION_POLICY_PERMANENT_ID_LABEL);
  (policy.spec?.resourceSelectors ?? []).forEach((s, i) => {
    if (s.namespace && isReservedNamespace(s.namespace)) {
      errs.push(
        forbidden(
          SPEC.child('resourceSelectors').index(i).child('namespace'),
          `namespace ${JSON.stringify(s.namespace)} is reserved by Karmada (karmada-system, karmada-cluster, karmada-es-*) and its resources cannot be propagated`,
        ),
      );
    }
  });
  return errs;
}

function validateValueForOperator(operator: string, value: unknown, fld: FieldPath): FieldCause[] {
  const empty = value === undefined || value === null;
  if ((operator === 'add' || operator === 'replace') && empty) return [required(fld, `value is required for ${operator} operation`)];
  if (operator === 'remove' && !empty) return [invalid(fld, value, 'value is not allowed for remove operation; drop the value')];
  return [];
}

function validateOverriders(o: Overriders | undefined, fld: FieldPath): FieldCause[] {
  if (!o) return [];
  const errs: FieldCause[] = [];
  (o.plaintext ?? []).forEach((x, i) => {
    const p = fld.child('plaintext').index(i);
    const e = jsonPointerError(x.path ?? '');
    if (e) errs.push(invalid(p.child('path'), x.path, e));
    else if (!x.path) errs.push(required(p.child('path'), 'the JSON pointer of the field to override, e.g. /spec/replicas'));
    errs.push(...validateValueForOperator(x.operator, x.value, p.child('value')));
  });
  (o.imageOverrider ?? []).forEach((x, i) => {
    const p = fld.child('imageOverrider').index(i);
    if (x.predicate) {
      const e = jsonPointerError(x.predicate.path ?? '');
      if (e) errs.push(invalid(p.child('predicate', 'path'), x.predicate.path, e));
    }
    if ((x.operator === 'add' || x.operator === 'replace') && !x.value) {
      errs.push(required(p.child('value'), `value must not be empty when operator is ${x.operator}`));
    }
  });
  for (const key of ['commandOverrider', 'argsOverrider'] as const) {
    (o[key] ?? []).forEach((x, i) => {
      if (!x.containerName) errs.push(required(fld.child(key).index(i).child('containerName'), 'the name of the container whose command/args to change'));
    });
  }
  (o.labelsOverrider ?? []).forEach((x, i) => errs.push(...validateLabels(x.value, fld.child('labelsOverrider').index(i).child('value'))));
  (o.annotationsOverrider ?? []).forEach((x, i) => errs.push(...validateAnnotations(x.value, fld.child('annotationsOverrider').index(i).child('value'))));
  (o.fieldOverrider ?? []).forEach((x, i) => {
    const p = fld.child('fieldOverrider').index(i);
    if ((x.yaml?.length ?? 0) > 0 && (x.json?.length ?? 0) > 0) errs.push(invalid(p, x, 'FieldOverrider has both YAML and JSON set. Only one is allowed'));
    const e = jsonPointerError(x.fieldPath ?? '');
    if (e) errs.push(invalid(p.child('fieldPath'), x.fieldPath, e));
    for (const kind of ['json', 'yaml'] as const) {
      (x[kind] ?? []).forEach((op, j) => {
        const pp = p.child(kind).index(j);
        const se = jsonPointerError(op.subPath ?? '');
        if (se) errs.push(invalid(pp.child('subPath'), op.subPath, se));
        errs.push(...validateValueForOperator(op.operator, op.value, pp.child('value')));
      });
    }
  });
  return errs;
}

function hasOverriders(o: Overriders | undefined): boolean {
  if (!o) return false;
  return Object.values(o).some((v) => Array.isArray(v) && v.length > 0);
}

/** ValidateOverrideSpec (OverridePolicy and ClusterOverridePolicy). */
export function validateOverrideSpec(spec: OverrideSpec): FieldCause[] {
  const errs: FieldCause[] = [];
  errs.push(...validateResourceSelectors(spec.resourceSelectors, SPEC.child('resourceSelectors'), { requireNonEmpty: false }));
  if (spec.targetCluster) errs.push(...validateClusterAffinity(spec.targetCluster, SPEC.child('targetCluster')));
  if (spec.targetCluster && spec.overrideRules) {
    errs.push(invalid(SPEC.child('targetCluster'), spec.targetCluster, "overrideRules and targetCluster can't co-exist; move targetCluster into an overrideRules entry"));
  }
  if (hasOverriders(spec.overriders) && spec.overrideRules) {
    errs.push(invalid(SPEC.child('overriders'), spec.overriders, "overrideRules and overriders can't co-exist; move overriders into an overrideRules entry"));
  }
  errs.push(...validateOverriders(spec.overriders, SPEC.child('overriders')));
  (spec.overrideRules ?? []).forEach((r, i) => {
    const p = SPEC.child('overrideRules').index(i);
    errs.push(...validateOverriders(r.overriders, p.child('overriders')));
    errs.push(...validateClusterAffinity(r.targetCluster, p.child('targetCluster')));
  });
  return errs;
}

/** ClusterOverridePolicy: as OverridePolicy, and reserved namespaces cannot be selected. */
export function validateClusterOverrideSpec(spec: OverrideSpec): FieldCause[] {
  const errs = validateOverrideSpec(spec);
  (spec.resourceSelectors ?? []).forEach((s, i) => {
    if (s.namespace && isReservedNamespace(s.namespace)) {
      errs.push(forbidden(SPEC.child('resourceSelectors').index(i).child('namespace'), `namespace ${JSON.stringify(s.namespace)} is reserved by Karmada and cannot be overridden`));
    }
  });
  return errs;
}

/** FederatedResourceQuota: valid quantities, unique static assignments within the overall limits. */
export function validateFederatedResourceQuotaSpec(spec: FederatedResourceQuotaSpec): FieldCause[] {
  const errs: FieldCause[] = [];
  const overall = spec.overall ?? {};
  for (const [k, v] of Object.entries(overall)) {
    const p = SPEC.child('overall').key(k);
    if (!isValidQuantity(v)) errs.push(invalid(p, v, 'must be a quantity such as 10, 500m or 2Gi'));
    else if (parseQuantity(v) < 0n) errs.push(invalid(p, v, 'must be greater than or equal to 0'));
  }
  const seen = new Set<string>();
  const sums = new Map<string, bigint>();
  (spec.staticAssignments ?? []).forEach((a, i) => {
    const p = SPEC.child('staticAssignments').index(i);
    if (!a.clusterName) errs.push(required(p.child('clusterName'), 'the cluster the limits apply to'));
    else if (seen.has(a.clusterName)) errs.push(duplicate(p.child('clusterName'), a.clusterName));
    seen.add(a.clusterName);
    for (const [k, v] of Object.entries(a.hard ?? {})) {
      const hp = p.child('hard').key(k);
      if (!(k in overall)) {
        errs.push(invalid(hp, v, `resource ${JSON.stringify(k)} is not in spec.overall; add it there first`));
        continue;
      }
      if (!isValidQuantity(v)) {
        errs.push(invalid(hp, v, 'must be a quantity such as 10, 500m or 2Gi'));
        continue;
      }
      sums.set(k, (sums.get(k) ?? 0n) + parseQuantity(v));
    }
  });
  for (const [k, sum] of sums) {
    const limit = overall[k];
    if (limit !== undefined && isValidQuantity(limit) && sum > parseQuantity(limit)) {
      errs.push(invalid(SPEC.child('staticAssignments'), k, `the sum of static assignments for resource ${JSON.stringify(k)} exceeds spec.overall[${k}] (${limit})`));
    }
  }
  return errs;
}

function validateMatchConditions(conds: MatchCondition[] | undefined, fld: FieldPath): FieldCause[] {
  const errs: FieldCause[] = [];
  (conds ?? []).forEach((c, i) => {
    const p = fld.index(i);
    if (!c.conditionType) errs.push(required(p.child('conditionType'), 'the Cluster status condition type to match, e.g. Ready'));
    if (!c.statusValues?.length) errs.push(required(p.child('statusValues'), 'at least one condition status to match, e.g. ["False", "Unknown"]'));
  });
  return errs;
}

/**
 * ClusterTaintPolicy (pkg/webhook/clustertaintpolicy): at least one of addOnConditions/removeOnConditions
 * (a policy with neither never acts), a non-empty taint list without duplicate key:effect pairs.
 */
export function validateClusterTaintPolicySpec(spec: ClusterTaintPolicySpec): FieldCause[] {
  const errs: FieldCause[] = [];
  if (spec.targetClusters) errs.push(...validateClusterAffinity(spec.targetClusters, SPEC.child('targetClusters')));
  if (!spec.addOnConditions?.length && !spec.removeOnConditions?.length) {
    errs.push(required(SPEC.child('addOnConditions'), 'set addOnConditions, removeOnConditions or both, e.g. addOnConditions: [{conditionType: Ready, operator: In, statusValues: ["False", "Unknown"]}]'));
  }
  errs.push(...validateMatchConditions(spec.addOnConditions, SPEC.child('addOnConditions')));
  errs.push(...validateMatchConditions(spec.removeOnConditions, SPEC.child('removeOnConditions')));
  const taints = spec.taints ?? [];
  if (!taints.length) errs.push(required(SPEC.child('taints'), 'at least one taint, e.g. {key: cluster.karmada.io/not-ready, effect: NoExecute}'));
  const seen = new Set<string>();
  taints.forEach((t, i) => {
    const p = SPEC.child('taints').index(i);
    if (!t.key) errs.push(required(p.child('key'), 'the taint key, e.g. cluster.karmada.io/not-ready'));
    else for (const msg of isQualifiedName(t.key)) errs.push(invalid(p.child('key'), t.key, msg));
    const sig = `${t.key}:${t.effect}`;
    if (seen.has(sig)) errs.push(duplicate(p, sig));
    seen.add(sig);
  });
  return errs;
}

/** validatePolicyTaintsWithOtherPolicies: a key:effect may be managed by only one ClusterTaintPolicy. */
export function validateClusterTaintPolicyConflicts(policy: ClusterTaintPolicy, others: readonly ClusterTaintPolicy[]): FieldCause[] {
  const errs: FieldCause[] = [];
  const name = policy.metadata?.name;
  (policy.spec.taints ?? []).forEach((t, i) => {
    const owner = others.find((o) => o.metadata?.name !== name && (o.spec?.taints ?? []).some((x) => x.key === t.key && x.effect === t.effect));
    if (owner) {
      errs.push(invalid(SPEC.child('taints').index(i), `${t.key}:${t.effect}`, `taint ${t.key}:${t.effect} is already managed by ClusterTaintPolicy ${JSON.stringify(owner.metadata?.name)}; change that policy or use another key`));
    }
  });
  return errs;
}
