import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Work } from '../../apis/work/v1alpha1/index.js';
import type { DesiredWork } from './render.js';
import { finalizeManifest, workChange } from './work.js';

const desired = (over: Partial<DesiredWork> = {}): DesiredWork => ({
  cluster: 'member1',
  namespace: 'karmada-es-member1',
  name: 'nginx-687f7fb96f',
  labels: { 'resourcebinding.karmada.io/permanent-id': 'rb-id' },
  annotations: { 'resourcebinding.karmada.io/namespace': 'default', 'resourcebinding.karmada.io/name': 'nginx-deployment', 'work.karmada.io/conflict-resolution': 'abort' },
  manifest: {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx', namespace: 'default', uid: 'tmpl-uid', resourceVersion: '9', generation: 2, labels: { app: 'nginx', 'resourcebinding.karmada.io/permanent-id': 'rb-id' }, annotations: { 'resourcetemplate.karmada.io/generation': '2' } },
    spec: { replicas: 2 },
    status: { replicas: 2 },
  },
  suspendDispatching: false,
  preserveResourcesOnDeletion: false,
  ...over,
});

test('the manifest carries what the Work webhook adds, and nothing the server filled in', () => {
  const m = finalizeManifest(desired(), 'work-id');
  assert.deepEqual(m.metadata, {
    name: 'nginx',
    namespace: 'default',
    labels: { app: 'nginx', 'resourcebinding.karmada.io/permanent-id': 'rb-id', 'karmada.io/managed': 'true', 'work.karmada.io/permanent-id': 'work-id' },
    annotations: {
      'resourcetemplate.karmada.io/generation': '2',
      'resourcetemplate.karmada.io/uid': 'tmpl-uid',
      'work.karmada.io/name': 'nginx-687f7fb96f',
      'work.karmada.io/namespace': 'karmada-es-member1',
      'work.karmada.io/conflict-resolution': 'abort',
      'resourcetemplate.karmada.io/managed-annotations':
        'resourcetemplate.karmada.io/generation,resourcetemplate.karmada.io/managed-annotations,resourcetemplate.karmada.io/managed-labels,resourcetemplate.karmada.io/uid,work.karmada.io/conflict-resolution,work.karmada.io/name,work.karmada.io/namespace',
      'resourcetemplate.karmada.io/managed-labels': 'app,karmada.io/managed,resourcebinding.karmada.io/permanent-id,work.karmada.io/permanent-id',
    },
  });
  assert.equal(m.status, undefined);
  assert.deepEqual(m.spec, { replicas: 2 });
});

test('a missing Work is created with the execution finalizer and a new permanent id', () => {
  const c = workChange(desired({ suspendDispatching: true, preserveResourcesOnDeletion: true }), undefined, () => 'new-id')!;
  assert.equal(c.op, 'create');
  assert.deepEqual(c.work.metadata, {
    name: 'nginx-687f7fb96f',
    namespace: 'karmada-es-member1',
    labels: { 'resourcebinding.karmada.io/permanent-id': 'rb-id', 'work.karmada.io/permanent-id': 'new-id' },
    annotations: desired().annotations,
    finalizers: ['karmada.io/execution-controller'],
  });
  assert.equal(c.work.spec.suspendDispatching, true);
  assert.equal(c.work.spec.preserveResourcesOnDeletion, true);
  assert.equal((c.work.spec.workload?.manifests?.[0] as { metadata: { labels: Record<string, string> } }).metadata.labels['work.karmada.io/permanent-id'], 'new-id');
});

test('an up-to-date Work is not written; a changed one keeps foreign labels and its id', () => {
  const created = workChange(desired(), undefined, () => 'id-1')!.work;
  const stored: Work = { ...created, metadata: { ...created.metadata, resourceVersion: '5', uid: 'w', labels: { ...created.metadata!.labels, extra: 'kept' } } };
  assert.equal(workChange(desired(), stored, () => 'id-2'), undefined);

  const d = desired();
  (d.manifest.spec as { replicas: number }).replicas = 5;
  const c = workChange(d, stored, () => 'id-2')!;
  assert.equal(c.op, 'update');
  assert.equal(c.work.metadata?.resourceVersion, '5');
  assert.equal(c.work.metadata?.labels?.extra, 'kept');
  assert.equal(c.work.metadata?.labels?.['work.karmada.io/permanent-id'], 'id-1');
  assert.deepEqual((c.work.spec.workload?.manifests?.[0] as { spec: unknown }).spec, { replicas: 5 });
});

test('a Work being deleted is left alone', () => {
  const w = workChange(desired(), undefined, () => 'x')!.work;
  assert.equal(workChange(desired(), { ...w, metadata: { ...w.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } }), undefined);
});
