import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeDetachedSignature } from '../../apiserver/auth/jwt.js';
import { clusterInfoKubeconfig, signedClusterInfoData } from '../../apiserver/controllers/bootstrapsigner.js';
import { caCertHash, createCA } from '../../pki/index.js';
import { parseBootstrapToken, parseCACertHashes, parseClusterInfoKubeconfig, validateClusterCA, validateClusterInfoToken } from './discovery.js';

const token = { id: 'abcdef', secret: '0123456789abcdef' };

describe('register discovery checks', () => {
  it('parses tokens and refuses malformed ones', () => {
    assert.deepEqual(parseBootstrapToken('abcdef.0123456789abcdef'), token);
    for (const bad of ['abcdef', 'ABCDEF.0123456789abcdef', 'abcdef.0123', 'abcdef:0123456789abcdef']) {
      assert.throws(() => parseBootstrapToken(bad), /was not of the form/, bad);
    }
  });

  it('parses pinned hashes like pubkeypin.Set.Allow', () => {
    const hex = 'AB'.repeat(32);
    assert.deepEqual(parseCACertHashes([`sha256:${hex}`, `SHA256:${hex.toLowerCase()},sha256:${'01'.repeat(32)}`]), [`sha256:${hex.toLowerCase()}`, `sha256:${'01'.repeat(32)}`]);
    assert.throws(() => parseCACertHashes([hex]), /expected "format:hex-value"/);
    assert.throws(() => parseCACertHashes([`md5:${hex}`]), /unknown hash format "md5"/);
    assert.throws(() => parseCACertHashes(['sha256:abc']), /64 hex digits/);
  });

  it('accepts cluster-info only with a verifying signature for the token id', () => {
    const kubeconfig = clusterInfoKubeconfig('https://127.0.0.1:5443', '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n');
    const data = signedClusterInfoData({ kubeconfig }, [{ id: token.id, secret: token.secret, usages: new Set(['signing']), groups: [] }]);
    assert.equal(validateClusterInfoToken(data, token), kubeconfig);
    assert.throws(() => validateClusterInfoToken(data, { id: 'zzzzzz', secret: token.secret }), /token id zzzzzz is unknown or expired; create one with karmadactl token create/);
    assert.throws(() => validateClusterInfoToken(data, { ...token, secret: 'ffffffffffffffff' }), /does not verify .*the token secret is wrong/);
    // a signature over other content (a tampered kubeconfig) does not verify either
    const tampered = { ...data, kubeconfig: kubeconfig.replace('5443', '6443') };
    assert.throws(() => validateClusterInfoToken(tampered, token), /does not verify/);
    assert.throws(() => validateClusterInfoToken({ [`jws-kubeconfig-${token.id}`]: computeDetachedSignature('', token.id, token.secret) }, token), /no kubeconfig key/);
  });

  it('reads the one cluster of the cluster-info kubeconfig and checks its CA against the pins', async () => {
    const ca = await createCA();
    const other = await createCA();
    const info = parseClusterInfoKubeconfig(clusterInfoKubeconfig('https://10.0.0.1:5443', ca.certPem));
    assert.equal(info.server, 'https://10.0.0.1:5443');
    assert.equal(info.caPem, ca.certPem);
    validateClusterCA(ca.certPem, [caCertHash(ca.certPem)], 'https://10.0.0.1:5443');
    // a bundle passes when any of its certificates is pinned
    validateClusterCA(other.certPem + ca.certPem, [caCertHash(ca.certPem)], 'https://10.0.0.1:5443');
    assert.throws(
      () => validateClusterCA(ca.certPem, [caCertHash(other.certPem)], 'https://10.0.0.1:5443'),
      (err: Error) => err.message.startsWith(`none of the pinned hashes matches the CA of https://10.0.0.1:5443: got ${caCertHash(ca.certPem)}`),
    );
    assert.throws(() => parseClusterInfoKubeconfig('clusters: []'), /single cluster, but it had 0/);
  });
});
