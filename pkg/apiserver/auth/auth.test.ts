// Authentication and authorization end to end against an in-process karmada-apiserver: client
// certificates under RBAC, bootstrap tokens and cluster-info, CSRs through approval to a working
// certificate, service-account tokens (TokenRequest and token Secrets), static tokens, impersonation
// and the review APIs.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { parse as parseYaml } from 'yaml';
import { certificateInfo, issueClientCert, PKI_FILES, type CertificateAuthority } from '../../pki/index.js';
import { eventually, startTestServer, tempDataDir, type Response, type TestServer } from '../testharness.js';
import { computeDetachedSignature } from './jwt.js';

let s: TestServer;
let ca: CertificateAuthority;

before(async () => {
  const dataDir = tempDataDir();
  const tokenFile = join(dataDir, 'tokens.csv');
  writeFileSync(tokenFile, 'static-token-1,carol,2001,"qa,system:masters-not"\n');
  s = await startTestServer({ dataDir, run: { enableBootstrapTokenAuth: true, tokenAuthFile: tokenFile } });
  ca = {
    certPem: readFileSync(join(dataDir, 'pki', PKI_FILES.caCert), 'utf8'),
    keyPem: readFileSync(join(dataDir, 'pki', PKI_FILES.caKey), 'utf8'),
  };
});
after(async () => {
  await s?.stop();
});

async function userWithCert(name: string, groups: string[] = []): Promise<ReturnType<TestServer['as']>> {
  const c = await issueClientCert(ca, { commonName: name, organizations: groups, days: 1 });
  return s.as({ certPem: c.certPem, keyPem: c.keyPem });
}

function ok(r: Response, code = 200): void {
  assert.equal(r.status, code, `expected ${code}, got ${r.status}: ${r.text}`);
}

async function whoami(call: ReturnType<TestServer['as']>): Promise<{ username: string; groups?: string[]; uid?: string; extra?: Record<string, string[]> }> {
  const r = await call('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
  ok(r, 201);
  return r.json.status.userInfo;
}

async function bindRole(namespace: string, name: string, rules: unknown[], subjects: unknown[]): Promise<void> {
  ok(await s.call('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/roles`, { metadata: { name }, rules }), 201);
  ok(
    await s.call('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings`, {
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects,
    }),
    201,
  );
}

async function bindClusterRole(name: string, rules: unknown[], subjects: unknown[]): Promise<void> {
  ok(await s.call('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', { metadata: { name }, rules }), 201);
  ok(
    await s.call('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects,
    }),
    201,
  );
}

async function newCSR(cn: string, orgs: string[]): Promise<{ request: string; keyPem: string }> {
  const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const name: x509.JsonName = [...(orgs.length ? [{ O: orgs }] : []), { CN: [cn] }];
  const csr = await x509.Pkcs10CertificateRequestGenerator.create(
    { name, keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams },
    webcrypto as unknown as Crypto,
  );
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as never));
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
  return { request: Buffer.from(csr.toString('pem')).toString('base64'), keyPem };
}

function bootstrapSecret(id: string, secret: string, data: Record<string, string> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'bootstrap.kubernetes.io/token',
    metadata: { name: `bootstrap-token-${id}`, namespace: 'kube-system' },
    stringData: {
      'token-id': id,
      'token-secret': secret,
      'usage-bootstrap-authentication': 'true',
      'usage-bootstrap-signing': 'true',
      'auth-extra-groups': 'system:bootstrappers:karmada:default-cluster-token',
      ...data,
    },
  };
}

describe('RBAC for client-certificate users', () => {
  test('no bindings: 403 worded like Kubernetes; a RoleBinding makes it 200 at once', async () => {
    const alice = await userWithCert('alice', ['dev']);
    const denied = await alice('GET', '/api/v1/namespaces/default/configmaps');
    assert.equal(denied.status, 403, denied.text);
    assert.equal(denied.json.reason, 'Forbidden');
    assert.equal(denied.json.message, 'configmaps is forbidden: User "alice" cannot list resource "configmaps" in API group "" in the namespace "default"');
    assert.deepEqual(denied.json.details, { group: '', kind: 'configmaps' });
    const named = await alice('GET', '/api/v1/namespaces/default/configmaps/x');
    assert.equal(named.json.message, 'configmaps "x" is forbidden: User "alice" cannot get resource "configmaps" in API group "" in the namespace "default"');
    assert.deepEqual(named.json.details, { name: 'x', group: '', kind: 'configmaps' });
    // watch is authorized too
    assert.equal((await alice('GET', '/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1')).status, 403);

    await bindRole('default', 'cm-reader', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }], [
      { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'dev' },
    ]);
    ok(await alice('GET', '/api/v1/namespaces/default/configmaps'));
    // only what the role grants, only where it is bound
    assert.equal((await alice('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'a' } })).status, 403);
    const elsewhere = await alice('GET', '/api/v1/namespaces/kube-system/configmaps');
    assert.equal(elsewhere.status, 403);
    assert.match(elsewhere.json.message, /in the namespace "kube-system"$/);
    const cluster = await alice('GET', '/api/v1/configmaps');
    assert.equal(cluster.json.message, 'configmaps is forbidden: User "alice" cannot list resource "configmaps" in API group "" at the cluster scope');
    // discovery and whoami come with every authenticated user
    ok(await alice('GET', '/api'));
    ok(await alice('GET', '/apis'));
    ok(await alice('GET', '/openapi/v2'));
    assert.deepEqual(await whoami(alice), { username: 'alice', groups: ['dev', 'system:authenticated'] });
    // removing the binding takes the access away
    ok(await s.call('DELETE', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings/cm-reader'));
    await eventually('access to be revoked', async () => (await alice('GET', '/api/v1/namespaces/default/configmaps')).status === 403);
  });

  test('system:masters needs no binding; anonymous requests get 401 except public paths and cluster-info', async () => {
    const root = await userWithCert('root', ['system:masters']);
    ok(await root('GET', '/api/v1/secrets'));
    for (const path of ['/api/v1/namespaces', '/api', '/apis', '/openapi/v2', '/api/v1/namespaces/kube-public/configmaps']) {
      const r = await s.anonymous('GET', path);
      assert.equal(r.status, 401, `${path}: ${r.text}`);
      assert.equal(r.json.reason, 'Unauthorized');
    }
    ok(await s.anonymous('GET', '/healthz'));
    ok(await s.anonymous('GET', '/version'));
    const ci = await s.anonymous('GET', '/api/v1/namespaces/kube-public/configmaps/cluster-info');
    ok(ci);
    const kubeconfig = parseYaml(ci.json.data.kubeconfig) as { clusters: { cluster: Record<string, string> }[] };
    assert.equal(kubeconfig.clusters[0]!.cluster.server, s.url);
    assert.equal(Buffer.from(kubeconfig.clusters[0]!.cluster['certificate-authority-data']!, 'base64').toString(), ca.certPem);
  });

  test('bootstrap policy roles exist', async () => {
    for (const name of ['cluster-admin', 'admin', 'edit', 'view', 'system:basic-user', 'system:discovery', 'system:public-info-viewer']) {
      ok(await s.call('GET', `/apis/rbac.authorization.k8s.io/v1/clusterroles/${name}`));
    }
    const b = await s.call('GET', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/cluster-admin');
    assert.deepEqual(b.json.subjects, [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'system:masters' }]);
  });
});

describe('bootstrap tokens and cluster-info', () => {
  test('a bootstrap token reads cluster-info and creates CSRs, nothing else', async () => {
    ok(await s.call('POST', '/api/v1/namespaces/kube-system/secrets', bootstrapSecret('abcdef', '0123456789abcdef')), 201);
    const boot = s.as({ token: 'abcdef.0123456789abcdef' });
    assert.deepEqual(await whoami(boot), {
      username: 'system:bootstrap:abcdef',
      groups: ['system:bootstrappers', 'system:bootstrappers:karmada:default-cluster-token', 'system:authenticated'],
    });
    ok(await boot('GET', '/api/v1/namespaces/kube-public/configmaps/cluster-info'));
    const { request } = await newCSR('system:karmada:agent:rbac-generator', ['system:karmada:agents']);
    const csr = await boot('POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests', {
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { name: 'boot-csr' },
      spec: { request, signerName: 'kubernetes.io/kube-apiserver-client', usages: ['digital signature', 'key encipherment', 'client auth'], username: 'forged' },
    });
    ok(csr, 201);
    assert.equal(csr.json.spec.username, 'system:bootstrap:abcdef');
    assert.deepEqual(csr.json.spec.groups, ['system:bootstrappers', 'system:bootstrappers:karmada:default-cluster-token', 'system:authenticated']);
    ok(await boot('GET', '/apis/certificates.k8s.io/v1/certificatesigningrequests/boot-csr'));
    for (const [m, p] of [
      ['GET', '/api/v1/namespaces/default/configmaps'],
      ['GET', '/api/v1/namespaces/kube-public/configmaps'],
      ['GET', '/api/v1/namespaces/kube-system/secrets'],
      ['GET', '/apis/certificates.k8s.io/v1/certificatesigningrequests'],
      ['DELETE', '/apis/certificates.k8s.io/v1/certificatesigningrequests/boot-csr'],
      ['PUT', '/apis/certificates.k8s.io/v1/certificatesigningrequests/boot-csr/approval'],
    ] as const) {
      assert.equal((await boot(m, p, m === 'PUT' ? csr.json : undefined)).status, 403, `${m} ${p}`);
    }
    // the bootstrap signer signs cluster-info with the token
    const signed = await eventually('cluster-info to be signed', async () => {
      const r = await s.anonymous('GET', '/api/v1/namespaces/kube-public/configmaps/cluster-info');
      return r.json?.data?.['jws-kubeconfig-abcdef'] ? r.json.data : undefined;
    });
    assert.equal(signed['jws-kubeconfig-abcdef'], computeDetachedSignature(signed.kubeconfig, 'abcdef', '0123456789abcdef'));
    // a wrong secret, an unknown id: 401
    assert.equal((await s.as({ token: 'abcdef.0123456789abcdee' })('GET', '/api')).status, 401);
    assert.equal((await s.as({ token: 'zzzzzz.0123456789abcdef' })('GET', '/api')).status, 401);
    // deleting the token revokes it and removes its signature
    ok(await s.call('DELETE', '/api/v1/namespaces/kube-system/secrets/bootstrap-token-abcdef'));
    assert.equal((await boot('GET', '/api')).status, 401);
    await eventually('the signature to be removed', async () => {
      const r = await s.anonymous('GET', '/api/v1/namespaces/kube-public/configmaps/cluster-info');
      return r.json.data['jws-kubeconfig-abcdef'] === undefined;
    });
  });

  test('expired tokens and tokens without the authentication usage get 401; expired ones are cleaned up', async () => {
    const past = new Date(Date.now() - 60_000).toISOString();
    ok(await s.call('POST', '/api/v1/namespaces/kube-system/secrets', bootstrapSecret('expird', '0123456789abcdef', { expiration: past })), 201);
    ok(await s.call('POST', '/api/v1/namespaces/kube-system/secrets', bootstrapSecret('noauth', '0123456789abcdef', { 'usage-bootstrap-authentication': 'false' })), 201);
    const soon = new Date(Date.now() + 1500).toISOString();
    ok(await s.call('POST', '/api/v1/namespaces/kube-system/secrets', bootstrapSecret('soonex', '0123456789abcdef', { expiration: soon })), 201);
    assert.equal((await s.as({ token: 'expird.0123456789abcdef' })('GET', '/api')).status, 401);
    assert.equal((await s.as({ token: 'noauth.0123456789abcdef' })('GET', '/api')).status, 401);
    const soonCall = s.as({ token: 'soonex.0123456789abcdef' });
    ok(await soonCall('GET', '/api'));
    await eventually('the token to expire', async () => (await soonCall('GET', '/api')).status === 401);
    await eventually('expired tokens to be deleted', async () => {
      const a = await s.call('GET', '/api/v1/namespaces/kube-system/secrets/bootstrap-token-expird');
      const b = await s.call('GET', '/api/v1/namespaces/kube-system/secrets/bootstrap-token-soonex');
      return a.status === 404 && b.status === 404;
    });
  });
});

describe('certificate signing requests', () => {
  test('approved through /approval, signed by the CA, the certificate authenticates as its CN/O', async () => {
    const { request, keyPem } = await newCSR('dave', ['team-a', 'team-b']);
    const created = await s.call('POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests', {
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { name: 'dave' },
      spec: { request, signerName: 'kubernetes.io/kube-apiserver-client', expirationSeconds: 600, usages: ['client auth'] },
    });
    ok(created, 201);
    assert.equal(created.json.spec.username, 'karmada-admin');
    // spec is immutable: an update cannot change who asked
    const upd = structuredClone(created.json);
    upd.spec.username = 'mallory';
    ok(await s.call('PUT', '/apis/certificates.k8s.io/v1/certificatesigningrequests/dave', upd));
    assert.equal((await s.call('GET', '/apis/certificates.k8s.io/v1/certificatesigningrequests/dave')).json.spec.username, 'karmada-admin');
    // approval can't come through /status
    const viaStatus = (await s.call('GET', '/apis/certificates.k8s.io/v1/certificatesigningrequests/dave')).json;
    viaStatus.status = { conditions: [{ type: 'Approved', status: 'True', reason: 'Sneaky' }] };
    ok(await s.call('PUT', '/apis/certificates.k8s.io/v1/certificatesigningrequests/dave/status', viaStatus));
    assert.equal((await s.call('GET', '/apis/certificates.k8s.io/v1/certificatesigningrequests/dave')).json.status.conditions, undefined);
    // kubectl certificate approve: PUT the object with an Approved condition to /approval
    const current = (await s.call('GET', '/apis/certificates.k8s.io/v1/certificatesigningrequests/dave')).json;
    current.status = { conditions: [{ type: 'Approved', status: 'True', reason: 'KubectlApprove', message: 'This CSR was approved by kubectl certificate approve.' }] };
    const approved = await s.call('PUT', '/apis/certificates.k8s.io/v1/certificatesigningrequests/dave/approval', current);
    ok(approved);
    assert.equal(approved.json.status.conditions[0].type, 'Approved');
    assert.ok(approved.json.status.conditions[0].lastUpdateTime);
    const signed = await eventually('the certificate', async () => {
      const r = await s.call('GET', '/apis/certificates.k8s.io/v1/certificatesigningrequests/dave');
      return r.json.status?.certificate as string | undefined;
    });
    const certPem = Buffer.from(signed, 'base64').toString('utf8');
    const info = certificateInfo(certPem);
    assert.equal(info.subjectCN, 'dave');
    assert.deepEqual(info.organizations, ['team-a', 'team-b']);
    const lifetime = (info.notAfter.getTime() - Date.now()) / 1000;
    assert.ok(lifetime > 500 && lifetime <= 600, `expirationSeconds honoured (${lifetime}s left)`);
    const dave = s.as({ certPem, keyPem });
    assert.deepEqual(await whoami(dave), { username: 'dave', groups: ['team-a', 'team-b', 'system:authenticated'] });
    // an approval may not be withdrawn, and the certificate not replaced
    const withdraw = (await s.call('GET', '/apis/certificates.k8s.io/v1/certificatesigningrequests/dave')).json;
    withdraw.status.conditions = [];
    assert.equal((await s.call('PUT', '/apis/certificates.k8s.io/v1/certificatesigningrequests/dave/approval', withdraw)).status, 422);
  });

  test('denied requests are not signed; invalid ones are rejected; usages the signer refuses fail', async () => {
    const { request } = await newCSR('erin', []);
    const base = (name: string, extra: Record<string, unknown> = {}) => ({
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { name },
      spec: { request, signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], ...extra },
    });
    const bad = await s.call('POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests', base('bad', { request: Buffer.from('nope').toString('base64'), expirationSeconds: 60 }));
    assert.equal(bad.status, 422, bad.text);
    assert.match(bad.json.message, /spec.request/);
    assert.match(bad.json.message, /spec.expirationSeconds/);
    ok(await s.call('POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests', base('erin')), 201);
    const cur = (await s.call('GET', '/apis/certificates.k8s.io/v1/certificatesigningrequests/erin')).json;
    cur.status = { conditions: [{ type: 'Denied', status: 'True', reason: 'No' }] };
    ok(await s.call('PUT', '/apis/certificates.k8s.io/v1/certificatesigningrequests/erin/approval', cur));
    ok(await s.call('POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests', base('erin-server', { usages: ['server auth'] })), 201);
    const srv = (await s.call('GET', '/apis/certificates.k8s.io/v1/certificatesigningrequests/erin-server')).json;
    srv.status = { conditions: [{ type: 'Approved', status: 'True', reason: 'Ok' }] };
    ok(await s.call('PUT', '/apis/certificates.k8s.io/v1/certificatesigningrequests/erin-server/approval', srv));
    const failed = await eventually('a Failed condition', async () => {
      const r = await s.call('GET', '/apis/certificates.k8s.io/v1/certificatesigningrequests/erin-server');
      return r.json.status.conditions.find((c: { type: string }) => c.type === 'Failed');
    });
    assert.equal(failed.reason, 'SignerValidationFailure');
    const denied = (await s.call('GET', '/apis/certificates.k8s.io/v1/certificatesigningrequests/erin')).json;
    assert.equal(denied.status.certificate, undefined);
    // a PATCH to /approval works too
    ok(await s.call('POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests', base('erin-2')), 201);
    const patched = await s.call(
      'PATCH',
      '/apis/certificates.k8s.io/v1/certificatesigningrequests/erin-2/approval',
      { status: { conditions: [{ type: 'Approved', status: 'True', reason: 'Patched' }] } },
      { 'content-type': 'application/merge-patch+json' },
    );
    ok(patched);
    await eventually('erin-2 signed', async () => !!(await s.call('GET', '/apis/certificates.k8s.io/v1/certificatesigningrequests/erin-2')).json.status?.certificate);
  });

  test('a user with update on certificatesigningrequests/approval can approve', async () => {
    const approver = await userWithCert('approver');
    await bindClusterRole('csr-approver', [{ apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/approval'], verbs: ['update'] }], [
      { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'approver' },
    ]);
    const { request } = await newCSR('frank', []);
    const created = await s.call('POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests', {
      metadata: { name: 'frank' },
      spec: { request, signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'] },
    });
    ok(created, 201);
    const body = created.json;
    body.status = { conditions: [{ type: 'Approved', status: 'True', reason: 'ByApprover' }] };
    ok(await approver('PUT', '/apis/certificates.k8s.io/v1/certificatesigningrequests/frank/approval', body));
    assert.equal((await approver('PUT', '/apis/certificates.k8s.io/v1/certificatesigningrequests/frank/status', body)).status, 403);
  });
});

describe('service account tokens', () => {
  test('TokenRequest issues a bound token that authenticates until the ServiceAccount is deleted', async () => {
    ok(await s.call('POST', '/api/v1/namespaces/default/serviceaccounts', { metadata: { name: 'robot' } }), 201);
    const tooShort = await s.call('POST', '/api/v1/namespaces/default/serviceaccounts/robot/token', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: 599 },
    });
    assert.equal(tooShort.status, 422);
    assert.equal(tooShort.json.message, 'TokenRequest.authentication.k8s.io "robot" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes');
    assert.equal((await s.call('POST', '/api/v1/namespaces/default/serviceaccounts/nobody/token', { kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1', spec: {} })).status, 404);
    const tr = await s.call('POST', '/api/v1/namespaces/default/serviceaccounts/robot/token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} });
    ok(tr, 201);
    assert.equal(tr.json.kind, 'TokenRequest');
    assert.deepEqual(tr.json.spec.audiences, ['https://kubernetes.default.svc.cluster.local']);
    assert.equal(tr.json.spec.expirationSeconds, 3600);
    const exp = Date.parse(tr.json.status.expirationTimestamp);
    assert.ok(Math.abs(exp - (Date.now() + 3600_000)) < 10_000);
    const claims = JSON.parse(Buffer.from(tr.json.status.token.split('.')[1], 'base64url').toString());
    assert.equal(claims.iss, 'https://kubernetes.default.svc.cluster.local');
    assert.equal(claims.sub, 'system:serviceaccount:default:robot');
    assert.deepEqual(claims['kubernetes.io'].serviceaccount.name, 'robot');
    const robot = s.as({ token: tr.json.status.token });
    const me = await whoami(robot);
    assert.equal(me.username, 'system:serviceaccount:default:robot');
    assert.deepEqual(me.groups, ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated']);
    assert.ok(me.uid);
    const denied = await robot('GET', '/api/v1/namespaces/default/pods');
    assert.equal(denied.json.message, 'pods is forbidden: User "system:serviceaccount:default:robot" cannot list resource "pods" in API group "" in the namespace "default"');
    await bindRole('default', 'robot-pods', [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }], [{ kind: 'ServiceAccount', name: 'robot' }]);
    ok(await robot('GET', '/api/v1/namespaces/default/pods'));
    // a token for another audience does not authenticate here
    const other = await s.call('POST', '/api/v1/namespaces/default/serviceaccounts/robot/token', { spec: { audiences: ['vault'] } });
    ok(other, 201);
    assert.equal((await s.as({ token: other.json.status.token })('GET', '/api')).status, 401);
    // a token of a deleted ServiceAccount stops working, also when one of the same name comes back
    ok(await s.call('DELETE', '/api/v1/namespaces/default/serviceaccounts/robot'));
    await eventually('the token to be rejected', async () => (await robot('GET', '/api')).status === 401);
    ok(await s.call('POST', '/api/v1/namespaces/default/serviceaccounts', { metadata: { name: 'robot' } }), 201);
    assert.equal((await robot('GET', '/api')).status, 401);
  });

  test('token Secrets are filled by the token controller and deleted with their ServiceAccount', async () => {
    ok(await s.call('POST', '/api/v1/namespaces', { metadata: { name: 'join' } }), 201);
    ok(await s.call('POST', '/api/v1/namespaces/join/serviceaccounts', { metadata: { name: 'karmada-sa' } }), 201);
    ok(
      await s.call('POST', '/api/v1/namespaces/join/secrets', {
        metadata: { name: 'karmada-sa', annotations: { 'kubernetes.io/service-account.name': 'karmada-sa' } },
        type: 'kubernetes.io/service-account-token',
      }),
      201,
    );
    const secret = await eventually('the token secret to be filled', async () => {
      const r = await s.call('GET', '/api/v1/namespaces/join/secrets/karmada-sa');
      return r.json.data?.token ? r.json : undefined;
    });
    assert.equal(Buffer.from(secret.data['ca.crt'], 'base64').toString(), ca.certPem);
    assert.equal(Buffer.from(secret.data.namespace, 'base64').toString(), 'join');
    const sa = (await s.call('GET', '/api/v1/namespaces/join/serviceaccounts/karmada-sa')).json;
    assert.equal(secret.metadata.annotations['kubernetes.io/service-account.uid'], sa.metadata.uid);
    const token = Buffer.from(secret.data.token, 'base64').toString();
    const call = s.as({ token });
    assert.equal((await whoami(call)).username, 'system:serviceaccount:join:karmada-sa');
    // a token whose Secret is gone does not authenticate
    ok(await s.call('DELETE', '/api/v1/namespaces/join/secrets/karmada-sa'));
    await eventually('the legacy token to be rejected', async () => (await call('GET', '/api')).status === 401);
    // deleting the ServiceAccount deletes its token Secrets
    ok(
      await s.call('POST', '/api/v1/namespaces/join/secrets', {
        metadata: { name: 'karmada-sa-2', annotations: { 'kubernetes.io/service-account.name': 'karmada-sa' } },
        type: 'kubernetes.io/service-account-token',
      }),
      201,
    );
    await eventually('the second secret to be filled', async () => !!(await s.call('GET', '/api/v1/namespaces/join/secrets/karmada-sa-2')).json.data?.token);
    ok(await s.call('DELETE', '/api/v1/namespaces/join/serviceaccounts/karmada-sa'));
    await eventually('the token secret to be deleted', async () => (await s.call('GET', '/api/v1/namespaces/join/secrets/karmada-sa-2')).status === 404);
  });
});

describe('static tokens, impersonation and reviews', () => {
  test('--token-auth-file users', async () => {
    const carol = s.as({ token: 'static-token-1' });
    assert.deepEqual(await whoami(carol), { username: 'carol', uid: '2001', groups: ['qa', 'system:masters-not', 'system:authenticated'] });
    assert.equal((await carol('GET', '/api/v1/secrets')).status, 403);
    assert.equal((await s.as({ token: 'static-token-2' })('GET', '/api')).status, 401);
  });

  test('impersonation needs the impersonate verb on each identity', async () => {
    const ivan = await userWithCert('ivan');
    const asBob = { 'Impersonate-User': 'bob' };
    const denied = await ivan('GET', '/api', undefined, asBob);
    assert.equal(denied.status, 403);
    assert.equal(denied.json.message, 'users "bob" is forbidden: User "ivan" cannot impersonate resource "users" in API group "" at the cluster scope');
    await bindClusterRole('impersonate-bob', [{ apiGroups: [''], resources: ['users'], verbs: ['impersonate'], resourceNames: ['bob'] }], [
      { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'ivan' },
    ]);
    const me = await ivan('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, asBob);
    ok(me, 201);
    assert.deepEqual(me.json.status.userInfo, { username: 'bob', groups: ['system:authenticated'] });
    assert.equal((await ivan('GET', '/api', undefined, { 'Impersonate-User': 'carl' })).status, 403);
    const groups = await ivan('GET', '/api', undefined, { ...asBob, 'Impersonate-Group': 'system:masters' });
    assert.equal(groups.status, 403);
    assert.equal(groups.json.message, 'groups "system:masters" is forbidden: User "ivan" cannot impersonate resource "groups" in API group "" at the cluster scope');
    assert.equal((await ivan('GET', '/api', undefined, { 'Impersonate-Group': 'x' })).status, 400);
    // the impersonated user's own permissions apply
    assert.equal((await ivan('GET', '/api/v1/namespaces/default/configmaps', undefined, asBob)).json.message, 'configmaps is forbidden: User "bob" cannot list resource "configmaps" in API group "" in the namespace "default"');
    // admins impersonate anyone, service accounts included
    const sa = await s.call('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1' }, {
      'Impersonate-User': 'system:serviceaccount:default:builder',
      'Impersonate-Extra-Scopes': 'view',
    });
    ok(sa, 201);
    assert.deepEqual(sa.json.status.userInfo, {
      username: 'system:serviceaccount:default:builder',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
      extra: { scopes: ['view'] },
    });
    // anonymous cannot impersonate
    assert.equal((await s.as({})('GET', '/api', undefined, asBob)).status, 401);
  });

  test('SelfSubjectAccessReview and SelfSubjectRulesReview', async () => {
    const gina = await userWithCert('gina');
    const ask = (attrs: Record<string, unknown>) =>
      gina('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: attrs });
    const no = await ask({ resourceAttributes: { namespace: 'default', verb: 'list', resource: 'secrets' } });
    ok(no, 201);
    assert.equal(no.json.status.allowed, false);
    await bindRole('default', 'gina-secrets', [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }], [{ kind: 'User', name: 'gina' }]);
    const yes = await ask({ resourceAttributes: { namespace: 'default', verb: 'list', resource: 'secrets' } });
    assert.equal(yes.json.status.allowed, true);
    assert.match(yes.json.status.reason, /RoleBinding "gina-secrets\/default" of Role "gina-secrets" to User "gina"/);
    assert.equal((await ask({ nonResourceAttributes: { path: '/apis', verb: 'get' } })).json.status.allowed, true);
    assert.equal((await ask({})).status, 422);
    const rules = await gina('POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace: 'default' } });
    ok(rules, 201);
    assert.ok(rules.json.status.resourceRules.some((r: { resources: string[] }) => r.resources.includes('secrets')));
    assert.ok(rules.json.status.nonResourceRules.some((r: { nonResourceURLs: string[] }) => r.nonResourceURLs.includes('/apis')));
    // reviews are create-only
    assert.equal((await s.call('GET', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews')).status, 405);
  });

  test('discovery lists serviceaccounts/token and certificatesigningrequests/approval', async () => {
    const core = await s.call('GET', '/api/v1');
    const token = core.json.resources.find((r: { name: string }) => r.name === 'serviceaccounts/token');
    assert.deepEqual({ kind: token.kind, group: token.group, version: token.version, verbs: token.verbs }, {
      kind: 'TokenRequest',
      group: 'authentication.k8s.io',
      version: 'v1',
      verbs: ['create'],
    });
    const certs = await s.call('GET', '/apis/certificates.k8s.io/v1');
    assert.ok(certs.json.resources.some((r: { name: string }) => r.name === 'certificatesigningrequests/approval'));
    const authz = await s.call('GET', '/apis/authorization.k8s.io/v1');
    assert.ok(authz.json.resources.some((r: { name: string; verbs: string[] }) => r.name === 'selfsubjectaccessreviews' && r.verbs.join() === 'create'));
  });
});

describe('server options', () => {
  test('bootstrap tokens only with enableBootstrapTokenAuth; AlwaysAllow; anonymousAuth=false', async () => {
    const plain = await startTestServer({ run: { authorizationMode: 'AlwaysAllow', anonymousAuth: false } });
    try {
      ok(await plain.call('POST', '/api/v1/namespaces/kube-system/secrets', bootstrapSecret('qwerty', '0123456789abcdef')), 201);
      assert.equal((await plain.as({ token: 'qwerty.0123456789abcdef' })('GET', '/api')).status, 401);
      // AlwaysAllow: any authenticated user may do anything
      const pkiDir = join(plain.dataDir, 'pki');
      const c = await issueClientCert(
        { certPem: readFileSync(join(pkiDir, PKI_FILES.caCert), 'utf8'), keyPem: readFileSync(join(pkiDir, PKI_FILES.caKey), 'utf8') },
        { commonName: 'nobody', days: 1 },
      );
      ok(await plain.as({ certPem: c.certPem, keyPem: c.keyPem })('GET', '/api/v1/secrets'));
      // without anonymous auth even cluster-info needs credentials; health stays open
      assert.equal((await plain.anonymous('GET', '/api/v1/namespaces/kube-public/configmaps/cluster-info')).status, 401);
      ok(await plain.anonymous('GET', '/readyz'));
    } finally {
      await plain.stop();
    }
  });
});
