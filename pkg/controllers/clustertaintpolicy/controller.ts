// ClusterTaintPolicyController (Karmada's cluster-taint-policy-controller): keeps each Cluster's
// spec.taints in line with the ClusterTaintPolicies. Reconciles one Cluster at a time, when its status
// conditions change or a policy targeting it is created or has its spec changed. Deleting a policy
// leaves its taints in place, as upstream. Writes are merge patches of spec.taints guarded by the cached
// resourceVersion, so a concurrent write (the cluster controller's own taints) conflicts and retries.

import { pino, type Logger } from 'pino';
import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import type { ClusterTaintPolicy } from '../../apis/policy/v1alpha1/index.js';
import { nowTime } from '../../apis/meta/v1/types.js';
import type { ObjectClient } from '../../runtime/client.js';
import { Controller, type ReconcileResult, type Runnable } from '../../runtime/controller.js';
import type { SharedInformerFactory } from '../../runtime/factory.js';
import { errText, type Informer } from '../../runtime/informer.js';
import { isConflict, isNotFound } from '../../runtime/rest.js';
import { CLUSTER_TAINT_POLICIES, CLUSTERS } from '../../util/clusterapi.js';
import { deepEqual } from '../../util/deepequal.js';
import { clusterMatches } from '../../util/selector.js';
import { desiredClusterTaints } from './decision.js';

export const CLUSTER_TAINT_POLICY_CONTROLLER_NAME = 'clusterTaintPolicy';
export { CLUSTER_TAINT_POLICIES };

export interface ClusterTaintPolicyControllerOptions {
  client: ObjectClient;
  informers: SharedInformerFactory;
  logger?: Logger;
  workers?: number;
  /** Clock for taint timeAdded (tests pass a fixed one). */
  now?: () => Date;
}

export class ClusterTaintPolicyController implements Runnable {
  readonly name = CLUSTER_TAINT_POLICY_CONTROLLER_NAME;
  private readonly clusters: Informer<Cluster>;
  private readonly policies: Informer<ClusterTaintPolicy>;
  private readonly controller: Controller;
  private readonly log: Logger;
  private readonly now: () => Date;

  constructor(private readonly opts: ClusterTaintPolicyControllerOptions) {
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ controller: this.name });
    this.now = opts.now ?? (() => new Date());
    this.clusters = opts.informers.informerFor<Cluster>(CLUSTERS);
    this.policies = opts.informers.informerFor<ClusterTaintPolicy>(CLUSTER_TAINT_POLICIES);
    this.controller = new Controller({ name: this.name, workers: opts.workers, logger: opts.logger, reconcile: (key) => this.reconcile(key) })
      .watch(this.clusters, {
        // every cluster once at start; afterwards only condition changes matter (our own patches do not)
        update: (o, n) => !deepEqual(o.status?.conditions, n.status?.conditions),
        delete: () => false,
      })
      .watch(this.policies, {
        mapKeys: (p) => this.targetedClusters(p),
        update: (o, n) => !deepEqual(o.spec, n.spec),
        delete: () => false,
      });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.controller.run(signal);
  }

  private targetedClusters(p: ClusterTaintPolicy): string[] {
    return this.clusters.indexer
      .list()
      .filter((c) => !p.spec?.targetClusters || clusterMatches(c, p.spec.targetClusters))
      .map((c) => c.metadata!.name!);
  }

  async reconcile(name: string): Promise<ReconcileResult> {
    const cluster = this.clusters.indexer.get(name);
    if (!cluster || cluster.metadata?.deletionTimestamp) return {};
    const taints = desiredClusterTaints(cluster, this.policies.indexer.list(), nowTime(this.now()));
    if (deepEqual(taints, cluster.spec?.taints ?? [])) return {};
    try {
      await this.opts.client
        .resource<Cluster>(CLUSTERS)
        .patch(name, { metadata: { resourceVersion: cluster.metadata?.resourceVersion }, spec: { taints } });
    } catch (err) {
      if (isNotFound(err)) return {};
      if (isConflict(err)) {
        this.log.debug({ cluster: name, err: errText(err) }, 'conflict patching taints; retrying with a fresh cache');
        return { requeue: true };
      }
      throw err;
    }
    this.log.info({ cluster: name, taints: taints.map((t) => `${t.key}:${t.effect}`) }, 'updated cluster taints from ClusterTaintPolicies');
    return {};
  }
}
