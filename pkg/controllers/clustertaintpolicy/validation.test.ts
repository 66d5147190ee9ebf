// Table tests of the ClusterTaintPolicy admission rules (pkg/apis/policy/v1alpha1/validation.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateClusterTaintPolicyConflicts, validateClusterTaintPolicySpec, type ClusterTaintPolicy, type ClusterTaintPolicySpec } from '../../apis/policy/v1alpha1/index.js';

const cond = [{ conditionType: 'Ready', operator: 'In' as const, statusValues: ['False'] }];
const taint = { key: 'cluster.karmada.io/not-ready', effect: 'NoExecute' as const };

const cases: { name: string; spec: ClusterTaintPolicySpec; fields: string[] }[] = [
  { name: 'valid with addOnConditions only', spec: { addOnConditions: cond, taints: [taint] }, fields: [] },
  { name: 'valid with removeOnConditions only', spec: { removeOnConditions: cond, taints: [taint] }, fields: [] },
  { name: 'neither add nor remove conditions', spec: { taints: [taint] }, fields: ['spec.addOnConditions'] },
  { name: 'no taints', spec: { addOnConditions: cond, taints: [] }, fields: ['spec.taints'] },
  { name: 'duplicate key:effect', spec: { addOnConditions: cond, taints: [taint, { ...taint, value: 'x' }] }, fields: ['spec.taints[1]'] },
  { name: 'same key, other effect is fine', spec: { addOnConditions: cond, taints: [taint, { ...taint, effect: 'NoSchedule' }] }, fields: [] },
  { name: 'empty condition type and status values', spec: { removeOnConditions: [{ conditionType: '', operator: 'In', statusValues: [] }], taints: [taint] }, fields: ['spec.removeOnConditions[0].conditionType', 'spec.removeOnConditions[0].statusValues'] },
  { name: 'bad taint key', spec: { addOnConditions: cond, taints: [{ key: 'not a key', effect: 'NoSchedule' }] }, fields: ['spec.taints[0].key'] },
  { name: 'bad targetClusters field selector', spec: { addOnConditions: cond, taints: [taint], targetClusters: { fieldSelector: { matchExpressions: [{ key: 'color', operator: 'In', values: ['x'] }] } } }, fields: ['spec.targetClusters.fieldSelector.matchExpressions[0].key'] },
];

for (const c of cases) {
  test(`validateClusterTaintPolicySpec: ${c.name}`, () => {
    const got = [...new Set(validateClusterTaintPolicySpec(c.spec).map((e) => e.field))];
    assert.deepEqual(got, c.fields);
  });
}

test('validateClusterTaintPolicyConflicts: a key:effect owned by another policy is rejected, by itself (update) it is not', () => {
  const p = (name: string, taints: ClusterTaintPolicySpec['taints']): ClusterTaintPolicy => ({ apiVersion: 'policy.karmada.io/v1alpha1', kind: 'ClusterTaintPolicy', metadata: { name }, spec: { addOnConditions: cond, taints } });
  const existing = [p('a', [taint]), p('b', [{ key: 'other', effect: 'NoSchedule' }])];
  assert.deepEqual(validateClusterTaintPolicyConflicts(p('a', [taint]), existing), []);
  const errs = validateClusterTaintPolicyConflicts(p('c', [{ key: 'x', effect: 'NoSchedule' }, taint]), existing);
  assert.equal(errs.length, 1);
  assert.equal(errs[0]!.field, 'spec.taints[1]');
  assert.match(errs[0]!.message ?? '', /already managed by ClusterTaintPolicy "a"/);
});
