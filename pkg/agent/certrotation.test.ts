// Certificate rotation: when to rotate (table), kubeconfig rewriting, and a rotation against an
// in-process karmada-apiserver (the CSR approved by the test, signed by the server's CSR signer), after
// which a client switched with RestClient.reloadCredentials authenticates as the agent.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { certificateInfo, createCA, issueClientCert, buildKubeconfig } from '../pki/index.js';
import { ObjectClient } from '../runtime/client.js';
import { RestClient } from '../runtime/rest.js';
import { eventually, startTestApiServer, type TestApiServer } from '../runtime/testenv.js';
import { agentCSR, CERTIFICATE_SIGNING_REQUESTS, clientCertificateOf, rotateCertificateIfNeeded, shouldRotateCert, withClientCertificate, type CSR } from './certrotation.js';

const H = 3_600_000;

describe('shouldRotateCert', () => {
  const notBefore = new Date(0);
  const notAfter = new Date(100 * H);
  const cases: { at: number; threshold: number; rotate: boolean }[] = [
    { at: 10 * H, threshold: 0.2, rotate: false },
    { at: 79 * H, threshold: 0.2, rotate: false },
    { at: 80 * H, threshold: 0.2, rotate: true }, // exactly 20% left
    { at: 95 * H, threshold: 0.2, rotate: true },
    { at: 101 * H, threshold: 0.2, rotate: true }, // expired
    { at: 40 * H, threshold: 0.7, rotate: true },
  ];
  for (const tc of cases) {
    test(`at ${tc.at / H}h of 100h with threshold ${tc.threshold}: ${tc.rotate ? 'rotate' : 'keep'}`, () => {
      assert.equal(shouldRotateCert({ notBefore, notAfter }, tc.threshold, new Date(tc.at)), tc.rotate);
    });
  }
});

describe('kubeconfig rewriting', () => {
  test('the user of the context gets the new embedded certificate and key; file references are dropped', async () => {
    const ca = await createCA({ commonName: 'test-ca' });
    const old = await issueClientCert(ca, { commonName: 'system:karmada:agent:m1', organizations: ['system:karmada:agents'] });
    const yaml = buildKubeconfig({ server: 'https://127.0.0.1:1', caPem: ca.certPem, contextName: 'karmada-agent', clusterName: 'karmada', user: { clientCertPem: old.certPem, clientKeyPem: old.keyPem } });
    assert.equal(clientCertificateOf(yaml, undefined), old.certPem);
    const next = await issueClientCert(ca, { commonName: 'system:karmada:agent:m1', organizations: ['system:karmada:agents'] });
    const out = withClientCertificate(yaml, 'karmada-agent', next.certPem, next.keyPem);
    assert.equal(clientCertificateOf(out, undefined), next.certPem);
    assert.match(out, /certificate-authority-data/);
    assert.throws(() => withClientCertificate(yaml, 'other', next.certPem, next.keyPem), /context "other" not found/);
  });

  test('the CSR asks the kube-apiserver-client signer for client auth with the old lifetime (at least 600 s)', () => {
    const csr = agentCSR('member3', '-----BEGIN CERTIFICATE REQUEST-----\n', 86_400);
    assert.match(csr.metadata?.name ?? '', /^member3-[0-9a-f]{5}$/);
    assert.equal(csr.spec?.signerName, 'kubernetes.io/kube-apiserver-client');
    assert.deepEqual(csr.spec?.usages, ['digital signature', 'key encipherment', 'client auth']);
    assert.equal(csr.spec?.expirationSeconds, 86_400);
    assert.equal(agentCSR('m', 'x', 10).spec?.expirationSeconds, 600);
  });
});

describe('rotateCertificateIfNeeded against a karmada-apiserver', () => {
  let cp: TestApiServer;
  let dir: string;
  let kubeconfig: string;
  before(async () => {
    cp = await startTestApiServer();
    dir = mkdtempSync(path.join(os.tmpdir(), 'certrotation-test-'));
    kubeconfig = path.join(dir, 'karmada-agent.config');
    copyFileSync(cp.kubeconfig, kubeconfig);
  });
  after(async () => {
    await cp?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('nothing happens while the certificate has more than the threshold left', async () => {
    const client = new ObjectClient(RestClient.fromFile(kubeconfig));
    try {
      const r = await rotateCertificateIfNeeded({ client, clusterName: 'member1', kubeconfigPath: kubeconfig, remainingTimeThreshold: 0.2 });
      assert.equal(r.rotated, false);
    } finally {
      client.close();
    }
  });

  test('due for rotation: a CSR, once approved and issued, becomes the new kubeconfig and the live client authenticates with it', async () => {
    const rest = RestClient.fromFile(kubeconfig);
    const client = new ObjectClient(rest);
    const admin = cp.client();
    const before = readFileSync(kubeconfig, 'utf8');
    const stopApprover = new AbortController();
    // approve the agent's CSR as the agentcsrapproving controller would
    const approver = eventually('agent CSR created and approved', async () => {
      if (stopApprover.signal.aborted) return true;
      const list = await admin.resource<CSR>(CERTIFICATE_SIGNING_REQUESTS).list();
      const csr = list.items.find((c) => c.metadata?.name?.startsWith('member1-'));
      if (!csr) return false;
      csr.status = { ...(csr.status ?? {}), conditions: [{ type: 'Approved', status: 'True', reason: 'AutoApproved', message: 'test approval' }] };
      await admin.rest.request({ method: 'PUT', path: `/apis/certificates.k8s.io/v1/certificatesigningrequests/${csr.metadata!.name}/approval`, body: csr });
      return true;
    });
    try {
      const r = await rotateCertificateIfNeeded({ client, clusterName: 'member1', kubeconfigPath: kubeconfig, remainingTimeThreshold: 1, pollIntervalMs: 50, waitTimeoutMs: 20_000 });
      await approver;
      assert.equal(r.rotated, true);
      const after = readFileSync(kubeconfig, 'utf8');
      assert.notEqual(after, before);
      assert.equal(statSync(kubeconfig).mode & 0o777, 0o600);
      const info = certificateInfo(clientCertificateOf(after, undefined)!);
      assert.equal(info.subjectCN, 'system:karmada:agent:member1');
      assert.deepEqual(info.organizations, ['system:karmada:agents']);
      assert.equal(r.notAfter?.getTime(), info.notAfter.getTime());

      rest.reloadCredentials(r.kubeConfig!);
      const review = await rest.request<{ status?: { userInfo?: { username?: string; groups?: string[] } } }>({
        method: 'POST',
        path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
      });
      assert.equal(review.status?.userInfo?.username, 'system:karmada:agent:member1');
      assert.ok(review.status?.userInfo?.groups?.includes('system:karmada:agents'));
    } finally {
      stopApprover.abort();
      client.close();
    }
  });

  test('a denied CSR fails with the reason and leaves the kubeconfig alone', async () => {
    const file = path.join(dir, 'denied.config');
    copyFileSync(cp.kubeconfig, file);
    const before = readFileSync(file, 'utf8');
    const client = new ObjectClient(RestClient.fromFile(file));
    const admin = cp.client();
    const denier = eventually('agent CSR denied', async () => {
      const list = await admin.resource<CSR>(CERTIFICATE_SIGNING_REQUESTS).list();
      const csr = list.items.find((c) => c.metadata?.name?.startsWith('member9-'));
      if (!csr) return false;
      csr.status = { conditions: [{ type: 'Denied', status: 'True', reason: 'NotAllowed', message: 'no' }] };
      await admin.rest.request({ method: 'PUT', path: `/apis/certificates.k8s.io/v1/certificatesigningrequests/${csr.metadata!.name}/approval`, body: csr });
      return true;
    });
    try {
      await assert.rejects(
        rotateCertificateIfNeeded({ client, clusterName: 'member9', kubeconfigPath: file, remainingTimeThreshold: 1, pollIntervalMs: 50, waitTimeoutMs: 20_000, logger: pino({ level: 'silent' }) }),
        /was denied: NotAllowed/,
      );
      await denier;
      assert.equal(readFileSync(file, 'utf8'), before);
    } finally {
      client.close();
    }
  });
});
