// HTTP-level watch semantics: event order, resume from a resourceVersion, initial events with the
// initial-events-end bookmark, selectors on watches, and 410 Gone for lists and watches from a
// compacted revision.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, tempDataDir, type TestServer, type WatchEvent } from './testharness.js';

function cm(name: string, labels?: Record<string, string>, data: Record<string, string> = { k: 'v' }) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(labels ? { labels } : {}) }, data };
}

const MERGE = { 'content-type': 'application/merge-patch+json' };
const summary = (events: WatchEvent[]) => events.map((e) => `${e.type} ${e.object?.metadata?.name ?? ''}`);

describe('watch', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(async () => {
    await s?.stop();
  });

  const ns = async (name: string) => {
    const r = await s.call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    assert.equal(r.status, 201, r.text);
    return `/api/v1/namespaces/${name}/configmaps`;
  };

  test('ADDED, MODIFIED, DELETED in order; resuming from a resourceVersion replays only later events', async () => {
    const base = await ns('watch-order');
    await s.call('POST', base, cm('before'));
    const list = await s.call('GET', base);
    assert.equal(list.status, 200);
    const listRV = list.json.metadata.resourceVersion;

    const w = await s.watch(`${base}?watch=true&resourceVersion=${listRV}`);
    assert.equal(w.status, 200);
    assert.match(String(w.headers['content-type']), /^application\/json/);

    const created = await s.call('POST', base, cm('w1'));
    assert.equal(created.status, 201);
    const updated = await s.call('PATCH', `${base}/w1`, { data: { k: 'v2' } }, MERGE);
    assert.equal(updated.status, 200);
    const deleted = await s.call('DELETE', `${base}/w1`);
    assert.equal(deleted.status, 200);

    const events = await w.waitForCount(3);
    w.close();
    assert.deepEqual(summary(events), ['ADDED w1', 'MODIFIED w1', 'DELETED w1'], 'the object listed before the watch is not replayed');
    assert.equal(events[0]!.object.kind, 'ConfigMap');
    assert.equal(events[0]!.object.apiVersion, 'v1');
    assert.equal(events[0]!.object.metadata.resourceVersion, created.json.metadata.resourceVersion);
    assert.equal(events[1]!.object.metadata.resourceVersion, updated.json.metadata.resourceVersion);
    assert.equal(events[1]!.object.data.k, 'v2');
    const rvs = events.map((e) => Number(e.object.metadata.resourceVersion));
    assert.ok(rvs[0]! < rvs[1]! && rvs[1]! < rvs[2]!, `increasing resourceVersions: ${rvs.join(',')}`);

    // Resume after the ADDED event: only MODIFIED and DELETED follow.
    const resumed = await s.watch(`${base}?watch=1&resourceVersion=${created.json.metadata.resourceVersion}`);
    const replay = await resumed.waitForCount(2);
    assert.deepEqual(summary(replay), ['MODIFIED w1', 'DELETED w1']);
    // ... and then live events.
    await s.call('POST', base, cm('w2'));
    const live = await resumed.waitFor((e) => e.object?.metadata?.name === 'w2');
    assert.equal(live.type, 'ADDED');
    assert.equal(resumed.events.length, 3);
    resumed.close();

    // The /watch/ path prefix form.
    const legacy = await s.watch(`/api/v1/watch/namespaces/watch-order/configmaps?resourceVersion=${updated.json.metadata.resourceVersion}`);
    assert.deepEqual(summary(await legacy.waitForCount(2)), ['DELETED w1', 'ADDED w2']);
    legacy.close();
  });

  test('watch and list at resourceVersion=0 start from the current state', async () => {
    const base = await ns('watch-zero');
    await s.call('POST', base, cm('z1'));
    await s.call('POST', base, cm('z2'));
    const list = await s.call('GET', `${base}?resourceVersion=0`);
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(list.json.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['z1', 'z2']);

    const w = await s.watch(`${base}?watch=true&resourceVersion=0`);
    const initial = await w.waitForCount(2);
    assert.deepEqual(summary(initial).sort(), ['ADDED z1', 'ADDED z2']);
    await s.call('DELETE', `${base}/z1`);
    const del = await w.waitFor((e) => e.type === 'DELETED');
    assert.equal(del.object.metadata.name, 'z1');
    w.close();

    // Without a resourceVersion, a watch also sends the current state first.
    const w2 = await s.watch(`${base}?watch=true`);
    assert.deepEqual(summary(await w2.waitForCount(1)), ['ADDED z2']);
    w2.close();
  });

  test('sendInitialEvents with allowWatchBookmarks ends the initial events with a bookmark', async () => {
    const base = await ns('watch-initial');
    for (const n of ['i1', 'i2', 'i3']) assert.equal((await s.call('POST', base, cm(n))).status, 201);
    const w = await s.watch(`${base}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`);
    assert.equal(w.status, 200);
    const events = await w.waitForCount(4);
    assert.deepEqual(summary(events.slice(0, 3)).sort(), ['ADDED i1', 'ADDED i2', 'ADDED i3']);
    const bm = events[3]!;
    assert.equal(bm.type, 'BOOKMARK');
    assert.equal(bm.object.kind, 'ConfigMap');
    assert.equal(bm.object.apiVersion, 'v1');
    assert.equal(bm.object.metadata.annotations?.['k8s.io/initial-events-end'], 'true');
    const bmRV = Number(bm.object.metadata.resourceVersion);
    for (const e of events.slice(0, 3)) assert.ok(Number(e.object.metadata.resourceVersion) <= bmRV);

    await s.call('POST', base, cm('i4'));
    const next = await w.waitFor((e) => e.object?.metadata?.name === 'i4');
    assert.equal(next.type, 'ADDED');
    assert.ok(Number(next.object.metadata.resourceVersion) > bmRV);
    w.close();

    // With a resourceVersion as the lower bound, the state at (or after) it is sent the same way.
    const w2 = await s.watch(`${base}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&resourceVersion=${bmRV}`);
    const ev2 = await w2.waitForCount(5);
    assert.deepEqual(summary(ev2.slice(0, 4)).sort(), ['ADDED i1', 'ADDED i2', 'ADDED i3', 'ADDED i4']);
    assert.equal(ev2[4]!.type, 'BOOKMARK');
    assert.equal(ev2[4]!.object.metadata.annotations?.['k8s.io/initial-events-end'], 'true');
    w2.close();
  });

  test('a label-selector watch sees objects enter (ADDED) and leave (DELETED) the selection', async () => {
    const base = await ns('watch-labels');
    await s.call('POST', base, cm('l1', { app: 'web' }));
    await s.call('POST', base, cm('l2', { app: 'db' }));
    const list = await s.call('GET', `${base}?labelSelector=app%3Dweb`);
    assert.deepEqual(list.json.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['l1']);
    const w = await s.watch(`${base}?watch=true&labelSelector=app%3Dweb&resourceVersion=${list.json.metadata.resourceVersion}`);

    await s.call('PATCH', `${base}/l1`, { data: { k: 'changed' } }, MERGE); // MODIFIED, still matching
    const left = await s.call('PATCH', `${base}/l1`, { metadata: { labels: { app: 'other' } } }, MERGE); // leaves: DELETED
    await s.call('PATCH', `${base}/l2`, { data: { k: 'ignored' } }, MERGE); // never matches: nothing
    await s.call('PATCH', `${base}/l2`, { metadata: { labels: { app: 'web' } } }, MERGE); // enters: ADDED
    await s.call('POST', base, cm('l3', { app: 'db' })); // nothing
    await s.call('DELETE', `${base}/l2`); // DELETED
    await s.call('POST', base, cm('l4', { app: 'web' })); // ADDED (and a marker that earlier events are in)

    const events = await w.waitForCount(5);
    await w.waitFor((e) => e.object?.metadata?.name === 'l4');
    w.close();
    assert.deepEqual(summary(w.events), ['MODIFIED l1', 'DELETED l1', 'ADDED l2', 'DELETED l2', 'ADDED l4']);
    // As in Kubernetes, the DELETED event for an object leaving the selection carries its last matching
    // state at the resourceVersion of the change that made it leave.
    assert.equal(events[1]!.object.metadata.labels.app, 'web');
    assert.equal(events[1]!.object.data.k, 'changed');
    assert.equal(events[1]!.object.metadata.resourceVersion, left.json.metadata.resourceVersion);
  });

  test('a field-selector watch on metadata.name and a cluster-wide watch on metadata.namespace', async () => {
    const base = await ns('watch-fields');
    await ns('watch-fields-2');
    const rv = (await s.call('GET', base)).json.metadata.resourceVersion;
    const byName = await s.watch(`${base}?watch=true&resourceVersion=${rv}&fieldSelector=metadata.name%3Df2`);
    const byNs = await s.watch(`/api/v1/configmaps?watch=true&resourceVersion=${rv}&fieldSelector=metadata.namespace%3Dwatch-fields-2`);
    await s.call('POST', base, cm('f1'));
    await s.call('POST', base, cm('f2'));
    await s.call('POST', '/api/v1/namespaces/watch-fields-2/configmaps', cm('f3'));
    await s.call('DELETE', `${base}/f2`);
    await s.call('POST', base, cm('f2'));
    assert.deepEqual(summary(await byName.waitForCount(3)), ['ADDED f2', 'DELETED f2', 'ADDED f2']);
    assert.deepEqual(summary(await byNs.waitForCount(1)), ['ADDED f3']);
    await s.call('DELETE', '/api/v1/namespaces/watch-fields-2/configmaps/f3');
    await byNs.waitForCount(2);
    byName.close();
    byNs.close();
    assert.deepEqual(summary(byName.events), ['ADDED f2', 'DELETED f2', 'ADDED f2']);
    assert.deepEqual(summary(byNs.events), ['ADDED f3', 'DELETED f3']);
  });

  test('timeoutSeconds ends the stream', async () => {
    const base = await ns('watch-timeout');
    const w = await s.watch(`${base}?watch=true&timeoutSeconds=1`);
    await w.ended;
    assert.equal(w.events.length, 0);
  });
});

describe('410 Gone from a compacted revision', () => {
  let s: TestServer;
  let dataDir: string;
  let oldRV: string;
  let listRV: string;
  let continueToken: string;
  const base = '/api/v1/namespaces/default/configmaps';

  before(async () => {
    dataDir = tempDataDir();
    const first = await startTestServer({ dataDir });
    try {
      const c = await first.call('POST', base, cm('old-1'));
      assert.equal(c.status, 201, c.text);
      oldRV = c.json.metadata.resourceVersion;
      for (const n of ['old-2', 'old-3']) assert.equal((await first.call('POST', base, cm(n))).status, 201);
      const page = await first.call('GET', `${base}?limit=1`);
      assert.equal(page.status, 200);
      continueToken = page.json.metadata.continue;
      listRV = page.json.metadata.resourceVersion;
      assert.ok(continueToken);
    } finally {
      await first.stop({ keepData: true });
    }
    // A restarted server's watch cache starts at the current revision: older watches go to storage.
    s = await startTestServer({ dataDir });
    await s.call('PATCH', `${base}/old-1`, { data: { k: 'new' } }, MERGE);
    await s.call('DELETE', `${base}/old-2`);
    const storage = s.running.server.store.storage;
    await storage.compact(await storage.currentRevision());
  });
  after(async () => {
    await s?.stop();
  });

  test('the data survived the restart', async () => {
    const r = await s.call('GET', base);
    assert.deepEqual(r.json.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['old-1', 'old-3']);
    assert.ok(Number(r.json.metadata.resourceVersion) > Number(listRV));
  });

  test('list with resourceVersionMatch=Exact at a compacted revision is 410 Expired', async () => {
    const r = await s.call('GET', `${base}?resourceVersion=${oldRV}&resourceVersionMatch=Exact`);
    assert.equal(r.status, 410, r.text);
    assert.equal(r.json.kind, 'Status');
    assert.equal(r.json.reason, 'Expired');
    assert.equal(r.json.code, 410);
    assert.match(r.json.message, /too old resource version/);
  });

  test('a continue token from before compaction is 410 Expired', async () => {
    const r = await s.call('GET', `${base}?limit=1&continue=${encodeURIComponent(continueToken)}`);
    assert.equal(r.status, 410, r.text);
    assert.equal(r.json.reason, 'Expired');
    assert.match(r.json.message, /continue/);
  });

  test('a watch from a compacted revision gets 200 and an ERROR event with a 410 Expired Status', async () => {
    const w = await s.watch(`${base}?watch=true&resourceVersion=${oldRV}`);
    assert.equal(w.status, 200);
    await w.ended;
    assert.equal(w.events.length, 1, JSON.stringify(w.events));
    const e = w.events[0]!;
    assert.equal(e.type, 'ERROR');
    assert.equal(e.object.kind, 'Status');
    assert.equal(e.object.apiVersion, 'v1');
    assert.equal(e.object.status, 'Failure');
    assert.equal(e.object.code, 410);
    assert.equal(e.object.reason, 'Expired');
    assert.match(e.object.message, /too old resource version/);
  });

  test('a watch from the current revision still works after compaction', async () => {
    const rv = (await s.call('GET', base)).json.metadata.resourceVersion;
    const w = await s.watch(`${base}?watch=true&resourceVersion=${rv}`);
    await s.call('POST', base, cm('after-compaction'));
    const e = await w.waitFor((x) => x.object?.metadata?.name === 'after-compaction');
    assert.equal(e.type, 'ADDED');
    w.close();
  });
});
