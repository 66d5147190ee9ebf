import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fnv32a } from '../apis/work/v1alpha2/wellknown.js';
import { allocateByWeight, allocateWebsterSeats, mergeTargetClusters, tieBreakerByUID } from './webster.js';

// fnv32a('uid-b') = 2177148774 (even): ties go to the name that sorts first.
// fnv32a('uid-a') = 2160371155 (odd): ties go to the name that sorts last.
export const EVEN_UID = 'uid-b';
export const ODD_UID = 'uid-a';

const seats = (parties: { name: string; seats: number }[]) => Object.fromEntries(parties.map((p) => [p.name, p.seats]));

describe('Webster (Sainte-Laguë) division, worked by hand', () => {
  test('the UIDs used below hash as stated', () => {
    assert.equal(fnv32a(EVEN_UID) & 1, 0);
    assert.equal(fnv32a(ODD_UID) & 1, 1);
  });

  // Each round the next seat goes to the largest votes/(2*seats+1); ties: fewer seats, then name.
  const cases: { name: string; seats: number; votes: Record<string, number>; uid?: string; want: Record<string, number> }[] = [
    {
      // A:1 B:3, 9 seats. Priorities before each round (A | B):
      //  1: 1/1=1     | 3/1=3      -> B (B=1)
      //  2: 1         | 3/3=1      -> tie, A has fewer seats -> A (A=1)
      //  3: 1/3=.333  | 1          -> B (B=2)
      //  4: .333      | 3/5=.6     -> B (B=3)
      //  5: .333      | 3/7=.429   -> B (B=4)
      //  6: .333      | 3/9=.333   -> tie, A has fewer seats -> A (A=2)
      //  7: 1/5=.2    | .333       -> B (B=5)
      //  8: .2        | 3/11=.273  -> B (B=6)
      //  9: .2        | 3/13=.231  -> B (B=7)
      name: '1:3 with 9 replicas gives 2:7',
      seats: 9,
      votes: { A: 1, B: 3 },
      want: { A: 2, B: 7 },
    },
    {
      // 1:1, 3 seats, even UID (names ascending): 1: tie (0 seats each) -> A; 2: A 1/3 < B 1 -> B;
      // 3: tie 1/3 = 1/3, 1 seat each -> A.
      name: '1:1 with 3 replicas, even UID hash: the extra replica goes to the first name',
      seats: 3,
      votes: { A: 1, B: 1 },
      uid: EVEN_UID,
      want: { A: 2, B: 1 },
    },
    {
      // the same rounds with names descending: B, A, B.
      name: '1:1 with 3 replicas, odd UID hash: the extra replica goes to the last name',
      seats: 3,
      votes: { A: 1, B: 1 },
      uid: ODD_UID,
      want: { A: 1, B: 2 },
    },
    {
      // 1:1:1, 4 seats, ascending: A (all tie at 0 seats), B (B,C at 1 > A's 1/3; B before C), C, then all
      // at 1/3 with 1 seat each -> A.
      name: '1:1:1 with 4 replicas, even UID',
      seats: 4,
      votes: { A: 1, B: 1, C: 1 },
      uid: EVEN_UID,
      want: { A: 2, B: 1, C: 1 },
    },
    {
      name: '1:1:1 with 4 replicas, odd UID (C, B, A, then C)',
      seats: 4,
      votes: { A: 1, B: 1, C: 1 },
      uid: ODD_UID,
      want: { A: 1, B: 1, C: 2 },
    },
    {
      // Wikipedia's example. Rounds (A | B | C | D):
      //  1: 100000 | 80000 | 30000 | 20000 -> A
      //  2: 33333  | 80000 | ...           -> B
      //  3: 33333  | 26667 | 30000 | 20000 -> A
      //  4: 20000  | 26667 | 30000 | 20000 -> C
      //  5: 20000  | 26667 | 10000 | 20000 -> B
      //  6: 20000  | 16000 | 10000 | 20000 -> tie A (2 seats) / D (0 seats) -> D
      //  7: 20000  | 16000 | 10000 | 6667  -> A
      //  8: 14286  | 16000 | 10000 | 6667  -> B
      name: 'the Sainte-Laguë example: 8 seats over 100000/80000/30000/20000',
      seats: 8,
      votes: { A: 100000, B: 80000, C: 30000, D: 20000 },
      want: { A: 3, B: 3, C: 1, D: 1 },
    },
    {
      // available 6/12/18, 12 replicas (A | B | C):
      //  1: 6 | 12 | 18 -> C      2: 6 | 12 | 6 -> B         3: 6 | 4 | 6 -> tie A (0 seats) / C (1) -> A
      //  4: 2 | 4 | 6 -> C        5: 2 | 4 | 3.6 -> B        6: 2 | 2.4 | 3.6 -> C
      //  7: 2 | 2.4 | 2.571 -> C  8: 2 | 2.4 | 2 -> B        9: 2 | 1.714 | 2 -> tie A (1) / C (4) -> A
      // 10: 1.2 | 1.714 | 2 -> C 11: 1.2 | 1.714 | 1.636 -> B 12: 1.2 | 1.333 | 1.636 -> C
      name: 'the API doc example: 12 replicas over 6/12/18 gives 2/4/6',
      seats: 12,
      votes: { A: 6, B: 12, C: 18 },
      want: { A: 2, B: 4, C: 6 },
    },
    {
      // 170/110/60, 5 replicas (S | W | E):
      //  1: 170 | 110 | 60 -> S   2: 56.7 | 110 | 60 -> W   3: 56.7 | 36.7 | 60 -> E
      //  4: 56.7 | 36.7 | 20 -> S 5: 34 | 36.7 | 20 -> W
      name: 'weights 170/110/60 with 5 replicas (karmada#6735) gives 2/2/1',
      seats: 5,
      votes: { S: 170, W: 110, E: 60 },
      want: { E: 1, S: 2, W: 2 },
    },
    {
      name: 'zero seats leave every party empty',
      seats: 0,
      votes: { A: 1, B: 2 },
      want: { A: 0, B: 0 },
    },
  ];

  for (const c of cases) {
    test(c.name, () => {
      const got = allocateWebsterSeats(c.seats, c.votes, undefined, tieBreakerByUID(c.uid));
      assert.deepEqual(seats(got), c.want);
      assert.deepEqual(
        got.map((p) => p.name),
        Object.keys(c.want).sort(),
        'result sorted by name',
      );
    });
  }

  test('initial seats count: A starts with 2, so both new seats go to B (A 1/5 < B 1, then 1/3)', () => {
    assert.deepEqual(seats(allocateWebsterSeats(2, { A: 1, B: 1 }, { A: 2, C: 1 })), { A: 2, B: 2, C: 1 });
  });

  test('allocateByWeight divides, then adds the shares to the initial result', () => {
    // 3 over A:1 B:1 ascending gives A2 B1; added to B2 C1
    assert.deepEqual(
      allocateByWeight(
        3,
        [
          { name: 'A', weight: 1 },
          { name: 'B', weight: 1 },
        ],
        [
          { name: 'B', replicas: 2 },
          { name: 'C', replicas: 1 },
        ],
        tieBreakerByUID(EVEN_UID),
      ),
      [
        { name: 'A', replicas: 2 },
        { name: 'B', replicas: 3 },
        { name: 'C', replicas: 1 },
      ],
    );
  });

  test('allocateByWeight with no weight leaves the initial result', () => {
    assert.deepEqual(allocateByWeight(3, [{ name: 'A', weight: 0 }], [{ name: 'B', replicas: 1 }]), [{ name: 'B', replicas: 1 }]);
  });

  test('mergeTargetClusters sums shared clusters and keeps old-only ones', () => {
    assert.deepEqual(
      mergeTargetClusters(
        [
          { name: 'x', replicas: 1 },
          { name: 'y', replicas: 2 },
        ],
        [{ name: 'y', replicas: 3 }],
      ),
      [
        { name: 'y', replicas: 5 },
        { name: 'x', replicas: 1 },
      ],
    );
  });
});
