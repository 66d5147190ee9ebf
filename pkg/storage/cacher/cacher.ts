// The watch cache of one key prefix, in the spirit of k8s.io/apiserver's Cacher: it lists and watches
// the storage once and serves any number of watchers and resourceVersion="0" lists from memory.
//
//  - state: the current objects (a Map) plus the sorted key array list paging needs, maintained lazily:
//    creates and deletes are recorded and merged into the array on the next list (updates of existing
//    keys do not change the order);
//  - history: a ring buffer of the most recent events; a watch from a revision inside it replays from
//    memory, an older one falls back to a direct storage watch (which fails with Compacted when the
//    storage no longer has that history);
//  - fan-out: each event from the single storage watch goes to every live watcher whose prefix matches,
//    synchronously and in revision order (O(1) per event per watcher);
//  - freshness: the cache's revision advances with its events and with progress notifications
//    (ProgressWatchHandlers.onProgress) of the storage watch, so waitUntilFresh works for revisions
//    written under other prefixes on backends that report progress.
//
// If the storage watch fails, the cache terminates its watchers (onError Unavailable: clients re-watch
// from their last revision) and re-lists with backoff, serving the last known state meanwhile.
//
// Event arrays and KeyValue objects handed to watchers are shared between them and with the cache:
// handlers must not mutate them.

import { pino, type Logger } from 'pino';
import {
  isStorageError,
  StorageError,
  type KeyValue,
  type Storage,
  type StorageWatchEvent,
  type StorageWatcher,
  type WatchHandlers,
} from '../interface.js';
import { compareKeys, lowerBound, needsCodePointCompare, prefixUpperBound } from '../keys.js';
import type { ProgressWatchHandlers } from '../progress.js';

export interface CacherOptions {
  /** Events kept for watch replay (default 10 000). */
  capacity?: number;
  logger?: Logger;
  /** Default wait of waitUntilFresh before it fails with "too large resource version" (default 3000 ms; 0 = forever). */
  freshTimeoutMs?: number;
  /** Page size of the (re)list that fills the cache (default 10 000). */
  listPageSize?: number;
  /** Longest pause between re-list attempts after a failure (default 5000 ms). */
  maxRelistBackoffMs?: number;
}

export interface CacheListOptions {
  /** Maximum number of keys returned (0 or undefined = all). */
  limit?: number;
  /** Return keys strictly greater than this key. */
  startAfter?: string;
}

export interface CacheListResult {
  kvs: KeyValue[];
  /** The cache's revision: the state is exactly the storage's state at this revision for the prefix. */
  revision: number;
  more: boolean;
  /** Keys left after this page, when more is true. */
  remaining?: number;
}

export interface CacheWatchOptions {
  /**
   * With afterRevision 0/undefined: first deliver the current objects under the prefix as synthetic put
   * events (one batch, key order, each with its own modRevision), then continue live. With a positive
   * afterRevision the cache first waits until it is at least that fresh. Either way onProgress (when
   * defined) is then called with the revision the initial state was taken at.
   */
  sendInitialState?: boolean;
}

/** Handlers of a cache watch; onProgress, when defined, is called after batches and on progress of the cache. */
export type CacheWatchHandlers = ProgressWatchHandlers;

interface BufferedEvent {
  rev: number;
  key: string;
  event: StorageWatchEvent;
}

interface CacheWatcher {
  readonly prefix: string;
  /** The watcher's prefix covers the whole cache: no per-event key filtering needed. */
  readonly all: boolean;
  readonly handlers: ProgressWatchHandlers;
  /** Events with a revision <= lastRev are never delivered. */
  lastRev: number;
  live: boolean;
  closed: boolean;
  /** Set when the watch is served by the storage directly (its revision is older than the buffer). */
  fallback?: StorageWatcher;
}

interface Waiter {
  revision: number;
  resolve: () => void;
  reject: (err: Error) => void;
  timer?: NodeJS.Timeout;
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export class Cacher {
  readonly prefix: string;
  private readonly storage: Storage;
  private readonly log: Logger;
  private readonly capacity: number;
  private readonly freshTimeoutMs: number;
  private readonly listPageSize: number;
  private readonly maxBackoffMs: number;

  // state
  private objects = new Map<string, KeyValue>();
  private sorted: string[] = [];
  private readonly added = new Set<string>();
  private readonly removed = new Set<string>();
  private codePointKeys = false;
  private rev = 0;

  // history: ring[(head + i) % capacity] for i in [0, size) holds events in revision order, and every
  // event of the prefix with a revision > oldestRev is in it.
  private readonly ring: (BufferedEvent | undefined)[];
  private head = 0;
  private size = 0;
  private oldestRev = 0;

  /** Live watchers served from the cache. */
  private readonly watchers = new Set<CacheWatcher>();
  /** Watchers served by a storage watch (their revision was older than the buffer). */
  private readonly fallbacks = new Set<CacheWatcher>();
  private progressWatchers = 0;
  private deferred: (() => void)[] = [];
  private waiters: Waiter[] = [];

  private ready = false;
  private stopped = false;
  private generation = 0;
  private underlying: StorageWatcher | undefined;
  private starting: Promise<void> | undefined;
  private relisting = false;
  private backoffTimer: NodeJS.Timeout | undefined;
  private wakeBackoff: (() => void) | undefined;

  constructor(storage: Storage, prefix: string, opts: CacherOptions = {}) {
    this.storage = storage;
    this.prefix = prefix;
    // A given logger is used as is (the caller chooses its bindings; pino repeats duplicate keys).
    this.log = opts.logger ?? pino({ level: 'warn' }).child({ component: 'cacher', prefix });
    this.capacity = Math.max(1, opts.capacity ?? 10_000);
    this.freshTimeoutMs = opts.freshTimeoutMs ?? 3000;
    this.listPageSize = Math.max(1, opts.listPageSize ?? 10_000);
    this.maxBackoffMs = opts.maxRelistBackoffMs ?? 5000;
    this.ring = new Array<BufferedEvent | undefined>(this.capacity);
  }

  /** The last revision the cache has seen (events of its prefix or storage progress). */
  get currentRevision(): number {
    return this.rev;
  }

  /** True once the initial list is loaded and the cache is following the storage. */
  get isReady(): boolean {
    return this.ready;
  }

  /** Lists and starts watching; resolves when the initial list is loaded (rejects if that list fails). */
  start(): Promise<void> {
    if (this.stopped) return Promise.reject(this.stoppedError());
    this.starting ??= this.load().catch((err: unknown) => {
      this.starting = undefined;
      throw err;
    });
    return this.starting;
  }

  /** Stops the storage watch; watchers end with onError(Unavailable); pending waits reject. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.ready = false;
    this.generation++;
    this.underlying?.close();
    this.underlying = undefined;
    if (this.backoffTimer) clearTimeout(this.backoffTimer);
    this.wakeBackoff?.();
    const err = this.stoppedError();
    for (const w of [...this.watchers, ...this.fallbacks]) this.fail(w, err);
    const deferred = this.deferred;
    this.deferred = [];
    for (const run of deferred) run();
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) {
      if (w.timer) clearTimeout(w.timer);
      w.reject(err);
    }
  }

  /**
   * Resolves once the cache has seen revision (at once when it has). Rejects with StorageError
   * Unavailable ("too large resource version") after timeoutMs (default: the cacher's freshTimeoutMs).
   */
  waitUntilFresh(revision: number, opts: { timeoutMs?: number } = {}): Promise<void> {
    if (revision <= this.rev) return Promise.resolve();
    if (this.stopped) return Promise.reject(this.stoppedError());
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = { revision, resolve, reject };
      const timeout = opts.timeoutMs ?? this.freshTimeoutMs;
      if (timeout > 0) {
        w.timer = setTimeout(() => {
          this.waiters = this.waiters.filter((x) => x !== w);
          reject(
            new StorageError(
              'Unavailable',
              `too large resource version: ${revision}, current: ${this.rev} (the watch cache of ${this.prefix} has not seen it yet; retry)`,
              undefined,
              this.rev,
            ),
          );
        }, timeout);
      }
      this.waiters.push(w);
    });
  }

  /** The cached value of a key (undefined when absent), as of currentRevision. */
  get(key: string): KeyValue | undefined {
    return this.objects.get(key);
  }

  /** Lists the cached objects under prefix in key order, as of currentRevision. */
  list(prefix: string, opts: CacheListOptions = {}): CacheListResult {
    const keys = this.sortedKeys();
    const cmp = this.codePointKeys ? compareKeys : byCodeUnit;
    const from =
      opts.startAfter !== undefined && compareKeys(opts.startAfter, prefix) >= 0
        ? lowerBound(keys, opts.startAfter, true, cmp)
        : lowerBound(keys, prefix, false, cmp);
    const upper = prefixUpperBound(prefix);
    const to = upper === undefined ? keys.length : lowerBound(keys, upper, false, cmp);
    const n = Math.max(0, to - from);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const take = limit ? Math.min(limit, n) : n;
    const kvs = new Array<KeyValue>(take);
    for (let i = 0; i < take; i++) kvs[i] = this.objects.get(keys[from + i]!)!;
    const more = take < n;
    return more ? { kvs, revision: this.rev, more, remaining: n - take } : { kvs, revision: this.rev, more };
  }

  /** Number of cached objects under prefix. */
  count(prefix: string): number {
    if (this.covers(prefix)) return this.objects.size;
    const keys = this.sortedKeys();
    const cmp = this.codePointKeys ? compareKeys : byCodeUnit;
    const upper = prefixUpperBound(prefix);
    return (upper === undefined ? keys.length : lowerBound(keys, upper, false, cmp)) - lowerBound(keys, prefix, false, cmp);
  }

  /**
   * Watches keys under prefix (which must lie within the cache's prefix) for events with a revision
   * greater than afterRevision (0/undefined: from now). Served from memory when afterRevision is within
   * the event buffer; otherwise by a storage watch, which ends with Compacted when the storage no
   * longer has that history. No callback is made before this returns or after close().
   */
  watch(prefix: string, afterRevision: number | undefined, handlers: WatchHandlers, opts: CacheWatchOptions = {}): StorageWatcher {
    if (!prefix.startsWith(this.prefix) && !this.covers(prefix)) {
      throw new StorageError('Internal', `watch prefix ${prefix} is outside the watch cache of ${this.prefix}`);
    }
    const w: CacheWatcher = {
      prefix,
      all: this.covers(prefix),
      handlers: handlers as ProgressWatchHandlers,
      lastRev: Math.max(0, afterRevision ?? 0),
      live: false,
      closed: false,
    };
    const closer: StorageWatcher = {
      close: () => {
        if (w.closed) return;
        w.closed = true;
        this.removeWatcher(w);
        w.fallback?.close();
      },
    };
    const begin = (): void => {
      if (w.closed) return;
      if (this.stopped) return this.fail(w, this.stoppedError());
      if (!this.ready) {
        this.deferred.push(begin);
        return;
      }
      if (opts.sendInitialState) {
        if (w.lastRev > this.rev) {
          this.waitUntilFresh(w.lastRev, { timeoutMs: 0 }).then(
            () => {
              w.lastRev = 0;
              begin();
            },
            (err: StorageError) => this.fail(w, err),
          );
          return;
        }
        this.sendInitialState(w);
        return;
      }
      if (w.lastRev === 0) w.lastRev = this.rev;
      if (w.lastRev < this.oldestRev) return this.startFallback(w);
      const replay = this.bufferedSince(w.lastRev, w);
      w.lastRev = Math.max(w.lastRev, this.rev);
      this.addWatcher(w);
      if (replay.length > 0) this.deliver(w, replay);
    };
    queueMicrotask(begin);
    return closer;
  }

  // ---- loading ----

  /** Lists the prefix (paged, at one revision) and starts the storage watch after it. */
  private async load(): Promise<void> {
    const gen = ++this.generation;
    let kvs: KeyValue[] = [];
    let revision = 0;
    for (;;) {
      let page;
      try {
        page = await this.storage.list(this.prefix, {
          limit: this.listPageSize,
          startAfter: kvs.length ? kvs[kvs.length - 1]!.key : undefined,
          revision: revision || undefined,
        });
      } catch (err) {
        // the first page's revision was compacted while paging: start over at the latest revision
        if (revision === 0 || !isStorageError(err, 'Compacted')) throw err;
        kvs = [];
        revision = 0;
        continue;
      }
      if (gen !== this.generation) throw this.stoppedError(); // stopped meanwhile
      revision = page.revision;
      for (const kv of page.kvs) kvs.push(kv);
      if (!page.more) break;
    }

    this.objects = new Map(kvs.map((kv) => [kv.key, kv]));
    this.sorted = kvs.map((kv) => kv.key); // storage order is code point order
    this.added.clear();
    this.removed.clear();
    this.codePointKeys = this.sorted.some(needsCodePointCompare);
    this.ring.fill(undefined);
    this.head = 0;
    this.size = 0;
    this.oldestRev = revision;
    this.rev = revision;

    const handlers: ProgressWatchHandlers = {
      onEvents: (events) => {
        if (gen === this.generation) this.apply(events);
      },
      onProgress: (rev) => {
        if (gen === this.generation) this.onStorageProgress(rev);
      },
      onError: (err) => {
        if (gen === this.generation) this.onStorageError(err);
      },
    };
    this.underlying = this.storage.watch(this.prefix, { afterRevision: revision, prevKv: true }, handlers);
    this.ready = true;
    this.log.debug({ revision, objects: kvs.length }, 'watch cache loaded');
    const deferred = this.deferred;
    this.deferred = [];
    for (const run of deferred) run();
    this.resolveWaiters();
  }

  private onStorageError(err: StorageError): void {
    if (this.stopped) return;
    this.log.warn({ err: { code: err.code, message: err.message }, revision: this.rev }, 'storage watch failed; re-listing');
    this.ready = false;
    this.generation++;
    this.underlying?.close();
    this.underlying = undefined;
    // The cache will jump to a new list revision with a gap in its history: end the watches it serves
    // (clients re-watch from their last revision). Storage-served watches are unaffected.
    const ended = new StorageError('Unavailable', `the watch cache of ${this.prefix} is re-initializing after: ${err.message}; watch again`);
    for (const w of [...this.watchers]) this.fail(w, ended);
    void this.relist();
  }

  private async relist(): Promise<void> {
    if (this.relisting) return;
    this.relisting = true;
    let delay = 100;
    try {
      while (!this.stopped && !this.ready) {
        try {
          await this.load();
          return;
        } catch (err) {
          if (this.stopped) return;
          this.log.warn({ err: isStorageError(err) ? { code: err.code, message: err.message } : err, retryInMs: delay }, 're-list failed');
          await new Promise<void>((resolve) => {
            this.wakeBackoff = resolve;
            this.backoffTimer = setTimeout(resolve, delay);
          });
          this.wakeBackoff = undefined;
          delay = Math.min(delay * 2, this.maxBackoffMs);
        }
      }
    } finally {
      this.relisting = false;
    }
  }

  // ---- applying storage events ----

  private apply(events: StorageWatchEvent[]): void {
    let applied: BufferedEvent[] | undefined;
    for (const event of events) {
      const rev = event.kv.modRevision;
      if (rev <= this.rev) continue; // already seen (defensive: backends deliver each revision once)
      const key = event.kv.key;
      if (event.type === 'put') {
        if (!this.objects.has(key)) this.keyAdded(key);
        this.objects.set(key, event.kv);
      } else if (this.objects.delete(key)) {
        this.keyRemoved(key);
      }
      const b: BufferedEvent = { rev, key, event };
      this.push(b);
      (applied ??= []).push(b);
      this.rev = rev;
    }
    if (applied) this.fanOut(applied);
    this.resolveWaiters();
  }

  private onStorageProgress(rev: number): void {
    if (rev <= this.rev) return;
    this.rev = rev;
    if (this.progressWatchers > 0) {
      for (const w of this.watchers) {
        if (!w.live || w.closed || w.lastRev >= rev) continue;
        w.lastRev = rev;
        this.progress(w, rev);
      }
    }
    this.resolveWaiters();
  }

  private fanOut(batch: BufferedEvent[]): void {
    const first = batch[0]!.rev;
    const last = batch[batch.length - 1]!.rev;
    let shared: StorageWatchEvent[] | undefined;
    for (const w of this.watchers) {
      if (!w.live || w.closed || w.lastRev >= last) continue;
      let out: StorageWatchEvent[] | undefined;
      if (w.all && w.lastRev < first) {
        out = shared ??= batch.map((b) => b.event);
      } else {
        for (const b of batch) {
          if (b.rev > w.lastRev && (w.all || b.key.startsWith(w.prefix))) (out ??= []).push(b.event);
        }
      }
      w.lastRev = last;
      if (out) this.deliver(w, out);
      if (w.handlers.onProgress && !w.closed) this.progress(w, last);
      if (this.stopped) return;
    }
  }

  // ---- watchers ----

  private sendInitialState(w: CacheWatcher): void {
    const state = this.list(w.prefix);
    w.lastRev = this.rev;
    this.addWatcher(w);
    if (state.kvs.length > 0) this.deliver(w, state.kvs.map((kv): StorageWatchEvent => ({ type: 'put', kv })));
    if (!w.closed) this.progress(w, w.lastRev);
  }

  private startFallback(w: CacheWatcher): void {
    this.log.debug({ afterRevision: w.lastRev, oldestBuffered: this.oldestRev, watchPrefix: w.prefix }, 'watch older than the event buffer: serving it from storage');
    this.fallbacks.add(w);
    try {
      w.fallback = this.storage.watch(w.prefix, { afterRevision: w.lastRev, prevKv: true }, {
        onEvents: (events) => {
          if (!w.closed) this.deliver(w, events);
        },
        onProgress: (rev: number) => {
          if (!w.closed) this.progress(w, rev);
        },
        onError: (err) => this.fail(w, err),
      } as ProgressWatchHandlers);
    } catch (err) {
      this.fail(w, isStorageError(err) ? err : new StorageError('Internal', String(err)));
    }
  }

  /** Buffered events with a revision > after that the watcher's prefix matches. */
  private bufferedSince(after: number, w: CacheWatcher): StorageWatchEvent[] {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid).rev <= after) lo = mid + 1;
      else hi = mid;
    }
    const out: StorageWatchEvent[] = [];
    for (let i = lo; i < this.size; i++) {
      const b = this.at(i);
      if (w.all || b.key.startsWith(w.prefix)) out.push(b.event);
    }
    return out;
  }

  private addWatcher(w: CacheWatcher): void {
    w.live = true;
    this.watchers.add(w);
    if (w.handlers.onProgress) this.progressWatchers++;
  }

  private removeWatcher(w: CacheWatcher): void {
    if (this.watchers.delete(w) && w.handlers.onProgress) this.progressWatchers--;
    this.fallbacks.delete(w);
  }

  private fail(w: CacheWatcher, err: StorageError): void {
    if (w.closed) return;
    w.closed = true;
    this.removeWatcher(w);
    w.fallback?.close();
    try {
      w.handlers.onError(err);
    } catch (e) {
      this.log.error({ err: e, watchPrefix: w.prefix }, 'watch handler onError threw');
    }
  }

  private deliver(w: CacheWatcher, events: StorageWatchEvent[]): void {
    try {
      w.handlers.onEvents(events);
    } catch (err) {
      this.log.error({ err, watchPrefix: w.prefix }, 'watch handler onEvents threw; the watch continues');
    }
  }

  private progress(w: CacheWatcher, rev: number): void {
    if (!w.handlers.onProgress) return;
    try {
      w.handlers.onProgress(rev);
    } catch (err) {
      this.log.error({ err, watchPrefix: w.prefix }, 'watch handler onProgress threw; the watch continues');
    }
  }

  private resolveWaiters(): void {
    if (this.waiters.length === 0) return;
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.revision <= this.rev) {
        if (w.timer) clearTimeout(w.timer);
        w.resolve();
      } else {
        still.push(w);
      }
    }
    this.waiters = still;
  }

  // ---- ring buffer ----

  private at(i: number): BufferedEvent {
    return this.ring[(this.head + i) % this.capacity]!;
  }

  private push(b: BufferedEvent): void {
    if (this.size === this.capacity) {
      this.oldestRev = this.ring[this.head]!.rev;
      this.ring[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.size--;
    }
    this.ring[(this.head + this.size) % this.capacity] = b;
    this.size++;
  }

  // ---- sorted keys ----

  private keyAdded(key: string): void {
    if (this.removed.has(key)) this.removed.delete(key); // still in `sorted`
    else this.added.add(key);
    if (!this.codePointKeys && needsCodePointCompare(key)) this.codePointKeys = true;
  }

  private keyRemoved(key: string): void {
    if (this.added.has(key)) this.added.delete(key); // never made it into `sorted`
    else this.removed.add(key);
  }

  /** The keys in order: merges the creates and deletes recorded since the last call. */
  private sortedKeys(): string[] {
    if (this.added.size === 0 && this.removed.size === 0) return this.sorted;
    const cmp = this.codePointKeys ? compareKeys : byCodeUnit;
    const base = this.removed.size > 0 ? this.sorted.filter((k) => !this.removed.has(k)) : this.sorted;
    let result = base;
    if (this.added.size > 0) {
      const add = [...this.added].sort(cmp);
      result = new Array<string>(base.length + add.length);
      let i = 0;
      let j = 0;
      let k = 0;
      while (i < base.length && j < add.length) result[k++] = cmp(base[i]!, add[j]!) <= 0 ? base[i++]! : add[j++]!;
      while (i < base.length) result[k++] = base[i++]!;
      while (j < add.length) result[k++] = add[j++]!;
    }
    this.sorted = result;
    this.added.clear();
    this.removed.clear();
    return result;
  }

  // ---- helpers ----

  /** The prefix matches every key of the cache. */
  private covers(prefix: string): boolean {
    return this.prefix.startsWith(prefix);
  }

  private stoppedError(): StorageError {
    return new StorageError('Unavailable', `the watch cache of ${this.prefix} is stopped`);
  }
}
