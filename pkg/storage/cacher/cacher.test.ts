import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import {
  isStorageError,
  StorageError,
  type KeyValue,
  type ListOptions,
  type Storage,
  type StorageWatchEvent,
  type StorageWatcher,
  type WatchHandlers,
  type WatchOptions,
} from '../interface.js';
import { settle } from '../conformance.js';
import type { ProgressWatchHandlers } from '../progress.js';
import { SqliteStorage } from '../sqlite/sqlite.js';
import { Cacher, type CacherOptions } from './cacher.js';

const logger = pino({ level: 'silent' });
const WAIT_MS = 10_000;

/** Delegates to a real storage, counting reads and letting a test break the watches it handed out. */
class SpyStorage implements Storage {
  readonly name = 'spy';
  lists = 0;
  gets = 0;
  watches = 0;
  private readonly live = new Set<{ handlers: WatchHandlers; inner: StorageWatcher }>();
  constructor(readonly inner: Storage) {}
  get(key: string, revision?: number) {
    this.gets++;
    return this.inner.get(key, revision);
  }
  list(prefix: string, opts?: ListOptions) {
    this.lists++;
    return this.inner.list(prefix, opts);
  }
  count(prefix: string) {
    return this.inner.count(prefix);
  }
  create(key: string, value: string) {
    return this.inner.create(key, value);
  }
  update(key: string, value: string, rev: number) {
    return this.inner.update(key, value, rev);
  }
  delete(key: string, rev?: number) {
    return this.inner.delete(key, rev);
  }
  watch(prefix: string, opts: WatchOptions, handlers: WatchHandlers): StorageWatcher {
    this.watches++;
    const entry = { handlers, inner: this.inner.watch(prefix, opts, handlers) };
    this.live.add(entry);
    return {
      close: () => {
        this.live.delete(entry);
        entry.inner.close();
      },
    };
  }
  /** Ends every open watch with err, as a backend losing its connection would. */
  breakWatches(err: StorageError): void {
    for (const e of [...this.live]) {
      this.live.delete(e);
      e.inner.close();
      e.handlers.onError(err);
    }
  }
  currentRevision() {
    return this.inner.currentRevision();
  }
  compactRevision() {
    return this.inner.compactRevision();
  }
  compact(rev: number) {
    return this.inner.compact(rev);
  }
  close() {
    return this.inner.close();
  }
}

async function setup(opts: CacherOptions = {}, prefix = '/registry/things/') {
  const storage = new SpyStorage(SqliteStorage.open({ path: ':memory:', logger, compactInterval: 0 }));
  const cacher = new Cacher(storage, prefix, { logger, ...opts });
  return {
    storage,
    cacher,
    prefix,
    async teardown() {
      cacher.stop();
      await storage.close();
    },
  };
}

interface Rec {
  events: StorageWatchEvent[];
  errors: StorageError[];
  progress: number[];
  watcher: StorageWatcher;
  waitFor(n: number): Promise<StorageWatchEvent[]>;
  waitError(): Promise<StorageError>;
}

function watchCache(cacher: Cacher, prefix: string, after: number | undefined, opts?: { sendInitialState?: boolean }): Rec {
  const events: StorageWatchEvent[] = [];
  const errors: StorageError[] = [];
  const progress: number[] = [];
  let wake = () => undefined as void;
  const handlers: ProgressWatchHandlers = {
    onEvents: (e) => {
      events.push(...e);
      wake();
    },
    onError: (e) => {
      errors.push(e);
      wake();
    },
    onProgress: (r) => progress.push(r),
  };
  const watcher = cacher.watch(prefix, after, handlers, opts);
  const until = <T>(f: () => T | undefined, what: string) =>
    new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out waiting for ${what}: ${events.length} events, errors ${errors.map((e) => e.code)}`)), WAIT_MS);
      const check = () => {
        const v = f();
        if (v !== undefined) {
          clearTimeout(t);
          wake = () => undefined;
          resolve(v);
        }
      };
      wake = check;
      check();
    });
  return {
    events,
    errors,
    progress,
    watcher,
    waitFor: (n) => until(() => (events.length >= n ? events : undefined), `${n} events`),
    waitError: () => until(() => errors[0], 'an error'),
  };
}

const brief = (events: StorageWatchEvent[]) => events.map((e) => `${e.type} ${e.kv.key}@${e.kv.modRevision}`);
const briefKvs = (kvs: KeyValue[]) => kvs.map((kv) => `${kv.key}@${kv.modRevision}`);

function assertOrdered(events: StorageWatchEvent[]): void {
  for (let i = 1; i < events.length; i++) assert.ok(events[i]!.kv.modRevision > events[i - 1]!.kv.modRevision, `out of order at ${i}`);
}

describe('cacher', () => {
  test('list from the cache equals the storage list, also paged', async () => {
    const { storage, cacher, prefix, teardown } = await setup();
    try {
      const kvs: KeyValue[] = [];
      for (let i = 0; i < 150; i++) kvs.push(await storage.create(`${prefix}ns-${i % 3}/obj-${i}`, `v${i}`));
      await storage.create('/registry/thingsmore/x', 'outside');
      await cacher.start();
      // changes after the initial list arrive through the watch
      for (let i = 0; i < 150; i += 4) await storage.update(kvs[i]!.key, 'updated', kvs[i]!.modRevision);
      for (let i = 1; i < 150; i += 7) await storage.delete(kvs[i]!.key);
      for (let i = 150; i < 200; i++) await storage.create(`${prefix}ns-${i % 4}/obj-${i}`, `v${i}`);
      for (const odd of ['é', '😀', '\u{ffef}', 'Z']) await storage.create(`${prefix}ns-1/${odd}`, odd);
      const rev = await storage.currentRevision();
      await cacher.waitUntilFresh(rev);
      assert.equal(cacher.currentRevision, rev);
      const listsBefore = storage.lists;

      for (const p of [prefix, `${prefix}ns-1/`, `${prefix}ns-3/`, `${prefix}ns-9/`, `${prefix}ns-1/obj-1`]) {
        const fromStorage = await storage.inner.list(p);
        const fromCache = cacher.list(p);
        assert.deepEqual(fromCache.kvs, fromStorage.kvs, `list ${p}`);
        assert.equal(fromCache.revision, rev);
        assert.equal(cacher.count(p), fromStorage.kvs.length);
        for (const limit of [1, 7, 50]) {
          let startAfter: string | undefined;
          const pagedCache: KeyValue[] = [];
          for (;;) {
            const c = cacher.list(p, { limit, startAfter });
            const s = await storage.inner.list(p, { limit, startAfter });
            assert.deepEqual(briefKvs(c.kvs), briefKvs(s.kvs));
            assert.equal(c.more, s.more);
            assert.equal(c.remaining, s.remaining);
            pagedCache.push(...c.kvs);
            if (!c.more) break;
            startAfter = c.kvs[c.kvs.length - 1]!.key;
          }
          assert.deepEqual(pagedCache, fromStorage.kvs);
        }
      }
      assert.equal(storage.lists, listsBefore, 'cache lists never read the storage');
      assert.equal(cacher.get(kvs[0]!.key)?.value, 'updated');
      assert.equal(cacher.get(kvs[1]!.key), undefined);
    } finally {
      await teardown();
    }
  });

  test('100 watchers each see every event of their prefix once, in order, from one storage watch', async () => {
    const { storage, cacher, prefix, teardown } = await setup();
    try {
      await cacher.start();
      const watchesAfterStart = storage.watches;
      const listsAfterStart = storage.lists;
      const rev = cacher.currentRevision;
      const recs = Array.from({ length: 100 }, (_, i) => {
        const p = i % 4 === 0 ? `${prefix}ns-${i % 3}/` : prefix;
        return { p, rec: watchCache(cacher, p, rev) };
      });
      const writes = await Promise.all(Array.from({ length: 600 }, (_, i) => storage.create(`${prefix}ns-${i % 3}/o-${i}`, 'v')));
      const more = [];
      for (let i = 0; i < 600; i += 5) more.push(await storage.update(writes[i]!.key, 'w', writes[i]!.modRevision));
      for (let i = 0; i < 600; i += 9) more.push(await storage.delete(writes[i]!.key));
      const all = [...writes, ...more].sort((a, b) => a.modRevision - b.modRevision);
      for (const { p, rec } of recs) {
        const expected = all.filter((kv) => kv.key.startsWith(p));
        await rec.waitFor(expected.length);
      }
      await settle();
      for (const { p, rec } of recs) {
        const expected = all.filter((kv) => kv.key.startsWith(p));
        assert.deepEqual(rec.events.map((e) => e.kv.modRevision), expected.map((kv) => kv.modRevision), `watcher of ${p}`);
        assertOrdered(rec.events);
        assert.deepEqual(rec.errors, []);
      }
      assert.equal(storage.watches, watchesAfterStart, 'no storage watch per cache watcher');
      assert.equal(storage.lists, listsAfterStart, 'no storage list per cache watcher');
    } finally {
      await teardown();
    }
  });

  test('a watch from a revision inside the buffer replays from memory, then continues live', async () => {
    const { storage, cacher, prefix, teardown } = await setup({ capacity: 50 });
    try {
      await cacher.start();
      const kvs: KeyValue[] = [];
      for (let i = 0; i < 30; i++) kvs.push(await storage.create(`${prefix}k${i}`, 'v'));
      kvs.push(await storage.delete(kvs[3]!.key));
      await cacher.waitUntilFresh(kvs[kvs.length - 1]!.modRevision);
      const watches = storage.watches;
      const rec = watchCache(cacher, prefix, kvs[9]!.modRevision);
      const live: KeyValue[] = [];
      for (let i = 0; i < 5; i++) live.push(await storage.create(`${prefix}live${i}`, 'v'));
      const expected = [...kvs.slice(10), ...live];
      await rec.waitFor(expected.length);
      await settle();
      assert.deepEqual(rec.events.map((e) => e.kv.modRevision), expected.map((kv) => kv.modRevision));
      assert.equal(rec.events[20]!.type, 'delete');
      assert.equal(storage.watches, watches, 'served without a storage watch');
      // a sub-prefix replay filters
      const one = watchCache(cacher, `${prefix}k2`, kvs[0]!.modRevision);
      await one.waitFor(11);
      await settle();
      assert.deepEqual(one.events.map((e) => e.kv.key), ['k2', ...Array.from({ length: 10 }, (_, i) => `k2${i}`)].map((k) => prefix + k));
    } finally {
      await teardown();
    }
  });

  test('a watch older than the buffer falls back to the storage; older than its compaction: Compacted', async () => {
    const { storage, cacher, prefix, teardown } = await setup({ capacity: 10 });
    try {
      await cacher.start();
      const kvs: KeyValue[] = [];
      for (let i = 0; i < 40; i++) kvs.push(await storage.create(`${prefix}k${i}`, 'v'));
      await cacher.waitUntilFresh(kvs[39]!.modRevision);
      const watches = storage.watches;

      const old = watchCache(cacher, prefix, kvs[4]!.modRevision);
      const live = await storage.create(`${prefix}live`, 'v');
      const expected = [...kvs.slice(5), live];
      await old.waitFor(expected.length);
      await settle();
      assert.deepEqual(old.events.map((e) => e.kv.modRevision), expected.map((kv) => kv.modRevision));
      assert.equal(storage.watches, watches + 1, 'served by one storage watch');

      await storage.compact(kvs[20]!.modRevision);
      const gone = watchCache(cacher, prefix, kvs[10]!.modRevision);
      const err = await gone.waitError();
      assert.ok(isStorageError(err, 'Compacted'));
      assert.deepEqual(gone.events, []);
      // inside the buffer still works after the storage compacted
      const recent = watchCache(cacher, prefix, kvs[35]!.modRevision);
      await recent.waitFor(5);
      assert.deepEqual(recent.errors, []);
    } finally {
      await teardown();
    }
  });

  test('sendInitialState delivers the current objects, then live events', async () => {
    const { storage, cacher, prefix, teardown } = await setup();
    try {
      const a = await storage.create(`${prefix}b`, '1');
      await storage.create(`${prefix}a`, '2');
      await storage.delete(`${prefix}a`);
      const c = await storage.create(`${prefix}c`, '3');
      await cacher.start();
      const rec = watchCache(cacher, prefix, 0, { sendInitialState: true });
      await rec.waitFor(2);
      assert.deepEqual(brief(rec.events), brief([{ type: 'put', kv: a }, { type: 'put', kv: c }]));
      assert.equal(rec.progress[0], cacher.currentRevision, 'progress marks the end of the initial state');
      const d = await storage.update(`${prefix}b`, '4', a.modRevision);
      await rec.waitFor(3);
      assert.deepEqual(rec.events[2]!.kv, d);
      assert.equal(rec.events[2]!.prevKv?.value, '1');
    } finally {
      await teardown();
    }
  });

  test('waitUntilFresh follows progress of other prefixes and times out on a future revision', async () => {
    const { storage, cacher, teardown } = await setup({ freshTimeoutMs: 50 });
    try {
      await cacher.start();
      const other = await storage.create('/registry/others/x', 'v');
      await cacher.waitUntilFresh(other.modRevision);
      assert.ok(cacher.currentRevision >= other.modRevision);
      await assert.rejects(cacher.waitUntilFresh(other.modRevision + 100), (err) => isStorageError(err, 'Unavailable'));
      const pending = cacher.waitUntilFresh(other.modRevision + 2, { timeoutMs: 0 });
      await storage.create('/registry/others/y', 'v');
      await storage.create('/registry/others/z', 'v');
      await pending;
    } finally {
      await teardown();
    }
  });

  test('watchers registered before start are served once the cache is ready', async () => {
    const { storage, cacher, prefix, teardown } = await setup();
    try {
      await storage.create('/registry/unrelated', 'v'); // so that before.modRevision - 1 is not 0 ("from now")
      const before = await storage.create(`${prefix}early`, 'v');
      const rec = watchCache(cacher, prefix, before.modRevision - 1);
      await cacher.start();
      const after = await storage.create(`${prefix}late`, 'v');
      await rec.waitFor(2);
      assert.deepEqual(rec.events.map((e) => e.kv.modRevision), [before.modRevision, after.modRevision]);
    } finally {
      await teardown();
    }
  });

  test('when the storage watch fails, watchers end, the cache re-lists and catches up', async () => {
    const { storage, cacher, prefix, teardown } = await setup();
    try {
      await storage.create(`${prefix}a`, '1');
      await cacher.start();
      const lists = storage.lists;
      const rec = watchCache(cacher, prefix, cacher.currentRevision);
      await settle();
      storage.breakWatches(new StorageError('Unavailable', 'connection lost'));
      const err = await rec.waitError();
      assert.ok(isStorageError(err, 'Unavailable'));
      // writes during the outage are picked up by the re-list
      await storage.create(`${prefix}b`, '2');
      await storage.delete(`${prefix}a`);
      const rev = await storage.currentRevision();
      await cacher.waitUntilFresh(rev, { timeoutMs: WAIT_MS });
      assert.ok(storage.lists > lists, 're-listed');
      assert.deepEqual(cacher.list(prefix).kvs, (await storage.inner.list(prefix)).kvs);
      const again = watchCache(cacher, prefix, cacher.currentRevision);
      const c = await storage.create(`${prefix}c`, '3');
      await again.waitFor(1);
      assert.deepEqual(again.events[0]!.kv, c);
    } finally {
      await teardown();
    }
  });

  test('stop ends watchers with Unavailable, rejects waits, and stops callbacks', async () => {
    const { storage, cacher, prefix, teardown } = await setup({ capacity: 2 });
    try {
      await cacher.start();
      for (let i = 0; i < 5; i++) await storage.create(`${prefix}k${i}`, 'v');
      await cacher.waitUntilFresh(await storage.currentRevision());
      const fromCache = watchCache(cacher, prefix, cacher.currentRevision);
      const fromStorage = watchCache(cacher, prefix, 1); // below the 2-event buffer: a storage watch
      await fromStorage.waitFor(4);
      const wait = cacher.waitUntilFresh(cacher.currentRevision + 10, { timeoutMs: 0 });
      cacher.stop();
      await assert.rejects(wait, (err) => isStorageError(err, 'Unavailable'));
      assert.equal(fromCache.errors[0]?.code, 'Unavailable');
      assert.equal(fromStorage.errors[0]?.code, 'Unavailable');
      const n = fromCache.events.length + fromStorage.events.length;
      await storage.create(`${prefix}after`, 'v');
      await settle();
      assert.equal(fromCache.events.length + fromStorage.events.length, n);
      const late = watchCache(cacher, prefix, 0);
      assert.equal((await late.waitError()).code, 'Unavailable');
    } finally {
      await teardown();
    }
  });

  test('a watch from a revision the cache has not reached yet starts after it', async () => {
    const { storage, cacher, prefix, teardown } = await setup();
    try {
      await cacher.start();
      const rev = cacher.currentRevision;
      const rec = watchCache(cacher, prefix, rev + 2);
      const writes = await Promise.all([0, 1, 2, 3].map((i) => storage.create(`${prefix}f${i}`, 'v')));
      await rec.waitFor(2);
      await settle();
      assert.deepEqual(rec.events.map((e) => e.kv), writes.filter((kv) => kv.modRevision > rev + 2));
    } finally {
      await teardown();
    }
  });

  test('a closed watcher gets no more callbacks', async () => {
    const { storage, cacher, prefix, teardown } = await setup();
    try {
      await cacher.start();
      const rec = watchCache(cacher, prefix, cacher.currentRevision);
      await storage.create(`${prefix}a`, 'v');
      await rec.waitFor(1);
      rec.watcher.close();
      await storage.create(`${prefix}b`, 'v');
      await settle();
      assert.equal(rec.events.length, 1);
      // closing before the watch even began
      const never = watchCache(cacher, prefix, 1);
      never.watcher.close();
      await settle();
      assert.deepEqual(never.events, []);
    } finally {
      await teardown();
    }
  });
});
