// Member-side caches (Karmada's pkg/util/fedinformer/genericmanager): per member cluster, one informer
// per resource in use, started on first use and filtered to Karmada-managed objects
// (karmada.io/managed=true), so that a cluster full of unrelated objects costs nothing. Handlers are
// registered once on the multi-cluster manager and receive the events of every cluster and resource.

import { pino, type Logger } from 'pino';
import { MANAGED_BY_KARMADA_LABEL, MANAGED_BY_KARMADA_LABEL_VALUE } from '../../apis/work/v1alpha2/index.js';
import { gvrString, type GVR } from '../../runtime/gvr.js';
import { Informer, type InformerOptions } from '../../runtime/informer.js';
import type { RestClient } from '../../runtime/rest.js';
import type { KubeObject } from '../../runtime/types.js';

/** Selects what Karmada created in a member. */
export const MANAGED_SELECTOR = `${MANAGED_BY_KARMADA_LABEL}=${MANAGED_BY_KARMADA_LABEL_VALUE}`;

export interface MemberEvent {
  cluster: string;
  gvr: GVR;
  type: 'add' | 'update' | 'delete';
  /** The new state (the last known state for deletes). */
  obj: KubeObject;
  oldObj?: KubeObject;
}

export type MemberEventHandler = (ev: MemberEvent) => void;

export type MemberInformerDefaults = Pick<InformerOptions<KubeObject>, 'backoff' | 'watchdogMs' | 'pageSize' | 'watchTimeoutSeconds'>;

export interface InformerManagerOptions {
  /** Label selector of every member informer (default karmada.io/managed=true; '' for everything). */
  labelSelector?: string;
  logger?: Logger;
  informerDefaults?: MemberInformerDefaults;
}

/** managedFields are never read by the controllers: keep them out of the caches. */
export function slimMemberObject(obj: KubeObject): KubeObject {
  if (!obj.metadata?.managedFields) return obj;
  const { managedFields: _drop, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/** The informers of one member cluster, reached through one client. */
export class SingleClusterInformerManager {
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private stopped = false;

  constructor(
    readonly cluster: string,
    readonly rest: RestClient,
    private readonly dispatch: MemberEventHandler,
    private readonly opts: InformerManagerOptions = {},
  ) {}

  /** The informer of gvr, created and started on first use. */
  informerFor(gvr: GVR): Informer<KubeObject> {
    const key = gvrString(gvr);
    let inf = this.informers.get(key);
    if (inf) return inf;
    inf = new Informer<KubeObject>({
      backoff: { initialMs: 500, maxMs: 15_000 },
      ...this.opts.informerDefaults,
      client: this.rest,
      gvr,
      labelSelector: this.opts.labelSelector ?? MANAGED_SELECTOR,
      transform: slimMemberObject,
      logger: this.opts.logger?.child({ cluster: this.cluster }),
    });
    const cluster = this.cluster;
    inf.addEventHandler({
      onAdd: (obj) => this.dispatch({ cluster, gvr, type: 'add', obj }),
      onUpdate: (oldObj, obj) => this.dispatch({ cluster, gvr, type: 'update', obj, oldObj }),
      onDelete: (obj) => this.dispatch({ cluster, gvr, type: 'delete', obj }),
    });
    this.informers.set(key, inf);
    if (!this.stopped) inf.start();
    return inf;
  }

  /** The informer of gvr when one exists. */
  informer(gvr: GVR): Informer<KubeObject> | undefined {
    return this.informers.get(gvrString(gvr));
  }

  /** The cached object, or undefined when absent or not cached yet (see isSynced). */
  getCached(gvr: GVR, name: string, namespace?: string): KubeObject | undefined {
    return this.informers.get(gvrString(gvr))?.indexer.getByName(name, namespace);
  }

  isSynced(gvr: GVR): boolean {
    return this.informers.get(gvrString(gvr))?.hasSynced() ?? false;
  }

  /** Creates the informer if needed and waits for its first list (false on timeout). */
  waitForSync(gvr: GVR, timeoutMs?: number): Promise<boolean> {
    return this.informerFor(gvr).waitForSync(timeoutMs);
  }

  resources(): GVR[] {
    return [...this.informers.values()].map((i) => i.gvr);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}

/** Member informers of every cluster, with handlers shared across them (genericmanager.MultiClusterInformerManager). */
export class MultiClusterInformerManager {
  private readonly clusters = new Map<string, SingleClusterInformerManager>();
  private readonly handlers = new Set<MemberEventHandler>();
  private readonly log: Logger;

  constructor(private readonly opts: InformerManagerOptions = {}) {
    this.log = opts.logger ?? pino({ level: 'silent' });
  }

  /** The manager of a cluster reached through rest; a different client replaces (and stops) the old caches. */
  forCluster(name: string, rest: RestClient): SingleClusterInformerManager {
    const cur = this.clusters.get(name);
    if (cur && cur.rest === rest) return cur;
    if (cur) void cur.stop();
    const m = new SingleClusterInformerManager(name, rest, (ev) => this.dispatch(ev), this.opts);
    this.clusters.set(name, m);
    return m;
  }

  get(name: string): SingleClusterInformerManager | undefined {
    return this.clusters.get(name);
  }

  clusterNames(): string[] {
    return [...this.clusters.keys()];
  }

  /** Receives the events of every cluster's informers. Returns an unsubscribe function. */
  addEventHandler(h: MemberEventHandler): () => void {
    this.handlers.add(h);
    return () => this.handlers.delete(h);
  }

  async stop(name: string): Promise<void> {
    const m = this.clusters.get(name);
    if (!m) return;
    this.clusters.delete(name);
    await m.stop();
  }

  async stopAll(): Promise<void> {
    const all = [...this.clusters.values()];
    this.clusters.clear();
    await Promise.all(all.map((m) => m.stop()));
  }

  private dispatch(ev: MemberEvent): void {
    for (const h of this.handlers) {
      try {
        h(ev);
      } catch (err) {
        this.log.error({ err: String(err), cluster: ev.cluster }, 'member event handler threw');
      }
    }
  }
}
