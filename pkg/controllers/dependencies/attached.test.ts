import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResourceBinding } from '../../apis/work/v1alpha2/index.js';
import {
  buildAttachedBinding,
  dependedByLabelKey,
  dependencyIndexValues,
  dependsOn,
  detachBinding,
  isOrphanAttached,
  mergeBindingSnapshot,
  deleteBindingFromSnapshot,
  normalizeDependencies,
  updateAttachedBinding,
} from './attached.js';

const independent: ResourceBinding = {
  metadata: { name: 'nginx-deployment', namespace: 'default', labels: { 'resourcebinding.karmada.io/permanent-id': 'ind-id' } },
  spec: {
    resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'nginx' },
    propagateDeps: true,
    clusters: [{ name: 'member1', replicas: 2 }, { name: 'member2', replicas: 1 }],
    preserveResourcesOnDeletion: true,
  },
};
const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default', uid: 'cm-uid', resourceVersion: '12', labels: { app: 'nginx' } } };
const key = dependedByLabelKey('default', 'nginx-deployment');

test('the depended-by label key hashes the independent binding', () => {
  assert.match(key, /^resourcebinding\.karmada\.io\/depended-by-[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.notEqual(key, dependedByLabelKey('default', 'other-deployment'));
});

test('an attached binding: owned by the dependency, required by the independent binding, no placement', () => {
  const a = buildAttachedBinding(independent, configMap, () => 'new-id');
  assert.equal(a.metadata?.name, 'cfg-configmap');
  assert.equal(a.metadata?.namespace, 'default');
  assert.deepEqual(a.metadata?.ownerReferences, [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'cfg', uid: 'cm-uid', controller: true, blockOwnerDeletion: true }]);
  assert.deepEqual(a.metadata?.labels, { [key]: 'ind-id', 'resourcebinding.karmada.io/permanent-id': 'new-id' });
  assert.deepEqual(a.metadata?.finalizers, ['karmada.io/binding-controller']);
  assert.deepEqual(a.spec.resource, { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'cfg', uid: 'cm-uid', resourceVersion: '12' });
  assert.deepEqual(a.spec.requiredBy, [{ namespace: 'default', name: 'nginx-deployment', clusters: independent.spec.clusters }]);
  assert.equal(a.spec.placement, undefined);
  assert.equal(a.spec.preserveResourcesOnDeletion, true);
  assert.equal(a.spec.conflictResolution, 'Abort');
});

test('snapshots merge by binding and are removed by binding', () => {
  const s1 = { namespace: 'default', name: 'a', clusters: [{ name: 'm1' }] };
  const s2 = { namespace: 'default', name: 'b', clusters: [{ name: 'm2' }] };
  assert.deepEqual(mergeBindingSnapshot([s1], [{ ...s1, clusters: [{ name: 'm3' }] }, s2]), [{ ...s1, clusters: [{ name: 'm3' }] }, s2]);
  assert.deepEqual(mergeBindingSnapshot(undefined, [s2]), [s2]);
  assert.deepEqual(deleteBindingFromSnapshot('default', 'a', [s1, s2, s1]), [s2]);
});

test('updating an attached binding: merged snapshots, no write when equal, another owner is an error', () => {
  const a = buildAttachedBinding(independent, configMap, () => 'id-1');
  assert.equal(updateAttachedBinding(a, buildAttachedBinding(independent, configMap, () => 'id-2')), undefined);

  const other = { ...independent, metadata: { ...independent.metadata, name: 'web-deployment' }, spec: { ...independent.spec, clusters: [{ name: 'member3' }] } };
  const u = updateAttachedBinding(a, buildAttachedBinding(other, configMap, () => 'id-3'))!;
  assert.deepEqual(u.spec.requiredBy?.map((s) => s.name), ['nginx-deployment', 'web-deployment']);
  assert.equal(u.metadata?.labels?.['resourcebinding.karmada.io/permanent-id'], 'id-1');
  assert.ok(u.metadata?.labels?.[dependedByLabelKey('default', 'web-deployment')] !== undefined);

  const recreated = { ...configMap, metadata: { ...configMap.metadata, uid: 'new-uid' } };
  assert.throws(() => updateAttachedBinding(a, buildAttachedBinding(independent, recreated, () => 'x')), /owned by another ConfigMap/);

  // a binding a policy claimed keeps its conflict resolution
  const claimed = { ...a, spec: { ...a.spec, placement: {}, conflictResolution: 'Overwrite' as const } };
  const claimedUpdate = updateAttachedBinding(claimed, buildAttachedBinding(other, configMap, () => 'x'));
  assert.equal(claimedUpdate?.spec.conflictResolution, 'Overwrite');
  assert.equal(updateAttachedBinding(a, buildAttachedBinding({ ...independent, spec: { ...independent.spec, conflictResolution: 'Overwrite' } }, configMap, () => 'x'))?.spec.conflictResolution, 'Overwrite');
});

test('detaching: update while others require it, delete when nothing does, keep when a policy claims it', () => {
  const a = buildAttachedBinding(independent, configMap, () => 'id');
  assert.deepEqual(detachBinding(a, 'default', 'nginx-deployment'), { op: 'delete' });
  assert.equal(detachBinding(a, 'default', 'unrelated'), undefined);

  const other = { ...independent, metadata: { ...independent.metadata, name: 'web-deployment' } };
  const shared = updateAttachedBinding(a, buildAttachedBinding(other, configMap, () => 'x'))!;
  const r = detachBinding(shared, 'default', 'nginx-deployment');
  assert.equal(r?.op, 'update');
  if (r?.op === 'update') {
    assert.deepEqual(r.binding.spec.requiredBy?.map((s) => s.name), ['web-deployment']);
    assert.equal(r.binding.metadata?.labels?.[key], undefined);
    assert.equal(r.binding.spec.preserveResourcesOnDeletion, undefined);
  }
  const claimed = { ...a, metadata: { ...a.metadata, labels: { ...a.metadata?.labels, 'propagationpolicy.karmada.io/permanent-id': 'pp' } } };
  assert.equal(detachBinding(claimed, 'default', 'nginx-deployment')?.op, 'update');
});

test('dependencies: stable order, Go field names, matching by name or selector, index values', () => {
  const deps = normalizeDependencies([
    { apiVersion: 'v1', kind: 'Secret', namespace: 'default', name: 's' },
    { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', labelSelector: { matchLabels: { app: 'nginx' } } },
    { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'cfg' },
  ]);
  assert.equal(
    JSON.stringify(deps),
    '[{"apiVersion":"v1","kind":"ConfigMap","namespace":"default","labelSelector":{"matchLabels":{"app":"nginx"}}},{"apiVersion":"v1","kind":"ConfigMap","namespace":"default","name":"cfg"},{"apiVersion":"v1","kind":"Secret","namespace":"default","name":"s"}]',
  );
  const b = { metadata: { annotations: { 'resourcebinding.karmada.io/dependencies': JSON.stringify(deps) } } };
  assert.equal(dependsOn(b, { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'cfg' }), true);
  assert.equal(dependsOn(b, { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'other', labels: { app: 'nginx' } }), true);
  assert.equal(dependsOn(b, { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'other', labels: { app: 'x' } }), false);
  assert.equal(dependsOn(b, { apiVersion: 'v1', kind: 'Secret', namespace: 'other', name: 's' }), false);
  assert.deepEqual(dependencyIndexValues(b), ['v1|ConfigMap|default|*', 'v1|ConfigMap|default|cfg', 'v1|Secret|default|s']);
  assert.deepEqual(dependencyIndexValues({ metadata: { annotations: { 'resourcebinding.karmada.io/dependencies': 'not json' } } }), []);
});

test('an attached binding is an orphan when no dependency names it or selects its object', () => {
  const a = buildAttachedBinding(independent, configMap, () => 'id');
  const byName = [{ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'cfg' }];
  const bySelector = [{ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', labelSelector: { matchLabels: { app: 'nginx' } } }];
  assert.equal(isOrphanAttached(a, byName, () => undefined), false);
  assert.equal(isOrphanAttached(a, [{ ...byName[0]!, name: 'other' }], () => undefined), true);
  assert.equal(isOrphanAttached(a, bySelector, () => ({ app: 'nginx' })), false);
  assert.equal(isOrphanAttached(a, bySelector, () => ({ app: 'changed' })), true);
  assert.equal(isOrphanAttached(a, [], () => undefined), true);
});
