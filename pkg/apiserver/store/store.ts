// The generic registry store (k8s.io/apiserver's registry/generic/registry.Store): one implementation of
// create/get/list/update/patch/delete/watch for every kind. Kinds differ only by their descriptor and
// the strategy hooks it carries; the server-wide admission chain runs before every write.

import { nowTime } from '../../apis/meta/v1/types.js';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { isStorageError, type Storage } from '../../storage/interface.js';
import { Cacher } from '../../storage/cacher/cacher.js';
import {
  alreadyExists,
  ApiError,
  badRequest,
  conflict,
  gone,
  invalid,
  notFound,
  staleConflict,
} from '../errors.js';
import { apiVersionOf, type FieldCause, type KubeObject, type ResourceDescriptor } from '../registry/types.js';
import { matchesFields, matchesLabels, type FieldRequirement, type LabelSelector } from '../selectors.js';
import { decode, encode, listPrefix, objectKey } from './keys.js';
import { deepEqual } from '../../util/deepequal.js';
import type { Admission, AdmissionAttributes, Operation } from '../admission/types.js';

export interface UserInfo {
  name: string;
  groups: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

export interface WriteOptions {
  user: UserInfo;
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
  /** Warnings to return to the client (Warning headers). */
  warnings?: string[];
  subresource?: string;
}

export interface DeleteOptions extends WriteOptions {
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  /** Deprecated DeleteOptions field, still honoured (true = Orphan). */
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  gracePeriodSeconds?: number;
}

export interface ListOptions {
  labelSelector?: LabelSelector;
  fieldSelector?: FieldRequirement[];
  limit?: number;
  continueToken?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
}

export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';
const GENERATE_NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_UPDATE_RETRIES = 16;

/** Kubernetes timestamps are RFC 3339 with second precision. */
export function nowTimestamp(): string {
  return nowTime();
}

export class Store {
  private readonly cachers = new Map<string, Cacher>();
  private readonly cacherStarts = new Map<string, Promise<Cacher>>();

  constructor(
    readonly storage: Storage,
    readonly admission: Admission,
    private readonly logger: Logger,
  ) {}

  /** The watch cache of one resource, started on first use. */
  async cacher(d: ResourceDescriptor): Promise<Cacher> {
    const prefix = listPrefix(d);
    const existing = this.cacherStarts.get(prefix);
    if (existing) return existing;
    const cacher = new Cacher(this.storage, prefix, { logger: this.logger.child({ cacher: prefix }) });
    const started = cacher.start().then(() => {
      this.cachers.set(prefix, cacher);
      return cacher;
    });
    this.cacherStarts.set(prefix, started);
    started.catch(() => this.cacherStarts.delete(prefix));
    return started;
  }

  /** Stops the cache of a resource that is no longer served (a deleted CRD). */
  dropCacher(d: ResourceDescriptor): void {
    const prefix = listPrefix(d);
    this.cachers.get(prefix)?.stop();
    this.cachers.delete(prefix);
    this.cacherStarts.delete(prefix);
  }

  stop(): void {
    for (const c of this.cachers.values()) c.stop();
    this.cachers.clear();
    this.cacherStarts.clear();
  }

  // ---- reads ---------------------------------------------------------------------------------

  async get(d: ResourceDescriptor, namespace: string | undefined, name: string): Promise<KubeObject> {
    const kv = await this.storage.get(objectKey(d, namespace, name));
    if (!kv) throw notFound(d.group, d.resource, name);
    return decode(kv);
  }

  async tryGet(d: ResourceDescriptor, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    const kv = await this.storage.get(objectKey(d, namespace, name));
    return kv ? decode(kv) : undefined;
  }

  async list(d: ResourceDescriptor, namespace: string | undefined, opts: ListOptions = {}): Promise<ListResult> {
    const prefix = listPrefix(d, namespace);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const filtered = !!opts.labelSelector?.length || !!opts.fieldSelector?.length;
    const matches = (o: KubeObject) =>
      (!opts.labelSelector?.length || matchesLabels(opts.labelSelector, o.metadata?.labels)) &&
      (!opts.fieldSelector?.length || matchesFields(opts.fieldSelector, o));

    let startAfter: string | undefined;
    let revision: number | undefined;
    if (opts.continueToken) {
      const tok = decodeContinue(opts.continueToken);
      startAfter = prefix + tok.start;
      revision = tok.rv;
    } else if (opts.resourceVersion && opts.resourceVersion !== '0' && opts.resourceVersionMatch === 'Exact') {
      revision = parseRV(opts.resourceVersion);
    }

    // Without a continue token or an exact revision, serve from the watch cache once it is fresh
    // (rv="0": any state; rv="" or NotOlderThan: at least the latest/requested revision).
    if (revision === undefined) {
      const cacher = await this.cacher(d);
      if (opts.resourceVersion !== '0') {
        const want = opts.resourceVersion ? parseRV(opts.resourceVersion) : await this.storage.currentRevision();
        await cacher.waitUntilFresh(want);
      }
      if (!limit && !opts.labelSelector?.length && !opts.fieldSelector?.length) {
        const r = cacher.list(prefix, {});
        return { items: r.kvs.map(decode), resourceVersion: String(r.revision) };
      }
      return this.filterPages(
        (after, pageLimit) => Promise.resolve(cacher.list(prefix, { startAfter: after, limit: pageLimit })),
        prefix,
        limit,
        matches,
        undefined,
        filtered,
      );
    }

    try {
      return await this.filterPages(
        (after, pageLimit) => this.storage.list(prefix, { revision, startAfter: after, limit: pageLimit }),
        prefix,
        limit,
        matches,
        startAfter,
        filtered,
      );
    } catch (err) {
      if (isStorageError(err, 'Compacted')) {
        throw opts.continueToken
          ? gone(
              'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
            )
          : gone(`too old resource version: ${revision} (${err.revision ?? ''})`);
      }
      throw err;
    }
  }

  /** Pages through a source until `limit` matching objects are found (or the source ends). */
  private async filterPages(
    page: (
      startAfter: string | undefined,
      limit: number,
    ) => Promise<{ kvs: { key: string; value: string; modRevision: number; createRevision: number }[]; revision: number; more: boolean; remaining?: number }>,
    prefix: string,
    limit: number,
    matches: (o: KubeObject) => boolean,
    startAfter?: string,
    filtered = false,
  ): Promise<ListResult> {
    const items: KubeObject[] = [];
    let after = startAfter;
    let revision = 0;
    for (;;) {
      const want = limit ? Math.max(limit - items.length, 1) : 0;
      const r = await page(after, limit ? Math.max(want, 64) : 0);
      revision = revision || r.revision;
      let lastKey = after;
      let taken = 0;
      for (const kv of r.kvs) {
        lastKey = kv.key;
        taken++;
        const o = decode(kv);
        if (matches(o)) items.push(o);
        if (limit && items.length >= limit) break;
      }
      const sourceHasMore = r.more || taken < r.kvs.length;
      if (limit && items.length >= limit) {
        if (!sourceHasMore) return { items, resourceVersion: String(revision) };
        const remaining = (r.remaining ?? 0) + (r.kvs.length - taken);
        return {
          items,
          resourceVersion: String(revision),
          continueToken: encodeContinue(revision, lastKey!.slice(prefix.length)),
          // Like Kubernetes, no count when a selector filters: the unfiltered one would be wrong.
          remainingItemCount: filtered ? undefined : remaining,
        };
      }
      if (!sourceHasMore) return { items, resourceVersion: String(revision) };
      after = lastKey;
    }
  }

  // ---- writes --------------------------------------------------------------------------------

  async create(d: ResourceDescriptor, namespace: string | undefined, body: KubeObject, opts: WriteOptions): Promise<KubeObject> {
    const obj = structuredClone(body);
    checkTypeMeta(d, obj);
    const meta = (obj.metadata ??= {});
    if (d.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = namespace ?? meta.namespace;
      if (!meta.namespace) throw badRequest('the server could not find the requested resource: a namespace must be specified');
    } else {
      delete meta.namespace;
    }
    if (!meta.name && meta.generateName) meta.name = meta.generateName + randomSuffix();
    if (meta.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
    meta.uid = randomUUID();
    meta.creationTimestamp = nowTimestamp();
    meta.generation = 1;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.selfLink;

    const attrs = this.attributes('CREATE', d, obj, undefined, opts);
    await this.admission.admit(attrs);
    await this.admission.validate(attrs);
    if (opts.dryRun) return obj;

    try {
      const kv = await this.storage.create(objectKey(d, meta.namespace, meta.name!), encode(obj));
      return decode(kv);
    } catch (err) {
      if (isStorageError(err, 'KeyExists')) throw alreadyExists(d.group, d.resource, meta.name!);
      throw err;
    }
  }

  /** PUT: replace the object (or its status when opts.subresource is 'status'). */
  async update(d: ResourceDescriptor, namespace: string | undefined, name: string, body: KubeObject, opts: WriteOptions): Promise<KubeObject> {
    checkTypeMeta(d, body);
    const bodyName = body.metadata?.name;
    if (bodyName && bodyName !== name) {
      throw badRequest(`the name of the object (${bodyName}) does not match the name on the URL (${name})`);
    }
    if (d.namespaced && body.metadata?.namespace && body.metadata.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const pinned = body.metadata?.resourceVersion || undefined;
    return this.guaranteedUpdate(d, namespace, name, opts, () => structuredClone(body), pinned);
  }

  /**
   * Read-modify-write with compare-and-swap, retried on conflicts unless the caller pinned a
   * resourceVersion. `produce` returns the desired object given the current one.
   */
  async guaranteedUpdate(
    d: ResourceDescriptor,
    namespace: string | undefined,
    name: string,
    opts: WriteOptions,
    produce: (current: KubeObject) => KubeObject | Promise<KubeObject>,
    pinnedResourceVersion?: string,
  ): Promise<KubeObject> {
    const key = objectKey(d, namespace, name);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.storage.get(key);
      if (!kv) throw notFound(d.group, d.resource, name);
      const current = decode(kv);
      const desired = await produce(structuredClone(current));
      const rv = pinnedResourceVersion ?? desired.metadata?.resourceVersion;
      if (rv && rv !== current.metadata!.resourceVersion) throw staleConflict(d.group, d.resource, name);
      const next = this.prepareUpdate(d, current, desired, opts.subresource);
      const attrs = this.attributes('UPDATE', d, next, current, opts);
      await this.admission.admit(attrs);
      await this.admission.validate(attrs);
      if (sameStoredState(current, next)) return current;
      if (opts.dryRun) return next;

      const finished = next.metadata!.deletionTimestamp && !hasFinalizers(d, next);
      try {
        if (finished) {
          const deleted = await this.storage.delete(key, kv.modRevision);
          return decode(deleted);
        }
        const written = await this.storage.update(key, encode(next), kv.modRevision);
        return decode(written);
      } catch (err) {
        if (isStorageError(err, 'Conflict') || isStorageError(err, 'KeyNotFound')) {
          if (isStorageError(err, 'KeyNotFound')) throw notFound(d.group, d.resource, name);
          // A pinned resourceVersion means the client wants this exact base: report, don't retry.
          if (pinnedResourceVersion || attempt >= MAX_UPDATE_RETRIES) throw staleConflict(d.group, d.resource, name);
          continue;
        }
        throw err;
      }
    }
  }

  /** Carries over what a client may not change and bumps generation on spec changes. */
  private prepareUpdate(d: ResourceDescriptor, current: KubeObject, desired: KubeObject, subresource?: string): KubeObject {
    const cm = current.metadata!;
    let next: KubeObject;
    // certificatesigningrequests/approval writes status (conditions) like /status does.
    if (subresource === 'status' || subresource === 'approval') {
      next = structuredClone(current);
      if (desired.status === undefined) delete next.status;
      else next.status = desired.status;
      // Status writers may not touch metadata; managedFields are the exception (kept by the field manager).
      if (desired.metadata?.managedFields) next.metadata!.managedFields = desired.metadata.managedFields;
    } else {
      next = desired;
      next.apiVersion = current.apiVersion ?? apiVersionOf(d);
      next.kind = current.kind ?? d.kind;
      const m = (next.metadata ??= {});
      m.name = cm.name;
      if (d.namespaced) m.namespace = cm.namespace;
      m.uid = cm.uid;
      m.creationTimestamp = cm.creationTimestamp;
      m.generation = cm.generation ?? 1;
      if (cm.deletionTimestamp) {
        m.deletionTimestamp = cm.deletionTimestamp;
        m.deletionGracePeriodSeconds = cm.deletionGracePeriodSeconds;
      } else {
        delete m.deletionTimestamp;
        delete m.deletionGracePeriodSeconds;
      }
      if (d.subresources.status) {
        if (current.status === undefined) delete next.status;
        else next.status = current.status;
      }
      if (specChanged(current, next)) m.generation = (cm.generation ?? 1) + 1;
    }
    next.metadata!.resourceVersion = cm.resourceVersion;
    return next;
  }

  async delete(d: ResourceDescriptor, namespace: string | undefined, name: string, opts: DeleteOptions): Promise<KubeObject> {
    const key = objectKey(d, namespace, name);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.storage.get(key);
      if (!kv) throw notFound(d.group, d.resource, name);
      const current = decode(kv);
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== current.metadata!.uid) {
        throw conflict(d.group, d.resource, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata!.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== current.metadata!.resourceVersion) {
        throw conflict(
          d.group,
          d.resource,
          name,
          `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata!.resourceVersion}`,
        );
      }
      const attrs = this.attributes('DELETE', d, undefined, current, opts);
      await this.admission.admit(attrs);
      await this.admission.validate(attrs);

      // Graceful path: finalizers (including the GC's orphan/foreground ones) keep the object alive
      // with a deletionTimestamp until controllers remove them.
      const next = structuredClone(current);
      const m = next.metadata!;
      const finalizers = new Set(m.finalizers ?? []);
      if (opts.propagationPolicy === 'Orphan') finalizers.add(FINALIZER_ORPHAN);
      if (opts.propagationPolicy === 'Foreground') finalizers.add(FINALIZER_FOREGROUND);
      if (opts.propagationPolicy === 'Background' && !current.metadata!.deletionTimestamp) {
        finalizers.delete(FINALIZER_ORPHAN);
        finalizers.delete(FINALIZER_FOREGROUND);
      }
      m.finalizers = [...finalizers];
      if (!m.finalizers.length) delete m.finalizers;
      if (d.kind === 'Namespace' && d.group === '' && !m.deletionTimestamp) {
        next.status = { ...(next.status as object), phase: 'Terminating' };
      }
      if (hasFinalizers(d, next)) {
        if (!m.deletionTimestamp) {
          m.deletionTimestamp = nowTimestamp();
          m.deletionGracePeriodSeconds = 0;
          // As Kubernetes' markAsDeleting: generation-filtered controllers must see the deletion.
          if (m.generation) m.generation += 1;
        }
        if (opts.dryRun || sameStoredState(current, next)) return next;
        try {
          return decode(await this.storage.update(key, encode(next), kv.modRevision));
        } catch (err) {
          if (isStorageError(err, 'Conflict') && attempt < MAX_UPDATE_RETRIES) continue;
          if (isStorageError(err, 'KeyNotFound')) throw notFound(d.group, d.resource, name);
          throw err;
        }
      }
      if (opts.dryRun) return current;
      try {
        return decode(await this.storage.delete(key, kv.modRevision));
      } catch (err) {
        if (isStorageError(err, 'Conflict') && attempt < MAX_UPDATE_RETRIES) continue;
        if (isStorageError(err, 'KeyNotFound')) throw notFound(d.group, d.resource, name);
        throw err;
      }
    }
  }

  private attributes(
    operation: Operation,
    d: ResourceDescriptor,
    object: KubeObject | undefined,
    oldObject: KubeObject | undefined,
    opts: WriteOptions,
  ): AdmissionAttributes {
    const meta = (object ?? oldObject)?.metadata ?? {};
    return {
      operation,
      descriptor: d,
      subresource: opts.subresource,
      namespace: meta.namespace,
      name: meta.name ?? '',
      object,
      oldObject,
      user: opts.user,
      dryRun: !!opts.dryRun,
      fieldManager: opts.fieldManager,
      fieldValidation: opts.fieldValidation ?? 'Ignore',
      warnings: opts.warnings ?? [],
      store: this,
    };
  }
}

export function invalidError(d: ResourceDescriptor, name: string, causes: FieldCause[]): ApiError {
  return invalid(d.group, d.kind, name, causes);
}

export function checkTypeMeta(d: ResourceDescriptor, obj: KubeObject): void {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw badRequest('the body of the request must be a JSON or YAML object');
  }
  const want = apiVersionOf(d);
  if (obj.apiVersion === undefined && obj.kind === undefined) {
    obj.apiVersion = want;
    obj.kind = d.kind;
    return;
  }
  if (obj.kind !== undefined && obj.kind !== d.kind) {
    throw badRequest(`the kind in the data (${String(obj.kind)}) does not match the expected kind (${d.kind})`);
  }
  if (obj.apiVersion !== undefined && obj.apiVersion !== want) {
    throw badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${want})`);
  }
  obj.apiVersion = want;
  obj.kind = d.kind;
}

/** Namespaces also wait for their spec.finalizers (the namespace controller's "kubernetes"). */
export function hasFinalizers(d: ResourceDescriptor, obj: KubeObject): boolean {
  if (obj.metadata?.finalizers?.length) return true;
  if (d.group === '' && d.kind === 'Namespace') {
    const spec = obj.spec as { finalizers?: string[] } | undefined;
    return !!spec?.finalizers?.length;
  }
  return false;
}

const NON_SPEC_FIELDS = new Set(['apiVersion', 'kind', 'metadata', 'status']);

/** Anything outside metadata and status counts as spec (ConfigMap data, RBAC rules, ...). */
function specChanged(a: KubeObject, b: KubeObject): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    if (NON_SPEC_FIELDS.has(k)) continue;
    if (!deepEqual(a[k], b[k])) return true;
  }
  return false;
}

/** True when a write would store nothing new (managedFields timestamps aside). */
function sameStoredState(a: KubeObject, b: KubeObject): boolean {
  return deepEqual(stripVolatile(a), stripVolatile(b));
}

function stripVolatile(o: KubeObject): KubeObject {
  const c = { ...o, metadata: { ...o.metadata } };
  delete c.metadata.resourceVersion;
  if (c.metadata.managedFields) {
    c.metadata.managedFields = c.metadata.managedFields.map((m) => ({ ...m, time: undefined }));
  }
  return c;
}

// One structural equality for the whole code base (undefined fields equal missing ones).
export { deepEqual };

function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += GENERATE_NAME_ALPHABET[Math.floor(Math.random() * GENERATE_NAME_ALPHABET.length)];
  return s;
}

export function parseRV(rv: string): number {
  const n = Number(rv);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`invalid resource version: "${rv}"`);
  return n;
}

function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { rv: unknown; start: unknown };
    if (typeof t.rv === 'number' && typeof t.start === 'string') return { rv: t.rv, start: t.start };
  } catch {
    // fall through
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}
