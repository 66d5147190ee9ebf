// Typed-ish access to any resource as unstructured objects: get/list/create/update/patch/delete and the
// status subresource, addressed by GVR. Works against karmada-apiserver and real kube-apiservers.

import { resourcePath, gvrString, type GVR } from './gvr.js';
import { isNotFound, RestClient, type Query } from './rest.js';
import type { KubeObject, ObjectList } from './types.js';

export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface WriteOptions {
  namespace?: string;
  fieldManager?: string;
  dryRun?: boolean;
}

export interface PatchOptions extends WriteOptions {
  /** merge (RFC 7386, default), json (RFC 6902), strategic, apply (server-side apply). */
  type?: PatchType;
  /** Server-side apply: take ownership of conflicting fields. */
  force?: boolean;
  subresource?: string;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
  timeoutSeconds?: number;
}

export interface DeleteOptions {
  namespace?: string;
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

function writeQuery(opts: WriteOptions & { force?: boolean }): Query {
  return { fieldManager: opts.fieldManager, dryRun: opts.dryRun ? 'All' : undefined, force: opts.force ? true : undefined };
}

/** Operations on one resource type. */
export class ResourceClient<T extends KubeObject = KubeObject> {
  constructor(
    readonly rest: RestClient,
    readonly gvr: GVR,
  ) {}

  private nsOf(obj: KubeObject | undefined, namespace: string | undefined): string | undefined {
    if (this.gvr.namespaced === false) return undefined;
    return namespace ?? obj?.metadata?.namespace;
  }

  private objectPath(name: string, namespace: string | undefined, subresource?: string): string {
    if (this.gvr.namespaced !== false && !namespace) throw new Error(`${gvrString(this.gvr)} "${name}": a namespace is required`);
    return resourcePath(this.gvr, { namespace, name, subresource });
  }

  get(name: string, opts: { namespace?: string; subresource?: string } = {}): Promise<T> {
    return this.rest.request<T>({ path: this.objectPath(name, this.nsOf(undefined, opts.namespace), opts.subresource) });
  }

  /** get, or undefined when the object (or the resource type) does not exist. */
  async getOrUndefined(name: string, opts: { namespace?: string } = {}): Promise<T | undefined> {
    try {
      return await this.get(name, opts);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** One page of a list. */
  list(opts: ListOptions = {}): Promise<ObjectList<T>> {
    const { namespace, ...q } = opts;
    return this.rest.request<ObjectList<T>>({
      path: resourcePath(this.gvr, { namespace: this.nsOf(undefined, namespace) }),
      query: q as Query,
    });
  }

  /** Every page of a list; resourceVersion is the list's (for a following watch). */
  async listAll(opts: Omit<ListOptions, 'continue'> = {}): Promise<{ items: T[]; resourceVersion: string }> {
    const items: T[] = [];
    let cont: string | undefined;
    let rv = '';
    do {
      const page = await this.list({ limit: 500, ...opts, continue: cont });
      for (const it of page.items ?? []) items.push(it);
      cont = page.metadata?.continue || undefined;
      rv = page.metadata?.resourceVersion ?? rv;
    } while (cont);
    return { items, resourceVersion: rv };
  }

  create(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.rest.request<T>({
      method: 'POST',
      path: resourcePath(this.gvr, { namespace: this.nsOf(obj, opts.namespace) }),
      query: writeQuery(opts),
      body: obj,
    });
  }

  /** PUT of the whole object (optimistic concurrency through metadata.resourceVersion). */
  update(obj: T, opts: WriteOptions = {}): Promise<T> {
    const name = obj.metadata?.name ?? '';
    return this.rest.request<T>({ method: 'PUT', path: this.objectPath(name, this.nsOf(obj, opts.namespace)), query: writeQuery(opts), body: obj });
  }

  /** PUT to the status subresource. */
  updateStatus(obj: T, opts: WriteOptions = {}): Promise<T> {
    const name = obj.metadata?.name ?? '';
    return this.rest.request<T>({ method: 'PUT', path: this.objectPath(name, this.nsOf(obj, opts.namespace), 'status'), query: writeQuery(opts), body: obj });
  }

  patch(name: string, patch: unknown, opts: PatchOptions = {}): Promise<T> {
    const type = opts.type ?? 'merge';
    const body = type === 'apply' && typeof patch !== 'string' ? JSON.stringify(patch) : patch;
    return this.rest.request<T>({
      method: 'PATCH',
      path: this.objectPath(name, this.nsOf(undefined, opts.namespace), opts.subresource),
      query: writeQuery({ ...opts, fieldManager: opts.fieldManager ?? (type === 'apply' ? 'karmada-ts' : undefined) }),
      body,
      contentType: PATCH_CONTENT_TYPES[type],
    });
  }

  patchStatus(name: string, patch: unknown, opts: Omit<PatchOptions, 'subresource'> = {}): Promise<T> {
    return this.patch(name, patch, { ...opts, subresource: 'status' });
  }

  /** Server-side apply of a whole object (PATCH application/apply-patch+yaml). */
  apply(obj: T, opts: WriteOptions & { force?: boolean; fieldManager: string }): Promise<T> {
    return this.patch(obj.metadata?.name ?? '', obj, { ...opts, namespace: this.nsOf(obj, opts.namespace), type: 'apply' });
  }

  delete(name: string, opts: DeleteOptions = {}): Promise<unknown> {
    const { namespace, dryRun, ...rest } = opts;
    const hasBody = Object.keys(rest).length > 0;
    return this.rest.request({
      method: 'DELETE',
      path: this.objectPath(name, this.nsOf(undefined, namespace)),
      query: { dryRun: dryRun ? 'All' : undefined },
      body: hasBody ? { kind: 'DeleteOptions', apiVersion: 'v1', ...rest } : undefined,
    });
  }

  /** delete that treats "already gone" as success; resolves true when something was deleted. */
  async deleteIfExists(name: string, opts: DeleteOptions = {}): Promise<boolean> {
    try {
      await this.delete(name, opts);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }
}

/** Entry point: `client.resource<Cluster>(CLUSTERS).get('member1')`. */
export class ObjectClient {
  constructor(readonly rest: RestClient) {}

  static fromFile(file?: string, context?: string, userAgent?: string): ObjectClient {
    return new ObjectClient(RestClient.fromFile(file, context, { userAgent }));
  }

  resource<T extends KubeObject = KubeObject>(gvr: GVR): ResourceClient<T> {
    return new ResourceClient<T>(this.rest, gvr);
  }

  /** Whether the server serves the resource (discovery of its group/version). */
  async serves(gvr: GVR): Promise<boolean> {
    try {
      const list = await this.rest.request<{ resources?: { name: string }[] }>({ path: gvr.group ? `/apis/${gvr.group}/${gvr.version}` : `/api/${gvr.version}` });
      return !!list?.resources?.some((r) => r.name === gvr.resource);
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  close(): void {
    this.rest.close();
  }
}
