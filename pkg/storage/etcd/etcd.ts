// Storage on etcd (v3 API, through the etcd3 client's gRPC stubs).
//
// Keys are stored as given (the API server builds /registry/<group>/<resource>/[<ns>/]<name>), values are
// the serialized objects, and every revision is etcd's: resourceVersion = mod_revision.
//
//  - create: a transaction `create_revision(key) == 0 ? put`;
//  - update: `mod_revision(key) == expected ? put (prev_kv) : range(key)` — the failure branch tells
//    Conflict (with the current mod_revision) from KeyNotFound in the same round trip;
//  - delete: delete_range with prev_kv, guarded by `mod_revision == expected` when one is given;
//  - get / list / count: range requests (at a revision, with limit, count for `remaining`), linearizable;
//  - currentRevision: the header of a (tiny) linearizable range; compact: etcd's Compact RPC.
//
// Watches. Every mutation of etcd's key space bumps the revision and every revision holds at least one
// event (a transaction that writes nothing does not bump it; compaction, leases without keys, members
// and auth do not touch the MVCC revision). So one etcd watch on the whole key space sees every revision
// in order: after its event of revision R, every event <= R has been seen. This gives exact progress
// notifications (ProgressWatchHandlers.onProgress) without etcd's progress requests, whose ordering
// against events is unreliable before etcd 3.4.25/3.5.8 (etcd-io/etcd#15220), and without a round trip.
//
// The storage therefore runs one shared etcd watch (the "hub") over the whole key space and fans its
// events out to in-process watchers by prefix, like the SQLite backend does from its write path. A watch
// from an older revision than the hub has reached gets its own whole-key-space etcd watch (a "replay"
// feed) from that revision, and moves onto the hub once it has caught up. Feeds reconnect by themselves
// after a broken stream (from their last revision + 1); a compacted restart point ends the affected
// watchers with Compacted. The etcd should be dedicated to this API server (as Kubernetes' and Karmada's
// are): the hub receives every write to it.
//
// gRPC failures (etcd down, timeouts, no leader) become StorageError('Unavailable'); the API server turns
// them into 504s with Retry-After. Reads are retried a couple of times first; writes only when the request
// provably never left (no connection), since a retried transaction that had in fact been applied would
// answer KeyExists/Conflict for the caller's own write.

import {
  ClientClosedError,
  Etcd3,
  GRPCCancelledError,
  GRPCDeadlineExceededError,
  GRPCInternalError,
  GRPCResourceExhastedError,
  GRPCUnavailableError,
  GRPCUnknownError,
  type IDuplexStream,
  type IEvent,
  type IKeyValue,
  type IOptions,
  type IRangeRequest,
  type IResponseHeader,
  type IWatchRequest,
  type IWatchResponse,
} from 'etcd3';
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
import { compareKeys } from '../keys.js';
import { deliverEvents, deliverProgress, type ProgressWatchHandlers } from '../progress.js';

export interface EtcdStorageOptions {
  /** Client URLs (http:// or https://), e.g. ['http://127.0.0.1:2379']. */
  endpoints: string[];
  /** TLS material (PEM) for https endpoints: CA to verify etcd, client certificate and key. */
  tls?: { ca?: string | Buffer; cert?: string | Buffer; key?: string | Buffer };
  /** Deadline of each unary request in milliseconds (default 10 000). */
  requestTimeoutMs?: number;
  logger?: Logger;
}

type Policy = NonNullable<NonNullable<IOptions['faultHandling']>['global']>;

/** Policies' calls are never aborted (deadlines are gRPC's): one shared signal, not one per call. */
const NEVER_ABORTED = new AbortController().signal;

/** A fault-handling policy that just runs the call: retries are decided here, per operation. */
const PASS_THROUGH = {
  execute: <T>(fn: (ctx: { signal: AbortSignal }) => PromiseLike<T> | T, signal?: AbortSignal) =>
    Promise.resolve().then(() => fn({ signal: signal ?? NEVER_ABORTED })),
} as unknown as Policy;

/** Thrown without calling a host that failed at the connection level a moment ago. */
class HostDownError extends Error {
  constructor(host: string) {
    super(`etcd endpoint ${host} is unreachable (retrying shortly)`);
    // the name etcd3 and notSent() know for "the call was not made"
    this.name = 'BrokenCircuitError';
  }
}

/**
 * Per-endpoint policy: after a connection-level failure the endpoint is skipped for a short while, so
 * etcd3's connection pool moves on to the next endpoint (it only does so for calls that were not made).
 */
function hostPolicy(host: string, downForMs: number): Policy {
  let downUntil = 0;
  return {
    execute: <T>(fn: (ctx: { signal: AbortSignal }) => PromiseLike<T> | T, signal?: AbortSignal): Promise<T> => {
      if (Date.now() < downUntil) return Promise.reject(new HostDownError(host));
      return Promise.resolve()
        .then(() => fn({ signal: signal ?? NEVER_ABORTED }))
        .catch((err: unknown) => {
          if (err instanceof GRPCUnavailableError || (err instanceof Error && err.constructor === Error && (err as { code?: number }).code === 14)) {
            downUntil = Date.now() + downForMs;
          }
          throw err;
        });
    },
  } as unknown as Policy;
}

const ZERO = Buffer.from([0]);
const READ_ATTEMPTS = 3;
const MAX_RECONNECT_DELAY_MS = 2000;

function toBuf(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}

/** The first key of a prefix range: etcd rejects an empty key, and '\0' is the smallest key. */
function rangeStart(prefix: Buffer): Buffer {
  return prefix.length ? prefix : ZERO;
}

/** The smallest key greater than every key with this prefix, as etcd's range_end ('\0' = no end). */
function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]! += 1;
      return end.subarray(0, i + 1);
    }
  }
  return ZERO;
}

function toKeyValue(kv: IKeyValue): KeyValue {
  return {
    key: kv.key.toString('utf8'),
    value: kv.value.toString('utf8'),
    createRevision: Number(kv.create_revision),
    modRevision: Number(kv.mod_revision),
  };
}

function rev(header: IResponseHeader | undefined | null): number {
  return Number(header?.revision ?? 0);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isBrokenCircuit(err: unknown): boolean {
  return err instanceof Error && (err.name === 'BrokenCircuitError' || err.name === 'IsolatedCircuitError');
}

/** The request never reached a server (no connection): safe to retry even a write. */
function notSent(err: unknown): boolean {
  return (
    isBrokenCircuit(err) ||
    (err instanceof GRPCUnavailableError && /No connection established|ECONNREFUSED|Name resolution failed|failed to connect/i.test(err.message))
  );
}

const TRANSIENT_MESSAGES =
  /etcdserver: (request timed out|leader changed|no leader|too many requests|server stopped|request cancelled|timed out waiting for read index)|mvcc: database space exceeded|connection (closed|dropped|reset)/i;

interface Watcher {
  readonly prefix: string;
  readonly handlers: ProgressWatchHandlers;
  /** Events with a revision <= lastRev are never delivered to this watcher. */
  lastRev: number;
  closed: boolean;
  feed?: Feed;
}

/**
 * One etcd watch over the whole key space from some revision, feeding a set of in-process watchers.
 * lastRev: every event with a revision <= lastRev has been received (and dispatched).
 */
class Feed {
  readonly watchers = new Set<Watcher>();
  private stream: IDuplexStream<IWatchRequest, IWatchResponse> | undefined;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  /** Increments per stream so callbacks of an abandoned stream are ignored. */
  private generation = 0;

  constructor(
    private readonly storage: EtcdStorage,
    public lastRev: number,
    readonly label: string,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  start(): void {
    if (this.closed || this.stream) return;
    const gen = ++this.generation;
    const startRevision = this.lastRev + 1;
    this.storage.watchClient
      .watch()
      .then((stream) => {
        if (this.closed || gen !== this.generation) {
          endStream(stream);
          return;
        }
        this.stream = stream;
        stream.on('data', (res: IWatchResponse) => {
          if (gen === this.generation && !this.closed) this.onResponse(res);
        });
        stream.on('error', (err: Error) => {
          if (gen === this.generation) this.onBroken(err);
        });
        stream.on('end', () => {
          if (gen === this.generation) this.onBroken(new Error('etcd closed the watch stream'));
        });
        stream.write({ create_request: { key: ZERO, range_end: ZERO, start_revision: startRevision, prev_kv: true } });
      })
      .catch((err: unknown) => {
        if (gen === this.generation) this.onBroken(err);
      });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.generation++;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.stream) endStream(this.stream);
    this.stream = undefined;
  }

  private onResponse(res: IWatchResponse): void {
    this.failures = 0;
    if (res.canceled) {
      const compactRev = Number(res.compact_revision || 0);
      this.abandonStream();
      if (compactRev > 0) this.storage.feedCompacted(this, compactRev);
      else this.storage.feedFailed(this, new StorageError('Internal', `etcd canceled the watch: ${res.cancel_reason || 'no reason given'}`));
      return;
    }
    if (res.created || res.events.length === 0) return;
    this.storage.dispatch(this, res.events);
  }

  private onBroken(err: unknown): void {
    if (this.closed) return;
    this.abandonStream();
    const delay = Math.min(MAX_RECONNECT_DELAY_MS, 100 * 2 ** Math.min(this.failures, 5));
    this.failures++;
    this.storage.log.warn({ feed: this.label, afterRevision: this.lastRev, retryInMs: delay, err: message(err) }, 'etcd watch stream broke; resuming');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.start();
    }, delay);
  }

  /** Drops the current stream (a new one starts from lastRev + 1). */
  abandonStream(): void {
    this.generation++;
    if (this.stream) endStream(this.stream);
    this.stream = undefined;
  }

  /** Reconnects right away from lastRev + 1 (after lastRev was moved). */
  restart(): void {
    this.abandonStream();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.start();
  }
}

/** Half-closes then cancels a watch stream. Half-closing first keeps etcd3 from treating the
 * cancellation as a host failure (which would reset every connection to that host). */
function endStream(stream: IDuplexStream<IWatchRequest, IWatchResponse>): void {
  // errors after cancel (CANCELLED) are expected; keep them from being unhandled
  stream.on('error', () => undefined);
  try {
    stream.end();
  } catch {
    // already ended
  }
  try {
    stream.cancel();
  } catch {
    // already cancelled
  }
}

export class EtcdStorage implements Storage {
  readonly name = 'etcd';
  readonly log: Logger;
  private readonly client: Etcd3;
  private readonly timeoutMs: number;
  private closed = false;
  /** A lower bound of etcd's compaction revision (exact when this process compacted last). */
  private knownCompact = 0;
  private hub: Feed | undefined;
  private readonly replays = new Set<Feed>();
  private feedCounter = 0;

  static open(opts: EtcdStorageOptions): EtcdStorage {
    return new EtcdStorage(opts);
  }

  private constructor(opts: EtcdStorageOptions) {
    if (!opts.endpoints.length) throw new StorageError('Internal', 'etcd: no endpoints given');
    for (const e of opts.endpoints) {
      if (!/^https?:\/\/[^/]+\/?$/.test(e)) throw new StorageError('Internal', `etcd: invalid endpoint "${e}": use http(s)://host:port`);
    }
    this.log = opts.logger ?? pino({ level: 'warn' }).child({ component: 'storage', backend: 'etcd' });
    this.timeoutMs = opts.requestTimeoutMs ?? 10_000;
    const buf = (v: string | Buffer | undefined) => (v === undefined ? undefined : Buffer.isBuffer(v) ? v : Buffer.from(v));
    const secure = opts.endpoints.some((e) => e.startsWith('https:'));
    const ca = buf(opts.tls?.ca);
    const timeoutMs = this.timeoutMs;
    this.client = new Etcd3({
      hosts: opts.endpoints.map((e) => e.replace(/\/$/, '')),
      credentials: secure && (ca || opts.tls?.cert)
        ? { rootCertificate: ca as Buffer, privateKey: buf(opts.tls?.key), certChain: buf(opts.tls?.cert) }
        : undefined,
      dialTimeout: timeoutMs,
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeoutMs }),
      faultHandling: { global: PASS_THROUGH, host: (h) => hostPolicy(h, 500) },
      grpcOptions: {
        'grpc.max_receive_message_length': -1,
        'grpc.max_send_message_length': -1,
        'grpc.keepalive_time_ms': 30_000,
        'grpc.keepalive_timeout_ms': 10_000,
        'grpc.keepalive_permit_without_calls': 1,
        // reconnect soon after etcd comes back, also after a long outage (gRPC's default backs off to 2 min)
        'grpc.initial_reconnect_backoff_ms': 200,
        'grpc.max_reconnect_backoff_ms': 2000,
      },
    });
  }

  /** @internal used by feeds */
  get watchClient(): Etcd3['watchClient'] {
    return this.client.watchClient;
  }

  // ---- reads ----

  async get(key: string, revision?: number): Promise<KeyValue | undefined> {
    const res = await this.read(`get ${key}`, { key: toBuf(key), revision: revision && revision > 0 ? revision : 0 }, revision);
    const kv = res.kvs[0];
    return kv ? toKeyValue(kv) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const p = toBuf(prefix);
    const end = prefixEnd(p);
    let start = rangeStart(p);
    if (opts.startAfter !== undefined && compareKeys(opts.startAfter, prefix) >= 0) start = Buffer.concat([toBuf(opts.startAfter), ZERO]);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const revision = opts.revision && opts.revision > 0 ? opts.revision : 0;
    if (end !== ZERO && Buffer.compare(start, end) >= 0) {
      // nothing can match; still answer with the revision read at
      const at = revision || (await this.currentRevision());
      return { kvs: [], revision: at, more: false };
    }
    const res = await this.read(`list ${prefix}`, { key: start, range_end: end, revision, limit }, revision);
    const kvs = new Array<KeyValue>(res.kvs.length);
    for (let i = 0; i < res.kvs.length; i++) kvs[i] = toKeyValue(res.kvs[i]!);
    const at = revision || rev(res.header);
    if (!limit || !res.more) return { kvs, revision: at, more: false };
    return { kvs, revision: at, more: true, remaining: Number(res.count) - kvs.length };
  }

  async count(prefix: string): Promise<number> {
    const p = toBuf(prefix);
    const res = await this.read(`count ${prefix}`, { key: rangeStart(p), range_end: prefixEnd(p), count_only: true });
    return Number(res.count);
  }

  async currentRevision(): Promise<number> {
    const res = await this.read('current revision', { key: ZERO, keys_only: true, limit: 1 });
    return rev(res.header);
  }

  async compactRevision(): Promise<number> {
    // etcd does not report its compaction revision directly; find the oldest readable revision, starting
    // from what this process knows (one round trip when nobody else compacted since).
    const readable = async (r: number): Promise<boolean> => {
      try {
        await this.read('compact revision probe', { key: ZERO, keys_only: true, limit: 1, revision: r }, r);
        return true;
      } catch (err) {
        if (err instanceof StorageError && err.code === 'Compacted') return false;
        throw err;
      }
    };
    const known = this.knownCompact;
    if (await readable(Math.max(1, known))) return known;
    const current = await this.currentRevision();
    // known < compact <= current: exponential search for a readable revision, then bisect
    let lo = Math.max(1, known); // not readable
    let step = 1;
    let hi = Math.min(current, lo + step);
    while (hi < current && !(await readable(hi))) {
      lo = hi;
      step *= 2;
      hi = Math.min(current, lo + step);
    }
    while (hi - lo > 1) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (await readable(mid)) hi = mid;
      else lo = mid;
    }
    this.knownCompact = Math.max(this.knownCompact, hi);
    return this.knownCompact;
  }

  // ---- writes ----

  async create(key: string, value: string): Promise<KeyValue> {
    validate(key, value);
    const k = toBuf(key);
    const res = await this.write(`create ${key}`, () =>
      this.client.kv.txn({
        compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
        success: [{ request_put: { key: k, value: toBuf(value) } }],
      }),
    );
    if (!res.succeeded) throw new StorageError('KeyExists', `key ${key} already exists`, key);
    const r = rev(res.header);
    return { key, value, createRevision: r, modRevision: r };
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    validate(key, value);
    if (!(expectedModRevision > 0)) {
      const cur = await this.get(key);
      if (!cur) throw new StorageError('KeyNotFound', `key ${key} not found`, key);
      throw conflict(key, cur.modRevision, expectedModRevision);
    }
    const k = toBuf(key);
    const res = await this.write(`update ${key}`, () =>
      this.client.kv.txn({
        compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expectedModRevision }],
        success: [{ request_put: { key: k, value: toBuf(value), prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    if (!res.succeeded) {
      const cur = res.responses[0]?.response_range?.kvs[0];
      if (!cur) throw new StorageError('KeyNotFound', `key ${key} not found`, key);
      throw conflict(key, Number(cur.mod_revision), expectedModRevision);
    }
    const prev = res.responses[0]?.response_put?.prev_kv;
    const r = rev(res.header);
    return { key, value, createRevision: prev ? Number(prev.create_revision) : r, modRevision: r };
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    const k = toBuf(key);
    if (expectedModRevision === undefined) {
      const res = await this.write(`delete ${key}`, () => this.client.kv.deleteRange({ key: k, prev_kv: true }));
      const prev = res.prev_kvs[0];
      if (!prev || Number(res.deleted) === 0) throw new StorageError('KeyNotFound', `key ${key} not found`, key);
      return { ...toKeyValue(prev), modRevision: rev(res.header) };
    }
    if (!(expectedModRevision > 0)) {
      const cur = await this.get(key);
      if (!cur) throw new StorageError('KeyNotFound', `key ${key} not found`, key);
      throw conflict(key, cur.modRevision, expectedModRevision);
    }
    const res = await this.write(`delete ${key}`, () =>
      this.client.kv.txn({
        compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expectedModRevision }],
        success: [{ request_delete_range: { key: k, prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    if (!res.succeeded) {
      const cur = res.responses[0]?.response_range?.kvs[0];
      if (!cur) throw new StorageError('KeyNotFound', `key ${key} not found`, key);
      throw conflict(key, Number(cur.mod_revision), expectedModRevision);
    }
    const prev = res.responses[0]?.response_delete_range?.prev_kvs[0];
    if (!prev) throw new StorageError('KeyNotFound', `key ${key} not found`, key);
    return { ...toKeyValue(prev), modRevision: rev(res.header) };
  }

  // ---- compaction ----

  async compact(revision: number): Promise<void> {
    this.ensureOpen();
    // etcd cancels a watch that still has to replay history older than the compaction point, and a
    // just-created watch has not necessarily caught up: let this storage's watches get past the
    // revision first (bounded), so compacting never ends a watch that was started before it.
    const deadline = Date.now() + 5000;
    while (!this.closed && Date.now() < deadline && [this.hub, ...this.replays].some((f) => f && !f.isClosed && f.lastRev < revision - 1)) {
      await new Promise((r) => setTimeout(r, 5));
    }
    this.ensureOpen();
    try {
      await this.client.kv.compact({ revision, physical: false });
      this.knownCompact = Math.max(this.knownCompact, revision);
    } catch (err) {
      if (/required revision is a future revision/.test(message(err))) {
        throw new StorageError('Internal', `cannot compact to revision ${revision}: it is newer than the current revision`);
      }
      const e = this.wrap(err, `compact to ${revision}`);
      if (e.code === 'Compacted') return; // already compacted at or beyond revision
      throw e;
    }
  }

  // ---- watch ----

  watch(prefix: string, opts: WatchOptions, handlers: WatchHandlers): StorageWatcher {
    this.ensureOpen();
    const w: Watcher = { prefix, handlers: handlers as ProgressWatchHandlers, lastRev: Math.max(0, opts.afterRevision || 0), closed: false };
    const closer: StorageWatcher = {
      close: () => {
        if (w.closed) return;
        w.closed = true;
        this.detach(w);
      },
    };
    if (w.lastRev < this.knownCompact) {
      const err = this.compactedError(w.lastRev);
      queueMicrotask(() => this.fail(w, err));
      return closer;
    }
    this.attach(w);
    return closer;
  }

  /** Puts a watcher on the hub when it is at least as far as the hub, else on a replay feed. */
  private attach(w: Watcher): void {
    if (!this.hub || this.hub.isClosed) {
      this.hub = this.newFeed(w.lastRev, 'hub');
    }
    if (w.lastRev >= this.hub.lastRev) {
      this.join(this.hub, w);
      return;
    }
    // join the replay feed that is furthest along without being past this watcher
    let best: Feed | undefined;
    for (const f of this.replays) if (f.lastRev <= w.lastRev && (!best || f.lastRev > best.lastRev)) best = f;
    if (!best) {
      best = this.newFeed(w.lastRev, `replay-${++this.feedCounter}`);
      this.replays.add(best);
    }
    this.join(best, w);
  }

  private newFeed(afterRevision: number, label: string): Feed {
    const f = new Feed(this, afterRevision, label);
    f.start();
    return f;
  }

  private join(feed: Feed, w: Watcher): void {
    w.feed = feed;
    feed.watchers.add(w);
  }

  private detach(w: Watcher): void {
    const feed = w.feed;
    w.feed = undefined;
    if (!feed) return;
    feed.watchers.delete(w);
    if (feed.watchers.size === 0) this.dropFeed(feed);
  }

  private dropFeed(feed: Feed): void {
    feed.close();
    this.replays.delete(feed);
    if (this.hub === feed) this.hub = undefined;
  }

  /** @internal A feed received a batch of events (in revision order, whole revisions). */
  dispatch(feed: Feed, raw: IEvent[]): void {
    const maxRev = Number(raw[raw.length - 1]!.kv.mod_revision);
    if (maxRev <= feed.lastRev) return; // a resumed stream repeating what was seen (defensive)
    // Advanced first: a watch started from inside a handler below, from before maxRev, must not join
    // this feed (it is not in the snapshot and would miss the batch) but replay on its own.
    feed.lastRev = maxRev;
    const watchers = [...feed.watchers];
    // decode each event at most once, and only when some watcher wants its key
    const keys = raw.map((e) => e.kv.key.toString('utf8'));
    const decoded = new Array<StorageWatchEvent | null | undefined>(raw.length);
    for (const w of watchers) {
      if (w.closed || this.closed) continue;
      let out: StorageWatchEvent[] | undefined;
      let broken = false;
      for (let i = 0; i < raw.length; i++) {
        if (!keys[i]!.startsWith(w.prefix)) continue;
        const e = raw[i]!;
        if (Number(e.kv.mod_revision) <= w.lastRev) continue;
        let ev = decoded[i];
        if (ev === undefined) ev = decoded[i] = toEvent(e, keys[i]!);
        if (ev === null) {
          broken = true;
          break;
        }
        (out ??= []).push(ev);
      }
      if (broken) {
        // the previous value of an event is no longer in etcd's history: the watch cannot go on faithfully
        this.fail(w, new StorageError('Compacted', `the history around revision ${maxRev} of ${w.prefix} has been compacted; watch again`, undefined, this.knownCompact || undefined));
        continue;
      }
      if (maxRev > w.lastRev) w.lastRev = maxRev;
      if (out) this.deliver(w, out);
      if (!w.closed && !this.closed) this.progress(w, w.lastRev);
    }
    if (this.closed || feed.isClosed) return;
    if (feed !== this.hub) this.maybeMerge(feed);
  }

  /** Moves a replay feed's watchers onto the hub once the feed has caught up with it. */
  private maybeMerge(feed: Feed): void {
    if (!this.hub || this.hub.isClosed) {
      // no hub (its watchers all left): this feed becomes the hub
      this.replays.delete(feed);
      this.hub = feed;
      return;
    }
    if (feed.lastRev < this.hub.lastRev) return;
    for (const w of feed.watchers) {
      w.feed = this.hub;
      this.hub.watchers.add(w);
    }
    feed.watchers.clear();
    this.dropFeed(feed);
  }

  /** @internal A feed's watch could not (re)start: etcd compacted past its restart point. */
  feedCompacted(feed: Feed, compactRev: number): void {
    this.knownCompact = Math.max(this.knownCompact, compactRev);
    const err = this.compactedError(feed.lastRev);
    for (const w of [...feed.watchers]) {
      if (w.lastRev < compactRev) this.fail(w, err);
    }
    if (this.closed || feed.isClosed) return;
    if (feed.watchers.size === 0) {
      this.dropFeed(feed);
      return;
    }
    // the rest are at or after the compaction point: resume from the oldest of them
    feed.lastRev = Math.min(...[...feed.watchers].map((w) => w.lastRev));
    feed.restart();
  }

  /** @internal A feed's watch was canceled by etcd for another reason: end its watchers. */
  feedFailed(feed: Feed, err: StorageError): void {
    this.log.warn({ err: err.message, afterRevision: feed.lastRev }, 'etcd watch canceled');
    for (const w of [...feed.watchers]) this.fail(w, err);
    if (feed.watchers.size === 0) this.dropFeed(feed);
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
    this.detach(w);
    try {
      w.handlers.onError(err);
    } catch (e) {
      this.log.error({ err: e, prefix: w.prefix }, 'watch handler onError threw');
    }
  }

  // ---- lifecycle ----

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const f of [this.hub, ...this.replays]) {
      if (!f) continue;
      for (const w of f.watchers) w.closed = true;
      f.watchers.clear();
      f.close();
    }
    this.replays.clear();
    this.hub = undefined;
    this.client.close();
  }

  // ---- helpers ----

  private ensureOpen(): void {
    if (this.closed) throw new StorageError('Unavailable', 'etcd storage is closed');
  }

  /** A linearizable range with retries on transient failures. */
  private async read(what: string, req: IRangeRequest, revision?: number) {
    this.ensureOpen();
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.client.kv.range(req);
      } catch (err) {
        const e = this.wrap(err, what, revision);
        if (e.code !== 'Unavailable' || /too large resource version/.test(e.message) || attempt >= READ_ATTEMPTS || this.closed) throw e;
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  }

  /** A write; retried only when it provably never reached etcd. */
  private async write<T>(what: string, fn: () => Promise<T>): Promise<T> {
    this.ensureOpen();
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (notSent(err) && attempt < READ_ATTEMPTS && !this.closed) {
          await new Promise((r) => setTimeout(r, 50 * attempt));
          continue;
        }
        throw this.wrap(err, what);
      }
    }
  }

  private wrap(err: unknown, what: string, revision?: number): StorageError {
    if (err instanceof StorageError) return err;
    const msg = message(err);
    if (this.closed || err instanceof ClientClosedError) return new StorageError('Unavailable', `etcd: ${what}: the storage is closed`);
    if (/required revision has been compacted/.test(msg)) {
      if (revision !== undefined && revision > 0) this.knownCompact = Math.max(this.knownCompact, revision + 1);
      return this.compactedError(revision ?? 0);
    }
    if (/required revision is a future revision/.test(msg)) {
      return new StorageError('Unavailable', `etcd: ${what}: revision ${revision ?? '?'} is newer than the current revision (too large resource version)`);
    }
    if (
      err instanceof GRPCUnavailableError ||
      err instanceof GRPCDeadlineExceededError ||
      err instanceof GRPCCancelledError ||
      err instanceof GRPCResourceExhastedError ||
      err instanceof GRPCInternalError ||
      err instanceof GRPCUnknownError ||
      isBrokenCircuit(err) ||
      TRANSIENT_MESSAGES.test(msg)
    ) {
      return new StorageError('Unavailable', `etcd: ${what}: ${msg}`);
    }
    return new StorageError('Internal', `etcd: ${what}: ${msg}`);
  }

  private compactedError(revision: number): StorageError {
    return new StorageError(
      'Compacted',
      `revision ${revision} has been compacted${this.knownCompact ? `; the oldest available revision is at least ${this.knownCompact}` : ''}`,
      undefined,
      this.knownCompact || undefined,
    );
  }
}

function validate(key: string, value: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new StorageError('Internal', 'storage keys must be non-empty strings', key);
  if (typeof value !== 'string') throw new StorageError('Internal', `value of ${key} must be a string`, key);
}

function conflict(key: string, current: number, expected: number): StorageError {
  return new StorageError('Conflict', `key ${key} was modified at revision ${current}, expected ${expected}`, key, current);
}

/** Converts an etcd event; null when its previous value is needed but gone (compacted). */
function toEvent(e: IEvent, key: string): StorageWatchEvent | null {
  const prev = e.prev_kv ? toKeyValue(e.prev_kv) : undefined;
  const modRevision = Number(e.kv.mod_revision);
  if (String(e.type).toLowerCase() === 'delete') {
    if (!prev) return null;
    return { type: 'delete', kv: { key, value: prev.value, createRevision: prev.createRevision, modRevision }, prevKv: prev };
  }
  const kv: KeyValue = { key, value: e.kv.value.toString('utf8'), createRevision: Number(e.kv.create_revision), modRevision };
  if (prev) return { type: 'put', kv, prevKv: prev };
  if (Number(e.kv.version) > 1) return null; // an update whose previous value was compacted away
  return { type: 'put', kv };
}
