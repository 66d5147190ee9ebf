// The storage conformance suite against a real etcd (started here, stopped at the end), plus what is
// particular to the etcd backend: two storages on one etcd (two API servers), progress notifications
// across prefixes, etcd going away and coming back, compaction learned from etcd.
//
// etcd must be installed (/usr/bin/etcd, Debian's etcd-server): without it these tests fail, by design.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCA, issueClientCert, issueServingCert } from '../../pki/index.js';
import { pino } from 'pino';
import { Etcd3 } from 'etcd3';
import { isStorageError, type StorageWatchEvent } from '../interface.js';
import { record, runStorageConformance, settle, uniquePrefix } from '../conformance.js';
import type { ProgressWatchHandlers } from '../progress.js';
import { EtcdStorage } from './etcd.js';
import { requireEtcdBinary, startEtcd, type EtcdProcess } from './testing.js';

const logger = pino({ level: 'silent' });

// First, and on its own: without etcd every test below fails; this one says why.
test('etcd is installed (Debian: apt-get install etcd-server)', () => {
  requireEtcdBinary();
});

// One etcd for the whole file: node:test runs `before` hooks of the top level before any test.
let etcd: EtcdProcess | undefined;
let starting: Promise<EtcdProcess> | undefined;
async function sharedEtcd(): Promise<EtcdProcess> {
  starting ??= startEtcd().then((e) => (etcd = e));
  return starting;
}
before(async () => {
  await sharedEtcd();
});
after(async () => {
  await etcd?.stop();
});

const open = async (extra: Partial<Parameters<typeof EtcdStorage.open>[0]> = {}) =>
  EtcdStorage.open({ endpoints: [(await sharedEtcd()).endpoint], logger, ...extra });

runStorageConformance('etcd', async () => {
  const storage = await open();
  return { storage, cleanup: () => storage.close() };
});

describe('etcd storage', () => {
  test('two storages on one etcd see each other\'s writes, in get, list and watch', async () => {
    const a = await open();
    const b = await open();
    try {
      const p = uniquePrefix('two');
      const rec = record(b, p, await b.currentRevision());
      const x = await a.create(p + 'x', '1');
      assert.deepEqual(await b.get(p + 'x'), x);
      const y = await b.update(p + 'x', '2', x.modRevision);
      await assert.rejects(a.update(p + 'x', '3', x.modRevision), (err) => isStorageError(err, 'Conflict') && err.revision === y.modRevision);
      assert.deepEqual((await a.list(p)).kvs, [y]);
      assert.equal(await a.currentRevision() >= y.modRevision, true);
      const events = await rec.waitForEvents(2);
      assert.deepEqual(events.map((e) => e.kv), [x, y]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('onProgress reports revisions written under other prefixes, and by another client', async () => {
    const s = await open();
    const other = await open();
    try {
      const mine = uniquePrefix('mine');
      const elsewhere = uniquePrefix('elsewhere');
      const progress: number[] = [];
      const events: StorageWatchEvent[] = [];
      const handlers: ProgressWatchHandlers = {
        onEvents: (e) => events.push(...e),
        onError: () => undefined,
        onProgress: (rev) => progress.push(rev),
      };
      s.watch(mine, { afterRevision: await s.currentRevision() }, handlers);
      await other.create(elsewhere + 'a', '1');
      const b = await other.create(elsewhere + 'b', '2');
      const deadline = Date.now() + 10_000;
      while ((progress[progress.length - 1] ?? 0) < b.modRevision && Date.now() < deadline) await settle(10);
      assert.deepEqual(events, []);
      assert.ok((progress[progress.length - 1] ?? 0) >= b.modRevision, `progress ${progress.join(',')} reaches ${b.modRevision}`);
      // progress never runs ahead of an event of the watch
      const c = await other.create(mine + 'c', '3');
      const rec: number[] = [];
      s.watch(mine, { afterRevision: b.modRevision }, { onEvents: (e) => rec.push(...e.map((x) => x.kv.modRevision)), onError: () => undefined, onProgress: (r) => rec.push(-r) } as ProgressWatchHandlers);
      while (!rec.includes(c.modRevision) && Date.now() < deadline) await settle(10);
      const first = rec.findIndex((r) => r < 0 && -r >= c.modRevision);
      const ev = rec.indexOf(c.modRevision);
      assert.ok(ev >= 0 && (first < 0 || ev < first), `event ${c.modRevision} before progress past it: ${rec.join(',')}`);
    } finally {
      await s.close();
      await other.close();
    }
  });

  test('a replaying watch merges into the shared watch without gap or duplicate', async () => {
    const s = await open();
    try {
      const p = uniquePrefix('merge');
      const live = record(s, p, await s.currentRevision()); // starts the shared watch
      const early = await s.create(p + 'early', 'e');
      for (let i = 0; i < 200; i++) await s.create(`${p}k${i}`, String(i));
      await live.waitForEvents(201);
      // from before the shared watch's position: replayed by a separate etcd watch, then merged
      const replay = record(s, p, early.modRevision - 1);
      const writes = Promise.all(Array.from({ length: 100 }, (_, i) => s.create(`${p}late${i}`, String(i))));
      await writes;
      const events = await replay.waitForEvents(301);
      await settle(100);
      assert.equal(replay.events.length, 301);
      for (let i = 1; i < events.length; i++) assert.ok(events[i]!.kv.modRevision > events[i - 1]!.kv.modRevision);
      const internals = s as unknown as { replays: Set<unknown>; hub: { watchers: Set<unknown> } };
      assert.equal(internals.replays.size, 0, 'the replay feed was merged and closed');
      assert.equal(internals.hub.watchers.size, 2);
    } finally {
      await s.close();
    }
  });

  test('a watch started from inside a handler, from before the batch being delivered, gets that batch', async () => {
    const s = await open();
    try {
      const p = uniquePrefix('reentrant');
      const cur = await s.currentRevision();
      const inner: StorageWatchEvent[] = [];
      let started = false;
      s.watch(p, { afterRevision: cur }, {
        onEvents(events) {
          if (started) return;
          started = true;
          s.watch(p, { afterRevision: events[0]!.kv.modRevision - 1 }, { onEvents: (e) => inner.push(...e), onError: () => undefined });
        },
        onError: () => undefined,
      });
      const a = await s.create(p + 'a', '1');
      const deadline = Date.now() + 10_000;
      while (inner.length === 0 && Date.now() < deadline) await settle(10);
      assert.deepEqual(inner.map((e) => e.kv), [a]);
    } finally {
      await s.close();
    }
  });

  test('compactRevision learns a compaction done by another client', async () => {
    const s = await open();
    const other = await open();
    try {
      const p = uniquePrefix('learn');
      for (let i = 0; i < 20; i++) await other.create(`${p}${i}`, 'v');
      const target = (await other.currentRevision()) - 5;
      await other.compact(target);
      assert.equal(await s.compactRevision(), target);
      assert.equal(await s.compactRevision(), target);
      await assert.rejects(s.get(p + '0', target - 1), (err) => isStorageError(err, 'Compacted'));
      // compacting to an older revision is a no-op, to a future one an error
      await s.compact(target - 3);
      await assert.rejects(s.compact((await s.currentRevision()) + 100), (err) => isStorageError(err, 'Internal'));
    } finally {
      await s.close();
      await other.close();
    }
  });

  test('a list or get at a future revision fails with Unavailable (too large resource version)', async () => {
    const s = await open();
    try {
      const cur = await s.currentRevision();
      await assert.rejects(s.list('/x/', { revision: cur + 1000 }), (err) => isStorageError(err, 'Unavailable') && /too large/.test(err.message));
    } finally {
      await s.close();
    }
  });

  test('etcd down: calls fail quickly with Unavailable; after it is back, writes work and watches resume without loss', async () => {
    // a private etcd: this one is killed and restarted
    const own = await startEtcd();
    const s = EtcdStorage.open({ endpoints: [own.endpoint], logger, requestTimeoutMs: 2000 });
    try {
      const p = uniquePrefix('outage');
      const rec = record(s, p, await s.currentRevision());
      const a = await s.create(p + 'a', '1');
      await rec.waitForEvents(1);
      await own.kill();
      const t0 = Date.now();
      await assert.rejects(s.get(p + 'a'), (err) => isStorageError(err, 'Unavailable'));
      await assert.rejects(s.create(p + 'b', '2'), (err) => isStorageError(err, 'Unavailable'));
      await assert.rejects(s.currentRevision(), (err) => isStorageError(err, 'Unavailable'));
      assert.ok(Date.now() - t0 < 15_000, `failed within ${Date.now() - t0} ms`);
      await own.restart();
      // writes through another client while this one's watch is still reconnecting
      const writer = new Etcd3({ hosts: own.endpoint });
      try {
        await writer.put(p + 'c').value('3');
      } finally {
        writer.close();
      }
      let b;
      for (let i = 0; ; i++) {
        try {
          b = await s.create(p + 'b', '2');
          break;
        } catch (err) {
          if (!isStorageError(err, 'Unavailable') || i > 100) throw err;
          await settle(100);
        }
      }
      const events = await rec.waitForEvents(3);
      assert.deepEqual(events.map((e) => e.kv.key), [p + 'a', p + 'c', p + 'b']);
      assert.deepEqual(events[0]!.kv, a);
      assert.deepEqual(events[2]!.kv, b);
      assert.deepEqual(rec.errors, []);
    } finally {
      await s.close();
      await own.stop();
    }
  });

  test('an unreachable endpoint next to a working one: reads and writes still succeed', async () => {
    const e = await sharedEtcd();
    const s = EtcdStorage.open({ endpoints: ['http://127.0.0.1:1', e.endpoint], logger });
    try {
      const p = uniquePrefix('multi');
      for (let i = 0; i < 20; i++) {
        const kv = await s.create(`${p}${i}`, 'v');
        assert.deepEqual(await s.get(`${p}${i}`), kv);
      }
      assert.equal(await s.count(p), 20);
    } finally {
      await s.close();
    }
  });

  test('TLS: https endpoints with a CA and a client certificate', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'karmada-etcd-tls-'));
    const ca = await createCA({ commonName: 'etcd-ca' });
    const server = await issueServingCert(ca, { hosts: ['127.0.0.1', 'localhost'], commonName: 'etcd' });
    const client = await issueClientCert(ca, { commonName: 'karmada-apiserver' });
    const file = (name: string, pem: string) => {
      const f = path.join(dir, name);
      writeFileSync(f, pem, { mode: 0o600 });
      return f;
    };
    const tls = {
      caFile: file('ca.crt', ca.certPem),
      certFile: file('server.crt', server.certPem),
      keyFile: file('server.key', server.keyPem),
      clientCertFile: file('client.crt', client.certPem),
      clientKeyFile: file('client.key', client.keyPem),
    };
    const own = await startEtcd({ tls });
    try {
      assert.match(own.endpoint, /^https:/);
      const s = EtcdStorage.open({ endpoints: [own.endpoint], logger, tls: { ca: ca.certPem, cert: client.certPem, key: client.keyPem } });
      try {
        const p = uniquePrefix('tls');
        const rec = record(s, p, await s.currentRevision());
        const kv = await s.create(p + 'a', 'secret');
        assert.deepEqual(await s.get(p + 'a'), kv);
        assert.deepEqual((await rec.waitForEvents(1)).map((e) => e.kv), [kv]);
      } finally {
        await s.close();
      }
      // without a client certificate etcd refuses the connection
      const anon = EtcdStorage.open({ endpoints: [own.endpoint], logger, tls: { ca: ca.certPem }, requestTimeoutMs: 2000 });
      try {
        await assert.rejects(anon.get('/x'), (err) => isStorageError(err, 'Unavailable'));
      } finally {
        await anon.close();
      }
    } finally {
      await own.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
