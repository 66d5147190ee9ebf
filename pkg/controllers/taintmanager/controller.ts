// NoExecuteTaintManager (Karmada's pkg/controllers/cluster/taint_manager.go): when a Cluster carries a
// NoExecute taint, every ResourceBinding/ClusterResourceBinding scheduled to it whose
// placement.clusterTolerations do not tolerate the taint (or whose tolerationSeconds ran out) gets the
// cluster evicted: removed from spec.clusters and, unless purgeMode is Directly, recorded as a
// gracefulEvictionTask (reason TaintUntolerated, producer TaintManager). Evictions are rate-limited.
// Opt-in as upstream (--enable-no-execute-taint-eviction): disabled, run() only waits for the stop.

import { pino, type Logger } from 'pino';
import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import type { Taint } from '../../apis/core/v1/types.js';
import type { PurgeMode } from '../../apis/policy/v1alpha1/index.js';
import { EVICTION_PRODUCER_TAINT_MANAGER, EVICTION_REASON_TAINT_UNTOLERATED } from '../../apis/work/v1alpha2/index.js';
import type { ObjectClient } from '../../runtime/client.js';
import { Controller, type ReconcileResult, type Runnable } from '../../runtime/controller.js';
import type { SharedInformerFactory } from '../../runtime/factory.js';
import type { Informer } from '../../runtime/informer.js';
import { isConflict, isNotFound } from '../../runtime/rest.js';
import { CLUSTER_RESOURCE_BINDINGS, CLUSTERS, RESOURCE_BINDINGS } from '../../util/clusterapi.js';
import { deepEqual } from '../../util/deepequal.js';
import { taintToString } from '../../scheduler/framework/plugins/tainttoleration.js';
import { bindingKey, parseBindingKey, type Binding, type BindingKind } from '../gracefuleviction/bindings.js';
import { gracefulEvictCluster } from '../gracefuleviction/evictcluster.js';
import { evictionDecision, noExecuteTaints } from './decision.js';
import { DEFAULT_EVICTION_RATE_OPTIONS, evictionRateFor, TokenBucket, type EvictionRateOptions } from './ratelimit.js';

export const TAINT_MANAGER_NAME = 'taintManager';
/** Index of bindings by the names of their target clusters (spec.clusters[].name). */
export const INDEX_BINDINGS_BY_TARGET_CLUSTER = 'targetCluster';
/** While evictions are paused (rate 0: the fleet looks disrupted), how often a pending eviction looks again. */
export const RATE_ZERO_RECHECK_MS = 5000;

export interface NoExecuteTaintManagerOptions {
  client: ObjectClient;
  informers: SharedInformerFactory;
  logger?: Logger;
  /** --enable-no-execute-taint-eviction (default false, as upstream). */
  enableNoExecuteTaintEviction?: boolean;
  /** --no-execute-taint-eviction-purge-mode: purge mode when the binding has no spec.failover.cluster (default Gracefully). */
  defaultPurgeMode?: PurgeMode;
  rate?: Partial<EvictionRateOptions>;
  workers?: number;
  now?: () => number;
}

const targetClusters = (b: Binding) => (b.spec?.clusters ?? []).map((c) => c.name);
const taintSig = (c: Cluster) => JSON.stringify(noExecuteTaints(c.spec?.taints));
const isReady = (c: Cluster) => c.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ?? false;

export class NoExecuteTaintManager implements Runnable {
  readonly name = TAINT_MANAGER_NAME;
  private readonly clusters: Informer<Cluster>;
  private readonly bindings: Record<BindingKind, Informer<Binding>>;
  /** Cluster keys: fan out to the bindings on the cluster. */
  private readonly clusterQueue: Controller;
  /** "<cluster>#<binding key>": decide and evict one binding from one cluster. */
  private readonly evictionQueue: Controller;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly rate: EvictionRateOptions;
  private readonly bucket: TokenBucket;
  /** When a taint without timeAdded was first seen ("cluster|key=value:effect"). */
  private readonly firstSeen = new Map<string, number>();

  constructor(private readonly opts: NoExecuteTaintManagerOptions) {
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ controller: this.name });
    this.now = opts.now ?? Date.now;
    this.rate = { ...DEFAULT_EVICTION_RATE_OPTIONS, ...opts.rate };
    this.bucket = new TokenBucket(this.rate.evictionRate);
    const indexers = { [INDEX_BINDINGS_BY_TARGET_CLUSTER]: targetClusters };
    this.clusters = opts.informers.informerFor<Cluster>(CLUSTERS);
    this.bindings = {
      rb: opts.informers.informerFor<Binding>(RESOURCE_BINDINGS, { indexers }),
      crb: opts.informers.informerFor<Binding>(CLUSTER_RESOURCE_BINDINGS, { indexers }),
    };
    this.clusterQueue = new Controller({ name: `${this.name}-cluster`, logger: opts.logger, reconcile: (key) => this.syncCluster(key) }).watch(this.clusters, {
      add: (c) => noExecuteTaints(c.spec?.taints).length > 0,
      update: (o, n) => taintSig(o) !== taintSig(n),
      delete: () => false,
    });
    this.evictionQueue = new Controller({ name: `${this.name}-eviction`, workers: opts.workers ?? 2, logger: opts.logger, reconcile: (key) => this.syncBindingEviction(key) });
    for (const kind of ['rb', 'crb'] as const) {
      // a binding newly on a tainted cluster, or with changed tolerations, is judged again
      this.evictionQueue.watch(this.bindings[kind], {
        mapKeys: (b) => targetClusters(b).filter((c) => this.hasNoExecuteTaint(c)).map((c) => `${c}#${bindingKey(kind, b)}`),
        update: (o, n) => !deepEqual(o.spec?.clusters, n.spec?.clusters) || !deepEqual(o.spec?.placement?.clusterTolerations, n.spec?.placement?.clusterTolerations),
        delete: () => false,
      });
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!this.opts.enableNoExecuteTaintEviction) {
      this.log.info('NoExecute taint eviction is disabled (--enable-no-execute-taint-eviction=false)');
      if (!signal.aborted) await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
      return;
    }
    await Promise.all([this.clusterQueue.run(signal), this.evictionQueue.run(signal)]);
  }

  private hasNoExecuteTaint(cluster: string): boolean {
    return noExecuteTaints(this.clusters.indexer.get(cluster)?.spec?.taints).length > 0;
  }

  async syncCluster(name: string): Promise<ReconcileResult> {
    const cluster = this.clusters.indexer.get(name);
    const taints = noExecuteTaints(cluster?.spec?.taints);
    // forget first-seen times of taints that are gone
    const live = new Set(taints.map((t) => `${name}|${taintToString(t)}`));
    for (const k of this.firstSeen.keys()) if (k.startsWith(`${name}|`) && !live.has(k)) this.firstSeen.delete(k);
    if (!cluster || taints.length === 0) return {};
    const now = this.now();
    for (const k of live) if (!this.firstSeen.has(k)) this.firstSeen.set(k, now);
    for (const kind of ['rb', 'crb'] as const) {
      for (const b of this.bindings[kind].indexer.byIndex(INDEX_BINDINGS_BY_TARGET_CLUSTER, name)) this.evictionQueue.enqueue(`${name}#${bindingKey(kind, b)}`);
    }
    return {};
  }

  async syncBindingEviction(key: string): Promise<ReconcileResult> {
    const hash = key.indexOf('#');
    const clusterName = key.slice(0, hash);
    const k = parseBindingKey(key.slice(hash + 1));
    const cluster = this.clusters.indexer.get(clusterName);
    const binding = this.bindings[k.kind].indexer.get(k.cacheKey);
    if (!cluster || !binding || binding.metadata?.deletionTimestamp) return {};
    if (!targetClusters(binding).includes(clusterName)) return {};
    const now = this.now();
    // a taint's clock starts the first time anyone here sees it (syncCluster usually did already)
    const firstSeen = (t: Taint) => {
      const k = `${clusterName}|${taintToString(t)}`;
      if (!this.firstSeen.has(k)) this.firstSeen.set(k, now);
      return this.firstSeen.get(k);
    };
    const decision = evictionDecision(cluster.spec?.taints, binding.spec.placement?.clusterTolerations, now, firstSeen);
    if (decision.action === 'none') return {};
    if (decision.action === 'recheck') return { requeueAfterMs: decision.afterMs };

    const clusters = this.clusters.indexer.list();
    this.bucket.setRate(evictionRateFor(clusters.length, clusters.filter((c) => !isReady(c)).length, this.rate), now);
    if (!this.bucket.tryAccept(now)) {
      const wait = this.bucket.waitMs(now);
      this.log.debug({ cluster: clusterName, binding: k.cacheKey, rate: this.bucket.rate }, 'eviction rate-limited');
      return { requeueAfterMs: wait ?? RATE_ZERO_RECHECK_MS };
    }
    const purgeMode: PurgeMode = binding.spec.failover?.cluster?.purgeMode ?? this.opts.defaultPurgeMode ?? 'Gracefully';
    const spec = gracefulEvictCluster(binding.spec, clusterName, {
      purgeMode,
      reason: EVICTION_REASON_TAINT_UNTOLERATED,
      producer: EVICTION_PRODUCER_TAINT_MANAGER,
      message: decision.taint ? `cluster ${clusterName} has untolerated taint {${taintToString(decision.taint)}}` : `toleration of cluster ${clusterName}'s NoExecute taint expired`,
      now: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
    if (!spec) return {};
    try {
      await this.opts.client.resource<Binding>(k.gvr).update({ ...binding, spec });
    } catch (err) {
      if (isNotFound(err)) return {};
      if (isConflict(err)) return { requeue: true };
      throw err;
    }
    this.log.info({ cluster: clusterName, binding: `${k.kind}/${k.cacheKey}`, purgeMode }, 'evicted binding from cluster with an untolerated NoExecute taint');
    return {};
  }
}
