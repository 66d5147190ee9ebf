import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import type { Taint } from '../../apis/core/v1/types.js';
import type { ClusterTaintPolicy, ClusterTaintPolicySpec, MatchCondition } from '../../apis/policy/v1alpha1/index.js';
import { conditionMatches, desiredClusterTaints } from './decision.js';

const NOW = '2026-01-01T00:00:00Z';
const NOT_READY_NE = { key: 'cluster.karmada.io/not-ready', effect: 'NoExecute' as const };
const USER: Taint = { key: 'dedicated', value: 'x', effect: 'NoSchedule' };

type Status = 'True' | 'False' | 'Unknown';

const cluster = (ready: Status | undefined, taints?: Taint[], labels?: Record<string, string>): Cluster => ({
  apiVersion: 'cluster.karmada.io/v1alpha1',
  kind: 'Cluster',
  metadata: { name: 'member1', labels },
  spec: { syncMode: 'Push', taints },
  status: ready ? { conditions: [{ type: 'Ready', status: ready, reason: 'r', message: 'm', lastTransitionTime: NOW }] } : {},
});

const policy = (name: string, spec: Partial<ClusterTaintPolicySpec>, created = '2025-01-01T00:00:00Z'): ClusterTaintPolicy => ({
  apiVersion: 'policy.karmada.io/v1alpha1',
  kind: 'ClusterTaintPolicy',
  metadata: { name, creationTimestamp: created },
  spec: { taints: [NOT_READY_NE], ...spec },
});

const notReady: MatchCondition[] = [{ conditionType: 'Ready', operator: 'In', statusValues: ['False', 'Unknown'] }];
const ready: MatchCondition[] = [{ conditionType: 'Ready', operator: 'In', statusValues: ['True'] }];
const failover = policy('failover', { addOnConditions: notReady, removeOnConditions: ready });

describe('conditionMatches', () => {
  const conds = [
    { type: 'Ready', status: 'False' },
    { type: 'NetworkOK', status: 'True' },
  ];
  const cases: { name: string; match: MatchCondition[] | undefined; want: boolean }[] = [
    { name: 'empty list never matches', match: [], want: false },
    { name: 'undefined never matches', match: undefined, want: false },
    { name: 'In hit', match: notReady, want: true },
    { name: 'In miss', match: ready, want: false },
    { name: 'NotIn hit', match: [{ conditionType: 'Ready', operator: 'NotIn', statusValues: ['True'] }], want: true },
    { name: 'NotIn miss', match: [{ conditionType: 'Ready', operator: 'NotIn', statusValues: ['False'] }], want: false },
    { name: 'missing condition type never matches, even NotIn', match: [{ conditionType: 'Other', operator: 'NotIn', statusValues: ['True'] }], want: false },
    {
      name: 'conditions are ANDed',
      match: [...notReady, { conditionType: 'NetworkOK', operator: 'In', statusValues: ['False'] }],
      want: false,
    },
    { name: 'unknown operator never matches', match: [{ conditionType: 'Ready', operator: 'Exists' as never, statusValues: ['False'] }], want: false },
  ];
  for (const c of cases) test(c.name, () => assert.equal(conditionMatches(conds, c.match), c.want));
});

describe('desiredClusterTaints', () => {
  const cases: { name: string; cluster: Cluster; policies: ClusterTaintPolicy[]; want: Taint[] }[] = [
    { name: 'Ready=False adds the NoExecute taint with timeAdded', cluster: cluster('False', [USER]), policies: [failover], want: [USER, { ...NOT_READY_NE, timeAdded: NOW }] },
    { name: 'Ready=Unknown adds it too', cluster: cluster('Unknown'), policies: [failover], want: [{ ...NOT_READY_NE, timeAdded: NOW }] },
    {
      name: 'already present: kept as is (timeAdded not bumped)',
      cluster: cluster('False', [{ ...NOT_READY_NE, timeAdded: '2020-01-01T00:00:00Z' }]),
      policies: [failover],
      want: [{ ...NOT_READY_NE, timeAdded: '2020-01-01T00:00:00Z' }],
    },
    { name: 'Ready=True removes it, other taints stay', cluster: cluster('True', [USER, { ...NOT_READY_NE, timeAdded: NOW }]), policies: [failover], want: [USER] },
    { name: 'no conditions: nothing changes', cluster: cluster(undefined, [USER]), policies: [failover], want: [USER] },
    { name: 'no policies: nothing changes', cluster: cluster('False', [USER]), policies: [], want: [USER] },
    {
      name: 'a same-key taint with another effect is not the policy\'s',
      cluster: cluster('True', [{ key: NOT_READY_NE.key, effect: 'NoSchedule' }]),
      policies: [failover],
      want: [{ key: NOT_READY_NE.key, effect: 'NoSchedule' }],
    },
    {
      name: 'NoSchedule taints get no timeAdded, value is kept',
      cluster: cluster('False'),
      policies: [policy('ns', { addOnConditions: notReady, taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] })],
      want: [{ key: 'k', value: 'v', effect: 'NoSchedule' }],
    },
    {
      name: 'targetClusters not matching: left alone (also not removed)',
      cluster: cluster('True', [NOT_READY_NE]),
      policies: [policy('other', { addOnConditions: notReady, removeOnConditions: ready, targetClusters: { clusterNames: ['member2'] } })],
      want: [NOT_READY_NE],
    },
    {
      name: 'targetClusters by label matching',
      cluster: cluster('False', [], { env: 'prod' }),
      policies: [policy('prod', { addOnConditions: notReady, targetClusters: { labelSelector: { matchLabels: { env: 'prod' } } } })],
      want: [{ ...NOT_READY_NE, timeAdded: NOW }],
    },
    {
      name: 'add then remove in one policy when both match: removed',
      cluster: cluster('False'),
      policies: [policy('both', { addOnConditions: notReady, removeOnConditions: [{ conditionType: 'Ready', operator: 'NotIn', statusValues: ['True'] }] })],
      want: [],
    },
    {
      name: 'conflicting policies apply oldest first: the newer one wins',
      cluster: cluster('False'),
      policies: [
        policy('newer-removes', { removeOnConditions: notReady }, '2025-06-01T00:00:00Z'),
        policy('older-adds', { addOnConditions: notReady }, '2025-01-01T00:00:00Z'),
      ],
      want: [],
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(desiredClusterTaints(c.cluster, c.policies, NOW), c.want));

  test('does not modify the Cluster it is given', () => {
    const c = cluster('False', [USER]);
    desiredClusterTaints(c, [failover], NOW);
    assert.deepEqual(c.spec?.taints, [USER]);
  });
});
