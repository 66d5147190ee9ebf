// The agent's heartbeat (Karmada's cluster lease controller, component-helpers' lease controller): Lease
// karmada-cluster/<cluster> with holderIdentity <cluster> and leaseDurationSeconds, renewed every
// leaseDuration × renewIntervalFraction. The control plane's cluster controller marks a Pull cluster
// Ready=Unknown when neither the Lease nor the cluster status moved within its grace period. The Lease is
// owned by the Cluster, so removing the Cluster removes it too.

import type { Cluster } from '../apis/cluster/v1alpha1/index.js';
import { API_VERSION as CLUSTER_API_VERSION, NAMESPACE_KARMADA_CLUSTER } from '../apis/cluster/v1alpha1/index.js';
import type { ObjectClient } from '../runtime/client.js';
import { LEASES } from '../runtime/gvr.js';
import type { Lease } from '../runtime/leaderelection.js';
import { isAlreadyExists, isConflict, isNotFound } from '../runtime/rest.js';
import { microTime } from '../runtime/types.js';

export const DEFAULT_CLUSTER_LEASE_DURATION_SECONDS = 40;
export const DEFAULT_CLUSTER_LEASE_RENEW_INTERVAL_FRACTION = 0.25;

/** How often the Lease is renewed. */
export function leaseRenewIntervalMs(leaseDurationSeconds: number, fraction: number): number {
  return Math.max(100, Math.round(leaseDurationSeconds * 1000 * fraction));
}

/** The Lease as it should be after a renewal at `now` (pure; keeps what others set). */
export function renewedLease(current: Lease | undefined, opts: { clusterName: string; leaseDurationSeconds: number; cluster?: Pick<Cluster, 'metadata'> }, now: Date): Lease {
  const lease: Lease = current
    ? structuredClone(current)
    : { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: opts.clusterName, namespace: NAMESPACE_KARMADA_CLUSTER } };
  lease.spec = { ...(lease.spec ?? {}), holderIdentity: opts.clusterName, leaseDurationSeconds: opts.leaseDurationSeconds, renewTime: microTime(now) };
  const uid = opts.cluster?.metadata?.uid;
  const md = (lease.metadata ??= {});
  if (uid && !md.ownerReferences?.some((r) => r.uid === uid)) {
    // a Lease left by an earlier registration of the same name belongs to the new Cluster now
    md.ownerReferences = [
      ...(md.ownerReferences ?? []).filter((r) => !(r.kind === 'Cluster' && r.apiVersion === CLUSTER_API_VERSION)),
      { apiVersion: CLUSTER_API_VERSION, kind: 'Cluster', name: opts.clusterName, uid },
    ];
  }
  return lease;
}

/** Renews (or creates) the Lease once. */
export async function renewClusterLease(client: ObjectClient, opts: { clusterName: string; leaseDurationSeconds: number; cluster?: Pick<Cluster, 'metadata'> }, now: () => Date = () => new Date()): Promise<Lease> {
  const leases = client.resource<Lease>(LEASES);
  for (let attempt = 0; ; attempt++) {
    const cur = await leases.getOrUndefined(opts.clusterName, { namespace: NAMESPACE_KARMADA_CLUSTER });
    const next = renewedLease(cur, opts, now());
    try {
      return cur ? await leases.update(next) : await leases.create(next);
    } catch (err) {
      if ((isConflict(err) || isAlreadyExists(err) || (cur && isNotFound(err))) && attempt < 3) continue;
      if (isNotFound(err)) throw new Error(`cannot create Lease ${NAMESPACE_KARMADA_CLUSTER}/${opts.clusterName}: namespace ${NAMESPACE_KARMADA_CLUSTER} does not exist in the control plane (karmadactl init creates it)`);
      throw err;
    }
  }
}
