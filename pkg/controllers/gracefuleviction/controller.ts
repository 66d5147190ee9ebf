// Graceful eviction controller (Karmada's rb/crb_graceful_eviction_controller.go): for bindings with
// spec.gracefulEvictionTasks, once the binding is scheduled, drops the tasks assessEvictionTasks says are
// done; the binding controller then removes the old cluster's Work. Requeues at the earliest deadline.

import { pino, type Logger } from 'pino';
import type { ObjectClient } from '../../runtime/client.js';
import { Controller, type ReconcileResult, type Runnable } from '../../runtime/controller.js';
import type { SharedInformerFactory } from '../../runtime/factory.js';
import type { Informer } from '../../runtime/informer.js';
import { isConflict, isNotFound } from '../../runtime/rest.js';
import { CLUSTER_RESOURCE_BINDINGS, RESOURCE_BINDINGS } from '../../util/clusterapi.js';
import { deepEqual } from '../../util/deepequal.js';
import { assessEvictionTasks, DEFAULT_GRACEFUL_EVICTION_TIMEOUT_MS, nextRetryMs } from './assess.js';
import { bindingKey, isBindingScheduled, parseBindingKey, type Binding, type BindingKind } from './bindings.js';

export const GRACEFUL_EVICTION_CONTROLLER_NAME = 'gracefulEviction';

export interface GracefulEvictionControllerOptions {
  client: ObjectClient;
  informers: SharedInformerFactory;
  logger?: Logger;
  /** --graceful-eviction-timeout (default 10 min). */
  gracefulEvictionTimeoutMs?: number;
  workers?: number;
  now?: () => Date;
}

const hasTasks = (b: Binding) => (b.spec?.gracefulEvictionTasks?.length ?? 0) > 0;

export class GracefulEvictionController implements Runnable {
  readonly name = GRACEFUL_EVICTION_CONTROLLER_NAME;
  private readonly controller: Controller;
  private readonly informers: Record<BindingKind, Informer<Binding>>;
  private readonly log: Logger;
  private readonly now: () => Date;
  private readonly timeoutMs: number;

  constructor(private readonly opts: GracefulEvictionControllerOptions) {
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ controller: this.name });
    this.now = opts.now ?? (() => new Date());
    this.timeoutMs = opts.gracefulEvictionTimeoutMs ?? DEFAULT_GRACEFUL_EVICTION_TIMEOUT_MS;
    this.informers = {
      rb: opts.informers.informerFor<Binding>(RESOURCE_BINDINGS),
      crb: opts.informers.informerFor<Binding>(CLUSTER_RESOURCE_BINDINGS),
    };
    this.controller = new Controller({ name: this.name, workers: opts.workers ?? 2, logger: opts.logger, reconcile: (key) => this.reconcile(key) });
    for (const kind of ['rb', 'crb'] as const) {
      this.controller.watch(this.informers[kind], {
        mapKeys: (b) => [bindingKey(kind, b)],
        add: hasTasks,
        // spec (tasks, schedule) or status (health, schedulerObservedGeneration) changes matter
        update: (o, n) => hasTasks(n) && (!deepEqual(o.spec, n.spec) || !deepEqual(o.status, n.status)),
        delete: () => false,
      });
    }
  }

  run(signal: AbortSignal): Promise<void> {
    return this.controller.run(signal);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const k = parseBindingKey(key);
    const binding = this.informers[k.kind].indexer.get(k.cacheKey);
    if (!binding || binding.metadata?.deletionTimestamp || !hasTasks(binding)) return {};
    // assess against the new schedule result only
    if (!isBindingScheduled(binding)) return {};
    const now = this.now();
    const tasks = binding.spec.gracefulEvictionTasks ?? [];
    const { keptTasks, evictedClusters } = assessEvictionTasks({
      tasks,
      scheduled: binding.spec.clusters ?? [],
      aggregatedStatus: binding.status?.aggregatedStatus ?? [],
      timeoutMs: this.timeoutMs,
      now,
    });
    if (!deepEqual(keptTasks, tasks)) {
      const spec = { ...binding.spec };
      if (keptTasks.length) spec.gracefulEvictionTasks = keptTasks;
      else delete spec.gracefulEvictionTasks;
      try {
        await this.opts.client.resource<Binding>(k.gvr).update({ ...binding, spec });
      } catch (err) {
        if (isNotFound(err)) return {};
        if (isConflict(err)) return { requeue: true };
        throw err;
      }
      if (evictedClusters.length) this.log.info({ binding: key, clusters: evictedClusters }, 'graceful eviction tasks done');
    }
    const next = nextRetryMs(keptTasks, this.timeoutMs, now);
    // a little past the deadline: the assessment needs it strictly passed
    return next === undefined ? {} : { requeueAfterMs: next + 100 };
  }
}
