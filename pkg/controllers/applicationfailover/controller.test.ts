import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ApplicationFailoverBehavior } from '../../apis/policy/v1alpha1/index.js';
import type { AggregatedStatusItem } from '../../apis/work/v1alpha2/index.js';
import { SharedInformerFactory } from '../../runtime/factory.js';
import { eventually, startTestApiServer, type TestApiServer } from '../../runtime/testenv.js';
import { RESOURCE_BINDINGS } from '../../util/clusterapi.js';
import type { Binding } from '../gracefuleviction/bindings.js';
import { ApplicationFailoverController, RB_APPLICATION_FAILOVER_PRODUCER } from './controller.js';

const resource = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'nginx' };
const st = (clusterName: string, health: AggregatedStatusItem['health']): AggregatedStatusItem => ({ clusterName, applied: true, health });

describe('ApplicationFailoverController', () => {
  let env: TestApiServer;
  const abort = new AbortController();
  let informers: SharedInformerFactory;

  before(async () => {
    env = await startTestApiServer();
    const client = env.client();
    informers = new SharedInformerFactory(client);
    const c = new ApplicationFailoverController({ client, informers });
    informers.start();
    void c.run(abort.signal);
  });
  after(async () => {
    abort.abort();
    await informers.stop();
    await env.cleanup();
  });

  async function binding(name: string, application: ApplicationFailoverBehavior | undefined, status: AggregatedStatusItem[]): Promise<void> {
    const rbs = env.client().resource<Binding>(RESOURCE_BINDINGS);
    const b = await rbs.create({
      apiVersion: 'work.karmada.io/v1alpha2',
      kind: 'ResourceBinding',
      metadata: { name, namespace: 'default' },
      spec: { resource, clusters: [{ name: 'member1', replicas: 2 }, { name: 'member2', replicas: 2 }], ...(application ? { failover: { application } } : {}) },
    });
    await rbs.updateStatus({ ...b, status: { aggregatedStatus: status } });
  }
  const get = (name: string) => env.client().resource<Binding>(RESOURCE_BINDINGS).get(name, { namespace: 'default' });
  const evicted = (name: string) => eventually(`${name} evicted`, async () => {
    const b = await get(name);
    return b.spec.clusters?.length === 1 ? b : undefined;
  });

  test('evicts a cluster unhealthy for tolerationSeconds with the policy purgeMode and gracePeriodSeconds', async () => {
    await binding('graceful', { decisionConditions: { tolerationSeconds: 1 }, purgeMode: 'Gracefully', gracePeriodSeconds: 120 }, [st('member1', 'Healthy'), st('member2', 'Unhealthy')]);
    const b = await evicted('graceful');
    assert.deepEqual(b.spec.clusters, [{ name: 'member1', replicas: 2 }]);
    const t = b.spec.gracefulEvictionTasks?.[0];
    assert.equal(t?.fromCluster, 'member2');
    assert.equal(t?.reason, 'ApplicationFailure');
    assert.equal(t?.producer, RB_APPLICATION_FAILOVER_PRODUCER);
    assert.equal(t?.purgeMode, 'Gracefully');
    assert.equal(t?.gracePeriodSeconds, 120);
    assert.equal(t?.replicas, 2);
  });

  test('Never suppresses deletion; Directly records a Directly task', async () => {
    await binding('never', { decisionConditions: { tolerationSeconds: 0 }, purgeMode: 'Never' }, [st('member2', 'Unhealthy')]);
    await binding('directly', { decisionConditions: { tolerationSeconds: 0 }, purgeMode: 'Directly' }, [st('member1', 'Unhealthy')]);
    const never = await evicted('never');
    assert.equal(never.spec.gracefulEvictionTasks?.[0]?.suppressDeletion, true);
    const direct = await evicted('directly');
    assert.deepEqual(direct.spec.clusters, [{ name: 'member2', replicas: 2 }]);
    assert.equal(direct.spec.gracefulEvictionTasks?.[0]?.purgeMode, 'Directly');
  });

  test('no failover.application or a healthy workload: nothing happens', async () => {
    await binding('nofailover', undefined, [st('member2', 'Unhealthy')]);
    await binding('healthy', { decisionConditions: { tolerationSeconds: 0 } }, [st('member1', 'Healthy'), st('member2', 'Unknown')]);
    // a probe binding evicted afterwards shows the controller has handled the earlier ones
    await binding('probe', { decisionConditions: { tolerationSeconds: 0 } }, [st('member2', 'Unhealthy')]);
    await evicted('probe');
    assert.equal((await get('nofailover')).spec.clusters?.length, 2);
    assert.equal((await get('healthy')).spec.clusters?.length, 2);
  });
});
