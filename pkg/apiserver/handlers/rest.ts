// The one REST handler for every resource: it maps a parsed request onto the generic store, applies
// the requested patch type, converts to the representation asked for, and writes Kubernetes responses.

import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  ApiError,
  badRequest,
  conflict,
  methodNotAllowed,
  successStatus,
  unsupportedMediaType,
} from '../errors.js';
import { apiVersionOf, type KubeObject, type ResourceDescriptor } from '../registry/types.js';
import type { Registry } from '../registry/registry.js';
import { parseFieldSelector, parseLabelSelector } from '../selectors.js';
import { checkTypeMeta, invalidError, parseRV, type DeleteOptions, type Store, type UserInfo, type WriteOptions } from '../store/store.js';
import { listPrefix } from '../store/keys.js';
import type { RequestInfo } from './requestinfo.js';
import { chooseRepresentation, decodeBody, parseAccept } from './negotiation.js';
import { serveWatch } from './watch.js';
import { createWatchTableConverter, toTable } from '../tables/index.js';
import { labelSelectorString } from '../tables/format.js';
import { applyJsonPatch, applyMergePatch } from '../patch/jsonpatch.js';
import { applyStrategicMergePatch } from '../patch/strategic.js';
import { patchErrorToApiError, type FieldManager } from './fieldmanager.js';
import { getFieldByPath, setFieldByPath } from '../jsonpath/index.js';
import type { CreateHandler } from '../auth/reviews.js';

export interface RestContext {
  registry: Registry;
  store: Store;
  fieldManager: FieldManager;
  /**
   * POST handlers of storage-less resources and subresources (reviews, serviceaccounts/token), keyed
   * "<group>/<resource>" or "<group>/<resource>/<subresource>".
   */
  createHandlers?: Map<string, CreateHandler>;
}

type Query = Record<string, string | undefined>;

const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

export async function handleResource(
  ctx: RestContext,
  info: RequestInfo,
  user: UserInfo,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const d = ctx.registry.get(info.group, info.version, info.resource);
  if (!d) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  const query = req.query as Query;
  const namespace = d.namespaced ? info.namespace || undefined : undefined;
  // A cluster-scoped resource has no namespaced path; /api/v1/namespaces/<n> itself parses with namespace <n>.
  if (!d.namespaced && info.namespace && !(d.group === '' && d.resource === 'namespaces' && isNamespaceObjectPath(info))) {
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  }
  if (d.namespaced && info.name && !namespace) {
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  }

  const sub = info.subresource;
  const createHandler = ctx.createHandlers?.get(sub ? `${d.group}/${d.resource}/${sub}` : `${d.group}/${d.resource}`);
  if (createHandler) {
    // A subresource is created on a named object; a virtual resource is created as a collection.
    if (info.verb !== 'create' || (sub ? !info.name : !!info.name)) throw methodNotAllowed();
    const created = await createHandler(decodeObject(req), { user, namespace, name: info.name, dryRun: parseDryRun((req.query as Query).dryRun) });
    return void (await reply.code(201).type('application/json').send(JSON.stringify(created)));
  }
  if (sub && !isServedSubresource(d, sub) && !ctx.registry.extraSubresources(d).some((x) => x.name === sub)) {
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  }
  if (sub === 'scale') return handleScale(ctx, d, info, namespace, user, req, reply);

  const representation = chooseRepresentation(parseAccept(req.headers.accept));
  const render = (obj: KubeObject) => {
    if (representation.as === 'Table') return toTable(d, [obj], { includeObject: tableIncludeObject(query), now: new Date() });
    if (representation.as === 'PartialObjectMetadata') return partialMetadata(obj);
    return obj;
  };
  const warnings: string[] = [];
  const writeOpts = (): WriteOptions => ({
    user,
    dryRun: parseDryRun(query.dryRun),
    fieldManager: query.fieldManager || undefined,
    fieldValidation: parseFieldValidation(query.fieldValidation),
    warnings,
    subresource: sub || undefined,
  });
  const send = (code: number, body: unknown) => {
    for (const w of warnings) void reply.header('Warning', `299 - ${JSON.stringify(w)}`);
    return reply.code(code).type('application/json').send(JSON.stringify(body));
  };

  switch (info.verb) {
    case 'get': {
      const obj = await ctx.store.get(d, namespace, info.name);
      return void (await send(200, render(obj)));
    }
    case 'list': {
      const r = await ctx.store.list(d, namespace, {
        labelSelector: parseLabelSelector(query.labelSelector),
        fieldSelector: parseFieldSelector(query.fieldSelector),
        limit: query.limit ? parseLimit(query.limit) : undefined,
        continueToken: query.continue || undefined,
        resourceVersion: query.resourceVersion,
        resourceVersionMatch: query.resourceVersionMatch,
      });
      const listMeta: Record<string, unknown> = { resourceVersion: r.resourceVersion };
      if (r.continueToken) listMeta.continue = r.continueToken;
      if (r.remainingItemCount !== undefined) listMeta.remainingItemCount = r.remainingItemCount;
      if (representation.as === 'Table') {
        return void (await send(200, toTable(d, r.items, { includeObject: tableIncludeObject(query), now: new Date(), listMeta: listMeta as never })));
      }
      if (representation.as === 'PartialObjectMetadata') {
        return void (await send(200, {
          kind: 'PartialObjectMetadataList',
          apiVersion: 'meta.k8s.io/v1',
          metadata: listMeta,
          items: r.items.map(partialMetadata),
        }));
      }
      return void (await send(200, { kind: d.listKind, apiVersion: apiVersionOf(d), metadata: listMeta, items: r.items }));
    }
    case 'watch': {
      const cacher = await ctx.store.cacher(d);
      let fieldSelector = parseFieldSelector(query.fieldSelector);
      if (info.name) fieldSelector = [...fieldSelector, { field: 'metadata.name', op: '=', value: info.name }];
      const rv = query.resourceVersion;
      const sendInitialEvents = query.sendInitialEvents === 'true';
      let afterRevision: number | undefined;
      if (rv && rv !== '0') {
        afterRevision = parseRV(rv);
        // Initial events too must reflect at least the requested revision (NotOlderThan).
        await cacher.waitUntilFresh(afterRevision);
      } else if (!rv) {
        // Unset resourceVersion asks for the most recent state: every write acknowledged so far.
        await cacher.waitUntilFresh(await ctx.store.storage.currentRevision());
      }
      const timeoutSeconds = query.timeoutSeconds ? Math.max(1, Number(query.timeoutSeconds) || 0) : 1800 + Math.floor(Math.random() * 1800);
      reply.hijack();
      serveWatch(reply.raw, {
        descriptor: d,
        cacher,
        prefix: listPrefix(d, namespace),
        afterRevision: sendInitialEvents ? undefined : afterRevision,
        sendInitialEvents,
        allowBookmarks: query.allowWatchBookmarks === 'true',
        labelSelector: parseLabelSelector(query.labelSelector),
        fieldSelector,
        timeoutSeconds,
        transform:
          representation.as === 'Table'
            ? (() => {
                const convert = createWatchTableConverter(d, { includeObject: tableIncludeObject(query) });
                return (obj: KubeObject) => convert(obj, new Date());
              })()
            : representation.as === 'PartialObjectMetadata'
              ? partialMetadata
              : undefined,
      });
      return;
    }
    case 'create': {
      // POST goes to the collection: a named path (or subresource) is not creatable.
      if (sub || info.name) throw methodNotAllowed();
      const body = decodeObject(req);
      const opts = writeOpts();
      ctx.fieldManager.onCreate(d, body, opts.fieldManager ?? defaultManager(req), opts.warnings!);
      const created = await ctx.store.create(d, namespace, body, opts);
      return void (await send(201, render(created)));
    }
    case 'update': {
      if (!info.name) throw methodNotAllowed(); // PUT addresses one object, not the collection
      const body = decodeObject(req);
      // A PUT of another kind or version must fail, not be relabelled as the stored kind.
      checkTypeMeta(d, body);
      const opts = writeOpts();
      const manager = opts.fieldManager ?? defaultManager(req);
      const updated = await ctx.store.guaranteedUpdate(
        d,
        namespace,
        info.name,
        opts,
        (current) => {
          checkNames(d, info.name, namespace, body);
          // A uid in the body is a precondition (Kubernetes' UpdatedObjectInfo): never overwrite a re-created object.
          const uid = body.metadata?.uid;
          if (uid && uid !== current.metadata?.uid) {
            throw conflict(d.group, d.resource, info.name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.metadata?.uid}`);
          }
          const desired = sub === 'finalize' ? finalizeNamespace(current, body) : structuredClone(body);
          if (sub === 'finalize') opts.subresource = undefined;
          ctx.fieldManager.onUpdate(d, current, desired, manager, sub);
          return desired;
        },
        body.metadata?.resourceVersion || undefined,
      );
      return void (await send(200, render(updated)));
    }
    case 'patch': {
      if (!info.name) throw methodNotAllowed();
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const opts = writeOpts();
      const result = await patchResource(ctx, d, namespace, info.name, contentType, req.body, query, opts, defaultManager(req));
      return void (await send(result.created ? 201 : 200, render(result.object)));
    }
    case 'delete': {
      if (sub) throw methodNotAllowed();
      const opts = deleteOptions(req, query, user, warnings);
      const deleted = await ctx.store.delete(d, namespace, info.name, opts);
      // Like kube-apiserver: 202 only when a pending deletion was asked to cascade (orphanDependents=false).
      const pending = !!deleted.metadata?.deletionTimestamp && !opts.dryRun && isStillPresent(deleted);
      return void (await send(pending && opts.orphanDependents === false ? 202 : 200, render(deleted)));
    }
    case 'deletecollection': {
      const opts = deleteOptions(req, query, user, warnings);
      const r = await ctx.store.list(d, namespace, {
        labelSelector: parseLabelSelector(query.labelSelector),
        fieldSelector: parseFieldSelector(query.fieldSelector),
      });
      for (const item of r.items) {
        try {
          await ctx.store.delete(d, item.metadata!.namespace, item.metadata!.name!, opts);
        } catch (err) {
          if (!(err instanceof ApiError && err.code === 404)) throw err;
        }
      }
      return void (await send(200, successStatus()));
    }
    default:
      throw methodNotAllowed();
  }
}

/** namespaces/<n>[/<subresource>], not a namespaced-looking path such as namespaces/<n>/namespaces[/<x>]. */
function isNamespaceObjectPath(info: RequestInfo): boolean {
  const parts = info.path.split('/').filter(Boolean);
  return info.name === info.namespace && parts.length - parts.indexOf('namespaces') <= 3;
}

function isServedSubresource(d: ResourceDescriptor, sub: string): boolean {
  if (sub === 'status') return !!d.subresources.status;
  if (sub === 'scale') return !!d.subresources.scale;
  if (sub === 'finalize') return d.group === '' && d.resource === 'namespaces';
  return false;
}

/** Still present = deletion is pending on finalizers (the store returned the updated object). */
function isStillPresent(obj: KubeObject): boolean {
  return (obj.metadata?.finalizers?.length ?? 0) > 0 || ((obj.spec as { finalizers?: string[] } | undefined)?.finalizers?.length ?? 0) > 0;
}

export async function patchResource(
  ctx: RestContext,
  d: ResourceDescriptor,
  namespace: string | undefined,
  name: string,
  contentType: string,
  rawBody: unknown,
  query: Query,
  opts: WriteOptions,
  fallbackManager: string,
): Promise<{ object: KubeObject; created: boolean }> {
  const manager = opts.fieldManager ?? fallbackManager;
  if (contentType === PATCH_TYPES.apply || contentType === 'application/apply-patch+json') {
    if (!opts.fieldManager) {
      throw badRequest('PATCH requests with the apply content type must specify a fieldManager (e.g. ?fieldManager=my-tool)');
    }
    const applied = decodeBody(rawBody as string, 'application/yaml') as KubeObject;
    if (!applied || typeof applied !== 'object' || Array.isArray(applied)) throw badRequest('the apply patch must be an object');
    checkNames(d, name, namespace, applied);
    const force = query.force === 'true';
    const existing = await ctx.store.tryGet(d, namespace, name);
    if (!existing) {
      if (opts.subresource) throw new ApiError(404, 'NotFound', `${d.resource} "${name}" not found`);
      const obj = ctx.fieldManager.apply(d, undefined, applied, manager, force);
      const meta = (obj.metadata ??= {});
      meta.name = name;
      if (d.namespaced) meta.namespace = namespace;
      return { object: await ctx.store.create(d, namespace, obj, opts), created: true };
    }
    const object = await ctx.store.guaranteedUpdate(d, namespace, name, opts, (current) =>
      ctx.fieldManager.apply(d, current, applied, manager, force, opts.subresource),
    );
    return { object, created: false };
  }

  let patch: unknown;
  if (contentType === PATCH_TYPES.json || contentType === PATCH_TYPES.merge || contentType === PATCH_TYPES.strategic) {
    patch = decodeBody(rawBody as string, 'application/json');
  } else {
    throw unsupportedMediaType(contentType || '(none)');
  }
  if (contentType === PATCH_TYPES.strategic && !d.strategicMergePatch) {
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `strategic merge patch is not supported for ${d.kind}.${d.group} (a custom resource): use --type=merge or --type=json`,
    );
  }
  if (contentType === PATCH_TYPES.json && !Array.isArray(patch)) throw badRequest('a JSON patch must be an array of operations');
  if (contentType !== PATCH_TYPES.json && (patch === null || typeof patch !== 'object' || Array.isArray(patch))) {
    throw badRequest('a merge patch must be a JSON object');
  }
  const object = await ctx.store.guaranteedUpdate(d, namespace, name, opts, (current) => {
    let next: KubeObject;
    try {
      if (contentType === PATCH_TYPES.json) next = applyJsonPatch(current, patch as never) as KubeObject;
      else if (contentType === PATCH_TYPES.merge) next = applyMergePatch(current, patch) as KubeObject;
      else next = applyStrategicMergePatch(current, patch as Record<string, unknown>, d.schema) as KubeObject;
    } catch (err) {
      if (err instanceof ApiError) throw err;
      const mapped = patchErrorToApiError(err);
      if (mapped instanceof ApiError) throw mapped;
      throw new ApiError(422, 'Invalid', `the patch could not be applied: ${(err as Error).message}`);
    }
    if (next === null || typeof next !== 'object' || Array.isArray(next)) throw badRequest('the patch produced a non-object');
    checkNames(d, name, namespace, next); // a patch may not rename the object
    ctx.fieldManager.onUpdate(d, current, next, manager, opts.subresource);
    return next;
  });
  return { object, created: false };
}

// ---- scale subresource -------------------------------------------------------------------------

async function handleScale(
  ctx: RestContext,
  d: ResourceDescriptor,
  info: RequestInfo,
  namespace: string | undefined,
  user: UserInfo,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const scaleSpec = d.subresources.scale!;
  const query = req.query as Query;
  const toScale = (obj: KubeObject): KubeObject => {
    const m = obj.metadata!;
    const selectorValue = scaleSpec.labelSelectorPath ? getFieldByPath(obj, scaleSpec.labelSelectorPath) : undefined;
    // CRDs point at a selector string (e.g. .status.selector); built-ins at a LabelSelector object.
    let selector = '';
    if (typeof selectorValue === 'string') selector = selectorValue;
    else if (selectorValue && typeof selectorValue === 'object') selector = labelSelectorString(selectorValue) ?? '';
    const status: Record<string, unknown> = { replicas: Number(getFieldByPath(obj, scaleSpec.statusReplicasPath) ?? 0) };
    if (selector) status.selector = selector;
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: m.name,
        namespace: m.namespace,
        uid: m.uid,
        resourceVersion: m.resourceVersion,
        creationTimestamp: m.creationTimestamp,
      },
      spec: { replicas: Number(getFieldByPath(obj, scaleSpec.specReplicasPath) ?? 0) },
      status,
    };
  };
  const opts: WriteOptions = { user, dryRun: parseDryRun(query.dryRun), fieldManager: query.fieldManager || undefined };
  const write = async (desiredScale: (current: KubeObject) => KubeObject) => {
    const updated = await ctx.store.guaranteedUpdate(d, namespace, info.name, opts, (current) => {
      const scale = desiredScale(current);
      const replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
      if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
        throw invalidError(d, info.name, [
          { reason: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` },
        ]);
      }
      const sRV = scale.metadata?.resourceVersion;
      const next = structuredClone(current);
      if (sRV) next.metadata!.resourceVersion = sRV;
      setFieldByPath(next, scaleSpec.specReplicasPath, replicas);
      return next;
    });
    return toScale(updated);
  };
  const send = (body: unknown) => reply.code(200).type('application/json').send(JSON.stringify(body));
  switch (info.verb) {
    case 'get':
      return void (await send(toScale(await ctx.store.get(d, namespace, info.name))));
    case 'update': {
      const body = decodeObject(req);
      return void (await send(await write(() => body)));
    }
    case 'patch': {
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const patch = decodeBody(req.body as string, contentType.endsWith('yaml') ? 'application/yaml' : 'application/json');
      return void (await send(
        await write((current) => {
          const scale = toScale(current);
          if (contentType === PATCH_TYPES.json) return applyJsonPatch(scale, patch as never) as KubeObject;
          if (contentType === PATCH_TYPES.merge || contentType === PATCH_TYPES.strategic || contentType === PATCH_TYPES.apply) {
            return applyMergePatch(scale, patch) as KubeObject;
          }
          throw unsupportedMediaType(contentType);
        }),
      ));
    }
    default:
      throw methodNotAllowed();
  }
}


// ---- helpers -----------------------------------------------------------------------------------

function decodeObject(req: FastifyRequest): KubeObject {
  const body = decodeBody(req.body as string, req.headers['content-type']);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('the request body must be a JSON or YAML object');
  }
  return body as KubeObject;
}

function checkNames(d: ResourceDescriptor, name: string, namespace: string | undefined, obj: KubeObject): void {
  const n = obj.metadata?.name;
  if (n && n !== name) throw badRequest(`the name of the object (${n}) does not match the name on the URL (${name})`);
  const ns = obj.metadata?.namespace;
  if (d.namespaced && ns && namespace && ns !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
}

function finalizeNamespace(current: KubeObject, body: KubeObject): KubeObject {
  const next = structuredClone(current);
  const finalizers = (body.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
  next.spec = { ...(next.spec as object), finalizers };
  return next;
}

function partialMetadata(obj: KubeObject): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

function tableIncludeObject(query: Query): 'None' | 'Metadata' | 'Object' {
  const v = query.includeObject;
  if (v === undefined || v === '') return 'Metadata';
  if (v === 'None' || v === 'Object' || v === 'Metadata') return v;
  throw badRequest(`includeObject must be one of None, Metadata, Object (got "${v}")`);
}

function parseDryRun(v: string | undefined): boolean {
  if (!v) return false;
  if (v === 'All') return true;
  throw badRequest(`unsupported dryRun value "${v}": the only supported value is "All"`);
}

function parseFieldValidation(v: string | undefined): 'Strict' | 'Warn' | 'Ignore' {
  if (!v) return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw badRequest(`fieldValidation must be one of Ignore, Warn, Strict (got "${v}")`);
}

function parseLimit(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`invalid limit "${v}": must be a non-negative integer`);
  return n;
}

function deleteOptions(req: FastifyRequest, query: Query, user: UserInfo, warnings: string[]): DeleteOptions {
  let body: Record<string, unknown> = {};
  const raw = req.body as string | undefined;
  if (raw && raw.trim()) body = decodeBody(raw, req.headers['content-type']) as Record<string, unknown>;
  const propagation = (query.propagationPolicy ?? body.propagationPolicy) as string | undefined;
  if (propagation && !['Orphan', 'Background', 'Foreground'].includes(propagation)) {
    throw badRequest(`propagationPolicy must be one of Orphan, Background, Foreground (got "${propagation}")`);
  }
  let policy = propagation as DeleteOptions['propagationPolicy'];
  const orphanDependents = typeof body.orphanDependents === 'boolean' ? body.orphanDependents : query.orphanDependents === undefined ? undefined : query.orphanDependents === 'true';
  if (!policy && orphanDependents === true) policy = 'Orphan';
  const dryRunBody = Array.isArray(body.dryRun) && body.dryRun.includes('All');
  return {
    user,
    warnings,
    dryRun: parseDryRun(query.dryRun) || dryRunBody,
    propagationPolicy: policy,
    orphanDependents,
    preconditions: body.preconditions as DeleteOptions['preconditions'],
    gracePeriodSeconds: query.gracePeriodSeconds ? Number(query.gracePeriodSeconds) : (body.gracePeriodSeconds as number | undefined),
  };
}

/** Kubernetes' default field manager: the user agent up to the first "/" (e.g. "kubectl"). */
function defaultManager(req: FastifyRequest): string {
  const ua = req.headers['user-agent'] ?? 'unknown';
  return ua.split('/')[0]!.slice(0, 128) || 'unknown';
}
