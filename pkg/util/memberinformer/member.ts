// What the member-side logic (apply a Work, reflect a member object's status) needs of one member
// cluster, whoever built it: the push controllers from a Cluster's secretRef, the karmada-agent from its
// own kubeconfig.

import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import { ObjectClient } from '../../runtime/client.js';
import type { Informer } from '../../runtime/informer.js';
import type { KubeObject } from '../../runtime/types.js';
import { RESTMapper } from '../../runtime/restmapper.js';
import type { RestClient } from '../../runtime/rest.js';
import type { MultiClusterInformerManager, SingleClusterInformerManager } from './manager.js';

export interface MemberCluster {
  /** The Cluster's name (the execution namespace is karmada-es-<name>). */
  readonly name: string;
  readonly client: ObjectClient;
  /** The member's own discovery: kinds may be served in one member and not in another. */
  readonly restMapper: RESTMapper;
  /** Member-side caches of Karmada-managed objects; without them every read goes to the member. */
  readonly informers?: SingleClusterInformerManager;
}

/** A MemberCluster over a client (e.g. the agent's own member client) and optional caches. */
export function newMemberCluster(name: string, rest: RestClient, informers?: SingleClusterInformerManager): MemberCluster {
  const client = new ObjectClient(rest);
  return { name, client, restMapper: new RESTMapper(client), informers };
}

/**
 * Where the member-side controllers get their members from: PushMemberClusters in the controller manager
 * (every Push cluster, clients from secretRef); a karmada-agent provides one serving only its own cluster
 * with its own member client.
 */
export interface MemberSource {
  /** Cluster objects of the control plane (readiness, spec). */
  readonly clusters: Informer<Cluster>;
  /** Credentials Secrets the members are built from, if any (started and synced with the controllers). */
  readonly secrets?: Informer<KubeObject>;
  /** Member-side informers whose events drive drift repair and status reporting. */
  readonly informerManager: MultiClusterInformerManager;
  /** Whether this source handles the cluster's Works (e.g. only Push clusters). */
  serves(cluster: Cluster): boolean;
  /**
   * Whether the member can be worked on; when present the controllers use it instead of isClusterReady.
   * A karmada-agent knows its member is reachable even while its Cluster reads Ready=Unknown (the control
   * plane marks it so when the agent's lease lapses during an outage, and the agent's cache keeps that).
   */
  ready?(cluster: Cluster): boolean;
  member(cluster: Cluster): Promise<MemberCluster>;
  /** A controller starts using the source; release stops caches and clients after the last user. */
  acquire(): void;
  release(): Promise<void>;
}
