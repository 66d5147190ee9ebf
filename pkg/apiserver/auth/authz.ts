// Authorization: may this user do this to that? The request attributes (k8s.io/apiserver's
// authorizer.Attributes), the Authorizer interface with the privileged-group short cut, and the
// Forbidden Status exactly as kube-apiserver words it.

import { ApiError, qualifiedResource } from '../errors.js';
import type { RequestInfo } from '../handlers/requestinfo.js';
import type { UserInfo } from '../store/store.js';

export const SYSTEM_MASTERS = 'system:masters';
export const ANONYMOUS_USER = 'system:anonymous';
export const UNAUTHENTICATED_GROUP = 'system:unauthenticated';

export interface AuthzAttributes {
  user: UserInfo;
  verb: string;
  isResourceRequest: boolean;
  /** Request path (non-resource requests). */
  path: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
}

export interface Decision {
  allowed: boolean;
  /** Why (RBAC: which binding allowed it); shown by SelfSubjectAccessReview. */
  reason?: string;
}

export interface Authorizer {
  authorize(a: AuthzAttributes): Decision;
}

/** Every request allowed (--authorization-mode=AlwaysAllow). */
export const alwaysAllow: Authorizer = { authorize: () => ({ allowed: true }) };

/** system:masters may do anything, without evaluating rules (kube-apiserver's privileged-group authorizer). */
export function isPrivileged(user: UserInfo): boolean {
  return user.groups.includes(SYSTEM_MASTERS);
}

const NAME_SEGMENT = /^[^/%]+$/;

/**
 * Attributes of a request, from its parsed request info (RequestInfoFactory): resource requests carry
 * group/resource/subresource/namespace/name and the Kubernetes verb; a list or watch that selects one
 * name with fieldSelector=metadata.name=<n> is authorized for that name; everything else is a
 * non-resource request with the lower-case HTTP method as verb.
 */
export function attributesFor(user: UserInfo, method: string, url: string, info: RequestInfo): AuthzAttributes {
  const base = { user, path: info.path, apiVersion: info.version };
  if (!info.isResourceRequest) {
    const m = method.toLowerCase();
    return {
      ...base,
      verb: m === 'head' ? 'get' : m,
      isResourceRequest: false,
      apiGroup: '',
      namespace: '',
      resource: '',
      subresource: '',
      name: '',
    };
  }
  let name = info.name;
  if (!name && (info.verb === 'list' || info.verb === 'watch')) {
    const q = url.indexOf('?');
    const fs = q >= 0 ? new URLSearchParams(url.slice(q + 1)).get('fieldSelector') : null;
    if (fs) {
      for (const term of fs.split(',')) {
        const m = /^\s*metadata\.name\s*==?\s*(.+?)\s*$/.exec(term);
        if (m && NAME_SEGMENT.test(m[1]!) && m[1] !== '.' && m[1] !== '..') name = m[1]!;
      }
    }
  }
  return {
    ...base,
    verb: info.verb,
    isResourceRequest: true,
    apiGroup: info.group,
    namespace: info.namespace,
    resource: info.resource,
    subresource: info.subresource,
    name,
  };
}

/** forbiddenMessage of k8s.io/apiserver's responsewriters. */
export function forbiddenMessage(a: AuthzAttributes): string {
  const user = a.user.name;
  if (!a.isResourceRequest) return `User ${JSON.stringify(user)} cannot ${a.verb} path ${JSON.stringify(a.path)}`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  if (a.namespace) {
    return `User ${JSON.stringify(user)} cannot ${a.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(a.apiGroup)} in the namespace ${JSON.stringify(a.namespace)}`;
  }
  return `User ${JSON.stringify(user)} cannot ${a.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(a.apiGroup)} at the cluster scope`;
}

/** The 403 Status kube-apiserver sends for a denied request (apierrors.NewForbidden). */
export function forbidden(a: AuthzAttributes, reason?: string): ApiError {
  const msg = reason ? `${forbiddenMessage(a)}: ${reason}` : forbiddenMessage(a);
  if (!a.isResourceRequest || !a.resource) return new ApiError(403, 'Forbidden', `forbidden: ${msg}`, {});
  const qr = qualifiedResource(a.apiGroup, a.resource);
  const message = a.name ? `${qr} ${JSON.stringify(a.name)} is forbidden: ${msg}` : `${qr} is forbidden: ${msg}`;
  const details: { name?: string; group: string; kind: string } = { group: a.apiGroup, kind: a.resource };
  if (a.name) details.name = a.name;
  return new ApiError(403, 'Forbidden', message, details);
}
