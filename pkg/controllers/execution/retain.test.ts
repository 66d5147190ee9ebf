import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../runtime/types.js';
import { retainClusterFields, withoutKarmadaMetadata } from './retain.js';

const obj = (metadata: KubeObject['metadata'], spec: unknown = { a: 1 }): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default', ...metadata }, spec });

describe('retainClusterFields', () => {
  const cases: { name: string; desired: KubeObject; observed: KubeObject; labels?: Record<string, string>; annotations?: Record<string, string>; check?: (r: KubeObject) => void }[] = [
    {
      name: 'takes resourceVersion, finalizers and ownerReferences from the member',
      desired: obj({ finalizers: ['mine'] }),
      observed: obj({ resourceVersion: '42', finalizers: ['member.io/f'], ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'o', uid: 'u' }] }),
      check: (r) => {
        assert.equal(r.metadata?.resourceVersion, '42');
        assert.deepEqual(r.metadata?.finalizers, ['member.io/f']);
        assert.equal(r.metadata?.ownerReferences?.[0]?.uid, 'u');
      },
    },
    {
      name: 'keeps labels added in the member; desired values win',
      desired: obj({ labels: { app: 'a', tier: 'web' } }),
      observed: obj({ labels: { app: 'b', 'member.io/x': '1' } }),
      labels: { app: 'a', tier: 'web', 'member.io/x': '1' },
    },
    {
      name: 'drops labels Karmada managed before that the template no longer has',
      desired: obj({ labels: { app: 'a' }, annotations: { 'resourcetemplate.karmada.io/managed-labels': 'app' } }),
      observed: obj({ labels: { app: 'a', old: 'x', 'member.io/x': '1' }, annotations: { 'resourcetemplate.karmada.io/managed-labels': 'app,old' } }),
      labels: { app: 'a', 'member.io/x': '1' },
    },
    {
      name: 'drops annotations Karmada managed before that the template no longer has',
      desired: obj({ annotations: { 'resourcetemplate.karmada.io/managed-annotations': 'resourcetemplate.karmada.io/managed-annotations' } }),
      observed: obj({ annotations: { gone: '1', 'deployment.kubernetes.io/revision': '3', 'resourcetemplate.karmada.io/managed-annotations': 'gone,resourcetemplate.karmada.io/managed-annotations' } }),
      annotations: { 'resourcetemplate.karmada.io/managed-annotations': 'resourcetemplate.karmada.io/managed-annotations', 'deployment.kubernetes.io/revision': '3' },
    },
    {
      name: 'leaves the spec to the interpreter',
      desired: obj({}, { a: 1 }),
      observed: obj({}, { a: 2, b: 3 }),
      check: (r) => assert.deepEqual(r.spec, { a: 1 }),
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const before = structuredClone(c.desired);
      const r = retainClusterFields(c.desired, c.observed);
      assert.deepEqual(c.desired, before, 'desired is not modified');
      if (c.labels) assert.deepEqual(r.metadata?.labels, c.labels);
      if (c.annotations) assert.deepEqual(r.metadata?.annotations, c.annotations);
      c.check?.(r);
    });
  }
});

describe('withoutKarmadaMetadata', () => {
  test('removes Karmada labels and annotations, keeps the rest', () => {
    const o = obj({
      labels: { 'karmada.io/managed': 'true', 'resourcebinding.karmada.io/permanent-id': 'id', app: 'a' },
      annotations: { 'work.karmada.io/name': 'w', 'work.karmada.io/namespace': 'karmada-es-m1', 'resourcetemplate.karmada.io/uid': 'u', note: 'n' },
    });
    const r = withoutKarmadaMetadata(o)!;
    assert.deepEqual(r.metadata?.labels, { app: 'a' });
    assert.deepEqual(r.metadata?.annotations, { note: 'n' });
    assert.equal(o.metadata?.labels?.['karmada.io/managed'], 'true', 'input untouched');
  });
  test('undefined when there is nothing of Karmada', () => {
    assert.equal(withoutKarmadaMetadata(obj({ labels: { app: 'a' } })), undefined);
  });
});
