// PKCS#10 certificate signing requests: create one for a client identity (CN = user, O = groups) with a
// fresh or given key, and read back what a request asks for (subject and subject alternative names), as
// the CSR approvers do before deciding.

import { createPrivateKey, createPublicKey, webcrypto } from 'node:crypto';

import * as x509 from '@peculiar/x509';

import { generateECKeyPem } from './certs.js';

const crypto = webcrypto as unknown as Crypto;

export interface CreateCSROptions {
  commonName: string;
  organizations?: string[];
  dnsNames?: string[];
  ipAddresses?: string[];
  /** PEM private key (EC P-256/384 or RSA); a new ECDSA P-256 key when omitted. */
  keyPem?: string;
}

export interface CSRAndKey {
  /** PEM "CERTIFICATE REQUEST". */
  csrPem: string;
  /** PEM private key the request was signed with (SEC1 "EC PRIVATE KEY" when generated). */
  keyPem: string;
}

export interface ParsedCSR {
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  ipAddresses: string[];
  emailAddresses: string[];
  uris: string[];
}

async function importKeyPair(keyPem: string): Promise<{ keys: CryptoKeyPair; signingAlgorithm: Algorithm | EcdsaParams }> {
  const ko = createPrivateKey(keyPem);
  const pkcs8 = ko.export({ type: 'pkcs8', format: 'der' });
  const spki = createPublicKey(ko).export({ type: 'spki', format: 'der' });
  let alg: EcKeyImportParams | RsaHashedImportParams;
  let signingAlgorithm: Algorithm | EcdsaParams;
  if (ko.asymmetricKeyType === 'ec') {
    const curves: Record<string, [string, string]> = { prime256v1: ['P-256', 'SHA-256'], secp384r1: ['P-384', 'SHA-384'] };
    const [namedCurve, hash] = curves[ko.asymmetricKeyDetails?.namedCurve ?? ''] ?? [];
    if (!namedCurve) throw new Error(`unsupported EC curve ${ko.asymmetricKeyDetails?.namedCurve}: use P-256 or P-384`);
    alg = { name: 'ECDSA', namedCurve };
    signingAlgorithm = { name: 'ECDSA', hash } as EcdsaParams;
  } else if (ko.asymmetricKeyType === 'rsa') {
    alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    signingAlgorithm = alg;
  } else {
    throw new Error(`unsupported key type ${ko.asymmetricKeyType}: use an EC or RSA key`);
  }
  const privateKey = await webcrypto.subtle.importKey('pkcs8', pkcs8, alg, false, ['sign']);
  const publicKey = await webcrypto.subtle.importKey('spki', spki, alg, true, ['verify']);
  return { keys: { privateKey, publicKey } as unknown as CryptoKeyPair, signingAlgorithm };
}

/** A signed PKCS#10 request for CN=commonName, O=organizations (and SANs, if any). */
export async function createCSR(opts: CreateCSROptions): Promise<CSRAndKey> {
  const keyPem = opts.keyPem ?? (await generateECKeyPem());
  const { keys, signingAlgorithm } = await importKeyPair(keyPem);
  const name: x509.JsonName = [...(opts.organizations?.length ? [{ O: opts.organizations }] : []), { CN: [opts.commonName] }];
  const sans: x509.JsonGeneralNames = [
    ...(opts.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(opts.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const csr = await x509.Pkcs10CertificateRequestGenerator.create(
    { name, keys, signingAlgorithm, extensions: sans.length ? [new x509.SubjectAlternativeNameExtension(sans)] : [] },
    crypto,
  );
  const pem = csr.toString('pem');
  return { csrPem: pem.endsWith('\n') ? pem : `${pem}\n`, keyPem };
}

/** Subject and SANs of a PEM (or base64 of PEM, as in spec.request) certificate request; throws when unparseable. */
export function parseCSR(request: string): ParsedCSR {
  const pem = request.includes('-----BEGIN') ? request : Buffer.from(request, 'base64').toString('utf8');
  if (!pem.includes('CERTIFICATE REQUEST')) throw new Error('no PEM block of type CERTIFICATE REQUEST');
  const csr = new x509.Pkcs10CertificateRequest(pem);
  const ext = csr.getExtension('2.5.29.17');
  const names = ext ? new x509.SubjectAlternativeNameExtension(ext.rawData).names.toJSON() : [];
  const of = (type: string) => names.filter((n) => n.type === type).map((n) => n.value);
  return {
    commonName: csr.subjectName.getField('CN')[0] ?? '',
    organizations: csr.subjectName.getField('O'),
    dnsNames: of('dns'),
    ipAddresses: of('ip'),
    emailAddresses: of('email'),
    uris: of('url'),
  };
}
