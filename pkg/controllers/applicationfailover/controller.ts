// Application failover controller (Karmada's rb/crb_application_failover_controller.go): for bindings
// whose spec.failover.application is set, a target cluster whose workload stays Unhealthy for
// decisionConditions.tolerationSeconds is evicted with reason ApplicationFailure: purgeMode Gracefully
// (Graciously) records a task with the policy's gracePeriodSeconds, Never a task with
// suppressDeletion: true, Directly (Immediately) a task whose Work the binding controller drops at once.
// State preservation (statePreservation rules -> preservedLabelState) is not implemented.

import { pino, type Logger } from 'pino';
import type { PurgeMode } from '../../apis/policy/v1alpha1/index.js';
import { EVICTION_REASON_APPLICATION_FAILURE, type ResourceBindingSpec } from '../../apis/work/v1alpha2/index.js';
import type { ObjectClient } from '../../runtime/client.js';
import { Controller, type ReconcileResult, type Runnable } from '../../runtime/controller.js';
import type { SharedInformerFactory } from '../../runtime/factory.js';
import type { Informer } from '../../runtime/informer.js';
import { isConflict, isNotFound } from '../../runtime/rest.js';
import { CLUSTER_RESOURCE_BINDINGS, RESOURCE_BINDINGS } from '../../util/clusterapi.js';
import { deepEqual } from '../../util/deepequal.js';
import { bindingKey, parseBindingKey, type Binding, type BindingKind } from '../gracefuleviction/bindings.js';
import { gracefulEvictCluster } from '../gracefuleviction/evictcluster.js';
import { DEFAULT_TOLERATION_SECONDS, detectFailure } from './detect.js';

export const APPLICATION_FAILOVER_CONTROLLER_NAME = 'applicationFailover';
/** Upstream's producer names (the controllers' names) for the eviction tasks they create. */
export const RB_APPLICATION_FAILOVER_PRODUCER = 'resource-binding-application-failover-controller';
export const CRB_APPLICATION_FAILOVER_PRODUCER = 'cluster-resource-binding-application-failover-controller';

export interface ApplicationFailoverControllerOptions {
  client: ObjectClient;
  informers: SharedInformerFactory;
  logger?: Logger;
  workers?: number;
  now?: () => number;
}

const hasAppFailover = (b: Binding) => !!b.spec?.failover?.application;

export class ApplicationFailoverController implements Runnable {
  readonly name = APPLICATION_FAILOVER_CONTROLLER_NAME;
  private readonly controller: Controller;
  private readonly informers: Record<BindingKind, Informer<Binding>>;
  /** binding key -> cluster -> first seen Unhealthy (ms); upstream's workloadUnhealthyMap. */
  private readonly unhealthy = new Map<string, Map<string, number>>();
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(private readonly opts: ApplicationFailoverControllerOptions) {
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ controller: this.name });
    this.now = opts.now ?? Date.now;
    this.informers = {
      rb: opts.informers.informerFor<Binding>(RESOURCE_BINDINGS),
      crb: opts.informers.informerFor<Binding>(CLUSTER_RESOURCE_BINDINGS),
    };
    this.controller = new Controller({ name: this.name, workers: opts.workers ?? 2, logger: opts.logger, reconcile: (key) => this.reconcile(key) });
    for (const kind of ['rb', 'crb'] as const) {
      this.controller.watch(this.informers[kind], {
        mapKeys: (b) => [bindingKey(kind, b)],
        add: hasAppFailover,
        update: (o, n) =>
          (hasAppFailover(o) || hasAppFailover(n)) &&
          (!deepEqual(o.status?.aggregatedStatus, n.status?.aggregatedStatus) || !deepEqual(o.spec?.clusters, n.spec?.clusters) || !deepEqual(o.spec?.failover, n.spec?.failover)),
      });
    }
  }

  run(signal: AbortSignal): Promise<void> {
    return this.controller.run(signal);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const k = parseBindingKey(key);
    const binding = this.informers[k.kind].indexer.get(k.cacheKey);
    const app = binding?.spec?.failover?.application;
    if (!binding || binding.metadata?.deletionTimestamp || !app) {
      this.unhealthy.delete(key);
      return {};
    }
    const now = this.now();
    const result = detectFailure({
      unhealthySince: this.unhealthy.get(key) ?? new Map(),
      targets: binding.spec.clusters ?? [],
      aggregatedStatus: binding.status?.aggregatedStatus ?? [],
      tolerationSeconds: app.decisionConditions?.tolerationSeconds ?? DEFAULT_TOLERATION_SECONDS,
      now,
    });
    this.unhealthy.set(key, result.unhealthySince);
    if (result.evict.length) {
      const purgeMode: PurgeMode = app.purgeMode ?? 'Gracefully';
      let spec: ResourceBindingSpec = binding.spec;
      for (const cluster of result.evict) {
        spec =
          gracefulEvictCluster(spec, cluster, {
            purgeMode,
            reason: EVICTION_REASON_APPLICATION_FAILURE,
            producer: k.kind === 'rb' ? RB_APPLICATION_FAILOVER_PRODUCER : CRB_APPLICATION_FAILOVER_PRODUCER,
            message: `application on cluster ${cluster} has been unhealthy for longer than ${app.decisionConditions?.tolerationSeconds ?? DEFAULT_TOLERATION_SECONDS}s`,
            gracePeriodSeconds: purgeMode === 'Gracefully' || purgeMode === 'Graciously' ? app.gracePeriodSeconds : undefined,
            suppressDeletion: purgeMode === 'Never' ? true : undefined,
            taskForDirectly: true,
            now: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          }) ?? spec;
      }
      try {
        await this.opts.client.resource<Binding>(k.gvr).update({ ...binding, spec });
      } catch (err) {
        if (isNotFound(err)) return {};
        if (isConflict(err)) return { requeue: true };
        throw err;
      }
      for (const cluster of result.evict) result.unhealthySince.delete(cluster);
      this.log.info({ binding: key, clusters: result.evict, purgeMode }, 'evicted unhealthy application from clusters');
    }
    return result.recheckAfterMs === undefined ? {} : { requeueAfterMs: result.recheckAfterMs };
  }
}
