// An informer for any resource (list + watch of unstructured objects into an indexed cache), with what
// client-node's informer lacks:
//  - it never gives up: a watch that ends is resumed from the last resourceVersion; errors (server down,
//    connection reset, 5xx) are retried with exponential backoff; "410 Gone"/"Expired" (history
//    compacted) triggers a fresh list whose differences to the cache become add/update/delete events;
//  - a watchdog restarts a watch that has been silent for too long (a dead connection without FIN, or a
//    peer that accepted the connection and never answers);
//  - it can start from a saved state (initialState: a pull agent's cache persisted across restarts and
//    outages): synced at once, then a watch resumes from the saved resourceVersion instead of a list;
//  - bookmarks (allowWatchBookmarks) keep the resume point fresh when nothing changes;
//  - the cache is an Indexer with custom indexes; handlers are meant to only enqueue keys.

import { pino, type Logger } from 'pino';
import { Backoff, sleep, type BackoffOptions } from './backoff.js';
import { ObjectClient } from './client.js';
import { gvrString, resourcePath, type GVR } from './gvr.js';
import { Indexer, type IndexFunc } from './indexer.js';
import { isGone, RestClient, statusErrorFrom, StatusError } from './rest.js';
import type { KubeObject, ObjectList, Status } from './types.js';

export interface EventHandler<T> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  /** Called with the last known state of the object. */
  onDelete?(obj: T): void;
}

export interface InformerOptions<T extends KubeObject> {
  client: RestClient | ObjectClient;
  gvr: GVR;
  /** Only this namespace (default: all namespaces / cluster-scoped). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** List page size (default 500). */
  pageSize?: number;
  /** Server-side timeout of each watch in seconds (default: random in [300, 600)). */
  watchTimeoutSeconds?: number;
  /** Restart a watch when nothing (event or bookmark) arrived for this long (default 150 000 ms). */
  watchdogMs?: number;
  /** Retry delays after errors (default 250 ms doubling to 30 s). */
  backoff?: BackoffOptions;
  /** Re-deliver every cached object as an update this often (default 0: never). */
  resyncPeriodMs?: number;
  /** Applied to every object before it is cached (e.g. to drop fields a controller never reads). */
  transform?: (obj: KubeObject) => T;
  indexers?: Record<string, IndexFunc<T>>;
  logger?: Logger;
  /**
   * A cache saved earlier (e.g. by a pull agent's store): the cache starts filled and hasSynced() is true
   * before any request; the loop first watches from resourceVersion and lists only when that is
   * expired (410) or resourceVersion is ''. The objects are taken as they are (no transform).
   */
  initialState?: { items: T[]; resourceVersion: string };
}

export interface InformerStats {
  lists: number;
  watches: number;
  /** Lists caused by 410 Gone / Expired. */
  expiredRelists: number;
  watchdogRestarts: number;
  errors: number;
  bookmarks: number;
  events: number;
}

type WatchOutcome = 'closed' | 'expired' | 'watchdog' | 'stopped' | 'error';

export class Informer<T extends KubeObject = KubeObject> {
  readonly indexer: Indexer<T>;
  readonly gvr: GVR;
  readonly stats: InformerStats = { lists: 0, watches: 0, expiredRelists: 0, watchdogRestarts: 0, errors: 0, bookmarks: 0, events: 0 };
  /** The last error the list/watch loop met (cleared by a successful list or watch request). */
  lastError: unknown;
  private readonly rest: RestClient;
  private readonly handlers = new Set<EventHandler<T>>();
  private readonly log: Logger;
  private readonly backoff: Backoff;
  private readonly collectionPath: string;
  private lastRV = '';
  private resumeFirst = false;
  private synced = false;
  private syncWaiters: (() => void)[] = [];
  private running: Promise<void> | undefined;
  private stopController: AbortController | undefined;
  private abortWatch: (() => void) | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: InformerOptions<T>) {
    this.rest = opts.client instanceof ObjectClient ? opts.client.rest : opts.client;
    this.gvr = opts.gvr;
    this.indexer = new Indexer<T>(opts.indexers ?? {});
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ informer: gvrString(opts.gvr), ...(opts.namespace ? { namespace: opts.namespace } : {}) });
    // a wide jitter spreads the reconnects of many clients after a shared outage (no reconnect storm)
    this.backoff = new Backoff({ jitter: 0.5, ...opts.backoff });
    this.collectionPath = resourcePath(opts.gvr, { namespace: opts.namespace });
    if (opts.initialState) {
      for (const obj of opts.initialState.items) this.indexer.upsert(obj);
      this.lastRV = opts.initialState.resourceVersion;
      this.synced = true;
      this.resumeFirst = true;
    }
  }

  /** Registers handlers; when the cache is already filled, replays its objects as adds. Returns an unsubscribe function. */
  addEventHandler(h: EventHandler<T>): () => void {
    this.handlers.add(h);
    if (this.synced && h.onAdd) for (const obj of this.indexer.list()) this.call(() => h.onAdd!(obj));
    return () => this.handlers.delete(h);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  /** The resourceVersion the next watch resumes from. */
  get resourceVersion(): string {
    return this.lastRV;
  }

  /** Starts the list/watch loop (idempotent). */
  start(): void {
    if (this.running) return;
    this.stopController = new AbortController();
    const signal = this.stopController.signal;
    this.running = this.loop(signal).finally(() => {
      this.running = undefined;
    });
    if (this.opts.resyncPeriodMs && this.opts.resyncPeriodMs > 0) {
      this.resyncTimer = setInterval(() => this.resync(), this.opts.resyncPeriodMs);
      this.resyncTimer.unref();
    }
  }

  /** Stops the loop and closes the watch; the cache keeps its content. */
  async stop(): Promise<void> {
    this.stopController?.abort();
    this.abortWatch?.();
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.resyncTimer = undefined;
    const waiters = this.syncWaiters;
    this.syncWaiters = [];
    for (const w of waiters) w();
    await this.running;
  }

  /** Resolves true once the first list is in the cache; false on timeout or stop. */
  waitForSync(timeoutMs?: number): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer) clearTimeout(timer);
        resolve(this.synced);
      };
      this.syncWaiters.push(done);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.syncWaiters = this.syncWaiters.filter((w) => w !== done);
          resolve(this.synced);
        }, timeoutMs);
        timer.unref();
      }
    });
  }

  // ---- the loop ----

  private async loop(signal: AbortSignal): Promise<void> {
    // a cache restored from initialState resumes with a watch (once: a later start lists as before)
    let needList = !this.resumeFirst || !this.lastRV;
    this.resumeFirst = false;
    let watchFailures = 0;
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.list(signal);
          needList = false;
          watchFailures = 0;
        }
        if (signal.aborted) break;
        const started = Date.now();
        const before = this.stats.events + this.stats.bookmarks;
        const outcome = await this.watch(signal);
        if (outcome === 'stopped') break;
        if (outcome === 'expired') {
          this.stats.expiredRelists++;
          this.log.info({ resourceVersion: this.lastRV }, 'watch history expired (410); relisting');
          needList = true;
          continue;
        }
        if (outcome === 'watchdog') {
          this.stats.watchdogRestarts++;
          this.log.info({ resourceVersion: this.lastRV }, 'watch silent for too long; restarting it');
          continue;
        }
        if (outcome === 'error') throw new WatchErrorEvent(errText(this.lastError));
        // closed by the server: normal at the watch timeout; an instant close with nothing received is
        // treated like an error so that a misbehaving server does not make us spin.
        if (Date.now() - started < 1000 && this.stats.events + this.stats.bookmarks === before) {
          watchFailures++;
          await sleep(this.backoff.next(), signal);
        } else {
          watchFailures = 0;
          this.backoff.reset();
        }
      } catch (err) {
        if (signal.aborted) break;
        this.stats.errors++;
        this.lastError = err;
        // After repeated answers that reject the watch the resume point may be bad (e.g. "too large
        // resource version" from a restored server): relist. An unreachable server is just waited for.
        if (err instanceof StatusError || err instanceof WatchErrorEvent) watchFailures++;
        if (!needList && watchFailures >= 4) needList = true;
        const delay = this.backoff.next();
        this.log.warn({ err: errText(err), retryInMs: delay }, needList ? 'list failed' : 'watch failed');
        await sleep(delay, signal);
      }
    }
  }

  private async list(signal: AbortSignal): Promise<void> {
    this.stats.lists++;
    const pageSize = this.opts.pageSize ?? 500;
    const items: T[] = [];
    let cont: string | undefined;
    let rv = '';
    let limit: number | undefined = pageSize;
    for (;;) {
      let page: ObjectList;
      try {
        page = await this.rest.request<ObjectList>({
          path: this.collectionPath,
          query: { limit, continue: cont, labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector },
          signal,
        });
      } catch (err) {
        // the continue token expired while paging: list everything at once
        if (isGone(err) && cont) {
          items.length = 0;
          cont = undefined;
          limit = undefined;
          continue;
        }
        throw err;
      }
      for (const it of page.items ?? []) items.push(this.transform(it));
      rv = page.metadata?.resourceVersion ?? rv;
      cont = page.metadata?.continue || undefined;
      if (!cont) break;
    }
    if (signal.aborted) return;
    this.replace(items, rv);
    this.lastError = undefined;
    this.backoff.reset();
  }

  /** Makes the cache equal to a fresh list, emitting the differences as events. */
  private replace(items: T[], rv: string): void {
    const seen = new Set<string>();
    for (const obj of items) {
      const key = this.indexer.keyFunc(obj);
      seen.add(key);
      const old = this.indexer.get(key);
      if (old && old.metadata?.resourceVersion === obj.metadata?.resourceVersion && old.metadata?.uid === obj.metadata?.uid) continue;
      this.indexer.upsert(obj);
      if (old) this.emitUpdate(old, obj);
      else this.emitAdd(obj);
    }
    for (const key of this.indexer.listKeys()) {
      if (seen.has(key)) continue;
      const old = this.indexer.remove(key)!;
      this.emitDelete(old);
    }
    this.lastRV = rv;
    if (!this.synced) {
      this.synced = true;
      const waiters = this.syncWaiters;
      this.syncWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async watch(signal: AbortSignal): Promise<WatchOutcome> {
    this.stats.watches++;
    const timeoutSeconds = this.opts.watchTimeoutSeconds ?? 300 + Math.floor(Math.random() * 300);
    const watchdogMs = this.opts.watchdogMs ?? 150_000;
    // A peer that accepted the connection and never answers (a half-open link, a stuck proxy) would hold
    // the request forever: the watchdog also bounds the wait for the response head.
    const reqAbort = new AbortController();
    const onStop = () => reqAbort.abort();
    signal.addEventListener('abort', onStop, { once: true });
    let headTimedOut = false;
    const headTimer = setTimeout(() => {
      headTimedOut = true;
      reqAbort.abort();
    }, watchdogMs);
    headTimer.unref();
    let sent: Awaited<ReturnType<RestClient['send']>>;
    try {
      sent = await this.rest.send({
        path: this.collectionPath,
        query: {
          watch: 'true',
          resourceVersion: this.lastRV || undefined,
          allowWatchBookmarks: 'true',
          timeoutSeconds,
          labelSelector: this.opts.labelSelector,
          fieldSelector: this.opts.fieldSelector,
        },
        stream: true,
        signal: reqAbort.signal,
      });
    } catch (err) {
      signal.removeEventListener('abort', onStop);
      if (headTimedOut && !signal.aborted) return 'watchdog';
      throw err;
    } finally {
      clearTimeout(headTimer);
    }
    signal.removeEventListener('abort', onStop);
    const { response, abort } = sent;
    if (response.statusCode !== 200) {
      const chunks: Buffer[] = [];
      for await (const c of response) chunks.push(c as Buffer);
      const err = statusErrorFrom({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString() }, `watch ${this.collectionPath}`);
      if (err.code === 410) return 'expired';
      throw err;
    }
    this.lastError = undefined;
    return new Promise<WatchOutcome>((resolve) => {
      let outcome: WatchOutcome = 'closed';
      let buf = '';
      let finished = false;
      let watchdog: NodeJS.Timeout | undefined;
      const arm = () => {
        if (watchdog) clearTimeout(watchdog);
        watchdog = setTimeout(() => {
          outcome = 'watchdog';
          abort();
        }, watchdogMs);
        watchdog.unref();
      };
      const finish = () => {
        if (finished) return;
        finished = true;
        if (watchdog) clearTimeout(watchdog);
        this.abortWatch = undefined;
        resolve(signal.aborted ? 'stopped' : outcome);
      };
      this.abortWatch = abort;
      arm();
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        arm();
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i).trim();
          buf = buf.slice(i + 1);
          if (!line || outcome !== 'closed') continue;
          const r = this.handleLine(line);
          if (r) {
            outcome = r;
            abort();
          }
        }
      });
      response.on('end', finish);
      response.on('close', finish);
      response.on('error', (err) => {
        if (outcome === 'closed' && !signal.aborted) {
          this.lastError = err;
          this.log.debug({ err: errText(err) }, 'watch stream error');
        }
        finish();
      });
    });
  }

  /** Applies one watch event; returns an outcome that ends the watch, if any. */
  private handleLine(line: string): WatchOutcome | undefined {
    let ev: { type?: string; object?: KubeObject };
    try {
      ev = JSON.parse(line) as { type?: string; object?: KubeObject };
    } catch {
      this.log.warn({ line: line.slice(0, 200) }, 'unparsable watch line');
      return undefined;
    }
    const raw = ev.object;
    switch (ev.type) {
      case 'ADDED':
      case 'MODIFIED': {
        if (!raw) return undefined;
        this.stats.events++;
        const obj = this.transform(raw);
        const old = this.indexer.upsert(obj);
        this.lastRV = raw.metadata?.resourceVersion ?? this.lastRV;
        if (old) this.emitUpdate(old, obj);
        else this.emitAdd(obj);
        return undefined;
      }
      case 'DELETED': {
        if (!raw) return undefined;
        this.stats.events++;
        const obj = this.transform(raw);
        this.indexer.remove(this.indexer.keyFunc(obj));
        this.lastRV = raw.metadata?.resourceVersion ?? this.lastRV;
        this.emitDelete(obj);
        return undefined;
      }
      case 'BOOKMARK':
        this.stats.bookmarks++;
        this.lastRV = raw?.metadata?.resourceVersion ?? this.lastRV;
        return undefined;
      case 'ERROR': {
        const status = (raw ?? {}) as Status;
        if (status.code === 410 || status.reason === 'Expired' || status.reason === 'Gone') return 'expired';
        this.lastError = new StatusError(status.code ?? 500, status, 'watch error');
        this.log.warn({ status }, 'watch error event');
        return 'error';
      }
      default:
        return undefined;
    }
  }

  private transform(obj: KubeObject): T {
    return this.opts.transform ? this.opts.transform(obj) : (obj as T);
  }

  private resync(): void {
    if (!this.synced) return;
    for (const obj of this.indexer.list()) this.emitUpdate(obj, obj);
  }

  private emitAdd(obj: T): void {
    for (const h of this.handlers) if (h.onAdd) this.call(() => h.onAdd!(obj));
  }
  private emitUpdate(oldObj: T, newObj: T): void {
    for (const h of this.handlers) if (h.onUpdate) this.call(() => h.onUpdate!(oldObj, newObj));
  }
  private emitDelete(obj: T): void {
    for (const h of this.handlers) if (h.onDelete) this.call(() => h.onDelete!(obj));
  }
  private call(f: () => void): void {
    try {
      f();
    } catch (err) {
      this.log.error({ err: errText(err) }, 'event handler threw');
    }
  }
}

class WatchErrorEvent extends Error {}

export function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
