import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import type { ClusterAffinityTerm, Placement } from '../../apis/policy/v1alpha1/index.js';
import type { TargetCluster } from '../../apis/work/v1alpha2/index.js';
import { UnschedulableError } from '../framework/types.js';
import { DIVIDED_AGGREGATED, DIVIDED_DYNAMIC, staticWeights, testBinding, testCluster } from '../testing.js';
import { schedule } from './genericscheduler.js';
import { groupClustersWithScore } from './spreadconstraint/group.js';

const asMap = (tcs: TargetCluster[]) => Object.fromEntries(tcs.map((t) => [t.name, t.replicas ?? 0]));

/** p1, p2: the term's own pool; o1: pool burst (tier 1); o2: pool spill (tier 2). */
const clusters = (pods: { p1?: number; p2?: number; o1?: number; o2?: number } = {}): Cluster[] => [
  testCluster('p1', { labels: { pool: 'primary' }, pods: pods.p1 ?? 5 }),
  testCluster('p2', { labels: { pool: 'primary' }, pods: pods.p2 ?? 5 }),
  testCluster('o1', { labels: { pool: 'burst' }, pods: pods.o1 ?? 10 }),
  testCluster('o2', { labels: { pool: 'spill' }, pods: pods.o2 ?? 10 }),
];

const term = (overflowAffinities: ClusterAffinityTerm['overflowAffinities']): ClusterAffinityTerm => ({
  affinityName: 'main',
  labelSelector: { matchLabels: { pool: 'primary' } },
  ...(overflowAffinities ? { overflowAffinities } : {}),
});

const TIERS: ClusterAffinityTerm['overflowAffinities'] = [
  { affinityName: 'burst', labelSelector: { matchLabels: { pool: 'burst' } } },
  { affinityName: 'spill', labelSelector: { matchLabels: { pool: 'spill' } } },
];

const withTiers = (base: Placement, tiers = TIERS): Placement => ({ ...base, clusterAffinities: [term(tiers)] });

describe('schedule: overflowAffinities', () => {
  const cases: { name: string; placement: Placement; replicas: number; clusters?: Cluster[]; prev?: TargetCluster[]; want: Record<string, number> }[] = [
    { name: 'primary tier with enough room: no overflow', placement: withTiers(DIVIDED_DYNAMIC), replicas: 6, want: { p1: 3, p2: 3 } },
    { name: 'primary tier short by 3: the 3 go to tier 1', placement: withTiers(DIVIDED_DYNAMIC), replicas: 13, want: { p1: 5, p2: 5, o1: 3 } },
    {
      name: 'two overflow tiers: tier 1 full, the rest to tier 2',
      placement: withTiers(DIVIDED_DYNAMIC),
      replicas: 15,
      clusters: clusters({ o1: 2 }),
      want: { p1: 5, p2: 5, o1: 2, o2: 3 },
    },
    { name: 'Aggregated fills the primary tier before overflowing', placement: withTiers(DIVIDED_AGGREGATED), replicas: 12, want: { p1: 5, p2: 5, o1: 2 } },
    {
      name: 'static weights: each tier holds up to its room, weighted within the tier',
      placement: withTiers(staticWeights({ clusters: ['p1', 'p2', 'o1', 'o2'], weight: 1 })),
      replicas: 14,
      want: { p1: 5, p2: 5, o1: 4 },
    },
    {
      name: 'Duplicated ignores the tiers (overflow clusters are not even candidates)',
      placement: withTiers({ replicaScheduling: { replicaSchedulingType: 'Duplicated' } }),
      replicas: 13,
      want: { p1: 13, p2: 13 },
    },
    { name: 'a non-workload ignores the tiers', placement: withTiers(DIVIDED_DYNAMIC), replicas: 0, want: { p1: 0, p2: 0 } },
    {
      // were p1 in tier 1, tier 0 (p2) would hold 5 and tier 1 would split 8 over p1 (5) and o1 (10)
      name: 'a cluster matched by the term and an overflow affinity counts as primary',
      placement: withTiers(DIVIDED_DYNAMIC, [{ affinityName: 'burst', clusterNames: ['p1', 'o1'] }]),
      replicas: 13,
      want: { p1: 5, p2: 5, o1: 3 },
    },
    {
      name: 'a cluster in two overflow tiers belongs to the lower one',
      placement: withTiers(DIVIDED_DYNAMIC, [
        { affinityName: 'burst', clusterNames: ['o2'] },
        { affinityName: 'spill', clusterNames: ['o1', 'o2'] },
      ]),
      replicas: 13,
      want: { p1: 5, p2: 5, o2: 3 },
    },
    {
      name: 'steady scale-up keeps the replicas already in overflow tiers; the added ones fill the primary tier first',
      placement: withTiers(DIVIDED_DYNAMIC),
      replicas: 15,
      clusters: clusters({ p1: 10 }),
      prev: [
        { name: 'p1', replicas: 5 },
        { name: 'p2', replicas: 5 },
        { name: 'o1', replicas: 3 },
      ],
      want: { p1: 6, p2: 6, o1: 3 },
    },
    {
      name: 'steady scale-down gives back the highest tiers first',
      placement: withTiers(DIVIDED_DYNAMIC),
      replicas: 11,
      prev: [
        { name: 'p1', replicas: 5 },
        { name: 'p2', replicas: 5 },
        { name: 'o1', replicas: 3 },
        { name: 'o2', replicas: 2 },
      ],
      want: { p1: 5, p2: 5, o1: 1 },
    },
    {
      name: 'unchanged replicas keep the previous result in every tier',
      placement: withTiers(DIVIDED_DYNAMIC),
      replicas: 12,
      clusters: clusters({ p1: 100 }),
      prev: [
        { name: 'p1', replicas: 5 },
        { name: 'p2', replicas: 5 },
        { name: 'o2', replicas: 2 },
      ],
      want: { p1: 5, p2: 5, o2: 2 },
    },
  ];

  for (const c of cases) {
    test(c.name, () => {
      const b = testBinding({ replicas: c.replicas, placement: c.placement, clusters: c.prev, status: c.prev ? { lastScheduledTime: '2026-01-01T00:00:00Z' } : {} });
      const got = schedule(b, c.clusters ?? clusters());
      assert.deepEqual(asMap(got.clusters), c.want);
      assert.equal(got.affinityName, 'main');
    });
  }

  test('without overflowAffinities the overflow pools are not used and the term falls short', () => {
    const b = testBinding({ replicas: 13, placement: { ...DIVIDED_DYNAMIC, clusterAffinities: [term(undefined)] } });
    assert.throws(() => schedule(b, clusters()), /Clusters available replicas 10 are not enough/);
  });

  test('Fresh mode pours spec.replicas into the tiers anew, counting what each cluster runs as room', () => {
    // p1 runs 2 with 5 free, p2 5 free: tier 0 holds 12 of the 14, o1 takes 2; o2 loses its replicas
    const b = testBinding({
      replicas: 14,
      placement: withTiers(DIVIDED_DYNAMIC),
      clusters: [
        { name: 'p1', replicas: 2 },
        { name: 'o2', replicas: 12 },
      ],
      rescheduleTriggeredAt: '2026-01-02T00:00:00Z',
      status: { lastScheduledTime: '2026-01-01T00:00:00Z' },
    });
    const got = asMap(schedule(b, clusters()).clusters);
    assert.equal((got.p1 ?? 0) + (got.p2 ?? 0), 12);
    assert.deepEqual({ o1: got.o1, o2: got.o2 }, { o1: 2, o2: undefined });
  });

  test('not enough room in all tiers together: UnschedulableError with the total', () => {
    const b = testBinding({ replicas: 100, placement: withTiers(DIVIDED_DYNAMIC) });
    assert.throws(
      () => schedule(b, clusters()),
      (err: unknown) => err instanceof UnschedulableError && err.message === 'failed to assign replicas: failed to scale up: Clusters available replicas 30 are not enough to schedule.',
    );
  });
});

describe('groupClustersWithScore: OverflowOrder', () => {
  test('sorts by OverflowOrder before score, available replicas and name', () => {
    const [p1, p2, o1] = clusters();
    const info = groupClustersWithScore(
      [
        { cluster: o1!, score: 100, overflowOrder: 1 },
        { cluster: p2!, score: 0 },
        { cluster: p1!, score: 0, overflowOrder: 0 },
      ],
      DIVIDED_DYNAMIC,
      testBinding({ replicas: 3, placement: DIVIDED_DYNAMIC }).spec,
      (cs) => cs.map((c) => ({ name: c.metadata?.name ?? '', replicas: 5 })),
    );
    assert.deepEqual(
      info.clusters.map((c) => [c.name, c.overflowOrder]),
      [
        ['p1', 0],
        ['p2', 0],
        ['o1', 1],
      ],
    );
  });
});
