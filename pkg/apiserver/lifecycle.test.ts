// HTTP-level namespace lifecycle and garbage collection: the in-process controllers observed through
// the API the way kubectl and controllers see them (polling with generous deadlines, no timing asserts).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startTestServer, type Response, type TestServer } from './testharness.js';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(async () => {
  await s?.stop();
});

const MERGE = { 'content-type': 'application/merge-patch+json' };

function cm(name: string, meta: Record<string, unknown> = {}) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...meta }, data: { k: 'v' } };
}

function deployment(name: string) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } },
    },
  };
}

function assertStatus(r: Response, code: number, reason: string): void {
  assert.equal(r.status, code, `expected ${code} ${reason}, got ${r.status}: ${r.text}`);
  assert.equal(r.json?.kind, 'Status');
  assert.equal(r.json.code, code);
  assert.equal(r.json.reason, reason);
}

async function createNamespace(name: string): Promise<void> {
  const r = await s.call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  assert.equal(r.status, 201, r.text);
}

const gone = (path: string) => async () => (await s.call('GET', path)).status === 404;

describe('namespace lifecycle', () => {
  test('creating in a missing namespace is 404 NotFound', async () => {
    const r = await s.call('POST', '/api/v1/namespaces/no-such-ns/configmaps', cm('x'));
    assertStatus(r, 404, 'NotFound');
    assert.equal(r.json.message, 'namespaces "no-such-ns" not found');
    assertStatus(await s.call('GET', '/api/v1/namespaces/no-such-ns/configmaps/x'), 404, 'NotFound');
  });

  test('a new namespace is Active with the kubernetes finalizer and its name label', async () => {
    await createNamespace('fresh');
    const ns = (await s.call('GET', '/api/v1/namespaces/fresh')).json;
    assert.equal(ns.status.phase, 'Active');
    assert.deepEqual(ns.spec.finalizers, ['kubernetes']);
    assert.equal(ns.metadata.labels['kubernetes.io/metadata.name'], 'fresh');
  });

  test('system namespaces cannot be deleted', async () => {
    for (const name of ['default', 'kube-system', 'kube-public']) {
      assertStatus(await s.call('DELETE', `/api/v1/namespaces/${name}`), 403, 'Forbidden');
    }
    assert.equal((await s.call('GET', '/api/v1/namespaces/default')).json.status.phase, 'Active');
    for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      assert.equal((await s.call('GET', `/api/v1/namespaces/${name}`)).status, 200, name);
    }
  });

  test('deleting a namespace: Terminating, contents deleted, no new content (403), then gone', async () => {
    await createNamespace('doomed');
    const base = '/api/v1/namespaces/doomed';
    assert.equal((await s.call('POST', `${base}/configmaps`, cm('plain'))).status, 201);
    assert.equal((await s.call('POST', `${base}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } })).status, 201);
    assert.equal((await s.call('POST', `/apis/apps/v1/namespaces/doomed/deployments`, deployment('d'))).status, 201);
    // A finalizer of some other controller keeps the namespace Terminating until it is released.
    assert.equal((await s.call('POST', `${base}/configmaps`, cm('held', { finalizers: ['example.com/hold'] }))).status, 201);

    const del = await s.call('DELETE', base);
    assert.ok(del.status === 200 || del.status === 202, `${del.status}: ${del.text}`);
    assert.equal(del.json.kind, 'Namespace');
    assert.equal(del.json.status.phase, 'Terminating');
    assert.ok(del.json.metadata.deletionTimestamp);

    const ns = await s.call('GET', base);
    assert.equal(ns.status, 200);
    assert.equal(ns.json.status.phase, 'Terminating');

    const forbidden = await s.call('POST', `${base}/configmaps`, cm('late'));
    assertStatus(forbidden, 403, 'Forbidden');
    assert.match(forbidden.json.message, /because it is being terminated/);
    assert.equal(forbidden.json.details.causes?.[0]?.reason, 'NamespaceTerminating');

    await eventually('namespace contents deleted', async () =>
      (await gone(`${base}/configmaps/plain`)()) && (await gone(`${base}/secrets/s`)()) && (await gone('/apis/apps/v1/namespaces/doomed/deployments/d')()),
    );
    const held = await s.call('GET', `${base}/configmaps/held`);
    assert.equal(held.status, 200);
    assert.ok(held.json.metadata.deletionTimestamp, 'the held object is being deleted');
    assert.equal((await s.call('GET', base)).json.status.phase, 'Terminating', 'the namespace waits for the held object');

    const released = await s.call('PATCH', `${base}/configmaps/held`, { metadata: { finalizers: null } }, MERGE);
    assert.equal(released.status, 200, released.text);
    await eventually('namespace gone', gone(base));
    const list = await s.call('GET', '/api/v1/namespaces');
    assert.ok(!list.json.items.some((n: { metadata: { name: string } }) => n.metadata.name === 'doomed'));
    // A namespace of the same name can be created again, empty.
    await createNamespace('doomed');
    assert.deepEqual((await s.call('GET', `${base}/configmaps`)).json.items, []);
  });
});

describe('garbage collection', () => {
  const DEPLOY = '/apis/apps/v1/namespaces/gc/deployments';
  const CM = '/api/v1/namespaces/gc/configmaps';
  before(async () => {
    await createNamespace('gc');
  });

  /** An owner Deployment and a ConfigMap that depends on it. */
  async function ownerAndDependent(owner: string, dependent: string, refExtra: Record<string, unknown> = {}, depMeta: Record<string, unknown> = {}) {
    const o = await s.call('POST', DEPLOY, deployment(owner));
    assert.equal(o.status, 201, o.text);
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: owner, uid: o.json.metadata.uid, ...refExtra };
    const d = await s.call('POST', CM, cm(dependent, { ownerReferences: [ref], ...depMeta }));
    assert.equal(d.status, 201, d.text);
    return { owner: o.json, dependent: d.json, ref };
  }

  test('background deletion of the owner deletes the dependent', async () => {
    await ownerAndDependent('bg-owner', 'bg-dep');
    const del = await s.call('DELETE', `${DEPLOY}/bg-owner`);
    assert.equal(del.status, 200, del.text);
    assertStatus(await s.call('GET', `${DEPLOY}/bg-owner`), 404, 'NotFound');
    await eventually('dependent deleted', gone(`${CM}/bg-dep`));

    // The same with the policy spelled out in the query.
    await ownerAndDependent('bg-owner2', 'bg-dep2');
    assert.equal((await s.call('DELETE', `${DEPLOY}/bg-owner2?propagationPolicy=Background`)).status, 200);
    await eventually('dependent deleted', gone(`${CM}/bg-dep2`));
  });

  test('foreground deletion deletes the dependents first, holding the owner with foregroundDeletion', async () => {
    // The dependent carries a finalizer of its own so the intermediate state can be observed.
    await ownerAndDependent('fg-owner', 'fg-dep', { blockOwnerDeletion: true }, { finalizers: ['example.com/hold'] });
    const del = await s.call('DELETE', `${DEPLOY}/fg-owner`, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground' });
    assert.ok(del.status === 200 || del.status === 202, `${del.status}: ${del.text}`);
    assert.ok(del.json.metadata.deletionTimestamp);
    assert.ok(del.json.metadata.finalizers.includes('foregroundDeletion'), JSON.stringify(del.json.metadata));

    const dep = await eventually('the dependent to be deleted', async () => {
      const r = await s.call('GET', `${CM}/fg-dep`);
      return r.json?.metadata?.deletionTimestamp ? r.json : undefined;
    });
    assert.deepEqual(dep.metadata.finalizers, ['example.com/hold']);
    const owner = await s.call('GET', `${DEPLOY}/fg-owner`);
    assert.equal(owner.status, 200, 'the owner waits for its blocking dependent');
    assert.ok(owner.json.metadata.finalizers.includes('foregroundDeletion'));
    assert.ok(owner.json.metadata.deletionTimestamp);

    assert.equal((await s.call('PATCH', `${CM}/fg-dep`, { metadata: { finalizers: null } }, MERGE)).status, 200);
    await eventually('dependent gone', gone(`${CM}/fg-dep`));
    await eventually('owner gone after its dependents', gone(`${DEPLOY}/fg-owner`));
  });

  test('foreground deletion via the query parameter', async () => {
    await ownerAndDependent('fgq-owner', 'fgq-dep', { blockOwnerDeletion: true });
    const del = await s.call('DELETE', `${DEPLOY}/fgq-owner?propagationPolicy=Foreground`);
    assert.ok(del.status === 200 || del.status === 202, `${del.status}: ${del.text}`);
    assert.ok(del.json.metadata.finalizers.includes('foregroundDeletion'));
    await eventually('dependent gone', gone(`${CM}/fgq-dep`));
    await eventually('owner gone', gone(`${DEPLOY}/fgq-owner`));
  });

  test('orphan deletion leaves the dependent without the owner reference', async () => {
    const keep = { apiVersion: 'v1', kind: 'ConfigMap', name: 'unrelated-owner', uid: '' };
    const unrelated = await s.call('POST', CM, cm('unrelated-owner'));
    keep.uid = unrelated.json.metadata.uid;
    const o = await s.call('POST', DEPLOY, deployment('or-owner'));
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'or-owner', uid: o.json.metadata.uid };
    assert.equal((await s.call('POST', CM, cm('or-dep', { ownerReferences: [ref] }))).status, 201);
    assert.equal((await s.call('POST', CM, cm('or-dep2', { ownerReferences: [ref, keep] }))).status, 201);

    const del = await s.call('DELETE', `${DEPLOY}/or-owner`, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Orphan' });
    assert.ok(del.status === 200 || del.status === 202, `${del.status}: ${del.text}`);
    await eventually('owner gone', gone(`${DEPLOY}/or-owner`));
    const dep = await s.call('GET', `${CM}/or-dep`);
    assert.equal(dep.status, 200, 'the dependent is orphaned, not deleted');
    assert.equal(dep.json.metadata.ownerReferences, undefined);
    const dep2 = await s.call('GET', `${CM}/or-dep2`);
    assert.equal(dep2.status, 200);
    assert.deepEqual(dep2.json.metadata.ownerReferences.map((r: { uid: string }) => r.uid), [keep.uid]);
  });

  test('a dependent with one of two owners gone keeps the live owner; a dangling reference is collected', async () => {
    const a = await s.call('POST', DEPLOY, deployment('two-a'));
    const b = await s.call('POST', DEPLOY, deployment('two-b'));
    const refs = [a, b].map((o) => ({ apiVersion: 'apps/v1', kind: 'Deployment', name: o.json.metadata.name, uid: o.json.metadata.uid }));
    assert.equal((await s.call('POST', CM, cm('two-dep', { ownerReferences: refs }))).status, 201);
    assert.equal((await s.call('DELETE', `${DEPLOY}/two-a`)).status, 200);
    const dep = await eventually('the reference to the deleted owner dropped', async () => {
      const r = await s.call('GET', `${CM}/two-dep`);
      assert.equal(r.status, 200, 'the dependent still has a live owner');
      return r.json.metadata.ownerReferences?.length === 1 ? r.json : undefined;
    });
    assert.equal(dep.metadata.ownerReferences[0].uid, b.json.metadata.uid);

    // An owner reference whose uid names no object (the owner was replaced): the dependent is collected.
    const ghost = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'two-b', uid: '00000000-0000-0000-0000-000000000000' };
    assert.equal((await s.call('POST', CM, cm('dangling', { ownerReferences: [ghost] }))).status, 201);
    await eventually('dangling dependent collected', gone(`${CM}/dangling`));
  });
});
