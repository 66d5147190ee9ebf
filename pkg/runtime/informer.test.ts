import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { ObjectClient } from './client.js';
import { SharedInformerFactory } from './factory.js';
import { CONFIGMAPS, NAMESPACES } from './gvr.js';
import { indexByLabel } from './indexer.js';
import { Informer } from './informer.js';
import { RestClient } from './rest.js';
import { startTestApiServer, type TestApiServer } from './testenv.js';
import type { KubeObject } from './types.js';

async function until(what: string, fn: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface Recorded {
  adds: string[];
  updates: string[];
  deletes: string[];
}

function record(inf: Informer): Recorded {
  const r: Recorded = { adds: [], updates: [], deletes: [] };
  inf.addEventHandler({
    onAdd: (o) => r.adds.push(o.metadata!.name!),
    onUpdate: (_, o) => r.updates.push(o.metadata!.name!),
    onDelete: (o) => r.deletes.push(o.metadata!.name!),
  });
  return r;
}

const cm = (name: string, v: string, labels?: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'inf', labels }, data: { v } });
const dataOf = (inf: Informer, name: string) => (inf.indexer.getByName(name, 'inf') as { data?: { v?: string } } | undefined)?.data?.v;

describe('Informer against karmada-apiserver', () => {
  let env: TestApiServer;
  let client: ObjectClient;

  before(async () => {
    env = await startTestApiServer();
    client = env.client();
    await client.resource(NAMESPACES).create({ metadata: { name: 'inf' } });
  });
  after(async () => {
    await env?.cleanup();
  });

  test('sees adds, updates and deletes and keeps custom indexes', async () => {
    const cms = client.resource(CONFIGMAPS);
    await cms.create(cm('pre', '0', { tier: 'a' }));
    const inf = new Informer({ client, gvr: CONFIGMAPS, namespace: 'inf', indexers: { tier: indexByLabel('tier') } });
    const rec = record(inf);
    inf.start();
    assert.equal(await inf.waitForSync(10_000), true);
    assert.deepEqual(rec.adds, ['pre']);
    await cms.create(cm('a', '1', { tier: 'a' }));
    await cms.create(cm('b', '1', { tier: 'b' }));
    await cms.patch('a', { data: { v: '2' }, metadata: { labels: { tier: 'b' } } }, { namespace: 'inf' });
    await cms.delete('pre', { namespace: 'inf' });
    await until('events', () => rec.deletes.includes('pre') && dataOf(inf, 'a') === '2');
    assert.deepEqual(rec.adds.sort(), ['a', 'b', 'pre']);
    assert.ok(rec.updates.includes('a'));
    assert.deepEqual(inf.indexer.listKeys().sort(), ['inf/a', 'inf/b']);
    assert.deepEqual(inf.indexer.indexKeys('tier', 'b').sort(), ['inf/a', 'inf/b']);
    assert.deepEqual(inf.indexer.byIndex('tier', 'a'), []);
    // a late handler gets the cache replayed as adds
    const late = record(inf);
    assert.deepEqual(late.adds.sort(), ['a', 'b']);
    await inf.stop();
    await cms.delete('a', { namespace: 'inf' });
    await cms.delete('b', { namespace: 'inf' });
  });

  test('resumes from its resourceVersion after the server restarts (changes made meanwhile are not lost)', async () => {
    const cms = client.resource(CONFIGMAPS);
    await cms.create(cm('r1', '1'));
    await cms.create(cm('r2', '1'));
    const inf = new Informer({ client, gvr: CONFIGMAPS, namespace: 'inf', backoff: { initialMs: 50, maxMs: 200 } });
    const rec = record(inf);
    inf.start();
    await inf.waitForSync(10_000);
    await env.stop();
    await until('the watch to notice', () => inf.stats.errors > 0 || inf.stats.watches > 1);
    await env.withSideServer(async (side) => {
      const c = side.resource(CONFIGMAPS);
      await c.patch('r1', { data: { v: '2' } }, { namespace: 'inf' });
      await c.delete('r2', { namespace: 'inf' });
      await c.create(cm('r3', '1'));
    });
    await env.start();
    await until('convergence after restart', () => dataOf(inf, 'r1') === '2' && !inf.indexer.has('inf/r2') && inf.indexer.has('inf/r3'));
    assert.ok(rec.deletes.includes('r2'));
    assert.ok(rec.adds.includes('r3'));
    assert.equal(inf.stats.lists, 1, 'resumed the watch instead of relisting');
    // and keeps watching
    await cms.patch('r3', { data: { v: '9' } }, { namespace: 'inf' });
    await until('post-restart event', () => dataOf(inf, 'r3') === '9');
    await inf.stop();
    for (const n of ['r1', 'r3']) await cms.delete(n, { namespace: 'inf' });
  });

  test('relists when its resourceVersion was compacted away (410), emitting the differences', async () => {
    const cms = client.resource(CONFIGMAPS);
    await cms.create(cm('c1', '1'));
    await cms.create(cm('c2', '1'));
    const inf = new Informer({ client, gvr: CONFIGMAPS, namespace: 'inf', backoff: { initialMs: 50, maxMs: 200 } });
    const rec = record(inf);
    inf.start();
    await inf.waitForSync(10_000);
    await env.stop();
    await env.withSideServer(async (side) => {
      const c = side.resource(CONFIGMAPS);
      await c.patch('c1', { data: { v: '2' } }, { namespace: 'inf' });
      await c.delete('c2', { namespace: 'inf' });
      await c.create(cm('c3', '1'));
    });
    await env.storage.compact(await env.storage.currentRevision());
    await env.start();
    await until('convergence after compaction', () => dataOf(inf, 'c1') === '2' && !inf.indexer.has('inf/c2') && inf.indexer.has('inf/c3'));
    assert.ok(inf.stats.expiredRelists >= 1, `expected a relist after 410, stats ${JSON.stringify(inf.stats)}`);
    assert.ok(rec.deletes.includes('c2'));
    assert.ok(rec.updates.includes('c1'));
    assert.ok(rec.adds.includes('c3'));
    await inf.stop();
  });

  /** Lists the namespace once, as a pull agent's store would have saved it. */
  async function savedState(): Promise<{ items: KubeObject[]; resourceVersion: string }> {
    const first = new Informer({ client, gvr: CONFIGMAPS, namespace: 'inf' });
    first.start();
    assert.equal(await first.waitForSync(10_000), true);
    await first.stop();
    return { items: first.indexer.list(), resourceVersion: first.resourceVersion };
  }

  test('initialState: synced before any request (server down), then a watch from the saved resourceVersion brings what changed meanwhile', async () => {
    const cms = client.resource(CONFIGMAPS);
    await cms.create(cm('s1', '1'));
    await cms.create(cm('s2', '1'));
    const saved = await savedState();
    await env.stop();
    await env.withSideServer(async (side) => {
      const c = side.resource(CONFIGMAPS);
      await c.patch('s1', { data: { v: '2' } }, { namespace: 'inf' });
      await c.delete('s2', { namespace: 'inf' });
      await c.create(cm('s3', '1'));
    });
    const inf = new Informer({ client, gvr: CONFIGMAPS, namespace: 'inf', backoff: { initialMs: 50, maxMs: 200 }, initialState: saved });
    assert.equal(inf.hasSynced(), true);
    assert.equal(inf.resourceVersion, saved.resourceVersion);
    assert.equal(dataOf(inf, 's1'), '1');
    const rec = record(inf);
    const mine = (names: string[]) => names.filter((n) => n.startsWith('s')).sort();
    assert.deepEqual(mine(rec.adds), ['s1', 's2'], 'a handler gets the restored cache replayed as adds');
    inf.start();
    try {
      assert.equal(await inf.waitForSync(0), true);
      await until('a failed attempt while the server is down', () => inf.stats.errors > 0);
      assert.deepEqual(mine(inf.indexer.list().map((o) => o.metadata!.name!)), ['s1', 's2'], 'the cache is kept while the server is down');
      await env.start();
      await until('convergence', () => dataOf(inf, 's1') === '2' && !inf.indexer.has('inf/s2') && inf.indexer.has('inf/s3'));
      assert.equal(inf.stats.lists, 0, 'resumed with a watch, no list');
      assert.ok(rec.updates.includes('s1'));
      assert.deepEqual(mine(rec.deletes), ['s2']);
      assert.ok(rec.adds.includes('s3'));
    } finally {
      await env.start();
      await inf.stop();
    }
    for (const n of ['s1', 's3']) await cms.delete(n, { namespace: 'inf' });
  });

  test('initialState with an expired resourceVersion relists, emitting add/update/delete differences', async () => {
    const cms = client.resource(CONFIGMAPS);
    await cms.create(cm('e1', '1'));
    await cms.create(cm('e2', '1'));
    const saved = await savedState();
    await cms.patch('e1', { data: { v: '2' } }, { namespace: 'inf' });
    await cms.delete('e2', { namespace: 'inf' });
    await cms.create(cm('e3', '1'));
    // a restart empties the server's watch cache, so the compacted history is really gone
    await env.stop();
    await env.storage.compact(await env.storage.currentRevision());
    await env.start();
    const inf = new Informer({ client, gvr: CONFIGMAPS, namespace: 'inf', backoff: { initialMs: 50, maxMs: 200 }, initialState: saved });
    const rec = record(inf);
    inf.start();
    try {
      await until('convergence', () => dataOf(inf, 'e1') === '2' && !inf.indexer.has('inf/e2') && inf.indexer.has('inf/e3'));
      assert.equal(inf.stats.expiredRelists, 1);
      assert.equal(inf.stats.lists, 1);
      assert.deepEqual(rec.deletes.filter((n) => n.startsWith('e')), ['e2']);
      assert.ok(rec.updates.includes('e1'));
      assert.ok(rec.adds.includes('e3'));
    } finally {
      await inf.stop();
    }
    for (const n of ['e1', 'e3']) await cms.delete(n, { namespace: 'inf' });
  });

  test("initialState with resourceVersion '' lists at once; objects gone from the server are deleted", async () => {
    const cms = client.resource(CONFIGMAPS);
    await cms.create(cm('live', '1'));
    const ghost: KubeObject = { ...cm('ghost', '1'), metadata: { name: 'ghost', namespace: 'inf', resourceVersion: '1', uid: 'u-ghost' } };
    const inf = new Informer({ client, gvr: CONFIGMAPS, namespace: 'inf', initialState: { items: [ghost], resourceVersion: '' } });
    const rec = record(inf);
    assert.equal(inf.hasSynced(), true);
    inf.start();
    try {
      await until('the list', () => inf.stats.lists === 1 && inf.indexer.has('inf/live'));
      assert.deepEqual(rec.deletes, ['ghost']);
      assert.equal(inf.stats.expiredRelists, 0);
    } finally {
      await inf.stop();
    }
    await cms.delete('live', { namespace: 'inf' });
  });

  test('SharedInformerFactory passes initialState to the informer it creates, and only to that one', async () => {
    const factory = new SharedInformerFactory(client);
    const a = { ...cm('fa', '1'), metadata: { name: 'fa', namespace: 'inf', resourceVersion: '5' } };
    const b = { ...cm('fb', '1'), metadata: { name: 'fb', namespace: 'inf', resourceVersion: '6' } };
    const inf = factory.informerFor(CONFIGMAPS, { namespace: 'inf', initialState: { items: [a], resourceVersion: '5' } });
    assert.equal(inf.hasSynced(), true);
    assert.equal(inf.resourceVersion, '5');
    const again = factory.informerFor(CONFIGMAPS, { namespace: 'inf', initialState: { items: [b], resourceVersion: '6' } });
    assert.equal(again, inf);
    assert.deepEqual(inf.indexer.listKeys(), ['inf/fa']);
    assert.equal(await factory.waitForSync(0), true);
  });
});

describe('Informer against a misbehaving server', () => {
  // A plain-HTTP fake API server whose watch behaviour each test scripts.
  let server: http.Server;
  let watchRequests: URLSearchParams[] = [];
  let onWatch: (res: http.ServerResponse, n: number) => void = () => undefined;
  let listRV = '10';
  let lists = 0;
  let client: RestClient;

  before(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      if (url.searchParams.get('watch') === 'true') {
        watchRequests.push(url.searchParams);
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.flushHeaders();
        onWatch(res, watchRequests.length);
        return;
      }
      lists++;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'ConfigMapList', metadata: { resourceVersion: listRV }, items: [{ metadata: { name: 'x', namespace: 'd', resourceVersion: listRV } }] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
      currentContext: 'ctx',
    });
    client = new RestClient(kc);
  });
  after(async () => {
    client.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const reset = () => {
    watchRequests = [];
    lists = 0;
    listRV = '10';
  };

  test('a silent watch is restarted by the watchdog, resuming from the last bookmark', async () => {
    reset();
    onWatch = (res, n) => {
      if (n === 1) res.write(JSON.stringify({ type: 'BOOKMARK', object: { kind: 'ConfigMap', metadata: { resourceVersion: '15' } } }) + '\n');
      // then silence
    };
    const inf = new Informer({ client, gvr: CONFIGMAPS, watchdogMs: 300 });
    inf.start();
    await until('a second watch', () => watchRequests.length >= 2, 5000);
    await inf.stop();
    assert.equal(watchRequests[0]!.get('resourceVersion'), '10');
    assert.equal(watchRequests[0]!.get('allowWatchBookmarks'), 'true');
    assert.equal(watchRequests[1]!.get('resourceVersion'), '15');
    assert.ok(inf.stats.watchdogRestarts >= 1);
    assert.equal(lists, 1);
  });

  test('a watch whose request is never answered (half-open peer) is restarted by the watchdog', async () => {
    // accepts connections and never writes a byte, like a link that died without FIN or a stuck proxy
    const sockets: net.Socket[] = [];
    const blackhole = net.createServer((sock) => sockets.push(sock));
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `http://127.0.0.1:${(blackhole.address() as AddressInfo).port}`, skipTLSVerify: true }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
      currentContext: 'ctx',
    });
    const rest = new RestClient(kc);
    try {
      const inf = new Informer({ client: rest, gvr: CONFIGMAPS, watchdogMs: 300, initialState: { items: [], resourceVersion: '7' } });
      inf.start();
      await until('a second watch request', () => sockets.length >= 2, 10_000);
      await inf.stop();
      assert.ok(inf.stats.watchdogRestarts >= 1, JSON.stringify(inf.stats));
      assert.equal(inf.stats.lists, 0);
    } finally {
      rest.close();
      for (const s of sockets) s.destroy();
      await new Promise((r) => blackhole.close(r));
    }
  });

  test('an ERROR 410 event makes it relist; a deleted object is reported', async () => {
    reset();
    onWatch = (res, n) => {
      if (n === 1) {
        listRV = '20';
        res.end(JSON.stringify({ type: 'ERROR', object: { kind: 'Status', status: 'Failure', code: 410, reason: 'Expired', message: 'too old resource version' } }) + '\n');
      }
    };
    const inf = new Informer({ client, gvr: CONFIGMAPS, watchdogMs: 5000 });
    const rec = record(inf);
    inf.start();
    await until('a relist', () => lists >= 2 && watchRequests.length >= 2, 5000);
    await inf.stop();
    assert.equal(inf.stats.expiredRelists, 1);
    assert.equal(watchRequests[1]!.get('resourceVersion'), '20');
    assert.deepEqual(rec.adds, ['x']);
    assert.deepEqual(rec.updates, ['x']); // resourceVersion changed in the new list
  });

  test('a watch the server closes at once is retried with backoff, not in a hot loop', async () => {
    reset();
    onWatch = (res) => res.end();
    const inf = new Informer({ client, gvr: CONFIGMAPS, backoff: { initialMs: 100, maxMs: 400, jitter: 0 } });
    inf.start();
    await new Promise((r) => setTimeout(r, 1000));
    await inf.stop();
    assert.ok(watchRequests.length >= 2 && watchRequests.length <= 8, `watches: ${watchRequests.length}`);
  });
});
