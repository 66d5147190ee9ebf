// Webster (Sainte-Laguë) apportionment as Karmada's helper.AllocateWebsterSeats: the next seat goes to
// the party with the highest votes/(2*seats+1); ties go to the party with fewer seats, then by name.
// The binding controller uses it to divide a Job's spec.completions over the target clusters in
// proportion to their scheduled replicas (helper.SpreadReplicasByTargetClusters).
// NOTE: the scheduler needs the same division; the lead may dedupe this with pkg/scheduler.

import { fnv32a, type TargetCluster } from '../../apis/work/v1alpha2/index.js';

export interface Party {
  name: string;
  votes: number;
  seats: number;
}

/** Decides a full tie (same priority, same seats): true when a gets the seat before b. */
export type TieBreaker = (a: Party, b: Party) => boolean;

function before(a: Party, b: Party, tieBreaker?: TieBreaker): boolean {
  // votes/(2s+1) compared without division, exact for integer votes
  const l = a.votes * (2 * b.seats + 1);
  const r = b.votes * (2 * a.seats + 1);
  if (l !== r) return l > r;
  if (a.seats !== b.seats) return a.seats < b.seats;
  if (tieBreaker) return tieBreaker(a, b);
  return a.name < b.name;
}

/** Allocates newSeats over the parties (starting from their current seats); result sorted by name. */
export function allocateWebsterSeats(newSeats: number, parties: readonly Party[], tieBreaker?: TieBreaker): Party[] {
  const ps = parties.map((p) => ({ ...p }));
  if (!ps.length) return [];
  for (let n = 0; n < newSeats; n++) {
    let best = ps[0]!;
    for (const p of ps) if (p !== best && before(p, best, tieBreaker)) best = p;
    best.seats++;
  }
  return ps.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Karmada breaks full ties by name, ascending or descending depending on a bit of the object's UID
 * hash, so that many objects with the same weights do not all favour the same cluster.
 */
export function tieBreakerByUID(uid: string | undefined): TieBreaker | undefined {
  if (!uid) return undefined;
  const descending = (fnv32a(uid) & 1) === 1;
  return (a, b) => (descending ? a.name > b.name : a.name < b.name);
}

/** Divides n over the clusters by Webster, weighted by each cluster's replicas; result sorted by name. */
export function spreadReplicasByTargetClusters(n: number, clusters: readonly TargetCluster[], uid?: string): TargetCluster[] {
  const parties = clusters.map((c) => ({ name: c.name, votes: Math.max(0, c.replicas ?? 0), seats: 0 }));
  return allocateWebsterSeats(n, parties, tieBreakerByUID(uid)).map((p) => ({ name: p.name, replicas: p.seats }));
}
