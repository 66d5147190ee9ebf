// Authentication: who is calling. Client certificates signed by the cluster CA (CN = user, O = groups)
// and bearer tokens; later issues add ServiceAccount and bootstrap tokens as more authenticators.

import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { UserInfo } from '../store/store.js';

export interface Authenticator {
  authenticate(req: IncomingMessage): UserInfo | undefined | Promise<UserInfo | undefined>;
}

export const AUTHENTICATED_GROUP = 'system:authenticated';

/**
 * Trusts a certificate only when the TLS layer verified it against the CA (socket.authorized). A
 * connection's certificate cannot change, so the user is resolved once per socket.
 */
export function x509Authenticator(): Authenticator {
  const bySocket = new WeakMap<object, UserInfo | null>();
  return {
    authenticate(req) {
      const socket = req.socket as TLSSocket;
      const cached = bySocket.get(socket);
      if (cached !== undefined) return cached ?? undefined;
      const user = userFromSocket(socket);
      bySocket.set(socket, user ?? null);
      return user;
    },
  };
}

function userFromSocket(socket: TLSSocket): UserInfo | undefined {
  if (!socket.authorized || typeof socket.getPeerCertificate !== 'function') return undefined;
  const cert = socket.getPeerCertificate();
  const subject = cert?.subject as Record<string, string | string[]> | undefined;
  const cn = subject?.CN;
  if (!cn || Array.isArray(cn)) return undefined;
  const o = subject?.O;
  const groups = o === undefined ? [] : Array.isArray(o) ? o : [o];
  return { name: cn, groups: [...groups, AUTHENTICATED_GROUP] };
}

/** Static bearer tokens (token -> user), e.g. the admin token or a --token-auth-file. */
export function tokenAuthenticator(tokens: Map<string, UserInfo>): Authenticator {
  return {
    authenticate(req) {
      const h = req.headers.authorization;
      if (!h || !h.startsWith('Bearer ')) return undefined;
      const user = tokens.get(h.slice(7).trim());
      return user ? { ...user, groups: [...new Set([...user.groups, AUTHENTICATED_GROUP])] } : undefined;
    },
  };
}

export async function authenticate(authenticators: Authenticator[], req: IncomingMessage): Promise<UserInfo | undefined> {
  for (const a of authenticators) {
    const user = await a.authenticate(req);
    if (user) return user;
  }
  return undefined;
}

/**
 * A --token-auth-file (kube-apiserver's static token file): CSV lines `token,user,uid[,"group1,group2"]`;
 * blank lines and lines starting with # are skipped. Later duplicates of a token win.
 */
export function parseTokenAuthFile(text: string, file = 'token file'): Map<string, UserInfo> {
  const tokens = new Map<string, UserInfo>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line || line.startsWith('#')) continue;
    const fields = parseCsvLine(line);
    if (fields.length < 3) throw new Error(`${file}, line ${i + 1}: needs at least 3 columns (token, user name, user uid), found ${fields.length}`);
    const [token, name, uid] = fields as [string, string, string];
    if (!token) throw new Error(`${file}, line ${i + 1}: empty token`);
    const groups = (fields[3] ?? '').split(',').map((g) => g.trim()).filter(Boolean);
    tokens.set(token, { name, uid, groups });
  }
  return tokens;
}

function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"' && cur.trim() === '') {
      quoted = true;
      cur = '';
    } else if (c === ',') {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  out.push(cur.trim());
  return out;
}
