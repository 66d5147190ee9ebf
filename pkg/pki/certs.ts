// Certificate authority primitives on @peculiar/x509 + Node's WebCrypto: key generation (ECDSA P-256 for TLS,
// RSA for service-account signing), CA/serving/client certificate issuance, CSR signing with the
// certificates.k8s.io usage vocabulary, inspection, and kubeadm's CA public-key pin.

import { createHash, createPrivateKey, createPublicKey, generateKeyPair, randomBytes, webcrypto, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { promisify } from 'node:util';

import * as x509 from '@peculiar/x509';

const generateKeyPairAsync = promisify(generateKeyPair);
/** The WebCrypto provider handed to every @peculiar/x509 call (no global provider mutation). */
const crypto = webcrypto as unknown as Crypto;

export interface CertificateAuthority {
  certPem: string;
  keyPem: string;
}

export interface CertAndKey {
  certPem: string;
  keyPem: string;
}

export interface CertificateInfo {
  subjectCN: string;
  organizations: string[];
  issuerCN: string;
  notBefore: Date;
  notAfter: Date;
  isCA: boolean;
  serialNumber: string;
  dnsNames: string[];
  ipAddresses: string[];
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Leaf certificates are backdated like the kube CSR signer does, to tolerate clock skew. */
const BACKDATE_MS = 5 * 60 * 1000;

// ---- keys -----------------------------------------------------------------------------------------

/** New ECDSA P-256 private key, PEM "EC PRIVATE KEY" (SEC1) as kubeadm writes them. */
export async function generateECKeyPem(): Promise<string> {
  const { privateKey } = await generateKeyPairAsync('ec', { namedCurve: 'prime256v1' });
  return ensureNewline(privateKey.export({ type: 'sec1', format: 'pem' }) as string);
}

/** New RSA private key, PEM "RSA PRIVATE KEY" (PKCS#1), e.g. for the service-account token signer. */
export async function generateRSAKeyPem(bits = 2048): Promise<string> {
  const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: bits });
  return ensureNewline(privateKey.export({ type: 'pkcs1', format: 'pem' }) as string);
}

/** PEM "PUBLIC KEY" (SPKI) of a private or public key PEM. */
export function publicKeyPem(keyPem: string): string {
  return ensureNewline(createPublicKey(keyPem).export({ type: 'spki', format: 'pem' }) as string);
}

/** DER SubjectPublicKeyInfo (as an ArrayBuffer-backed view, which WebCrypto typings require). */
function spkiDer(key: KeyObject | string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createPublicKey(key).export({ type: 'spki', format: 'der' }));
}

interface SigningKey {
  privateKey: CryptoKey;
  signingAlgorithm: Algorithm | EcdsaParams;
}

/** Imports a PEM private key (EC P-256/384/521 or RSA; SEC1, PKCS#1 or PKCS#8) for signing. */
async function importSigningKey(keyPem: string): Promise<SigningKey> {
  const ko = createPrivateKey(keyPem);
  const pkcs8 = ko.export({ type: 'pkcs8', format: 'der' });
  if (ko.asymmetricKeyType === 'ec') {
    const curve = ko.asymmetricKeyDetails?.namedCurve;
    const map: Record<string, [string, string]> = {
      prime256v1: ['P-256', 'SHA-256'],
      secp384r1: ['P-384', 'SHA-384'],
      secp521r1: ['P-521', 'SHA-512'],
    };
    const [namedCurve, hash] = map[curve ?? ''] ?? [];
    if (!namedCurve) throw new Error(`unsupported EC curve ${curve}`);
    const privateKey = await webcrypto.subtle.importKey('pkcs8', pkcs8, { name: 'ECDSA', namedCurve }, false, ['sign']);
    return { privateKey: privateKey as unknown as CryptoKey, signingAlgorithm: { name: 'ECDSA', hash } as EcdsaParams };
  }
  if (ko.asymmetricKeyType === 'rsa') {
    const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    const privateKey = await webcrypto.subtle.importKey('pkcs8', pkcs8, alg, false, ['sign']);
    return { privateKey: privateKey as unknown as CryptoKey, signingAlgorithm: alg };
  }
  throw new Error(`unsupported key type ${ko.asymmetricKeyType}`);
}

// ---- helpers --------------------------------------------------------------------------------------

function ensureNewline(pem: string): string {
  return pem.endsWith('\n') ? pem : `${pem}\n`;
}

function certPem(cert: x509.X509Certificate): string {
  return ensureNewline(cert.toString('pem'));
}

/** Positive, non-zero 128-bit serial (RFC 5280: at most 20 octets, positive). */
function randomSerial(): string {
  const b = randomBytes(16);
  b[0] = (b[0] & 0x7f) | 0x01;
  return b.toString('hex');
}

function nameJSON(commonName: string, organizations: string[] = []): x509.JsonName {
  const name: x509.JsonName = [];
  for (const o of organizations) name.push({ O: [o] });
  name.push({ CN: [commonName] });
  return name;
}

/** Canonical text of an IPv4/IPv6 address (so '::1' and '0:0:0:0:0:0:0:1' compare equal); undefined if not an IP. */
export function normalizeIP(ip: string): string | undefined {
  const s = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  const v = isIP(s);
  if (v === 4) return s.split('.').map((p) => String(Number(p))).join('.');
  if (v !== 6) return undefined;
  let text = s.toLowerCase();
  // embedded IPv4 tail (::ffff:1.2.3.4)
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1].split('.').map(Number);
    text = text.slice(0, -v4[1].length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.map((g) => parseInt(g, 16).toString(16)).join(':');
}

function splitHosts(hosts: string[]): { dns: string[]; ips: string[] } {
  const dns = new Set<string>();
  const ips = new Map<string, string>();
  for (const raw of hosts) {
    const h = raw.trim();
    if (!h) continue;
    const ip = normalizeIP(h);
    if (ip) {
      if (!ips.has(ip)) ips.set(ip, h.startsWith('[') ? h.slice(1, -1) : h);
    } else {
      dns.add(h.toLowerCase());
    }
  }
  return { dns: [...dns], ips: [...ips.values()] };
}

async function loadCA(ca: CertificateAuthority): Promise<{ cert: x509.X509Certificate; key: SigningKey }> {
  const cert = new x509.X509Certificate(ca.certPem);
  return { cert, key: await importSigningKey(ca.keyPem) };
}

async function authorityKeyId(caCert: x509.X509Certificate): Promise<x509.AuthorityKeyIdentifierExtension> {
  const ski = caCert.getExtension(x509.SubjectKeyIdentifierExtension);
  if (ski) return new x509.AuthorityKeyIdentifierExtension(ski.keyId);
  return x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey, false, crypto);
}

interface LeafParams {
  subject: x509.JsonName | x509.Name;
  publicKeySpki: BufferSource | x509.PublicKey;
  keyUsages: x509.KeyUsageFlags;
  extKeyUsages: string[];
  san?: x509.SubjectAlternativeNameExtension;
  notAfter: Date;
}

async function issueLeaf(ca: CertificateAuthority, p: LeafParams): Promise<string> {
  const { cert: caCert, key } = await loadCA(ca);
  const now = Date.now();
  const notAfter = p.notAfter.getTime() > caCert.notAfter.getTime() ? caCert.notAfter : p.notAfter;
  const extensions: x509.Extension[] = [new x509.BasicConstraintsExtension(false, undefined, true)];
  if (p.keyUsages) extensions.push(new x509.KeyUsagesExtension(p.keyUsages, true));
  if (p.extKeyUsages.length) extensions.push(new x509.ExtendedKeyUsageExtension(p.extKeyUsages, false));
  extensions.push(await authorityKeyId(caCert));
  if (p.san) extensions.push(p.san);
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(),
      subject: p.subject,
      issuer: caCert.subjectName,
      notBefore: new Date(now - BACKDATE_MS),
      notAfter,
      publicKey: p.publicKeySpki,
      signingKey: key.privateKey,
      signingAlgorithm: key.signingAlgorithm,
      extensions,
    },
    crypto,
  );
  return certPem(cert);
}

// ---- issuance -------------------------------------------------------------------------------------

/** A self-signed CA certificate for `keyPem` (generated when omitted). */
export async function createCA(opts: { commonName?: string; days?: number; keyPem?: string } = {}): Promise<CertificateAuthority> {
  const keyPem = opts.keyPem ?? (await generateECKeyPem());
  const key = await importSigningKey(keyPem);
  const spki = spkiDer(keyPem);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(),
      subject: nameJSON(opts.commonName ?? 'karmada'),
      issuer: nameJSON(opts.commonName ?? 'karmada'),
      notBefore: new Date(now - BACKDATE_MS),
      notAfter: new Date(now + (opts.days ?? 3650) * DAY_MS),
      publicKey: spki,
      signingKey: key.privateKey,
      signingAlgorithm: key.signingAlgorithm,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.keyCertSign, true),
        await x509.SubjectKeyIdentifierExtension.create(spki, false, crypto),
      ],
    },
    crypto,
  );
  return { certPem: certPem(cert), keyPem };
}

/** A TLS serving certificate for `hosts` (DNS names and IP addresses) signed by `ca`. */
export async function issueServingCert(
  ca: CertificateAuthority,
  opts: { hosts: string[]; commonName?: string; days?: number; keyPem?: string },
): Promise<CertAndKey> {
  const keyPem = opts.keyPem ?? (await generateECKeyPem());
  const { dns, ips } = splitHosts(opts.hosts);
  const names: x509.JsonGeneralNames = [...dns.map((value) => ({ type: 'dns' as const, value })), ...ips.map((value) => ({ type: 'ip' as const, value }))];
  const certPemText = await issueLeaf(ca, {
    subject: nameJSON(opts.commonName ?? 'karmada-apiserver'),
    publicKeySpki: spkiDer(keyPem),
    keyUsages: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
    extKeyUsages: [x509.ExtendedKeyUsage.serverAuth],
    san: names.length ? new x509.SubjectAlternativeNameExtension(names, false) : undefined,
    notAfter: new Date(Date.now() + (opts.days ?? 365) * DAY_MS),
  });
  return { certPem: certPemText, keyPem };
}

/** A TLS client certificate (user = CN, groups = O) signed by `ca`, with a fresh key unless one is given. */
export async function issueClientCert(
  ca: CertificateAuthority,
  opts: { commonName: string; organizations?: string[]; days?: number; keyPem?: string },
): Promise<CertAndKey> {
  const keyPem = opts.keyPem ?? (await generateECKeyPem());
  const certPemText = await issueLeaf(ca, {
    subject: nameJSON(opts.commonName, opts.organizations ?? []),
    publicKeySpki: spkiDer(keyPem),
    keyUsages: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
    extKeyUsages: [x509.ExtendedKeyUsage.clientAuth],
    notAfter: new Date(Date.now() + (opts.days ?? 365) * DAY_MS),
  });
  return { certPem: certPemText, keyPem };
}

/** certificates.k8s.io KeyUsage strings → X.509 key usage bits. */
const KEY_USAGES: Record<string, x509.KeyUsageFlags> = {
  signing: x509.KeyUsageFlags.digitalSignature,
  'digital signature': x509.KeyUsageFlags.digitalSignature,
  'content commitment': x509.KeyUsageFlags.nonRepudiation,
  'key encipherment': x509.KeyUsageFlags.keyEncipherment,
  'key agreement': x509.KeyUsageFlags.keyAgreement,
  'data encipherment': x509.KeyUsageFlags.dataEncipherment,
  'cert sign': x509.KeyUsageFlags.keyCertSign,
  'crl sign': x509.KeyUsageFlags.cRLSign,
  'encipher only': x509.KeyUsageFlags.encipherOnly,
  'decipher only': x509.KeyUsageFlags.decipherOnly,
};

/** certificates.k8s.io KeyUsage strings → extended key usage OIDs. */
const EXT_KEY_USAGES: Record<string, string> = {
  any: '2.5.29.37.0',
  'server auth': '1.3.6.1.5.5.7.3.1',
  'client auth': '1.3.6.1.5.5.7.3.2',
  'code signing': '1.3.6.1.5.5.7.3.3',
  'email protection': '1.3.6.1.5.5.7.3.4',
  's/mime': '1.3.6.1.5.5.7.3.4',
  'ipsec end system': '1.3.6.1.5.5.7.3.5',
  'ipsec tunnel': '1.3.6.1.5.5.7.3.6',
  'ipsec user': '1.3.6.1.5.5.7.3.7',
  timestamping: '1.3.6.1.5.5.7.3.8',
  'ocsp signing': '1.3.6.1.5.5.7.3.9',
  'microsoft sgc': '1.3.6.1.4.1.311.10.3.3',
  'netscape sgc': '2.16.840.1.113730.4.1',
};

export const SUPPORTED_CSR_USAGES: readonly string[] = [...Object.keys(KEY_USAGES), ...Object.keys(EXT_KEY_USAGES)];

/**
 * Signs a PKCS#10 CSR (PEM "CERTIFICATE REQUEST") the way the kube-controller-manager CSR signer does: subject
 * and SANs from the request, usages from the certificates.k8s.io vocabulary, not a CA, backdated 5 minutes,
 * valid for `expirationSeconds` or `days` (default 365) but never beyond the CA.
 */
export async function signCSR(
  ca: CertificateAuthority,
  csrPem: string,
  opts: { usages: string[]; days?: number; expirationSeconds?: number },
): Promise<string> {
  const csr = new x509.Pkcs10CertificateRequest(csrPem);
  if (!(await csr.verify(crypto))) throw new Error('CSR signature verification failed');
  let keyUsages = 0;
  const extKeyUsages: string[] = [];
  for (const u of opts.usages) {
    if (u in KEY_USAGES) keyUsages |= KEY_USAGES[u];
    else if (u in EXT_KEY_USAGES) {
      if (!extKeyUsages.includes(EXT_KEY_USAGES[u])) extKeyUsages.push(EXT_KEY_USAGES[u]);
    } else throw new Error(`unsupported key usage: ${u}`);
  }
  const sanExt = csr.getExtension('2.5.29.17');
  let durationMs = (opts.days ?? 365) * DAY_MS;
  if (typeof opts.expirationSeconds === 'number') durationMs = Math.min(durationMs, opts.expirationSeconds * 1000);
  return issueLeaf(ca, {
    subject: csr.subjectName,
    publicKeySpki: csr.publicKey,
    keyUsages: keyUsages as x509.KeyUsageFlags,
    extKeyUsages,
    san: sanExt ? new x509.SubjectAlternativeNameExtension(sanExt.rawData) : undefined,
    notAfter: new Date(Date.now() + durationMs),
  });
}

// ---- inspection -----------------------------------------------------------------------------------

/** Subject CN/O, validity and CA flag of a PEM certificate (the first one in a bundle). */
export function certificateInfo(pem: string): CertificateInfo {
  const cert = new x509.X509Certificate(firstPem(pem));
  const bc = cert.getExtension(x509.BasicConstraintsExtension);
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const sanNames = san ? san.names.toJSON() : [];
  return {
    subjectCN: cert.subjectName.getField('CN')[0] ?? '',
    organizations: cert.subjectName.getField('O'),
    issuerCN: cert.issuerName.getField('CN')[0] ?? '',
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    isCA: bc?.ca ?? false,
    serialNumber: cert.serialNumber,
    dnsNames: sanNames.filter((n) => n.type === 'dns').map((n) => n.value),
    ipAddresses: sanNames.filter((n) => n.type === 'ip').map((n) => n.value),
  };
}

function firstPem(pem: string): string {
  const m = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(pem);
  if (!m) throw new Error('no PEM certificate found');
  return m[0];
}

/**
 * kubeadm's discovery-token-ca-cert-hash: "sha256:" + hex SHA-256 of the CA certificate's DER
 * SubjectPublicKeyInfo (pubkeypin.Hash over RawSubjectPublicKeyInfo).
 */
export function caCertHash(caPem: string): string {
  const cert = new x509.X509Certificate(firstPem(caPem));
  return `sha256:${createHash('sha256').update(Buffer.from(cert.publicKey.rawData)).digest('hex')}`;
}

/** Whether `certPem` was signed by the CA certificate `caPem`. */
export async function isSignedBy(certPemText: string, caPem: string): Promise<boolean> {
  try {
    const cert = new x509.X509Certificate(firstPem(certPemText));
    const caCert = new x509.X509Certificate(firstPem(caPem));
    if (cert.issuer !== caCert.subject) return false;
    return await cert.verify({ publicKey: caCert.publicKey, signatureOnly: true }, crypto);
  } catch {
    return false;
  }
}

/** Whether the certificate's public key is the public half of `keyPem`. */
export function certMatchesKey(certPemText: string, keyPem: string): boolean {
  try {
    const cert = new x509.X509Certificate(firstPem(certPemText));
    return Buffer.from(cert.publicKey.rawData).equals(Buffer.from(spkiDer(keyPem)));
  } catch {
    return false;
  }
}

/** True when every requested host (DNS name or IP) is among the certificate's SANs. */
export function certCoversHosts(certPemText: string, hosts: string[]): boolean {
  const info = certificateInfo(certPemText);
  const dns = new Set(info.dnsNames.map((d) => d.toLowerCase()));
  const ips = new Set(info.ipAddresses.map((i) => normalizeIP(i) ?? i));
  const want = splitHosts(hosts);
  return want.dns.every((d) => dns.has(d)) && want.ips.every((i) => ips.has(normalizeIP(i) ?? i));
}
