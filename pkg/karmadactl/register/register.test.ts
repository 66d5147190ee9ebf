import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { certificateInfo } from '../../pki/index.js';
import { ObjectClient } from '../../runtime/client.js';
import { CLUSTERROLEBINDINGS, CLUSTERROLES, LEASES, NAMESPACES, SECRETS, SERVICEACCOUNTS } from '../../runtime/gvr.js';
import { errorCode, RestClient } from '../../runtime/rest.js';
import type { KubeObject } from '../../runtime/types.js';
import { CLUSTERS, WORKS } from '../../util/clusterapi.js';
import { bootstrapTokenSecret, createBootstrapToken } from '../token/token.js';
import { memberKubeconfigFlags, runRegister, type RegisterOptions } from './register.js';
import { CERTIFICATESIGNINGREQUESTS, DEPLOYMENTS, generateRBACResources } from './rbac.js';
import { captureIO, startRegisterEnv, type RegisterTestEnv } from './testing.js';

function clientFromYaml(yaml: string): ObjectClient {
  const kc = new KubeConfig();
  kc.loadFromString(yaml);
  return new ObjectClient(new RestClient(kc, { timeoutMs: 10_000 }));
}

async function status(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    return errorCode(err) ?? -1;
  }
}

function work(name: string, namespace: string): KubeObject {
  return {
    apiVersion: 'work.karmada.io/v1alpha1',
    kind: 'Work',
    metadata: { name, namespace },
    spec: { workload: { manifests: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { a: '1' } }] } },
  };
}

describe('karmadactl register', () => {
  let env: RegisterTestEnv;
  let agentYaml = '';
  const opts = (o: Partial<RegisterOptions>): RegisterOptions => ({
    endpoint: env.endpoint,
    token: '',
    caCertHashes: [env.caHash],
    clusterName: 'member3',
    memberKubeconfig: env.memberKubeconfig,
    discoveryTimeoutMs: 20_000,
    io: captureIO(),
    ...o,
  });

  /** Nothing of cluster `name` was left in the control plane or the member. */
  async function assertNothingCreated(name: string): Promise<void> {
    for (const r of generateRBACResources(name)) {
      assert.equal(await env.karmada.resource(r.gvr).getOrUndefined(r.object.metadata!.name!, { namespace: r.object.metadata?.namespace }), undefined, `${r.object.kind} ${r.object.metadata!.name} left behind`);
    }
    assert.equal(await env.karmada.resource(CLUSTERS).getOrUndefined(name), undefined);
    assert.equal((await env.member.call('GET', '/api/v1/namespaces/karmada-system/secrets/karmada-kubeconfig')).status, 404);
  }

  before(async () => {
    env = await startRegisterEnv('member3');
  });
  after(async () => {
    await env?.cleanup();
  });

  it('the member kubeconfig comes from --kubeconfig/--context wherever commander parsed them', () => {
    assert.deepEqual(memberKubeconfigFlags({}, { kubeconfig: 'member.config', context: 'm' }), { kubeconfig: 'member.config', context: 'm' });
    assert.deepEqual(memberKubeconfigFlags({ kubeconfig: 'own.config' }, { kubeconfig: 'karmada.config' }), { kubeconfig: 'own.config', context: undefined });
  });

  it('an unknown token id fails discovery and creates nothing', async () => {
    await assert.rejects(runRegister(opts({ token: 'abcdef.0123456789abcdef', clusterName: 'bad1', discoveryTimeoutMs: 3000 })), /token id abcdef is unknown or expired; create one with karmadactl token create/);
    await assertNothingCreated('bad1');
  });

  it('a wrong token secret fails the JWS check', async () => {
    const t = await createBootstrapToken(env.karmada);
    await assert.rejects(runRegister(opts({ token: `${t.id}.0000000000000000`, clusterName: 'bad2' })), /JWS signature .* does not verify with token .*the token secret is wrong/);
    await assertNothingCreated('bad2');
  });

  it('a wrong CA hash fails with the hash the server has', async () => {
    const t = await createBootstrapToken(env.karmada);
    const wrong = `sha256:${'ab'.repeat(32)}`;
    await assert.rejects(
      runRegister(opts({ token: t.token, caCertHashes: [wrong], clusterName: 'bad3' })),
      (err: Error) => err.message.includes(`none of the pinned hashes matches the CA of https://${env.endpoint}: got ${env.caHash}`),
    );
    await assertNothingCreated('bad3');
  });

  it('an expired token is unknown to discovery', async () => {
    const id = 'exp123';
    await env.karmada.resource(SECRETS).create(
      bootstrapTokenSecret({ id, secret: 'abcdefghijklmnop', expires: new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z'), usages: ['signing', 'authentication'], groups: ['system:bootstrappers:karmada:default-cluster-token'] }),
    );
    await assert.rejects(runRegister(opts({ token: `${id}.abcdefghijklmnop`, clusterName: 'bad4', discoveryTimeoutMs: 3000 })), /token id exp123 is unknown or expired/);
    await assertNothingCreated('bad4');
  });

  it('a token that may not authenticate is rejected with 401 at the first CSR', async () => {
    const t = await createBootstrapToken(env.karmada, { usages: ['signing'], groups: [] });
    await assert.rejects(runRegister(opts({ token: t.token, clusterName: 'bad5' })), /rejected the bootstrap token .* \(401 Unauthorized\): the token is unknown or expired/);
    await assertNothingCreated('bad5');
  });

  it('an unreachable server fails after the discovery timeout, saying so', async () => {
    const t = await createBootstrapToken(env.karmada);
    await assert.rejects(runRegister(opts({ token: t.token, endpoint: '127.0.0.1:1', clusterName: 'bad6', discoveryTimeoutMs: 1500 })), /cannot reach the karmada-apiserver at https:\/\/127\.0\.0\.1:1/);
    await assertNothingCreated('bad6');
  });

  it('without pinning or the unsafe flag it refuses to start', async () => {
    await assert.rejects(runRegister(opts({ token: 'abcdef.0123456789abcdef', caCertHashes: [] })), /--discovery-token-ca-cert-hash .*--discovery-token-unsafe-skip-ca-verification/);
  });

  it('without an approver the CSR wait times out and nothing is created', async () => {
    await env.stopApprover();
    try {
      const t = await createBootstrapToken(env.karmada);
      await assert.rejects(runRegister(opts({ token: t.token, clusterName: 'bad7', discoveryTimeoutMs: 2000 })), /CSR agent-rbac-generator-bad7\w+ was not approved within 2s: approve it with "kubectl certificate approve/);
      await assertNothingCreated('bad7');
    } finally {
      env.startApprover();
    }
  });

  it('registers a kube-sim member: control-plane RBAC, member objects, agent kubeconfig', async () => {
    const t = await createBootstrapToken(env.karmada);
    const out = path.join(env.dir, 'agent', 'member3-agent.config');
    const io = captureIO();
    const res = await runRegister(opts({ token: t.token, agentKubeconfigOut: out, provider: 'sim', region: 'r1', zones: ['z1', 'z2'], agentImage: 'example.test/agent:v1', io }));
    assert.equal(res.clusterName, 'member3');
    assert.ok(io.lines.includes('cluster(member3) is joined successfully'), io.lines.join('\n'));
    assert.ok(io.lines.some((l) => l.includes(`karmada-agent --karmada-kubeconfig ${out} --cluster-name member3 --kubeconfig ${env.memberKubeconfig} --data-dir`)), io.lines.join('\n'));
    assert.ok(io.errors.some((l) => l.includes('Waiting for the client certificate of CSR agent-rbac-generator-member3')));

    // control plane: the agent's RBAC and execution namespace; the rbac-generator CSR is gone
    for (const r of generateRBACResources('member3')) {
      assert.ok(await env.karmada.resource(r.gvr).getOrUndefined(r.object.metadata!.name!, { namespace: r.object.metadata?.namespace }), `${r.object.kind} ${r.object.metadata!.name}`);
    }
    assert.ok(await env.karmada.resource(NAMESPACES).getOrUndefined('karmada-es-member3'));
    const csrs = (await env.karmada.resource(CERTIFICATESIGNINGREQUESTS).list()).items.map((c) => c.metadata!.name!);
    assert.ok(!csrs.some((n) => n.startsWith('agent-rbac-generator-member3')), csrs.join(','));
    assert.ok(csrs.some((n) => /^member3-\w{5}$/.test(n)), csrs.join(','));
    assert.equal(await env.karmada.resource(CLUSTERS).getOrUndefined('member3'), undefined, 'the agent registers the Cluster, not register');

    // the agent's kubeconfig: written 0600, a client certificate for system:karmada:agent:member3
    agentYaml = res.agentKubeconfig;
    assert.equal(readFileSync(out, 'utf8'), agentYaml);
    assert.equal(statSync(out).mode & 0o777, 0o600);
    const kc = new KubeConfig();
    kc.loadFromString(agentYaml);
    assert.equal(kc.getCurrentCluster()!.server, `https://${env.endpoint}`);
    const cert = certificateInfo(Buffer.from(kc.getCurrentUser()!.certData!, 'base64').toString('utf8'));
    assert.equal(cert.subjectCN, 'system:karmada:agent:member3');
    assert.deepEqual(cert.organizations, ['system:karmada:agents']);
    const agent = clientFromYaml(agentYaml);
    try {
      const review = await agent.rest.request<{ status: { userInfo: { username: string; groups: string[] } } }>({
        method: 'POST',
        path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
      });
      assert.equal(review.status.userInfo.username, 'system:karmada:agent:member3');
      assert.ok(review.status.userInfo.groups.includes('system:karmada:agents'));
    } finally {
      agent.close();
    }

    // member: namespace (labelled: register made it), Secret, ServiceAccount, RBAC, Deployment rolled out
    const ns = (await env.member.call('GET', '/api/v1/namespaces/karmada-system')).json;
    assert.equal(ns.metadata.labels['karmada.io/system'], 'true');
    const secret = (await env.member.call('GET', '/api/v1/namespaces/karmada-system/secrets/karmada-kubeconfig')).json;
    assert.equal(Buffer.from(secret.data['karmada-kubeconfig'], 'base64').toString('utf8'), agentYaml);
    assert.equal((await env.member.call('GET', '/api/v1/namespaces/karmada-system/serviceaccounts/karmada-agent-sa')).status, 200);
    assert.equal((await env.member.call('GET', '/apis/rbac.authorization.k8s.io/v1/clusterroles/karmada-agent')).status, 200);
    const crb = (await env.member.call('GET', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/karmada-agent')).json;
    assert.deepEqual(crb.subjects, [{ kind: 'ServiceAccount', name: 'karmada-agent-sa', namespace: 'karmada-system' }]);
    const deploy = (await env.member.call('GET', '/apis/apps/v1/namespaces/karmada-system/deployments/karmada-agent')).json;
    const container = deploy.spec.template.spec.containers[0];
    assert.equal(container.image, 'example.test/agent:v1');
    assert.equal(deploy.spec.template.spec.serviceAccountName, 'karmada-agent-sa');
    for (const arg of ['--karmada-kubeconfig=/etc/kubeconfig/karmada-kubeconfig', '--cluster-name=member3', '--cluster-provider=sim', '--cluster-region=r1', '--cluster-zones=z1,z2']) {
      assert.ok(container.command.includes(arg), `${arg} in ${container.command.join(' ')}`);
    }
    assert.ok(container.command.includes(`--cluster-api-endpoint=https://127.0.0.1:${env.member.cluster.port}`), container.command.join(' '));
    assert.equal(deploy.status.availableReplicas, 1);
  });

  it('a second register of the same member stops at preflight', async () => {
    const t = await createBootstrapToken(env.karmada);
    await assert.rejects(runRegister(opts({ token: t.token, clusterName: 'member3b' })), /\[preflight\] .*karmada-system\/karmada-kubeconfig Secret already exists/);
    await assertNothingCreatedInControlPlane('member3b');
  });

  async function assertNothingCreatedInControlPlane(name: string): Promise<void> {
    for (const r of generateRBACResources(name)) {
      assert.equal(await env.karmada.resource(r.gvr).getOrUndefined(r.object.metadata!.name!, { namespace: r.object.metadata?.namespace }), undefined);
    }
  }

  it("the agent's credentials reach its own Cluster, Works, Lease and Secrets, and nothing of other clusters", async () => {
    assert.ok(agentYaml, 'registered above');
    // cluster member1 as another agent would have it
    for (const r of generateRBACResources('member1')) {
      await env.karmada.resource(NAMESPACES).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: r.object.metadata?.namespace ?? 'karmada-cluster' } }).catch(() => undefined);
      await env.karmada.resource(r.gvr).create(r.object).catch(() => undefined);
    }
    await env.karmada.resource(CLUSTERS).create({ apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name: 'member1' }, spec: { syncMode: 'Pull' } });
    await env.karmada.resource(WORKS).create(work('w1', 'karmada-es-member1'));
    await env.karmada.resource(WORKS).create(work('mine', 'karmada-es-member3'));
    await env.karmada.resource(SECRETS).create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'member1', namespace: 'karmada-cluster' }, data: {} });

    const agent = clientFromYaml(agentYaml);
    try {
      const clusters = agent.resource(CLUSTERS);
      const works = agent.resource(WORKS);
      const leases = agent.resource(LEASES);
      const secrets = agent.resource(SECRETS);
      // own objects
      assert.equal(await status(clusters.create({ apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name: 'member3' }, spec: { syncMode: 'Pull' } })), 200);
      const own = await clusters.get('member3');
      assert.equal(await status(clusters.updateStatus({ ...own, status: { kubernetesVersion: 'v1.31.0' } })), 200);
      assert.equal(await status(clusters.patch('member3', { metadata: { labels: { edge: 'true' } } })), 200);
      assert.equal(await status(clusters.list({ fieldSelector: 'metadata.name=member3' })), 200);
      assert.equal(await status(clusters.list()), 403);
      assert.equal(await status(clusters.list({ fieldSelector: 'metadata.name=member1' })), 403);
      assert.equal(await status(works.list({ namespace: 'karmada-es-member3' })), 200);
      assert.equal(await status(works.patchStatus('mine', { status: { conditions: [{ type: 'Applied', status: 'True', reason: 'AppliedSuccessful', message: 'ok', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }] } }, { namespace: 'karmada-es-member3' })), 200);
      const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'member3', namespace: 'karmada-cluster' }, spec: { holderIdentity: 'member3', leaseDurationSeconds: 40 } };
      assert.equal(await status(leases.create(lease)), 200);
      const l = await leases.get('member3', { namespace: 'karmada-cluster' });
      assert.equal(await status(leases.update({ ...l, spec: { ...(l.spec as object), renewTime: new Date().toISOString() } })), 200);
      assert.equal(await status(secrets.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'member3', namespace: 'karmada-cluster' }, data: {} })), 200);
      assert.equal(await status(secrets.get('member3', { namespace: 'karmada-cluster' })), 200);

      // other clusters' objects: 403
      assert.equal(await status(works.list({ namespace: 'karmada-es-member1' })), 403);
      assert.equal(await status(works.get('w1', { namespace: 'karmada-es-member1' })), 403);
      const other = await env.karmada.resource(CLUSTERS).get('member1');
      assert.equal(await status(clusters.updateStatus({ ...other, status: { kubernetesVersion: 'v0.0.1' } })), 403);
      assert.equal(await status(clusters.patch('member1', { metadata: { labels: { x: 'y' } } })), 403);
      assert.equal(await status(clusters.delete('member1')), 403);
      assert.equal(await status(leases.get('member1', { namespace: 'karmada-cluster' })), 403);
      assert.equal(await status(leases.create({ ...lease, metadata: { name: 'x', namespace: 'kube-system' } })), 403);
      assert.equal(await status(secrets.get('member1', { namespace: 'karmada-cluster' })), 403);
      assert.equal(await status(secrets.list({ namespace: 'karmada-cluster' })), 403);
      assert.equal(await status(env.karmada.resource(CLUSTERROLES).get('system:karmada:member3:agent')), 200);
      assert.equal(await status(agent.resource(CLUSTERROLES).get('system:karmada:member3:agent')), 403);
      assert.equal(await status(agent.resource(CLUSTERROLEBINDINGS).list()), 403);
      assert.equal(await status(agent.resource(SERVICEACCOUNTS).list({ namespace: 'default' })), 403);
      assert.equal(await status(agent.resource(DEPLOYMENTS).list({ namespace: 'default' })), 403);
    } finally {
      agent.close();
    }
  });
});
