// The karmada-agent's durable local store: edge autonomy in the way of KubeEdge's edged/metamanager.
//
// Why: an edge member sits behind links that drop for minutes, and the agent may be restarted (or
// killed) while the control plane is out of reach. To keep its member right it needs the last desired
// state it saw (the Works, its Cluster) without asking the control plane, and status reports must not
// be lost in the meantime. So the agent's informers are mirrored here, with the resourceVersion their
// next watch resumes from, and a restarted agent starts its informers from this snapshot
// (InformerOptions.initialState): synced at once, reconciling its member from the store, then catching
// up with a watch from the saved resourceVersion (or a relist that emits the differences on 410).
//
// Writes are batched into one transaction per tick: a relist of thousands of Works costs one commit,
// not thousands. SQLite in WAL mode with synchronous=NORMAL keeps every committed transaction across a
// kill -9; at worst the last tick is lost. That is safe: objects and their resourceVersion are saved in
// the same transaction, so the saved resume point is never newer than the saved objects, and a resumed
// watch redelivers whatever came after it. The outbox (outbox.ts) keeps its rows in the same database.
//
// One process per data dir: the database is held in EXCLUSIVE locking mode, so a second agent pointed
// at the same --data-dir fails at once instead of two agents interleaving their writes.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { pino, type Logger } from 'pino';
import type { Informer } from '../../runtime/informer.js';
import type { KubeObject } from '../../runtime/types.js';

export const AGENT_DB_FILE = 'agent.db';

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS objects (
  informer TEXT NOT NULL,
  key TEXT NOT NULL,
  resource_version TEXT NOT NULL,
  json TEXT NOT NULL,
  PRIMARY KEY (informer, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS informers (
  name TEXT PRIMARY KEY,
  resource_version TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outbox (
  key TEXT PRIMARY KEY,
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  uid TEXT NOT NULL,
  seq INTEGER NOT NULL,
  first_seq INTEGER NOT NULL,
  status TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
`;

export interface AgentStoreOptions {
  dataDir: string;
  logger?: Logger;
  /** How long writes are gathered before one transaction commits them (default 100 ms). */
  flushIntervalMs?: number;
  /** How often a persisted informer's resourceVersion is checked for changes no event told of, e.g. bookmarks (default 5 000 ms). */
  resourceVersionCheckMs?: number;
}

/** One coalesced Work status report waiting for delivery (see outbox.ts). */
export interface OutboxRow {
  /** namespace/name of the Work. */
  key: string;
  namespace: string;
  name: string;
  /** The Work's uid when the report was made: a report never lands on a re-created Work. */
  uid: string;
  /** Sequence of the newest write merged into the row. */
  seq: number;
  /** Sequence of the first write (delivery order: oldest first). */
  firstSeq: number;
  /** Top-level work.status keys to merge-patch. */
  status: Record<string, unknown>;
}

interface Mirror {
  informer: Informer<KubeObject>;
  unsubscribe: () => void;
  /** key -> resourceVersion of what the database holds (skips rewriting what is already there). */
  stored: Map<string, string>;
  storedRV: string | undefined;
  /** key -> object to write, or null to delete. */
  pending: Map<string, KubeObject | null>;
  /** Keys left from an earlier run that the informer no longer has are deleted once it has synced. */
  reconciled: boolean;
}

export class AgentStore {
  readonly path: string;
  /** Committed transactions and the rows they wrote (tests, metrics). */
  readonly stats = { transactions: 0, rows: 0 };
  private readonly db: Database.Database;
  private readonly log: Logger;
  private readonly flushIntervalMs: number;
  private readonly mirrors = new Map<string, Mirror>();
  private readonly outboxPending = new Map<string, OutboxRow | null>();
  private flushTimer: NodeJS.Timeout | undefined;
  private rvTimer: NodeJS.Timeout | undefined;
  private readonly rvCheckMs: number;
  private closed = false;
  private readonly st: ReturnType<typeof prepare>;

  /** Opens (creating when needed) <dataDir>/agent.db. */
  static open(opts: AgentStoreOptions): AgentStore {
    return new AgentStore(opts);
  }

  private constructor(opts: AgentStoreOptions) {
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'agent-store' });
    this.flushIntervalMs = opts.flushIntervalMs ?? 100;
    this.rvCheckMs = opts.resourceVersionCheckMs ?? 5000;
    mkdirSync(opts.dataDir, { recursive: true });
    this.path = path.join(opts.dataDir, AGENT_DB_FILE);
    let db: Database.Database | undefined;
    try {
      db = new Database(this.path, { timeout: 1000 });
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      // the write lock is kept until close in EXCLUSIVE mode: a second agent on this dir fails here
      db.exec('BEGIN EXCLUSIVE');
      try {
        db.exec(SCHEMA);
        const version = (db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).get() as { value: string } | undefined)?.value;
        if (version === undefined) db.prepare(`INSERT INTO meta (key, value) VALUES ('schema_version', ?)`).run(String(SCHEMA_VERSION));
        else if (Number(version) > SCHEMA_VERSION) {
          throw new Error(`${this.path} has schema version ${version}, newer than this karmada-agent's ${SCHEMA_VERSION}; upgrade the agent or give it an empty --data-dir`);
        }
        db.exec('COMMIT');
      } catch (err) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw err;
      }
    } catch (err) {
      db?.close();
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) {
        throw new Error(`${this.path} is locked by another process: is another karmada-agent using this --data-dir? Give each agent its own.`);
      }
      throw err;
    }
    this.db = db;
    this.st = prepare(db);
  }

  /** The persisted objects + resourceVersion of one informer (e.g. 'works', 'cluster'), if any. */
  snapshot<T extends KubeObject>(name: string): { items: T[]; resourceVersion: string } | undefined {
    this.assertOpen();
    this.flush();
    const rv = this.st.getRV.get(name) as { resource_version: string } | undefined;
    if (!rv) return undefined;
    const items: T[] = [];
    for (const row of this.st.listObjects.iterate(name) as Iterable<{ json: string }>) items.push(JSON.parse(row.json) as T);
    return { items, resourceVersion: rv.resource_version };
  }

  /** Mirrors the informer into the store (objects on add/update/delete, its resourceVersion); returns stop. */
  persist<T extends KubeObject>(name: string, informer: Informer<T>): () => void {
    this.assertOpen();
    if (this.mirrors.has(name)) throw new Error(`informer "${name}" is already persisted in ${this.path}; persist each informer once`);
    const stored = new Map<string, string>();
    for (const row of this.st.listKeys.iterate(name) as Iterable<{ key: string; resource_version: string }>) stored.set(row.key, row.resource_version);
    const storedRV = (this.st.getRV.get(name) as { resource_version: string } | undefined)?.resource_version;
    const inf = informer as unknown as Informer<KubeObject>;
    const mirror: Mirror = { informer: inf, unsubscribe: () => undefined, stored, storedRV, pending: new Map(), reconciled: false };
    this.mirrors.set(name, mirror);
    const upsert = (obj: KubeObject) => {
      const key = inf.indexer.keyFunc(obj);
      const rv = obj.metadata?.resourceVersion ?? '';
      // the add replayed for an object the database already holds at this version is not rewritten
      if (rv && !mirror.pending.has(key) && mirror.stored.get(key) === rv) return;
      mirror.pending.set(key, obj);
      this.schedule();
    };
    // handlers registered on a synced informer get its cache replayed as adds: that fills the mirror
    mirror.unsubscribe = inf.addEventHandler({
      onAdd: upsert,
      onUpdate: (_, obj) => upsert(obj),
      onDelete: (obj) => {
        mirror.pending.set(inf.indexer.keyFunc(obj), null);
        this.schedule();
      },
    });
    this.schedule();
    if (!this.rvTimer) {
      // bookmarks and unchanged relists move the resume point without any event
      this.rvTimer = setInterval(() => {
        for (const m of this.mirrors.values()) if (m.informer.resourceVersion !== m.storedRV) this.schedule();
      }, this.rvCheckMs);
      this.rvTimer.unref();
    }
    return () => {
      if (this.mirrors.get(name) !== mirror) return;
      if (!this.closed) this.flush();
      mirror.unsubscribe();
      this.mirrors.delete(name);
    };
  }

  // ---- the outbox's rows (used by StatusOutbox) ----

  /** Every outbox row, oldest first. */
  outboxRows(): OutboxRow[] {
    this.assertOpen();
    this.flush();
    const rows = this.st.listOutbox.all() as { key: string; namespace: string; name: string; uid: string; seq: number; first_seq: number; status: string }[];
    return rows.map((r) => ({ key: r.key, namespace: r.namespace, name: r.name, uid: r.uid, seq: r.seq, firstSeq: r.first_seq, status: JSON.parse(r.status) as Record<string, unknown> }));
  }

  /** Queues a row to be written with the next transaction. */
  putOutboxRow(row: OutboxRow): void {
    this.assertOpen();
    this.outboxPending.set(row.key, row);
    this.schedule();
  }

  /** Queues a row's removal with the next transaction. */
  deleteOutboxRow(key: string): void {
    this.assertOpen();
    this.outboxPending.set(key, null);
    this.schedule();
  }

  /** Writes everything gathered so far in one transaction. */
  flush(): void {
    if (this.closed) return;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const writes: { mirror: Mirror; name: string; rv: string | undefined; stale: string[] }[] = [];
    for (const [name, m] of this.mirrors) {
      const rv = m.informer.resourceVersion;
      // stale keys (from a run before this one) are known only once the informer has a full picture
      const stale = !m.reconciled && m.informer.hasSynced() ? [...m.stored.keys()].filter((k) => !m.informer.indexer.has(k) && !m.pending.has(k)) : [];
      const rvChanged = rv !== '' && rv !== m.storedRV && m.informer.hasSynced();
      if (m.pending.size || stale.length || rvChanged || (!m.reconciled && m.informer.hasSynced())) writes.push({ mirror: m, name, rv: rvChanged ? rv : undefined, stale });
    }
    if (!writes.length && !this.outboxPending.size) return;
    const st = this.st;
    let rows = 0;
    try {
      this.db.transaction(() => {
        for (const w of writes) {
          for (const [key, obj] of w.mirror.pending) {
            if (obj) st.putObject.run(w.name, key, obj.metadata?.resourceVersion ?? '', JSON.stringify(obj));
            else st.deleteObject.run(w.name, key);
          }
          for (const key of w.stale) st.deleteObject.run(w.name, key);
          if (w.rv !== undefined) st.putRV.run(w.name, w.rv);
          rows += w.mirror.pending.size + w.stale.length;
        }
        for (const [key, row] of this.outboxPending) {
          if (row) st.putOutbox.run(key, row.namespace, row.name, row.uid, row.seq, row.firstSeq, JSON.stringify(row.status));
          else st.deleteOutbox.run(key);
        }
        rows += this.outboxPending.size;
      })();
    } catch (err) {
      // kept pending: the next tick tries again (e.g. after the disk got space back)
      this.log.error({ err: err instanceof Error ? err.message : String(err), file: this.path }, 'writing the agent store failed; retrying');
      this.schedule();
      return;
    }
    this.stats.transactions++;
    this.stats.rows += rows;
    for (const w of writes) {
      const m = w.mirror;
      for (const [key, obj] of m.pending) {
        if (obj) m.stored.set(key, obj.metadata?.resourceVersion ?? '');
        else m.stored.delete(key);
      }
      m.pending.clear();
      for (const key of w.stale) m.stored.delete(key);
      if (w.rv !== undefined) m.storedRV = w.rv;
      if (m.informer.hasSynced()) m.reconciled = true;
    }
    this.outboxPending.clear();
  }

  /** Flushes, stops mirroring and closes the database (idempotent). */
  close(): void {
    if (this.closed) return;
    this.flush();
    for (const m of this.mirrors.values()) m.unsubscribe();
    this.mirrors.clear();
    if (this.rvTimer) clearInterval(this.rvTimer);
    this.rvTimer = undefined;
    this.closed = true;
    this.db.close();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private schedule(): void {
    if (this.closed || this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flush();
    }, this.flushIntervalMs);
    this.flushTimer.unref();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`the agent store ${this.path} is closed`);
  }
}

function prepare(db: Database.Database) {
  return {
    getRV: db.prepare(`SELECT resource_version FROM informers WHERE name = ?`),
    putRV: db.prepare(`INSERT INTO informers (name, resource_version) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET resource_version = excluded.resource_version`),
    listObjects: db.prepare(`SELECT json FROM objects WHERE informer = ? ORDER BY key`),
    listKeys: db.prepare(`SELECT key, resource_version FROM objects WHERE informer = ?`),
    putObject: db.prepare(
      `INSERT INTO objects (informer, key, resource_version, json) VALUES (?, ?, ?, ?) ON CONFLICT (informer, key) DO UPDATE SET resource_version = excluded.resource_version, json = excluded.json`,
    ),
    deleteObject: db.prepare(`DELETE FROM objects WHERE informer = ? AND key = ?`),
    listOutbox: db.prepare(`SELECT key, namespace, name, uid, seq, first_seq, status FROM outbox ORDER BY first_seq`),
    putOutbox: db.prepare(
      `INSERT INTO outbox (key, namespace, name, uid, seq, first_seq, status) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET namespace = excluded.namespace, name = excluded.name, uid = excluded.uid, seq = excluded.seq, first_seq = excluded.first_seq, status = excluded.status`,
    ),
    deleteOutbox: db.prepare(`DELETE FROM outbox WHERE key = ?`),
  };
}
