// Create-only resources without storage (pkg/registry/authorization, pkg/registry/authentication):
// SelfSubjectAccessReview, SelfSubjectRulesReview, SubjectAccessReview, LocalSubjectAccessReview,
// SelfSubjectReview and TokenReview answer a question about a user; TokenRequest
// (serviceaccounts/<name>/token) issues a bound service-account token.

import { nowTime } from '../../apis/meta/v1/types.js';
import { ApiError, badRequest, conflict, invalid, notFound } from '../errors.js';
import type { FieldCause, KubeObject, ResourceDescriptor } from '../registry/types.js';
import { builtinSchema } from '../schema/builtin.js';
import type { JSONSchemaProps } from '../schema/types.js';
import { nowTimestamp, type UserInfo } from '../store/store.js';
import { invalid as invalidField } from '../validation/field.js';
import type { Authorizer, AuthzAttributes } from './authz.js';
import type { PolicyRule } from './rbac.js';
import type { BoundObject, ObjectLookup, ServiceAccountTokenIssuer } from './serviceaccount.js';

export interface CreateContext {
  user: UserInfo;
  namespace?: string;
  name: string;
  dryRun: boolean;
}

/** Serves POST of a storage-less resource or subresource: returns the object to send back (201). */
export type CreateHandler = (body: KubeObject, ctx: CreateContext) => KubeObject | Promise<KubeObject>;

const AUTHZ = 'authorization.k8s.io';
const AUTHN = 'authentication.k8s.io';

export function virtualDescriptor(group: string, version: string, resource: string, kind: string, namespaced = false): ResourceDescriptor {
  const d: ResourceDescriptor = {
    group,
    version,
    resource,
    singular: kind.toLowerCase(),
    kind,
    listKind: `${kind}List`,
    namespaced,
    verbs: ['create'],
    subresources: {},
    strategicMergePatch: false,
  };
  let schema: JSONSchemaProps | undefined;
  Object.defineProperty(d, 'schema', {
    enumerable: true,
    configurable: true,
    get: () => (schema ??= builtinSchema({ group, version, kind })),
    set: (v: JSONSchemaProps | undefined) => {
      schema = v;
    },
  });
  return d;
}

export interface ReviewDeps {
  authorizer: Authorizer;
  /** Rules of a user in a namespace (RBAC); absent when rules cannot be listed. */
  rulesFor?: (user: UserInfo, namespace: string) => PolicyRule[];
  /** Authenticates a bearer token as the API would (TokenReview). */
  authenticateToken: (token: string) => Promise<UserInfo | undefined>;
  apiAudiences: string[];
}

export interface VirtualResource {
  descriptor: ResourceDescriptor;
  handler: CreateHandler;
}

function checkKind(body: KubeObject, apiVersion: string, kind: string): void {
  if (body.kind !== undefined && body.kind !== kind) throw badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (${kind})`);
  if (body.apiVersion !== undefined && body.apiVersion !== apiVersion) {
    throw badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${apiVersion})`);
  }
}

function respond(body: KubeObject, apiVersion: string, kind: string, status: Record<string, unknown>, extraMeta: Record<string, unknown> = {}): KubeObject {
  return { kind, apiVersion, metadata: { ...(body.metadata ?? {}), creationTimestamp: null, ...extraMeta } as never, spec: body.spec ?? {}, status };
}

function userInfoJSON(u: UserInfo): Record<string, unknown> {
  const out: Record<string, unknown> = { username: u.name };
  if (u.uid) out.uid = u.uid;
  if (u.groups.length) out.groups = [...u.groups];
  if (u.extra && Object.keys(u.extra).length) out.extra = u.extra;
  return out;
}

interface AccessSpec {
  resourceAttributes?: { namespace?: string; verb?: string; group?: string; version?: string; resource?: string; subresource?: string; name?: string };
  nonResourceAttributes?: { path?: string; verb?: string };
  user?: string;
  groups?: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

/** The attributes a (Self|Local)SubjectAccessReview asks about; 422 unless exactly one kind is given. */
function accessAttributes(kind: string, name: string, spec: AccessSpec, user: UserInfo): AuthzAttributes {
  const ra = spec.resourceAttributes;
  const nra = spec.nonResourceAttributes;
  if ((ra ? 1 : 0) + (nra ? 1 : 0) !== 1) {
    throw invalid(AUTHZ, kind, name, [
      invalidField('spec.resourceAttributes', ra ?? null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified'),
    ]);
  }
  if (nra) {
    return { user, verb: nra.verb ?? '', isResourceRequest: false, path: nra.path ?? '', apiGroup: '', apiVersion: '', namespace: '', resource: '', subresource: '', name: '' };
  }
  return {
    user,
    verb: ra!.verb ?? '',
    isResourceRequest: true,
    path: '',
    apiGroup: ra!.group ?? '',
    apiVersion: ra!.version ?? '',
    namespace: ra!.namespace ?? '',
    resource: ra!.resource ?? '',
    subresource: ra!.subresource ?? '',
    name: ra!.name ?? '',
  };
}

function accessStatus(deps: ReviewDeps, a: AuthzAttributes): Record<string, unknown> {
  const d = deps.authorizer.authorize(a);
  const status: Record<string, unknown> = { allowed: d.allowed };
  if (d.reason) status.reason = d.reason;
  return status;
}

export function reviewResources(deps: ReviewDeps): VirtualResource[] {
  const authzV1 = `${AUTHZ}/v1`;
  const authnV1 = `${AUTHN}/v1`;
  return [
    {
      descriptor: virtualDescriptor(AUTHZ, 'v1', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview'),
      handler: (body, ctx) => {
        checkKind(body, authzV1, 'SelfSubjectAccessReview');
        const a = accessAttributes('SelfSubjectAccessReview', body.metadata?.name ?? '', (body.spec ?? {}) as AccessSpec, ctx.user);
        return respond(body, authzV1, 'SelfSubjectAccessReview', accessStatus(deps, a));
      },
    },
    {
      descriptor: virtualDescriptor(AUTHZ, 'v1', 'subjectaccessreviews', 'SubjectAccessReview'),
      handler: (body) => {
        checkKind(body, authzV1, 'SubjectAccessReview');
        const spec = (body.spec ?? {}) as AccessSpec;
        if (!spec.user && !spec.groups?.length) {
          throw invalid(AUTHZ, 'SubjectAccessReview', body.metadata?.name ?? '', [invalidField('spec.user', spec.user ?? '', 'at least one of user or group must be specified')]);
        }
        const subject: UserInfo = { name: spec.user ?? '', groups: spec.groups ?? [], uid: spec.uid, extra: spec.extra };
        const a = accessAttributes('SubjectAccessReview', body.metadata?.name ?? '', spec, subject);
        return respond(body, authzV1, 'SubjectAccessReview', accessStatus(deps, a));
      },
    },
    {
      descriptor: virtualDescriptor(AUTHZ, 'v1', 'localsubjectaccessreviews', 'LocalSubjectAccessReview', true),
      handler: (body, ctx) => {
        checkKind(body, authzV1, 'LocalSubjectAccessReview');
        const spec = (body.spec ?? {}) as AccessSpec;
        const name = body.metadata?.name ?? '';
        if (spec.resourceAttributes && spec.resourceAttributes.namespace && spec.resourceAttributes.namespace !== ctx.namespace) {
          throw invalid(AUTHZ, 'LocalSubjectAccessReview', name, [
            invalidField('spec.resourceAttributes.namespace', spec.resourceAttributes.namespace, 'must match metadata.namespace'),
          ]);
        }
        if (spec.nonResourceAttributes) {
          throw invalid(AUTHZ, 'LocalSubjectAccessReview', name, [invalidField('spec.nonResourceAttributes', spec.nonResourceAttributes, 'disallowed on this kind of request')]);
        }
        const subject: UserInfo = { name: spec.user ?? '', groups: spec.groups ?? [], uid: spec.uid, extra: spec.extra };
        const a = accessAttributes('LocalSubjectAccessReview', name, spec, subject);
        a.namespace = ctx.namespace ?? '';
        return respond(body, authzV1, 'LocalSubjectAccessReview', accessStatus(deps, a), { namespace: ctx.namespace });
      },
    },
    {
      descriptor: virtualDescriptor(AUTHZ, 'v1', 'selfsubjectrulesreviews', 'SelfSubjectRulesReview'),
      handler: (body, ctx) => {
        checkKind(body, authzV1, 'SelfSubjectRulesReview');
        const namespace = ((body.spec ?? {}) as { namespace?: string }).namespace ?? '';
        if (!deps.rulesFor) {
          return respond(body, authzV1, 'SelfSubjectRulesReview', {
            resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
            nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
            incomplete: false,
          });
        }
        const rules = deps.rulesFor(ctx.user, namespace);
        const resourceRules: Record<string, unknown>[] = [];
        const nonResourceRules: Record<string, unknown>[] = [];
        for (const r of rules) {
          if (r.nonResourceURLs?.length) nonResourceRules.push({ verbs: r.verbs ?? [], nonResourceURLs: r.nonResourceURLs });
          if (r.resources?.length) {
            const rr: Record<string, unknown> = { verbs: r.verbs ?? [], apiGroups: r.apiGroups ?? [], resources: r.resources };
            if (r.resourceNames?.length) rr.resourceNames = r.resourceNames;
            resourceRules.push(rr);
          }
        }
        return respond(body, authzV1, 'SelfSubjectRulesReview', { resourceRules, nonResourceRules, incomplete: false });
      },
    },
    {
      descriptor: virtualDescriptor(AUTHN, 'v1', 'selfsubjectreviews', 'SelfSubjectReview'),
      handler: (body, ctx) => {
        checkKind(body, authnV1, 'SelfSubjectReview');
        const out = respond(body, authnV1, 'SelfSubjectReview', { userInfo: userInfoJSON(ctx.user) });
        delete out.spec;
        return out;
      },
    },
    {
      descriptor: virtualDescriptor(AUTHN, 'v1', 'tokenreviews', 'TokenReview'),
      handler: async (body) => {
        checkKind(body, authnV1, 'TokenReview');
        const spec = (body.spec ?? {}) as { token?: string; audiences?: string[] };
        if (!spec.token) throw invalid(AUTHN, 'TokenReview', body.metadata?.name ?? '', [{ reason: 'FieldValueRequired', field: 'spec.token', message: 'Required value' } as FieldCause]);
        const audiences = spec.audiences?.length ? spec.audiences : deps.apiAudiences;
        const user = await deps.authenticateToken(spec.token);
        const status: Record<string, unknown> = user
          ? { authenticated: true, user: userInfoJSON(user), audiences }
          : { user: {}, error: 'invalid bearer token' };
        return respond(body, authnV1, 'TokenReview', status);
      },
    },
  ];
}

// ---- TokenRequest (serviceaccounts/<name>/token) ---------------------------------------------------

export const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;
const MIN_TOKEN_EXPIRATION_SECONDS = 600;
const MAX_TOKEN_EXPIRATION_SECONDS = 2 ** 32;

interface TokenRequestSpec {
  audiences?: string[];
  expirationSeconds?: number;
  boundObjectRef?: { kind?: string; apiVersion?: string; name?: string; uid?: string } | null;
}

export function tokenRequestHandler(deps: { issuer: ServiceAccountTokenIssuer; apiAudiences: string[]; lookup: ObjectLookup }): CreateHandler {
  const apiVersion = `${AUTHN}/v1`;
  return async (body, ctx) => {
    checkKind(body, apiVersion, 'TokenRequest');
    const namespace = ctx.namespace!;
    const spec = (body.spec ?? {}) as TokenRequestSpec;
    const causes: FieldCause[] = [];
    const expirationSeconds = spec.expirationSeconds ?? DEFAULT_TOKEN_EXPIRATION_SECONDS;
    if (typeof expirationSeconds !== 'number' || !Number.isInteger(expirationSeconds)) {
      causes.push(invalidField('spec.expirationSeconds', expirationSeconds, 'must be an integer number of seconds'));
    } else if (expirationSeconds < MIN_TOKEN_EXPIRATION_SECONDS) {
      causes.push(invalidField('spec.expirationSeconds', expirationSeconds, 'may not specify a duration less than 10 minutes'));
    } else if (expirationSeconds > MAX_TOKEN_EXPIRATION_SECONDS) {
      causes.push(invalidField('spec.expirationSeconds', expirationSeconds, 'may not specify a duration larger than 2^32 seconds'));
    }
    const ref = spec.boundObjectRef ?? undefined;
    if (ref && !['Pod', 'Secret', 'Node'].includes(ref.kind ?? '')) {
      causes.push({ reason: 'FieldValueNotSupported', field: 'spec.boundObjectRef.kind', message: `Unsupported value: ${JSON.stringify(ref.kind ?? '')}: supported values: "Pod", "Secret", "Node"` });
    }
    if (causes.length) throw invalid(AUTHN, 'TokenRequest', ctx.name, causes);

    const sa = await deps.lookup('serviceaccounts', namespace, ctx.name);
    if (!sa) throw notFound('', 'serviceaccounts', ctx.name);
    let bound: BoundObject | undefined;
    if (ref) {
      const kind = ref.kind as BoundObject['kind'];
      const resource = kind === 'Pod' ? 'pods' : kind === 'Secret' ? 'secrets' : 'nodes';
      const obj = await deps.lookup(resource, kind === 'Node' ? undefined : namespace, ref.name ?? '');
      if (!obj) throw notFound('', resource, ref.name ?? '');
      if (ref.uid && ref.uid !== obj.metadata?.uid) {
        throw conflict('', resource, ref.name ?? '', `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
      }
      bound = { kind, name: obj.metadata!.name!, uid: obj.metadata!.uid! };
    }
    const audiences = spec.audiences?.length ? spec.audiences : deps.apiAudiences;
    if (ctx.dryRun) throw new ApiError(400, 'BadRequest', 'dry-run is not supported for token requests');
    const { token, expiration } = deps.issuer.issue({ namespace, name: ctx.name, uid: sa.metadata!.uid!, audiences, expirationSeconds, bound });
    return {
      kind: 'TokenRequest',
      apiVersion,
      metadata: { name: ctx.name, namespace, creationTimestamp: nowTimestamp() },
      spec: { audiences, expirationSeconds, boundObjectRef: ref ?? null },
      status: { token, expirationTimestamp: nowTime(expiration) },
    };
  };
}
