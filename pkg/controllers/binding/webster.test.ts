import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fnv32a } from '../../apis/work/v1alpha2/index.js';
import { allocateWebsterSeats, spreadReplicasByTargetClusters } from './webster.js';

const seats = (ps: { name: string; seats: number }[]) => Object.fromEntries(ps.map((p) => [p.name, p.seats]));

test('Webster: the Sainte-Laguë example (230,000 votes, 8 seats)', () => {
  const parties = [
    { name: 'PartyA', votes: 100000, seats: 0 },
    { name: 'PartyB', votes: 80000, seats: 0 },
    { name: 'PartyC', votes: 30000, seats: 0 },
    { name: 'PartyD', votes: 20000, seats: 0 },
  ];
  assert.deepEqual(seats(allocateWebsterSeats(8, parties)), { PartyA: 3, PartyB: 3, PartyC: 1, PartyD: 1 });
  assert.deepEqual(seats(allocateWebsterSeats(4, [{ name: 'Alpha', votes: 1200, seats: 0 }, { name: 'Beta', votes: 900, seats: 0 }, { name: 'Gamma', votes: 400, seats: 0 }])), { Alpha: 2, Beta: 1, Gamma: 1 });
});

test('Webster: ties go to fewer seats, then by name', () => {
  assert.deepEqual(seats(allocateWebsterSeats(1, [{ name: 'a', votes: 3, seats: 1 }, { name: 'b', votes: 1, seats: 0 }])), { a: 1, b: 1 });
  assert.deepEqual(seats(allocateWebsterSeats(1, [{ name: 'b', votes: 1, seats: 0 }, { name: 'a', votes: 1, seats: 0 }])), { a: 1, b: 0 });
});

test('completions follow the replicas split (10 completions over 2:1 → 7:3), sorted by name', () => {
  assert.deepEqual(spreadReplicasByTargetClusters(10, [{ name: 'm2', replicas: 1 }, { name: 'm1', replicas: 2 }]), [
    { name: 'm1', replicas: 7 },
    { name: 'm2', replicas: 3 },
  ]);
  assert.deepEqual(spreadReplicasByTargetClusters(9, [{ name: 'a', replicas: 1 }, { name: 'b', replicas: 3 }]), [
    { name: 'a', replicas: 2 },
    { name: 'b', replicas: 7 },
  ]);
});

test('a full tie is broken by the UID hash: one bit picks ascending or descending names', () => {
  const uids = ['uid-0', 'uid-1', 'uid-2', 'uid-3', 'uid-4', 'uid-5'];
  const odd = uids.find((u) => (fnv32a(u) & 1) === 1)!;
  const even = uids.find((u) => (fnv32a(u) & 1) === 0)!;
  const clusters = [{ name: 'a', replicas: 1 }, { name: 'b', replicas: 1 }];
  assert.deepEqual(spreadReplicasByTargetClusters(1, clusters, even), [{ name: 'a', replicas: 1 }, { name: 'b', replicas: 0 }]);
  assert.deepEqual(spreadReplicasByTargetClusters(1, clusters, odd), [{ name: 'a', replicas: 0 }, { name: 'b', replicas: 1 }]);
});
