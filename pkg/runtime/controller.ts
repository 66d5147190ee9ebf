// A controller: informers feed keys into a rate-limited WorkQueue; N workers pop keys and call
// reconcile(key), which reads current state from the caches and writes the difference. Errors are
// retried with per-key exponential backoff; a result can ask for the key again after a delay.

import { pino, type Logger } from 'pino';
import type { Informer } from './informer.js';
import { errText } from './informer.js';
import { objectKey, type KubeObject } from './types.js';
import { WorkQueue, type WorkQueueOptions } from './workqueue.js';

export interface ReconcileResult {
  /** Reconcile this key again after this many milliseconds (periodic work). */
  requeueAfterMs?: number;
  /** Reconcile again with rate-limited backoff (not an error, but not done either). */
  requeue?: boolean;
}

export type Reconciler = (key: string, signal: AbortSignal) => Promise<ReconcileResult | void>;

export interface ControllerOptions {
  name: string;
  reconcile: Reconciler;
  /** Concurrent workers (default 1). A key is never processed by two workers at once. */
  workers?: number;
  logger?: Logger;
  queue?: WorkQueueOptions;
  /** Maximum wait for the informers' first list before workers start (default: forever). */
  syncTimeoutMs?: number;
}

export interface WatchOptions<T> {
  /** Keys to enqueue for an object (default: its own namespace/name key). Return [] to ignore it. */
  mapKeys?: (obj: T) => string[];
  /** Filter for adds (default: all). */
  add?: (obj: T) => boolean;
  /** Filter for updates (default: all), e.g. "spec changed" to ignore status writes. */
  update?: (oldObj: T, newObj: T) => boolean;
  /** Filter for deletes (default: all). */
  delete?: (obj: T) => boolean;
}

/** Anything a manager runs until its signal aborts. */
export interface Runnable {
  readonly name: string;
  run(signal: AbortSignal): Promise<void>;
}

export class Controller implements Runnable {
  readonly name: string;
  readonly queue: WorkQueue;
  private readonly informers = new Set<Informer<KubeObject>>();
  private readonly log: Logger;

  constructor(private readonly opts: ControllerOptions) {
    this.name = opts.name;
    this.queue = new WorkQueue(opts.queue);
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ controller: opts.name });
  }

  /** Enqueues keys for the informer's events (handlers only enqueue: reconcile reads the cache). */
  watch<T extends KubeObject>(informer: Informer<T>, opts: WatchOptions<T> = {}): this {
    this.informers.add(informer as unknown as Informer<KubeObject>);
    const keys = opts.mapKeys ?? ((obj: T) => [objectKey(obj)]);
    const enqueue = (obj: T) => {
      for (const k of keys(obj)) if (k) this.queue.add(k);
    };
    informer.addEventHandler({
      onAdd: (obj) => {
        if (!opts.add || opts.add(obj)) enqueue(obj);
      },
      onUpdate: (oldObj, newObj) => {
        if (!opts.update || opts.update(oldObj, newObj)) {
          enqueue(newObj);
          // an object that moved (e.g. a changed reference) also concerns its old keys
          if (opts.mapKeys) enqueue(oldObj);
        }
      },
      onDelete: (obj) => {
        if (!opts.delete || opts.delete(obj)) enqueue(obj);
      },
    });
    return this;
  }

  enqueue(key: string): void {
    this.queue.add(key);
  }

  enqueueAfter(key: string, delayMs: number): void {
    this.queue.addAfter(key, delayMs);
  }

  /** Starts the informers, waits for their caches, runs the workers until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const onAbort = () => this.queue.shutDown();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (const inf of this.informers) inf.start();
      const synced = await Promise.race([
        Promise.all([...this.informers].map((i) => i.waitForSync(this.opts.syncTimeoutMs))).then((r) => r.every(Boolean)),
        new Promise<boolean>((resolve) => signal.addEventListener('abort', () => resolve(false), { once: true })),
      ]);
      if (signal.aborted) return;
      if (!synced) this.log.warn('caches not synced within the timeout; starting workers anyway');
      this.log.info({ workers: this.opts.workers ?? 1 }, 'controller started');
      await Promise.all(Array.from({ length: Math.max(1, this.opts.workers ?? 1) }, () => this.worker(signal)));
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.queue.shutDown();
    }
  }

  private async worker(signal: AbortSignal): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        const result = await this.opts.reconcile(key, signal);
        if (result?.requeue) {
          this.queue.addRateLimited(key);
        } else {
          this.queue.forget(key);
          if (result?.requeueAfterMs !== undefined && result.requeueAfterMs >= 0) this.queue.addAfter(key, result.requeueAfterMs);
        }
      } catch (err) {
        const n = this.queue.numRequeues(key);
        this.log[n >= 3 ? 'warn' : 'debug']({ key, err: errText(err), retries: n }, 'reconcile failed');
        this.queue.addRateLimited(key);
      } finally {
        this.queue.done(key);
      }
    }
  }
}
