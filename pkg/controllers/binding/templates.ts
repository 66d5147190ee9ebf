// Resource templates by reference (helper.FetchResourceTemplate): apiVersion/kind → resource through the
// RESTMapper, then the shared informer of that resource, so the detector, the binding controller and
// the dependencies distributor read one cache. A miss falls back to one GET (the cache may lag behind
// the binding that names the object); a 404 means the template is gone.

import type { Logger } from 'pino';
import type { ObjectClient } from '../../runtime/client.js';
import type { SharedInformerFactory } from '../../runtime/factory.js';
import type { GVR } from '../../runtime/gvr.js';
import { indexByNamespace, NAMESPACE_INDEX } from '../../runtime/indexer.js';
import type { Informer } from '../../runtime/informer.js';
import { errText } from '../../runtime/informer.js';
import { isNotFound } from '../../runtime/rest.js';
import type { RESTMapper } from '../../runtime/restmapper.js';
import type { KubeObject } from '../../runtime/types.js';
import { labelSelectorMatches, type LabelSelectorObject } from '../../util/selector.js';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export interface ResolvedKind {
  gvr: GVR;
  informer: Informer<KubeObject>;
}

export class TemplateCache {
  private readonly byKind = new Map<string, ResolvedKind>();
  private readonly listeners: ((r: ResolvedKind, apiVersion: string, kind: string) => void)[] = [];

  constructor(
    private readonly client: ObjectClient,
    private readonly informers: SharedInformerFactory,
    private readonly restMapper: RESTMapper,
    private readonly logger: Logger,
    /** How long a first read waits for a new informer's list before falling back to GETs. */
    private readonly syncTimeoutMs = 30_000,
  ) {}

  /** Called once per kind when its informer is first resolved (e.g. to watch templates). */
  onResolve(fn: (r: ResolvedKind, apiVersion: string, kind: string) => void): void {
    this.listeners.push(fn);
    for (const [key, r] of this.byKind) {
      const i = key.lastIndexOf('|');
      fn(r, key.slice(0, i), key.slice(i + 1));
    }
  }

  /** The informer of a kind already resolved (synchronous, for event handlers). */
  resolved(apiVersion: string, kind: string): ResolvedKind | undefined {
    return this.byKind.get(`${apiVersion}|${kind}`);
  }

  /** The informer of apiVersion/kind, started and synced; undefined when the server does not serve it. */
  async resolve(apiVersion: string, kind: string): Promise<ResolvedKind | undefined> {
    const key = `${apiVersion}|${kind}`;
    let r = this.byKind.get(key);
    if (!r) {
      const m = await this.restMapper.mapping(apiVersion, kind);
      if (!m) return undefined;
      const gvr: GVR = { group: m.group, version: m.version, resource: m.resource, namespaced: m.namespaced };
      r = this.byKind.get(key);
      if (!r) {
        r = { gvr, informer: this.informers.informerFor(gvr, { indexers: { [NAMESPACE_INDEX]: indexByNamespace } }) };
        this.byKind.set(key, r);
        r.informer.start();
        for (const fn of this.listeners) fn(r, apiVersion, kind);
      }
    }
    if (!r.informer.hasSynced()) await r.informer.waitForSync(this.syncTimeoutMs);
    return r;
  }

  /** The object from the cache (or the server when the cache misses); undefined when it does not exist. */
  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    const r = await this.resolve(ref.apiVersion, ref.kind);
    if (!r) throw new Error(`the server does not serve ${ref.kind} in ${ref.apiVersion}; install its CRD or fix the reference`);
    const namespace = r.gvr.namespaced === false ? undefined : ref.namespace;
    const cached = r.informer.indexer.getByName(ref.name, namespace);
    if (cached) return cached;
    try {
      return await this.client.resource(r.gvr).get(ref.name, { namespace });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      this.logger.debug({ ref, err: errText(err) }, 'cannot read resource template');
      throw err;
    }
  }

  /** Objects of a kind in a namespace whose labels match the selector (from the cache). */
  async list(apiVersion: string, kind: string, namespace: string | undefined, selector: LabelSelectorObject): Promise<KubeObject[]> {
    const r = await this.resolve(apiVersion, kind);
    if (!r) throw new Error(`the server does not serve ${kind} in ${apiVersion}; install its CRD or fix the reference`);
    const candidates = r.gvr.namespaced === false || namespace === undefined ? r.informer.indexer.list() : r.informer.indexer.byIndex(NAMESPACE_INDEX, namespace);
    return candidates.filter((o) => labelSelectorMatches(selector, o.metadata?.labels));
  }
}
