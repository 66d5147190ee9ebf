// StatusOutbox against an in-process karmada-apiserver: coalescing, durability across restarts,
// delivery after an outage, reports for re-created Works, and writes racing with deliveries.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Work } from '../../apis/work/v1alpha1/index.js';
import type { WorkStatusPatch } from '../../controllers/execution/statuswriter.js';
import type { ObjectClient, ResourceClient } from '../../runtime/client.js';
import { NAMESPACES } from '../../runtime/gvr.js';
import { Informer } from '../../runtime/informer.js';
import { eventually, startTestApiServer, type TestApiServer } from '../../runtime/testenv.js';
import type { Condition } from '../../runtime/types.js';
import { ensureClusterAPI, WORKS } from '../../util/clusterapi.js';
import { StatusOutbox } from './outbox.js';
import { AgentStore } from './store.js';

const NS = 'karmada-es-edge1';

const applied = (message: string): Condition => ({ type: 'Applied', status: 'True', reason: 'AppliedSuccessful', message, lastTransitionTime: '2024-01-01T00:00:00Z' });
const manifest = (replicas: number) => [
  { identifier: { ordinal: 0, group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', namespace: 'default', name: 'web' }, status: { replicas }, health: 'Healthy' as const },
];

/** Records every status patch the outbox sends (and lets a test act while one is in flight). */
function spyOnPatches(client: ObjectClient): { calls: { name: string; body: { status?: Record<string, unknown> } }[]; during?: () => Promise<void> } {
  const spy: { calls: { name: string; body: { status?: Record<string, unknown> } }[]; during?: () => Promise<void> } = { calls: [] };
  const resource = client.resource.bind(client);
  client.resource = (<T>(g: Parameters<typeof resource>[0]) => {
    const rc = resource(g) as ResourceClient;
    const patchStatus = rc.patchStatus.bind(rc);
    rc.patchStatus = async (name: string, body: unknown, opts?: Parameters<typeof patchStatus>[2]) => {
      spy.calls.push({ name, body: body as { status?: Record<string, unknown> } });
      const during = spy.during;
      spy.during = undefined;
      if (during) await during();
      return patchStatus(name, body, opts);
    };
    return rc as unknown as ResourceClient<T & never>;
  }) as typeof client.resource;
  return spy;
}

describe('StatusOutbox', () => {
  let env: TestApiServer;
  let admin: ObjectClient;
  const dirs: string[] = [];
  const dataDir = () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'outbox-'));
    dirs.push(d);
    return d;
  };

  before(async () => {
    env = await startTestApiServer();
    admin = env.client();
    await ensureClusterAPI(admin);
    await admin.resource(NAMESPACES).create({ metadata: { name: NS } });
  });
  after(async () => {
    await env?.cleanup();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const works = () => admin.resource<Work>(WORKS);
  const createWork = (name: string) => works().create({ apiVersion: 'work.karmada.io/v1alpha1', kind: 'Work', metadata: { name, namespace: NS }, spec: { workload: { manifests: [] } } });
  const statusOf = async (name: string) => (await works().get(name, { namespace: NS })).status;

  /** Runs the outbox until it has nothing pending (or fails after the timeout). */
  async function drain(outbox: StatusOutbox, what: string, timeoutMs = 20_000): Promise<void> {
    const stop = new AbortController();
    const running = outbox.run(stop.signal);
    try {
      await eventually(what, () => outbox.pending() === 0, timeoutMs);
    } finally {
      stop.abort();
      await running;
    }
  }

  test('coalesces: 10 writes become 1 delivery with the newest value of each status key', async () => {
    const work = await createWork('coalesce');
    const store = AgentStore.open({ dataDir: dataDir() });
    const client = env.client();
    const spy = spyOnPatches(client);
    const outbox = new StatusOutbox({ store, client });
    for (let i = 1; i <= 9; i++) assert.equal(await outbox.write(work, { manifestStatuses: manifest(i) }), true);
    await outbox.write(work, { conditions: [applied('newest')] });
    assert.equal(outbox.pending(), 1);
    await drain(outbox, 'delivery');
    assert.equal(spy.calls.length, 1);
    const status = await statusOf('coalesce');
    assert.equal(status?.conditions?.[0]?.message, 'newest');
    assert.deepEqual(status?.manifestStatuses?.[0]?.status, { replicas: 9 });
    // after a delivery the next write is a new report
    await outbox.write(work, { manifestStatuses: null });
    await drain(outbox, 'second delivery');
    assert.equal(spy.calls.length, 2);
    assert.equal((await statusOf('coalesce'))?.manifestStatuses, undefined, 'null removes manifestStatuses');
    store.close();
  });

  test('survives a restart: reports written before close are delivered by a new outbox on the reopened store', async () => {
    const work = await createWork('durable');
    const dir = dataDir();
    let store = AgentStore.open({ dataDir: dir });
    const first = new StatusOutbox({ store, client: env.client() });
    await first.write(work, { conditions: [applied('before restart')] });
    await first.write(work, { manifestStatuses: manifest(3) });
    store.close();

    store = AgentStore.open({ dataDir: dir });
    const second = new StatusOutbox({ store, client: env.client() });
    assert.equal(second.pending(), 1);
    await drain(second, 'delivery after restart');
    const status = await statusOf('durable');
    assert.equal(status?.conditions?.[0]?.message, 'before restart');
    assert.deepEqual(status?.manifestStatuses?.[0]?.status, { replicas: 3 });
    store.close();
    const reopened = AgentStore.open({ dataDir: dir });
    assert.equal(new StatusOutbox({ store: reopened, client: env.client() }).pending(), 0, 'the delivered row is gone from the store');
    reopened.close();
  });

  test('keeps reports while the control plane is down and delivers them when it is back', async () => {
    const work = await createWork('outage');
    const store = AgentStore.open({ dataDir: dataDir() });
    const client = env.client();
    const spy = spyOnPatches(client);
    const outbox = new StatusOutbox({ store, client, backoff: { initialMs: 50, maxMs: 200 } });
    const stop = new AbortController();
    await env.stop();
    const running = outbox.run(stop.signal);
    try {
      await outbox.write(work, { conditions: [applied('offline 1')] });
      await eventually('failed attempts', () => spy.calls.length >= 2);
      await outbox.write(work, { conditions: [applied('offline 2')] });
      assert.equal(outbox.pending(), 1);
      await env.start();
      await eventually('delivery after the outage', () => outbox.pending() === 0);
    } finally {
      await env.start();
      stop.abort();
      await running;
    }
    assert.equal((await statusOf('outage'))?.conditions?.[0]?.message, 'offline 2');
    store.close();
  });

  test('a report for a Work that was re-created (other uid) is dropped', async () => {
    const old = await createWork('recreated');
    await works().delete('recreated', { namespace: NS });
    await eventually('deleted', async () => !(await works().getOrUndefined('recreated', { namespace: NS })));
    await createWork('recreated');
    const store = AgentStore.open({ dataDir: dataDir() });
    const outbox = new StatusOutbox({ store, client: env.client() });

    // write() tells the Work is gone when the informer knows another incarnation
    const client = env.client();
    const spy = spyOnPatches(client);
    const informer = new Informer<Work>({ client, gvr: WORKS, namespace: NS });
    informer.start();
    try {
      await informer.waitForSync(10_000);
      const withInformer = new StatusOutbox({ store, client, works: informer });
      assert.equal(await withInformer.write(old, { conditions: [applied('for the old incarnation')] }), false);
      assert.equal(withInformer.pending(), 0);
      // a row written before the informer knew of the new incarnation (e.g. by an earlier run)
      await outbox.write(old, { conditions: [applied('for the old incarnation')] });
      const fromStore = new StatusOutbox({ store, client, works: informer });
      assert.equal(fromStore.pending(), 1);
      await drain(fromStore, 'the stale row to be dropped');
      assert.equal(spy.calls.length, 0, 'never sent');
      assert.equal((await statusOf('recreated'))?.conditions, undefined);
    } finally {
      await informer.stop();
    }
    store.close();
  });

  test('a Work that is gone drops its report; other refusals (4xx) drop theirs too', async () => {
    const store = AgentStore.open({ dataDir: dataDir() });
    const outbox = new StatusOutbox({ store, client: env.client() });
    await outbox.write({ metadata: { name: 'never-existed', namespace: NS, uid: 'u1' } } as Work, { conditions: [applied('x')] });
    const work = await createWork('invalid');
    await outbox.write(work, { conditions: [{ type: 'Applied', status: 'Maybe' } as unknown as Condition] });
    await drain(outbox, 'both dropped');
    assert.equal((await statusOf('invalid'))?.conditions, undefined);
    store.close();
  });

  test('a write that races with the delivery of an older value is kept and delivered after it', async () => {
    const work = await createWork('race');
    const store = AgentStore.open({ dataDir: dataDir() });
    const client = env.client();
    const spy = spyOnPatches(client);
    const outbox = new StatusOutbox({ store, client });
    await outbox.write(work, { conditions: [applied('old')] });
    const newer: WorkStatusPatch = { conditions: [applied('new')], manifestStatuses: manifest(2) };
    spy.during = async () => {
      await outbox.write(work, newer);
    };
    await drain(outbox, 'both deliveries');
    assert.equal(spy.calls.length, 2);
    assert.equal((spy.calls[0]!.body.status!.conditions as Condition[])[0]!.message, 'old');
    assert.equal((spy.calls[1]!.body.status!.conditions as Condition[])[0]!.message, 'new');
    const status = await statusOf('race');
    assert.equal(status?.conditions?.[0]?.message, 'new');
    assert.deepEqual(status?.manifestStatuses?.[0]?.status, { replicas: 2 });
    store.close();
  });
});
