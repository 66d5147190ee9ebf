// Replica division by the Webster (Sainte-Laguë) method (Karmada pkg/util/helper/webstermethod.go and the
// Dispenser in helper/binding.go): seats are handed out one at a time to the party with the highest
// votes/(2*seats+1). Ties go to the party with fewer seats, then by name — ascending or descending as the
// binding's UID hash says (tieBreakerByUID), so that among many bindings the odd replica of a 1:1 split lands
// on either cluster about equally often, yet always on the same one for the same binding.

import type { TargetCluster } from '../apis/work/v1alpha2/index.js';
import { fnv32a } from '../apis/work/v1alpha2/wellknown.js';

export interface Party {
  name: string;
  votes: number;
  seats: number;
}

/** Decides between two parties of equal priority: true when a goes first. */
export type TieBreaker = (a: Party, b: Party) => boolean;

/** Fewer seats first, then name ascending (the default when no tie breaker is given). */
export const defaultTieBreaker: TieBreaker = (a, b) => (a.seats !== b.seats ? a.seats < b.seats : a.name < b.name);

/**
 * Fewer seats first, then name ascending when fnv32a(uid) is even and descending when it is odd. A binding
 * without a UID (tests) breaks ties ascending.
 */
export function tieBreakerByUID(uid: string | undefined): TieBreaker {
  const descending = uid ? (fnv32a(uid) & 1) === 1 : false;
  return (a, b) => {
    if (a.seats !== b.seats) return a.seats < b.seats;
    return descending ? a.name > b.name : a.name < b.name;
  };
}

/** true when a is to get the next seat before b (WebsterPriorityQueue.Less). */
function before(a: Party, b: Party, tieBreaker: TieBreaker): boolean {
  // Go compares float64(votes)/float64(2*seats+1); IEEE division is correctly rounded in both languages,
  // so equal ratios compare equal here exactly as they do upstream.
  const pa = a.votes / (2 * a.seats + 1);
  const pb = b.votes / (2 * b.seats + 1);
  if (pa === pb) return tieBreaker(a, b);
  return pa > pb;
}

/**
 * AllocateWebsterSeats: distributes newSeats among the parties (votes per name, optional initial seats) and
 * returns every party with its seats, sorted by name. Parties only in initialSeats have 0 votes.
 */
export function allocateWebsterSeats(
  newSeats: number,
  votes: ReadonlyMap<string, number> | Record<string, number>,
  initialSeats?: ReadonlyMap<string, number> | Record<string, number>,
  tieBreaker: TieBreaker = defaultTieBreaker,
): Party[] {
  const parties = new Map<string, Party>();
  for (const [name, seats] of entries(initialSeats)) parties.set(name, { name, votes: 0, seats });
  for (const [name, v] of entries(votes)) {
    const p = parties.get(name);
    if (p) p.votes = v;
    else parties.set(name, { name, votes: v, seats: 0 });
  }
  const heap = [...parties.values()];
  if (heap.length === 0) return [];
  // Less is a strict total order (names are unique), so the party popped each round is the same one Go's
  // container/heap pops, whatever the heap's internal layout.
  const less = (i: number, j: number) => before(heap[i]!, heap[j]!, tieBreaker);
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, i, less);
  for (let remaining = newSeats; remaining > 0; remaining--) {
    heap[0]!.seats++;
    siftDown(heap, 0, less);
  }
  return heap.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function siftDown(h: Party[], i: number, less: (i: number, j: number) => boolean): void {
  for (;;) {
    const l = 2 * i + 1;
    if (l >= h.length) return;
    let best = l;
    const r = l + 1;
    if (r < h.length && less(r, l)) best = r;
    if (!less(best, i)) return;
    [h[i], h[best]] = [h[best]!, h[i]!];
    i = best;
  }
}

function entries(m: ReadonlyMap<string, number> | Record<string, number> | undefined): Iterable<[string, number]> {
  if (!m) return [];
  return m instanceof Map ? m.entries() : Object.entries(m);
}

/** A cluster's weight in a division. */
export interface ClusterWeight {
  name: string;
  weight: number;
}

/**
 * Dispenser.AllocateByWeight: divides replicas among clusters by weight with Webster, then merges the shares
 * into init (util.MergeTargetClusters: a cluster in both gets the sum). Zero-replica entries are kept; the
 * caller drops them. Nothing is divided when replicas is 0 or every weight is 0.
 */
export function allocateByWeight(replicas: number, weights: readonly ClusterWeight[], init: readonly TargetCluster[] = [], tieBreaker: TieBreaker = defaultTieBreaker): TargetCluster[] {
  let sum = 0;
  for (const w of weights) sum += w.weight;
  if ((replicas === 0 && init.length !== 0) || sum === 0) return init.map((t) => ({ ...t }));
  const votes = new Map<string, number>();
  for (const w of weights) votes.set(w.name, w.weight);
  const parties = allocateWebsterSeats(replicas, votes, undefined, tieBreaker);
  return mergeTargetClusters(
    init,
    parties.map((p) => ({ name: p.name, replicas: p.seats })),
  );
}

/** util.MergeTargetClusters: new entries first (summed with the old share), then old-only entries in order. */
export function mergeTargetClusters(oldClusters: readonly TargetCluster[], newClusters: readonly TargetCluster[]): TargetCluster[] {
  if (oldClusters.length === 0) return newClusters.map((t) => ({ ...t }));
  if (newClusters.length === 0) return oldClusters.map((t) => ({ ...t }));
  const old = new Map<string, number>();
  for (const c of oldClusters) old.set(c.name, c.replicas ?? 0);
  const out: TargetCluster[] = newClusters.map((c) => {
    const prev = old.get(c.name);
    if (prev === undefined) return { ...c };
    old.delete(c.name);
    return { ...c, replicas: (c.replicas ?? 0) + prev };
  });
  for (const c of oldClusters) if (old.has(c.name)) out.push({ ...c });
  return out;
}
