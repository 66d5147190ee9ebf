// Serves CustomResourceDefinitions: each established CRD becomes descriptors in the registry (one per
// served version), its status says Established/NamesAccepted, and deleting it removes every custom
// object before the CRD goes (the customresourcecleanup finalizer), as apiextensions-apiserver does.

import type { Logger } from 'pino';
import type { StorageWatcher } from '../../storage/interface.js';
import { ApiError } from '../errors.js';
import type { Registry } from '../registry/registry.js';
import type { KubeObject, PrinterColumn, ResourceDescriptor, ScaleSubresource } from '../registry/types.js';
import type { JSONSchemaProps } from '../schema/types.js';
import { resourcePrefix } from '../store/keys.js';
import { deepEqual, type Store } from '../store/store.js';
import { WorkQueue } from '../../runtime/workqueue.js';
import { crdStatusFor } from '../crd/validation.js';
import { SYSTEM_USER, watchResource } from './common.js';

export const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';
const ALL_VERBS = ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'];

interface CRDVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema?: { openAPIV3Schema?: JSONSchemaProps };
  subresources?: { status?: object; scale?: ScaleSubresource };
  additionalPrinterColumns?: PrinterColumn[];
}

export interface CRDSpec {
  group: string;
  names: { plural: string; singular?: string; kind: string; listKind?: string; shortNames?: string[]; categories?: string[] };
  scope: 'Namespaced' | 'Cluster';
  versions: CRDVersion[];
  preserveUnknownFields?: boolean;
}

/** Descriptors a CRD serves: one per served version. */
export function descriptorsForCRD(crd: KubeObject): ResourceDescriptor[] {
  const spec = crd.spec as CRDSpec;
  const names = spec.names;
  return spec.versions
    .filter((v) => v.served)
    .map((v) => ({
      group: spec.group,
      version: v.name,
      resource: names.plural,
      singular: names.singular || names.kind.toLowerCase(),
      kind: names.kind,
      listKind: names.listKind || `${names.kind}List`,
      namespaced: spec.scope === 'Namespaced',
      shortNames: names.shortNames,
      categories: names.categories,
      verbs: ALL_VERBS,
      subresources: { status: !!v.subresources?.status, scale: v.subresources?.scale },
      schema: v.schema?.openAPIV3Schema,
      strategicMergePatch: false,
      printerColumns: v.additionalPrinterColumns,
      crd: { name: crd.metadata!.name!, uid: crd.metadata!.uid!, preserveUnknownFields: !!spec.preserveUnknownFields },
    }));
}

export class CRDController {
  private watcher?: StorageWatcher;
  private readonly queue = new WorkQueue({ baseDelayMs: 100, maxDelayMs: 10_000 });
  /** CRD name -> the descriptors currently registered for it. */
  private readonly served = new Map<string, ResourceDescriptor[]>();

  constructor(
    private readonly registry: Registry,
    private readonly store: Store,
    private readonly logger: Logger,
  ) {}

  private get crds(): ResourceDescriptor {
    return this.registry.get('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
  }

  async start(): Promise<void> {
    this.watcher = await watchResource(this.store, this.crds, (type, obj) => {
      const name = obj.metadata!.name!;
      if (type === 'delete') {
        this.unserve(name);
        return;
      }
      // Serve synchronously so a CRD is usable as soon as the cache has seen it.
      this.serve(obj);
      this.queue.add(name);
    });
    void this.queue.run(1, (name) => this.sync(name), (name, err) =>
      this.logger.warn({ crd: name, err: String(err) }, 'CRD sync failed; retrying'),
    );
  }

  stop(): void {
    this.watcher?.close();
    this.queue.shutDown();
  }

  private serve(crd: KubeObject): void {
    const name = crd.metadata!.name!;
    let next: ResourceDescriptor[];
    try {
      next = descriptorsForCRD(crd);
    } catch (err) {
      this.logger.warn({ crd: name, err: String(err) }, 'cannot serve CRD');
      return;
    }
    const prev = this.served.get(name) ?? [];
    for (const p of prev) {
      if (!next.some((n) => n.version === p.version && n.resource === p.resource && n.group === p.group)) {
        this.registry.remove(p.group, p.version, p.resource);
      }
    }
    for (const n of next) {
      const existing = this.registry.get(n.group, n.version, n.resource);
      if (existing && !existing.crd) {
        this.logger.warn({ crd: name }, 'CRD names a built-in resource; not served');
        continue;
      }
      if (!existing || !sameDescriptor(existing, n)) this.registry.add(n);
    }
    this.served.set(name, next);
  }

  private unserve(name: string): void {
    const prev = this.served.get(name) ?? [];
    for (const p of prev) this.registry.remove(p.group, p.version, p.resource);
    if (prev[0]) this.store.dropCacher(prev[0]);
    this.served.delete(name);
  }

  private async sync(name: string): Promise<void> {
    const crd = await this.store.tryGet(this.crds, undefined, name);
    if (!crd) return;
    if (crd.metadata?.deletionTimestamp) return this.cleanup(crd);
    if (!crd.metadata?.finalizers?.includes(CRD_CLEANUP_FINALIZER)) {
      await this.store.guaranteedUpdate(this.crds, undefined, name, { user: SYSTEM_USER }, (cur) => {
        const f = cur.metadata!.finalizers ?? [];
        if (!f.includes(CRD_CLEANUP_FINALIZER)) cur.metadata!.finalizers = [...f, CRD_CLEANUP_FINALIZER];
        return cur;
      });
    }
    const status = crdStatusFor(crd as never);
    if (!deepEqual(stripTimes(crd.status), stripTimes(status))) {
      await this.store.guaranteedUpdate(this.crds, undefined, name, { user: SYSTEM_USER, subresource: 'status' }, (cur) => {
        cur.status = crdStatusFor(cur as never);
        return cur;
      });
    }
  }

  /** Deletes every custom object of the CRD, then releases the CRD. */
  private async cleanup(crd: KubeObject): Promise<void> {
    const name = crd.metadata!.name!;
    const descriptors = this.served.get(name) ?? descriptorsForCRD(crd);
    const d = descriptors[0];
    if (d) {
      const { items } = await this.store.list(d, undefined);
      for (const item of items) {
        if (item.metadata?.deletionTimestamp) continue;
        await this.store
          .delete(d, item.metadata!.namespace, item.metadata!.name!, { user: SYSTEM_USER, propagationPolicy: 'Background' })
          .catch((err) => {
            if (!(err instanceof ApiError && err.code === 404)) throw err;
          });
      }
      const left = await this.store.storage.count(resourcePrefix(d));
      if (left > 0) {
        this.queue.addAfter(name, 500);
        return;
      }
    }
    await this.store
      .guaranteedUpdate(this.crds, undefined, name, { user: SYSTEM_USER }, (cur) => {
        const f = (cur.metadata!.finalizers ?? []).filter((x) => x !== CRD_CLEANUP_FINALIZER);
        if (f.length) cur.metadata!.finalizers = f;
        else delete cur.metadata!.finalizers;
        return cur;
      })
      .catch((err) => {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      });
    this.logger.info({ crd: name }, 'CRD and its objects deleted');
  }
}

function sameDescriptor(a: ResourceDescriptor, b: ResourceDescriptor): boolean {
  const strip = (d: ResourceDescriptor) => ({ ...d, validate: undefined, default: undefined });
  return deepEqual(strip(a), strip(b));
}

function stripTimes(status: unknown): unknown {
  const s = structuredClone((status ?? {}) as { conditions?: { lastTransitionTime?: string }[] });
  for (const c of s.conditions ?? []) delete c.lastTransitionTime;
  return s;
}
