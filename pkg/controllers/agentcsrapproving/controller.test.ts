import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { runApiServer, type RunningApiServer } from '../../apiserver/run.js';
import { generateRBACResources } from '../../karmadactl/register/rbac.js';
import { bootstrapTokenSecret } from '../../karmadactl/token/token.js';
import { certificateInfo, createCSR, issueClientCert, PKI_FILES } from '../../pki/index.js';
import { ObjectClient } from '../../runtime/client.js';
import { SharedInformerFactory } from '../../runtime/factory.js';
import { CLUSTERROLEBINDINGS, CLUSTERROLES, SECRETS } from '../../runtime/gvr.js';
import { RestClient } from '../../runtime/rest.js';
import { eventually } from '../../runtime/testenv.js';
import type { KubeObject } from '../../runtime/types.js';
import { AgentCSRApprovingController, CERTIFICATESIGNINGREQUESTS } from './controller.js';

const USAGES = ['digital signature', 'key encipherment', 'client auth'];

interface Conditions {
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
  certificate?: string;
}

describe('agentcsrapproving controller', () => {
  let dir: string;
  let server: RunningApiServer;
  let admin: ObjectClient;
  let informers: SharedInformerFactory;
  const stop = new AbortController();
  let running: Promise<void>;
  const clients: ObjectClient[] = [];

  function clientAs(user: { token: string } | { certPem: string; keyPem: string }): ObjectClient {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'k', server: server.url, caData: Buffer.from(server.caPem).toString('base64') }],
      users: ['token' in user ? { name: 'u', token: user.token } : { name: 'u', certData: Buffer.from(user.certPem).toString('base64'), keyData: Buffer.from(user.keyPem).toString('base64') }],
      contexts: [{ name: 'c', cluster: 'k', user: 'u' }],
      currentContext: 'c',
    });
    const c = new ObjectClient(new RestClient(kc));
    clients.push(c);
    return c;
  }

  async function submit(client: ObjectClient, name: string, cn: string, o: { orgs?: string[]; usages?: string[]; dnsNames?: string[]; signerName?: string } = {}): Promise<void> {
    const { csrPem } = await createCSR({ commonName: cn, organizations: o.orgs ?? ['system:karmada:agents'], dnsNames: o.dnsNames });
    await client.resource(CERTIFICATESIGNINGREQUESTS).create({
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { name },
      spec: { request: Buffer.from(csrPem).toString('base64'), signerName: o.signerName ?? 'kubernetes.io/kube-apiserver-client', usages: o.usages ?? USAGES },
    });
  }

  const statusOf = async (name: string) => ((await admin.resource(CERTIFICATESIGNINGREQUESTS).get(name)).status ?? {}) as Conditions;
  const approval = async (name: string) => (await statusOf(name)).conditions?.find((c) => c.type === 'Approved');

  async function token(id: string, groups: string[]): Promise<string> {
    const secret = 'abcdefghijklmnop';
    await admin.resource(SECRETS).create(bootstrapTokenSecret({ id, secret, usages: ['authentication', 'signing'], groups }));
    return `${id}.${secret}`;
  }

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'agentcsr-test-'));
    const kubeconfig = path.join(dir, 'karmada.config');
    server = await runApiServer({ dataDir: dir, port: 0, bindAddress: '127.0.0.1', kubeconfigOut: kubeconfig, logger: pino({ level: 'silent' }), enableBootstrapTokenAuth: true });
    admin = ObjectClient.fromFile(kubeconfig);
    informers = new SharedInformerFactory(admin);
    // one worker: keys are reconciled in the order they were added
    const controller = new AgentCSRApprovingController({ client: admin, informers, workers: 1 });
    informers.start();
    running = controller.run(stop.signal);
  });
  after(async () => {
    stop.abort();
    await running;
    await informers?.stop();
    for (const c of clients) c.close();
    admin?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('approves a new agent CSR from a karmada bootstrap token, and the signer issues it', async () => {
    const bootstrap = clientAs({ token: await token('boot01', ['system:bootstrappers:karmada:default-cluster-token']) });
    await submit(bootstrap, 'good', 'system:karmada:agent:member1');
    const cond = await eventually('approval', () => approval('good'));
    assert.deepEqual({ status: cond.status, reason: cond.reason, message: cond.message }, {
      status: 'True',
      reason: 'AutoApproved',
      message: 'Auto approving karmada agent certificate after SubjectAccessReview.',
    });
    const cert = await eventually('certificate', async () => (await statusOf('good')).certificate);
    assert.equal(certificateInfo(Buffer.from(cert, 'base64').toString('utf8')).subjectCN, 'system:karmada:agent:member1');
  });

  it('ignores wrong CN, O, SANs, usages and signer, and requesters without the clusteragent permission', async () => {
    const bootstrap = clientAs({ token: await token('boot02', ['system:bootstrappers:karmada:default-cluster-token']) });
    // a token group that may create CSRs but not certificatesigningrequests/clusteragent
    const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'csr-creator' }, rules: [{ apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['create', 'get'] }] };
    await admin.resource(CLUSTERROLES).create(role as KubeObject);
    await admin.resource(CLUSTERROLEBINDINGS).create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'csr-creator' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'csr-creator' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:bootstrappers:other' }],
    });
    const outsider = clientAs({ token: await token('boot03', ['system:bootstrappers:other']) });
    await submit(bootstrap, 'wrong-cn', 'system:node:member1');
    await submit(bootstrap, 'wrong-o', 'system:karmada:agent:member1', { orgs: ['system:masters'] });
    await submit(bootstrap, 'with-san', 'system:karmada:agent:member1', { dnsNames: ['evil.example'] });
    await submit(bootstrap, 'server-auth', 'system:karmada:agent:member1', { usages: [...USAGES, 'server auth'] });
    await submit(bootstrap, 'kubelet-signer', 'system:karmada:agent:member1', { signerName: 'kubernetes.io/kube-apiserver-client-kubelet' });
    await submit(outsider, 'no-permission', 'system:karmada:agent:member1');
    // reconciled after the ones above (one worker): once it is approved, they were decided on
    await submit(bootstrap, 'marker', 'system:karmada:agent:member2');
    await eventually('marker approval', () => approval('marker'));
    for (const name of ['wrong-cn', 'wrong-o', 'with-san', 'server-auth', 'kubelet-signer', 'no-permission']) {
      assert.equal(await approval(name), undefined, name);
    }
  });

  it("approves an agent's renewal of its own certificate, not a request for another agent's name", async () => {
    const ca = { certPem: readFileSync(path.join(dir, 'pki', PKI_FILES.caCert), 'utf8'), keyPem: readFileSync(path.join(dir, 'pki', PKI_FILES.caKey), 'utf8') };
    for (const r of generateRBACResources('member1')) {
      if (r.object.metadata?.namespace) continue; // the ClusterRole lets it create CSRs
      await admin.resource(r.gvr).create(r.object);
    }
    const agent = clientAs(await issueClientCert(ca, { commonName: 'system:karmada:agent:member1', organizations: ['system:karmada:agents'] }));
    await submit(agent, 'other-agent', 'system:karmada:agent:member2');
    await submit(agent, 'renewal', 'system:karmada:agent:member1');
    const cond = await eventually('renewal approval', () => approval('renewal'));
    assert.equal(cond.message, 'Auto approving self karmada agent certificate after SubjectAccessReview.');
    assert.equal(await approval('other-agent'), undefined);
  });
});
