// Embedded storage on SQLite, in the way of k3s's kine: the table is a log with one row per revision.
//
//   kv(id = revision, name, created, deleted, create_revision, prev_revision, value)
//
// Every write (create, update, delete) appends one row in its own transaction; a delete appends a
// tombstone carrying the last value, so a watch resumed from an older revision sees the deletion. The row
// id is the global revision. A second table, `current`, maps each live key to the id of its latest row;
// it is maintained in the same transaction and serves the common reads (get, list, count at the latest
// revision) without scanning history. Reads at an older revision and watch replay use the log.
//
// The backend is single-process: the database is opened in EXCLUSIVE locking mode (a second process
// fails fast instead of corrupting the in-process watch), and watch events are delivered to in-process
// watchers right after each committed write. WAL with synchronous=NORMAL: a committed transaction is in
// the WAL file before the call returns, so killing the process loses nothing acknowledged (a power loss
// may lose the last transactions, never corrupt the database).
//
// Compaction deletes rows that no read at or after the compact revision can need: every row superseded
// by a later row at or below it, and tombstones at or below it. Each row except creates points at its
// predecessor (prev_revision), so compacting (from, to] is "delete the predecessors of rows in (from, to]
// and the tombstones in (from, to]" — incremental, done in bounded transactions.

import Database from 'better-sqlite3';
import { pino, type Logger } from 'pino';
import {
  StorageError,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Storage,
  type StorageWatchEvent,
  type StorageWatcher,
  type WatchHandlers,
  type WatchOptions,
} from '../interface.js';
import { compareKeys, prefixUpperBound } from '../keys.js';
import { deliverEvents, deliverProgress, type ProgressWatchHandlers } from '../progress.js';

export interface SqliteStorageOptions {
  /** Database file (created when missing). ':memory:' works for tests (no persistence). */
  path: string;
  /** Period of automatic compaction in milliseconds (default 60 000; 0 disables it). */
  compactInterval?: number;
  /** Revisions of history automatic compaction keeps behind the current revision (default 10 000). */
  compactKeep?: number;
  logger?: Logger;
  /** Hold an exclusive lock on the database file while open (default true). */
  exclusive?: boolean;
  /** Milliseconds to wait for a lock held by another connection before failing (default 5000). */
  busyTimeout?: number;
  /** Maximum rows read per step when a watch replays history (default 1000). */
  watchReplayBatch?: number;
  /** Maximum revisions scanned per step when a watch replays history (default 20 000). */
  watchReplaySpan?: number;
  /** Revisions compacted per transaction (default 10 000); compaction yields to the event loop between. */
  compactBatch?: number;
}

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS kv (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS kv_name_id_deleted ON kv (name, id, deleted);
CREATE TABLE IF NOT EXISTS current (
  name TEXT PRIMARY KEY,
  id INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
`;

// A BLOB sorts after every TEXT value in SQLite, so `name < X'FF'` is an upper bound that every key
// satisfies; it lets one prepared statement serve both bounded prefixes and the whole key space.
const NO_UPPER_BOUND = Buffer.from([0xff]);

interface CurrentRow {
  id: number;
  createRevision: number;
  value: string;
}

interface HistoryRow {
  id: number;
  deleted: number;
  createRevision: number;
  value: string;
}

/** id, name, created, deleted, create_revision, prev_revision, value, value of the prev_revision row */
type ReplayRow = [number, string, number, number, number, number, string, string | null];

interface PendingEvent {
  rev: number;
  key: string;
  event: StorageWatchEvent;
}

interface Watcher {
  readonly prefix: string;
  readonly handlers: ProgressWatchHandlers;
  readonly lo: string;
  readonly hi: string | Buffer;
  /** Events with a revision <= lastRev are never delivered to this watcher. */
  lastRev: number;
  /** Live watchers receive events from the write path; others are still replaying history. */
  live: boolean;
  closed: boolean;
}

function rangeOf(prefix: string): { lo: string; hi: string | Buffer } {
  return { lo: prefix, hi: prefixUpperBound(prefix) ?? NO_UPPER_BOUND };
}

function isSqliteError(err: unknown): err is Error & { code: string } {
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'string' && err.name === 'SqliteError';
}

function wrapError(err: unknown, what: string): StorageError {
  if (err instanceof StorageError) return err;
  if (isSqliteError(err)) {
    const transient = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN|READONLY|PROTOCOL)/.test(err.code);
    return new StorageError(transient ? 'Unavailable' : 'Internal', `sqlite: ${what}: ${err.message} (${err.code})`);
  }
  return new StorageError('Internal', `sqlite: ${what}: ${err instanceof Error ? err.message : String(err)}`);
}

function validateKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new StorageError('Internal', 'storage keys must be non-empty strings', key);
}

function validateValue(key: string, value: string): void {
  if (typeof value !== 'string') throw new StorageError('Internal', `value of ${key} must be a string`, key);
}

export class SqliteStorage implements Storage {
  readonly name = 'sqlite';

  private readonly db: Database.Database;
  private readonly log: Logger;
  private rev: number;
  private compactRev: number;
  private closed = false;
  private readonly watchers = new Set<Watcher>();
  private pending: PendingEvent[] = [];
  private flushScheduled = false;
  private compactTimer: NodeJS.Timeout | undefined;
  private compacting: Promise<void> = Promise.resolve();
  private readonly replayBatch: number;
  private readonly replaySpan: number;
  private readonly compactBatch: number;

  private readonly st: ReturnType<typeof prepare>;
  private readonly txCreate: (key: string, value: string, rev: number) => void;
  private readonly txUpdate: (key: string, value: string, rev: number, createRevision: number, prevRevision: number) => void;
  private readonly txDelete: (key: string, value: string, rev: number, createRevision: number, prevRevision: number) => void;
  private readonly txCompact: (from: number, to: number, rev: number) => void;

  /** Opens (creating when needed) the database at opts.path. Throws StorageError('Unavailable') when locked. */
  static open(opts: SqliteStorageOptions): SqliteStorage {
    return new SqliteStorage(opts);
  }

  private constructor(opts: SqliteStorageOptions) {
    // A given logger is used as is (the caller chooses its bindings; pino repeats duplicate keys).
    this.log = opts.logger ?? pino({ level: 'warn' }).child({ component: 'storage', backend: 'sqlite' });
    this.replayBatch = Math.max(1, opts.watchReplayBatch ?? 1000);
    this.replaySpan = Math.max(1, opts.watchReplaySpan ?? 20_000);
    this.compactBatch = Math.max(1, opts.compactBatch ?? 10_000);
    let db: Database.Database | undefined;
    try {
      db = new Database(opts.path, { timeout: opts.busyTimeout ?? 5000 });
      if (opts.exclusive ?? true) db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('cache_size = -65536'); // 64 MiB of page cache
      db.pragma('journal_size_limit = 67108864'); // truncate a WAL that grew past 64 MiB after checkpoints
      // BEGIN EXCLUSIVE takes the write lock, which EXCLUSIVE locking mode then keeps until close: a
      // second process opening the same file fails here, even if this one never writes.
      db.exec('BEGIN EXCLUSIVE');
      try {
        db.exec(SCHEMA);
        const version = (db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).get() as { value: number } | undefined)?.value;
        if (version === undefined) db.prepare(`INSERT INTO meta (key, value) VALUES ('schema_version', ?)`).run(SCHEMA_VERSION);
        else if (version > SCHEMA_VERSION) {
          throw new StorageError('Internal', `sqlite: ${opts.path} has schema version ${version}, newer than this binary's ${SCHEMA_VERSION}; upgrade the binary`);
        }
        db.exec('COMMIT');
      } catch (err) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw err;
      }
    } catch (err) {
      db?.close();
      const e = wrapError(err, `opening ${opts.path}`);
      if (isSqliteError(err) && err.code.startsWith('SQLITE_BUSY')) {
        throw new StorageError('Unavailable', `sqlite: ${opts.path} is locked by another process (is another apiserver using this data dir?)`);
      }
      throw e;
    }
    this.db = db;
    this.st = prepare(db);

    const metaRev = this.st.getMeta.get('revision') as { value: number } | undefined;
    const seq = db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'kv'`).get() as { seq: number } | undefined;
    const maxId = db.prepare(`SELECT max(id) AS id FROM kv`).get() as { id: number | null };
    this.rev = Math.max(metaRev?.value ?? 0, seq?.seq ?? 0, maxId.id ?? 0);
    this.compactRev = (this.st.getMeta.get('compact_revision') as { value: number } | undefined)?.value ?? 0;

    const st = this.st;
    this.txCreate = db.transaction((key: string, value: string, rev: number) => {
      st.insert.run(rev, key, 1, 0, rev, 0, value);
      st.setCurrent.run(key, rev);
    });
    this.txUpdate = db.transaction((key: string, value: string, rev: number, createRevision: number, prevRevision: number) => {
      st.insert.run(rev, key, 0, 0, createRevision, prevRevision, value);
      st.setCurrent.run(key, rev);
    });
    this.txDelete = db.transaction((key: string, value: string, rev: number, createRevision: number, prevRevision: number) => {
      st.insert.run(rev, key, 0, 1, createRevision, prevRevision, value);
      st.deleteCurrent.run(key);
    });
    this.txCompact = db.transaction((from: number, to: number, rev: number) => {
      st.compactSuperseded.run(from, to);
      st.compactTombstones.run(from, to);
      st.setMeta.run('compact_revision', to);
      st.setMeta.run('revision', rev);
    });

    const interval = opts.compactInterval ?? 60_000;
    const keep = Math.max(0, opts.compactKeep ?? 10_000);
    if (interval > 0) {
      this.compactTimer = setInterval(() => this.autoCompact(keep), interval);
      this.compactTimer.unref();
    }
    this.log.debug({ path: opts.path, revision: this.rev, compactRevision: this.compactRev }, 'opened');
  }

  // ---- reads ----

  async get(key: string, revision?: number): Promise<KeyValue | undefined> {
    this.ensureOpen();
    try {
      const at = this.readRevision(revision);
      if (at === this.rev) {
        const row = this.st.getCurrent.get(key) as CurrentRow | undefined;
        return row && { key, value: row.value, createRevision: row.createRevision, modRevision: row.id };
      }
      const row = this.st.getAt.get(key, at) as HistoryRow | undefined;
      if (!row || row.deleted) return undefined;
      return { key, value: row.value, createRevision: row.createRevision, modRevision: row.id };
    } catch (err) {
      throw wrapError(err, `get ${key}`);
    }
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.ensureOpen();
    try {
      const at = this.readRevision(opts.revision);
      const { hi } = rangeOf(prefix);
      let lo = prefix;
      if (opts.startAfter !== undefined && compareKeys(opts.startAfter, prefix) >= 0) lo = opts.startAfter + '\u0000';
      const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
      const latest = at === this.rev;
      const raw = (latest ? this.st.listCurrent : this.st.listAt).all(
        latest ? { lo, hi, limit: limit ? limit + 1 : -1 } : { lo, hi, rev: at, limit: limit ? limit + 1 : -1 },
      ) as [string, string, number, number][];
      // raw rows + literal objects: markedly cheaper than better-sqlite3's named-column objects
      const rows = new Array<KeyValue>(raw.length);
      for (let i = 0; i < raw.length; i++) {
        const r = raw[i]!;
        rows[i] = { key: r[0], value: r[1], createRevision: r[2], modRevision: r[3] };
      }
      if (!limit || rows.length <= limit) return { kvs: rows, revision: at, more: false };
      rows.length = limit;
      const after = rows[limit - 1]!.key + '\u0000';
      const remaining = latest
        ? (this.st.countCurrent.get(after, hi) as { n: number }).n
        : (this.st.countAt.get({ lo: after, hi, rev: at }) as { n: number }).n;
      return { kvs: rows, revision: at, more: true, remaining };
    } catch (err) {
      throw wrapError(err, `list ${prefix}`);
    }
  }

  async count(prefix: string): Promise<number> {
    this.ensureOpen();
    try {
      const { lo, hi } = rangeOf(prefix);
      return (this.st.countCurrent.get(lo, hi) as { n: number }).n;
    } catch (err) {
      throw wrapError(err, `count ${prefix}`);
    }
  }

  async currentRevision(): Promise<number> {
    this.ensureOpen();
    return this.rev;
  }

  async compactRevision(): Promise<number> {
    this.ensureOpen();
    return this.compactRev;
  }

  // ---- writes ----
  // Checks run before the transaction: this connection is the only one (exclusive lock) and the code
  // between the check and the commit is synchronous, so nothing can interleave.

  async create(key: string, value: string): Promise<KeyValue> {
    this.ensureOpen();
    validateKey(key);
    validateValue(key, value);
    let kv: KeyValue;
    try {
      if (this.st.hasCurrent.get(key)) throw new StorageError('KeyExists', `key ${key} already exists`, key);
      const rev = this.rev + 1;
      this.txCreate(key, value, rev);
      this.rev = rev;
      kv = { key, value, createRevision: rev, modRevision: rev };
    } catch (err) {
      throw wrapError(err, `create ${key}`);
    }
    this.emit(key, { type: 'put', kv });
    return kv;
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    this.ensureOpen();
    validateKey(key);
    validateValue(key, value);
    let kv: KeyValue;
    let prevKv: KeyValue;
    try {
      const cur = this.st.getCurrent.get(key) as CurrentRow | undefined;
      if (!cur) throw new StorageError('KeyNotFound', `key ${key} not found`, key);
      if (cur.id !== expectedModRevision) {
        throw new StorageError('Conflict', `key ${key} was modified at revision ${cur.id}, expected ${expectedModRevision}`, key, cur.id);
      }
      const rev = this.rev + 1;
      this.txUpdate(key, value, rev, cur.createRevision, cur.id);
      this.rev = rev;
      prevKv = { key, value: cur.value, createRevision: cur.createRevision, modRevision: cur.id };
      kv = { key, value, createRevision: cur.createRevision, modRevision: rev };
    } catch (err) {
      throw wrapError(err, `update ${key}`);
    }
    this.emit(key, { type: 'put', kv, prevKv });
    return kv;
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    this.ensureOpen();
    validateKey(key);
    let kv: KeyValue;
    let prevKv: KeyValue;
    try {
      const cur = this.st.getCurrent.get(key) as CurrentRow | undefined;
      if (!cur) throw new StorageError('KeyNotFound', `key ${key} not found`, key);
      if (expectedModRevision !== undefined && cur.id !== expectedModRevision) {
        throw new StorageError('Conflict', `key ${key} was modified at revision ${cur.id}, expected ${expectedModRevision}`, key, cur.id);
      }
      const rev = this.rev + 1;
      this.txDelete(key, cur.value, rev, cur.createRevision, cur.id);
      this.rev = rev;
      prevKv = { key, value: cur.value, createRevision: cur.createRevision, modRevision: cur.id };
      kv = { key, value: cur.value, createRevision: cur.createRevision, modRevision: rev };
    } catch (err) {
      throw wrapError(err, `delete ${key}`);
    }
    this.emit(key, { type: 'delete', kv, prevKv });
    return kv;
  }

  // ---- watch ----

  watch(prefix: string, opts: WatchOptions, handlers: WatchHandlers): StorageWatcher {
    this.ensureOpen();
    const w: Watcher = {
      prefix,
      handlers: handlers as ProgressWatchHandlers,
      ...rangeOf(prefix),
      lastRev: Math.max(0, opts.afterRevision || 0),
      live: false,
      closed: false,
    };
    const closer: StorageWatcher = {
      close: () => {
        w.closed = true;
        this.watchers.delete(w);
      },
    };
    if (w.lastRev < this.compactRev) {
      const err = this.compactedError(w.lastRev);
      queueMicrotask(() => this.fail(w, err));
      return closer;
    }
    this.watchers.add(w);
    if (w.lastRev >= this.rev) {
      // Nothing to replay: every later event goes through the write path (including writes committed
      // before this call whose delivery is still pending: their revision is > lastRev only if > this.rev).
      w.live = true;
    } else {
      setImmediate(() => this.replayStep(w));
    }
    return closer;
  }

  /** Reads one bounded step of history for a replaying watcher, then either continues or goes live. */
  private replayStep(w: Watcher): void {
    if (w.closed || this.closed) return;
    if (w.lastRev < this.compactRev) {
      this.fail(w, this.compactedError(w.lastRev));
      return;
    }
    let rows: ReplayRow[];
    const hi = Math.min(this.rev, w.lastRev + this.replaySpan);
    try {
      rows = this.st.replay.all({ after: w.lastRev, upto: hi, lo: w.lo, hi: w.hi, limit: this.replayBatch }) as ReplayRow[];
    } catch (err) {
      this.fail(w, wrapError(err, `watch ${w.prefix}`));
      return;
    }
    const full = rows.length === this.replayBatch;
    if (rows.length > 0) {
      const events = rows.map(rowToEvent);
      w.lastRev = rows[rows.length - 1]![0];
      this.deliver(w, events);
      if (w.closed || this.closed) return;
    }
    if (!full) w.lastRev = Math.max(w.lastRev, hi);
    if (w.lastRev >= this.rev) {
      // Caught up, synchronously with the read: events not yet flushed have revisions <= this.rev and
      // were just read from the table; lastRev filters them out of the flush, later ones go live.
      w.lastRev = this.rev;
      w.live = true;
      this.progress(w, w.lastRev);
    } else {
      setImmediate(() => this.replayStep(w));
    }
  }

  private emit(key: string, event: StorageWatchEvent): void {
    if (this.watchers.size === 0) return;
    this.pending.push({ rev: event.kv.modRevision, key, event });
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (this.closed || batch.length === 0) return;
    const maxRev = batch[batch.length - 1]!.rev;
    for (const w of this.watchers) {
      if (!w.live || w.closed || w.lastRev >= maxRev) continue;
      let out: StorageWatchEvent[] | undefined;
      for (const p of batch) {
        if (p.rev > w.lastRev && p.key.startsWith(w.prefix)) (out ??= []).push(p.event);
      }
      w.lastRev = maxRev;
      if (out) this.deliver(w, out);
      if (!w.closed && !this.closed) this.progress(w, maxRev);
      if (this.closed) return;
    }
  }

  private deliver(w: Watcher, events: StorageWatchEvent[]): void {
    deliverEvents(this.log, w, events);
  }

  private progress(w: Watcher, revision: number): void {
    deliverProgress(this.log, w, revision);
  }

  private fail(w: Watcher, err: StorageError): void {
    if (w.closed || this.closed) return;
    w.closed = true;
    this.watchers.delete(w);
    try {
      w.handlers.onError(err);
    } catch (e) {
      this.log.error({ err: e, prefix: w.prefix }, 'watch handler onError threw');
    }
  }

  // ---- compaction ----

  async compact(revision: number): Promise<void> {
    this.ensureOpen();
    const run = this.compacting.then(() => this.compactTo(revision));
    this.compacting = run.catch(() => undefined);
    return run;
  }

  private async compactTo(target: number): Promise<void> {
    if (target > this.rev) {
      throw new StorageError('Internal', `cannot compact to revision ${target}: the current revision is ${this.rev}`);
    }
    const started = this.compactRev;
    while (this.compactRev < target) {
      if (this.closed) throw new StorageError('Unavailable', 'storage closed during compaction');
      const from = this.compactRev;
      const to = Math.min(target, from + this.compactBatch);
      try {
        this.txCompact(from, to, this.rev);
      } catch (err) {
        throw wrapError(err, `compact to ${to}`);
      }
      this.compactRev = to;
      if (to < target) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (target > started) this.log.debug({ from: started, to: target }, 'compacted');
  }

  private autoCompact(keep: number): void {
    if (this.closed) return;
    const target = this.rev - keep;
    if (target <= this.compactRev) return;
    this.compact(target).catch((err: unknown) => {
      if (!this.closed) this.log.warn({ err, target }, 'automatic compaction failed');
    });
  }

  // ---- lifecycle ----

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.compactTimer) clearInterval(this.compactTimer);
    for (const w of this.watchers) w.closed = true;
    this.watchers.clear();
    this.pending = [];
    await this.compacting;
    this.db.close();
    this.log.debug('closed');
  }

  // ---- helpers ----

  private ensureOpen(): void {
    if (this.closed) throw new StorageError('Unavailable', 'sqlite storage is closed');
  }

  /** The revision a read runs at: latest when 0/undefined; Compacted below the compaction point. */
  private readRevision(revision: number | undefined): number {
    if (!revision || revision <= 0) return this.rev;
    if (revision < this.compactRev) throw this.compactedError(revision);
    if (revision > this.rev) {
      throw new StorageError('Unavailable', `revision ${revision} is newer than the current revision ${this.rev} (too large resource version)`);
    }
    return revision;
  }

  private compactedError(revision: number): StorageError {
    return new StorageError(
      'Compacted',
      `revision ${revision} has been compacted; the oldest available revision is ${this.compactRev}`,
      undefined,
      this.compactRev,
    );
  }
}

function rowToEvent([id, key, created, deleted, createRevision, prevRevision, value, prevValue]: ReplayRow): StorageWatchEvent {
  if (deleted) {
    return {
      type: 'delete',
      kv: { key, value, createRevision, modRevision: id },
      prevKv: { key, value, createRevision, modRevision: prevRevision },
    };
  }
  const kv: KeyValue = { key, value, createRevision, modRevision: id };
  if (created || prevValue === null) return { type: 'put', kv };
  return { type: 'put', kv, prevKv: { key, value: prevValue, createRevision, modRevision: prevRevision } };
}

function prepare(db: Database.Database) {
  return {
    getMeta: db.prepare(`SELECT value FROM meta WHERE key = ?`),
    setMeta: db.prepare(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`),
    hasCurrent: db.prepare(`SELECT 1 FROM current WHERE name = ?`).pluck(),
    getCurrent: db.prepare(
      `SELECT k.id AS id, k.create_revision AS createRevision, k.value AS value
       FROM current c JOIN kv k ON k.id = c.id WHERE c.name = ?`,
    ),
    getAt: db.prepare(
      `SELECT id, deleted, create_revision AS createRevision, value
       FROM kv WHERE name = ? AND id <= ? ORDER BY id DESC LIMIT 1`,
    ),
    listCurrent: db
      .prepare(
        `SELECT c.name, k.value, k.create_revision, k.id
         FROM current c JOIN kv k ON k.id = c.id
         WHERE c.name >= @lo AND c.name < @hi ORDER BY c.name LIMIT @limit`,
      )
      .raw(),
    countCurrent: db.prepare(`SELECT count(*) AS n FROM current WHERE name >= ? AND name < ?`),
    // The latest row at or below @rev of each key, walking the (name, id, deleted) index in key order, so
    // a page stops after @limit rows and the count never touches the table.
    listAt: db
      .prepare(
        `SELECT k.name, k.value, k.create_revision, k.id
         FROM kv k
         WHERE k.name >= @lo AND k.name < @hi AND k.id <= @rev AND k.deleted = 0
           AND NOT EXISTS (SELECT 1 FROM kv n WHERE n.name = k.name AND n.id > k.id AND n.id <= @rev)
         ORDER BY k.name LIMIT @limit`,
      )
      .raw(),
    countAt: db.prepare(
      `SELECT count(*) AS n FROM kv k
       WHERE k.name >= @lo AND k.name < @hi AND k.id <= @rev AND k.deleted = 0
         AND NOT EXISTS (SELECT 1 FROM kv n WHERE n.name = k.name AND n.id > k.id AND n.id <= @rev)`,
    ),
    // `+k.name` keeps the planner on the rowid range: the cost of a step is bounded by the id span.
    replay: db
      .prepare(
        `SELECT k.id, k.name, k.created, k.deleted, k.create_revision, k.prev_revision, k.value, p.value
         FROM kv k LEFT JOIN kv p ON p.id = k.prev_revision AND k.deleted = 0 AND k.created = 0
         WHERE k.id > @after AND k.id <= @upto AND +k.name >= @lo AND +k.name < @hi
         ORDER BY k.id LIMIT @limit`,
      )
      .raw(),
    insert: db.prepare(
      `INSERT INTO kv (id, name, created, deleted, create_revision, prev_revision, value) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    setCurrent: db.prepare(`INSERT INTO current (name, id) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET id = excluded.id`),
    deleteCurrent: db.prepare(`DELETE FROM current WHERE name = ?`),
    compactSuperseded: db.prepare(
      `DELETE FROM kv WHERE id IN (SELECT prev_revision FROM kv WHERE id > ? AND id <= ? AND prev_revision > 0)`,
    ),
    compactTombstones: db.prepare(`DELETE FROM kv WHERE id > ? AND id <= ? AND deleted = 1`),
  };
}
