// The cluster status controller (Karmada's pkg/controllers/status/cluster_status_controller.go) for Push
// clusters: every --cluster-status-update-frequency it reaches the member through spec.apiEndpoint and
// the credentials Secret, probes /readyz, turns the observation into the Ready condition (with success/
// failure thresholds), and while Ready collects the Kubernetes version, the served APIs, and node/pod
// summaries from per-member node and pod caches. Pull clusters are left to their karmada-agent.

import { pino, type Logger } from 'pino';
import type { Cluster, ClusterStatus } from '../../apis/cluster/v1alpha1/index.js';
import { CLUSTER_CONTROLLER_FINALIZER } from '../../apis/cluster/v1alpha1/index.js';
import type { ObjectClient } from '../../runtime/client.js';
import { Controller, type ReconcileResult, type Runnable } from '../../runtime/controller.js';
import type { SharedInformerFactory } from '../../runtime/factory.js';
import { SECRETS } from '../../runtime/gvr.js';
import { errText, type Informer } from '../../runtime/informer.js';
import { isConflict, isNotFound, type RestClient } from '../../runtime/rest.js';
import { metaTime } from '../../runtime/types.js';
import { CLUSTERS } from '../../util/clusterapi.js';
import { setStatusCondition, type StatusCondition } from '../../util/conditions.js';
import { deepEqual } from '../../util/deepequal.js';
import { MemberClients, type Secret } from '../../util/membercluster.js';
import {
  applyCollectedStatus,
  labelChanges,
  collectMemberStatus,
  startMemberStatusCaches,
  stopMemberStatusCaches,
  type MemberStatusCaches,
  type MutableClusterStatus,
} from './collect.js';
import { ClusterConditionCache } from './conditioncache.js';
import { CLUSTER_REASON_STATUS_COLLECTION_FAILED, probeHealth, readyCondition } from './memberstatus.js';

export const CLUSTER_STATUS_CONTROLLER_NAME = 'clusterStatus';

export interface ClusterStatusControllerOptions {
  client: ObjectClient;
  informers: SharedInformerFactory;
  logger?: Logger;
  /** --cluster-status-update-frequency (default 10 s). */
  updateFrequencyMs?: number;
  /** --cluster-success-threshold (default 30 s). */
  successThresholdMs?: number;
  /** --cluster-failure-threshold (default 30 s). */
  failureThresholdMs?: number;
  /** How long one sync waits for a member's node/pod caches before skipping the summaries (default 5 s). */
  cacheSyncTimeoutMs?: number;
  /** Clusters synced concurrently (default 5). */
  workers?: number;
  /** Collect nodeSummary/resourceSummary (--enable-cluster-resource-modeling, default true). */
  enableResourceModeling?: boolean;
  now?: () => number;
}

/** Spec, finalizers or deletion changed (status writes, including our own, do not trigger a sync). */
export function clusterSpecChanged(o: Cluster, n: Cluster): boolean {
  return (
    o.metadata?.generation !== n.metadata?.generation ||
    o.metadata?.deletionTimestamp !== n.metadata?.deletionTimestamp ||
    !deepEqual(o.metadata?.finalizers, n.metadata?.finalizers) ||
    !deepEqual(o.spec, n.spec)
  );
}

export class ClusterStatusController implements Runnable {
  readonly name = CLUSTER_STATUS_CONTROLLER_NAME;
  readonly clusters: Informer<Cluster>;
  private readonly controller: Controller;
  private readonly members = new MemberClients('karmada-controller-manager/cluster-status');
  private readonly caches = new Map<string, MemberStatusCaches>();
  private readonly conditions: ClusterConditionCache;
  private readonly log: Logger;
  private readonly frequencyMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: ClusterStatusControllerOptions) {
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ controller: this.name });
    this.frequencyMs = opts.updateFrequencyMs ?? 10_000;
    this.now = opts.now ?? Date.now;
    this.conditions = new ClusterConditionCache(opts.successThresholdMs ?? 30_000, opts.failureThresholdMs ?? 30_000, this.now);
    this.clusters = opts.informers.informerFor<Cluster>(CLUSTERS);
    this.controller = new Controller({
      name: this.name,
      workers: opts.workers ?? 5,
      logger: opts.logger,
      reconcile: (key) => this.reconcile(key),
    }).watch(this.clusters, { update: clusterSpecChanged });
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await this.controller.run(signal);
    } finally {
      await Promise.all([...this.caches.keys()].map((n) => this.stopMemberCache(n)));
      this.members.closeAll();
    }
  }

  /** Syncs one cluster's status; requeues itself every update frequency. */
  async reconcile(name: string): Promise<ReconcileResult> {
    const cluster = this.clusters.indexer.get(name);
    if (!cluster || cluster.metadata?.deletionTimestamp || cluster.spec?.syncMode !== 'Push') {
      // gone, going, or a Pull cluster (its agent reports status): forget the member
      await this.forget(name);
      if (!cluster) this.conditions.delete(name);
      return {};
    }
    // start only once the cluster controller put its finalizer on (so they do not race on a new Cluster)
    if (!cluster.metadata?.finalizers?.includes(CLUSTER_CONTROLLER_FINALIZER)) return { requeueAfterMs: 500 };

    let rest: RestClient;
    try {
      const secret = await this.credentials(cluster);
      const got = this.members.get(cluster, secret);
      rest = got.rest;
      if (got.changed) await this.stopMemberCache(name);
    } catch (err) {
      this.log.warn({ cluster: name, err: errText(err) }, 'cannot build a client for the member cluster');
      await this.writeStatus(cluster, (status) => {
        setStatusCondition(status.conditions!, { type: 'Ready', status: 'False', reason: CLUSTER_REASON_STATUS_COLLECTION_FAILED, message: `failed to create a ClusterClient: ${errText(err)}` }, metaTime(new Date(this.now())));
      });
      return { requeueAfterMs: this.frequencyMs };
    }

    const health = await probeHealth(rest);
    const observed = readyCondition(health);
    const ready = this.conditions.thresholdAdjustedReadyCondition(name, cluster.status?.conditions as StatusCondition[] | undefined, observed);
    if (!health.healthy) this.log.info({ cluster: name, detail: health.detail, reported: ready.status }, 'member cluster is not healthy');

    if (!health.online && ready.status !== 'True') {
      // offline past the failure threshold: report it and stop watching the member until it is back
      await this.stopMemberCache(name);
      await this.writeStatus(cluster, (status) => void setStatusCondition(status.conditions!, { ...ready }, this.nowTime()));
      return { requeueAfterMs: this.frequencyMs };
    }

    let collected: Partial<ClusterStatus> = {};
    let extra: StatusCondition[] = [];
    let labels: Record<string, string | null> | undefined;
    if (health.online && health.healthy && ready.status === 'True') {
      const caches = this.opts.enableResourceModeling !== false ? this.memberCache(name, rest) : undefined;
      ({ collected, conditions: extra, labels } = await collectMemberStatus(rest, {
        cluster: name,
        logger: this.log,
        caches,
        resourceModels: cluster.spec?.resourceModels,
        cacheSyncTimeoutMs: this.opts.cacheSyncTimeoutMs,
      }));
    }

    await this.writeStatus(cluster, (status) => applyCollectedStatus(status, collected, extra, ready, this.nowTime()));
    const labelPatch = labelChanges(cluster.metadata?.labels, labels);
    if (labelPatch) await this.opts.client.resource<Cluster>(CLUSTERS).patch(name, { metadata: { labels: labelPatch } });
    return { requeueAfterMs: this.frequencyMs };
  }

  private nowTime(): string {
    return metaTime(new Date(this.now()));
  }

  private async credentials(cluster: Cluster): Promise<Secret> {
    const ref = cluster.spec?.secretRef;
    if (!ref?.name) throw new Error(`cluster ${cluster.metadata?.name} has no spec.secretRef`);
    try {
      return await this.opts.client.resource<Secret>(SECRETS).get(ref.name, { namespace: ref.namespace || 'karmada-cluster' });
    } catch (err) {
      if (isNotFound(err)) throw new Error(`secret ${ref.namespace}/${ref.name} (spec.secretRef) not found`);
      throw err;
    }
  }

  /** Writes status changes made by mutate (skipped when nothing changed; re-applied on conflicts). */
  private async writeStatus(cluster: Cluster, mutate: (status: MutableClusterStatus) => void): Promise<void> {
    const clusters = this.opts.client.resource<Cluster>(CLUSTERS);
    let base = cluster;
    for (let attempt = 0; ; attempt++) {
      const status = structuredClone(base.status ?? {}) as MutableClusterStatus;
      status.conditions ??= [];
      mutate(status);
      if (deepEqual(status, { ...(base.status ?? {}), conditions: base.status?.conditions ?? [] })) return;
      try {
        await clusters.updateStatus({ ...base, status: status as ClusterStatus });
        return;
      } catch (err) {
        if (!isConflict(err) || attempt >= 4) throw err;
        base = await clusters.get(cluster.metadata!.name!);
      }
    }
  }

  private memberCache(name: string, rest: RestClient): MemberStatusCaches {
    let cache = this.caches.get(name);
    if (cache && cache.rest === rest) return cache;
    cache = startMemberStatusCaches(rest, this.opts.logger?.child({ cluster: name }));
    this.caches.set(name, cache);
    return cache;
  }

  private async stopMemberCache(name: string): Promise<void> {
    const cache = this.caches.get(name);
    if (!cache) return;
    this.caches.delete(name);
    await stopMemberStatusCaches(cache);
  }

  private async forget(name: string): Promise<void> {
    await this.stopMemberCache(name);
    this.members.remove(name);
  }
}
