// The namespace sync controller (Karmada pkg/controllers/namespace): every user namespace of the control
// plane is written as a Work into each member's execution namespace karmada-es-<cluster>, with the
// ClusterOverridePolicies that select it applied, so that members have the namespaces their workloads
// land in. Re-runs when clusters join and when ClusterOverridePolicies selecting namespaces change; the
// Works go when the namespace goes or is labelled namespace.karmada.io/skip-auto-propagation=true.

import { pino, type Logger } from 'pino';
import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import type { ClusterOverridePolicy } from '../../apis/policy/v1alpha1/index.js';
import type { Work } from '../../apis/work/v1alpha1/index.js';
import type { ObjectClient } from '../../runtime/client.js';
import { Controller, type ReconcileResult, type Runnable } from '../../runtime/controller.js';
import type { SharedInformerFactory } from '../../runtime/factory.js';
import { NAMESPACES } from '../../runtime/gvr.js';
import { errText, type Informer } from '../../runtime/informer.js';
import { isNotFound } from '../../runtime/rest.js';
import type { KubeObject } from '../../runtime/types.js';
import { CLUSTERS, WORKS } from '../../util/clusterapi.js';
import { deepEqual } from '../../util/deepequal.js';
import { applyOverridePolicies } from '../../util/overridemanager/index.js';
import { skippedNamespaceRegexps } from '../detector/filter.js';
import { CLUSTER_OVERRIDE_POLICIES } from '../detector/gvrs.js';
import { desiredNamespaceWork, namespaceWorkChange, namespaceWorkName, ownedByNamespace, wantsWorks, type ApplyClusterOverrides } from './work.js';

export const NAMESPACE_SYNC_CONTROLLER_NAME = 'namespace';

/** Works by the namespace that owns them. */
const OWNER_NAMESPACE_INDEX = 'namespacesync.owner';

export interface NamespaceSyncControllerOptions {
  client: ObjectClient;
  informers: SharedInformerFactory;
  logger?: Logger;
  workers?: number;
  /** --skipped-propagating-namespaces (default kube-.*). */
  skippedPropagatingNamespaces?: string[];
  /** The override manager (default: pkg/util/overridemanager). */
  applyOverrides?: ApplyClusterOverrides;
}

export class NamespaceSyncController implements Runnable {
  readonly name = NAMESPACE_SYNC_CONTROLLER_NAME;
  private readonly log: Logger;
  private readonly skipped: RegExp[];
  private readonly applyOverrides: ApplyClusterOverrides;
  private readonly namespaces: Informer<KubeObject>;
  private readonly clusters: Informer<Cluster>;
  private readonly works: Informer<Work>;
  private readonly cops: Informer<ClusterOverridePolicy>;
  readonly controller: Controller;

  constructor(private readonly opts: NamespaceSyncControllerOptions) {
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ controller: this.name });
    this.skipped = skippedNamespaceRegexps(opts.skippedPropagatingNamespaces);
    this.applyOverrides = opts.applyOverrides ?? applyOverridePolicies;
    this.namespaces = opts.informers.informerFor(NAMESPACES);
    this.clusters = opts.informers.informerFor<Cluster>(CLUSTERS);
    this.works = opts.informers.informerFor<Work>(WORKS, {
      indexers: {
        [OWNER_NAMESPACE_INDEX]: (w) => {
          const owner = ownedByNamespace(w);
          return owner ? [owner] : [];
        },
      },
    });
    this.cops = opts.informers.informerFor<ClusterOverridePolicy>(CLUSTER_OVERRIDE_POLICIES);
    const allNamespaces = () => this.namespaces.indexer.listKeys();
    this.controller = new Controller({ name: this.name, workers: opts.workers ?? 2, logger: opts.logger, reconcile: (key) => this.reconcile(key) })
      .watch(this.namespaces, {
        update: (a, b) => !deepEqual(a.metadata?.labels, b.metadata?.labels) || a.metadata?.deletionTimestamp !== b.metadata?.deletionTimestamp || a.metadata?.uid !== b.metadata?.uid,
      })
      // a joining cluster gets every namespace; changed labels may change which overrides apply
      .watch(this.clusters, { mapKeys: allNamespaces, update: (a, b) => !deepEqual(a.metadata?.labels, b.metadata?.labels), delete: () => false })
      .watch(this.cops, { mapKeys: (cop) => this.namespacesSelectedBy(cop) })
      // a Work deleted or changed behind our back is put right
      .watch(this.works, {
        mapKeys: (w) => {
          const owner = ownedByNamespace(w);
          return owner ? [owner] : [];
        },
        add: () => false,
        // status reports are not our business
        update: (a, b) =>
          a.metadata?.generation !== b.metadata?.generation ||
          !deepEqual(a.metadata?.labels, b.metadata?.labels) ||
          !deepEqual(a.metadata?.annotations, b.metadata?.annotations) ||
          a.metadata?.deletionTimestamp !== b.metadata?.deletionTimestamp,
      });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.controller.run(signal);
  }

  /** Namespaces a ClusterOverridePolicy selects through v1 Namespace selectors (a selector without name: all). */
  private namespacesSelectedBy(cop: ClusterOverridePolicy): string[] {
    const names = new Set<string>();
    for (const rs of cop.spec?.resourceSelectors ?? []) {
      if (rs.apiVersion !== 'v1' || rs.kind !== 'Namespace') continue;
      if (!rs.name) return this.namespaces.indexer.listKeys();
      names.add(rs.name);
    }
    return [...names];
  }

  private async reconcile(name: string): Promise<ReconcileResult> {
    const ns = this.namespaces.indexer.get(name);
    if (!wantsWorks(ns, this.skipped)) {
      await this.removeWorks(name);
      return {};
    }
    const cops = this.cops.indexer.list();
    const errors: string[] = [];
    for (const cluster of this.clusters.indexer.list()) {
      if (cluster.metadata?.deletionTimestamp) continue; // the cluster controller removes its Works
      const clusterName = cluster.metadata?.name ?? '';
      try {
        const desired = desiredNamespaceWork(ns, cluster, cops, this.applyOverrides);
        const existing = this.works.indexer.getByName(desired.name, desired.namespace);
        const change = namespaceWorkChange(desired, existing, ns);
        if (!change) continue;
        const works = this.opts.client.resource<Work>(WORKS);
        if (change.op === 'create') await works.create(change.work);
        else await works.update(change.work);
        this.log.debug({ namespace: name, cluster: clusterName, op: change.op }, 'synced namespace work');
      } catch (err) {
        errors.push(`sync namespace(${name}) to cluster(${clusterName}) failed: ${errText(err)}`);
      }
    }
    if (errors.length) throw new Error(errors.join('; '));
    return {};
  }

  /** Deletes the Works this controller wrote for the namespace (the execution controller finalizes them). */
  private async removeWorks(name: string): Promise<void> {
    const workName = namespaceWorkName(name);
    for (const w of this.works.indexer.byIndex(OWNER_NAMESPACE_INDEX, name)) {
      if (w.metadata?.name !== workName || w.metadata?.deletionTimestamp) continue;
      try {
        await this.opts.client.resource(WORKS).delete(workName, { namespace: w.metadata?.namespace, preconditions: { uid: w.metadata?.uid } });
        this.log.info({ namespace: name, work: `${w.metadata?.namespace}/${workName}` }, 'removed namespace work');
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }
}
