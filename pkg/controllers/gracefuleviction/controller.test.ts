import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AggregatedStatusItem, GracefulEvictionTask } from '../../apis/work/v1alpha2/index.js';
import { SharedInformerFactory } from '../../runtime/factory.js';
import { eventually, startTestApiServer, type TestApiServer } from '../../runtime/testenv.js';
import { RESOURCE_BINDINGS } from '../../util/clusterapi.js';
import type { Binding } from './bindings.js';
import { GracefulEvictionController } from './controller.js';

const resource = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'nginx' };
const nowStr = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const task = (over: Partial<GracefulEvictionTask> = {}): GracefulEvictionTask => ({ fromCluster: 'member2', reason: 'TaintUntolerated', producer: 'TaintManager', creationTimestamp: nowStr(), ...over });

describe('GracefulEvictionController', () => {
  let env: TestApiServer;
  const abort = new AbortController();
  let informers: SharedInformerFactory;

  before(async () => {
    env = await startTestApiServer();
    const client = env.client();
    informers = new SharedInformerFactory(client);
    const c = new GracefulEvictionController({ client, informers });
    informers.start();
    void c.run(abort.signal);
  });
  after(async () => {
    abort.abort();
    await informers.stop();
    await env.cleanup();
  });

  /** Creates a binding scheduled to member1 with the tasks, then reports member1's status. */
  async function scheduledBinding(name: string, tasks: GracefulEvictionTask[], status: AggregatedStatusItem[], scheduled = true): Promise<void> {
    const rbs = env.client().resource<Binding>(RESOURCE_BINDINGS);
    const b = await rbs.create({
      apiVersion: 'work.karmada.io/v1alpha2',
      kind: 'ResourceBinding',
      metadata: { name, namespace: 'default' },
      spec: { resource, clusters: [{ name: 'member1', replicas: 4 }], gracefulEvictionTasks: tasks },
    });
    await rbs.updateStatus({ ...b, status: { schedulerObservedGeneration: scheduled ? b.metadata!.generation : 0, aggregatedStatus: status } });
  }
  const tasksOf = async (name: string) => (await env.client().resource<Binding>(RESOURCE_BINDINGS).get(name, { namespace: 'default' })).spec.gracefulEvictionTasks;

  test('drops a task once every scheduled cluster is healthy', async () => {
    await scheduledBinding('healthy', [task()], [{ clusterName: 'member1', applied: true, health: 'Healthy' }]);
    await eventually('task dropped', async () => (await tasksOf('healthy')) === undefined);
  });

  test('keeps a task while the replacement is not healthy, and drops it at gracePeriodSeconds', async () => {
    await scheduledBinding('timeout', [task({ gracePeriodSeconds: 2 })], [{ clusterName: 'member1', applied: true, health: 'Unknown' }]);
    assert.equal((await tasksOf('timeout'))?.length, 1);
    await eventually('task dropped after its grace period', async () => (await tasksOf('timeout')) === undefined, 20_000, 200);
  });

  test('suppressDeletion: true keeps the task, false drops it; an unscheduled binding is left alone', async () => {
    const healthy: AggregatedStatusItem[] = [{ clusterName: 'member1', applied: true, health: 'Healthy' }];
    await scheduledBinding('suppressed', [task({ suppressDeletion: true }), task({ fromCluster: 'member3', suppressDeletion: false })], healthy);
    const kept = await eventually('suppressDeletion false dropped', async () => {
      const t = await tasksOf('suppressed');
      return t?.length === 1 ? t : undefined;
    });
    assert.equal(kept[0]?.fromCluster, 'member2');
    await scheduledBinding('unscheduled', [task()], healthy, false);
    // settle: the healthy binding above shows the controller is running; this one must stay
    await scheduledBinding('probe', [task()], healthy);
    await eventually('probe dropped', async () => (await tasksOf('probe')) === undefined);
    assert.equal((await tasksOf('unscheduled'))?.length, 1);
  });
});
