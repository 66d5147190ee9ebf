import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectClient } from './client.js';
import { Controller } from './controller.js';
import { SharedInformerFactory } from './factory.js';
import { CONFIGMAPS, NAMESPACES } from './gvr.js';
import { isConflict, isNotFound } from './rest.js';
import { startTestApiServer, type TestApiServer } from './testenv.js';
import { splitObjectKey, type KubeObject } from './types.js';

async function until(what: string, fn: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('Controller and ObjectClient', () => {
  let env: TestApiServer;
  let client: ObjectClient;
  before(async () => {
    env = await startTestApiServer();
    client = env.client();
    await client.resource(NAMESPACES).create({ metadata: { name: 'ctl' } });
  });
  after(async () => {
    await env?.cleanup();
  });

  test('reconciles keys from the cache, retries failures with backoff, honours requeueAfter', async () => {
    const factory = new SharedInformerFactory(client);
    const inf = factory.informerFor(CONFIGMAPS, { namespace: 'ctl' });
    assert.equal(factory.informerFor(CONFIGMAPS, { namespace: 'ctl' }), inf, 'shared');
    const calls = new Map<string, number>();
    let failOnce = true;
    const ctl = new Controller({
      name: 'test',
      workers: 2,
      queue: { baseDelayMs: 20 },
      reconcile: async (key) => {
        calls.set(key, (calls.get(key) ?? 0) + 1);
        const obj = inf.indexer.get(key);
        if (!obj) return;
        const { name } = splitObjectKey(key);
        if (name === 'flaky' && failOnce) {
          failOnce = false;
          throw new Error('transient');
        }
        if (name === 'periodic') return { requeueAfterMs: 100 };
        // write the "desired state": data.seen = "yes"
        const data = (obj as { data?: Record<string, string> }).data ?? {};
        if (data.seen !== 'yes') await client.resource(CONFIGMAPS).patch(name, { data: { seen: 'yes' } }, { namespace: 'ctl' });
      },
    }).watch(inf);
    const stop = new AbortController();
    const running = ctl.run(stop.signal);
    const cms = client.resource(CONFIGMAPS);
    await cms.create({ metadata: { name: 'plain', namespace: 'ctl' } });
    await cms.create({ metadata: { name: 'flaky', namespace: 'ctl' } });
    await cms.create({ metadata: { name: 'periodic', namespace: 'ctl' } });
    await until('plain and flaky reconciled', async () => {
      const a = (await cms.get('plain', { namespace: 'ctl' })) as { data?: Record<string, string> };
      const b = (await cms.get('flaky', { namespace: 'ctl' })) as { data?: Record<string, string> };
      return a.data?.seen === 'yes' && b.data?.seen === 'yes';
    });
    await until('periodic requeues', () => (calls.get('ctl/periodic') ?? 0) >= 4);
    await cms.delete('plain', { namespace: 'ctl' });
    const before = calls.get('ctl/plain')!;
    await until('delete reconciled', () => calls.get('ctl/plain')! > before);
    stop.abort();
    await running;
    await factory.stop();
  });

  test('client: create, get, merge/json/apply patches, update with conflicts, delete', async () => {
    const cms = client.resource<KubeObject & { data?: Record<string, string> }>(CONFIGMAPS);
    const created = await cms.create({ metadata: { name: 'p', namespace: 'ctl' }, data: { a: '1' } });
    assert.equal(created.data?.a, '1');
    await cms.patch('p', { data: { b: '2' } }, { namespace: 'ctl' });
    await cms.patch('p', [{ op: 'replace', path: '/data/a', value: '3' }], { namespace: 'ctl', type: 'json' });
    const applied = await cms.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'p', namespace: 'ctl' }, data: { c: '4' } }, { fieldManager: 'test', force: true });
    assert.deepEqual(applied.data, { a: '3', b: '2', c: '4' });
    const stale = { ...created, data: { x: 'y' } };
    await assert.rejects(cms.update(stale), (err) => isConflict(err));
    const fresh = await cms.get('p', { namespace: 'ctl' });
    const updated = await cms.update({ ...fresh, data: { only: '1' } });
    assert.deepEqual(updated.data, { only: '1' });
    assert.equal((await cms.list({ namespace: 'ctl', fieldSelector: 'metadata.name=p' })).items.length, 1);
    assert.equal(await cms.deleteIfExists('p', { namespace: 'ctl' }), true);
    assert.equal(await cms.deleteIfExists('p', { namespace: 'ctl' }), false);
    await assert.rejects(cms.get('p', { namespace: 'ctl' }), (err) => isNotFound(err));
    assert.equal(await cms.getOrUndefined('p', { namespace: 'ctl' }), undefined);
    assert.equal(await client.serves(CONFIGMAPS), true);
    assert.equal(await client.serves({ group: 'nope.example.com', version: 'v1', resource: 'things' }), false);
  });
});
