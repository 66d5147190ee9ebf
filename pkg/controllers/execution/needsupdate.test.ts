import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../runtime/types.js';
import { contained, managedFieldsMatch, manifestDigest, memberObjectChanged, needsUpdate, objectVersion, updateForbidden } from './needsupdate.js';

const deploy = (metadata: KubeObject['metadata'] = {}, spec: unknown = { replicas: 2 }, status?: unknown): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'nginx', namespace: 'default', ...metadata },
  spec,
  ...(status ? { status } : {}),
});

describe('updateForbidden', () => {
  const cases: { name: string; desired: KubeObject; observed: KubeObject; allowed: boolean }[] = [
    { name: 'managed by Karmada', desired: deploy(), observed: deploy({ labels: { 'karmada.io/managed': 'true' } }), allowed: true },
    {
      name: 'same Work annotations',
      desired: deploy({ annotations: { 'work.karmada.io/name': 'w', 'work.karmada.io/namespace': 'karmada-es-m1' } }),
      observed: deploy({ annotations: { 'work.karmada.io/name': 'w', 'work.karmada.io/namespace': 'karmada-es-m1' } }),
      allowed: true,
    },
    { name: 'overwrite requested', desired: deploy({ annotations: { 'work.karmada.io/conflict-resolution': 'overwrite' } }), observed: deploy(), allowed: true },
    { name: 'abort requested', desired: deploy({ annotations: { 'work.karmada.io/conflict-resolution': 'abort' } }), observed: deploy(), allowed: false },
    { name: 'unmanaged, no resolution', desired: deploy(), observed: deploy({ labels: { 'karmada.io/managed': 'false' } }), allowed: false },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = updateForbidden(c.desired, c.observed, 'member1');
      if (c.allowed) assert.equal(r, undefined);
      else assert.equal(r, 'resource(kind=Deployment, default/nginx) already exists in the cluster member1 and the conflict resolution is Abort; set conflictResolution: Overwrite in the policy to take it over');
    });
  }
});

describe('contained', () => {
  const cases: [unknown, unknown, boolean][] = [
    [{ a: 1 }, { a: 1, b: 2 }, true],
    [{ a: 1 }, { a: 2 }, false],
    [{ a: { b: [1, { c: 2 }] } }, { a: { b: [1, { c: 2, d: 3 }], e: 1 } }, true],
    [[1, 2], [1, 2, 3], false],
    [{ a: null }, {}, true],
    [{ a: 'x' }, {}, false],
    [{ a: {} }, { a: 'str' }, false],
  ];
  for (const [d, o, want] of cases) test(`${JSON.stringify(d)} in ${JSON.stringify(o)} → ${want}`, () => assert.equal(contained(d, o), want));
});

describe('managedFieldsMatch', () => {
  test('server defaults and status do not count', () => {
    const desired = deploy({ labels: { app: 'a' } }, { replicas: 2, template: { spec: { containers: [{ name: 'c', image: 'i' }] } } });
    const observed = deploy({ labels: { app: 'a' }, resourceVersion: '9', uid: 'u' }, { replicas: 2, revisionHistoryLimit: 10, template: { spec: { containers: [{ name: 'c', image: 'i', imagePullPolicy: 'IfNotPresent' }] } } }, { readyReplicas: 2 });
    assert.equal(managedFieldsMatch(desired, observed), true);
  });
  test('a different value, label or annotation counts', () => {
    assert.equal(managedFieldsMatch(deploy({}, { replicas: 3 }), deploy({}, { replicas: 2 })), false);
    assert.equal(managedFieldsMatch(deploy({ labels: { a: '1' } }), deploy({ labels: { a: '2' } })), false);
    assert.equal(managedFieldsMatch(deploy({}), deploy({ annotations: { x: '1' } })), false);
  });
});

describe('needsUpdate', () => {
  const desired = deploy();
  const digest = manifestDigest(desired);
  const observed = deploy({ generation: 3, resourceVersion: '10' });
  const cases: { name: string; record?: Parameters<typeof needsUpdate>[0]; digest?: string; retained?: KubeObject; want: boolean }[] = [
    { name: 'our last write, untouched since', record: { version: 'gen:3', resourceVersion: '10', digest }, want: false },
    { name: 'someone changed the spec (generation moved)', record: { version: 'gen:2', resourceVersion: '8', digest }, want: true },
    { name: 'the manifest changed', record: { version: 'gen:3', resourceVersion: '10', digest }, digest: 'other', want: true },
    { name: 'no record, managed fields equal', retained: deploy({ generation: 3 }), want: false },
    { name: 'no record, managed fields differ', retained: deploy({}, { replicas: 9 }), want: true },
  ];
  for (const c of cases) test(c.name, () => assert.equal(needsUpdate(c.record, c.digest ?? digest, c.retained ?? desired, observed), c.want));

  test('objectVersion uses generation when there is one, else resourceVersion', () => {
    assert.equal(objectVersion(deploy({ generation: 4, resourceVersion: '7' })), 'gen:4');
    assert.equal(objectVersion({ metadata: { resourceVersion: '7' } }), 'rv:7');
  });
  test('manifestDigest ignores key order', () => {
    assert.equal(manifestDigest({ a: 1, b: { c: 2, d: 3 } } as KubeObject), manifestDigest({ b: { d: 3, c: 2 }, a: 1 } as KubeObject));
    assert.notEqual(manifestDigest({ a: 1 } as KubeObject), manifestDigest({ a: 2 } as KubeObject));
  });
});

describe('memberObjectChanged', () => {
  const cases: { name: string; old: KubeObject; new: KubeObject; want: boolean }[] = [
    { name: 'status only (with generation)', old: deploy({ generation: 1, resourceVersion: '1' }, {}, { a: 1 }), new: deploy({ generation: 1, resourceVersion: '2' }, {}, { a: 2 }), want: false },
    { name: 'new generation', old: deploy({ generation: 1 }), new: deploy({ generation: 2 }), want: true },
    { name: 'labels changed', old: deploy({ generation: 1 }), new: deploy({ generation: 1, labels: { x: '1' } }), want: true },
    { name: 'no generation, data changed', old: { metadata: { name: 'c' }, data: { a: '1' } }, new: { metadata: { name: 'c' }, data: { a: '2' } }, want: true },
    { name: 'no generation, status changed', old: { metadata: { name: 's' }, status: { a: 1 } }, new: { metadata: { name: 's' }, status: { a: 2 } }, want: false },
  ];
  for (const c of cases) test(c.name, () => assert.equal(memberObjectChanged(c.old, c.new), c.want));
});
