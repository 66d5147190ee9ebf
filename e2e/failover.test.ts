// Cluster failover as a user sees it: a Deployment divided over member1/member2; a NoExecute taint on
// member2 (what `karmadactl taint clusters member2 failover=test:NoExecute` writes) moves its replicas to
// member1 through a graceful eviction task, the old Work goes once member1 is healthy, and after the
// taint is removed a WorkloadRebalancer spreads the replicas again.
// Assumes local-up runs the taint manager with --enable-no-execute-taint-eviction on, and the
// gracefulEviction controller (the defaults of karmada local-up).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startLocalUp, type LocalUp } from './framework/localup.js';
import { waitFor } from './framework/process.js';

const WAIT_MS = 90_000;
const BINDING = 'failover-deployment';

type Binding = {
  spec?: { clusters?: { name: string; replicas?: number }[]; gracefulEvictionTasks?: { fromCluster: string; reason: string; producer: string }[] };
  status?: { aggregatedStatus?: { clusterName: string; applied?: boolean; health?: string }[] };
};
type Work = { spec?: { workload?: { manifests?: { kind?: string; metadata?: { name?: string } }[] } } };

const MANIFESTS = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: failover
spec:
  replicas: 4
  selector:
    matchLabels: {app: failover}
  template:
    metadata:
      labels: {app: failover}
    spec:
      containers:
        - name: app
          image: nginx
---
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata:
  name: failover
spec:
  resourceSelectors:
    - apiVersion: apps/v1
      kind: Deployment
      name: failover
  placement:
    clusterAffinity:
      clusterNames: [member1, member2]
    clusterTolerations: []
    replicaScheduling:
      replicaSchedulingType: Divided
      replicaDivisionPreference: Weighted
      weightPreference:
        dynamicWeight: AvailableReplicas
`;

describe('cluster failover on a NoExecute taint', { timeout: 600_000 }, () => {
  let env: LocalUp;

  const getJSON = async <T>(kubectl: LocalUp['kubectl'], args: string[]): Promise<T | undefined> => {
    const r = await kubectl(['get', ...args, '-o', 'json'], { allowFail: true });
    if (r.code !== 0) {
      if (/NotFound|not found/.test(r.stderr)) return undefined;
      throw new Error(`kubectl get ${args.join(' ')}: ${r.stderr}`);
    }
    return JSON.parse(r.stdout) as T;
  };
  const binding = () => getJSON<Binding>(env.kubectl, ['resourcebinding', BINDING]);
  const split = async () => {
    const rb = await binding();
    return JSON.stringify(Object.fromEntries((rb?.spec?.clusters ?? []).filter((c) => (c.replicas ?? 0) > 0).map((c) => [c.name, c.replicas])));
  };
  const memberReplicas = async (member: string) => (await getJSON<{ spec?: { replicas?: number } }>(env.member(member), ['deployment', 'failover']))?.spec?.replicas;
  const until = <T>(what: string, fn: () => Promise<T | undefined | false>) =>
    waitFor(what, fn, WAIT_MS, 250).catch((err: unknown) => {
      throw new Error(`${String(err)}\n--- local-up output (tail) ---\n${env.logs().slice(-4000)}`);
    });

  before(async () => {
    env = await startLocalUp({ members: 2 });
    await env.kubectl(['apply', '-f', '-'], { input: MANIFESTS });
  });
  after(async () => {
    await env?.stop();
  });

  test('replicas are divided 2/2 and run in both members', async () => {
    await until('binding divided 2/2', async () => (await split()) === JSON.stringify({ member1: 2, member2: 2 }));
    await until('member1 runs 2', async () => (await memberReplicas('member1')) === 2);
    await until('member2 runs 2', async () => (await memberReplicas('member2')) === 2);
  });

  test('a NoExecute taint on member2 evicts it gracefully and moves the replicas to member1', async () => {
    await env.kubectl(['patch', 'cluster', 'member2', '--type=merge', '-p', JSON.stringify({ spec: { taints: [{ key: 'failover', value: 'test', effect: 'NoExecute' }] } })]);

    const evicted = await until('member2 removed from the binding', async () => {
      const rb = await binding();
      return rb && !(rb.spec?.clusters ?? []).some((c) => c.name === 'member2') && rb;
    });
    // written together with the removal: seen unless member1 was already healthy and the task done
    const task = evicted.spec?.gracefulEvictionTasks?.find((t) => t.fromCluster === 'member2');
    if (task) {
      assert.equal(task.reason, 'TaintUntolerated');
      assert.equal(task.producer, 'TaintManager');
    }

    await until('binding has 4 replicas on member1', async () => (await split()) === JSON.stringify({ member1: 4 }));
    await until('member1 runs 4', async () => (await memberReplicas('member1')) === 4);
    await until('the graceful eviction task is done', async () => {
      const rb = await binding();
      return rb && !(rb.spec?.gracefulEvictionTasks ?? []).some((t) => t.fromCluster === 'member2');
    });
    await until('the member2 Work is removed', async () => {
      const works = await getJSON<{ items: Work[] }>(env.kubectl, ['works', '-n', 'karmada-es-member2']);
      return !(works?.items ?? []).some((w) => w.spec?.workload?.manifests?.some((m) => m.kind === 'Deployment' && m.metadata?.name === 'failover'));
    });
    await until('member2 no longer runs the Deployment', async () => (await memberReplicas('member2')) === undefined);
    assert.equal(await split(), JSON.stringify({ member1: 4 }));
  });

  test('after the taint is removed, a WorkloadRebalancer divides the replicas 2/2 again', async () => {
    await env.kubectl(['patch', 'cluster', 'member2', '--type=merge', '-p', JSON.stringify({ spec: { taints: null } })]);
    await env.kubectl(['apply', '-f', '-'], {
      input: `apiVersion: apps.karmada.io/v1alpha1
kind: WorkloadRebalancer
metadata:
  name: failback
spec:
  workloads:
    - {apiVersion: apps/v1, kind: Deployment, namespace: default, name: failover}
`,
    });
    await until('binding divided 2/2 again', async () => (await split()) === JSON.stringify({ member1: 2, member2: 2 }));
    await until('member2 runs 2 again', async () => (await memberReplicas('member2')) === 2);
    await until('member1 runs 2 again', async () => (await memberReplicas('member1')) === 2);
  });
});
