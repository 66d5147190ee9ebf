import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import type { ResourceBindingSpec } from '../../apis/work/v1alpha2/index.js';
import { SharedInformerFactory } from '../../runtime/factory.js';
import { eventually, startTestApiServer, type TestApiServer } from '../../runtime/testenv.js';
import { CLUSTER_RESOURCE_BINDINGS, CLUSTERS, RESOURCE_BINDINGS } from '../../util/clusterapi.js';
import type { Binding } from '../gracefuleviction/bindings.js';
import { NoExecuteTaintManager } from './controller.js';

const resource = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'nginx' };
const twoClusters = [
  { name: 'member1', replicas: 2 },
  { name: 'member2', replicas: 2 },
];

describe('NoExecuteTaintManager', () => {
  let env: TestApiServer;
  const abort = new AbortController();
  let informers: SharedInformerFactory;

  before(async () => {
    env = await startTestApiServer();
    const client = env.client();
    for (const name of ['member1', 'member2', 'member3']) {
      const c = await client.resource<Cluster>(CLUSTERS).create({ apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name }, spec: { syncMode: 'Push' } });
      await client.resource<Cluster>(CLUSTERS).updateStatus({ ...c, status: { conditions: [{ type: 'Ready', status: 'True', reason: 'ClusterReady', message: 'ok', lastTransitionTime: '2026-01-01T00:00:00Z' }] } });
    }
    informers = new SharedInformerFactory(client);
    // a fast bucket so the test does not wait for tokens
    const tm = new NoExecuteTaintManager({ client, informers, enableNoExecuteTaintEviction: true, rate: { evictionRate: 100 } });
    informers.start();
    void tm.run(abort.signal);
  });
  after(async () => {
    abort.abort();
    await informers.stop();
    await env.cleanup();
  });

  const createRB = (name: string, spec: Partial<ResourceBindingSpec>) =>
    env.client().resource<Binding>(RESOURCE_BINDINGS).create({ apiVersion: 'work.karmada.io/v1alpha2', kind: 'ResourceBinding', metadata: { name, namespace: 'default' }, spec: { resource, ...spec } });

  test('evicts untolerating bindings from a NoExecute-tainted cluster, keeps tolerating ones', async () => {
    const client = env.client();
    await createRB('plain', { clusters: twoClusters });
    await createRB('directly', { clusters: twoClusters, failover: { cluster: { purgeMode: 'Directly' } } });
    await createRB('tolerant', { clusters: twoClusters, placement: { clusterTolerations: [{ key: 'failover', operator: 'Exists', effect: 'NoExecute' }] } });
    await createRB('elsewhere', { clusters: [{ name: 'member1', replicas: 4 }] });
    await client.resource<Binding>(CLUSTER_RESOURCE_BINDINGS).create({
      apiVersion: 'work.karmada.io/v1alpha2',
      kind: 'ClusterResourceBinding',
      metadata: { name: 'crb' },
      spec: { resource: { apiVersion: 'v1', kind: 'Namespace', name: 'ns1' }, clusters: [{ name: 'member1' }, { name: 'member2' }] },
    });

    await client.resource<Cluster>(CLUSTERS).patch('member2', { spec: { taints: [{ key: 'failover', value: 'test', effect: 'NoExecute' }] } }, { type: 'merge' });

    const rbs = client.resource<Binding>(RESOURCE_BINDINGS);
    const plain = await eventually('plain evicted from member2', async () => {
      const b = await rbs.get('plain', { namespace: 'default' });
      return b.spec.clusters?.length === 1 ? b : undefined;
    });
    assert.deepEqual(plain.spec.clusters, [{ name: 'member1', replicas: 2 }]);
    const task = plain.spec.gracefulEvictionTasks?.[0];
    assert.equal(task?.fromCluster, 'member2');
    assert.equal(task?.purgeMode, 'Gracefully');
    assert.equal(task?.reason, 'TaintUntolerated');
    assert.equal(task?.producer, 'TaintManager');
    assert.equal(task?.replicas, 2);
    assert.deepEqual(task?.clustersBeforeFailover, ['member1', 'member2']);
    assert.ok(task?.creationTimestamp);

    const direct = await eventually('directly evicted', async () => {
      const b = await rbs.get('directly', { namespace: 'default' });
      return b.spec.clusters?.length === 1 ? b : undefined;
    });
    assert.equal(direct.spec.gracefulEvictionTasks, undefined, 'purgeMode Directly leaves no task');

    const crb = await eventually('crb evicted', async () => {
      const b = await client.resource<Binding>(CLUSTER_RESOURCE_BINDINGS).get('crb');
      return b.spec.clusters?.length === 1 ? b : undefined;
    });
    assert.equal(crb.spec.gracefulEvictionTasks?.[0]?.fromCluster, 'member2');
    assert.equal(crb.spec.gracefulEvictionTasks?.[0]?.replicas, undefined);

    // the tolerating binding and the one elsewhere stay put
    assert.equal((await rbs.get('tolerant', { namespace: 'default' })).spec.clusters?.length, 2);
    assert.deepEqual((await rbs.get('elsewhere', { namespace: 'default' })).spec.clusters, [{ name: 'member1', replicas: 4 }]);
  });

  test('a binding scheduled later onto the tainted cluster, tolerating it for 1s, is evicted after that', async () => {
    const rbs = env.client().resource<Binding>(RESOURCE_BINDINGS);
    await createRB('timed', { clusters: twoClusters, placement: { clusterTolerations: [{ key: 'failover', operator: 'Exists', tolerationSeconds: 1 }] } });
    const b = await eventually('timed evicted after tolerationSeconds', async () => {
      const b = await rbs.get('timed', { namespace: 'default' });
      return b.spec.clusters?.length === 1 ? b : undefined;
    });
    assert.equal(b.spec.gracefulEvictionTasks?.[0]?.fromCluster, 'member2');
  });
});

describe('NoExecuteTaintManager disabled (default)', () => {
  test('run() does nothing until stopped', async () => {
    const env = await startTestApiServer();
    try {
      const client = env.client();
      const informers = new SharedInformerFactory(client);
      const tm = new NoExecuteTaintManager({ client, informers });
      const abort = new AbortController();
      let done = false;
      const p = tm.run(abort.signal).then(() => (done = true));
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(done, false);
      abort.abort();
      await p;
      assert.equal(done, true);
    } finally {
      await env.cleanup();
    }
  });
});

describe('NoExecuteTaintManager rate limiting', () => {
  test('a small fleet that is mostly not Ready is not evicted until it recovers', async () => {
    const env = await startTestApiServer();
    const abort = new AbortController();
    const client = env.client();
    const informers = new SharedInformerFactory(client);
    try {
      const clusters = client.resource<Cluster>(CLUSTERS);
      const setReady = async (name: string, status: 'True' | 'False') => {
        const c = await clusters.get(name);
        await clusters.updateStatus({ ...c, status: { conditions: [{ type: 'Ready', status, reason: 'Test', message: 'test', lastTransitionTime: '2026-01-01T00:00:00Z' }] } });
      };
      for (const name of ['member1', 'member2', 'member3']) {
        await clusters.create({ apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name }, spec: { syncMode: 'Push' } });
        await setReady(name, name === 'member1' ? 'True' : 'False');
      }
      const rbs = client.resource<Binding>(RESOURCE_BINDINGS);
      await rbs.create({ apiVersion: 'work.karmada.io/v1alpha2', kind: 'ResourceBinding', metadata: { name: 'b', namespace: 'default' }, spec: { resource, clusters: twoClusters } });
      const tm = new NoExecuteTaintManager({ client, informers, enableNoExecuteTaintEviction: true, rate: { evictionRate: 100 } });
      informers.start();
      void tm.run(abort.signal);
      await clusters.patch('member2', { spec: { taints: [{ key: 'failover', effect: 'NoExecute' }] } }, { type: 'merge' });
      // 2 of 3 clusters not Ready: eviction rate 0 for a small fleet
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal((await rbs.get('b', { namespace: 'default' })).spec.clusters?.length, 2, 'no eviction while the fleet is disrupted');
      await setReady('member3', 'True');
      // a paused eviction looks again every RATE_ZERO_RECHECK_MS
      await eventually('evicted once the fleet recovered', async () => (await rbs.get('b', { namespace: 'default' })).spec.clusters?.length === 1, 30_000, 200);
    } finally {
      abort.abort();
      await informers.stop();
      await env.cleanup();
    }
  });
});
