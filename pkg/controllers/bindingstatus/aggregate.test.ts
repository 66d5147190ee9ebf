import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Work } from '../../apis/work/v1alpha1/index.js';
import type { AggregatedStatusItem, ObjectReference, ResourceBindingSpec } from '../../apis/work/v1alpha2/index.js';
import {
  aggregateBindingStatus,
  assembleWorkStatus,
  FULLY_APPLIED_FAILED_MESSAGE,
  FULLY_APPLIED_SUCCESS_MESSAGE,
  generateFullyAppliedCondition,
  obtainBindingSpecExistingClusters,
} from './aggregate.js';
import { bindingKeysOfWork, indexWorkByBinding } from './workindex.js';
import { bindingNeedsSync, isBindingScheduled, workNeedsSync } from './controller.js';
import { renderedTemplateGeneration } from './templatestatus.js';

const REF: ObjectReference = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'nginx', uid: 'u1' };
const ID = { ordinal: 0, group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', namespace: 'default', name: 'nginx' };

interface WorkOpts {
  applied?: 'True' | 'False' | 'Unknown';
  message?: string;
  status?: Record<string, unknown>;
  health?: 'Healthy' | 'Unhealthy' | 'Unknown';
  identifier?: typeof ID;
  deleting?: boolean;
  generation?: string;
}

function work(cluster: string, o: WorkOpts = {}): Work {
  return {
    metadata: {
      name: 'nginx-687f7fb96f',
      namespace: `karmada-es-${cluster}`,
      ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
      annotations: { 'resourcebinding.karmada.io/namespace': 'default', 'resourcebinding.karmada.io/name': 'nginx-deployment' },
    },
    spec: {
      workload: {
        manifests: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: 'nginx', namespace: 'default', annotations: o.generation ? { 'resourcetemplate.karmada.io/generation': o.generation } : {} },
          },
        ],
      },
    },
    status: {
      conditions: o.applied
        ? [{ type: 'Applied', status: o.applied, reason: 'AppliedSuccessful', message: o.message ?? '', lastTransitionTime: '2026-01-01T00:00:00Z' }]
        : [],
      manifestStatuses: o.status || o.health ? [{ identifier: o.identifier ?? ID, status: o.status, health: o.health }] : [],
    },
  };
}

const spec = (clusters: string[], extra: Partial<ResourceBindingSpec> = {}): ResourceBindingSpec => ({
  resource: REF,
  clusters: clusters.map((name) => ({ name, replicas: 1 })),
  ...extra,
});

test('assembleWorkStatus: items per cluster, sorted, applied/health/status as upstream', async (t) => {
  const cases: { name: string; works: Work[]; want: AggregatedStatusItem[] }[] = [
    { name: 'no works', works: [], want: [] },
    {
      name: 'sorted by clusterName whatever the Work order',
      works: [work('member3', { applied: 'True', health: 'Healthy' }), work('member1', { applied: 'True', health: 'Healthy' }), work('member2', { applied: 'True', health: 'Healthy' })],
      want: ['member1', 'member2', 'member3'].map((clusterName) => ({ clusterName, applied: true, health: 'Healthy' })),
    },
    {
      name: 'applied: manifest status and health copied',
      works: [work('member1', { applied: 'True', status: { readyReplicas: 2 }, health: 'Unhealthy' })],
      want: [{ clusterName: 'member1', applied: true, health: 'Unhealthy', status: { readyReplicas: 2 } }],
    },
    {
      name: 'applied but no manifest status yet: health Unknown, no status',
      works: [work('member1', { applied: 'True' })],
      want: [{ clusterName: 'member1', applied: true, health: 'Unknown' }],
    },
    {
      name: 'applied, status without health: health defaults to Unknown',
      works: [work('member1', { applied: 'True', status: { replicas: 1 } })],
      want: [{ clusterName: 'member1', applied: true, health: 'Unknown', status: { replicas: 1 } }],
    },
    {
      name: 'not applied: the Applied message, health Unknown, manifest status ignored',
      works: [work('member1', { applied: 'False', message: 'already exists in the member', status: { replicas: 1 }, health: 'Healthy' })],
      want: [{ clusterName: 'member1', applied: false, appliedMessage: 'already exists in the member', health: 'Unknown' }],
    },
    {
      name: 'Applied Unknown counts as not applied',
      works: [work('member1', { applied: 'Unknown', message: 'cluster not ready' })],
      want: [{ clusterName: 'member1', applied: false, appliedMessage: 'cluster not ready', health: 'Unknown' }],
    },
    {
      name: 'no Applied condition: not applied, no message',
      works: [work('member1')],
      want: [{ clusterName: 'member1', applied: false, health: 'Unknown' }],
    },
    {
      name: 'manifest status of another object is not used',
      works: [work('member1', { applied: 'True', status: { replicas: 9 }, health: 'Healthy', identifier: { ...ID, name: 'other' } })],
      want: [{ clusterName: 'member1', applied: true, health: 'Unknown' }],
    },
    {
      name: 'Works being deleted are left out',
      works: [work('member1', { applied: 'True', health: 'Healthy' }), work('member2', { applied: 'True', deleting: true })],
      want: [{ clusterName: 'member1', applied: true, health: 'Healthy' }],
    },
  ];
  for (const c of cases) {
    await t.test(c.name, () => assert.deepEqual(assembleWorkStatus(c.works, REF), c.want));
  }
});

test('assembleWorkStatus: a Work without the template manifest or outside karmada-es-* is an error', () => {
  const w = work('member1', { applied: 'True' });
  assert.throws(() => assembleWorkStatus([w], { ...REF, name: 'other' }), /has no manifest apps\/v1 Deployment default\/other/);
  const outside = { ...w, metadata: { ...w.metadata, namespace: 'default' } };
  assert.throws(() => assembleWorkStatus([outside], REF), /not in an execution namespace/);
});

test('obtainBindingSpecExistingClusters: clusters, requiredBy, graceful eviction tasks except direct purges', () => {
  const s = spec(['a'], {
    requiredBy: [{ name: 'x', clusters: [{ name: 'b' }] }],
    gracefulEvictionTasks: [
      { fromCluster: 'c', producer: 'TaintManager', reason: 'TaintUntolerated', purgeMode: 'Gracefully' },
      { fromCluster: 'd', producer: 'TaintManager', reason: 'TaintUntolerated', purgeMode: 'Immediately' },
      { fromCluster: 'e', producer: 'TaintManager', reason: 'TaintUntolerated', purgeMode: 'Directly' },
      { fromCluster: 'f', producer: 'TaintManager', reason: 'TaintUntolerated' },
    ],
  });
  assert.deepEqual([...obtainBindingSpecExistingClusters(s)].sort(), ['a', 'b', 'c', 'f']);
});

test('generateFullyAppliedCondition', async (t) => {
  const ok = (clusterName: string): AggregatedStatusItem => ({ clusterName, applied: true, health: 'Healthy' });
  const bad = (clusterName: string): AggregatedStatusItem => ({ clusterName, applied: false, health: 'Unknown' });
  const cases: { name: string; spec: ResourceBindingSpec; items: AggregatedStatusItem[]; status: 'True' | 'False'; message: string }[] = [
    { name: 'every target applied', spec: spec(['m1', 'm2']), items: [ok('m1'), ok('m2')], status: 'True', message: FULLY_APPLIED_SUCCESS_MESSAGE },
    { name: 'applied but not healthy still counts as applied', spec: spec(['m1']), items: [{ clusterName: 'm1', applied: true, health: 'Unhealthy' }], status: 'True', message: FULLY_APPLIED_SUCCESS_MESSAGE },
    { name: 'not scheduled', spec: spec([]), items: [], status: 'False', message: FULLY_APPLIED_FAILED_MESSAGE },
    { name: 'one not applied', spec: spec(['m1', 'm2']), items: [ok('m1'), bad('m2')], status: 'False', message: `${FULLY_APPLIED_FAILED_MESSAGE}: not applied on m2` },
    { name: 'a Work missing', spec: spec(['m1', 'm2', 'm3']), items: [ok('m1')], status: 'False', message: `${FULLY_APPLIED_FAILED_MESSAGE}: no work yet for m2, m3` },
    { name: 'both', spec: spec(['m1', 'm2']), items: [bad('m1')], status: 'False', message: `${FULLY_APPLIED_FAILED_MESSAGE}: not applied on m1; no work yet for m2` },
    { name: 'a Work in a cluster no longer targeted', spec: spec(['m1']), items: [ok('m1'), ok('old')], status: 'False', message: FULLY_APPLIED_FAILED_MESSAGE },
    { name: 'count matches but the cluster differs', spec: spec(['m1']), items: [ok('old')], status: 'False', message: `${FULLY_APPLIED_FAILED_MESSAGE}: no work yet for m1` },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const cond = generateFullyAppliedCondition(c.spec, c.items);
      assert.equal(cond.type, 'FullyApplied');
      assert.equal(cond.status, c.status);
      assert.equal(cond.reason, c.status === 'True' ? 'FullyAppliedSuccess' : 'FullyAppliedFailed');
      assert.equal(cond.message, c.message);
    });
  }
});

test('aggregateBindingStatus: sets aggregatedStatus and FullyApplied, keeps other status, reports change', () => {
  const now = '2026-02-02T00:00:00Z';
  const scheduled = { type: 'Scheduled', status: 'True' as const, reason: 'Success', message: 'ok', lastTransitionTime: '2026-01-01T00:00:00Z' };
  const binding = { spec: spec(['m1', 'm2']), status: { schedulerObservedGeneration: 3, conditions: [scheduled] } };
  const works = [work('m2', { applied: 'True', health: 'Healthy' }), work('m1', { applied: 'True', health: 'Healthy' })];
  const first = aggregateBindingStatus(binding, works, now);
  assert.equal(first.changed, true);
  assert.equal(first.status.schedulerObservedGeneration, 3);
  assert.deepEqual(first.status.aggregatedStatus?.map((i) => i.clusterName), ['m1', 'm2']);
  assert.deepEqual(first.status.conditions, [
    scheduled,
    { type: 'FullyApplied', status: 'True', reason: 'FullyAppliedSuccess', message: FULLY_APPLIED_SUCCESS_MESSAGE, lastTransitionTime: now },
  ]);
  assert.deepEqual(binding.status.conditions, [scheduled], 'the input binding is not modified');

  const again = aggregateBindingStatus({ ...binding, status: first.status }, works, '2026-03-03T00:00:00Z');
  assert.equal(again.changed, false, 'same works, same status: nothing to write');
  assert.equal(again.status.conditions?.[1]?.lastTransitionTime, now, 'transition time kept');

  const failed = aggregateBindingStatus({ ...binding, status: first.status }, [works[1]!, work('m2', { applied: 'False', message: 'boom' })], '2026-03-03T00:00:00Z');
  assert.equal(failed.changed, true);
  assert.equal(failed.status.conditions?.[1]?.status, 'False');
  assert.equal(failed.status.conditions?.[1]?.lastTransitionTime, '2026-03-03T00:00:00Z');
});

test('Works map to their binding through the binding annotations', () => {
  const w = work('m1');
  assert.deepEqual(indexWorkByBinding(w), ['ResourceBinding/default/nginx-deployment']);
  assert.deepEqual(bindingKeysOfWork(w, 'ResourceBinding'), ['default/nginx-deployment']);
  assert.deepEqual(bindingKeysOfWork(w, 'ClusterResourceBinding'), []);
  const c: Work = { metadata: { name: 'x', namespace: 'karmada-es-m1', annotations: { 'clusterresourcebinding.karmada.io/name': 'ns1-namespace' } }, spec: {} };
  assert.deepEqual(bindingKeysOfWork(c, 'ClusterResourceBinding'), ['ns1-namespace']);
  assert.deepEqual(indexWorkByBinding({ metadata: { name: 'y', namespace: 'karmada-es-m1' }, spec: {} }), []);
});

test('event filters: bindings once scheduled and on spec changes; Works on status changes', () => {
  const b = { metadata: { name: 'b', namespace: 'default' }, spec: spec([]) };
  assert.equal(isBindingScheduled(b), false);
  assert.equal(isBindingScheduled({ ...b, status: { lastScheduledTime: '2026-01-01T00:00:00Z' } }), true);
  const placed = { ...b, spec: spec(['m1']) };
  assert.equal(isBindingScheduled(placed), true);
  assert.equal(bindingNeedsSync(b, placed), true);
  assert.equal(bindingNeedsSync(placed, { ...placed, status: { aggregatedStatus: [] } }), false, 'a status write is not a reason');
  assert.equal(bindingNeedsSync(placed, { ...placed, spec: spec(['m1', 'm2']) }), true);

  const w = work('m1', { applied: 'True' });
  assert.equal(workNeedsSync(w, { ...w }), false);
  assert.equal(workNeedsSync(w, work('m1', { applied: 'False' })), true);
});

test('renderedTemplateGeneration reads the generation the manifests were rendered from', () => {
  assert.equal(renderedTemplateGeneration([work('m1', { generation: '3' }), work('m2', { generation: '2' }), work('m3', { generation: '3' })], REF), '2,3');
  assert.equal(renderedTemplateGeneration([work('m1')], REF), '');
});
