import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResourceBindingSpec } from '../../apis/work/v1alpha2/index.js';
import { gracefulEvictCluster } from './evictcluster.js';

const spec: ResourceBindingSpec = {
  resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'nginx' },
  clusters: [
    { name: 'member1', replicas: 2 },
    { name: 'member2', replicas: 2 },
  ],
};
const opts = { purgeMode: 'Gracefully' as const, reason: 'TaintUntolerated', producer: 'TaintManager', now: '2026-01-01T00:00:00Z' };

test('gracefulEvictCluster removes the cluster and records a task', () => {
  const got = gracefulEvictCluster(spec, 'member2', opts);
  assert.deepEqual(got?.clusters, [{ name: 'member1', replicas: 2 }]);
  assert.deepEqual(got?.gracefulEvictionTasks, [
    { fromCluster: 'member2', purgeMode: 'Gracefully', reason: 'TaintUntolerated', producer: 'TaintManager', creationTimestamp: '2026-01-01T00:00:00Z', clustersBeforeFailover: ['member1', 'member2'], replicas: 2 },
  ]);
  assert.deepEqual(spec.clusters?.length, 2, 'input not mutated');
});

test('gracefulEvictCluster: Directly removes without a task; not a target is a no-op; no duplicate task', () => {
  const direct = gracefulEvictCluster(spec, 'member2', { ...opts, purgeMode: 'Directly' });
  assert.deepEqual(direct?.clusters, [{ name: 'member1', replicas: 2 }]);
  assert.equal(direct?.gracefulEvictionTasks, undefined);
  assert.equal(gracefulEvictCluster(spec, 'member3', opts), undefined);
  const withTask = { ...spec, gracefulEvictionTasks: [{ fromCluster: 'member2', reason: 'X', producer: 'Y' }] };
  assert.equal(gracefulEvictCluster(withTask, 'member2', opts)?.gracefulEvictionTasks?.length, 1);
  const never = gracefulEvictCluster(spec, 'member1', { ...opts, purgeMode: 'Never', suppressDeletion: true, gracePeriodSeconds: 30 });
  assert.equal(never?.gracefulEvictionTasks?.[0]?.suppressDeletion, true);
  assert.equal(never?.gracefulEvictionTasks?.[0]?.gracePeriodSeconds, 30);
});
