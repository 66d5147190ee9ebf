import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedInformerFactory } from '../../runtime/factory.js';
import { gvr } from '../../runtime/gvr.js';
import { eventually, startTestApiServer, type TestApiServer } from '../../runtime/testenv.js';
import type { KubeObject } from '../../runtime/types.js';
import type { WorkloadRebalancer } from '../../apis/apps/v1alpha1/index.js';
import { WORKLOAD_REBALANCERS, WorkloadRebalancerController } from './controller.js';
import { needTriggerReschedule, syncWorkloadsFromSpecToStatus, timeLeftMs } from './rebalance.js';

const RB = gvr('work.karmada.io', 'v1alpha2', 'resourcebindings');
const ref = (name: string, namespace = 'default') => ({ apiVersion: 'apps/v1', kind: 'Deployment', name, namespace });

describe('syncWorkloadsFromSpecToStatus', () => {
  test('keeps results of listed workloads, drops unlisted ones unless successful, adds new ones, sorts', () => {
    const r: WorkloadRebalancer = {
      metadata: { name: 'r', generation: 3 },
      spec: { workloads: [ref('b'), ref('a'), ref('new')] },
      status: {
        observedWorkloads: [
          { workload: ref('a'), result: 'Successful' },
          { workload: ref('b'), result: 'Failed', reason: 'ReferencedBindingNotFound' },
          { workload: ref('gone-ok'), result: 'Successful' },
          { workload: ref('gone-failed'), result: 'Failed', reason: 'ReferencedBindingNotFound' },
        ],
      },
    };
    const s = syncWorkloadsFromSpecToStatus(r);
    assert.equal(s.observedGeneration, 3);
    assert.deepEqual(
      s.observedWorkloads!.map((o) => [o.workload.name, o.result ?? '-']),
      [
        ['a', 'Successful'],
        ['b', 'Failed'],
        ['gone-ok', 'Successful'],
        ['new', '-'],
      ],
    );
  });

  test('needTriggerReschedule and timeLeftMs', () => {
    assert.equal(needTriggerReschedule('2026-01-01T00:00:10Z', undefined), true);
    assert.equal(needTriggerReschedule('2026-01-01T00:00:10Z', '2026-01-01T00:00:09Z'), true);
    assert.equal(needTriggerReschedule('2026-01-01T00:00:10Z', '2026-01-01T00:00:10Z'), false);
    const r = { spec: { workloads: [ref('a')], ttlSecondsAfterFinished: 60 }, status: { finishTime: '2026-01-01T00:00:00Z' } };
    assert.equal(timeLeftMs(r, Date.parse('2026-01-01T00:00:30Z')), 30_000);
    assert.equal(timeLeftMs({ spec: r.spec }), undefined);
  });
});

describe('WorkloadRebalancerController', () => {
  let env: TestApiServer;
  const abort = new AbortController();
  let informers: SharedInformerFactory;
  before(async () => {
    env = await startTestApiServer();
    const client = env.client();
    informers = new SharedInformerFactory(client);
    const c = new WorkloadRebalancerController({ client, informers });
    informers.start();
    void c.run(abort.signal);
  });
  after(async () => {
    abort.abort();
    await informers.stop();
    await env.cleanup();
  });

  test('triggers the binding, reports Successful and Failed, finishes, and honours the TTL', async () => {
    const client = env.client();
    await client.resource(RB).create({
      apiVersion: 'work.karmada.io/v1alpha2',
      kind: 'ResourceBinding',
      metadata: { name: 'nginx-deployment', namespace: 'default' },
      spec: { resource: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx', namespace: 'default' }, replicas: 3 },
    } as KubeObject);
    const rebalancers = client.resource<WorkloadRebalancer & KubeObject>(WORKLOAD_REBALANCERS);
    const created = await rebalancers.create({
      apiVersion: 'apps.karmada.io/v1alpha1',
      kind: 'WorkloadRebalancer',
      metadata: { name: 'demo' },
      spec: { workloads: [ref('nginx'), ref('missing')] },
    });
    const done = await eventually('rebalancer finished', async () => {
      const r = await rebalancers.get('demo');
      return r.status?.finishTime ? r : undefined;
    });
    assert.deepEqual(
      done.status!.observedWorkloads!.map((o) => [o.workload.name, o.result, o.reason]),
      [
        ['missing', 'Failed', 'ReferencedBindingNotFound'],
        ['nginx', 'Successful', undefined],
      ],
    );
    assert.equal(done.status!.observedGeneration, created.metadata!.generation);
    const rb = await client.resource<KubeObject & { spec: { rescheduleTriggeredAt?: string } }>(RB).get('nginx-deployment', { namespace: 'default' });
    assert.equal(rb.spec.rescheduleTriggeredAt, created.metadata!.creationTimestamp);

    // a TTL of 0 deletes the finished rebalancer right away
    await rebalancers.patch('demo', { spec: { ttlSecondsAfterFinished: 0 } }, { type: 'merge' });
    await eventually('rebalancer deleted after its TTL', async () => !(await rebalancers.getOrUndefined('demo')));
  });
});
