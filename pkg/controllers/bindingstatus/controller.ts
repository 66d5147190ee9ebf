// The binding status controller (Karmada pkg/controllers/status/rb_status_controller.go and
// crb_status_controller.go, registered as "bindingStatus"): when a Work's status changes, its binding's
// status.aggregatedStatus and FullyApplied condition are recomputed from the Work cache and written when
// they changed; then the interpreter's AggregateStatus folds them onto the resource template's /status.
// One queue per binding kind; both share the Work cache, indexed by binding.

import { pino, type Logger } from 'pino';
import type { Work } from '../../apis/work/v1alpha1/index.js';
import { API_VERSION as WORK_V1ALPHA2, type ResourceBinding } from '../../apis/work/v1alpha2/index.js';
import type { ResourceInterpreter } from '../../resourceinterpreter/interface.js';
import type { ObjectClient } from '../../runtime/client.js';
import { Controller, type ReconcileResult, type Runnable } from '../../runtime/controller.js';
import { EventRecorder } from '../../runtime/events.js';
import type { SharedInformerFactory } from '../../runtime/factory.js';
import type { GVR } from '../../runtime/gvr.js';
import { errText, type Informer } from '../../runtime/informer.js';
import { isConflict, isNotFound } from '../../runtime/rest.js';
import { RESTMapper } from '../../runtime/restmapper.js';
import type { KubeObject } from '../../runtime/types.js';
import { WORKS } from '../../util/clusterapi.js';
import { deepEqual } from '../../util/deepequal.js';
import { aggregateBindingStatus } from './aggregate.js';
import { renderedTemplateGeneration, TemplateStatusWriter } from './templatestatus.js';
import {
  bindingIndexValue,
  bindingKeysOfWork,
  CLUSTER_RESOURCE_BINDINGS,
  indexWorkByBinding,
  RESOURCE_BINDINGS,
  WORKS_BY_BINDING_INDEX,
  type BindingKind,
} from './workindex.js';

export const BINDING_STATUS_CONTROLLER_NAME = 'bindingStatus';
export const RB_STATUS_CONTROLLER_NAME = 'resource-binding-status-controller';
export const CRB_STATUS_CONTROLLER_NAME = 'cluster-resource-binding-status-controller';

export const EVENT_REASON_AGGREGATE_STATUS_SUCCEED = 'AggregateStatusSucceed';
export const EVENT_REASON_AGGREGATE_STATUS_FAILED = 'AggregateStatusFailed';

export interface BindingStatusControllerOptions {
  client: ObjectClient;
  informers: SharedInformerFactory;
  logger?: Logger;
  /** Needed for the template's /status; without it only binding status is aggregated. */
  interpreter?: ResourceInterpreter;
  /** Maps spec.resource to its resource (default: a RESTMapper over client). */
  restMapper?: RESTMapper;
  recorder?: EventRecorder;
  /** Workers per binding kind (default 8). */
  workers?: number;
}

type Binding = ResourceBinding & KubeObject;

/**
 * Upstream skips bindings the scheduler has not placed yet (status.lastScheduledTime unset); a binding
 * whose spec.clusters is already set is placed too, whoever set it.
 */
export function isBindingScheduled(b: Binding): boolean {
  return !!b.status?.lastScheduledTime || (b.spec?.clusters?.length ?? 0) > 0;
}

/** Binding updates worth a reconcile: it got scheduled, or its spec (clusters, resource, ...) changed. Status writes, ours included, are not. */
export function bindingNeedsSync(o: Binding, n: Binding): boolean {
  if (!isBindingScheduled(n)) return false;
  return !isBindingScheduled(o) || !deepEqual(o.spec, n.spec);
}

/** Work updates worth a reconcile: status, manifests (generation), ownership or deletion changed. */
export function workNeedsSync(o: Work, n: Work): boolean {
  return (
    !deepEqual(o.status, n.status) ||
    o.metadata?.generation !== n.metadata?.generation ||
    o.metadata?.deletionTimestamp !== n.metadata?.deletionTimestamp ||
    !deepEqual(indexWorkByBinding(o), indexWorkByBinding(n))
  );
}

export class BindingStatusController implements Runnable {
  readonly name = BINDING_STATUS_CONTROLLER_NAME;
  readonly works: Informer<Work>;
  readonly templates: TemplateStatusWriter;
  private readonly controllers: Controller[];
  private readonly log: Logger;
  private readonly recorder: EventRecorder;
  /** binding kind/key -> message of the last AggregateStatusFailed event (repeats are not re-recorded) */
  private readonly lastFailure = new Map<string, string>();

  constructor(private readonly opts: BindingStatusControllerOptions) {
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ controller: this.name });
    this.recorder = opts.recorder ?? new EventRecorder({ client: opts.client, component: RB_STATUS_CONTROLLER_NAME, logger: this.log });
    this.works = opts.informers.informerFor<Work>(WORKS, { indexers: { [WORKS_BY_BINDING_INDEX]: indexWorkByBinding } });
    this.templates = new TemplateStatusWriter({
      client: opts.client,
      restMapper: opts.restMapper ?? new RESTMapper(opts.client),
      interpreter: opts.interpreter,
      logger: this.log,
    });
    this.controllers = [this.make('ResourceBinding', RESOURCE_BINDINGS, RB_STATUS_CONTROLLER_NAME), this.make('ClusterResourceBinding', CLUSTER_RESOURCE_BINDINGS, CRB_STATUS_CONTROLLER_NAME)];
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all(this.controllers.map((c) => c.run(signal)));
  }

  private make(kind: BindingKind, resource: GVR, name: string): Controller {
    const bindings = this.opts.informers.informerFor<Binding>(resource);
    const controller = new Controller({
      name,
      workers: this.opts.workers ?? 8,
      logger: this.opts.logger,
      reconcile: (key) => this.reconcile(kind, resource, bindings, key),
    });
    controller.watch(bindings, { add: isBindingScheduled, update: bindingNeedsSync });
    controller.watch(this.works, { mapKeys: (w) => bindingKeysOfWork(w, kind), update: workNeedsSync });
    return controller;
  }

  private async reconcile(kind: BindingKind, resource: GVR, bindings: Informer<Binding>, key: string): Promise<ReconcileResult> {
    const id = bindingIndexValue(kind, key);
    const cached = bindings.indexer.get(key);
    if (!cached) {
      this.templates.forget(id);
      this.lastFailure.delete(id);
      return {};
    }
    if (cached.metadata?.deletionTimestamp || !isBindingScheduled(cached)) return {};
    const binding: Binding = { ...cached, apiVersion: WORK_V1ALPHA2, kind };
    const works = this.works.indexer.byIndex(WORKS_BY_BINDING_INDEX, id);

    let aggregated;
    try {
      aggregated = aggregateBindingStatus(binding, works);
    } catch (err) {
      this.failed(id, binding, `Failed to aggregate the status of ${kind}(${key}): ${errText(err)}`);
      throw err;
    }
    const { status, changed } = aggregated;
    if (changed) {
      try {
        await this.opts.client.resource<Binding>(resource).updateStatus({ ...binding, status });
      } catch (err) {
        if (isNotFound(err)) return {};
        if (isConflict(err)) return { requeue: true };
        this.failed(id, binding, `Failed to update ${kind}(${key}) with AggregatedStatus: ${errText(err)}`);
        throw err;
      }
      this.log.debug({ kind, key }, 'aggregated status written to binding');
    }

    const ref = binding.spec.resource;
    let outcome;
    try {
      outcome = await this.templates.sync(id, ref, status.aggregatedStatus ?? [], renderedTemplateGeneration(works, ref));
    } catch (err) {
      this.failed(id, binding, `Failed to aggregate status onto ${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}: ${errText(err)}`);
      throw err;
    }
    if (outcome === 'conflict') return { requeue: true };
    this.lastFailure.delete(id);
    if (outcome === 'updated') {
      const what = `${ref.apiVersion} ${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
      this.recorder.emit(binding, 'Normal', EVENT_REASON_AGGREGATE_STATUS_SUCCEED, `Update resource template ${what} with AggregatedStatus successfully.`);
    }
    return {};
  }

  /** Records AggregateStatusFailed once per distinct failure (retries of the same error stay quiet). */
  private failed(id: string, binding: Binding, message: string): void {
    if (this.lastFailure.get(id) === message) return;
    this.log.warn({ binding: id, err: message }, 'status aggregation failed');
    this.lastFailure.set(id, message);
    this.recorder.emit(binding, 'Warning', EVENT_REASON_AGGREGATE_STATUS_FAILED, message);
  }
}
