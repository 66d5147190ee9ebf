// Compact JWS with node:crypto only: RS256 JWTs (service-account tokens, as kube-apiserver issues them)
// and the HS256 detached signatures of kube-public/cluster-info (k8s.io/cluster-bootstrap/token/jws).

import { createHash, createHmac, createPublicKey, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';

export function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

export interface ParsedJWT {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

/** Splits and decodes a compact JWS carrying a JSON payload; undefined when it is not one. */
export function parseJWT(token: string): ParsedJWT | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[0] || !parts[1]) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as unknown;
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as unknown;
    if (!isObject(header) || !isObject(claims)) return undefined;
    return { header, claims, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2]!, 'base64url') };
  } catch {
    return undefined;
  }
}

/** Signs claims as an RS256 JWT with the given private key (PEM), header {"alg":"RS256","kid":kid}. */
export function signRS256(claims: Record<string, unknown>, privateKeyPem: string | KeyObject, kid: string): string {
  const header = base64url(JSON.stringify({ alg: 'RS256', kid }));
  const payload = base64url(JSON.stringify(claims));
  const input = `${header}.${payload}`;
  return `${input}.${sign('sha256', Buffer.from(input), privateKeyPem).toString('base64url')}`;
}

/** True when an RS256 JWT verifies against one of the public keys. */
export function verifyRS256(jwt: ParsedJWT, publicKeys: KeyObject[]): boolean {
  if (jwt.header.alg !== 'RS256') return false;
  return publicKeys.some((k) => {
    try {
      return verify('sha256', Buffer.from(jwt.signingInput), k, jwt.signature);
    } catch {
      return false;
    }
  });
}

/**
 * kube-apiserver's key id for a service-account signing key: base64url(SHA-256(DER SubjectPublicKeyInfo))
 * (serviceaccount.keyIDFromPublicKey).
 */
export function keyIdFor(publicKeyPem: string | KeyObject): string {
  const key = typeof publicKeyPem === 'string' ? createPublicKey(publicKeyPem) : publicKeyPem;
  return base64url(createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest());
}

/**
 * kubeadm's detached JWS over the cluster-info kubeconfig (jws.ComputeDetachedSignature): an HS256
 * compact JWS with protected header {"alg":"HS256","kid":tokenID}, keyed by the token secret padded
 * with zero bytes to 32, with the payload part removed ("header..signature").
 */
export function computeDetachedSignature(content: string, tokenId: string, tokenSecret: string): string {
  let key = Buffer.from(tokenSecret, 'utf8');
  if (key.length < 32) {
    const padded = Buffer.alloc(32);
    key.copy(padded);
    key = padded;
  }
  // go-jose serialises the header from a map: keys sorted.
  const header = base64url(JSON.stringify({ alg: 'HS256', kid: tokenId }));
  const payload = base64url(content);
  const sig = createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url');
  return `${header}..${sig}`;
}

/** jws.DetachedTokenIsValid. */
export function detachedTokenIsValid(detached: string, content: string, tokenId: string, tokenSecret: string): boolean {
  return constantTimeEqual(detached, computeDetachedSignature(content, tokenId, tokenSecret));
}

export function constantTimeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
