// Propagation as a user sees it: `karmada local-up` (control plane, scheduler, two kube-sim members) and
// real kubectl applying the samples. Each scenario checks the members and the templates, not internals.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startLocalUp, type LocalUp } from './framework/localup.js';
import { REPO_ROOT, waitFor } from './framework/process.js';

const SAMPLES = path.join(REPO_ROOT, 'samples');
const WAIT_MS = 90_000;

type Obj = {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; generation?: number };
  spec?: Record<string, unknown> & { replicas?: number; template?: { spec?: { containers?: { image?: string }[] } } };
  status?: Record<string, unknown> & { conditions?: { type: string; status: string; message?: string }[] };
};

describe('propagation with kubectl', { timeout: 600_000 }, () => {
  let env: LocalUp;

  /** The object as JSON, or undefined when kubectl says it is not there. */
  const getIn = async (kubectl: LocalUp['kubectl'], args: string[]): Promise<Obj | undefined> => {
    const r = await kubectl(['get', ...args, '-o', 'json'], { allowFail: true });
    if (r.code !== 0) {
      if (/NotFound|not found|the server doesn't have a resource type/.test(r.stderr)) return undefined;
      throw new Error(`kubectl get ${args.join(' ')}: ${r.stderr}`);
    }
    return JSON.parse(r.stdout) as Obj;
  };
  const karmada = (args: string[]) => getIn(env.kubectl, args);
  const member = (name: string, args: string[]) => getIn(env.member(name), args);
  const until = <T>(what: string, fn: () => Promise<T | undefined | false>) =>
    waitFor(what, fn, WAIT_MS, 250).catch((err: unknown) => {
      throw new Error(`${String(err)}\n--- local-up output (tail) ---\n${env.logs().slice(-4000)}`);
    });

  before(async () => {
    env = await startLocalUp({ members: 2 });
  });
  after(async () => {
    await env?.stop();
  });

  test('samples/nginx: static weights, overrides in member1, status summed on the template', async () => {
    await env.kubectl(['apply', '-f', path.join(SAMPLES, 'nginx')]);

    const m1 = await until('nginx in member1 with the override', async () => {
      const d = await member('member1', ['deployment', 'nginx']);
      return d?.metadata?.labels?.env === 'member1' && d.spec?.replicas === 1 && d;
    });
    assert.match(m1.spec!.template!.spec!.containers![0]!.image!, /^registry\.example\.com\/(library\/)?nginx/);
    assert.equal(m1.metadata!.labels!['karmada.io/managed'], 'true');

    const m2 = await until('nginx in member2', async () => {
      const d = await member('member2', ['deployment', 'nginx']);
      return d?.spec?.replicas === 1 && d;
    });
    assert.equal(m2.metadata!.labels!.env, undefined, 'the override targets member1 only');
    assert.equal(m2.spec!.template!.spec!.containers![0]!.image, 'nginx');

    const template = await until('the template status summed from both members', async () => {
      const d = await karmada(['deployment', 'nginx']);
      return d?.status?.readyReplicas === 2 && d.status.replicas === 2 && d.status.observedGeneration === d.metadata?.generation && d;
    });
    assert.ok(template.metadata!.labels!['propagationpolicy.karmada.io/permanent-id'], 'template claimed by the policy');
    assert.equal(template.metadata!.annotations!['propagationpolicy.karmada.io/name'], 'nginx-propagation');

    const rb = await until('the binding FullyApplied', async () => {
      const b = await karmada(['resourcebinding', 'nginx-deployment']);
      return b?.status?.conditions?.some((c) => c.type === 'FullyApplied' && c.status === 'True') && b;
    });
    assert.ok(rb.status!.conditions!.some((c) => c.type === 'Scheduled' && c.status === 'True'));
    const clusters = (rb.spec!.clusters as { name: string; replicas: number }[]).map((c) => `${c.name}=${c.replicas}`).sort();
    assert.deepEqual(clusters, ['member1=1', 'member2=1']);
  });

  test('a member object edited or deleted by hand is restored', async () => {
    await env.member('member1')(['scale', 'deployment', 'nginx', '--replicas=5']);
    await until('member1 nginx back to 1 replica', async () => (await member('member1', ['deployment', 'nginx']))?.spec?.replicas === 1);

    await env.member('member2')(['delete', 'deployment', 'nginx', '--wait=false']);
    await until('member2 nginx recreated', async () => (await member('member2', ['deployment', 'nginx']))?.spec?.replicas === 1);
  });

  test('a Lua ResourceInterpreterCustomization drives replicas and status of a CRD kind', async () => {
    await env.kubectl(['apply', '-f', path.join(SAMPLES, 'workload', 'crd.yaml')]);
    await env.kubectl(['apply', '-f', path.join(SAMPLES, 'workload', 'interpreter.yaml')]);
    for (const m of ['member1', 'member2']) {
      await until(`the Workload CRD in ${m}`, async () => !!(await member(m, ['crd', 'workloads.apps.example.io'])));
      // as in Karmada, the scheduler's APIEnablement filter only places a kind on clusters reporting it
      await until(`${m} reporting the Workload API`, async () => {
        const c = await karmada(['cluster', m]);
        const apis = (c?.status?.apiEnablements ?? []) as { groupVersion: string; resources?: { kind: string }[] }[];
        return apis.some((a) => a.groupVersion === 'apps.example.io/v1alpha1' && a.resources?.some((r) => r.kind === 'Workload'));
      });
    }
    await until('the Workload kind served by karmada', async () => (await env.kubectl(['get', 'workloads'], { allowFail: true })).code === 0);
    await env.kubectl(['apply', '-f', path.join(SAMPLES, 'workload', 'workload.yaml')]);

    for (const m of ['member1', 'member2']) {
      await until(`Workload in ${m} with 2 of 4 replicas (ReviseReplica)`, async () => (await member(m, ['workload', 'sample']))?.spec?.replicas === 2);
      // nothing runs Workloads in kube-sim: report readiness as a controller in the member would
      await env.member(m)(['patch', 'workload', 'sample', '--subresource=status', '--type=merge', '-p', '{"status":{"readyReplicas":2}}']);
    }
    await until('template readyReplicas aggregated by AggregateStatus', async () => (await karmada(['workload', 'sample']))?.status?.readyReplicas === 4);
    const rb = await until('binding reports both members healthy', async () => {
      const b = await karmada(['resourcebinding', 'sample-workload']);
      const items = (b?.status?.aggregatedStatus ?? []) as { clusterName: string; health?: string }[];
      return items.length === 2 && items.every((i) => i.health === 'Healthy') && b;
    });
    assert.equal(rb.spec!.replicas, 4, 'GetReplicas read spec.replicas');
  });

  test('samples/guestbook: CRD + ClusterPropagationPolicy + plaintext override', async () => {
    const g = path.join(SAMPLES, 'guestbook');
    await env.kubectl(['apply', '-f', path.join(g, 'guestbooks-crd.yaml'), '-f', path.join(g, 'guestbooks-clusterpropagationpolicy.yaml')]);
    await until('the Guestbook CRD in member1', async () => !!(await member('member1', ['crd', 'guestbooks.webapp.my.domain'])));
    assert.equal(await member('member2', ['crd', 'guestbooks.webapp.my.domain']), undefined, 'the policy selects member1 only');
    await until('the Guestbook kind served by karmada', async () => (await env.kubectl(['get', 'guestbooks'], { allowFail: true })).code === 0);
    await env.kubectl(['apply', '-f', path.join(g, 'guestbook.yaml'), '-f', path.join(g, 'guestbook-propagationpolicy.yaml'), '-f', path.join(g, 'guestbook-overridepolicy.yaml')]);
    const gb = await until('guestbook in member1 overridden', async () => {
      const o = await member('member1', ['guestbook', 'guestbook-sample']);
      return o?.spec?.size === 4 && o;
    });
    assert.equal(gb.metadata!.annotations!.foo, 'bar');
    assert.equal((await karmada(['guestbook', 'guestbook-sample']))!.spec!.size, 2, 'the template is not changed');
  });

  test('template deleted: gone from the members', async () => {
    await env.kubectl(['delete', 'guestbook', 'guestbook-sample']);
    await until('guestbook removed from member1', async () => (await member('member1', ['guestbook', 'guestbook-sample'])) === undefined);
  });

  test('policy deleted: the template is unclaimed', async () => {
    await env.kubectl(['delete', 'propagationpolicy', 'nginx-propagation']);
    await until('nginx-propagation gone', async () => (await karmada(['propagationpolicy', 'nginx-propagation'])) === undefined);
    const d = await until('nginx template unclaimed', async () => {
      const t = await karmada(['deployment', 'nginx']);
      return t && !t.metadata?.labels?.['propagationpolicy.karmada.io/permanent-id'] && t;
    });
    assert.equal(d.metadata?.annotations?.['propagationpolicy.karmada.io/name'], undefined);
  });
});
