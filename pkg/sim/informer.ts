// Shared informers for the simulated controllers: each follows one resource through the API server's
// watch cache (list, then watch; re-list after a failed watch), keeps the decoded objects with optional
// indexes, and tells handlers about changes. Handlers only enqueue keys (see controller.ts).
//
// waitFor(revision) lets a controller that just wrote an object wait until its own cache has seen that
// write, so the next reconcile never acts on a view older than its own writes (what client-go's
// "expectations" achieve for the ReplicaSet controller).

import type { Logger } from 'pino';
import type { StorageWatcher } from '../storage/interface.js';
import type { ResourceDescriptor } from '../apiserver/registry/types.js';
import { decode, listPrefix } from '../apiserver/store/keys.js';
import type { Store } from '../apiserver/store/store.js';
import { keyOf } from './podutil.js';
import type { KubeObject } from './types.js';

export type EventType = 'put' | 'delete';
export type Handler<T extends KubeObject> = (type: EventType, obj: T, old: T | undefined) => void;
export type IndexFunc<T extends KubeObject> = (obj: T) => string[];

const WAIT_TIMEOUT_MS = 10_000;

export class Informer<T extends KubeObject = KubeObject> {
  private readonly objects = new Map<string, T>();
  private readonly indexFuncs = new Map<string, IndexFunc<T>>();
  private readonly indices = new Map<string, Map<string, Set<string>>>();
  private readonly handlers: Handler<T>[] = [];
  private waiters: { revision: number; resolve: () => void; timer: NodeJS.Timeout }[] = [];
  private watcher?: StorageWatcher;
  private revision = 0;
  private stopped = false;
  private started?: Promise<void>;

  constructor(
    private readonly store: Store,
    readonly descriptor: ResourceDescriptor,
    private readonly logger: Logger,
  ) {}

  /** Adds a named index (call before start). */
  addIndex(name: string, fn: IndexFunc<T>): this {
    if (this.indexFuncs.has(name)) return this;
    this.indexFuncs.set(name, fn);
    this.indices.set(name, new Map());
    for (const [key, obj] of this.objects) this.indexAdd(name, fn, key, obj);
    return this;
  }

  on(handler: Handler<T>): this {
    this.handlers.push(handler);
    return this;
  }

  get(key: string): T | undefined {
    return this.objects.get(key);
  }

  list(): IterableIterator<T> {
    return this.objects.values();
  }

  get size(): number {
    return this.objects.size;
  }

  /** Objects whose index function returned `value`. */
  byIndex(name: string, value: string): T[] {
    const keys = this.indices.get(name)?.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const k of keys) {
      const o = this.objects.get(k);
      if (o) out.push(o);
    }
    return out;
  }

  /** Resolves once the informer has seen `revision` (or after a timeout: callers then reconcile again). */
  waitFor(revision: number | string | undefined): Promise<void> {
    const rev = Number(revision ?? 0);
    if (!rev || rev <= this.revision || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const w = {
        revision: rev,
        resolve,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((x) => x !== w);
          resolve();
        }, WAIT_TIMEOUT_MS),
      };
      this.waiters.push(w);
    });
  }

  start(): Promise<void> {
    this.started ??= this.begin();
    return this.started;
  }

  stop(): void {
    this.stopped = true;
    this.watcher?.close();
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.resolve();
    }
    this.waiters = [];
  }

  private async begin(): Promise<void> {
    const cacher = await this.store.cacher(this.descriptor);
    if (this.stopped) return;
    const prefix = listPrefix(this.descriptor);
    const snapshot = cacher.list(prefix, {});
    // A re-list replaces the state: objects that vanished while the watch was down are deleted.
    const seen = new Set<string>();
    for (const kv of snapshot.kvs) {
      const obj = decode(kv) as T;
      const key = keyOf(obj);
      seen.add(key);
      const old = this.objects.get(key);
      if (old?.metadata?.resourceVersion === obj.metadata?.resourceVersion) continue;
      this.put(key, obj, old);
    }
    for (const [key, old] of [...this.objects]) if (!seen.has(key)) this.remove(key, old);
    this.advance(snapshot.revision);
    this.watcher = cacher.watch(prefix, snapshot.revision, {
      onEvents: (events) => {
        for (const ev of events) {
          const obj = decode(ev.kv) as T;
          const key = keyOf(obj);
          if (ev.type === 'put') this.put(key, obj, this.objects.get(key));
          else this.remove(key, this.objects.get(key) ?? obj);
          this.advance(ev.kv.modRevision);
        }
      },
      onError: (err) => {
        if (this.stopped) return;
        this.logger.debug({ resource: this.descriptor.resource, err: err.message }, 'informer watch ended; re-listing');
        setTimeout(() => {
          if (!this.stopped) void this.begin().catch((e) => this.logger.warn({ err: String(e) }, 'informer re-list failed'));
        }, 1000).unref();
      },
    });
  }

  private advance(revision: number): void {
    if (revision <= this.revision) return;
    this.revision = revision;
    if (!this.waiters.length) return;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.revision <= revision) {
        clearTimeout(w.timer);
        w.resolve();
      } else still.push(w);
    }
    this.waiters = still;
  }

  private put(key: string, obj: T, old: T | undefined): void {
    if (old) this.unindex(key, old);
    this.objects.set(key, obj);
    for (const [name, fn] of this.indexFuncs) this.indexAdd(name, fn, key, obj);
    this.emit('put', obj, old);
  }

  private remove(key: string, old: T): void {
    if (!this.objects.has(key)) return;
    this.unindex(key, old);
    this.objects.delete(key);
    this.emit('delete', old, old);
  }

  private emit(type: EventType, obj: T, old: T | undefined): void {
    for (const h of this.handlers) {
      try {
        h(type, obj, old);
      } catch (err) {
        this.logger.error({ err, resource: this.descriptor.resource }, 'informer handler failed');
      }
    }
  }

  private indexAdd(name: string, fn: IndexFunc<T>, key: string, obj: T): void {
    const idx = this.indices.get(name)!;
    for (const v of fn(obj)) {
      let set = idx.get(v);
      if (!set) idx.set(v, (set = new Set()));
      set.add(key);
    }
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of this.indexFuncs) {
      const idx = this.indices.get(name)!;
      for (const v of fn(obj)) {
        const set = idx.get(v);
        if (!set) continue;
        set.delete(key);
        if (!set.size) idx.delete(v);
      }
    }
  }
}

/** One informer per resource, shared by every controller of a simulated cluster. */
export class InformerFactory {
  private readonly informers = new Map<string, Informer>();

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
  ) {}

  for<T extends KubeObject = KubeObject>(d: ResourceDescriptor): Informer<T> {
    const id = `${d.group}/${d.resource}`;
    let inf = this.informers.get(id);
    if (!inf) this.informers.set(id, (inf = new Informer(this.store, d, this.logger)));
    return inf as unknown as Informer<T>;
  }

  /** The informer of a resource when some controller uses one. */
  peek(d: ResourceDescriptor): Informer | undefined {
    return this.informers.get(`${d.group}/${d.resource}`);
  }

  async start(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.start()));
  }

  stop(): void {
    for (const i of this.informers.values()) i.stop();
  }
}
