import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectClient } from './client.js';
import { LEASES, NAMESPACES } from './gvr.js';
import { LeaderElector, type Lease } from './leaderelection.js';
import { startTestApiServer, type TestApiServer } from './testenv.js';

async function until(what: string, fn: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const fast = { leaseDurationMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 200 };

describe('LeaderElector', () => {
  let env: TestApiServer;
  let client: ObjectClient;
  before(async () => {
    env = await startTestApiServer();
    client = env.client();
    await client.resource(NAMESPACES).create({ metadata: { name: 'karmada-system' } });
  });
  after(async () => {
    await env?.cleanup();
  });

  test('one leader at a time; a released lease is taken over at once', async () => {
    const leading = new Set<string>();
    const mk = (id: string) =>
      new LeaderElector({
        client,
        namespace: 'karmada-system',
        name: 'le-release',
        identity: id,
        ...fast,
        onStartedLeading: () => void leading.add(id),
        onStoppedLeading: () => void leading.delete(id),
      });
    const a = mk('a');
    const b = mk('b');
    const ca = new AbortController();
    const cb = new AbortController();
    const ra = a.run(ca.signal);
    await until('a leads', () => leading.has('a'));
    const rb = b.run(cb.signal);
    await new Promise((r) => setTimeout(r, 2500)); // longer than the lease: a keeps renewing
    assert.deepEqual([...leading], ['a']);
    assert.equal(b.getLeader(), 'a');
    const lease = await client.resource<Lease>(LEASES).get('le-release', { namespace: 'karmada-system' });
    assert.equal(lease.spec?.holderIdentity, 'a');
    assert.equal(lease.spec?.leaseDurationSeconds, 2);
    assert.match(lease.spec?.renewTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const released = Date.now();
    ca.abort();
    await ra;
    await until('b leads', () => leading.has('b'));
    assert.ok(Date.now() - released < 1200, 'took over without waiting for the lease to expire');
    assert.ok(!leading.has('a'));
    cb.abort();
    await rb;
  });

  test('a crashed leader (no release) is replaced after the lease duration', async () => {
    const leading = new Set<string>();
    const mk = (id: string) =>
      new LeaderElector({
        client,
        namespace: 'karmada-system',
        name: 'le-crash',
        identity: id,
        ...fast,
        releaseOnCancel: false,
        onStartedLeading: () => void leading.add(id),
        onStoppedLeading: () => void leading.delete(id),
      });
    const a = mk('a');
    const b = mk('b');
    const ca = new AbortController();
    const cb = new AbortController();
    const ra = a.run(ca.signal);
    await until('a leads', () => leading.has('a'));
    const rb = b.run(cb.signal);
    await new Promise((r) => setTimeout(r, 300));
    const crashed = Date.now();
    ca.abort();
    await ra;
    await until('b leads', () => leading.has('b'));
    assert.ok(Date.now() - crashed >= 1000, 'waited for the lease to expire');
    const lease = await client.resource<Lease>(LEASES).get('le-crash', { namespace: 'karmada-system' });
    assert.equal(lease.spec?.holderIdentity, 'b');
    assert.equal(lease.spec?.leaseTransitions, 1);
    cb.abort();
    await rb;
  });

  test('leadership is given up when the lease cannot be renewed', async () => {
    let stopped = false;
    const le = new LeaderElector({
      client,
      namespace: 'karmada-system',
      name: 'le-lost',
      identity: 'solo',
      ...fast,
      onStartedLeading: () => undefined,
      onStoppedLeading: () => void (stopped = true),
    });
    const c = new AbortController();
    const r = le.run(c.signal);
    await until('leading', () => le.isLeader());
    // someone else grabs the lease behind our back
    const leases = client.resource<Lease>(LEASES);
    const cur = await leases.get('le-lost', { namespace: 'karmada-system' });
    await leases.update({ ...cur, spec: { ...cur.spec, holderIdentity: 'thief', leaseDurationSeconds: 60 } });
    await r;
    assert.equal(stopped, true);
    assert.equal(le.isLeader(), false);
    c.abort();
  });
});
