// "A member goes down" failover driven by a ClusterTaintPolicy, as a user sees it: member3 (its own
// kube-sim process) joins local-up; a policy taints clusters cluster.karmada.io/not-ready:NoExecute while
// Ready is False/Unknown and untaints them when Ready is True; a Deployment of 6 is divided over the
// three members. Killing member3 turns it not Ready after the failure threshold (30 s), the policy taints
// it, the taint manager evicts it and its replicas move to member1/member2. member3 restarted on the same
// port and data dir (same PKI, so the registered secret still works) turns Ready, the taint goes, and a
// WorkloadRebalancer gives it replicas again.
// Assumes local-up runs the clusterTaintPolicy controller and the taint manager with eviction on.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { startKubeSim, type KubeSimProcess } from './framework/kubesim.js';
import { startLocalUp, type LocalUp } from './framework/localup.js';
import { DIST, kubectlFor, run, tempDir, waitFor } from './framework/process.js';

// failure threshold (30 s) + status period (5 s) + eviction and rescheduling, with room for a loaded machine
const WAIT_MS = 180_000;
const BINDING = 'ctp-deployment';
const TAINT = 'cluster.karmada.io/not-ready:NoExecute';

type Binding = { spec?: { clusters?: { name: string; replicas?: number }[] } };
type Cluster = { spec?: { taints?: { key: string; effect: string }[] }; status?: { conditions?: { type: string; status: string }[] } };

const MANIFESTS = `apiVersion: policy.karmada.io/v1alpha1
kind: ClusterTaintPolicy
metadata:
  name: not-ready-noexecute
spec:
  addOnConditions:
    - conditionType: Ready
      operator: In
      statusValues: ["False", "Unknown"]
  removeOnConditions:
    - conditionType: Ready
      operator: In
      statusValues: ["True"]
  taints:
    - key: cluster.karmada.io/not-ready
      effect: NoExecute
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ctp
spec:
  replicas: 6
  selector:
    matchLabels: {app: ctp}
  template:
    metadata:
      labels: {app: ctp}
    spec:
      containers:
        - name: app
          image: nginx
---
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata:
  name: ctp
spec:
  resourceSelectors:
    - apiVersion: apps/v1
      kind: Deployment
      name: ctp
  placement:
    clusterAffinity:
      clusterNames: [member1, member2, member3]
    clusterTolerations: []
    replicaScheduling:
      replicaSchedulingType: Divided
      replicaDivisionPreference: Weighted
      weightPreference:
        dynamicWeight: AvailableReplicas
`;

describe('ClusterTaintPolicy: a member that goes down is tainted NoExecute and evicted', { timeout: 900_000 }, () => {
  let env: LocalUp;
  let member3: KubeSimProcess | undefined;
  const member3Data = tempDir('ctp-member3');
  let member3Port = 0;

  const startMember3 = () => startKubeSim(['--name', 'member3', '--nodes', '3', '--data-dir', member3Data], member3Port ? { port: member3Port } : {});
  const getJSON = async <T>(kubectl: LocalUp['kubectl'], args: string[]): Promise<T | undefined> => {
    const r = await kubectl(['get', ...args, '-o', 'json'], { allowFail: true });
    if (r.code !== 0) {
      if (/NotFound|not found/.test(r.stderr)) return undefined;
      throw new Error(`kubectl get ${args.join(' ')}: ${r.stderr}`);
    }
    return JSON.parse(r.stdout) as T;
  };
  const split = async (): Promise<Record<string, number>> => {
    const rb = await getJSON<Binding>(env.kubectl, ['resourcebinding', BINDING]);
    return Object.fromEntries((rb?.spec?.clusters ?? []).filter((c) => (c.replicas ?? 0) > 0).map((c) => [c.name, c.replicas!]));
  };
  const cluster = (name: string) => getJSON<Cluster>(env.kubectl, ['cluster', name]);
  const readyOf = (c: Cluster | undefined) => c?.status?.conditions?.find((x) => x.type === 'Ready')?.status;
  const taints = (c: Cluster | undefined) => (c?.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`);
  const member = (name: string) => (name === 'member3' ? kubectlFor(member3!.kubeconfig) : env.member(name));
  const memberReplicas = async (name: string) => (await getJSON<{ spec?: { replicas?: number } }>(member(name), ['deployment', 'ctp']))?.spec?.replicas;
  const until = <T>(what: string, fn: () => Promise<T | undefined | false>) =>
    waitFor(what, fn, WAIT_MS, 500).catch((err: unknown) => {
      throw new Error(`${String(err)}\n--- local-up output (tail) ---\n${env.logs().slice(-4000)}`);
    });

  before(async () => {
    env = await startLocalUp({ members: 2 });
    member3 = await startMember3();
    member3Port = member3.port;
    const join = await run(process.execPath, [path.join(DIST, 'cmd/karmadactl/main.js'), 'join', 'member3', '--kubeconfig', env.karmadaConfig, '--cluster-kubeconfig', member3.kubeconfig]);
    assert.equal(join.code, 0, join.stderr);
    await until('member3 Ready', async () => readyOf(await cluster('member3')) === 'True');
    await env.kubectl(['apply', '-f', '-'], { input: MANIFESTS });
  });
  after(async () => {
    await member3?.stop();
    await env?.stop();
    rmSync(member3Data, { recursive: true, force: true });
  });

  test('the 6 replicas are divided over all three members', async () => {
    const s = await until('binding divided over member1, member2 and member3', async () => {
      const s = await split();
      return Object.keys(s).length === 3 && Object.values(s).reduce((a, b) => a + b, 0) === 6 && s;
    });
    for (const [name, n] of Object.entries(s)) await until(`${name} runs ${n}`, async () => (await memberReplicas(name)) === n);
    assert.ok(!taints(await cluster('member3')).includes(TAINT), 'a Ready member is not tainted');
  });

  test('member3 stops: not Ready, tainted NoExecute by the policy, and its replicas move to member1/member2', async () => {
    await member3!.stop();
    const down = await until('member3 not Ready and tainted by the policy', async () => {
      const c = await cluster('member3');
      return readyOf(c) !== 'True' && taints(c).includes(TAINT) && c;
    });
    assert.ok(['False', 'Unknown'].includes(readyOf(down) ?? ''), `Ready is ${readyOf(down)}`);

    const s = await until('binding has all 6 replicas on member1/member2', async () => {
      const s = await split();
      return !('member3' in s) && (s.member1 ?? 0) + (s.member2 ?? 0) === 6 && s;
    });
    for (const name of ['member1', 'member2']) {
      const want = s[name];
      if (want) await until(`${name} runs ${want}`, async () => (await memberReplicas(name)) === want);
    }
    assert.equal(readyOf(await cluster('member1')), 'True', 'member1 is unaffected');
    assert.ok(!taints(await cluster('member1')).includes(TAINT), 'member1 is not tainted');
  });

  test('member3 restarts on the same port and data dir: Ready, untainted, and a WorkloadRebalancer gives it replicas', async () => {
    member3 = await startMember3();
    assert.equal(member3.port, member3Port);
    await until('member3 Ready without the NoExecute taint', async () => {
      const c = await cluster('member3');
      return readyOf(c) === 'True' && !taints(c).includes(TAINT);
    });

    await env.kubectl(['apply', '-f', '-'], {
      input: `apiVersion: apps.karmada.io/v1alpha1
kind: WorkloadRebalancer
metadata:
  name: ctp-failback
spec:
  workloads:
    - {apiVersion: apps/v1, kind: Deployment, namespace: default, name: ctp}
`,
    });
    const s = await until('binding gives member3 replicas again', async () => {
      const s = await split();
      return (s.member3 ?? 0) > 0 && Object.values(s).reduce((a, b) => a + b, 0) === 6 && s;
    });
    await until(`member3 runs ${s.member3}`, async () => (await memberReplicas('member3')) === s.member3);
  });
});
