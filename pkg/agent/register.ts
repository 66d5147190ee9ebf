// Registration of the agent's Cluster in the control plane (Karmada's util.RegisterClusterInControllerPlane
// with the agent's generateClusterInControllerPlane): the cluster id is the UID of the member's kube-system
// namespace; no other Cluster may carry the same id; the Cluster is created, or updated in place, as a
// Pull cluster with its API endpoint, proxy, id, provider, region and zones.

import type { Cluster } from '../apis/cluster/v1alpha1/index.js';
import { API_VERSION as CLUSTER_API_VERSION, SYNC_MODE_PULL } from '../apis/cluster/v1alpha1/index.js';
import type { ObjectClient } from '../runtime/client.js';
import { NAMESPACES } from '../runtime/gvr.js';
import { isAlreadyExists, isConflict, isForbidden, isNotFound } from '../runtime/rest.js';
import { CLUSTERS } from '../util/clusterapi.js';
import { deepEqual } from '../util/deepequal.js';

export interface ClusterRegisterOptions {
  clusterName: string;
  /** UID of the member's kube-system namespace. */
  clusterID: string;
  /** The member's API server URL as the control plane should reach it (--cluster-api-endpoint). */
  clusterAPIEndpoint: string;
  proxyServerAddress?: string;
  provider?: string;
  region?: string;
  zones?: string[];
  /** The member kubeconfig skips TLS verification. */
  insecureSkipTLSVerification?: boolean;
  /** Labels the agent keeps on its Cluster (e.g. cluster.karmada.io/kubeedge); null removes one. */
  labels?: Record<string, string | null>;
}

/** Thrown when another Cluster already carries this member's id (the same cluster registered twice). */
export class DuplicateClusterError extends Error {
  constructor(
    readonly clusterID: string,
    readonly existing: string,
    wanted: string,
  ) {
    super(
      `the same cluster has been registered with name ${existing} (spec.id ${clusterID}); ` +
        `run the agent with --cluster-name=${existing}, or remove that registration first (karmadactl unregister ${existing}) to register it as ${wanted}`,
    );
    this.name = 'DuplicateClusterError';
  }
}

/** The member's cluster id: the UID of its kube-system namespace (util.ObtainClusterID). */
export async function obtainClusterID(member: ObjectClient): Promise<string> {
  const ns = await member.resource(NAMESPACES).get('kube-system');
  const uid = ns.metadata?.uid;
  if (!uid) throw new Error('the member cluster\'s kube-system namespace has no metadata.uid; cannot derive the cluster id');
  return uid;
}

/** The name of another Cluster registered with this id, if any (util.IsClusterIdentifyUnique). */
export function clusterWithSameID(clusters: readonly Cluster[], id: string, name: string): string | undefined {
  return clusters.find((c) => c.spec?.id === id && c.metadata?.name !== name)?.metadata?.name;
}

/** The registered Cluster: the existing one (or a new one) with what the agent owns set (pure). */
export function generateClusterInControlPlane(existing: Cluster | undefined, opts: ClusterRegisterOptions): Cluster {
  const cluster: Cluster = existing
    ? structuredClone(existing)
    : { apiVersion: CLUSTER_API_VERSION, kind: 'Cluster', metadata: { name: opts.clusterName }, spec: { syncMode: SYNC_MODE_PULL } };
  const spec = (cluster.spec ??= { syncMode: SYNC_MODE_PULL });
  spec.syncMode = SYNC_MODE_PULL;
  spec.apiEndpoint = opts.clusterAPIEndpoint;
  if (opts.proxyServerAddress) spec.proxyURL = opts.proxyServerAddress;
  else delete spec.proxyURL;
  spec.id = opts.clusterID;
  if (opts.provider) spec.provider = opts.provider;
  if (opts.zones?.length) spec.zones = [...opts.zones];
  if (opts.region) spec.region = opts.region;
  if (opts.insecureSkipTLSVerification) spec.insecureSkipTLSVerification = true;
  else delete spec.insecureSkipTLSVerification;
  if (opts.labels) {
    const md = (cluster.metadata ??= { name: opts.clusterName });
    const labels = { ...(md.labels ?? {}) };
    for (const [k, v] of Object.entries(opts.labels)) {
      if (v === null) delete labels[k];
      else labels[k] = v;
    }
    if (Object.keys(labels).length) md.labels = labels;
    else delete md.labels;
  }
  return cluster;
}

/** Whether registering would change the Cluster (so an unchanged one costs one GET). */
export function registrationChanges(existing: Cluster, desired: Cluster): boolean {
  return !deepEqual(existing.spec, desired.spec) || !deepEqual(existing.metadata?.labels ?? {}, desired.metadata?.labels ?? {});
}

/**
 * Creates or updates the agent's Cluster (util.CreateOrUpdateClusterObject); returns it as stored.
 * Throws DuplicateClusterError when the member is already registered under another name.
 */
export async function registerClusterInControlPlane(client: ObjectClient, opts: ClusterRegisterOptions): Promise<Cluster> {
  const clusters = client.resource<Cluster>(CLUSTERS);
  try {
    const all = await clusters.listAll();
    const other = clusterWithSameID(all.items, opts.clusterID, opts.clusterName);
    if (other) throw new DuplicateClusterError(opts.clusterID, other, opts.clusterName);
  } catch (err) {
    // an agent allowed to touch only its own Cluster cannot list: the check is best-effort then
    if (!isForbidden(err)) throw err;
  }
  for (let attempt = 0; ; attempt++) {
    const existing = await clusters.getOrUndefined(opts.clusterName);
    const desired = generateClusterInControlPlane(existing, opts);
    try {
      if (!existing) return await clusters.create(desired);
      if (!registrationChanges(existing, desired)) return existing;
      return await clusters.update(desired);
    } catch (err) {
      // raced with someone else's write: read again and redo
      if ((isConflict(err) || isAlreadyExists(err) || isNotFound(err)) && attempt < 5) continue;
      throw err;
    }
  }
}
