// helper.SpreadReplicasByTargetClusters: the binding controller divides a Job's spec.completions over the
// target clusters in proportion to their scheduled replicas, with the scheduler's Webster division and
// UID tie-breaking (one implementation for both).

import type { TargetCluster } from '../../apis/work/v1alpha2/index.js';
import { allocateWebsterSeats, tieBreakerByUID } from '../../scheduler/webster.js';

/** Divides n over the clusters by Webster, weighted by each cluster's replicas; result sorted by name. */
export function spreadReplicasByTargetClusters(n: number, clusters: readonly TargetCluster[], uid?: string): TargetCluster[] {
  const votes = new Map<string, number>();
  for (const c of clusters) votes.set(c.name, Math.max(0, c.replicas ?? 0));
  return allocateWebsterSeats(n, votes, undefined, tieBreakerByUID(uid)).map((p) => ({ name: p.name, replicas: p.seats }));
}
