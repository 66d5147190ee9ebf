import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { isStorageError, type StorageWatchEvent } from '../interface.js';
import { record, runStorageConformance, settle } from '../conformance.js';
import type { ProgressWatchHandlers } from '../progress.js';
import { SqliteStorage, type SqliteStorageOptions } from './sqlite.js';

const logger = pino({ level: 'silent' });

function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'karmada-sqlite-test-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

runStorageConformance('sqlite', async () => {
  const { dir, remove } = tempDir();
  const storage = SqliteStorage.open({ path: join(dir, 'db.sqlite'), logger, compactInterval: 0 });
  return {
    storage,
    cleanup: async () => {
      await storage.close();
      remove();
    },
  };
});

// The same suite with tiny replay and compaction steps, so multi-step paths run on small histories.
runStorageConformance('sqlite (small steps)', async () => {
  const { dir, remove } = tempDir();
  const storage = SqliteStorage.open({
    path: join(dir, 'db.sqlite'),
    logger,
    compactInterval: 0,
    watchReplayBatch: 7,
    watchReplaySpan: 5,
    compactBatch: 3,
  });
  return {
    storage,
    cleanup: async () => {
      await storage.close();
      remove();
    },
  };
});

describe('sqlite storage', () => {
  const open = (path: string, extra: Partial<SqliteStorageOptions> = {}) => SqliteStorage.open({ path, logger, compactInterval: 0, ...extra });

  test('reopening keeps data, history and the revision counter', async () => {
    const { dir, remove } = tempDir();
    try {
      const path = join(dir, 'db.sqlite');
      let s = open(path);
      const a = await s.create('/r/a', 'v1');
      const a2 = await s.update('/r/a', 'v2', a.modRevision);
      await s.create('/r/b', 'b');
      const d = await s.delete('/r/b');
      await s.close();

      s = open(path);
      assert.equal(await s.currentRevision(), d.modRevision);
      assert.deepEqual(await s.get('/r/a'), a2);
      assert.deepEqual(await s.get('/r/a', a.modRevision), a);
      assert.equal(await s.get('/r/b'), undefined);
      const c = await s.create('/r/c', 'c');
      assert.equal(c.modRevision, d.modRevision + 1);
      // a watch from before the restart replays the old history
      const rec = record(s, '/r/', a.modRevision);
      const events = await rec.waitForEvents(4);
      assert.deepEqual(events.map((e) => `${e.type} ${e.kv.key}`), ['put /r/a', 'put /r/b', 'delete /r/b', 'put /r/c']);
      await s.close();
    } finally {
      remove();
    }
  });

  test('the revision counter survives compacting everything away', async () => {
    const { dir, remove } = tempDir();
    try {
      const path = join(dir, 'db.sqlite');
      let s = open(path);
      for (let i = 0; i < 10; i++) await s.create(`/c/${i}`, 'v');
      for (let i = 0; i < 10; i++) await s.delete(`/c/${i}`);
      const rev = await s.currentRevision();
      await s.compact(rev);
      assert.deepEqual((await s.list('/c/')).kvs, []);
      await s.close();

      s = open(path);
      assert.equal(await s.currentRevision(), rev);
      assert.equal(await s.compactRevision(), rev);
      await assert.rejects(s.get('/c/0', rev - 1), (err) => isStorageError(err, 'Compacted'));
      const kv = await s.create('/c/new', 'v');
      assert.equal(kv.modRevision, rev + 1);
      await s.close();
    } finally {
      remove();
    }
  });

  test('compaction removes superseded rows and tombstones from the log', async () => {
    const { dir, remove } = tempDir();
    try {
      const s = open(join(dir, 'db.sqlite'), { compactBatch: 4 });
      const a = await s.create('/k/a', '1');
      await s.update('/k/a', '2', a.modRevision);
      await s.create('/k/b', 'b');
      await s.delete('/k/b');
      const keep = await s.create('/k/c', 'c');
      await s.compact(await s.currentRevision());
      // only the latest row of each live key is left
      const db = (s as unknown as { db: import('better-sqlite3').Database }).db;
      const rows = db.prepare('SELECT name, value FROM kv ORDER BY id').all();
      assert.deepEqual(rows, [
        { name: '/k/a', value: '2' },
        { name: '/k/c', value: 'c' },
      ]);
      assert.deepEqual(await s.get('/k/c'), keep);
      await s.close();
    } finally {
      remove();
    }
  });

  test('automatic compaction keeps compactKeep revisions', async () => {
    const { dir, remove } = tempDir();
    try {
      const s = open(join(dir, 'db.sqlite'), { compactInterval: 10, compactKeep: 5 });
      let kv = await s.create('/auto/a', '0');
      for (let i = 1; i <= 20; i++) kv = await s.update('/auto/a', String(i), kv.modRevision);
      const rev = await s.currentRevision();
      for (let i = 0; i < 200 && (await s.compactRevision()) < rev - 5; i++) await settle(10);
      assert.equal(await s.compactRevision(), rev - 5);
      assert.equal((await s.get('/auto/a', rev - 5))?.value, '15');
      await assert.rejects(s.get('/auto/a', rev - 6), (err) => isStorageError(err, 'Compacted'));
      await s.close();
    } finally {
      remove();
    }
  });

  test('a second open of the same file fails while the first holds it', async () => {
    const { dir, remove } = tempDir();
    try {
      const path = join(dir, 'db.sqlite');
      const s = open(path);
      await s.create('/lock/a', 'v');
      assert.throws(() => open(path, { busyTimeout: 50 }), (err) => isStorageError(err, 'Unavailable'));
      await s.close();
      const again = open(path);
      assert.equal((await again.get('/lock/a'))?.value, 'v');
      // held from open on, even by an instance that has not written
      assert.throws(() => open(path, { busyTimeout: 50 }), (err) => isStorageError(err, 'Unavailable'));
      await again.close();
    } finally {
      remove();
    }
  });

  test('a watch replaying history fails with Compacted when compaction overtakes it', async () => {
    const { dir, remove } = tempDir();
    try {
      const s = open(join(dir, 'db.sqlite'), { watchReplayBatch: 2, watchReplaySpan: 2 });
      const start = await s.currentRevision();
      for (let i = 0; i < 50; i++) await s.create(`/race/${i}`, 'v');
      const got: StorageWatchEvent[] = [];
      let error: unknown;
      s.watch('/race/', { afterRevision: start }, { onEvents: (e) => got.push(...e), onError: (e) => (error = e) });
      // The replay proceeds one step per event-loop turn; compact far ahead of it right away.
      await s.compact(40);
      for (let i = 0; i < 100 && !error; i++) await settle(5);
      assert.ok(isStorageError(error, 'Compacted'), `expected Compacted, got ${String(error)}`);
      // whatever was delivered before the error is a gap-free prefix of the history
      got.forEach((e, i) => assert.equal(e.kv.modRevision, start + 1 + i));
      await s.close();
    } finally {
      remove();
    }
  });

  test('a handler that throws does not break other watchers', async () => {
    const s = open(':memory:');
    s.watch('/t/', { afterRevision: 0 }, {
      onEvents: () => {
        throw new Error('boom');
      },
      onError: () => undefined,
    });
    const rec = record(s, '/t/', 0);
    await s.create('/t/a', '1');
    await s.create('/t/b', '2');
    await rec.waitForEvents(2);
    await s.close();
  });

  test('onProgress reports the revision a live watch is complete up to, across prefixes', async () => {
    const s = open(':memory:');
    const progress: number[] = [];
    const events: StorageWatchEvent[] = [];
    const handlers: ProgressWatchHandlers = {
      onEvents: (e) => events.push(...e),
      onError: () => undefined,
      onProgress: (rev) => progress.push(rev),
    };
    s.watch('/mine/', { afterRevision: 0 }, handlers);
    await s.create('/other/a', '1');
    const b = await s.create('/other/b', '2');
    await settle();
    assert.deepEqual(events, []);
    assert.equal(progress[progress.length - 1], b.modRevision);
    await s.close();
  });
});
