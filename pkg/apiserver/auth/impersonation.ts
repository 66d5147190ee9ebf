// Impersonation headers (k8s.io/apiserver's WithImpersonation filter): Impersonate-User,
// Impersonate-Group, Impersonate-Uid and Impersonate-Extra-<key>. Each requested identity needs the
// `impersonate` verb on users, groups, serviceaccounts, uids or userextras/<key>.

import type { IncomingMessage } from 'node:http';
import { ApiError } from '../errors.js';
import type { UserInfo } from '../store/store.js';
import { ANONYMOUS_USER, forbidden, UNAUTHENTICATED_GROUP, type Authorizer, type AuthzAttributes } from './authz.js';
import { parseServiceAccountUsername, serviceAccountGroups } from './serviceaccount.js';

const USER = 'impersonate-user';
const GROUP = 'impersonate-group';
const UID = 'impersonate-uid';
const EXTRA_PREFIX = 'impersonate-extra-';

export function wantsImpersonation(req: IncomingMessage): boolean {
  for (const h of Object.keys(req.headers)) if (h === USER || h === GROUP || h === UID || h.startsWith(EXTRA_PREFIX)) return true;
  return false;
}

/** The user to act as, after checking that `requestor` may impersonate every requested identity. */
export function impersonate(req: IncomingMessage, requestor: UserInfo, authorizer: Authorizer): UserInfo {
  const headers = req.headersDistinct as Record<string, string[] | undefined>;
  const requestedUser = headers[USER]?.[0] ?? '';
  const requestedGroups = headers[GROUP] ?? [];
  const requestedUid = headers[UID]?.[0];
  const extras: [string, string][] = [];
  for (const [h, values] of Object.entries(headers)) {
    if (!h.startsWith(EXTRA_PREFIX)) continue;
    const key = safeUnescape(h.slice(EXTRA_PREFIX.length));
    for (const v of values ?? []) extras.push([key, v]);
  }
  if (!requestedUser && (requestedGroups.length || extras.length || requestedUid !== undefined)) {
    throw new ApiError(400, 'BadRequest', 'impersonating groups, a uid or extra fields requires impersonating a user (Impersonate-User)');
  }
  if (!requestedUser) return requestor;

  const check = (attrs: Partial<AuthzAttributes>) => {
    const a: AuthzAttributes = {
      user: requestor,
      verb: 'impersonate',
      isResourceRequest: true,
      path: '',
      apiGroup: '',
      apiVersion: 'v1',
      namespace: '',
      resource: '',
      subresource: '',
      name: '',
      ...attrs,
    };
    const d = authorizer.authorize(a);
    if (!d.allowed) throw forbidden(a, d.reason);
  };

  let groups: string[] = [];
  const sa = parseServiceAccountUsername(requestedUser);
  if (sa) {
    check({ resource: 'serviceaccounts', namespace: sa.namespace, name: sa.name });
    if (!requestedGroups.length) groups = serviceAccountGroups(sa.namespace);
  } else {
    check({ resource: 'users', name: requestedUser });
  }
  for (const g of requestedGroups) {
    check({ resource: 'groups', name: g });
    groups.push(g);
  }
  const extra: Record<string, string[]> = {};
  for (const [key, value] of extras) {
    check({ apiGroup: 'authentication.k8s.io', resource: 'userextras', subresource: key, name: value });
    (extra[key] ??= []).push(value);
  }
  if (requestedUid !== undefined) check({ apiGroup: 'authentication.k8s.io', resource: 'uids', name: requestedUid });

  if (requestedUser !== ANONYMOUS_USER) {
    if (!groups.includes('system:authenticated') && !groups.includes(UNAUTHENTICATED_GROUP)) groups.push('system:authenticated');
  } else if (!groups.includes(UNAUTHENTICATED_GROUP)) {
    groups.push(UNAUTHENTICATED_GROUP);
  }
  const user: UserInfo = { name: requestedUser, groups };
  if (requestedUid) user.uid = requestedUid;
  if (Object.keys(extra).length) user.extra = extra;
  return user;
}

function safeUnescape(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
