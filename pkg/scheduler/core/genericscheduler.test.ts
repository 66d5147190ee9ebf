import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import type { Placement } from '../../apis/policy/v1alpha1/index.js';
import type { TargetCluster } from '../../apis/work/v1alpha2/index.js';
import { Framework } from '../framework/framework.js';
import { IN_TREE_PLUGINS } from '../framework/registry.js';
import { FitError, ScheduleError, UnschedulableError, type ScorePlugin } from '../framework/types.js';
import { DIVIDED_AGGREGATED, DIVIDED_DYNAMIC, staticWeights, testBinding, testCluster } from '../testing.js';
import { schedule } from './genericscheduler.js';

const EVEN_UID = 'uid-b'; // fnv32a even: ties go to the first name
const ODD_UID = 'uid-a'; // fnv32a odd: ties go to the last name

const asMap = (tcs: TargetCluster[]) => Object.fromEntries(tcs.map((t) => [t.name, t.replicas ?? 0]));
const three = (pods: [number, number, number] = [1000, 1000, 1000]) => [testCluster('m1', { pods: pods[0] }), testCluster('m2', { pods: pods[1] }), testCluster('m3', { pods: pods[2] })];

describe('schedule: replica assignment strategies', () => {
  const cases: { name: string; clusters: Cluster[]; replicas: number; placement: Placement; uid?: string; prev?: TargetCluster[]; want: Record<string, number> }[] = [
    { name: 'Duplicated (nil replicaScheduling): every cluster runs all replicas', clusters: three(), replicas: 3, placement: {}, want: { m1: 3, m2: 3, m3: 3 } },
    {
      name: 'Duplicated (explicit)',
      clusters: three(),
      replicas: 2,
      placement: { replicaScheduling: { replicaSchedulingType: 'Duplicated' } },
      want: { m1: 2, m2: 2, m3: 2 },
    },
    {
      name: 'static 1:1 with 3 replicas, even UID: m1 gets the odd replica',
      clusters: three().slice(0, 2),
      replicas: 3,
      uid: EVEN_UID,
      placement: staticWeights({ clusters: ['m1'], weight: 1 }, { clusters: ['m2'], weight: 1 }),
      want: { m1: 2, m2: 1 },
    },
    {
      name: 'static 1:1 with 3 replicas, odd UID: m2 gets the odd replica',
      clusters: three().slice(0, 2),
      replicas: 3,
      uid: ODD_UID,
      placement: staticWeights({ clusters: ['m1'], weight: 1 }, { clusters: ['m2'], weight: 1 }),
      want: { m1: 1, m2: 2 },
    },
    {
      name: 'static 1:3 with 9 replicas gives 2:7',
      clusters: three().slice(0, 2),
      replicas: 9,
      placement: staticWeights({ clusters: ['m1'], weight: 1 }, { clusters: ['m2'], weight: 3 }),
      want: { m1: 2, m2: 7 },
    },
    {
      // m2 matches both rules: its weight is the larger (3), not the sum (4). 8 over 1:3 -> 2:6.
      name: 'overlapping staticWeightList rules: the highest weight wins',
      clusters: [testCluster('m1', { labels: { env: 'prod' } }), testCluster('m2', { labels: { env: 'prod' } })],
      replicas: 8,
      placement: staticWeights({ labels: { env: 'prod' }, weight: 1 }, { clusters: ['m2'], weight: 3 }),
      want: { m1: 2, m2: 6 },
    },
    {
      name: 'clusters no rule weighs get nothing',
      clusters: three(),
      replicas: 5,
      placement: staticWeights({ clusters: ['m1'], weight: 2 }),
      want: { m1: 5 },
    },
    {
      name: 'no cluster weighed at all: every cluster weighs 1',
      clusters: three(),
      replicas: 3,
      placement: staticWeights({ clusters: ['elsewhere'], weight: 2 }),
      want: { m1: 1, m2: 1, m3: 1 },
    },
    {
      name: 'Weighted without weightPreference: equal weights',
      clusters: three(),
      replicas: 4,
      uid: ODD_UID,
      placement: { replicaScheduling: { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Weighted' } },
      want: { m1: 1, m2: 1, m3: 2 },
    },
    {
      name: 'dynamic weight by available replicas: 12 over 6/12/18 gives 2/4/6',
      clusters: three([6, 12, 18]),
      replicas: 12,
      placement: DIVIDED_DYNAMIC,
      want: { m1: 2, m2: 4, m3: 6 },
    },
    {
      name: 'Aggregated: as few clusters as possible (the largest holds all 12)',
      clusters: three([6, 12, 18]),
      replicas: 12,
      placement: DIVIDED_AGGREGATED,
      want: { m3: 12 },
    },
    {
      // sorted by room: m3 18, m2 12 (30 >= 25); 25*18/30 = 15 and 25*12/30 = 10 are whole: Webster gives them
      name: 'Aggregated: two clusters when one is not enough',
      clusters: three([6, 12, 18]),
      replicas: 25,
      placement: DIVIDED_AGGREGATED,
      want: { m2: 10, m3: 15 },
    },
    {
      // assigned 4 on m2; the 8 added replicas go to m2 first (previously used), which has room for them
      name: 'Aggregated scale-up: previously used clusters first',
      clusters: three([6, 12, 18]),
      replicas: 12,
      placement: DIVIDED_AGGREGATED,
      prev: [{ name: 'm2', replicas: 4 }],
      want: { m2: 12 },
    },
    {
      // assigned 12, 3 more: Webster 3 over 6/12/18 -> m3, m2, then m1 (tie 6 = 6 with m3, fewer seats) = 1/1/1
      name: 'steady scale-up keeps the previous result and divides only the added replicas',
      clusters: three([6, 12, 18]),
      replicas: 15,
      placement: DIVIDED_DYNAMIC,
      prev: [
        { name: 'm1', replicas: 2 },
        { name: 'm2', replicas: 4 },
        { name: 'm3', replicas: 6 },
      ],
      want: { m1: 3, m2: 5, m3: 7 },
    },
    {
      // 6 over the previous shares 2/4/6: m3, m2, m1 (tie 2 = 2 with m3, fewer seats), m3, m2, m3 -> 1/2/3
      name: 'steady scale-down divides the desired replicas by the previous shares',
      clusters: three([6, 12, 18]),
      replicas: 6,
      placement: DIVIDED_DYNAMIC,
      prev: [
        { name: 'm1', replicas: 2 },
        { name: 'm2', replicas: 4 },
        { name: 'm3', replicas: 6 },
      ],
      want: { m1: 1, m2: 2, m3: 3 },
    },
    {
      name: 'unchanged replicas keep the previous result',
      clusters: three([6, 12, 18]),
      replicas: 10,
      placement: DIVIDED_DYNAMIC,
      prev: [{ name: 'm1', replicas: 10 }],
      want: { m1: 10 },
    },
    {
      name: 'a non-workload goes to every cluster without replicas',
      clusters: three(),
      replicas: 0,
      placement: DIVIDED_DYNAMIC,
      want: { m1: 0, m2: 0, m3: 0 },
    },
  ];

  for (const c of cases) {
    test(c.name, () => {
      const b = testBinding({ replicas: c.replicas, placement: c.placement, uid: c.uid, clusters: c.prev });
      const got = schedule(b, c.clusters);
      assert.deepEqual(asMap(got.clusters), c.want);
      assert.equal(got.affinityName, undefined);
    });
  }

  test('Fresh mode (rescheduleTriggeredAt after lastScheduledTime) divides anew, weighing room + current replicas', () => {
    // m1 runs 10 and has room for 2 more: weights 12/12/6. 10 over them (even UID):
    // m1, m2, m3, m1, m2, m1, m2, m3, m1, m2 -> 4/4/2
    const prev = [{ name: 'm1', replicas: 10 }];
    const steady = testBinding({ replicas: 10, placement: DIVIDED_DYNAMIC, clusters: prev, status: { lastScheduledTime: '2026-01-01T00:00:00Z' } });
    assert.deepEqual(asMap(schedule(steady, three([2, 12, 6])).clusters), { m1: 10 });
    const fresh = testBinding({
      replicas: 10,
      placement: DIVIDED_DYNAMIC,
      clusters: prev,
      rescheduleTriggeredAt: '2026-01-02T00:00:00Z',
      status: { lastScheduledTime: '2026-01-01T00:00:00Z' },
    });
    assert.deepEqual(asMap(schedule(fresh, three([2, 12, 6])).clusters), { m1: 4, m2: 4, m3: 2 });
  });

  test('not enough room: UnschedulableError naming the shortfall', () => {
    const b = testBinding({ replicas: 10, placement: DIVIDED_DYNAMIC });
    assert.throws(
      () => schedule(b, three([2, 3, 4])),
      (err: unknown) => err instanceof UnschedulableError && err.message === 'failed to assign replicas: failed to scale up: Clusters available replicas 9 are not enough to schedule.',
    );
  });

  test('requests are honoured: 4 cpu free and 1.5 cpu per replica hold 2', () => {
    const b = testBinding({ replicas: 5, placement: DIVIDED_DYNAMIC, requests: { cpu: '1500m' } });
    assert.throws(() => schedule(b, [testCluster('m1', { cpu: '4' })]), /Clusters available replicas 2 are not enough/);
  });
});

describe('schedule: filters', () => {
  test('no cluster fits: FitError counting the reasons', () => {
    const clusters = [
      testCluster('m1', { labels: { env: 'prod' }, taints: [{ key: 'cluster.karmada.io/not-ready', effect: 'NoSchedule' }] }),
      testCluster('m2', { labels: { env: 'dev' } }),
      testCluster('m3', { labels: { env: 'dev' } }),
    ];
    const b = testBinding({ replicas: 1, placement: { clusterAffinity: { labelSelector: { matchLabels: { env: 'prod' } } } } });
    assert.throws(
      () => schedule(b, clusters),
      (err: unknown) =>
        err instanceof FitError &&
        err.message ===
          '0/3 clusters are available: 1 cluster(s) had untolerated taint {cluster.karmada.io/not-ready:NoSchedule}, 2 cluster(s) did not match the placement cluster affinity constraint.',
    );
  });

  test('no clusters at all', () => {
    assert.throws(() => schedule(testBinding({ replicas: 1 }), []), { message: '0/0 clusters are available: no cluster exists.' });
  });

  test('a cluster without the API is filtered, unless it already runs the binding', () => {
    const clusters = [testCluster('m1', { noAPI: true }), testCluster('m2')];
    assert.deepEqual(asMap(schedule(testBinding({ replicas: 1 }), clusters).clusters), { m2: 1 });
    assert.deepEqual(asMap(schedule(testBinding({ replicas: 1, clusters: [{ name: 'm1', replicas: 1 }] }), clusters).clusters), { m1: 1, m2: 1 });
    assert.throws(() => schedule(testBinding({ replicas: 1 }), [clusters[0]!]), { message: '0/1 clusters are available: 1 no such API resource.' });
  });

  test('deleting clusters are skipped', () => {
    const clusters = [testCluster('m1', { deleting: true }), testCluster('m2')];
    assert.deepEqual(asMap(schedule(testBinding({ replicas: 1 }), clusters).clusters), { m2: 1 });
  });

  const taintCases: { name: string; taint: { key: string; value?: string; effect: string }; tolerations?: object[]; fits: boolean }[] = [
    { name: 'NoSchedule untolerated', taint: { key: 'k', effect: 'NoSchedule' }, fits: false },
    { name: 'NoExecute untolerated', taint: { key: 'k', value: 'v', effect: 'NoExecute' }, fits: false },
    { name: 'PreferNoSchedule is not a filter', taint: { key: 'k', effect: 'PreferNoSchedule' }, fits: true },
    { name: 'tolerated by Exists', taint: { key: 'k', effect: 'NoSchedule' }, tolerations: [{ key: 'k', operator: 'Exists' }], fits: true },
    { name: 'tolerated by Equal with the value', taint: { key: 'k', value: 'v', effect: 'NoExecute' }, tolerations: [{ key: 'k', operator: 'Equal', value: 'v', effect: 'NoExecute' }], fits: true },
    { name: 'Equal with another value does not tolerate', taint: { key: 'k', value: 'v', effect: 'NoSchedule' }, tolerations: [{ key: 'k', value: 'w' }], fits: false },
    { name: 'a toleration for another effect does not tolerate', taint: { key: 'k', effect: 'NoExecute' }, tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }], fits: false },
    { name: 'an empty key with Exists tolerates everything', taint: { key: 'k', effect: 'NoExecute' }, tolerations: [{ operator: 'Exists' }], fits: true },
  ];
  for (const c of taintCases) {
    test(`taints: ${c.name}`, () => {
      const clusters = [testCluster('m1', { taints: [c.taint] }), testCluster('m2')];
      const b = testBinding({ replicas: 1, placement: c.tolerations ? { clusterTolerations: c.tolerations } : {} });
      assert.deepEqual(Object.keys(asMap(schedule(b, clusters).clusters)), c.fits ? ['m1', 'm2'] : ['m2']);
    });
  }

  test('taints: clusters already scheduled skip the taint filter (the taint manager evicts)', () => {
    const clusters = [testCluster('m1', { taints: [{ key: 'k', effect: 'NoExecute' }] }), testCluster('m2')];
    const b = testBinding({ replicas: 1, clusters: [{ name: 'm1', replicas: 1 }] });
    assert.deepEqual(Object.keys(asMap(schedule(b, clusters).clusters)), ['m1', 'm2']);
  });

  test('clusters being evicted from (gracefulEvictionTasks) are filtered', () => {
    const b = testBinding({ replicas: 1, gracefulEvictionTasks: [{ fromCluster: 'm1', reason: 'TaintUntolerated', producer: 'TaintManager' }] });
    assert.deepEqual(Object.keys(asMap(schedule(b, three()).clusters)), ['m2', 'm3']);
  });

  const geo = () => [
    testCluster('a', { provider: 'aws', region: 'us-east', zones: ['us-east-1a'], labels: { tier: 'gold' } }),
    testCluster('b', { provider: 'aws', region: 'us-west', zones: ['us-west-1a'], labels: { tier: 'silver' } }),
    testCluster('c', { provider: 'gcp', region: 'eu-west', zones: ['eu-west-1b'], labels: { tier: 'gold' } }),
  ];
  const affinityCases: { name: string; affinity: NonNullable<Placement['clusterAffinity']>; want: string[] }[] = [
    { name: 'labelSelector', affinity: { labelSelector: { matchLabels: { tier: 'gold' } } }, want: ['a', 'c'] },
    { name: 'labelSelector expressions', affinity: { labelSelector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['gold'] }] } }, want: ['b'] },
    { name: 'fieldSelector provider', affinity: { fieldSelector: { matchExpressions: [{ key: 'provider', operator: 'In', values: ['aws'] }] } }, want: ['a', 'b'] },
    { name: 'fieldSelector region NotIn', affinity: { fieldSelector: { matchExpressions: [{ key: 'region', operator: 'NotIn', values: ['us-east'] }] } }, want: ['b', 'c'] },
    { name: 'fieldSelector zone', affinity: { fieldSelector: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['eu-west-1b'] }] } }, want: ['c'] },
    { name: 'clusterNames', affinity: { clusterNames: ['b', 'c', 'gone'] }, want: ['b', 'c'] },
    { name: 'exclude', affinity: { exclude: ['a'] }, want: ['b', 'c'] },
    { name: 'labels AND names AND exclude', affinity: { labelSelector: { matchLabels: { tier: 'gold' } }, clusterNames: ['a', 'c'], exclude: ['c'] }, want: ['a'] },
  ];
  for (const c of affinityCases) {
    test(`cluster affinity: ${c.name}`, () => {
      const got = schedule(testBinding({ replicas: 1, placement: { clusterAffinity: c.affinity } }), geo());
      assert.deepEqual(Object.keys(asMap(got.clusters)).sort(), c.want);
    });
  }
});

describe('schedule: clusterAffinities', () => {
  const clusters = () => [testCluster('small', { labels: { pool: 'primary' }, pods: 2 }), testCluster('big', { labels: { pool: 'backup' }, pods: 100 })];
  const placement: Placement = {
    ...DIVIDED_DYNAMIC,
    clusterAffinities: [
      { affinityName: 'primary', labelSelector: { matchLabels: { pool: 'primary' } } },
      { affinityName: 'backup', labelSelector: { matchLabels: { pool: 'backup' } } },
      { affinityName: 'nowhere', clusterNames: ['gone'] },
    ],
  };

  test('the first term that schedules wins', () => {
    assert.deepEqual(schedule(testBinding({ replicas: 2, placement }), clusters()), { clusters: [{ name: 'small', replicas: 2 }], affinityName: 'primary' });
  });

  test('falls back to the next term when a term cannot hold the replicas', () => {
    assert.deepEqual(schedule(testBinding({ replicas: 5, placement }), clusters()), { clusters: [{ name: 'big', replicas: 5 }], affinityName: 'backup' });
  });

  test('starts from the observed term; a triggered reschedule starts from the first again', () => {
    const observed = { schedulerObservingAffinityName: 'backup', lastScheduledTime: '2026-01-01T00:00:00Z' };
    assert.equal(schedule(testBinding({ replicas: 1, placement, status: observed }), clusters()).affinityName, 'backup');
    const triggered = testBinding({ replicas: 1, placement, status: observed, rescheduleTriggeredAt: '2026-01-02T00:00:00Z' });
    assert.equal(schedule(triggered, clusters()).affinityName, 'primary');
  });

  test('when no term schedules, the first term tried gives the error', () => {
    const status = { schedulerObservingAffinityName: 'nowhere' };
    assert.throws(() => schedule(testBinding({ replicas: 1, placement, status }), clusters()), FitError);
    const tooMany = testBinding({ replicas: 500, placement });
    assert.throws(() => schedule(tooMany, clusters()), (err: unknown) => err instanceof UnschedulableError && /available replicas 2 are not enough/.test(err.message));
  });
});

describe('schedule: spread constraints', () => {
  const regions = () => [
    testCluster('m1', { region: 'r1', pods: 10 }),
    testCluster('m2', { region: 'r1', pods: 50 }),
    testCluster('m3', { region: 'r2', pods: 10 }),
    testCluster('m4', { region: 'r3', pods: 10 }),
    testCluster('norgn', { pods: 10 }),
  ];
  const byRegion = (regionMin: number, regionMax: number, clusterMin: number, clusterMax: number): Placement => ({
    spreadConstraints: [
      { spreadByField: 'region', minGroups: regionMin, maxGroups: regionMax },
      { spreadByField: 'cluster', minGroups: clusterMin, maxGroups: clusterMax },
    ],
  });

  test('by region with min/max groups', () => {
    // regions r1 (2 clusters), r2, r3 (1 each), all scored 0. Paths of 2 regions holding >= 2 clusters:
    // [r2,r3] (2 clusters), [r1,r2] (3), [r1,r3] (3): most clusters, first found -> r1, r2. Best cluster of r1
    // is m2 (more room), of r2 m3; then up to 3 clusters: m1. The region-less cluster is filtered out.
    const got = schedule(testBinding({ replicas: 2, placement: byRegion(2, 2, 2, 3) }), regions());
    assert.deepEqual(got.clusters, [
      { name: 'm2', replicas: 2 },
      { name: 'm3', replicas: 2 },
      { name: 'm1', replicas: 2 },
    ]);
  });

  test('by region: one region, one cluster', () => {
    // one region holding >= 1 cluster: r1 (2 clusters) beats r2 and r3 (1 each); its best cluster is m2
    const got = schedule(testBinding({ replicas: 2, placement: byRegion(1, 1, 1, 1) }), regions());
    assert.deepEqual(got.clusters, [{ name: 'm2', replicas: 2 }]);
  });

  test('by region: too few regions fails with a scheduler error', () => {
    assert.throws(
      () => schedule(testBinding({ replicas: 2, placement: byRegion(4, 4, 4, 4) }), regions()),
      (err: unknown) => err instanceof ScheduleError && err.message === 'failed to select clusters: the number of feasible region is less than spreadConstraint.MinGroups',
    );
  });

  test('by region: a cluster without a region is filtered with a reason', () => {
    assert.throws(() => schedule(testBinding({ replicas: 2, placement: byRegion(1, 1, 1, 1) }), [regions()[4]!]), {
      message: "0/1 clusters are available: 1 cluster(s) didn't have region property.",
    });
  });

  test('by cluster: the best maxGroups clusters, swapping low scores for room when a division needs it', () => {
    // scores 60/50/40 with room 40/30/60: the top two by score (m1, m2) hold 70 < 80, so m2 (lowest picked)
    // is swapped for m3 (most room). 80 over 40:60 -> 32:48.
    const scoreByLabel: ScorePlugin = { name: 'TestScore', score: (_ctx, c) => Number(c.metadata?.labels?.score ?? 0) };
    const framework = new Framework([...IN_TREE_PLUGINS, scoreByLabel]);
    const clusters = [
      testCluster('member1', { labels: { score: '60' }, pods: 40 }),
      testCluster('member2', { labels: { score: '50' }, pods: 30 }),
      testCluster('member3', { labels: { score: '40' }, pods: 60 }),
    ];
    const placement: Placement = { ...DIVIDED_DYNAMIC, spreadConstraints: [{ spreadByField: 'cluster', minGroups: 1, maxGroups: 2 }] };
    assert.deepEqual(asMap(schedule(testBinding({ replicas: 80, placement }), clusters, { framework }).clusters), { member1: 32, member3: 48 });
    // Duplicated ignores room: the two best scores
    const dup: Placement = { spreadConstraints: [{ spreadByField: 'cluster', minGroups: 1, maxGroups: 2 }] };
    assert.deepEqual(asMap(schedule(testBinding({ replicas: 80, placement: dup }), clusters, { framework }).clusters), { member1: 80, member2: 80 });
    // not enough room even after swapping
    assert.throws(() => schedule(testBinding({ replicas: 200, placement }), clusters, { framework }), { message: 'failed to select clusters: no enough resource when selecting 2 clusters' });
  });

  test('by zone and by provider (grouped like regions)', () => {
    const clusters = [
      testCluster('z1a', { zones: ['z1'], provider: 'aws', pods: 30 }),
      testCluster('z1b', { zones: ['z1'], provider: 'aws', pods: 20 }),
      testCluster('z2a', { zones: ['z2'], provider: 'gcp', pods: 10 }),
    ];
    const spread = (field: 'zone' | 'provider'): Placement => ({
      spreadConstraints: [
        { spreadByField: field, minGroups: 2, maxGroups: 2 },
        { spreadByField: 'cluster', minGroups: 2, maxGroups: 2 },
      ],
    });
    // two groups, the best cluster of each: z1a (most room in z1) and z2a
    assert.deepEqual(Object.keys(asMap(schedule(testBinding({ replicas: 1, placement: spread('zone') }), clusters).clusters)), ['z1a', 'z2a']);
    assert.deepEqual(Object.keys(asMap(schedule(testBinding({ replicas: 1, placement: spread('provider') }), clusters).clusters)), ['z1a', 'z2a']);
  });

  test('static weights ignore spread constraints', () => {
    const placement: Placement = { ...staticWeights({ clusters: ['m1'], weight: 1 }, { clusters: ['m3'], weight: 1 }), spreadConstraints: [{ spreadByField: 'cluster', minGroups: 1, maxGroups: 1 }] };
    assert.deepEqual(asMap(schedule(testBinding({ replicas: 2, placement }), regions()).clusters), { m1: 1, m3: 1 });
  });

  test('ClusterLocality prefers clusters already in use when spreading by cluster', () => {
    const placement: Placement = { spreadConstraints: [{ spreadByField: 'cluster', minGroups: 1, maxGroups: 1 }] };
    // without history the most room wins (m2); with m4 in use it keeps m4
    assert.deepEqual(asMap(schedule(testBinding({ replicas: 1, placement }), regions()).clusters), { m2: 1 });
    assert.deepEqual(asMap(schedule(testBinding({ replicas: 1, placement, clusters: [{ name: 'm4', replicas: 1 }] }), regions()).clusters), { m4: 1 });
  });
});
