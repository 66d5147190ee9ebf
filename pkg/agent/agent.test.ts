// karmada-agent end to end in one process: an in-process karmada-apiserver (admin credentials for the
// agent; agent RBAC is registration's business) and a kube-sim member the agent reaches through its own
// kubeconfig. Registration, lease, cluster status, apply, status, drift repair and deletion; then the
// same agent restarted from its store while the control plane is down.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { Cluster } from '../apis/cluster/v1alpha1/index.js';
import type { Work } from '../apis/work/v1alpha1/index.js';
import { FakeInterpreter, newWork } from '../controllers/execution/testing.js';
import type { ObjectClient } from '../runtime/client.js';
import { gvr, LEASES, NAMESPACES } from '../runtime/gvr.js';
import type { Lease } from '../runtime/leaderelection.js';
import { isAlreadyExists, RestClient } from '../runtime/rest.js';
import { eventually, startTestApiServer, type TestApiServer } from '../runtime/testenv.js';
import type { KubeObject } from '../runtime/types.js';
import { SimCluster } from '../sim/cluster.js';
import { ObjectClient as Client } from '../runtime/client.js';
import { CLUSTERS, ensureClusterAPI, WORKS } from '../util/clusterapi.js';
import { runAgent, type AgentOptions } from './agent.js';

const DEPLOYMENTS = gvr('apps', 'v1', 'deployments');
const CLUSTER = 'member1';
const ES = `karmada-es-${CLUSTER}`;

function deployment(name: string, replicas: number): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: 'nginx:1.27' }] } } },
  };
}

const cond = (w: { status?: { conditions?: { type: string; status: string; reason?: string }[] } } | undefined, type: string) => w?.status?.conditions?.find((c) => c.type === type);

async function ensureNamespace(c: ObjectClient, name: string): Promise<void> {
  try {
    await c.resource(NAMESPACES).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}

describe('karmada-agent', () => {
  let cp: TestApiServer;
  let karmada: ObjectClient;
  let sim: SimCluster;
  let member: ObjectClient;
  let dir: string;
  let agentOpts: AgentOptions;
  let stop = new AbortController();
  let running: Promise<void> | undefined;
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

  const startAgent = () => {
    stop = new AbortController();
    running = runAgent(agentOpts, stop.signal);
  };
  const stopAgent = async () => {
    stop.abort();
    await running;
    running = undefined;
  };

  before(async () => {
    cp = await startTestApiServer();
    karmada = cp.client();
    await ensureClusterAPI(karmada);
    await ensureNamespace(karmada, 'karmada-cluster');
    await ensureNamespace(karmada, ES); // the cluster controller's job in a full control plane
    sim = await SimCluster.start({ name: CLUSTER, nodes: 2, port: 0, logger: pino({ level: 'silent' }) });
    dir = mkdtempSync(path.join(os.tmpdir(), 'agent-test-'));
    const memberConfig = path.join(dir, 'member1.config');
    writeFileSync(memberConfig, sim.kubeconfig);
    member = new Client(RestClient.fromFile(memberConfig));
    agentOpts = {
      karmadaKubeconfig: cp.kubeconfig,
      clusterName: CLUSTER,
      memberKubeconfig: memberConfig,
      dataDir: path.join(dir, 'data'),
      provider: 'sim',
      region: 'region-a',
      zones: ['zone-1'],
      clusterStatusUpdateFrequencyMs: 200,
      leaseDurationSeconds: 2,
      leaseRenewIntervalFraction: 0.25,
      logger,
      interpreter: new FakeInterpreter(),
      // what the lead's edge awareness plugs in: nodes with labels in, Cluster labels out
      extraStatus: ({ nodes }) => (nodes ? { labels: { 'test.karmada.io/labelled-nodes': String(nodes.filter((n) => n.metadata?.labels?.['kubernetes.io/hostname']).length) } } : undefined),
    };
    startAgent();
  });

  after(async () => {
    await stopAgent();
    member?.close();
    await sim?.stop();
    await cp?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const works = () => karmada.resource<Work>(WORKS);
  const getWork = (name: string) => works().getOrUndefined(name, { namespace: ES });
  const memberDeploy = (name: string) => member.resource(DEPLOYMENTS).getOrUndefined(name, { namespace: 'default' });

  test('registers a Pull Cluster with the member kube-system UID as id and the member endpoint', async () => {
    const c = await eventually('cluster registered', () => karmada.resource<Cluster>(CLUSTERS).getOrUndefined(CLUSTER));
    const ks = await member.resource(NAMESPACES).get('kube-system');
    assert.equal(c.spec?.syncMode, 'Pull');
    assert.equal(c.spec?.id, ks.metadata?.uid);
    assert.equal(c.spec?.apiEndpoint, sim.url);
    assert.equal(c.spec?.provider, 'sim');
    assert.equal(c.spec?.region, 'region-a');
    assert.deepEqual(c.spec?.zones, ['zone-1']);
  });

  test('renews Lease karmada-cluster/<cluster> owned by the Cluster', async () => {
    const leases = karmada.resource<Lease>(LEASES);
    const first = await eventually('lease created', () => leases.getOrUndefined(CLUSTER, { namespace: 'karmada-cluster' }));
    assert.equal(first.spec?.holderIdentity, CLUSTER);
    assert.equal(first.spec?.leaseDurationSeconds, 2);
    const c = await karmada.resource<Cluster>(CLUSTERS).get(CLUSTER);
    assert.equal(first.metadata?.ownerReferences?.[0]?.uid, c.metadata?.uid);
    await eventually('lease renewed', async () => (await leases.get(CLUSTER, { namespace: 'karmada-cluster' })).spec?.renewTime !== first.spec?.renewTime);
  });

  test('reports cluster status: Ready, version, APIs and the node summary', async () => {
    const c = await eventually('cluster Ready with nodeSummary', async () => {
      const c = await karmada.resource<Cluster>(CLUSTERS).get(CLUSTER);
      return cond(c, 'Ready')?.status === 'True' && c.status?.nodeSummary ? c : undefined;
    });
    assert.deepEqual(c.status?.nodeSummary, { totalNum: 2, readyNum: 2 });
    assert.match(c.status?.kubernetesVersion ?? '', /^v1\./);
    assert.ok(c.status?.apiEnablements?.some((a) => a.groupVersion === 'apps/v1'));
    assert.ok(c.status?.resourceSummary?.allocatable?.cpu);
  });

  test('the cluster status hook sees the member nodes with their labels and labels the Cluster', async () => {
    const c = await eventually('label from the hook', async () => {
      const c = await karmada.resource<Cluster>(CLUSTERS).get(CLUSTER);
      return c.metadata?.labels?.['test.karmada.io/labelled-nodes'] ? c : undefined;
    });
    assert.equal(c.metadata?.labels?.['test.karmada.io/labelled-nodes'], '2');
  });

  test('a Work in karmada-es-<cluster> is applied to the member; Applied=True and manifestStatuses come back', async () => {
    await works().create(newWork(CLUSTER, 'nginx-work', [deployment('nginx', 2)]));
    const d = await eventually('deployment in the member', () => memberDeploy('nginx'));
    assert.equal(d.metadata?.labels?.['karmada.io/managed'], 'true');
    assert.equal((d.spec as { replicas: number }).replicas, 2);
    const w = await eventually('Applied=True and a healthy manifest status', async () => {
      const w = await getWork('nginx-work');
      const s = w?.status?.manifestStatuses?.[0];
      return cond(w, 'Applied')?.status === 'True' && s?.health === 'Healthy' && (s.status as { readyReplicas?: number })?.readyReplicas === 2 ? w : undefined;
    });
    assert.equal(w.status?.manifestStatuses?.length, 1);
    assert.equal(w.status?.manifestStatuses?.[0]?.identifier.name, 'nginx');
  });

  test('a hand edit of the member object is repaired', async () => {
    const d = (await memberDeploy('nginx'))!;
    await member.resource(DEPLOYMENTS).update({ ...d, spec: { ...(d.spec as object), replicas: 5 } });
    await eventually('replicas back to 2', async () => ((await memberDeploy('nginx'))?.spec as { replicas: number }).replicas === 2);
  });

  test('a deleted member object is recreated', async () => {
    const old = (await memberDeploy('nginx'))!;
    await member.resource(DEPLOYMENTS).delete('nginx', { namespace: 'default' });
    await eventually('recreated', async () => {
      const d = await memberDeploy('nginx');
      return d && d.metadata?.uid !== old.metadata?.uid;
    });
  });

  test('a deleted Work deletes its member object', async () => {
    await works().create(newWork(CLUSTER, 'gone-work', [deployment('gone', 1)]));
    await eventually('gone deployment applied', () => memberDeploy('gone'));
    await works().delete('gone-work', { namespace: ES });
    await eventually('member object deleted', async () => (await memberDeploy('gone')) === undefined);
    await eventually('work finalized and gone', async () => (await getWork('gone-work')) === undefined);
  });

  test('restarted from its store while the control plane is down, the agent still repairs its member', async () => {
    // the store has the Work; stop agent and control plane, restart the agent alone
    await stopAgent();
    await cp.stop();
    startAgent();
    // drift while offline: a hand edit and a deletion are both repaired from the store
    const d = (await memberDeploy('nginx'))!;
    await member.resource(DEPLOYMENTS).update({ ...d, spec: { ...(d.spec as object), replicas: 4 } });
    await eventually('replicas back to 2 while offline', async () => ((await memberDeploy('nginx'))?.spec as { replicas: number }).replicas === 2);
    const before = (await memberDeploy('nginx'))!;
    await member.resource(DEPLOYMENTS).delete('nginx', { namespace: 'default' });
    await eventually('recreated while offline', async () => {
      const n = await memberDeploy('nginx');
      return n && n.metadata?.uid !== before.metadata?.uid;
    });
  });

  // a report the outbox held from the outage (Unhealthy) can land after the member turned Healthy again;
  // the agent's controllers re-check a Work whose status changes, so the late report does not stay
  test('after the control plane is back, the lease moves on and the Work status matches the member', async () => {
    await cp.start();
    const leases = karmada.resource<Lease>(LEASES);
    const l1 = await eventually('lease readable', () => leases.getOrUndefined(CLUSTER, { namespace: 'karmada-cluster' }));
    await eventually('lease renewed after reconnect', async () => (await leases.get(CLUSTER, { namespace: 'karmada-cluster' })).spec?.renewTime !== l1.spec?.renewTime, 30_000);
    await eventually('member Deployment ready', async () => ((await memberDeploy('nginx'))?.status as { readyReplicas?: number } | undefined)?.readyReplicas === 2);
    await eventually(
      'manifest status matches the member after reconnect',
      async () => {
        const w = await getWork('nginx-work');
        const s = w?.status?.manifestStatuses?.[0];
        return cond(w, 'Applied')?.status === 'True' && s?.health === 'Healthy' && (s.status as { readyReplicas?: number })?.readyReplicas === 2;
      },
      30_000,
    );
  });
});
