// The scheduler against an in-process karmada-apiserver: Clusters with status, ResourceBindings in, spec.clusters,
// the Scheduled condition and events out; replicas scaled up; clusters relabelled.

import { startMetricsServer } from '../util/metrics.js';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { Cluster } from '../apis/cluster/v1alpha1/index.js';
import type { Placement } from '../apis/policy/v1alpha1/index.js';
import type { ObjectClient } from '../runtime/client.js';
import { SharedInformerFactory } from '../runtime/factory.js';
import { EVENTS, LEASES, NAMESPACES } from '../runtime/gvr.js';
import { eventually, startTestApiServer, type TestApiServer } from '../runtime/testenv.js';
import type { KubeObject } from '../runtime/types.js';
import { CLUSTERS } from '../util/clusterapi.js';
import { DEFAULT_SCHEDULER_LEADER_ELECTION, RESOURCE_BINDINGS, runScheduler, Scheduler, type Binding } from './scheduler.js';
import { DIVIDED_DYNAMIC, testCluster } from './testing.js';

describe('karmada-scheduler against an in-process karmada-apiserver', () => {
  let env: TestApiServer;
  let client: ObjectClient;
  let factory: SharedInformerFactory;
  const stop = new AbortController();
  let running: Promise<void>;
  let scheduler: Scheduler;

  const rbs = () => client.resource<Binding>(RESOURCE_BINDINGS);
  const getRB = (name: string) => rbs().get(name, { namespace: 'default' });
  const scheduled = (b: Binding) => b.status?.conditions?.find((c) => c.type === 'Scheduled');
  const targets = (b: Binding) => Object.fromEntries((b.spec.clusters ?? []).map((t) => [t.name, t.replicas ?? 0]));

  async function createCluster(name: string, pods: number, labels: Record<string, string> = {}): Promise<void> {
    const want = testCluster(name, { pods, labels });
    const created = await client.resource<Cluster>(CLUSTERS).create({ apiVersion: want.apiVersion, kind: want.kind, metadata: { name, labels }, spec: want.spec });
    await client.resource<Cluster>(CLUSTERS).updateStatus({ ...created, status: want.status });
  }

  function binding(name: string, replicas: number, placement: Placement, extra: Partial<Binding['spec']> = {}): Binding {
    return {
      apiVersion: 'work.karmada.io/v1alpha2',
      kind: 'ResourceBinding',
      metadata: { name, namespace: 'default' },
      spec: {
        resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: name.replace(/-deployment$/, ''), uid: 'uid-b' },
        replicas,
        placement,
        ...extra,
      },
    };
  }

  before(async () => {
    env = await startTestApiServer();
    client = env.client();
    await client.resource(NAMESPACES).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }).catch(() => undefined);
    await createCluster('m1', 6);
    await createCluster('m2', 12);
    await createCluster('m3', 18);
    const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
    factory = new SharedInformerFactory(client, { logger });
    scheduler = new Scheduler({ client, informers: factory, logger, workers: 2, queue: { initialBackoffMs: 50, maxBackoffMs: 200 } });
    factory.start();
    running = scheduler.run(stop.signal);
  });

  after(async () => {
    stop.abort();
    await running;
    await factory?.stop();
    await env?.cleanup();
  });

  test('divides by available replicas, writes the Scheduled condition, then scales up keeping the result', async () => {
    await rbs().create(binding('web-deployment', 12, DIVIDED_DYNAMIC));
    // 12 over room 6/12/18 (Webster) -> 2/4/6
    const b = await eventually('web scheduled', async () => {
      const b = await getRB('web-deployment');
      return scheduled(b)?.status === 'True' ? b : undefined;
    });
    assert.deepEqual(targets(b), { m1: 2, m2: 4, m3: 6 });
    const cond = scheduled(b)!;
    assert.equal(cond.reason, 'Success');
    assert.equal(cond.message, 'Binding has been scheduled successfully.');
    assert.equal(b.status?.schedulerObservedGeneration, b.metadata?.generation);
    assert.ok(b.status?.lastScheduledTime);
    assert.deepEqual(JSON.parse(b.metadata?.annotations?.['policy.karmada.io/applied-placement'] ?? '{}'), b.spec.placement);

    // 3 more replicas: only they are divided (6/12/18 -> one each), added to 2/4/6
    await rbs().patch('web-deployment', { spec: { replicas: 15 } }, { namespace: 'default' });
    const scaled = await eventually('web scaled up', async () => {
      const b = await getRB('web-deployment');
      return b.spec.replicas === 15 && b.status?.schedulerObservedGeneration === b.metadata?.generation && (b.spec.clusters ?? []).length ? b : undefined;
    });
    assert.deepEqual(targets(scaled), { m1: 3, m2: 5, m3: 7 });
    assert.equal(scheduled(scaled)?.status, 'True');

    const events = await eventually('a ScheduleBindingSucceed event', async () => {
      const list = await client.resource<KubeObject & { reason?: string; message?: string; involvedObject?: { name?: string } }>(EVENTS).list({ namespace: 'default' });
      const found = list.items.filter((e) => e.reason === 'ScheduleBindingSucceed' && e.involvedObject?.name === 'web-deployment');
      return found.length ? found : undefined;
    });
    assert.match(events[0]!.message ?? '', /^Binding has been scheduled successfully\. Result: \{m1:\d+, m2:\d+, m3:\d+\}$/);
  });

  test('no cluster fits: NoClusterFit naming why, until a cluster is relabelled to fit', async () => {
    const placement: Placement = { clusterAffinity: { labelSelector: { matchLabels: { env: 'prod' } } } };
    await rbs().create(binding('api-deployment', 2, placement));
    const failed = await eventually('api NoClusterFit', async () => {
      const b = await getRB('api-deployment');
      return scheduled(b)?.status === 'False' ? b : undefined;
    });
    assert.equal(scheduled(failed)?.reason, 'NoClusterFit');
    assert.equal(scheduled(failed)?.message, '0/3 clusters are available: 3 cluster(s) did not match the placement cluster affinity constraint.');
    assert.equal(failed.spec.clusters, undefined);

    const m2 = await client.resource<Cluster>(CLUSTERS).get('m2');
    await client.resource<Cluster>(CLUSTERS).patch('m2', { metadata: { labels: { ...(m2.metadata?.labels ?? {}), env: 'prod' } } });
    const ok = await eventually('api scheduled after the relabel', async () => {
      const b = await getRB('api-deployment');
      return scheduled(b)?.status === 'True' ? b : undefined;
    });
    assert.deepEqual(targets(ok), { m2: 2 });
  });

  test('metrics count the attempts by result and are served on /metrics', async () => {
    const text = await scheduler.metrics.registry.metrics();
    const value = (re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
    assert.ok(value(/karmada_scheduler_schedule_attempts_total\{result="scheduled",schedule_type="[A-Za-z]+"\} (\d+)/) >= 1, text);
    assert.ok(value(/karmada_scheduler_schedule_attempts_total\{result="unschedulable",schedule_type="[A-Za-z]+"\} (\d+)/) >= 1, text);
    assert.ok(value(/karmada_scheduler_queue_incoming_bindings_total\{event="BindingAdd"\} (\d+)/) >= 2, text);
    assert.match(text, /karmada_scheduler_e2e_scheduling_duration_seconds_count\{result="scheduled"/);
    assert.match(text, /karmada_scheduler_pending_bindings\{queue="active"\} \d+/);

    const server = await startMetricsServer({ bindAddress: '127.0.0.1:0', registry: scheduler.metrics.registry });
    try {
      const res = await fetch(`http://${server.address}/metrics`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /karmada_scheduler_schedule_attempts_total/);
      assert.equal((await fetch(`http://${server.address}/healthz`)).status, 200);
      assert.equal((await fetch(`http://${server.address}/nope`)).status, 404);
    } finally {
      await server.close();
    }
  });

  test("bindings of another scheduler or with scheduling suspended are left alone", async () => {
    await rbs().create(binding('other-deployment', 1, {}, { schedulerName: 'my-scheduler' }));
    await rbs().create(binding('paused-deployment', 1, {}, { suspension: { scheduling: true } }));
    await rbs().create(binding('mine-deployment', 1, {}));
    const mine = await eventually('mine scheduled', async () => {
      const b = await getRB('mine-deployment');
      return scheduled(b)?.status === 'True' ? b : undefined;
    });
    assert.deepEqual(targets(mine), { m1: 1, m2: 1, m3: 1 }, 'Duplicated (no replicaScheduling): every cluster');
    for (const name of ['other-deployment', 'paused-deployment']) {
      const b = await getRB(name);
      assert.equal(scheduled(b), undefined, name);
      assert.equal(b.spec.clusters, undefined, name);
    }
  });
});

describe('runScheduler', () => {
  test('schedules as the leader of Lease karmada-system/karmada-scheduler and stops on abort', async () => {
    const env = await startTestApiServer();
    const client = env.client();
    const stop = new AbortController();
    let outcome: Promise<'stopped' | 'lost'> | undefined;
    try {
      await client.resource(NAMESPACES).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }).catch(() => undefined);
      const c = testCluster('solo');
      const created = await client.resource<Cluster>(CLUSTERS).create({ apiVersion: c.apiVersion, kind: c.kind, metadata: { name: 'solo' }, spec: c.spec });
      await client.resource<Cluster>(CLUSTERS).updateStatus({ ...created, status: c.status });
      outcome = runScheduler(
        {
          client,
          logger: pino({ level: 'silent' }),
          leaderElection: { ...DEFAULT_SCHEDULER_LEADER_ELECTION, leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 500 },
        },
        stop.signal,
      );
      const lease = await eventually('the leader lease', () => client.resource<KubeObject & { spec?: { holderIdentity?: string } }>(LEASES).getOrUndefined('karmada-scheduler', { namespace: 'karmada-system' }));
      assert.ok(lease.spec?.holderIdentity);
      await client.resource<Binding>(RESOURCE_BINDINGS).create({
        apiVersion: 'work.karmada.io/v1alpha2',
        kind: 'ResourceBinding',
        metadata: { name: 'cm-configmap', namespace: 'default' },
        spec: { resource: { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'cm' }, placement: {} },
      });
      // the cluster serves only apps/v1 Deployments: a ConfigMap finds no cluster
      const b = await eventually('cm-configmap attempted', async () => {
        const b = await client.resource<Binding>(RESOURCE_BINDINGS).get('cm-configmap', { namespace: 'default' });
        return b.status?.conditions?.length ? b : undefined;
      });
      assert.equal(b.status?.conditions?.[0]?.message, '0/1 clusters are available: 1 no such API resource.');
    } finally {
      stop.abort();
      if (outcome) assert.equal(await outcome, 'stopped');
      await env.cleanup();
    }
  });
});
