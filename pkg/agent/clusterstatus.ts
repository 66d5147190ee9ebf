// The agent's cluster status (Karmada's cluster status controller as the agent runs it, for its own
// cluster only): every --cluster-status-update-frequency, /readyz of the member → Ready (with the
// success/failure thresholds), and while Ready the Kubernetes version, served APIs and node/pod summaries
// from member caches → clusters/<name>/status. The same collection code as the Push controller
// (pkg/controllers/clusterstatus); an optional hook adds what only some members have (edge nodes).

import { pino, type Logger } from 'pino';
import type { Cluster, ClusterStatus } from '../apis/cluster/v1alpha1/index.js';
import { ObjectClient } from '../runtime/client.js';
import type { Informer } from '../runtime/informer.js';
import { isConflict, isNotFound, type RestClient } from '../runtime/rest.js';
import { metaTime } from '../runtime/types.js';
import { CLUSTERS } from '../util/clusterapi.js';
import type { StatusCondition } from '../util/conditions.js';
import { deepEqual } from '../util/deepequal.js';
import {
  applyCollectedStatus,
  labelChanges,
  collectMemberStatus,
  startMemberStatusCaches,
  stopMemberStatusCaches,
  type CollectedMemberStatus,
  type MemberStatusCaches,
  type MutableClusterStatus,
} from '../controllers/clusterstatus/collect.js';
import { ClusterConditionCache } from '../controllers/clusterstatus/conditioncache.js';
import { probeHealth, readyCondition } from '../controllers/clusterstatus/memberstatus.js';
import { slimNode, type Node, type Pod } from '../controllers/clusterstatus/summary.js';
import type { KubeObject } from '../runtime/types.js';

/** slimNode plus the node's labels (roles such as node-role.kubernetes.io/edge are read by the hook). */
export function slimNodeWithLabels(obj: KubeObject): Node {
  const n = slimNode(obj);
  const labels = obj.metadata?.labels;
  return labels ? { ...n, metadata: { ...n.metadata, labels } } : n;
}

export interface ClusterStatusHookInput {
  cluster: Cluster;
  /** The member (e.g. to look for KubeEdge's CRDs). */
  member: ObjectClient;
  /** The member's nodes (with their labels) and pods, when this round collected summaries. */
  nodes?: Node[];
  pods?: Pod[];
}

export interface ClusterStatusHookResult {
  /** Status fields to write along with the collected ones. */
  status?: Record<string, unknown>;
  /** Labels to keep on the Cluster (null removes one), e.g. the KubeEdge label. */
  labels?: Record<string, string | null>;
}

/** Where member-specific status is added (the lead wires pkg/edge's edge-node summary in here). */
export type ClusterStatusHook = (input: ClusterStatusHookInput) => ClusterStatusHookResult | undefined | Promise<ClusterStatusHookResult | undefined>;

export interface AgentClusterStatusOptions {
  client: ObjectClient;
  /** The agent's client of its member. */
  memberRest: RestClient;
  clusterName: string;
  /** The informer on the agent's own Cluster. */
  clusters: Informer<Cluster>;
  logger?: Logger;
  /** --cluster-success-threshold / --cluster-failure-threshold (default 30 s each). */
  successThresholdMs?: number;
  failureThresholdMs?: number;
  /** Collect nodeSummary/resourceSummary (--enable-cluster-resource-modeling, default true). */
  enableResourceModeling?: boolean;
  cacheSyncTimeoutMs?: number;
  extraStatus?: ClusterStatusHook;
  now?: () => number;
}

export class AgentClusterStatus {
  private readonly conditions: ClusterConditionCache;
  private readonly log: Logger;
  private readonly now: () => number;
  private caches: MemberStatusCaches | undefined;

  constructor(private readonly opts: AgentClusterStatusOptions) {
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ controller: 'clusterStatus' });
    this.now = opts.now ?? Date.now;
    this.conditions = new ClusterConditionCache(opts.successThresholdMs ?? 30_000, opts.failureThresholdMs ?? 30_000, this.now);
  }

  /** One collection and status write. Resolves false when the Cluster is not registered yet. */
  async sync(): Promise<boolean> {
    const name = this.opts.clusterName;
    const cluster = this.opts.clusters.indexer.get(name) ?? (await this.opts.client.resource<Cluster>(CLUSTERS).getOrUndefined(name));
    if (!cluster || cluster.metadata?.deletionTimestamp) return false;

    const health = await probeHealth(this.opts.memberRest);
    const ready = this.conditions.thresholdAdjustedReadyCondition(name, cluster.status?.conditions as StatusCondition[] | undefined, readyCondition(health));
    if (!health.healthy) this.log.info({ cluster: name, detail: health.detail, reported: ready.status }, 'member cluster is not healthy');

    let observed: CollectedMemberStatus = { collected: {}, conditions: [] };
    if (!health.online && ready.status !== 'True') {
      await this.stopCaches(); // offline past the failure threshold: stop watching until it is back
    } else if (health.online && health.healthy && ready.status === 'True') {
      if (this.opts.enableResourceModeling !== false) this.caches ??= startMemberStatusCaches(this.opts.memberRest, this.opts.logger?.child({ cluster: name }), { nodeTransform: slimNodeWithLabels });
      observed = await collectMemberStatus(this.opts.memberRest, {
        cluster: name,
        logger: this.log,
        caches: this.caches,
        resourceModels: cluster.spec?.resourceModels,
        cacheSyncTimeoutMs: this.opts.cacheSyncTimeoutMs,
      });
    }
    const extra = this.opts.extraStatus ? await this.opts.extraStatus({ cluster, member: new ObjectClient(this.opts.memberRest), nodes: observed.nodes, pods: observed.pods }) : undefined;

    await this.writeStatus(cluster, (status) => {
      applyCollectedStatus(status, observed.collected, observed.conditions, ready, metaTime(new Date(this.now())));
      if (extra?.status) Object.assign(status, extra.status);
    });
    const labels = labelChanges(cluster.metadata?.labels, { ...observed.labels, ...extra?.labels });
    if (labels) await this.opts.client.resource<Cluster>(CLUSTERS).patch(name, { metadata: { labels } });
    return true;
  }

  async stop(): Promise<void> {
    await this.stopCaches();
  }

  private async stopCaches(): Promise<void> {
    const c = this.caches;
    this.caches = undefined;
    if (c) await stopMemberStatusCaches(c);
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
        if (isNotFound(err)) return; // unregistered meanwhile; registration creates it again
        if (!isConflict(err) || attempt >= 4) throw err;
        base = await clusters.get(this.opts.clusterName);
      }
    }
  }
}
