// Shares one informer per (resource, namespace, selectors) between controllers, like client-go's
// SharedInformerFactory: one list+watch and one cache however many controllers read it.

import type { Logger } from 'pino';
import type { ObjectClient } from './client.js';
import { gvrString, type GVR } from './gvr.js';
import type { IndexFunc } from './indexer.js';
import { Informer, type InformerOptions } from './informer.js';
import type { RestClient } from './rest.js';
import type { KubeObject } from './types.js';

export interface SharedInformerOptions<T extends KubeObject> {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Used when this call creates the informer (the first caller's transform wins). */
  transform?: (obj: KubeObject) => T;
  /** Added to the shared informer's indexer when missing. */
  indexers?: Record<string, IndexFunc<T>>;
  /** A saved cache to resume from (see InformerOptions.initialState); only the call that creates the informer uses it. */
  initialState?: { items: T[]; resourceVersion: string };
}

export type InformerDefaults = Pick<InformerOptions<KubeObject>, 'backoff' | 'watchdogMs' | 'resyncPeriodMs' | 'pageSize' | 'watchTimeoutSeconds'> & { logger?: Logger };

export class SharedInformerFactory {
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private started = false;

  constructor(
    readonly client: RestClient | ObjectClient,
    private readonly defaults: InformerDefaults = {},
  ) {}

  informerFor<T extends KubeObject = KubeObject>(gvr: GVR, opts: SharedInformerOptions<T> = {}): Informer<T> {
    const key = [gvrString(gvr), opts.namespace ?? '', opts.labelSelector ?? '', opts.fieldSelector ?? ''].join('|');
    let inf = this.informers.get(key) as Informer<T> | undefined;
    if (!inf) {
      inf = new Informer<T>({ ...this.defaults, client: this.client, gvr, ...opts });
      this.informers.set(key, inf as unknown as Informer<KubeObject>);
      if (this.started) inf.start();
    } else {
      if (opts.initialState) this.defaults.logger?.debug({ informer: key }, 'informer already exists; its initialState is ignored');
      if (opts.indexers) {
        const missing = Object.fromEntries(Object.entries(opts.indexers).filter(([name]) => !inf!.indexer.hasIndex(name)));
        if (Object.keys(missing).length) inf.indexer.addIndexers(missing);
      }
    }
    return inf;
  }

  /** Starts every informer, and those created later as they are created. */
  start(): void {
    this.started = true;
    for (const inf of this.informers.values()) inf.start();
  }

  /** True when every informer has synced within the timeout. */
  async waitForSync(timeoutMs?: number): Promise<boolean> {
    const r = await Promise.all([...this.informers.values()].map((i) => i.waitForSync(timeoutMs)));
    return r.every(Boolean);
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }

  list(): Informer<KubeObject>[] {
    return [...this.informers.values()];
  }
}
