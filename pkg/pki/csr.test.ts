import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { certMatchesKey, certificateInfo, createCA, generateRSAKeyPem, signCSR } from './index.js';
import { createCSR, parseCSR } from './csr.js';

describe('createCSR / parseCSR', () => {
  it('creates a request for CN/O with a fresh EC key that the CA signs', async () => {
    const { csrPem, keyPem } = await createCSR({ commonName: 'system:karmada:agent:member1', organizations: ['system:karmada:agents'] });
    assert.match(csrPem, /^-----BEGIN CERTIFICATE REQUEST-----/);
    assert.match(keyPem, /-----BEGIN EC PRIVATE KEY-----/);
    const parsed = parseCSR(csrPem);
    assert.equal(parsed.commonName, 'system:karmada:agent:member1');
    assert.deepEqual(parsed.organizations, ['system:karmada:agents']);
    assert.deepEqual([parsed.dnsNames, parsed.ipAddresses, parsed.emailAddresses, parsed.uris], [[], [], [], []]);
    // base64 of the PEM (spec.request) parses too
    assert.equal(parseCSR(Buffer.from(csrPem).toString('base64')).commonName, 'system:karmada:agent:member1');
    const ca = await createCA();
    const cert = await signCSR(ca, csrPem, { usages: ['digital signature', 'key encipherment', 'client auth'] });
    assert.ok(certMatchesKey(cert, keyPem));
    assert.equal(certificateInfo(cert).subjectCN, 'system:karmada:agent:member1');
  });

  it('uses a given RSA key and carries SANs', async () => {
    const keyPem = await generateRSAKeyPem();
    const { csrPem, keyPem: used } = await createCSR({ commonName: 'x', dnsNames: ['a.example'], ipAddresses: ['10.0.0.1'], keyPem });
    assert.equal(used, keyPem);
    const parsed = parseCSR(csrPem);
    assert.deepEqual(parsed.organizations, []);
    assert.deepEqual(parsed.dnsNames, ['a.example']);
    assert.deepEqual(parsed.ipAddresses, ['10.0.0.1']);
  });

  it('refuses what is not a certificate request', () => {
    assert.throws(() => parseCSR('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'), /no PEM block of type CERTIFICATE REQUEST/);
  });
});
