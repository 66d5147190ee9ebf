// The dependencies distributor (dependenciesdistributor/dependencies_distributor.go): for every
// ResourceBinding with spec.propagateDeps it asks the interpreter for the template's dependencies,
// records them on the binding, and keeps one attached binding per existing dependency object whose
// spec.requiredBy carries this binding's clusters. Dependencies dropped (or the binding gone, or
// propagateDeps turned off) lose this binding's snapshot; an attached binding nothing requires and no
// policy claims is deleted, and the binding controller then removes its Works.

import { randomUUID } from 'node:crypto';
import { pino, type Logger } from 'pino';
import {
  BINDING_DEPENDENCIES_DISTRIBUTOR_FINALIZER,
  API_VERSION as BINDING_API_VERSION,
  type ResourceBinding,
} from '../../apis/work/v1alpha2/index.js';
import type { DependentObjectReference, ResourceInterpreter } from '../../resourceinterpreter/interface.js';
import type { ObjectClient } from '../../runtime/client.js';
import { Controller, type ReconcileResult, type Runnable } from '../../runtime/controller.js';
import { EventRecorder } from '../../runtime/events.js';
import type { SharedInformerFactory } from '../../runtime/factory.js';
import { errText, type Informer } from '../../runtime/informer.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../runtime/rest.js';
import { RESTMapper } from '../../runtime/restmapper.js';
import { splitObjectKey, type KubeObject } from '../../runtime/types.js';
import { deepEqual } from '../../util/deepequal.js';
import type { LabelSelectorObject } from '../../util/selector.js';
import { RESOURCE_BINDINGS } from '../binding/gvrs.js';
import { TemplateCache } from '../binding/templates.js';
import {
  buildAttachedBinding,
  DEPENDED_BY_LABEL_KEY_PREFIX,
  DEPENDENCIES_ANNOTATION,
  dependedByLabelKey,
  dependencyIndexValue,
  dependencyIndexValues,
  dependsOn,
  detachBinding,
  isOrphanAttached,
  normalizeDependencies,
  updateAttachedBinding,
} from './attached.js';

export const CONTROLLER_NAME = 'dependencies-distributor';
export const EVENT_REASON_GET_DEPENDENCIES_FAILED = 'GetDependenciesFailed';
export const EVENT_REASON_SYNC_SCHEDULE_RESULT_TO_DEPENDENCIES_SUCCEED = 'SyncScheduleResultToDependenciesSucceed';
export const EVENT_REASON_SYNC_SCHEDULE_RESULT_TO_DEPENDENCIES_FAILED = 'SyncScheduleResultToDependenciesFailed';

/** ResourceBinding indexes: attached bindings by the independent binding needing them, independents by dependency. */
export const INDEX_DEPENDED_BY = 'dependedBy';
export const INDEX_DEPENDS_ON = 'dependsOn';

export interface DependenciesDistributorOptions {
  client: ObjectClient;
  informers: SharedInformerFactory;
  interpreter: ResourceInterpreter;
  logger?: Logger;
  restMapper?: RESTMapper;
  recorder?: EventRecorder;
  /** Concurrent reconciles (default 2, as Karmada's ConcurrentDependentResourceSyncs). */
  workers?: number;
}

function escapeJSONPointer(s: string): string {
  return s.replaceAll('~', '~0').replaceAll('/', '~1');
}

function dependedByIndex(b: KubeObject): string[] {
  const ns = b.metadata?.namespace ?? '';
  return Object.keys(b.metadata?.labels ?? {})
    .filter((k) => k.startsWith(DEPENDED_BY_LABEL_KEY_PREFIX))
    .map((k) => `${ns}|${k}`);
}

export class DependenciesDistributor implements Runnable {
  readonly name = 'dependenciesDistributor';
  private readonly log: Logger;
  private readonly recorder: EventRecorder;
  private readonly templates: TemplateCache;
  private readonly bindings: Informer<ResourceBinding>;
  private readonly controller: Controller;

  constructor(private readonly opts: DependenciesDistributorOptions) {
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ controller: this.name });
    this.recorder = opts.recorder ?? new EventRecorder({ client: opts.client, component: CONTROLLER_NAME, logger: this.log });
    this.templates = new TemplateCache(opts.client, opts.informers, opts.restMapper ?? new RESTMapper(opts.client), this.log);
    this.bindings = opts.informers.informerFor<ResourceBinding>(RESOURCE_BINDINGS, {
      indexers: { [INDEX_DEPENDED_BY]: dependedByIndex, [INDEX_DEPENDS_ON]: dependencyIndexValues },
    });
    this.controller = new Controller({ name: CONTROLLER_NAME, workers: opts.workers ?? 2, logger: opts.logger, reconcile: (key) => this.reconcile(key) });
    this.controller.watch(this.bindings, {
      add: (b) => !!b.spec?.propagateDeps && !!b.spec.clusters?.length,
      update: (o, n) =>
        (o.metadata?.generation !== n.metadata?.generation || o.metadata?.deletionTimestamp !== n.metadata?.deletionTimestamp) &&
        (!!o.spec?.propagateDeps || !!n.spec?.propagateDeps),
      delete: (b) => !!b.spec?.propagateDeps,
    });
    // A dependency object appearing, changing labels or going away concerns the bindings depending on it.
    this.templates.onResolve(({ informer }, apiVersion, kind) => {
      const enqueue = (obj: KubeObject) => {
        for (const key of this.independentsOf(apiVersion, kind, obj)) this.controller.enqueue(key);
      };
      informer.addEventHandler({
        onAdd: enqueue,
        onUpdate: (o, n) => {
          if (deepEqual(o.metadata?.labels ?? {}, n.metadata?.labels ?? {}) && o.metadata?.uid === n.metadata?.uid) return;
          enqueue(o);
          enqueue(n);
        },
        onDelete: enqueue,
      });
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    await this.controller.run(signal);
  }

  /** Keys of the independent bindings that depend on obj (by name, or by a selector matching its labels). */
  private independentsOf(apiVersion: string, kind: string, obj: KubeObject): string[] {
    const ns = obj.metadata?.namespace;
    const name = obj.metadata?.name ?? '';
    const candidates = [
      ...this.bindings.indexer.byIndex(INDEX_DEPENDS_ON, dependencyIndexValue(apiVersion, kind, ns, name)),
      ...this.bindings.indexer.byIndex(INDEX_DEPENDS_ON, dependencyIndexValue(apiVersion, kind, ns, '*')),
    ];
    const keys = new Set<string>();
    for (const b of candidates) {
      if (b.metadata?.deletionTimestamp) continue;
      if (dependsOn(b, { apiVersion, kind, namespace: ns, name, labels: obj.metadata?.labels })) keys.add(`${b.metadata?.namespace}/${b.metadata?.name}`);
    }
    return [...keys];
  }

  private attachedOf(namespace: string, name: string): ResourceBinding[] {
    return this.bindings.indexer.byIndex(INDEX_DEPENDED_BY, `${namespace}|${dependedByLabelKey(namespace, name)}`);
  }

  private eventTarget(b: KubeObject): KubeObject {
    return { ...b, apiVersion: BINDING_API_VERSION, kind: 'ResourceBinding' };
  }

  private async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitObjectKey(key);
    const binding = this.bindings.indexer.get(key);
    if (!binding || !binding.spec?.propagateDeps || binding.metadata?.deletionTimestamp) {
      await this.detachAll(namespace, name, this.attachedOf(namespace, name));
      if (binding) await this.setFinalizer(binding, false);
      return {};
    }

    const ref = binding.spec.resource;
    const template = await this.templates.get(ref);
    if (!template) return {};
    const gvk = { apiVersion: ref.apiVersion, kind: ref.kind };
    if (!this.opts.interpreter.hookEnabled(gvk, 'InterpretDependency')) return {};
    let deps: DependentObjectReference[];
    try {
      deps = normalizeDependencies(await this.opts.interpreter.getDependencies({ ...template, ...gvk }));
    } catch (err) {
      this.recorder.emit({ ...template, ...gvk }, 'Warning', EVENT_REASON_GET_DEPENDENCIES_FAILED, `cannot interpret the dependencies of ${ref.kind} ${ref.namespace}/${ref.name}: ${errText(err)}`);
      throw err;
    }

    try {
      const current = await this.recordDependencies(binding, deps);
      if (!current) return { requeue: true };
      const changed = await this.syncAttachedBindings(current, deps);
      if (changed) {
        this.recorder.emit(this.eventTarget(current), 'Normal', EVENT_REASON_SYNC_SCHEDULE_RESULT_TO_DEPENDENCIES_SUCCEED, 'Sync schedule results to dependencies succeed.');
      }
      return {};
    } catch (err) {
      if (isConflict(err) || isAlreadyExists(err)) return { requeue: true };
      this.recorder.emit(this.eventTarget(binding), 'Warning', EVENT_REASON_SYNC_SCHEDULE_RESULT_TO_DEPENDENCIES_FAILED, errText(err));
      throw err;
    }
  }

  /** Adds the distributor's finalizer and the dependencies annotation in one write when they differ. */
  private async recordDependencies(binding: ResourceBinding, deps: DependentObjectReference[]): Promise<ResourceBinding | undefined> {
    const md = binding.metadata ?? {};
    const value = JSON.stringify(deps);
    const ops: unknown[] = [];
    if (!md.finalizers?.includes(BINDING_DEPENDENCIES_DISTRIBUTOR_FINALIZER)) {
      ops.push(md.finalizers ? { op: 'add', path: '/metadata/finalizers/-', value: BINDING_DEPENDENCIES_DISTRIBUTOR_FINALIZER } : { op: 'add', path: '/metadata/finalizers', value: [BINDING_DEPENDENCIES_DISTRIBUTOR_FINALIZER] });
    }
    if (md.annotations?.[DEPENDENCIES_ANNOTATION] !== value) {
      ops.push(
        md.annotations
          ? { op: 'add', path: `/metadata/annotations/${escapeJSONPointer(DEPENDENCIES_ANNOTATION)}`, value }
          : { op: 'add', path: '/metadata/annotations', value: { [DEPENDENCIES_ANNOTATION]: value } },
      );
    }
    if (!ops.length) return binding;
    try {
      return await this.opts.client
        .resource<ResourceBinding>(RESOURCE_BINDINGS)
        .patch(md.name!, [{ op: 'test', path: '/metadata/resourceVersion', value: md.resourceVersion }, ...ops], { namespace: md.namespace, type: 'json' });
    } catch (err) {
      if (isConflict(err) || isNotFound(err) || (err as { code?: number }).code === 422) return undefined;
      throw err;
    }
  }

  private async setFinalizer(binding: ResourceBinding, present: boolean): Promise<void> {
    const md = binding.metadata ?? {};
    const has = !!md.finalizers?.includes(BINDING_DEPENDENCIES_DISTRIBUTOR_FINALIZER);
    if (has === present) return;
    const finalizers = present ? [...(md.finalizers ?? []), BINDING_DEPENDENCIES_DISTRIBUTOR_FINALIZER] : (md.finalizers ?? []).filter((f) => f !== BINDING_DEPENDENCIES_DISTRIBUTOR_FINALIZER);
    try {
      await this.opts.client.resource(RESOURCE_BINDINGS).patch(
        md.name!,
        [
          { op: 'test', path: '/metadata/resourceVersion', value: md.resourceVersion },
          { op: md.finalizers ? 'replace' : 'add', path: '/metadata/finalizers', value: finalizers },
        ],
        { namespace: md.namespace, type: 'json' },
      );
    } catch (err) {
      if (isNotFound(err)) return;
      if (isConflict(err) || (err as { code?: number }).code === 422) throw Object.assign(new Error(`ResourceBinding ${md.namespace}/${md.name} changed; retrying`), { code: 409, reason: 'Conflict' });
      throw err;
    }
  }

  /** Drops the independent binding from attached bindings; deletes those nothing requires any more. */
  private async detachAll(namespace: string, name: string, attached: ResourceBinding[]): Promise<boolean> {
    const client = this.opts.client.resource<ResourceBinding>(RESOURCE_BINDINGS);
    let changed = false;
    for (const a of attached) {
      const r = detachBinding(a, namespace, name);
      if (!r) continue;
      if (r.op === 'delete') {
        await client.deleteIfExists(a.metadata!.name!, { namespace: a.metadata!.namespace });
        this.log.info({ binding: `${a.metadata?.namespace}/${a.metadata?.name}` }, 'deleted attached binding nothing requires any more');
      } else {
        await client.update(r.binding);
      }
      changed = true;
    }
    return changed;
  }

  /** Creates or updates the attached binding of every existing dependency; detaches the rest. */
  private async syncAttachedBindings(binding: ResourceBinding, deps: DependentObjectReference[]): Promise<boolean> {
    const ns = binding.metadata?.namespace ?? '';
    const name = binding.metadata?.name ?? '';
    const labelsOf = (r: ResourceBinding['spec']['resource']) => this.templates.resolved(r.apiVersion, r.kind)?.informer.indexer.getByName(r.name, r.namespace)?.metadata?.labels;
    const orphans = this.attachedOf(ns, name).filter((a) => isOrphanAttached(a, deps, labelsOf));
    let changed = await this.detachAll(ns, name, orphans);

    const client = this.opts.client.resource<ResourceBinding>(RESOURCE_BINDINGS);
    const errors: string[] = [];
    for (const dep of deps) {
      let objects: KubeObject[];
      try {
        if (dep.name) {
          const obj = await this.templates.get({ apiVersion: dep.apiVersion, kind: dep.kind, namespace: dep.namespace, name: dep.name });
          objects = obj ? [obj] : []; // not there (yet): its add event brings us back
        } else if (dep.labelSelector) {
          objects = await this.templates.list(dep.apiVersion, dep.kind, dep.namespace, dep.labelSelector as LabelSelectorObject);
        } else {
          throw new Error(`a dependency of ${dep.kind} must have a name or a labelSelector`);
        }
      } catch (err) {
        errors.push(`${dep.kind} ${dep.namespace ?? ''}/${dep.name ?? '<selector>'}: ${errText(err)}`);
        continue;
      }
      for (const obj of objects) {
        const attached = buildAttachedBinding(binding, { ...obj, apiVersion: dep.apiVersion, kind: dep.kind }, randomUUID);
        const existing = this.bindings.indexer.getByName(attached.metadata!.name!, attached.metadata!.namespace);
        if (!existing) {
          await client.create(attached);
          changed = true;
          continue;
        }
        try {
          const updated = updateAttachedBinding(existing, attached);
          if (updated) {
            await client.update(updated);
            changed = true;
          }
        } catch (err) {
          if (isConflict(err)) throw err;
          errors.push(errText(err));
        }
      }
    }
    if (errors.length) throw new Error(`cannot sync the dependencies of ResourceBinding ${ns}/${name}: ${errors.join('; ')}`);
    return changed;
  }
}
