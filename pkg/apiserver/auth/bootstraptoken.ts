// Bootstrap tokens (k8s.io/cluster-bootstrap, plugin/pkg/auth/authenticator/token/bootstrap): Secrets
// kube-system/bootstrap-token-<id> of type bootstrap.kubernetes.io/token holding token-id, token-secret,
// expiration and usage flags. A token "<id>.<secret>" authenticates as system:bootstrap:<id> in
// system:bootstrappers plus its auth-extra-groups while unexpired and usage-bootstrap-authentication.

import type { IncomingMessage } from 'node:http';
import type { KubeObject } from '../registry/types.js';
import type { UserInfo } from '../store/store.js';
import type { Authenticator } from './authn.js';
import { constantTimeEqual } from './jwt.js';
import { bearerToken } from './serviceaccount.js';

export const BOOTSTRAP_TOKEN_SECRET_TYPE = 'bootstrap.kubernetes.io/token';
export const BOOTSTRAP_TOKEN_SECRET_PREFIX = 'bootstrap-token-';
export const BOOTSTRAP_USER_PREFIX = 'system:bootstrap:';
export const BOOTSTRAP_DEFAULT_GROUP = 'system:bootstrappers';
export const BOOTSTRAP_NAMESPACE = 'kube-system';
const TOKEN_RE = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const ID_RE = /^[a-z0-9]{6}$/;
const SECRET_RE = /^[a-z0-9]{16}$/;
const GROUP_RE = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;

export interface BootstrapToken {
  id: string;
  secret: string;
  expiration?: Date;
  usages: Set<string>;
  groups: string[];
}

/** The bootstrap token a Secret holds (undefined when it is not a well-formed one); expiry is not checked. */
export function parseBootstrapTokenSecret(secret: KubeObject): BootstrapToken | undefined {
  if (secret.type !== BOOTSTRAP_TOKEN_SECRET_TYPE || secret.metadata?.namespace !== BOOTSTRAP_NAMESPACE) return undefined;
  if (secret.metadata?.deletionTimestamp) return undefined;
  const data = decodeData(secret);
  const id = data['token-id'] ?? '';
  const tokenSecret = data['token-secret'] ?? '';
  if (!ID_RE.test(id) || !SECRET_RE.test(tokenSecret)) return undefined;
  if (secret.metadata?.name !== `${BOOTSTRAP_TOKEN_SECRET_PREFIX}${id}`) return undefined;
  let expiration: Date | undefined;
  if (data.expiration) {
    const t = Date.parse(data.expiration);
    if (Number.isNaN(t)) return undefined; // an unparseable expiration makes the token invalid
    expiration = new Date(t);
  }
  const usages = new Set<string>();
  for (const [k, v] of Object.entries(data)) if (k.startsWith('usage-bootstrap-') && v === 'true') usages.add(k.slice('usage-bootstrap-'.length));
  const groups = [BOOTSTRAP_DEFAULT_GROUP];
  for (const g of (data['auth-extra-groups'] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!GROUP_RE.test(g)) return undefined;
    if (!groups.includes(g)) groups.push(g);
  }
  return { id, secret: tokenSecret, expiration, usages, groups };
}

export function isExpired(t: BootstrapToken, now = Date.now()): boolean {
  return !!t.expiration && t.expiration.getTime() <= now;
}

/** Secret data (base64) and stringData, decoded. */
function decodeData(secret: KubeObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((secret.data as Record<string, string> | undefined) ?? {})) {
    if (typeof v === 'string') out[k] = Buffer.from(v, 'base64').toString('utf8');
  }
  for (const [k, v] of Object.entries((secret.stringData as Record<string, string> | undefined) ?? {})) if (typeof v === 'string') out[k] = v;
  return out;
}

export function bootstrapTokenAuthenticator(lookupSecret: (name: string) => Promise<KubeObject | undefined>, now: () => number = Date.now): Authenticator {
  return {
    async authenticate(req: IncomingMessage): Promise<UserInfo | undefined> {
      const token = bearerToken(req);
      const m = token ? TOKEN_RE.exec(token) : null;
      if (!m) return undefined;
      const secret = await lookupSecret(`${BOOTSTRAP_TOKEN_SECRET_PREFIX}${m[1]}`);
      const t = secret && parseBootstrapTokenSecret(secret);
      if (!t || t.id !== m[1] || !constantTimeEqual(t.secret, m[2]!)) return undefined;
      if (isExpired(t, now()) || !t.usages.has('authentication')) return undefined;
      return { name: `${BOOTSTRAP_USER_PREFIX}${t.id}`, groups: [...t.groups, 'system:authenticated'] };
    },
  };
}
