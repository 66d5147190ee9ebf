import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AggregatedStatusItem, GracefulEvictionTask } from '../../apis/work/v1alpha2/index.js';
import { assessEvictionTasks, nextRetryMs } from './assess.js';

const now = new Date('2026-01-01T00:05:00Z');
const TIMEOUT = 10 * 60_000;
const task = (over: Partial<GracefulEvictionTask> = {}): GracefulEvictionTask => ({ fromCluster: 'member2', reason: 'TaintUntolerated', producer: 'TaintManager', creationTimestamp: '2026-01-01T00:00:00Z', ...over });
const healthy: AggregatedStatusItem[] = [{ clusterName: 'member1', applied: true, health: 'Healthy' }];
const scheduled = [{ name: 'member1', replicas: 4 }];

test('assessEvictionTasks', () => {
  const cases: { name: string; tasks: GracefulEvictionTask[]; status: AggregatedStatusItem[]; kept: GracefulEvictionTask[]; evicted: string[] }[] = [
    { name: 'new task gets a creation time', tasks: [task({ creationTimestamp: undefined })], status: healthy, kept: [task({ creationTimestamp: '2026-01-01T00:05:00Z' })], evicted: [] },
    { name: 'suppressDeletion true keeps', tasks: [task({ suppressDeletion: true })], status: healthy, kept: [task({ suppressDeletion: true })], evicted: [] },
    { name: 'suppressDeletion false drops', tasks: [task({ suppressDeletion: false })], status: [], kept: [], evicted: ['member2'] },
    { name: 'all scheduled healthy drops', tasks: [task()], status: healthy, kept: [], evicted: ['member2'] },
    { name: 'not yet healthy keeps', tasks: [task()], status: [{ clusterName: 'member1', applied: true, health: 'Unknown' }], kept: [task()], evicted: [] },
    { name: 'not applied keeps', tasks: [task()], status: [{ clusterName: 'member1', applied: false, health: 'Healthy' }], kept: [task()], evicted: [] },
    { name: 'no status keeps', tasks: [task()], status: [], kept: [task()], evicted: [] },
    { name: 'gracePeriodSeconds passed drops', tasks: [task({ gracePeriodSeconds: 60 })], status: [], kept: [], evicted: ['member2'] },
    { name: 'default timeout passed drops', tasks: [task({ creationTimestamp: '2025-12-31T23:50:00Z' })], status: [], kept: [], evicted: ['member2'] },
  ];
  for (const c of cases) {
    const got = assessEvictionTasks({ tasks: c.tasks, scheduled, aggregatedStatus: c.status, timeoutMs: TIMEOUT, now });
    assert.deepEqual(got, { keptTasks: c.kept, evictedClusters: c.evicted }, c.name);
  }
});

test('nextRetryMs is the earliest deadline of tasks that can time out', () => {
  assert.equal(nextRetryMs([task(), task({ gracePeriodSeconds: 600 }), task({ gracePeriodSeconds: 360 })], TIMEOUT, now), 60_000);
  assert.equal(nextRetryMs([task({ suppressDeletion: true })], TIMEOUT, now), undefined);
  assert.equal(nextRetryMs([], TIMEOUT, now), undefined);
});
