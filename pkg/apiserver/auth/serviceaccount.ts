// ServiceAccount tokens (pkg/serviceaccount): RS256 JWTs signed with the server's service-account key.
// Bound tokens (TokenRequest) carry the kubernetes.io claim {namespace, serviceaccount {name, uid},
// pod|secret|node?} and expire; legacy tokens (the token controller's Secrets) carry the
// kubernetes.io/serviceaccount/* claims and live as long as their Secret. Either way the ServiceAccount
// must still exist with the same uid.

import { createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { KubeObject } from '../registry/types.js';
import type { UserInfo } from '../store/store.js';
import type { Authenticator } from './authn.js';
import { constantTimeEqual, keyIdFor, parseJWT, signRS256, verifyRS256 } from './jwt.js';

export const DEFAULT_SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
export const LEGACY_ISSUER = 'kubernetes/serviceaccount';
export const SERVICE_ACCOUNT_USER_PREFIX = 'system:serviceaccount:';
export const SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts';
export const CREDENTIAL_ID_EXTRA = 'authentication.kubernetes.io/credential-id';
/** Clock skew tolerated on exp/nbf/iat, as go-jose's DefaultLeeway. */
const LEEWAY_SECONDS = 60;

export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_USER_PREFIX}${namespace}:${name}`;
}

/** {namespace, name} of a system:serviceaccount:<ns>:<name> user, else undefined. */
export function parseServiceAccountUsername(user: string): { namespace: string; name: string } | undefined {
  if (!user.startsWith(SERVICE_ACCOUNT_USER_PREFIX)) return undefined;
  const parts = user.slice(SERVICE_ACCOUNT_USER_PREFIX.length).split(':');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return { namespace: parts[0], name: parts[1] };
}

export function serviceAccountGroups(namespace: string): string[] {
  return [SERVICE_ACCOUNTS_GROUP, `${SERVICE_ACCOUNTS_GROUP}:${namespace}`];
}

export interface BoundObject {
  kind: 'Pod' | 'Secret' | 'Node';
  name: string;
  uid: string;
}

/** Issues service-account tokens with the private key (sa.key). */
export class ServiceAccountTokenIssuer {
  private readonly key: KeyObject;
  readonly keyId: string;

  constructor(
    privateKeyPem: string,
    readonly issuer: string = DEFAULT_SERVICE_ACCOUNT_ISSUER,
  ) {
    this.key = createPrivateKey(privateKeyPem);
    this.keyId = keyIdFor(createPublicKey(this.key));
  }

  /** A bound token (TokenRequest). */
  issue(opts: {
    namespace: string;
    name: string;
    uid: string;
    audiences: string[];
    expirationSeconds: number;
    bound?: BoundObject;
    now?: number;
  }): { token: string; expiration: Date } {
    const now = Math.floor((opts.now ?? Date.now()) / 1000);
    const exp = now + opts.expirationSeconds;
    const k8s: Record<string, unknown> = { namespace: opts.namespace, serviceaccount: { name: opts.name, uid: opts.uid } };
    if (opts.bound) k8s[opts.bound.kind.toLowerCase()] = { name: opts.bound.name, uid: opts.bound.uid };
    const claims = {
      aud: opts.audiences,
      exp,
      iat: now,
      iss: this.issuer,
      jti: randomUUID(),
      'kubernetes.io': k8s,
      nbf: now,
      sub: serviceAccountUsername(opts.namespace, opts.name),
    };
    return { token: signRS256(claims, this.key, this.keyId), expiration: new Date(exp * 1000) };
  }

  /** A legacy, non-expiring token for a kubernetes.io/service-account-token Secret. */
  issueLegacy(opts: { namespace: string; name: string; uid: string; secretName: string }): string {
    const claims = {
      iss: LEGACY_ISSUER,
      'kubernetes.io/serviceaccount/namespace': opts.namespace,
      'kubernetes.io/serviceaccount/secret.name': opts.secretName,
      'kubernetes.io/serviceaccount/service-account.name': opts.name,
      'kubernetes.io/serviceaccount/service-account.uid': opts.uid,
      sub: serviceAccountUsername(opts.namespace, opts.name),
    };
    return signRS256(claims, this.key, this.keyId);
  }
}

export type ObjectLookup = (resource: 'serviceaccounts' | 'secrets' | 'pods' | 'nodes', namespace: string | undefined, name: string) => Promise<KubeObject | undefined>;

export interface ServiceAccountAuthenticatorOptions {
  publicKeys: (string | KeyObject)[];
  /** Issuers accepted for bound tokens (the first is the one this server issues with). */
  issuers: string[];
  /** API audiences: a bound token must name one of them. */
  audiences: string[];
  lookup: ObjectLookup;
  now?: () => number;
}

/** Authenticates Bearer service-account JWTs (bound and legacy); other tokens are left to other authenticators. */
export function serviceAccountAuthenticator(opts: ServiceAccountAuthenticatorOptions): Authenticator {
  const keys = opts.publicKeys.map((k) => (typeof k === 'string' ? createPublicKey(k) : k));
  const now = opts.now ?? Date.now;
  return {
    async authenticate(req: IncomingMessage) {
      const token = bearerToken(req);
      if (!token) return undefined;
      const jwt = parseJWT(token);
      if (!jwt) return undefined;
      const iss = jwt.claims.iss;
      if (iss !== LEGACY_ISSUER && !(typeof iss === 'string' && opts.issuers.includes(iss))) return undefined;
      if (!verifyRS256(jwt, keys)) return undefined;
      return iss === LEGACY_ISSUER ? legacyUser(jwt.claims, token, opts.lookup) : boundUser(jwt.claims, opts, Math.floor(now() / 1000));
    },
  };
}

async function boundUser(claims: Record<string, unknown>, opts: ServiceAccountAuthenticatorOptions, now: number): Promise<UserInfo | undefined> {
  const exp = claims.exp;
  if (typeof exp !== 'number' || now > exp + LEEWAY_SECONDS) return undefined;
  if (typeof claims.nbf === 'number' && now < claims.nbf - LEEWAY_SECONDS) return undefined;
  const aud = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
  if (!aud.some((a) => opts.audiences.includes(a as string))) return undefined;
  const k8s = claims['kubernetes.io'] as
    | { namespace?: string; serviceaccount?: { name?: string; uid?: string }; pod?: Ref; secret?: Ref; node?: Ref }
    | undefined;
  const namespace = k8s?.namespace;
  const name = k8s?.serviceaccount?.name;
  const uid = k8s?.serviceaccount?.uid;
  if (!namespace || !name || !uid) return undefined;
  if (!live(await opts.lookup('serviceaccounts', namespace, name), uid)) return undefined;
  const extra: Record<string, string[]> = {};
  if (typeof claims.jti === 'string') extra[CREDENTIAL_ID_EXTRA] = [`JTI=${claims.jti}`];
  if (k8s.secret && !live(await opts.lookup('secrets', namespace, k8s.secret.name ?? ''), k8s.secret.uid)) return undefined;
  if (k8s.pod) {
    if (!live(await opts.lookup('pods', namespace, k8s.pod.name ?? ''), k8s.pod.uid)) return undefined;
    extra['authentication.kubernetes.io/pod-name'] = [k8s.pod.name!];
    extra['authentication.kubernetes.io/pod-uid'] = [k8s.pod.uid!];
  }
  if (k8s.node) {
    if (!live(await opts.lookup('nodes', undefined, k8s.node.name ?? ''), k8s.node.uid)) return undefined;
    extra['authentication.kubernetes.io/node-name'] = [k8s.node.name!];
    extra['authentication.kubernetes.io/node-uid'] = [k8s.node.uid!];
  }
  return {
    name: serviceAccountUsername(namespace, name),
    uid,
    groups: [...serviceAccountGroups(namespace), 'system:authenticated'],
    ...(Object.keys(extra).length ? { extra } : {}),
  };
}

type Ref = { name?: string; uid?: string };

async function legacyUser(claims: Record<string, unknown>, token: string, lookup: ObjectLookup): Promise<UserInfo | undefined> {
  const namespace = claims['kubernetes.io/serviceaccount/namespace'];
  const secretName = claims['kubernetes.io/serviceaccount/secret.name'];
  const name = claims['kubernetes.io/serviceaccount/service-account.name'];
  const uid = claims['kubernetes.io/serviceaccount/service-account.uid'];
  if (typeof namespace !== 'string' || typeof secretName !== 'string' || typeof name !== 'string' || typeof uid !== 'string') return undefined;
  const secret = await lookup('secrets', namespace, secretName);
  if (!secret || secret.metadata?.deletionTimestamp) return undefined;
  const stored = (secret.data as Record<string, string> | undefined)?.token;
  if (!stored || !constantTimeEqual(Buffer.from(stored, 'base64').toString('utf8'), token)) return undefined;
  if (!live(await lookup('serviceaccounts', namespace, name), uid)) return undefined;
  return { name: serviceAccountUsername(namespace, name), uid, groups: [...serviceAccountGroups(namespace), 'system:authenticated'] };
}

function live(obj: KubeObject | undefined, uid: string | undefined): boolean {
  return !!obj && !!uid && obj.metadata?.uid === uid && !obj.metadata?.deletionTimestamp;
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(h.trim());
  return m ? m[1]!.trim() : undefined;
}
