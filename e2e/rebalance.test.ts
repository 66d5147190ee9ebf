// Scheduler inertia and WorkloadRebalancer, as a user sees them: Deployments divided over two members stay
// put when a third member joins, and a WorkloadRebalancer asks for a fresh division over all three.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startKubeSim, type KubeSimProcess } from './framework/kubesim.js';
import { startLocalUp, type LocalUp } from './framework/localup.js';
import { DIST, kubectlFor, run, waitFor } from './framework/process.js';

const WAIT_MS = 90_000;

type Obj = {
  metadata?: { generation?: number };
  spec?: { clusters?: { name: string; replicas: number }[]; replicas?: number };
  status?: Record<string, unknown> & { conditions?: { type: string; status: string }[] };
};

function deployment(name: string, replicas: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
        - name: app
          image: nginx
`;
}

function policy(name: string, replicaScheduling: string): string {
  return `apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata:
  name: ${name}
spec:
  resourceSelectors:
    - apiVersion: apps/v1
      kind: Deployment
      name: ${name}
  placement:
    replicaScheduling:
${replicaScheduling}
`;
}

const DYNAMIC = `      replicaSchedulingType: Divided
      replicaDivisionPreference: Weighted
      weightPreference:
        dynamicWeight: AvailableReplicas`;
const STATIC = `      replicaSchedulingType: Divided
      replicaDivisionPreference: Weighted
      weightPreference:
        staticWeightList:
          - targetCluster:
              clusterNames: [member1, member2, member3]
            weight: 1`;
const AGGREGATED = `      replicaSchedulingType: Divided
      replicaDivisionPreference: Aggregated`;

describe('scheduler inertia and WorkloadRebalancer', { timeout: 600_000 }, () => {
  let env: LocalUp;
  let member3: KubeSimProcess | undefined;

  const get = async (args: string[]): Promise<Obj | undefined> => {
    const r = await env.kubectl(['get', ...args, '-o', 'json'], { allowFail: true });
    if (r.code !== 0) {
      if (/NotFound|not found/.test(r.stderr)) return undefined;
      throw new Error(`kubectl get ${args.join(' ')}: ${r.stderr}`);
    }
    return JSON.parse(r.stdout) as Obj;
  };
  const split = async (binding: string) => {
    const rb = await get(['resourcebinding', binding]);
    return Object.fromEntries((rb?.spec?.clusters ?? []).filter((c) => c.replicas > 0).map((c) => [c.name, c.replicas]));
  };
  const until = <T>(what: string, fn: () => Promise<T | undefined | false>) =>
    waitFor(what, fn, WAIT_MS, 250).catch((err: unknown) => {
      throw new Error(`${String(err)}\n--- local-up output (tail) ---\n${env.logs().slice(-3000)}`);
    });
  const total = (s: Record<string, number>) => Object.values(s).reduce((a, b) => a + b, 0);

  before(async () => {
    env = await startLocalUp({ members: 2 });
    for (const [name, strategy] of [
      ['dynamic', DYNAMIC],
      ['static', STATIC],
      ['aggregated', AGGREGATED],
    ] as const) {
      await env.kubectl(['apply', '-f', '-'], { input: `${deployment(name, 6)}---\n${policy(name, strategy)}` });
    }
  });
  after(async () => {
    await member3?.stop();
    await env?.stop();
  });

  test('before member3 joins, replicas are divided over member1 and member2', async () => {
    await until('dynamic divided 3/3', async () => JSON.stringify(await split('dynamic-deployment')) === JSON.stringify({ member1: 3, member2: 3 }));
    await until('static divided 3/3', async () => JSON.stringify(await split('static-deployment')) === JSON.stringify({ member1: 3, member2: 3 }));
    const agg = await until('aggregated on one cluster', async () => {
      const s = await split('aggregated-deployment');
      return total(s) === 6 && s;
    });
    assert.equal(Object.keys(agg).length, 1, `Aggregated uses the fewest clusters: ${JSON.stringify(agg)}`);
  });

  test('member3 joins: nothing moves (scheduler inertia)', async () => {
    member3 = await startKubeSim(['--name', 'member3', '--nodes', '3']);
    const join = await run(process.execPath, [path.join(DIST, 'cmd/karmadactl/main.js'), 'join', 'member3', '--kubeconfig', env.karmadaConfig, '--cluster-kubeconfig', member3.kubeconfig]);
    assert.equal(join.code, 0, join.stderr);
    await until('member3 Ready with a resource summary', async () => {
      const c = await get(['cluster', 'member3']);
      return c?.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') && !!c.status.resourceSummary;
    });
    // give the scheduler time to react to the new cluster, if it (wrongly) would
    await new Promise((r) => setTimeout(r, 3000));
    assert.deepEqual(await split('dynamic-deployment'), { member1: 3, member2: 3 });
    assert.deepEqual(await split('static-deployment'), { member1: 3, member2: 3 });
  });

  test('a WorkloadRebalancer re-divides the replicas over three members', async () => {
    await env.kubectl(['apply', '-f', '-'], {
      input: `apiVersion: apps.karmada.io/v1alpha1
kind: WorkloadRebalancer
metadata:
  name: rebalance
spec:
  workloads:
    - {apiVersion: apps/v1, kind: Deployment, namespace: default, name: dynamic}
    - {apiVersion: apps/v1, kind: Deployment, namespace: default, name: static}
    - {apiVersion: apps/v1, kind: Deployment, namespace: default, name: aggregated}
    - {apiVersion: apps/v1, kind: Deployment, namespace: default, name: missing}
`,
    });
    await until('dynamic re-divided 2/2/2', async () => JSON.stringify(await split('dynamic-deployment')) === JSON.stringify({ member1: 2, member2: 2, member3: 2 }));
    await until('static re-divided 2/2/2', async () => JSON.stringify(await split('static-deployment')) === JSON.stringify({ member1: 2, member2: 2, member3: 2 }));
    const agg = await split('aggregated-deployment');
    assert.equal(total(agg), 6);
    assert.equal(Object.keys(agg).length, 1, `still aggregated on one cluster after the fresh schedule: ${JSON.stringify(agg)}`);

    const wr = (await until('rebalancer finished', async () => {
      const r = await get(['workloadrebalancer', 'rebalance']);
      return r?.status?.finishTime ? r : undefined;
    })) as { status: { observedWorkloads: { workload: { name: string }; result: string; reason?: string }[] } };
    assert.deepEqual(
      wr.status.observedWorkloads.map((o) => [o.workload.name, o.result, o.reason ?? '']),
      [
        ['aggregated', 'Successful', ''],
        ['dynamic', 'Successful', ''],
        ['missing', 'Failed', 'ReferencedBindingNotFound'],
        ['static', 'Successful', ''],
      ],
    );
    await until('member3 runs 2 replicas of dynamic', async () => {
      const r = await kubectlFor(member3!.kubeconfig)(['get', 'deploy', 'dynamic', '-o', 'jsonpath={.spec.replicas}'], { allowFail: true });
      return r.stdout.trim() === '2';
    });
  });
});
