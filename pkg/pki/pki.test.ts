import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { X509Certificate, createHash, webcrypto } from 'node:crypto';
import { existsSync, mkdtempSync, promises as fs, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { after, describe, it } from 'node:test';

import * as x509 from '@peculiar/x509';
import { parse as parseYaml } from 'yaml';

import {
  buildKubeconfig,
  caCertHash,
  certificateInfo,
  createCA,
  issueClientCert,
  loadOrCreatePKI,
  normalizeIP,
  signCSR,
  writeKubeconfig,
  type PKI,
} from './index.js';

const tmpDirs: string[] = [];
function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  tmpDirs.push(d);
  return d;
}
after(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

function run(cmd: string, args: string[], opts: { input?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0, stdout, stderr });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

interface Seen {
  authorized: boolean;
  subject?: Record<string, string | string[]>;
  authorization?: string;
  path?: string;
}

/** An https server with the PKI's serving cert that reports who connected. */
async function startServer(pki: PKI, host = '127.0.0.1'): Promise<{ port: number; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server = https.createServer(
    { key: pki.servingKeyPem, cert: pki.servingCertPem, ca: pki.caCertPem, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const sock = req.socket as TLSSocket;
      const peer = sock.authorized ? sock.getPeerCertificate() : undefined;
      const s: Seen = {
        authorized: sock.authorized,
        subject: peer?.subject ? { ...(peer.subject as unknown as Record<string, string | string[]>) } : undefined,
        authorization: req.headers.authorization,
        path: req.url,
      };
      seen.push(s);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Success', message: 'hello', seen: s }));
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function request(opts: https.RequestOptions): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ ...opts, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('loadOrCreatePKI', () => {
  it('creates the PKI files with private keys at 0600 and reuses them on the next load', async () => {
    const dir = tempDir('pki-create-');
    const a = await loadOrCreatePKI(join(dir, 'pki'), { hosts: ['karmada.example.test', '10.1.2.3'] });
    for (const f of ['ca.crt', 'ca.key', 'apiserver.crt', 'apiserver.key', 'admin.crt', 'admin.key', 'sa.key', 'sa.pub']) {
      assert.ok(existsSync(join(dir, 'pki', f)), f);
    }
    for (const f of ['ca.key', 'apiserver.key', 'admin.key', 'sa.key']) {
      assert.equal((await fs.stat(join(dir, 'pki', f))).mode & 0o777, 0o600, f);
    }
    assert.equal(existsSync(join(dir, 'pki', '.pki.lock')), false, 'lock released');

    const ca = certificateInfo(a.caCertPem);
    assert.equal(ca.isCA, true);
    const admin = certificateInfo(a.adminCertPem);
    assert.equal(admin.subjectCN, 'karmada-admin');
    assert.deepEqual(admin.organizations, ['system:masters']);
    assert.equal(admin.isCA, false);
    assert.equal(admin.issuerCN, ca.subjectCN);
    assert.ok(admin.notAfter.getTime() > Date.now() + 300 * 24 * 3600 * 1000);

    const serving = new X509Certificate(a.servingCertPem);
    for (const h of ['localhost', 'karmada.example.test']) assert.equal(serving.checkHost(h), h, h);
    for (const ip of ['127.0.0.1', '::1', '10.1.2.3']) assert.equal(serving.checkIP(ip), ip, ip);
    assert.ok(serving.checkIssued(new X509Certificate(a.caCertPem)));
    assert.ok(serving.verify(new X509Certificate(a.caCertPem).publicKey));
    assert.match(a.serviceAccountPubPem, /^-----BEGIN PUBLIC KEY-----/);
    assert.match(a.serviceAccountKeyPem, /^-----BEGIN RSA PRIVATE KEY-----/);

    const b = await loadOrCreatePKI(join(dir, 'pki'), { hosts: ['karmada.example.test', '10.1.2.3'] });
    for (const k of ['caCertPem', 'caKeyPem', 'servingCertPem', 'servingKeyPem', 'adminCertPem', 'adminKeyPem', 'serviceAccountKeyPem', 'serviceAccountPubPem'] as const) {
      assert.equal(b[k], a[k], `${k} reused`);
    }
  });

  it('re-issues the serving certificate from the same CA and key when a SAN is missing, keeping earlier SANs', async () => {
    const dir = tempDir('pki-san-');
    const a = await loadOrCreatePKI(dir, { hosts: ['one.test'] });
    const b = await loadOrCreatePKI(dir, { hosts: ['two.test', '192.168.7.7'] });
    assert.equal(b.caCertPem, a.caCertPem);
    assert.equal(b.servingKeyPem, a.servingKeyPem);
    assert.equal(b.adminCertPem, a.adminCertPem);
    assert.notEqual(b.servingCertPem, a.servingCertPem);
    const cert = new X509Certificate(b.servingCertPem);
    for (const h of ['one.test', 'two.test', 'localhost']) assert.equal(cert.checkHost(h), h);
    assert.equal(cert.checkIP('192.168.7.7'), '192.168.7.7');
    assert.ok(cert.checkIssued(new X509Certificate(a.caCertPem)));
    assert.equal(await fs.readFile(join(dir, 'apiserver.crt'), 'utf8'), b.servingCertPem);
    // asking again for an IPv6 loopback spelled differently changes nothing
    const c = await loadOrCreatePKI(dir, { hosts: ['0:0:0:0:0:0:0:1', 'TWO.test'] });
    assert.equal(c.servingCertPem, b.servingCertPem);
  });

  it('re-issues the admin certificate when it is not from this CA', async () => {
    const dir = tempDir('pki-admin-');
    const a = await loadOrCreatePKI(dir, { hosts: [] });
    const other = await createCA({ commonName: 'other' });
    const foreign = await issueClientCert(other, { commonName: 'karmada-admin', organizations: ['system:masters'], keyPem: a.adminKeyPem });
    await fs.writeFile(join(dir, 'admin.crt'), foreign.certPem);
    const b = await loadOrCreatePKI(dir, { hosts: [] });
    assert.notEqual(b.adminCertPem, foreign.certPem);
    assert.ok(new X509Certificate(b.adminCertPem).checkIssued(new X509Certificate(a.caCertPem)));
  });

  it('refuses a CA certificate without its key', async () => {
    const dir = tempDir('pki-nokey-');
    const ca = await createCA();
    await fs.writeFile(join(dir, 'ca.crt'), ca.certPem);
    await assert.rejects(loadOrCreatePKI(dir, { hosts: [] }), /ca.key is missing/);
  });

  it('breaks a stale lock left by a dead process', async () => {
    const dir = tempDir('pki-stale-');
    const child = spawn(process.execPath, ['-e', '0']);
    const deadPid = child.pid!;
    await new Promise((r) => child.on('exit', r));
    await fs.writeFile(join(dir, '.pki.lock'), `${deadPid}\n${hostname()}\nx\n`);
    const warnings: object[] = [];
    const pki = await loadOrCreatePKI(dir, { hosts: [], lockTimeoutMs: 5000, logger: { info() {}, warn: (o) => warnings.push(o) } });
    assert.ok(pki.caCertPem);
    assert.equal(warnings.length, 1);
  });

  it('processes starting at the same time share one CA', async () => {
    const dir = tempDir('pki-race-');
    const indexUrl = new URL('./index.js', import.meta.url).href;
    const script = `
      const { loadOrCreatePKI } = await import(${JSON.stringify(indexUrl)});
      const { createHash } = await import('node:crypto');
      const p = await loadOrCreatePKI(process.argv[1], { hosts: ['host-' + process.argv[2] + '.test'] });
      const h = (s) => createHash('sha256').update(s).digest('hex');
      console.log(JSON.stringify({ ca: h(p.caCertPem), caKey: h(p.caKeyPem), admin: h(p.adminKeyPem), serving: h(p.servingKeyPem), sa: h(p.serviceAccountKeyPem) }));
    `;
    const procs = Array.from({ length: 4 }, (_, i) =>
      new Promise<string>((resolve, reject) => {
        execFile(process.execPath, ['--input-type=module', '-e', script, dir, String(i)], { timeout: 60_000 }, (err, stdout, stderr) =>
          err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout.trim()),
        );
      }),
    );
    // and two in-process loads racing them
    const local = [loadOrCreatePKI(dir, { hosts: ['local-a.test'] }), loadOrCreatePKI(dir, { hosts: ['local-b.test'] })];
    const results = (await Promise.all(procs)).map((s) => JSON.parse(s) as Record<string, string>);
    const locals = await Promise.all(local);
    const first = results[0];
    for (const r of results) assert.deepEqual(r, first);
    for (const l of locals) {
      assert.equal(sha(l.caCertPem), first.ca);
      assert.equal(sha(l.servingKeyPem), first.serving);
    }
    const onDisk = await fs.readFile(join(dir, 'ca.crt'), 'utf8');
    assert.equal(sha(onDisk), first.ca);
    // the final serving certificate is valid for the CA on disk
    assert.ok(new X509Certificate(await fs.readFile(join(dir, 'apiserver.crt'), 'utf8')).checkIssued(new X509Certificate(onDisk)));
    const leftovers = (await fs.readdir(dir)).filter((f) => f.endsWith('.tmp') || f.startsWith('.pki.lock'));
    assert.deepEqual(leftovers, []);
  });
});

describe('TLS with the generated certificates', () => {
  it('a client trusting only the CA connects with the admin cert; the server sees CN/O', async () => {
    const pki = await loadOrCreatePKI(tempDir('pki-tls-'), { hosts: [] });
    const srv = await startServer(pki);
    try {
      for (const host of ['127.0.0.1', 'localhost']) {
        const res = await request({ host, port: srv.port, path: '/x', ca: pki.caCertPem, cert: pki.adminCertPem, key: pki.adminKeyPem });
        assert.equal(res.status, 200);
        const { seen } = JSON.parse(res.body) as { seen: Seen };
        assert.equal(seen.authorized, true);
        assert.equal(seen.subject?.CN, 'karmada-admin');
        assert.equal(seen.subject?.O, 'system:masters');
      }
      // without a client cert the server sees an anonymous, unauthorized peer
      const anon = await request({ host: '127.0.0.1', port: srv.port, path: '/', ca: pki.caCertPem });
      assert.equal((JSON.parse(anon.body) as { seen: Seen }).seen.authorized, false);
      // a client trusting another CA refuses the server
      const other = await createCA({ commonName: 'other' });
      await assert.rejects(request({ host: '127.0.0.1', port: srv.port, path: '/', ca: other.certPem }), /self[- ]signed|unable to verify|certificate/i);
      // a client cert from another CA is not authorized
      const foreign = await issueClientCert(other, { commonName: 'mallory', organizations: ['system:masters'] });
      const res = await request({ host: '127.0.0.1', port: srv.port, path: '/', ca: pki.caCertPem, cert: foreign.certPem, key: foreign.keyPem });
      assert.equal((JSON.parse(res.body) as { seen: Seen }).seen.authorized, false);
    } finally {
      await srv.close();
    }
  });

  it('serves ::1 with the IPv6 loopback SAN', async (t) => {
    const pki = await loadOrCreatePKI(tempDir('pki-v6-'), { hosts: [] });
    let srv: Awaited<ReturnType<typeof startServer>>;
    try {
      srv = await startServer(pki, '::1');
    } catch {
      t.skip('no IPv6 loopback');
      return;
    }
    try {
      const res = await request({ host: '::1', port: srv.port, path: '/', ca: pki.caCertPem, cert: pki.adminCertPem, key: pki.adminKeyPem });
      assert.equal(res.status, 200);
    } finally {
      await srv.close();
    }
  });
});

describe('certificates', () => {
  it('caCertHash is sha256:<hex> of the CA SubjectPublicKeyInfo (kubeadm pin)', async () => {
    const dir = tempDir('pki-hash-');
    const pki = await loadOrCreatePKI(dir, { hosts: [] });
    const hash = caCertHash(pki.caCertPem);
    assert.match(hash, /^sha256:[0-9a-f]{64}$/);
    assert.equal(pki.caCertHash, hash);
    const spki = new X509Certificate(pki.caCertPem).publicKey.export({ type: 'spki', format: 'der' });
    assert.equal(hash, `sha256:${createHash('sha256').update(spki).digest('hex')}`);
    // kubeadm's documented recipe
    const openssl = await run('sh', [
      '-c',
      `openssl x509 -pubkey -noout -in '${join(dir, 'ca.crt')}' | openssl pkey -pubin -outform der 2>/dev/null | openssl dgst -sha256 -hex | sed 's/^.* //'`,
    ]);
    if (openssl.code === 0 && openssl.stdout.trim()) assert.equal(hash, `sha256:${openssl.stdout.trim()}`);
  });

  it('certificateInfo reports subject, organizations, validity and CA flag', async () => {
    const ca = await createCA({ commonName: 'test-ca', days: 10 });
    const info = certificateInfo(ca.certPem);
    assert.equal(info.subjectCN, 'test-ca');
    assert.equal(info.isCA, true);
    assert.ok(Math.abs(info.notAfter.getTime() - (Date.now() + 10 * 86400_000)) < 60_000);
    const client = await issueClientCert(ca, { commonName: 'alice', organizations: ['dev', 'ops'], days: 2 });
    const ci = certificateInfo(client.certPem);
    assert.deepEqual([ci.subjectCN, ci.organizations, ci.isCA, ci.issuerCN], ['alice', ['dev', 'ops'], false, 'test-ca']);
    assert.ok(ci.notBefore.getTime() <= Date.now() - 4 * 60_000, 'backdated');
    // client certificates never outlive their CA
    const long = await issueClientCert(ca, { commonName: 'bob', days: 100 });
    assert.ok(certificateInfo(long.certPem).notAfter.getTime() <= info.notAfter.getTime());
  });

  it('signCSR issues a certificate for a PKCS#10 request with the requested usages', async () => {
    const ca = await createCA();
    const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
    const csr = await x509.Pkcs10CertificateRequestGenerator.create(
      {
        name: [{ O: ['system:nodes'] }, { CN: ['system:node:member1'] }],
        keys,
        signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
        extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'member1.test' }, { type: 'ip', value: '10.0.0.9' }])],
      },
      webcrypto as unknown as Crypto,
    );
    const pem = await signCSR(ca, csr.toString('pem'), { usages: ['digital signature', 'key encipherment', 'client auth', 'server auth'], expirationSeconds: 3600 });
    const cert = new X509Certificate(pem);
    assert.ok(cert.verify(new X509Certificate(ca.certPem).publicKey));
    const info = certificateInfo(pem);
    assert.equal(info.subjectCN, 'system:node:member1');
    assert.deepEqual(info.organizations, ['system:nodes']);
    assert.equal(info.isCA, false);
    assert.deepEqual(info.dnsNames, ['member1.test']);
    assert.deepEqual(info.ipAddresses, ['10.0.0.9']);
    assert.deepEqual([...(cert.keyUsage ?? [])].sort(), ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    assert.ok(Math.abs(info.notAfter.getTime() - (Date.now() + 3600_000)) < 60_000);
    await assert.rejects(signCSR(ca, csr.toString('pem'), { usages: ['teleport'] }), /unsupported key usage/);
    // a CSR whose signature does not verify is rejected
    const other = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
    const forged = await x509.Pkcs10CertificateRequestGenerator.create(
      { name: 'CN=x', keys: { privateKey: other.privateKey, publicKey: keys.publicKey }, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams },
      webcrypto as unknown as Crypto,
    );
    await assert.rejects(signCSR(ca, forged.toString('pem'), { usages: ['client auth'] }), /verification failed/);
  });

  it('normalizes IP spellings', () => {
    assert.equal(normalizeIP('::1'), normalizeIP('0:0:0:0:0:0:0:1'));
    assert.equal(normalizeIP('[fe80::1]'), 'fe80:0:0:0:0:0:0:1');
    assert.equal(normalizeIP('::ffff:10.0.0.1'), '0:0:0:0:0:ffff:a00:1');
    assert.equal(normalizeIP('example.test'), undefined);
  });
});

describe('kubeconfig', () => {
  it('is kubectl-shaped YAML written 0600 into new directories', async () => {
    const pki = await loadOrCreatePKI(tempDir('pki-kc-'), { hosts: [] });
    const yaml = buildKubeconfig({
      server: 'https://127.0.0.1:6443',
      caPem: pki.caCertPem,
      contextName: 'karmada-apiserver',
      clusterName: 'karmada-apiserver',
      userName: 'karmada-admin',
      user: { clientCertPem: pki.adminCertPem, clientKeyPem: pki.adminKeyPem },
      namespace: 'karmada-system',
    });
    const doc = parseYaml(yaml) as Record<string, any>;
    assert.equal(doc.apiVersion, 'v1');
    assert.equal(doc.kind, 'Config');
    assert.equal(doc['current-context'], 'karmada-apiserver');
    assert.equal(Buffer.from(doc.clusters[0].cluster['certificate-authority-data'], 'base64').toString(), pki.caCertPem);
    assert.deepEqual(doc.contexts[0], { context: { cluster: 'karmada-apiserver', namespace: 'karmada-system', user: 'karmada-admin' }, name: 'karmada-apiserver' });
    assert.equal(Buffer.from(doc.users[0].user['client-key-data'], 'base64').toString(), pki.adminKeyPem);
    const file = join(tempDir('kc-write-'), 'a', 'b', 'config');
    await writeKubeconfig(file, yaml);
    assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
    assert.equal(await fs.readFile(file, 'utf8'), yaml);
    await writeKubeconfig(file, yaml.replace('karmada-system', 'default'));
    assert.match(await fs.readFile(file, 'utf8'), /namespace: default/);
  });

  describe('with real kubectl', async () => {
    const hasKubectl = (await run('kubectl', ['version', '--client'])).code === 0;

    it('round-trips config view and authenticates get --raw with the admin cert and with a token', { skip: !hasKubectl && 'kubectl not on PATH' }, async () => {
      const dir = tempDir('pki-kubectl-');
      const pki = await loadOrCreatePKI(join(dir, 'pki'), { hosts: [] });
      const srv = await startServer(pki);
      try {
        for (const host of ['127.0.0.1', 'localhost']) {
          const file = join(dir, host, 'karmada.config');
          await writeKubeconfig(
            file,
            buildKubeconfig({
              server: `https://${host}:${srv.port}`,
              caPem: pki.caCertPem,
              contextName: 'karmada-apiserver',
              clusterName: 'karmada-apiserver',
              userName: 'karmada-admin',
              user: { clientCertPem: pki.adminCertPem, clientKeyPem: pki.adminKeyPem },
            }),
          );
          const k = (...args: string[]) => run('kubectl', ['--kubeconfig', file, ...args]);
          const view = await k('config', 'view', '--raw', '-o', 'jsonpath={.users[0].user.client-certificate-data}');
          assert.equal(view.code, 0, view.stderr);
          assert.equal(Buffer.from(view.stdout, 'base64').toString(), pki.adminCertPem);
          const ctx = await k('config', 'current-context');
          assert.equal(ctx.stdout.trim(), 'karmada-apiserver');
          const server = await k('config', 'view', '-o', 'jsonpath={.clusters[0].cluster.server}');
          assert.equal(server.stdout, `https://${host}:${srv.port}`);

          const before = srv.seen.length;
          const raw = await k('get', '--raw', '/x');
          assert.equal(raw.code, 0, raw.stderr);
          assert.equal(JSON.parse(raw.stdout).message, 'hello');
          const seen = srv.seen.slice(before).find((s) => s.path === '/x');
          assert.ok(seen, 'request reached the server');
          assert.equal(seen.authorized, true);
          assert.equal(seen.subject?.CN, 'karmada-admin');
          assert.equal(seen.subject?.O, 'system:masters');
        }

        const tokenFile = join(dir, 'token.config');
        await writeKubeconfig(
          tokenFile,
          buildKubeconfig({ server: `https://127.0.0.1:${srv.port}`, caPem: pki.caCertPem, contextName: 'tok', clusterName: 'karmada', user: { token: 's3cr3t' } }),
        );
        const before = srv.seen.length;
        const raw = await run('kubectl', ['--kubeconfig', tokenFile, 'get', '--raw', '/y']);
        assert.equal(raw.code, 0, raw.stderr);
        const seen = srv.seen.slice(before).find((s) => s.path === '/y');
        assert.equal(seen?.authorization, 'Bearer s3cr3t');
        assert.equal(seen?.authorized, false);
      } finally {
        await srv.close();
      }
    });
  });
});
