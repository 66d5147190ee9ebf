// The binding controllers (binding_controller.go, cluster_resource_binding_controller.go): one Work per
// target cluster for every ResourceBinding and ClusterResourceBinding, in karmada-es-<cluster>.
// Reconcile reads the caches (binding, template, override policies, clusters, Works indexed by the
// binding's permanent id), renders the desired Works with the pure renderWorks, and writes only what
// differs: orphan Works are deleted, changed Works updated, missing ones created. A binding being
// deleted first loses its Works, then its finalizer.

import { randomUUID } from 'node:crypto';
import { pino, type Logger } from 'pino';
import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import { clusterOfExecutionNamespace } from '../../apis/cluster/v1alpha1/index.js';
import type { ClusterOverridePolicy, OverridePolicy, ResourceSelector } from '../../apis/policy/v1alpha1/index.js';
import type { Work } from '../../apis/work/v1alpha1/index.js';
import {
  API_VERSION as BINDING_API_VERSION,
  BINDING_CONTROLLER_FINALIZER,
  CLUSTER_RESOURCE_BINDING_CONTROLLER_FINALIZER,
} from '../../apis/work/v1alpha2/index.js';
import type { ResourceInterpreter } from '../../resourceinterpreter/interface.js';
import type { ObjectClient } from '../../runtime/client.js';
import { Controller, type ReconcileResult, type Runnable } from '../../runtime/controller.js';
import { EventRecorder } from '../../runtime/events.js';
import type { SharedInformerFactory } from '../../runtime/factory.js';
import { indexByLabel, indexByNamespace, NAMESPACE_INDEX } from '../../runtime/indexer.js';
import { errText, type Informer } from '../../runtime/informer.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../runtime/rest.js';
import { RESTMapper } from '../../runtime/restmapper.js';
import type { KubeObject } from '../../runtime/types.js';
import { CLUSTERS, WORKS } from '../../util/clusterapi.js';
import { applyOverridePolicies } from '../../util/overridemanager/index.js';
import { CLUSTER_OVERRIDE_POLICIES, CLUSTER_RESOURCE_BINDINGS, OVERRIDE_POLICIES, RESOURCE_BINDINGS } from './gvrs.js';
import { bindingKeyOfTemplate, bindingKeyOfWork, bindingRefOfWork, overrideMaySelect, templateChanged } from './keys.js';
import type { ApplyOverridePolicies } from './overrides.js';
import { directlyPurgedClusters, existingClusters, permanentIDLabel, renderWorks, type BindingObject, type BindingScope } from './render.js';
import { TemplateCache } from './templates.js';
import { workChange } from './work.js';

export const CONTROLLER_NAME = 'binding-controller';
export const EVENT_REASON_SYNC_WORK_SUCCEED = 'SyncWorkSucceed';
export const EVENT_REASON_SYNC_WORK_FAILED = 'SyncWorkFailed';
export const EVENT_REASON_CLEANUP_WORK_FAILED = 'CleanupWorkFailed';

/** Work indexes this controller adds to the shared Works informer. */
export const WORK_INDEX_RB_ID = 'rbPermanentID';
export const WORK_INDEX_CRB_ID = 'crbPermanentID';
export const WORK_INDEX_BINDING_REF = 'bindingRef';

/** How often a binding waiting for Works to disappear looks again (their delete events usually come first). */
const WAIT_FOR_WORKS_MS = 5_000;

export interface BindingControllerOptions {
  client: ObjectClient;
  informers: SharedInformerFactory;
  logger?: Logger;
  /** Revises replicas per cluster; without it templates are propagated with their own replicas. */
  interpreter?: ResourceInterpreter;
  restMapper?: RESTMapper;
  recorder?: EventRecorder;
  /** Concurrent ResourceBinding reconciles (default 8); ClusterResourceBindings get half. */
  workers?: number;
  /** The override manager (default: pkg/util/overridemanager's applyOverridePolicies). */
  applyOverrides?: ApplyOverridePolicies;
}

interface ScopeInfo {
  scope: BindingScope;
  kind: 'ResourceBinding' | 'ClusterResourceBinding';
  finalizer: string;
  workIndex: string;
  informer: Informer<BindingObject>;
  client: ReturnType<ObjectClient['resource']>;
  controller: Controller;
}

function withoutFinalizer(finalizers: string[] | undefined, f: string): string[] {
  return (finalizers ?? []).filter((x) => x !== f);
}

function escapeJSONPointer(s: string): string {
  return s.replaceAll('~', '~0').replaceAll('/', '~1');
}

export class BindingController implements Runnable {
  readonly name = 'binding';
  private readonly log: Logger;
  private readonly client: ObjectClient;
  private readonly recorder: EventRecorder;
  private readonly templates: TemplateCache;
  private readonly works: Informer<Work>;
  private readonly clusters: Informer<Cluster>;
  private readonly ops: Informer<OverridePolicy>;
  private readonly cops: Informer<ClusterOverridePolicy>;
  private readonly rb: ScopeInfo;
  private readonly crb: ScopeInfo;

  constructor(private readonly opts: BindingControllerOptions) {
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ controller: this.name });
    this.client = opts.client;
    const { informers } = opts;
    this.recorder = opts.recorder ?? new EventRecorder({ client: opts.client, component: CONTROLLER_NAME, logger: this.log });
    this.templates = new TemplateCache(opts.client, informers, opts.restMapper ?? new RESTMapper(opts.client), this.log);
    this.works = informers.informerFor<Work>(WORKS, {
      indexers: {
        [WORK_INDEX_RB_ID]: indexByLabel(permanentIDLabel('Namespaced')),
        [WORK_INDEX_CRB_ID]: indexByLabel(permanentIDLabel('Cluster')),
        [WORK_INDEX_BINDING_REF]: bindingRefOfWork,
      },
    });
    this.clusters = informers.informerFor<Cluster>(CLUSTERS);
    this.ops = informers.informerFor<OverridePolicy>(OVERRIDE_POLICIES, { indexers: { [NAMESPACE_INDEX]: indexByNamespace } });
    this.cops = informers.informerFor<ClusterOverridePolicy>(CLUSTER_OVERRIDE_POLICIES);
    const workers = Math.max(1, opts.workers ?? 8);

    const make = (scope: BindingScope, workerCount: number): ScopeInfo => {
      const namespaced = scope === 'Namespaced';
      const resource = namespaced ? RESOURCE_BINDINGS : CLUSTER_RESOURCE_BINDINGS;
      const info = {
        scope,
        kind: namespaced ? 'ResourceBinding' : 'ClusterResourceBinding',
        finalizer: namespaced ? BINDING_CONTROLLER_FINALIZER : CLUSTER_RESOURCE_BINDING_CONTROLLER_FINALIZER,
        workIndex: namespaced ? WORK_INDEX_RB_ID : WORK_INDEX_CRB_ID,
        informer: informers.informerFor<BindingObject>(resource, { indexers: { [NAMESPACE_INDEX]: indexByNamespace } }),
        client: opts.client.resource(resource),
      } as ScopeInfo;
      info.controller = new Controller({
        name: namespaced ? 'binding-controller' : 'cluster-resource-binding-controller',
        workers: workerCount,
        logger: opts.logger,
        reconcile: (key) => this.reconcile(info, key),
      });
      return info;
    };
    this.rb = make('Namespaced', workers);
    this.crb = make('Cluster', Math.max(1, Math.ceil(workers / 2)));

    for (const s of [this.rb, this.crb]) {
      const idLabel = permanentIDLabel(s.scope);
      s.controller
        .watch(s.informer, {
          update: (o, n) =>
            o.metadata?.generation !== n.metadata?.generation ||
            o.metadata?.deletionTimestamp !== n.metadata?.deletionTimestamp ||
            o.metadata?.labels?.[idLabel] !== n.metadata?.labels?.[idLabel] ||
            !n.metadata?.finalizers?.includes(s.finalizer),
        })
        // A Work deleted or edited by someone else is put back; status writes are not our business.
        .watch(this.works, {
          mapKeys: (w) => {
            const k = bindingKeyOfWork(w, s.scope);
            return k ? [k] : [];
          },
          // a Work whose binding is unknown may be left over: its key cleans it up
          add: (w) => !s.informer.indexer.has(bindingKeyOfWork(w, s.scope) ?? ''),
          update: (o, n) =>
            o.metadata?.generation !== n.metadata?.generation ||
            o.metadata?.deletionTimestamp !== n.metadata?.deletionTimestamp ||
            JSON.stringify([o.metadata?.labels, o.metadata?.annotations, o.metadata?.finalizers]) !==
              JSON.stringify([n.metadata?.labels, n.metadata?.annotations, n.metadata?.finalizers]),
        })
        .watch(this.cops, { mapKeys: (p) => this.bindingsSelectedBy(s, undefined, p.spec?.resourceSelectors) })
        // only read: started and synced with the controller, no events
        .watch(this.clusters, { add: () => false, update: () => false, delete: () => false });
    }
    this.rb.controller.watch(this.ops, { mapKeys: (p) => this.bindingsSelectedBy(this.rb, p.metadata?.namespace, p.spec?.resourceSelectors) });

    // Templates change in place; their bindings are re-rendered (the detector's binding update may come later).
    this.templates.onResolve(({ informer }) => {
      const enqueue = (obj: KubeObject) => {
        const b = bindingKeyOfTemplate(obj);
        if (b) (b.scope === 'Namespaced' ? this.rb : this.crb).controller.enqueue(b.key);
      };
      informer.addEventHandler({ onUpdate: (o, n) => templateChanged(o, n) && enqueue(n) });
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.rb.controller.run(signal), this.crb.controller.run(signal)]);
  }

  /** Keys of the bindings whose templates an override policy may select. */
  private bindingsSelectedBy(s: ScopeInfo, namespace: string | undefined, selectors: ResourceSelector[] | undefined): string[] {
    const bindings = namespace ? s.informer.indexer.byIndex(NAMESPACE_INDEX, namespace) : s.informer.indexer.list();
    const keys: string[] = [];
    for (const b of bindings) {
      const ref = b.spec?.resource;
      if (!ref) continue;
      const template = this.templates.resolved(ref.apiVersion, ref.kind)?.informer.indexer.getByName(ref.name, ref.namespace);
      if (overrideMaySelect(selectors, b, template)) keys.push(b.metadata?.namespace ? `${b.metadata.namespace}/${b.metadata.name}` : (b.metadata?.name ?? ''));
    }
    return keys;
  }

  /** Works of the binding in every execution namespace, from the index on its permanent id. */
  private worksOf(s: ScopeInfo, binding: BindingObject): Work[] {
    const id = binding.metadata?.labels?.[permanentIDLabel(s.scope)];
    return id ? this.works.indexer.byIndex(s.workIndex, id) : [];
  }

  private describe(s: ScopeInfo, b: KubeObject): string {
    return s.scope === 'Namespaced' ? `${s.kind}(${b.metadata?.namespace}/${b.metadata?.name})` : `${s.kind}(${b.metadata?.name})`;
  }

  private eventTarget(s: ScopeInfo, b: KubeObject): KubeObject {
    // list items may come without apiVersion/kind; events need them
    return { ...b, apiVersion: BINDING_API_VERSION, kind: s.kind };
  }

  private async reconcile(s: ScopeInfo, key: string): Promise<ReconcileResult> {
    const cached = s.informer.indexer.get(key);
    if (!cached) return this.cleanupAfterBinding(s, key);
    if (cached.metadata?.deletionTimestamp) return this.finalize(s, cached);

    const binding = await this.ensureBindingMeta(s, cached);
    if (!binding) return { requeue: true };
    const spec = binding.spec;

    // Works of clusters the binding no longer targets go first (removeOrphanWorks).
    const expected = existingClusters(spec);
    const own = this.worksOf(s, binding);
    const orphans = own.filter((w) => !expected.has(clusterOfExecutionNamespace(w.metadata?.namespace) ?? ''));
    let changed = false;
    try {
      for (const w of orphans) {
        if (w.metadata?.deletionTimestamp) continue;
        if (await this.client.resource(WORKS).deleteIfExists(w.metadata!.name!, { namespace: w.metadata!.namespace })) {
          changed = true;
          this.log.info({ binding: key, work: `${w.metadata?.namespace}/${w.metadata?.name}` }, 'deleted orphan work');
        }
      }
    } catch (err) {
      this.recorder.emit(this.eventTarget(s, binding), 'Warning', EVENT_REASON_CLEANUP_WORK_FAILED, errText(err));
      throw err;
    }
    // Evictions with purgeMode Directly: the old cluster's Work must be gone before others are written.
    const purged = directlyPurgedClusters(spec);
    if (purged.size && own.some((w) => purged.has(clusterOfExecutionNamespace(w.metadata?.namespace) ?? ''))) {
      this.log.debug({ binding: key }, 'works in clusters evicted with purgeMode Directly still exist; waiting');
      return { requeueAfterMs: WAIT_FOR_WORKS_MS };
    }

    const ref = spec.resource;
    const template = await this.templates.get(ref);
    // Gone or replaced by a new object of the same name: the detector rebuilds or removes the binding.
    if (!template || (ref.uid && template.metadata?.uid !== ref.uid)) return {};
    const templateRef = { ...template, apiVersion: ref.apiVersion, kind: ref.kind };

    const namespace = template.metadata?.namespace;
    const rendered = await renderWorks({
      binding,
      scope: s.scope,
      template: templateRef,
      cluster: (name) => this.clusters.indexer.getByName(name),
      policies: {
        clusterOverridePolicies: this.cops.indexer.list(),
        overridePolicies: namespace ? this.ops.indexer.byIndex(NAMESPACE_INDEX, namespace) : [],
      },
      applyOverrides: this.opts.applyOverrides ?? applyOverridePolicies,
      interpreter: this.opts.interpreter,
    });

    const failures = rendered.errors.map((e) => `cluster ${e.cluster}: ${e.error.message}`);
    let retry = false;
    let waiting = false;
    await Promise.all(
      rendered.works.map(async (desired) => {
        const existing = this.works.indexer.getByName(desired.name, desired.namespace);
        if (existing?.metadata?.deletionTimestamp) {
          waiting = true; // recreated once its deletion finishes (the delete event requeues us)
          return;
        }
        const change = workChange(desired, existing);
        if (!change) return;
        try {
          if (change.op === 'create') await this.client.resource<Work>(WORKS).create(change.work);
          else await this.client.resource<Work>(WORKS).update(change.work);
          changed = true;
        } catch (err) {
          // the cache lags behind our own writes: try again once it has caught up
          if (isConflict(err) || isAlreadyExists(err) || (isNotFound(err) && change.op === 'update')) retry = true;
          else failures.push(`cluster ${desired.cluster}: ${errText(err)}`);
        }
      }),
    );

    const what = this.describe(s, binding);
    if (failures.length) {
      const msg = `Failed to sync works of ${what}: ${failures.join('; ')}`;
      this.recorder.emit(this.eventTarget(s, binding), 'Warning', EVENT_REASON_SYNC_WORK_FAILED, msg);
      this.recorder.emit(templateRef, 'Warning', EVENT_REASON_SYNC_WORK_FAILED, msg);
      throw new Error(msg);
    }
    if (changed) {
      this.log.debug({ binding: key }, 'works synced');
      this.recorder.emit(this.eventTarget(s, binding), 'Normal', EVENT_REASON_SYNC_WORK_SUCCEED, `Sync work of ${what} successful.`);
    }
    if (retry) return { requeue: true };
    return waiting ? { requeueAfterMs: WAIT_FOR_WORKS_MS } : {};
  }

  /**
   * Puts this controller's finalizer (so that Works never outlive their binding) and, for bindings
   * written without the Karmada webhook, the permanent id the Works are labelled with.
   */
  private async ensureBindingMeta(s: ScopeInfo, binding: BindingObject): Promise<BindingObject | undefined> {
    const idLabel = permanentIDLabel(s.scope);
    const md = binding.metadata ?? {};
    const ops: unknown[] = [];
    if (!md.labels?.[idLabel]) {
      const id = randomUUID();
      ops.push(md.labels ? { op: 'add', path: `/metadata/labels/${escapeJSONPointer(idLabel)}`, value: id } : { op: 'add', path: '/metadata/labels', value: { [idLabel]: id } });
    }
    if (!md.finalizers?.includes(s.finalizer)) {
      ops.push(md.finalizers ? { op: 'add', path: '/metadata/finalizers/-', value: s.finalizer } : { op: 'add', path: '/metadata/finalizers', value: [s.finalizer] });
    }
    if (!ops.length) return binding;
    try {
      return await s.client.patch(md.name!, [{ op: 'test', path: '/metadata/resourceVersion', value: md.resourceVersion }, ...ops], { namespace: md.namespace, type: 'json' }) as BindingObject;
    } catch (err) {
      if (isConflict(err) || isNotFound(err) || (err as { code?: number }).code === 422) return undefined;
      throw err;
    }
  }

  /** A binding being deleted: delete its Works, wait until they are gone, then release the binding. */
  private async finalize(s: ScopeInfo, binding: BindingObject): Promise<ReconcileResult> {
    const md = binding.metadata!;
    if (!md.finalizers?.includes(s.finalizer)) return {};
    // by permanent id, and by name for Works written before the binding had one
    const key = md.namespace ? `${md.namespace}/${md.name}` : md.name!;
    const byRef = this.works.indexer.byIndex(WORK_INDEX_BINDING_REF, `${s.scope}:${key}`);
    const works = [...new Map([...this.worksOf(s, binding), ...byRef].map((w) => [`${w.metadata?.namespace}/${w.metadata?.name}`, w])).values()];
    for (const w of works) {
      if (!w.metadata?.deletionTimestamp) await this.client.resource(WORKS).deleteIfExists(w.metadata!.name!, { namespace: w.metadata!.namespace });
    }
    if (works.length) return { requeueAfterMs: WAIT_FOR_WORKS_MS };
    try {
      await s.client.patch(
        md.name!,
        [
          { op: 'test', path: '/metadata/resourceVersion', value: md.resourceVersion },
          { op: 'replace', path: '/metadata/finalizers', value: withoutFinalizer(md.finalizers, s.finalizer) },
        ],
        { namespace: md.namespace, type: 'json' },
      );
      this.log.info({ binding: this.describe(s, binding) }, 'works deleted; released the binding');
    } catch (err) {
      if (isNotFound(err)) return {};
      if (isConflict(err) || (err as { code?: number }).code === 422) return { requeue: true };
      throw err;
    }
    return {};
  }

  /** A binding gone without its finalizer (removed by hand): its Works have no one left to own them. */
  private async cleanupAfterBinding(s: ScopeInfo, key: string): Promise<ReconcileResult> {
    const works = this.works.indexer.byIndex(WORK_INDEX_BINDING_REF, `${s.scope}:${key}`);
    for (const w of works) {
      if (w.metadata?.deletionTimestamp) continue;
      await this.client.resource(WORKS).deleteIfExists(w.metadata!.name!, { namespace: w.metadata!.namespace });
      this.log.info({ binding: key, work: `${w.metadata?.namespace}/${w.metadata?.name}` }, 'deleted work of a vanished binding');
    }
    return {};
  }
}
