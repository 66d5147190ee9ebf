import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { ClusterController } from '../../controllers/cluster/controller.js';
import { ObjectClient } from '../../runtime/client.js';
import { SharedInformerFactory } from '../../runtime/factory.js';
import { LEASES, NAMESPACES, SECRETS } from '../../runtime/gvr.js';
import { RestClient } from '../../runtime/rest.js';
import { eventually } from '../../runtime/testenv.js';
import { CLUSTERS, WORKS } from '../../util/clusterapi.js';
import { runRegister } from '../register/register.js';
import { CERTIFICATESIGNINGREQUESTS, generateRBACResources } from '../register/rbac.js';
import { captureIO, startRegisterEnv, type RegisterTestEnv } from '../register/testing.js';
import { createBootstrapToken } from '../token/token.js';
import { runUnjoin } from '../unjoin/unjoin.js';
import { runUnregister } from './unregister.js';

describe('karmadactl unregister', () => {
  let env: RegisterTestEnv;
  let informers: SharedInformerFactory;
  const stop = new AbortController();
  let clusterController: Promise<void>;

  const memberConfig = () => {
    const kc = new KubeConfig();
    kc.loadFromFile(env.memberKubeconfig);
    return kc;
  };

  async function register(name: string): Promise<string> {
    const t = await createBootstrapToken(env.karmada);
    const res = await runRegister({ endpoint: env.endpoint, token: t.token, caCertHashes: [env.caHash], clusterName: name, memberKubeconfig: env.memberKubeconfig, discoveryTimeoutMs: 20_000, io: captureIO() });
    return res.agentKubeconfig;
  }

  before(async () => {
    env = await startRegisterEnv('member3');
    // the cluster controller holds the Cluster's finalizer until its execution namespace is gone
    informers = new SharedInformerFactory(env.karmada);
    const cc = new ClusterController({ client: env.karmada, informers, logger: pino({ level: 'silent' }) });
    informers.start();
    clusterController = cc.run(stop.signal);
  });
  after(async () => {
    stop.abort();
    await clusterController;
    await informers?.stop();
    await env?.cleanup();
  });

  it('removes a registered Pull cluster from both sides, and it can register again', async () => {
    const agentYaml = await register('member3');
    // what a running agent adds: its Cluster, Lease and Secret; the control plane adds Works
    const kc = new KubeConfig();
    kc.loadFromString(agentYaml);
    const agent = new ObjectClient(new RestClient(kc));
    try {
      await agent.resource(CLUSTERS).create({ apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name: 'member3' }, spec: { syncMode: 'Pull' } });
      await agent.resource(LEASES).create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'member3', namespace: 'karmada-cluster' }, spec: { holderIdentity: 'member3' } });
      await agent.resource(SECRETS).create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'member3', namespace: 'karmada-cluster' }, data: {} });
    } finally {
      agent.close();
    }
    await env.karmada.resource(WORKS).create({ apiVersion: 'work.karmada.io/v1alpha1', kind: 'Work', metadata: { name: 'w', namespace: 'karmada-es-member3' }, spec: { workload: { manifests: [] } } });
    await eventually('cluster finalizer', async () => (await env.karmada.resource(CLUSTERS).get('member3')).metadata?.finalizers?.length);

    const io = captureIO();
    await runUnregister({ clusterName: 'member3', karmada: env.karmada, member: memberConfig(), waitMs: 20_000, io });
    assert.deepEqual(io.lines, ['cluster(member3) is unregistered successfully']);
    assert.ok(io.errors.some((l) => l.includes('waiting for cluster member3 to be removed')), io.errors.join('\n'));

    // control plane
    assert.equal(await env.karmada.resource(CLUSTERS).getOrUndefined('member3'), undefined);
    for (const r of generateRBACResources('member3')) {
      assert.equal(await env.karmada.resource(r.gvr).getOrUndefined(r.object.metadata!.name!, { namespace: r.object.metadata?.namespace }), undefined, r.object.metadata!.name);
    }
    assert.equal(await env.karmada.resource(SECRETS).getOrUndefined('member3', { namespace: 'karmada-cluster' }), undefined);
    assert.equal(await env.karmada.resource(LEASES).getOrUndefined('member3', { namespace: 'karmada-cluster' }), undefined);
    assert.deepEqual((await env.karmada.resource(CERTIFICATESIGNINGREQUESTS).list()).items.map((c) => c.metadata?.name).filter((n) => n?.startsWith('member3-')), []);
    await eventually('execution namespace gone', async () => !(await env.karmada.resource(NAMESPACES).getOrUndefined('karmada-es-member3')));

    // member
    for (const p of [
      '/apis/apps/v1/namespaces/karmada-system/deployments/karmada-agent',
      '/api/v1/namespaces/karmada-system/secrets/karmada-kubeconfig',
      '/api/v1/namespaces/karmada-system/serviceaccounts/karmada-agent-sa',
      '/apis/rbac.authorization.k8s.io/v1/clusterroles/karmada-agent',
      '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/karmada-agent',
    ]) {
      assert.equal((await env.member.call('GET', p)).status, 404, p);
    }
    await eventually('member namespace karmada-system gone', async () => (await env.member.call('GET', '/api/v1/namespaces/karmada-system')).status === 404);

    // preflight passes again
    await register('member3');
    await runUnregister({ clusterName: 'member3', karmada: env.karmada, member: memberConfig(), waitMs: 20_000, io: captureIO() });
  });

  it('keeps an agent namespace register did not create, and cleans up a cluster whose agent never ran', async () => {
    await env.member.call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'agents' } });
    const t = await createBootstrapToken(env.karmada);
    await runRegister({ endpoint: env.endpoint, token: t.token, caCertHashes: [env.caHash], clusterName: 'member4', namespace: 'agents', memberKubeconfig: env.memberKubeconfig, discoveryTimeoutMs: 20_000, io: captureIO() });
    const io = captureIO();
    await runUnregister({ clusterName: 'member4', karmada: env.karmada, member: memberConfig(), namespace: 'agents', waitMs: 5000, io });
    assert.ok(io.errors.some((l) => l.includes('cluster member4 is not registered in karmada')), io.errors.join('\n'));
    assert.equal((await env.member.call('GET', '/apis/apps/v1/namespaces/agents/deployments/karmada-agent')).status, 404);
    const ns = (await env.member.call('GET', '/api/v1/namespaces/agents')).json;
    assert.equal(ns.status?.phase, 'Active');
    assert.equal(await env.karmada.resource(generateRBACResources('member4')[0]!.gvr).getOrUndefined('system:karmada:member4:agent'), undefined);
  });

  it('refuses a Push cluster; unjoin refuses a Pull cluster', async () => {
    await env.karmada.resource(CLUSTERS).create({ apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name: 'pushed' }, spec: { syncMode: 'Push', apiEndpoint: 'https://127.0.0.1:1' } });
    await env.karmada.resource(CLUSTERS).create({ apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name: 'pulled' }, spec: { syncMode: 'Pull' } });
    await assert.rejects(runUnregister({ clusterName: 'pushed', karmada: env.karmada, member: memberConfig(), io: captureIO() }), /cluster pushed is a Push cluster; use karmadactl unjoin/);
    await assert.rejects(runUnjoin({ clusterName: 'pulled', karmada: env.karmada, io: captureIO() }), /cluster pulled is a Pull cluster; use karmadactl unregister/);
    assert.ok(await env.karmada.resource(CLUSTERS).getOrUndefined('pushed'));
    assert.ok(await env.karmada.resource(CLUSTERS).getOrUndefined('pulled'));
  });
});
