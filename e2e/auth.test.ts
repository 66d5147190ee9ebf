// Real kubectl against a real karmada-apiserver process, for authentication and authorization:
// `kubectl create token`, `kubectl auth whoami`, `kubectl auth can-i` (with --as), `kubectl certificate
// approve`, and kubeconfigs holding a static token, a service-account token or a bootstrap token.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { webcrypto } from 'node:crypto';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import { buildKubeconfig, certificateInfo, PKI_FILES } from '../pkg/pki/index.js';
import { kubectlFor, startApiServer, tempDir, waitFor, type ApiServerProcess } from './framework/process.js';

describe('kubectl: authentication and authorization', () => {
  let server: ApiServerProcess;
  let kubectl: ReturnType<typeof kubectlFor>;
  let dir: string;
  let caPem: string;

  /** kubectl with a kubeconfig whose user is just a bearer token. */
  const withToken = (name: string, token: string) => {
    const file = path.join(dir, `${name}.kubeconfig`);
    writeFileSync(file, buildKubeconfig({ server: server.url, caPem, contextName: name, clusterName: 'karmada', user: { token } }), { mode: 0o600 });
    return kubectlFor(file);
  };

  before(async () => {
    dir = tempDir('karmada-auth-e2e');
    const dataDir = path.join(dir, 'data');
    mkdirSync(dataDir);
    const tokens = path.join(dir, 'tokens.csv');
    writeFileSync(tokens, 'static-token-xyz,olivia,3001,"ops"\n');
    server = await startApiServer({ dataDir, extraArgs: ['--enable-bootstrap-token-auth', '--token-auth-file', tokens] });
    kubectl = kubectlFor(server.kubeconfig);
    caPem = readFileSync(path.join(dataDir, 'pki', PKI_FILES.caCert), 'utf8');
  });
  after(async () => {
    await server?.cleanup();
  });

  test('kubectl auth whoami: the admin, a static-token user', async () => {
    const admin = JSON.parse((await kubectl(['auth', 'whoami', '-o', 'json'])).stdout);
    assert.equal(admin.kind, 'SelfSubjectReview');
    assert.equal(admin.status.userInfo.username, 'karmada-admin');
    assert.ok(admin.status.userInfo.groups.includes('system:masters'));
    const table = (await kubectl(['auth', 'whoami'])).stdout;
    assert.match(table, /Username\s+karmada-admin/);
    const olivia = withToken('olivia', 'static-token-xyz');
    assert.match((await olivia(['auth', 'whoami'])).stdout, /Username\s+olivia[\s\S]*UID\s+3001[\s\S]*Groups\s+\[ops system:authenticated\]/);
    const denied = await olivia(['get', 'configmaps'], { allowFail: true });
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /configmaps is forbidden: User "olivia" cannot list resource "configmaps" in API group "" in the namespace "default"/);
    const bad = await withToken('bad', 'nope')(['get', 'ns'], { allowFail: true });
    assert.match(bad.stderr, /Unauthorized|must be logged in/);
  });

  test('kubectl create token, and the token in a kubeconfig', async () => {
    await kubectl(['create', 'serviceaccount', 'deployer']);
    const token = (await kubectl(['create', 'token', 'deployer', '--duration', '20m'])).stdout.trim();
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    assert.equal(claims.sub, 'system:serviceaccount:default:deployer');
    assert.ok(Math.abs(claims.exp - claims.iat - 1200) <= 1);
    const deployer = withToken('deployer', token);
    assert.match((await deployer(['auth', 'whoami'])).stdout, /Username\s+system:serviceaccount:default:deployer/);
    assert.equal((await deployer(['auth', 'can-i', 'create', 'deployments'], { allowFail: true })).stdout.trim(), 'no');
    await kubectl(['create', 'rolebinding', 'deployer-edit', '--clusterrole=edit', '--serviceaccount=default:deployer']);
    await waitFor('the binding to apply', async () => ((await deployer(['auth', 'can-i', 'create', 'deployments'], { allowFail: true })).stdout.trim() === 'yes' ? true : undefined));
    await deployer(['create', 'configmap', 'from-sa', '--from-literal=a=b']);
    const tooShort = await kubectl(['create', 'token', 'deployer', '--duration', '5m'], { allowFail: true });
    assert.notEqual(tooShort.code, 0);
    assert.match(tooShort.stderr, /may not specify a duration less than 10 minutes/);
    await kubectl(['delete', 'serviceaccount', 'deployer']);
    await waitFor('the token to be rejected', async () => {
      const r = await deployer(['get', 'configmaps'], { allowFail: true });
      return r.code !== 0 && /Unauthorized|must be logged in/.test(r.stderr) ? true : undefined;
    });
  });

  test('kubectl auth can-i, for the admin and impersonating a user', async () => {
    assert.equal((await kubectl(['auth', 'can-i', 'delete', 'nodes'])).stdout.trim(), 'yes');
    const no = await kubectl(['auth', 'can-i', 'list', 'secrets', '--as', 'alice'], { allowFail: true });
    assert.equal(no.code, 1);
    assert.equal(no.stdout.trim(), 'no');
    await kubectl(['create', 'rolebinding', 'alice-view', '--clusterrole=view', '--user=alice']);
    await kubectl(['create', 'role', 'secret-reader', '--verb=get,list', '--resource=secrets']);
    await kubectl(['create', 'rolebinding', 'alice-secrets', '--role=secret-reader', '--user=alice']);
    await waitFor('alice to be allowed', async () => ((await kubectl(['auth', 'can-i', 'list', 'secrets', '--as', 'alice'], { allowFail: true })).stdout.trim() === 'yes' ? true : undefined));
    assert.equal((await kubectl(['auth', 'can-i', 'list', 'secrets', '--as', 'alice', '-n', 'kube-system'], { allowFail: true })).stdout.trim(), 'no');
    assert.equal((await kubectl(['auth', 'can-i', 'get', 'pods', '--as', 'alice'])).stdout.trim(), 'yes');
    assert.equal((await kubectl(['auth', 'can-i', 'get', '/apis', '--as', 'alice'])).stdout.trim(), 'yes');
    const list = (await kubectl(['auth', 'can-i', '--list', '--as', 'alice'])).stdout;
    assert.match(list, /secrets\s+\[\]\s+\[\]\s+\[get list\]/);
    // kubectl --as works for ordinary requests as well
    const denied = await kubectl(['get', 'secrets', '-n', 'kube-system', '--as', 'alice'], { allowFail: true });
    assert.match(denied.stderr, /secrets is forbidden: User "alice" cannot list resource "secrets" in API group "" in the namespace "kube-system"/);
  });

  test('kubectl certificate approve: a bootstrap token asks, the admin approves, the certificate works', async () => {
    await kubectl(['create', 'secret', 'generic', 'bootstrap-token-k8sabc', '-n', 'kube-system', '--type', 'bootstrap.kubernetes.io/token',
      '--from-literal=token-id=k8sabc', '--from-literal=token-secret=0123456789abcdef', '--from-literal=usage-bootstrap-authentication=true',
      '--from-literal=usage-bootstrap-signing=true', '--from-literal=auth-extra-groups=system:bootstrappers:karmada:default-cluster-token']);
    const boot = withToken('boot', 'k8sabc.0123456789abcdef');
    const ci = JSON.parse((await boot(['get', 'configmap', 'cluster-info', '-n', 'kube-public', '-o', 'json'])).stdout);
    assert.ok(ci.data.kubeconfig);
    assert.equal((await boot(['get', 'pods'], { allowFail: true })).code, 1);

    const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
    const csr = await x509.Pkcs10CertificateRequestGenerator.create(
      { name: [{ O: ['system:karmada:agents'] }, { CN: ['system:karmada:agent:member9'] }], keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams },
      webcrypto as unknown as Crypto,
    );
    const manifest = JSON.stringify({
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { name: 'agent-member9' },
      spec: {
        request: Buffer.from(csr.toString('pem')).toString('base64'),
        signerName: 'kubernetes.io/kube-apiserver-client',
        expirationSeconds: 86400,
        usages: ['digital signature', 'key encipherment', 'client auth'],
      },
    });
    await boot(['create', '-f', '-'], { input: manifest });
    assert.match((await kubectl(['get', 'csr', 'agent-member9'])).stdout, /agent-member9\s+\S+\s+kubernetes.io\/kube-apiserver-client\s+system:bootstrap:k8sabc\s+24h\s+Pending/);
    assert.match((await kubectl(['certificate', 'approve', 'agent-member9'])).stdout, /certificatesigningrequest.certificates.k8s.io\/agent-member9 approved/);
    const pem = await waitFor('the certificate', async () => {
      const out = (await kubectl(['get', 'csr', 'agent-member9', '-o', 'jsonpath={.status.certificate}'])).stdout.trim();
      return out ? Buffer.from(out, 'base64').toString('utf8') : undefined;
    });
    const info = certificateInfo(pem);
    assert.equal(info.subjectCN, 'system:karmada:agent:member9');
    assert.deepEqual(info.organizations, ['system:karmada:agents']);
    assert.match((await kubectl(['get', 'csr', 'agent-member9'])).stdout, /Approved,Issued/);
    // the issued certificate authenticates as its CN/O
    const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as never));
    const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
    const file = path.join(dir, 'agent.kubeconfig');
    writeFileSync(file, buildKubeconfig({ server: server.url, caPem, contextName: 'agent', clusterName: 'karmada', user: { clientCertPem: pem, clientKeyPem: keyPem } }), { mode: 0o600 });
    const who = JSON.parse((await kubectlFor(file)(['auth', 'whoami', '-o', 'json'])).stdout);
    assert.equal(who.status.userInfo.username, 'system:karmada:agent:member9');
    assert.deepEqual(who.status.userInfo.groups, ['system:karmada:agents', 'system:authenticated']);
    const deny = await kubectl(['certificate', 'deny', 'agent-member9'], { allowFail: true });
    assert.notEqual(deny.code, 0, 'an approved CSR cannot be denied');
  });
});
