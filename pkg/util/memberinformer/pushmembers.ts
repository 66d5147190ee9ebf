// Push clusters as MemberClusters: a client built from the Cluster's spec (apiEndpoint, TLS, proxy) and
// its credentials Secret (spec.secretRef, in karmada-cluster, read from a Secret informer), a per-member
// RESTMapper and the member-side informers. One instance is shared by the controllers of a controller
// manager (the execution and work status controllers read the same member caches), like Karmada's
// genericmanager singleton; it is keyed by the SharedInformerFactory they share.

import { pino, type Logger } from 'pino';
import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import { NAMESPACE_KARMADA_CLUSTER } from '../../apis/cluster/v1alpha1/index.js';
import type { ObjectClient } from '../../runtime/client.js';
import type { SharedInformerFactory } from '../../runtime/factory.js';
import { SECRETS } from '../../runtime/gvr.js';
import type { Informer } from '../../runtime/informer.js';
import { isNotFound, type RestClient } from '../../runtime/rest.js';
import { CLUSTERS } from '../clusterapi.js';
import { MemberClients, type Secret } from '../membercluster.js';
import { MultiClusterInformerManager, type MemberInformerDefaults } from './manager.js';
import { newMemberCluster, type MemberCluster, type MemberSource } from './member.js';

export interface PushMemberClustersOptions {
  client: ObjectClient;
  informers: SharedInformerFactory;
  logger?: Logger;
  userAgent?: string;
  informerDefaults?: MemberInformerDefaults;
}

export class PushMemberClusters implements MemberSource {
  readonly clusters: Informer<Cluster>;
  /** Credentials Secrets in karmada-cluster. */
  readonly secrets: Informer<Secret>;
  readonly informerManager: MultiClusterInformerManager;
  private readonly clients: MemberClients;
  private readonly members = new Map<string, { rest: RestClient; member: MemberCluster }>();
  private readonly log: Logger;
  private users = 0;

  constructor(private readonly opts: PushMemberClustersOptions) {
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'push-members' });
    this.clusters = opts.informers.informerFor<Cluster>(CLUSTERS);
    this.secrets = opts.informers.informerFor<Secret>(SECRETS, { namespace: NAMESPACE_KARMADA_CLUSTER });
    this.clients = new MemberClients(opts.userAgent ?? 'karmada-controller-manager');
    this.informerManager = new MultiClusterInformerManager({ logger: opts.logger, informerDefaults: opts.informerDefaults });
    this.clusters.addEventHandler({ onDelete: (c) => void this.forget(c.metadata?.name ?? '') });
  }

  /** Push clusters (Pull clusters are their agents' business). */
  serves(cluster: Cluster): boolean {
    return (cluster.spec?.syncMode ?? 'Push') === 'Push';
  }

  /** The member of a Push cluster; rebuilt (caches included) when its endpoint or credentials change. */
  async member(cluster: Cluster): Promise<MemberCluster> {
    const name = cluster.metadata?.name ?? '';
    const secret = await this.credentials(cluster);
    const { rest } = this.clients.get(cluster, secret);
    const cur = this.members.get(name);
    if (cur && cur.rest === rest) return cur.member;
    if (cur) this.log.info({ cluster: name }, 'member endpoint or credentials changed; rebuilding its client and caches');
    const member = newMemberCluster(name, rest, this.informerManager.forCluster(name, rest));
    this.members.set(name, { rest, member });
    return member;
  }

  /** The member built last for the cluster, without building one. */
  current(name: string): MemberCluster | undefined {
    return this.members.get(name)?.member;
  }

  /** Stops the caches and closes the client of a cluster that is gone. */
  async forget(name: string): Promise<void> {
    this.members.delete(name);
    await this.informerManager.stop(name);
    this.clients.remove(name);
  }

  private async credentials(cluster: Cluster): Promise<Secret> {
    const name = cluster.metadata?.name;
    const ref = cluster.spec?.secretRef;
    if (!ref?.name) throw new Error(`cluster ${name} has no spec.secretRef; Push clusters need credentials (karmadactl join creates them)`);
    const namespace = ref.namespace || NAMESPACE_KARMADA_CLUSTER;
    if (namespace === NAMESPACE_KARMADA_CLUSTER && this.secrets.hasSynced()) {
      const s = this.secrets.indexer.getByName(ref.name, namespace);
      if (s) return s;
    }
    try {
      return await this.opts.client.resource<Secret>(SECRETS).get(ref.name, { namespace });
    } catch (err) {
      if (isNotFound(err)) throw new Error(`secret ${namespace}/${ref.name} (spec.secretRef of cluster ${name}) not found; re-join the cluster or recreate the secret`);
      throw err;
    }
  }

  /** Counts a controller using the members; the last release stops every cache and client. */
  acquire(): void {
    this.users++;
  }

  async release(): Promise<void> {
    if (--this.users > 0) return;
    this.members.clear();
    await this.informerManager.stopAll();
    this.clients.closeAll();
  }
}

const shared = new WeakMap<SharedInformerFactory, PushMemberClusters>();

/** The PushMemberClusters of the controllers sharing this informer factory (created on first use). */
export function sharedPushMemberClusters(opts: PushMemberClustersOptions): PushMemberClusters {
  let m = shared.get(opts.informers);
  if (!m) {
    m = new PushMemberClusters(opts);
    shared.set(opts.informers, m);
  }
  return m;
}
