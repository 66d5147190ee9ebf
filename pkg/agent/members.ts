// The karmada-agent's MemberSource: exactly one member, its own, reached through the agent's member
// kubeconfig rather than a credentials Secret. The execution and work status controllers run on it
// unchanged. Readiness is the agent's own business: it applies whenever its member answers, even while
// the control plane marks the Cluster Ready=Unknown because the agent could not reach it (edge autonomy).

import { pino, type Logger } from 'pino';
import type { Cluster } from '../apis/cluster/v1alpha1/index.js';
import type { Informer } from '../runtime/informer.js';
import type { RestClient } from '../runtime/rest.js';
import { MultiClusterInformerManager, type MemberInformerDefaults } from '../util/memberinformer/manager.js';
import { newMemberCluster, type MemberCluster, type MemberSource } from '../util/memberinformer/member.js';

export interface AgentMemberSourceOptions {
  clusterName: string;
  /** The agent's client of its member cluster (owned by the caller). */
  rest: RestClient;
  /** An informer on the agent's own Cluster in the control plane (fieldSelector metadata.name=<cluster>). */
  clusters: Informer<Cluster>;
  logger?: Logger;
  informerDefaults?: MemberInformerDefaults;
}

export class AgentMemberSource implements MemberSource {
  readonly clusters: Informer<Cluster>;
  readonly informerManager: MultiClusterInformerManager;
  readonly clusterName: string;
  private current: MemberCluster | undefined;
  private users = 0;
  private readonly log: Logger;

  constructor(private readonly opts: AgentMemberSourceOptions) {
    this.clusterName = opts.clusterName;
    this.clusters = opts.clusters;
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'agent-members' });
    this.informerManager = new MultiClusterInformerManager({ logger: opts.logger, informerDefaults: opts.informerDefaults });
  }

  /** Only the agent's own cluster. */
  serves(cluster: Cluster): boolean {
    return cluster.metadata?.name === this.clusterName;
  }

  /** Always: the agent applies while its member answers, whatever the control plane last concluded. */
  ready(_cluster: Cluster): boolean {
    return true;
  }

  async member(cluster: Cluster): Promise<MemberCluster> {
    const name = cluster.metadata?.name ?? '';
    if (name !== this.clusterName) throw new Error(`karmada-agent of cluster ${this.clusterName} does not serve cluster ${name}`);
    if (!this.current) {
      this.current = newMemberCluster(name, this.opts.rest, this.informerManager.forCluster(name, this.opts.rest));
      this.log.debug({ cluster: name }, 'member client and caches built');
    }
    return this.current;
  }

  acquire(): void {
    this.users++;
  }

  /** The last user stops the member caches; the member client belongs to the caller. */
  async release(): Promise<void> {
    if (--this.users > 0) return;
    this.current = undefined;
    await this.informerManager.stopAll();
  }
}
