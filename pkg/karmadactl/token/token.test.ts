import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { parseBootstrapTokenSecret } from '../../apiserver/auth/bootstraptoken.js';
import { caCertHash, createCA } from '../../pki/index.js';
import { SECRETS } from '../../runtime/gvr.js';
import { startTestApiServer, type TestApiServer } from '../../runtime/testenv.js';
import { captureIO } from '../register/testing.js';
import {
  bootstrapTokenSecret,
  createBootstrapToken,
  deleteBootstrapTokens,
  formatTokenTable,
  listBootstrapTokens,
  registerCommandFor,
  registerCommandLine,
  serverHostPort,
  shortHumanDuration,
  tokenIdOf,
} from './token.js';

describe('token helpers', () => {
  it('registerCommandLine is exactly the karmadactl register line', () => {
    assert.equal(
      registerCommandLine('10.0.0.1:5443', 'abcdef.0123456789abcdef', `sha256:${'0'.repeat(64)}`),
      `karmadactl register 10.0.0.1:5443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash sha256:${'0'.repeat(64)}`,
    );
  });

  it('serverHostPort keeps the port and fills in the scheme default', () => {
    const cases: [string, string][] = [
      ['https://127.0.0.1:5443', '127.0.0.1:5443'],
      ['https://karmada.example.com', 'karmada.example.com:443'],
      ['https://[::1]:6443/', '[::1]:6443'],
    ];
    for (const [server, want] of cases) assert.equal(serverHostPort(server), want, server);
    assert.throws(() => serverHostPort('not a url'), /is not a URL/);
  });

  it('registerCommandFor takes host:port and the CA hash from the current cluster of a kubeconfig', async () => {
    const ca = await createCA();
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'k', server: 'https://192.0.2.7:5443', caData: Buffer.from(ca.certPem).toString('base64') }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'c', cluster: 'k', user: 'u' }],
      currentContext: 'c',
    });
    assert.equal(registerCommandFor(kc, 'abcdef.0123456789abcdef'), `karmadactl register 192.0.2.7:5443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash ${caCertHash(ca.certPem)}`);
    const insecure = new KubeConfig();
    insecure.loadFromOptions({ clusters: [{ name: 'k', server: 'https://h:1', skipTLSVerify: true }], users: [{ name: 'u' }], contexts: [{ name: 'c', cluster: 'k', user: 'u' }], currentContext: 'c' });
    assert.throws(() => registerCommandFor(insecure, 'abcdef.0123456789abcdef'), /no certificate-authority-data/);
  });

  it('shortHumanDuration matches apimachinery', () => {
    const cases: [number, string][] = [
      [-5000, '<invalid>'],
      [-500, '0s'],
      [59_000, '59s'],
      [90_000, '1m'],
      [23 * 3_600_000 + 59 * 60_000, '23h'],
      [47 * 3_600_000, '47h'],
      [3 * 86_400_000, '3d'],
      [800 * 86_400_000, '2y'],
    ];
    for (const [ms, want] of cases) assert.equal(shortHumanDuration(ms), want, String(ms));
  });

  it('tokenIdOf accepts an id or a full token', () => {
    assert.equal(tokenIdOf('abcdef'), 'abcdef');
    assert.equal(tokenIdOf('abcdef.0123456789abcdef'), 'abcdef');
    assert.throws(() => tokenIdOf('ABCDEF'), /didn't match pattern/);
    assert.throws(() => tokenIdOf('abcdef.short'), /didn't match pattern/);
  });

  it('the Secret is what the apiserver authenticates (kubeadm format)', () => {
    const s = bootstrapTokenSecret({ id: 'abcdef', secret: '0123456789abcdef', expires: '2030-01-01T00:00:00Z', description: 'd', usages: ['signing', 'authentication'], groups: ['system:bootstrappers:karmada:default-cluster-token'] });
    assert.equal(s.metadata?.name, 'bootstrap-token-abcdef');
    const t = parseBootstrapTokenSecret(s);
    assert.ok(t);
    assert.equal(t.secret, '0123456789abcdef');
    assert.deepEqual([...t.usages].sort(), ['authentication', 'signing']);
    assert.deepEqual(t.groups, ['system:bootstrappers', 'system:bootstrappers:karmada:default-cluster-token']);
    assert.equal(t.expiration?.toISOString(), '2030-01-01T00:00:00.000Z');
  });

  it('formats the kubeadm token table', () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    const table = formatTokenTable(
      [
        { token: 'abcdef.0123456789abcdef', expires: new Date(now + 23 * 3_600_000 + 30 * 60_000), usages: ['authentication', 'signing'], description: 'for member3', groups: ['system:bootstrappers:karmada:default-cluster-token'] },
        { token: 'ghijkl.0123456789abcdef', usages: [], description: '', groups: [] },
      ],
      now,
    );
    const [header, first, second] = table.trimEnd().split('\n');
    assert.match(header!, /^TOKEN\s+TTL\s+EXPIRES\s+USAGES\s+DESCRIPTION\s+EXTRA GROUPS$/);
    assert.match(first!, /^abcdef\.0123456789abcdef\s+23h\s+2030-01-01T23:30:00Z\s+authentication,signing\s+for member3\s+system:bootstrappers:karmada:default-cluster-token$/);
    assert.match(second!, /^ghijkl\.0123456789abcdef\s+<forever>\s+<never>\s+<none>\s+<none>\s+<none>$/);
  });
});

describe('token create/list/delete against an apiserver', () => {
  let server: TestApiServer;
  before(async () => {
    server = await startTestApiServer();
  });
  after(async () => {
    await server?.cleanup();
  });

  it('creates a 24h signing+authentication token in the default karmada group', async () => {
    const client = server.client();
    const before = Date.now();
    const t = await createBootstrapToken(client, { description: 'test' });
    assert.match(t.token, /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    assert.equal(t.token, `${t.id}.${t.secret}`);
    const secret = await client.resource(SECRETS).get(`bootstrap-token-${t.id}`, { namespace: 'kube-system' });
    assert.equal(secret.type, 'bootstrap.kubernetes.io/token');
    const parsed = parseBootstrapTokenSecret(secret)!;
    assert.deepEqual([...parsed.usages].sort(), ['authentication', 'signing']);
    assert.ok(parsed.groups.includes('system:bootstrappers:karmada:default-cluster-token'));
    const ttl = parsed.expiration!.getTime() - before;
    assert.ok(ttl > 23.9 * 3_600_000 && ttl <= 24 * 3_600_000 + 1000, String(ttl));

    const forever = await createBootstrapToken(client, { ttlMs: 0, usages: ['signing'], groups: [] });
    assert.equal(forever.expires, undefined);
    await assert.rejects(createBootstrapToken(client, { usages: ['teleport'] }), /invalid bootstrap token usage\(s\) teleport/);
    await assert.rejects(createBootstrapToken(client, { groups: ['admins'] }), /invalid extra group "admins"/);

    const listed = await listBootstrapTokens(client);
    const mine = listed.find((x) => x.token === t.token);
    assert.ok(mine);
    assert.equal(mine.description, 'test');
    assert.deepEqual(mine.groups, ['system:bootstrappers:karmada:default-cluster-token']);
    assert.equal(listed.find((x) => x.token === forever.token)?.expires, undefined);

    const io = captureIO();
    await deleteBootstrapTokens(client, [t.id, forever.token], io);
    assert.deepEqual(io.lines, [`bootstrap token "${t.id}" deleted`, `bootstrap token "${forever.id}" deleted`]);
    assert.equal((await listBootstrapTokens(client)).length, listed.length - 2);
    await assert.rejects(deleteBootstrapTokens(client, [t.id], io), new RegExp(`failed to delete bootstrap token "${t.id}": it does not exist`));
    await assert.rejects(deleteBootstrapTokens(client, [], io), /missing token/);
  });

  it('list warns about malformed token Secrets and skips them', async () => {
    const client = server.client();
    await client.resource(SECRETS).create({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'bootstrap.kubernetes.io/token',
      metadata: { name: 'bootstrap-token-broken', namespace: 'kube-system' },
      stringData: { 'token-id': 'nope' },
    });
    const warnings: string[] = [];
    const listed = await listBootstrapTokens(client, (m) => warnings.push(m));
    assert.ok(!listed.some((t) => t.token.startsWith('nope')));
    assert.deepEqual(warnings, ['secret kube-system/bootstrap-token-broken is not a valid bootstrap token; skipping it']);
  });
});
