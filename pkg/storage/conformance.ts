// The behaviour every Storage backend must show, as node:test cases. A backend's test file calls
// runStorageConformance with a factory; each test gets its own storage from the factory, works under
// its own unique key prefix (so backends sharing one server, like etcd, need not be emptied between
// tests) and never assumes absolute revision numbers: only their order and relations.
//
// The factory's cleanup must tolerate a storage the test has already closed.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  isStorageError,
  StorageError,
  type KeyValue,
  type Storage,
  type StorageWatchEvent,
  type StorageWatcher,
} from './interface.js';
import { compareKeys } from './keys.js';

export type StorageFactory = () => Promise<{ storage: Storage; cleanup: () => Promise<void> }>;

/** How long a test waits for events that must arrive before it fails (a hang guard, not a speed check). */
const WAIT_MS = 10_000;

let prefixCounter = 0;
/** A key prefix no other test (or earlier run against the same server) uses. Ends with '/'. */
export function uniquePrefix(label: string): string {
  return `/conformance/${label}-${process.pid}-${randomBytes(4).toString('hex')}-${prefixCounter++}/`;
}

/** Gives the event loop a few turns so that any events a backend still had queued are delivered. */
export async function settle(ms = 50): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  await new Promise((resolve) => setImmediate(resolve));
}

export interface Recorder {
  events: StorageWatchEvent[];
  errors: StorageError[];
  /** Batches as delivered, to check that every batch is in revision order. */
  batches: StorageWatchEvent[][];
  watcher: StorageWatcher;
  /** Resolves once at least n events arrived; rejects after WAIT_MS or on a watch error. */
  waitForEvents(n: number): Promise<StorageWatchEvent[]>;
  /** Resolves on the first error; rejects after WAIT_MS. */
  waitForError(): Promise<StorageError>;
}

/** Starts a watch that records everything it receives. */
export function record(storage: Storage, prefix: string, afterRevision: number): Recorder {
  const events: StorageWatchEvent[] = [];
  const errors: StorageError[] = [];
  const batches: StorageWatchEvent[][] = [];
  let wake: () => void = () => undefined;
  const watcher = storage.watch(prefix, { afterRevision, prevKv: true }, {
    onEvents(batch) {
      batches.push([...batch]);
      events.push(...batch);
      wake();
    },
    onError(err) {
      errors.push(err);
      wake();
    },
  });
  const waitUntil = <T>(done: () => T | undefined, what: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        wake = () => undefined;
        reject(new Error(`timed out waiting for ${what}; got ${events.length} events, errors: ${errors.map((e) => e.code).join(',') || 'none'}`));
      }, WAIT_MS);
      const check = () => {
        const v = done();
        if (v !== undefined) {
          clearTimeout(timer);
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
    batches,
    watcher,
    waitForEvents(n) {
      return waitUntil(() => {
        if (errors.length > 0 && events.length < n) throw errors[0];
        return events.length >= n ? events : undefined;
      }, `${n} events`);
    },
    waitForError() {
      return waitUntil(() => errors[0], 'a watch error');
    },
  };
}

async function expectStorageError(p: Promise<unknown>, code: StorageError['code']): Promise<StorageError> {
  try {
    await p;
  } catch (err) {
    assert.ok(isStorageError(err, code), `expected StorageError ${code}, got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    return err;
  }
  assert.fail(`expected StorageError ${code}, but the call succeeded`);
}

function assertRevisionOrder(events: StorageWatchEvent[]): void {
  for (let i = 1; i < events.length; i++) {
    assert.ok(
      events[i]!.kv.modRevision > events[i - 1]!.kv.modRevision,
      `events out of order or duplicated at ${i}: ${events[i - 1]!.kv.modRevision} then ${events[i]!.kv.modRevision}`,
    );
  }
}

function summary(events: StorageWatchEvent[]): string[] {
  return events.map((e) => `${e.type} ${e.kv.key} ${e.kv.modRevision}`);
}

export function runStorageConformance(name: string, factory: StorageFactory): void {
  const withStorage = (fn: (s: Storage) => Promise<void>) => async () => {
    const { storage, cleanup } = await factory();
    try {
      await fn(storage);
    } finally {
      await cleanup();
    }
  };

  describe(`storage conformance: ${name}`, () => {
    describe('create and get', () => {
      test('create returns the new key value; get reads it back', withStorage(async (s) => {
        const p = uniquePrefix('create');
        const before = await s.currentRevision();
        const kv = await s.create(p + 'a', '{"v":1}');
        assert.equal(kv.key, p + 'a');
        assert.equal(kv.value, '{"v":1}');
        assert.ok(kv.modRevision > before, 'the write revision is above the revision before it');
        assert.equal(kv.createRevision, kv.modRevision);
        assert.deepEqual(await s.get(p + 'a'), kv);
        assert.ok((await s.currentRevision()) >= kv.modRevision);
      }));

      test('get of a missing key is undefined', withStorage(async (s) => {
        const p = uniquePrefix('missing');
        assert.equal(await s.get(p + 'nope'), undefined);
      }));

      test('create of an existing key fails with KeyExists and changes nothing', withStorage(async (s) => {
        const p = uniquePrefix('exists');
        const kv = await s.create(p + 'a', 'one');
        await expectStorageError(s.create(p + 'a', 'two'), 'KeyExists');
        assert.deepEqual(await s.get(p + 'a'), kv);
      }));

      test('values round-trip unchanged (unicode, large)', withStorage(async (s) => {
        const p = uniquePrefix('values');
        const unicode = JSON.stringify({ s: 'héllo wörld ✓ 日本語 😀 \u0000 "quoted" \\ back' });
        const large = JSON.stringify({ data: 'x'.repeat(300_000) });
        await s.create(p + 'u', unicode);
        await s.create(p + 'l', large);
        await s.create(p + 'e', '');
        assert.equal((await s.get(p + 'u'))?.value, unicode);
        assert.equal((await s.get(p + 'l'))?.value, large);
        assert.equal((await s.get(p + 'e'))?.value, '');
      }));
    });

    describe('update', () => {
      test('update at the current modRevision succeeds and keeps createRevision', withStorage(async (s) => {
        const p = uniquePrefix('update');
        const a = await s.create(p + 'a', 'v1');
        const b = await s.update(p + 'a', 'v2', a.modRevision);
        assert.equal(b.value, 'v2');
        assert.equal(b.createRevision, a.createRevision);
        assert.ok(b.modRevision > a.modRevision);
        assert.deepEqual(await s.get(p + 'a'), b);
        const c = await s.update(p + 'a', 'v3', b.modRevision);
        assert.ok(c.modRevision > b.modRevision);
        assert.equal(c.createRevision, a.createRevision);
      }));

      test('update at a stale modRevision fails with Conflict carrying the current modRevision', withStorage(async (s) => {
        const p = uniquePrefix('conflict');
        const a = await s.create(p + 'a', 'v1');
        const b = await s.update(p + 'a', 'v2', a.modRevision);
        const err = await expectStorageError(s.update(p + 'a', 'v3', a.modRevision), 'Conflict');
        assert.equal(err.revision, b.modRevision);
        assert.deepEqual(await s.get(p + 'a'), b, 'a failed update changes nothing');
      }));

      test('update of a missing key fails with KeyNotFound', withStorage(async (s) => {
        const p = uniquePrefix('update-missing');
        await expectStorageError(s.update(p + 'nope', 'v', 1), 'KeyNotFound');
        assert.equal(await s.get(p + 'nope'), undefined);
      }));

      test('concurrent updates at the same modRevision: exactly one wins', withStorage(async (s) => {
        const p = uniquePrefix('race');
        const a = await s.create(p + 'a', 'v0');
        const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => s.update(p + 'a', `v${i + 1}`, a.modRevision)));
        const won = results.filter((r) => r.status === 'fulfilled') as PromiseFulfilledResult<KeyValue>[];
        assert.equal(won.length, 1);
        for (const r of results) if (r.status === 'rejected') assert.ok(isStorageError(r.reason, 'Conflict'));
        assert.deepEqual(await s.get(p + 'a'), won[0]!.value);
      }));
    });

    describe('delete', () => {
      test('delete returns the last value at the deletion revision; the key is gone', withStorage(async (s) => {
        const p = uniquePrefix('delete');
        const a = await s.create(p + 'a', 'v1');
        const b = await s.update(p + 'a', 'v2', a.modRevision);
        const d = await s.delete(p + 'a');
        assert.equal(d.key, p + 'a');
        assert.equal(d.value, 'v2');
        assert.equal(d.createRevision, a.createRevision);
        assert.ok(d.modRevision > b.modRevision, 'the deletion has its own revision');
        assert.equal(await s.get(p + 'a'), undefined);
        assert.equal(await s.count(p), 0);
        assert.ok((await s.currentRevision()) >= d.modRevision);
      }));

      test('delete of a missing key fails with KeyNotFound', withStorage(async (s) => {
        const p = uniquePrefix('delete-missing');
        await expectStorageError(s.delete(p + 'nope'), 'KeyNotFound');
        const a = await s.create(p + 'a', 'v');
        await s.delete(p + 'a');
        await expectStorageError(s.delete(p + 'a'), 'KeyNotFound');
        await expectStorageError(s.delete(p + 'a', a.modRevision), 'KeyNotFound');
      }));

      test('delete with an expected revision: Conflict when stale, success when current', withStorage(async (s) => {
        const p = uniquePrefix('delete-cas');
        const a = await s.create(p + 'a', 'v1');
        const b = await s.update(p + 'a', 'v2', a.modRevision);
        const err = await expectStorageError(s.delete(p + 'a', a.modRevision), 'Conflict');
        assert.equal(err.revision, b.modRevision);
        assert.deepEqual(await s.get(p + 'a'), b);
        const d = await s.delete(p + 'a', b.modRevision);
        assert.equal(d.value, 'v2');
        assert.equal(await s.get(p + 'a'), undefined);
      }));

      test('a key created again after deletion has a new createRevision', withStorage(async (s) => {
        const p = uniquePrefix('recreate');
        const a = await s.create(p + 'a', 'v1');
        const d = await s.delete(p + 'a');
        const c = await s.create(p + 'a', 'v2');
        assert.ok(c.createRevision > d.modRevision);
        assert.equal(c.createRevision, c.modRevision);
        assert.notEqual(c.createRevision, a.createRevision);
        assert.deepEqual(await s.get(p + 'a'), c);
        // the update CAS uses the new generation's revision
        await expectStorageError(s.update(p + 'a', 'v3', a.modRevision), 'Conflict');
      }));
    });

    describe('revisions', () => {
      test('revisions are strictly increasing and global across keys', withStorage(async (s) => {
        const p = uniquePrefix('revs');
        const revs: number[] = [];
        revs.push((await s.create(p + 'a', '1')).modRevision);
        revs.push((await s.create(p + 'b', '1')).modRevision);
        revs.push((await s.update(p + 'a', '2', revs[0]!)).modRevision);
        revs.push((await s.create(p + 'other/c', '1')).modRevision);
        revs.push((await s.delete(p + 'b')).modRevision);
        revs.push((await s.update(p + 'a', '3', revs[2]!)).modRevision);
        for (let i = 1; i < revs.length; i++) assert.ok(revs[i]! > revs[i - 1]!, `revision ${revs[i]} after ${revs[i - 1]}`);
        assert.ok((await s.currentRevision()) >= revs[revs.length - 1]!);
        // failed writes do not consume a revision visible to readers as a change
        const cur = await s.currentRevision();
        await expectStorageError(s.create(p + 'a', 'x'), 'KeyExists');
        assert.deepEqual((await s.get(p + 'a'))?.modRevision, revs[5]);
        assert.ok((await s.currentRevision()) >= cur);
      }));

      test('get at an older revision returns the value as of that revision', withStorage(async (s) => {
        const p = uniquePrefix('get-at');
        const before = await s.currentRevision();
        const a = await s.create(p + 'a', 'v1');
        const b = await s.update(p + 'a', 'v2', a.modRevision);
        const d = await s.delete(p + 'a');
        await s.create(p + 'other', 'x');
        if (before > 0) assert.equal(await s.get(p + 'a', before), undefined, 'absent before it was created');
        assert.deepEqual(await s.get(p + 'a', a.modRevision), a);
        assert.deepEqual(await s.get(p + 'a', b.modRevision), b);
        assert.deepEqual(await s.get(p + 'a', d.modRevision - 1), b);
        assert.equal(await s.get(p + 'a', d.modRevision), undefined);
        assert.equal(await s.get(p + 'a'), undefined);
      }));
    });

    describe('list', () => {
      test('list returns the keys under a prefix in key order, with the read revision', withStorage(async (s) => {
        const p = uniquePrefix('list');
        const names = ['c', 'a', 'b/x', 'b', 'aa', 'A', '0'];
        const created = new Map<string, KeyValue>();
        for (const n of names) created.set(p + n, await s.create(p + n, `v-${n}`));
        const rev = await s.currentRevision();
        const res = await s.list(p);
        assert.deepEqual(res.kvs.map((kv) => kv.key), names.map((n) => p + n).sort(compareKeys));
        for (const kv of res.kvs) assert.deepEqual(kv, created.get(kv.key));
        assert.equal(res.more, false);
        assert.ok(res.revision >= rev);
        assert.equal(await s.count(p), names.length);
      }));

      test('a prefix ending in / does not match siblings sharing its text', withStorage(async (s) => {
        const p = uniquePrefix('isolation');
        for (const k of ['a/b/1', 'a/b/2', 'a/bc/1', 'a/b', 'a/b0', 'a/c/1', 'a/b/deep/1']) await s.create(p + k, k);
        const res = await s.list(p + 'a/b/');
        assert.deepEqual(res.kvs.map((kv) => kv.key), [p + 'a/b/1', p + 'a/b/2', p + 'a/b/deep/1']);
        assert.equal(await s.count(p + 'a/b/'), 3);
        assert.equal(await s.count(p + 'a/'), 7);
        assert.deepEqual((await s.list(p + 'a/bc/')).kvs.map((kv) => kv.key), [p + 'a/bc/1']);
        assert.deepEqual((await s.list(p + 'zzz/')).kvs, []);
        assert.equal(await s.count(p + 'zzz/'), 0);
      }));

      test('keys are ordered by code point (UTF-8 byte order), also beyond ASCII', withStorage(async (s) => {
        const p = uniquePrefix('unicode');
        const names = ['z', 'é', '\u{ffef}', '😀', '\u{10000}', 'a', '~', 'ÿ'];
        for (const n of names) await s.create(p + n, n);
        const expected = names.map((n) => p + n).sort(compareKeys);
        assert.deepEqual((await s.list(p)).kvs.map((kv) => kv.key), expected);
        // paging through them returns the same order
        const paged: string[] = [];
        let startAfter: string | undefined;
        for (;;) {
          const page = await s.list(p, { limit: 3, startAfter });
          paged.push(...page.kvs.map((kv) => kv.key));
          if (!page.more) break;
          startAfter = page.kvs[page.kvs.length - 1]!.key;
        }
        assert.deepEqual(paged, expected);
      }));

      test('list at an older revision returns the state as of that revision', withStorage(async (s) => {
        const p = uniquePrefix('list-at');
        const x1 = await s.create(p + 'x1', 'old');
        const x2 = await s.create(p + 'x2', 'two');
        const rev = await s.currentRevision();
        await s.update(p + 'x1', 'new', x1.modRevision);
        await s.delete(p + 'x2');
        await s.create(p + 'x3', 'three');
        const old = await s.list(p, { revision: rev });
        assert.equal(old.revision, rev);
        assert.deepEqual(old.kvs, [x1, x2]);
        const now = await s.list(p);
        assert.deepEqual(now.kvs.map((kv) => [kv.key, kv.value]), [[p + 'x1', 'new'], [p + 'x3', 'three']]);
        assert.deepEqual((await s.list(p, { revision: x1.modRevision })).kvs, [x1]);
        // a revision after the changes but no longer the latest: deleted keys stay out
        const after = await s.currentRevision();
        await s.create(p + 'x4', 'four');
        const mid = await s.list(p, { revision: after });
        assert.deepEqual(mid.kvs.map((kv) => [kv.key, kv.value]), [[p + 'x1', 'new'], [p + 'x3', 'three']]);
        const midPage = await s.list(p, { revision: after, limit: 1 });
        assert.deepEqual(midPage.kvs.map((kv) => kv.key), [p + 'x1']);
        assert.equal(midPage.remaining, 1);
        assert.equal(await s.get(p + 'x2', after), undefined);
      }));

      test('paging with limit and startAfter at a fixed revision, with remaining', withStorage(async (s) => {
        const p = uniquePrefix('paging');
        const keys = Array.from({ length: 10 }, (_, i) => `${p}k${String(i).padStart(2, '0')}`);
        for (const k of keys) await s.create(k, k);
        const first = await s.list(p, { limit: 3 });
        assert.deepEqual(first.kvs.map((kv) => kv.key), keys.slice(0, 3));
        assert.equal(first.more, true);
        assert.equal(first.remaining, 7);
        // writes between pages must not show in later pages read at the first page's revision
        await s.create(`${p}k05b`, 'late');
        await s.delete(keys[8]!);
        const seen = first.kvs.map((kv) => kv.key);
        const remaining: (number | undefined)[] = [first.remaining];
        let last = first;
        while (last.more) {
          last = await s.list(p, { limit: 3, startAfter: seen[seen.length - 1], revision: first.revision });
          assert.equal(last.revision, first.revision);
          seen.push(...last.kvs.map((kv) => kv.key));
          if (last.more) remaining.push(last.remaining);
        }
        assert.deepEqual(seen, keys);
        assert.deepEqual(remaining, [7, 4, 1]);
        assert.equal(last.kvs.length, 1);
        // at the latest revision the new state shows
        const all = await s.list(p);
        assert.deepEqual(all.kvs.map((kv) => kv.key), [...keys.slice(0, 6), `${p}k05b`, ...keys.slice(6)].filter((k) => k !== keys[8]).sort(compareKeys));
        const latestPage = await s.list(p, { limit: 4, startAfter: keys[4] });
        assert.deepEqual(latestPage.kvs.map((kv) => kv.key), [keys[5], `${p}k05b`, keys[6], keys[7]]);
        assert.equal(latestPage.more, true);
        assert.equal(latestPage.remaining, 1);
      }));

      test('limit 0 means all; a limit at or above the count is not cut short', withStorage(async (s) => {
        const p = uniquePrefix('limits');
        for (let i = 0; i < 5; i++) await s.create(`${p}${i}`, 'v');
        assert.equal((await s.list(p, { limit: 0 })).kvs.length, 5);
        const exact = await s.list(p, { limit: 5 });
        assert.equal(exact.kvs.length, 5);
        assert.equal(exact.more, false);
        const over = await s.list(p, { limit: 50 });
        assert.equal(over.more, false);
        const tail = await s.list(p, { startAfter: `${p}2` });
        assert.deepEqual(tail.kvs.map((kv) => kv.key), [`${p}3`, `${p}4`]);
        const beforePrefix = await s.list(p, { startAfter: '/', limit: 2 });
        assert.deepEqual(beforePrefix.kvs.map((kv) => kv.key), [`${p}0`, `${p}1`]);
        assert.equal(beforePrefix.remaining, 3);
        const pastEnd = await s.list(p, { startAfter: `${p}4` });
        assert.deepEqual(pastEnd.kvs, []);
        assert.equal(pastEnd.more, false);
      }));
    });

    describe('watch', () => {
      test('events arrive in revision order: put, put with prevKv, delete with prevKv', withStorage(async (s) => {
        const p = uniquePrefix('watch-order');
        const rec = record(s, p, await s.currentRevision());
        const a = await s.create(p + 'a', 'v1');
        const b = await s.update(p + 'a', 'v2', a.modRevision);
        const d = await s.delete(p + 'a');
        const events = await rec.waitForEvents(3);
        assert.deepEqual(events.map((e) => e.type), ['put', 'put', 'delete']);
        assert.deepEqual(events[0]!.kv, a);
        assert.deepEqual(events[1]!.kv, b);
        assert.deepEqual(events[1]!.prevKv, a);
        assert.deepEqual(events[2]!.kv, d);
        assert.equal(events[2]!.kv.value, 'v2');
        assert.deepEqual(events[2]!.prevKv, b);
        rec.watcher.close();
        await settle();
        assert.equal(rec.events.length, 3);
        assert.deepEqual(rec.errors, []);
      }));

      test('a watch from a past revision replays history, then continues live without gap or duplicate', withStorage(async (s) => {
        const p = uniquePrefix('watch-replay');
        const written: StorageWatchEvent[] = [];
        const kvs: KeyValue[] = [];
        for (let i = 0; i < 30; i++) kvs.push(await s.create(`${p}k${i}`, `v${i}`));
        written.push(...kvs.map((kv) => ({ type: 'put' as const, kv })));
        for (let i = 0; i < 10; i++) written.push({ type: 'put', kv: await s.update(`${p}k${i}`, `w${i}`, kvs[i]!.modRevision) });
        for (let i = 10; i < 15; i++) written.push({ type: 'delete', kv: await s.delete(`${p}k${i}`) });
        const from = written[4]!.kv.modRevision;
        const rec = record(s, p, from);
        // live writes race with the replay
        const live = await Promise.all(Array.from({ length: 25 }, (_, i) => s.create(`${p}live${i}`, `l${i}`)));
        // concurrent writes commit in some order (etcd need not follow the call order): expect revision order
        const byRevision = (x: KeyValue, y: KeyValue) => x.modRevision - y.modRevision;
        const expected = [...written.slice(5), ...[...live].sort(byRevision).map((kv) => ({ type: 'put' as const, kv }))];
        const events = await rec.waitForEvents(expected.length);
        await settle();
        assert.deepEqual(summary(rec.events), summary(expected));
        assertRevisionOrder(events);
        for (const batch of rec.batches) assertRevisionOrder(batch);
        // replayed events carry prevKv for updates and deletes
        const upd = events.find((e) => e.kv.key === `${p}k7` && e.kv.value === 'w7');
        assert.equal(upd?.prevKv?.value, 'v7');
        const del = events.find((e) => e.type === 'delete' && e.kv.key === `${p}k12`);
        assert.equal(del?.kv.value, 'v12');
        assert.equal(del?.prevKv?.modRevision, kvs[12]!.modRevision);
        assert.deepEqual(rec.errors, []);
      }));

      test('a watch from a revision far in the past replays a long history in order', withStorage(async (s) => {
        const p = uniquePrefix('watch-long');
        const other = uniquePrefix('watch-long-other');
        const from = await s.currentRevision();
        const mine: KeyValue[] = [];
        for (let i = 0; i < 1500; i++) {
          const kv = await s.create(`${(i % 3 === 0 ? other : p)}k${i}`, `v${i}`);
          if (i % 3 !== 0) mine.push(kv);
        }
        const rec = record(s, p, from);
        const more = await s.create(`${p}after`, 'x');
        const events = await rec.waitForEvents(mine.length + 1);
        await settle();
        assert.equal(rec.events.length, mine.length + 1);
        assertRevisionOrder(events);
        assert.deepEqual(events.map((e) => e.kv.modRevision), [...mine, more].map((kv) => kv.modRevision));
      }));

      test('a watch excludes the revision it starts after, even for a write still in flight', withStorage(async (s) => {
        const p = uniquePrefix('watch-boundary');
        const cur = await s.currentRevision();
        const everything = record(s, p, cur); // another watcher, so the backend has events in flight
        const first = s.create(p + 'first', '1'); // not awaited: its event may still be queued
        const rec = record(s, p, cur + 1);
        const second = s.create(p + 'second', '2');
        const k1 = await first;
        const k2 = await second;
        // the two writes overlap, so either may commit first (etcd need not follow the call order)
        const both = [k1, k2].sort((x, y) => x.modRevision - y.modRevision);
        const expected = both.filter((kv) => kv.modRevision > cur + 1); // one of them unless another writer got cur + 1
        await rec.waitForEvents(expected.length);
        await settle();
        assert.deepEqual(rec.events.map((e) => e.kv), expected);
        assert.deepEqual((await everything.waitForEvents(2)).map((e) => e.kv), both);
      }));

      test('a watch sees only its prefix', withStorage(async (s) => {
        const p = uniquePrefix('watch-prefix');
        const rec = record(s, p + 'a/', await s.currentRevision());
        await s.create(p + 'a/1', '1');
        await s.create(p + 'ab/1', 'x');
        await s.create(p + 'a', 'x');
        await s.create(p + 'b/1', 'x');
        await s.create(p + 'a/2', '2');
        await rec.waitForEvents(2);
        await settle();
        assert.deepEqual(rec.events.map((e) => e.kv.key), [p + 'a/1', p + 'a/2']);
      }));

      test('500 concurrent writes are each seen exactly once, in revision order', withStorage(async (s) => {
        const p = uniquePrefix('watch-concurrent');
        const rec = record(s, p, await s.currentRevision());
        const writes = await Promise.all(Array.from({ length: 500 }, (_, i) => s.create(`${p}k${i}`, `v${i}`)));
        const events = await rec.waitForEvents(500);
        await settle();
        assert.equal(rec.events.length, 500);
        assertRevisionOrder(events);
        assert.deepEqual(
          events.map((e) => e.kv.modRevision),
          writes.map((kv) => kv.modRevision).sort((x, y) => x - y),
        );
        assert.equal(new Set(events.map((e) => e.kv.key)).size, 500);
      }));

      test('several watchers on overlapping prefixes each get their events', withStorage(async (s) => {
        const p = uniquePrefix('watch-many');
        const rev = await s.currentRevision();
        const all = record(s, p, rev);
        const a = record(s, p + 'a/', rev);
        const b = record(s, p + 'b/', rev);
        for (let i = 0; i < 20; i++) await s.create(`${p}${i % 2 ? 'a' : 'b'}/${i}`, 'v');
        await all.waitForEvents(20);
        await a.waitForEvents(10);
        await b.waitForEvents(10);
        await settle();
        assert.equal(all.events.length, 20);
        assert.ok(a.events.every((e) => e.kv.key.startsWith(p + 'a/')) && a.events.length === 10);
        assert.ok(b.events.every((e) => e.kv.key.startsWith(p + 'b/')) && b.events.length === 10);
      }));

      test('close stops callbacks, even for events already written', withStorage(async (s) => {
        const p = uniquePrefix('watch-close');
        const rec = record(s, p, await s.currentRevision());
        await s.create(p + 'a', '1');
        await rec.waitForEvents(1);
        const writing = s.create(p + 'b', '2');
        rec.watcher.close();
        await writing;
        await s.create(p + 'c', '3');
        await settle();
        assert.deepEqual(rec.events.map((e) => e.kv.key), [p + 'a']);
        rec.watcher.close(); // idempotent
      }));

      test('closing the storage stops watch callbacks; later calls fail with Unavailable', withStorage(async (s) => {
        const p = uniquePrefix('storage-close');
        const rec = record(s, p, await s.currentRevision());
        await s.create(p + 'a', '1');
        await rec.waitForEvents(1);
        void s.create(p + 'b', '2').catch(() => undefined);
        await s.close();
        const after = rec.events.length;
        await settle();
        assert.equal(rec.events.length, after, 'no events after close returned');
        assert.deepEqual(rec.errors, []);
        await expectStorageError(s.get(p + 'a'), 'Unavailable');
        await expectStorageError(s.create(p + 'c', '3'), 'Unavailable');
      }));
    });

    describe('compaction', () => {
      test('reads below the compact revision fail with Compacted; latest values survive', withStorage(async (s) => {
        const p = uniquePrefix('compact');
        const a1 = await s.create(p + 'a', 'v1');
        const a2 = await s.update(p + 'a', 'v2', a1.modRevision);
        const b1 = await s.create(p + 'b', 'b1');
        const bd = await s.delete(p + 'b');
        const c1 = await s.create(p + 'c', 'c1');
        const rev = await s.currentRevision();
        await s.compact(rev);
        assert.ok((await s.compactRevision()) >= rev);
        // the latest state is intact
        assert.deepEqual(await s.get(p + 'a'), a2);
        assert.equal(await s.get(p + 'b'), undefined);
        assert.deepEqual((await s.list(p)).kvs, [a2, c1]);
        assert.equal(await s.count(p), 2);
        // at the compact revision itself reads still work
        assert.deepEqual(await s.get(p + 'a', rev), a2);
        assert.deepEqual((await s.list(p, { revision: rev })).kvs, [a2, c1]);
        // older revisions are gone
        const err = await expectStorageError(s.get(p + 'a', a1.modRevision), 'Compacted');
        if (err.revision !== undefined) assert.ok(err.revision >= rev);
        await expectStorageError(s.list(p, { revision: b1.modRevision }), 'Compacted');
        await expectStorageError(s.list(p, { revision: bd.modRevision, limit: 1 }), 'Compacted');
        // writes continue normally, with CAS on the surviving revisions
        const a3 = await s.update(p + 'a', 'v3', a2.modRevision);
        assert.ok(a3.modRevision > rev);
        const b2 = await s.create(p + 'b', 'b2');
        assert.ok(b2.createRevision > rev);
        assert.deepEqual((await s.list(p)).kvs.map((kv) => kv.value), ['v3', 'b2', 'c1']);
      }));

      test('compaction keeps history at and after the compact revision', withStorage(async (s) => {
        const p = uniquePrefix('compact-keep');
        const a1 = await s.create(p + 'a', 'v1');
        const a2 = await s.update(p + 'a', 'v2', a1.modRevision);
        const mid = await s.currentRevision();
        const a3 = await s.update(p + 'a', 'v3', a2.modRevision);
        const bd = await s.create(p + 'b', 'b').then(() => s.delete(p + 'b'));
        await s.compact(mid);
        assert.deepEqual(await s.get(p + 'a', mid), a2);
        assert.deepEqual(await s.get(p + 'a', a3.modRevision), a3);
        assert.deepEqual((await s.list(p, { revision: bd.modRevision - 1 })).kvs.map((kv) => kv.key), [p + 'a', p + 'b']);
        // a watch from the compact revision replays what came after it, with prevKv
        const rec = record(s, p, mid);
        const events = await rec.waitForEvents(3);
        assert.deepEqual(events.map((e) => `${e.type} ${e.kv.value}`), ['put v3', 'put b', 'delete b']);
        assert.deepEqual(events[0]!.prevKv, a2);
        rec.watcher.close();
      }));

      test('a watch from below the compact revision ends with Compacted', withStorage(async (s) => {
        const p = uniquePrefix('compact-watch');
        const a1 = await s.create(p + 'a', 'v1');
        await s.update(p + 'a', 'v2', a1.modRevision);
        await s.create(p + 'b', 'b');
        const rev = await s.currentRevision();
        await s.compact(rev);
        const rec = record(s, p, a1.modRevision);
        const err = await rec.waitForError();
        assert.equal(err.code, 'Compacted');
        await settle();
        assert.deepEqual(rec.events, []);
        assert.equal(rec.errors.length, 1);
      }));

      test('compaction does not disturb a live watch', withStorage(async (s) => {
        const p = uniquePrefix('compact-live');
        const rec = record(s, p, await s.currentRevision());
        const a = await s.create(p + 'a', '1');
        await s.update(p + 'a', '2', a.modRevision);
        await s.compact(await s.currentRevision());
        await s.create(p + 'b', '3');
        const events = await rec.waitForEvents(3);
        assert.deepEqual(events.map((e) => e.kv.value), ['1', '2', '3']);
        assert.deepEqual(rec.errors, []);
      }));
    });
  });
}
