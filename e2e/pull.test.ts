// Pull mode as a user runs it: `karmadactl token create --print-register-command`, the printed
// `karmadactl register` brings a kube-sim member3 in, and a karmada-agent process beside it connects out
// to the control plane through a loopback TCP proxy that the test cuts. While the link is down the agent
// is killed -9 and restarted, and keeps member3 right from its local store; after the link returns the
// member converges to the latest desired state and every template's status matches the member, with
// nothing lost or duplicated. Then the same after a control-plane restart, and a KubeEdge Device whose
// simulated twin state comes back onto the template.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startAgent, type AgentProcess } from './framework/agent.js';
import { startKubeSim, type KubeSimProcess } from './framework/kubesim.js';
import { startLocalUp, type LocalUp } from './framework/localup.js';
import { DIST, kubectlFor, REPO_ROOT, run, tempDir, waitFor } from './framework/process.js';
import { TcpProxy } from './framework/tcpproxy.js';

const WAIT_MS = 120_000;
const CUT_MS = 60_000;
const KARMADACTL = path.join(DIST, 'cmd/karmadactl/main.js');

interface Deploy {
  metadata?: { name?: string; namespace?: string };
  spec?: { replicas?: number; template?: { spec?: { containers?: { image?: string }[] } } };
  status?: { replicas?: number; readyReplicas?: number; availableReplicas?: number };
}

const deployment = (name: string, replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels: {app: ${name}}
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
---
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata:
  name: ${name}
spec:
  resourceSelectors:
    - {apiVersion: apps/v1, kind: Deployment, name: ${name}}
  placement:
    clusterAffinity:
      clusterNames: [member3]
`;

describe('pull mode: register, karmada-agent and edge autonomy', { timeout: 900_000 }, () => {
  let env: LocalUp;
  let sim: KubeSimProcess;
  let proxy: TcpProxy | undefined;
  let agent: AgentProcess | undefined;
  let member3: ReturnType<typeof kubectlFor>;
  const work = tempDir('pull-e2e');
  const agentConfig = path.join(work, 'karmada-agent.config');

  const logs = () =>
    `\n--- local-up (tail) ---\n${env.logs().slice(-3000)}\n--- karmada-agent (tail) ---\n${agent?.logs().slice(-5000) ?? ''}`;
  const until = <T>(what: string, fn: () => Promise<T | undefined | false>, ms = WAIT_MS) =>
    waitFor(what, fn, ms, 300).catch((err: unknown) => {
      throw new Error(`${String(err)}${logs()}`);
    });
  const getJSON = async <T>(kubectl: ReturnType<typeof kubectlFor>, args: string[]): Promise<T | undefined> => {
    const r = await kubectl(['get', ...args, '-o', 'json'], { allowFail: true });
    if (r.code !== 0) {
      if (/NotFound|not found/.test(r.stderr)) return undefined;
      throw new Error(`kubectl get ${args.join(' ')}: ${r.stderr}`);
    }
    return JSON.parse(r.stdout) as T;
  };
  const memberDeployments = async () =>
    ((await getJSON<{ items: Deploy[] }>(member3, ['deployments', '-n', 'default']))?.items ?? []).map((d) => d.metadata!.name!).sort();
  const template = (name: string) => getJSON<Deploy>(env.kubectl, ['deployment', name]);
  const inMember = (name: string) => getJSON<Deploy>(member3, ['deployment', name]);

  /** The member runs exactly `want` (name → replicas), all ready, and each template's status says so. */
  const converged = async (want: Record<string, number>) => {
    const names = Object.keys(want).sort();
    await until(`member3 runs exactly ${names.join(', ')}`, async () => JSON.stringify(await memberDeployments()) === JSON.stringify(names));
    for (const [name, replicas] of Object.entries(want)) {
      await until(`${name}: ${replicas} ready replicas in member3 and on the template`, async () => {
        const [m, t] = [await inMember(name), await template(name)];
        return (
          m?.spec?.replicas === replicas &&
          m.status?.readyReplicas === replicas &&
          t?.status?.readyReplicas === m.status.readyReplicas &&
          t.status?.replicas === m.status.replicas
        );
      });
    }
  };

  before(async () => {
    env = await startLocalUp({ members: 1 });
    sim = await startKubeSim(['--name', 'member3', '--nodes', '2', '--edge-nodes', '2']);
    member3 = kubectlFor(sim.kubeconfig);
  });
  after(async () => {
    await agent?.stop();
    await proxy?.close();
    await sim?.stop();
    await env?.stop();
  });

  test('the printed register command brings member3 in as a Pull cluster run by its agent', async () => {
    const tok = await run(process.execPath, [KARMADACTL, '--kubeconfig', env.karmadaConfig, 'token', 'create', '--print-register-command']);
    assert.equal(tok.code, 0, tok.stderr);
    const line = tok.stdout.split('\n').find((l) => l.startsWith('karmadactl register '));
    assert.ok(line, `no register command printed:\n${tok.stdout}`);
    assert.match(line, /--token [a-z0-9]{6}\.[a-z0-9]{16} --discovery-token-ca-cert-hash sha256:[0-9a-f]{64}/);

    const args = line.split(/\s+/).slice(1);
    const reg = await run(process.execPath, [KARMADACTL, ...args, '--cluster-name', 'member3', '--kubeconfig', sim.kubeconfig, '--agent-kubeconfig-out', agentConfig], {
      timeoutMs: 120_000,
    });
    assert.equal(reg.code, 0, `${reg.stderr}${reg.stdout}`);
    // the member got what runs the agent in a real cluster
    await member3(['get', 'deployment', 'karmada-agent', '-n', 'karmada-system']);
    await member3(['get', 'secret', 'karmada-kubeconfig', '-n', 'karmada-system']);

    // the agent reaches the control plane through the proxy the test cuts
    proxy = await TcpProxy.start({ port: env.port });
    writeFileSync(agentConfig, readFileSync(agentConfig, 'utf8').replace(new RegExp(`127\\.0\\.0\\.1:${env.port}\\b`, 'g'), `127.0.0.1:${proxy.port}`));
    agent = startAgent({ karmadaKubeconfig: agentConfig, clusterName: 'member3', memberKubeconfig: sim.kubeconfig, dataDir: path.join(work, 'agent') });

    const cluster = await until('Cluster member3 Ready in Pull mode', async () => {
      const c = await getJSON<{ spec?: { syncMode?: string }; status?: { conditions?: { type: string; status: string }[] } }>(env.kubectl, ['cluster', 'member3']);
      return c?.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') && c;
    });
    assert.equal(cluster.spec?.syncMode, 'Pull');
  });

  test('the agent applies a propagated Deployment and its status returns to the template', async () => {
    await env.kubectl(['apply', '-f', '-'], { input: deployment('pull-a', 2) });
    await converged({ 'pull-a': 2 });
  });

  test('through a 60 s link cut and an agent kill -9 the member converges and no status is lost', async () => {
    await env.kubectl(['apply', '-f', '-'], { input: deployment('pull-b', 1) + '---\n' + deployment('pull-c', 1) });
    await converged({ 'pull-a': 2, 'pull-b': 1, 'pull-c': 1 });

    proxy!.cut('blackhole');
    const cutAt = Date.now();
    // the desired state changes while the agent cannot see it
    await env.kubectl(['scale', 'deployment', 'pull-b', '--replicas', '3']);
    await env.kubectl(['delete', 'deployment', 'pull-c']);
    await env.kubectl(['apply', '-f', '-'], { input: deployment('pull-d', 2) });

    // the agent dies hard and comes back while still cut off: it works from its local store
    await agent!.kill9();
    await member3(['delete', 'deployment', 'pull-a', '--wait=false']);
    agent!.start();
    await until('the restarted agent, still cut off, recreates pull-a from its store', async () => (await inMember('pull-a'))?.spec?.replicas === 2);

    const left = CUT_MS - (Date.now() - cutAt);
    if (left > 0) await new Promise((r) => setTimeout(r, left));
    proxy!.restore();
    await converged({ 'pull-a': 2, 'pull-b': 3, 'pull-d': 2 });
  });

  test('after a control-plane restart the agent reconnects and keeps converging', async () => {
    await env.restart();
    await env.kubectl(['scale', 'deployment', 'pull-b', '--replicas', '1']);
    await env.kubectl(['apply', '-f', '-'], { input: deployment('pull-e', 1) });
    await converged({ 'pull-a': 2, 'pull-b': 1, 'pull-d': 2, 'pull-e': 1 });
  });

  test('a KubeEdge Device propagated to the edge member shows its twin state on the template', async () => {
    const edge = path.join(REPO_ROOT, 'samples/edge');
    await env.kubectl(['apply', '-f', path.join(edge, 'crds.yaml')]);
    await until('the Device CRD is served by the control plane', async () => (await env.kubectl(['get', 'devices'], { allowFail: true })).code === 0);
    await env.kubectl(['apply', '-f', edge]);
    type Device = { spec?: { properties?: { name: string; desired?: { value?: string } }[] }; status?: { state?: string; twins?: { propertyName: string; reported?: { value?: string } }[] } };
    const dev = await until('the Device template shows the reported twins', async () => {
      const list = await getJSON<{ items: Device[] }>(env.kubectl, ['devices', '-A']);
      const d = list?.items?.[0];
      const prop = d?.spec?.properties?.[0];
      const twin = d?.status?.twins?.find((t) => t.propertyName === prop?.name);
      return d?.status?.state === 'online' && twin?.reported?.value !== undefined && twin.reported.value === prop?.desired?.value && d;
    });
    assert.ok(dev.status?.twins?.length);
  });
});
