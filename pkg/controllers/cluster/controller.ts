// The cluster controller (Karmada's pkg/controllers/cluster/cluster_controller.go): for every Cluster it
//  - keeps the finalizer karmada.io/cluster-controller and the execution namespace karmada-es-<cluster>;
//  - keeps the NoSchedule taints not-ready/unreachable in line with the Ready condition;
//  - for Pull clusters, sets Ready=Unknown when neither the agent's Lease karmada-cluster/<cluster> nor
//    the cluster status changed within the grace period (monitorClusterHealth);
//  - on deletion taints the cluster terminating, deletes the Works in the execution namespace and the
//    namespace, waits for it to be gone, then removes the finalizer.

import { pino, type Logger } from 'pino';
import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import { CLUSTER_CONTROLLER_FINALIZER, clusterOfExecutionNamespace, executionNamespace, NAMESPACE_KARMADA_CLUSTER } from '../../apis/cluster/v1alpha1/index.js';
import type { ObjectClient } from '../../runtime/client.js';
import { Controller, type ReconcileResult, type Runnable } from '../../runtime/controller.js';
import type { SharedInformerFactory } from '../../runtime/factory.js';
import { LEASES, NAMESPACES } from '../../runtime/gvr.js';
import { errText, type Informer } from '../../runtime/informer.js';
import type { Lease } from '../../runtime/leaderelection.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../runtime/rest.js';
import { metaTime, type KubeObject } from '../../runtime/types.js';
import { CLUSTERS, WORKS } from '../../util/clusterapi.js';
import { setStatusCondition, type StatusCondition } from '../../util/conditions.js';
import { taintsForReadyCondition, TERMINATING_TAINT, updateTaints } from './taints.js';

export const CLUSTER_CONTROLLER_NAME = 'cluster';

export interface ClusterControllerOptions {
  client: ObjectClient;
  informers: SharedInformerFactory;
  logger?: Logger;
  /** --cluster-monitor-period: how often Pull clusters' health is checked (default 5 s). */
  monitorPeriodMs?: number;
  /** --cluster-monitor-grace-period (default 40 s). */
  monitorGracePeriodMs?: number;
  /** --cluster-startup-grace-period: grace for a cluster that never reported Ready (default 60 s). */
  startupGracePeriodMs?: number;
  workers?: number;
  now?: () => number;
}

interface HealthData {
  probeTimestamp: number;
  leaseRenewTime?: string;
  statusSignature: string;
}

export const CLUSTER_STATUS_UNKNOWN_REASON = 'ClusterStatusUnknown';
export const CLUSTER_STATUS_UNKNOWN_MESSAGE = 'Cluster status controller stopped posting cluster status.';

export class ClusterController implements Runnable {
  readonly name = CLUSTER_CONTROLLER_NAME;
  readonly clusters: Informer<Cluster>;
  private readonly namespaces: Informer<KubeObject>;
  private readonly leases: Informer<Lease>;
  private readonly controller: Controller;
  private readonly health = new Map<string, HealthData>();
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(private readonly opts: ClusterControllerOptions) {
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ controller: this.name });
    this.now = opts.now ?? Date.now;
    this.clusters = opts.informers.informerFor<Cluster>(CLUSTERS);
    this.namespaces = opts.informers.informerFor(NAMESPACES);
    this.leases = opts.informers.informerFor<Lease>(LEASES, { namespace: NAMESPACE_KARMADA_CLUSTER });
    this.controller = new Controller({ name: this.name, workers: opts.workers ?? 5, logger: opts.logger, reconcile: (key) => this.reconcile(key) })
      .watch(this.clusters)
      .watch(this.namespaces, {
        mapKeys: (ns) => {
          const c = clusterOfExecutionNamespace(ns.metadata?.name);
          return c ? [c] : [];
        },
        add: () => false, // creation is ours; deletions and changes (e.g. terminating) matter
      })
      .watch(this.leases, { mapKeys: (l) => [l.metadata?.name ?? ''] });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.controller.run(signal);
  }

  async reconcile(name: string): Promise<ReconcileResult> {
    const cluster = this.clusters.indexer.get(name);
    if (!cluster) {
      this.health.delete(name);
      return {};
    }
    if (cluster.metadata?.deletionTimestamp) return this.removeCluster(cluster);

    if (!cluster.metadata?.finalizers?.includes(CLUSTER_CONTROLLER_FINALIZER)) {
      await this.update({ ...cluster, metadata: { ...cluster.metadata, finalizers: [...(cluster.metadata?.finalizers ?? []), CLUSTER_CONTROLLER_FINALIZER] } });
      return {}; // the update event brings us back
    }

    const nsWait = await this.ensureExecutionSpace(name);

    const ready = cluster.status?.conditions?.find((c) => c.type === 'Ready');
    const taints = taintsForReadyCondition(cluster.spec?.taints, ready?.status);
    if (taints) {
      this.log.info({ cluster: name, ready: ready?.status ?? 'none', taints: taints.map((t) => `${t.key}:${t.effect}`) }, 'updating cluster taints');
      await this.update({ ...cluster, spec: { ...cluster.spec!, taints } });
    }

    let requeueAfterMs: number | undefined = nsWait;
    if (cluster.spec?.syncMode === 'Pull') {
      const next = await this.monitorPullCluster(cluster);
      requeueAfterMs = requeueAfterMs === undefined ? next : Math.min(requeueAfterMs, next);
    } else {
      this.health.delete(name);
    }
    return requeueAfterMs === undefined ? {} : { requeueAfterMs };
  }

  /** Creates karmada-es-<cluster> when missing; returns a requeue delay while it is still terminating. */
  private async ensureExecutionSpace(cluster: string): Promise<number | undefined> {
    const ns = executionNamespace(cluster);
    const cur = this.namespaces.indexer.get(ns);
    if (cur?.metadata?.deletionTimestamp) return 1000; // being deleted: create it again once gone
    if (cur) return undefined;
    try {
      await this.opts.client.resource(NAMESPACES).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
      this.log.info({ cluster, namespace: ns }, 'created execution namespace');
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    return undefined;
  }

  /** Ready=Unknown for a Pull cluster whose agent stopped renewing its Lease and posting status. */
  private async monitorPullCluster(cluster: Cluster): Promise<number> {
    const name = cluster.metadata!.name!;
    const period = this.opts.monitorPeriodMs ?? 5000;
    const now = this.now();
    const ready = cluster.status?.conditions?.find((c) => c.type === 'Ready');
    const signature = JSON.stringify(cluster.status ?? {});
    const lease = this.leases.indexer.getByName(name, NAMESPACE_KARMADA_CLUSTER);
    const renew = lease?.spec?.renewTime;
    let h = this.health.get(name);
    if (!h) {
      const created = Date.parse(cluster.metadata?.creationTimestamp ?? '') || now;
      h = { probeTimestamp: renew ? now : Math.min(created, now), leaseRenewTime: renew, statusSignature: signature };
      // a restarted controller gives every cluster a fresh grace period
      if (ready) h.probeTimestamp = now;
      this.health.set(name, h);
    }
    if (renew && renew !== h.leaseRenewTime) {
      h.leaseRenewTime = renew;
      h.probeTimestamp = now;
    }
    if (signature !== h.statusSignature) {
      h.statusSignature = signature;
      h.probeTimestamp = now;
    }
    const grace = ready ? (this.opts.monitorGracePeriodMs ?? 40_000) : (this.opts.startupGracePeriodMs ?? 60_000);
    const deadline = h.probeTimestamp + grace;
    if (now < deadline) return Math.max(100, Math.min(period, deadline - now));
    if (ready?.status !== 'Unknown') {
      this.log.warn({ cluster: name, lastHeartbeat: new Date(h.probeTimestamp).toISOString() }, 'pull cluster stopped reporting; marking Ready=Unknown');
      const status = structuredClone(cluster.status ?? {}) as { conditions?: StatusCondition[] };
      status.conditions ??= [];
      setStatusCondition(status.conditions, { type: 'Ready', status: 'Unknown', reason: CLUSTER_STATUS_UNKNOWN_REASON, message: CLUSTER_STATUS_UNKNOWN_MESSAGE }, metaTime(new Date(now)));
      await this.opts.client.resource<Cluster>(CLUSTERS).updateStatus({ ...cluster, status: status as Cluster['status'] });
      // our own write is not a heartbeat
      h.statusSignature = JSON.stringify(status);
    }
    return period;
  }

  private async removeCluster(cluster: Cluster): Promise<ReconcileResult> {
    const name = cluster.metadata!.name!;
    if (!cluster.metadata?.finalizers?.includes(CLUSTER_CONTROLLER_FINALIZER)) return {};
    const terminating = updateTaints(cluster.spec?.taints, [TERMINATING_TAINT], [], metaTime(new Date(this.now())));
    if (terminating) {
      await this.update({ ...cluster, spec: { ...cluster.spec!, taints: terminating } });
      return {};
    }
    const ns = executionNamespace(name);
    // Works first (Work may not be served by this server: nothing to delete then)
    const works = this.opts.client.resource(WORKS);
    try {
      const list = await works.list({ namespace: ns });
      for (const w of list.items) {
        if (!w.metadata?.deletionTimestamp) await works.deleteIfExists(w.metadata!.name!, { namespace: ns });
      }
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const namespaces = this.opts.client.resource(NAMESPACES);
    const cur = await namespaces.getOrUndefined(ns);
    if (cur) {
      if (!cur.metadata?.deletionTimestamp) {
        await namespaces.deleteIfExists(ns);
        this.log.info({ cluster: name, namespace: ns }, 'deleting execution namespace');
      }
      return { requeueAfterMs: 1000 }; // wait until the namespace is gone
    }
    this.health.delete(name);
    await this.update({ ...cluster, metadata: { ...cluster.metadata, finalizers: cluster.metadata.finalizers.filter((f) => f !== CLUSTER_CONTROLLER_FINALIZER) } });
    this.log.info({ cluster: name }, 'cluster removed');
    return {};
  }

  /** PUT with the cached resourceVersion: a conflict means our cache is behind; retried with backoff. */
  private async update(cluster: Cluster): Promise<void> {
    try {
      await this.opts.client.resource<Cluster>(CLUSTERS).update(cluster);
    } catch (err) {
      if (isConflict(err)) this.log.debug({ cluster: cluster.metadata?.name, err: errText(err) }, 'conflict; retrying');
      throw err;
    }
  }
}
