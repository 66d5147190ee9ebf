// WorkloadRebalancer controller (Karmada's workloadRebalancer): for each listed workload, find its
// binding and set spec.rescheduleTriggeredAt to the rebalancer's creationTimestamp, which makes the
// scheduler do a Fresh assignment; record Successful, or Failed/ReferencedBindingNotFound, then
// finishTime; delete the rebalancer ttlSecondsAfterFinished after it finished.

import { pino, type Logger } from 'pino';
import { REBALANCE_FAILED_REASON_BINDING_NOT_FOUND, type WorkloadRebalancer } from '../../apis/apps/v1alpha1/index.js';
import { nowTime } from '../../apis/meta/v1/types.js';
import { generateBindingName } from '../../apis/work/v1alpha2/index.js';
import type { ObjectClient } from '../../runtime/client.js';
import { Controller, type ReconcileResult, type Runnable } from '../../runtime/controller.js';
import type { SharedInformerFactory } from '../../runtime/factory.js';
import { CLUSTER_RESOURCE_BINDINGS, RESOURCE_BINDINGS, WORKLOAD_REBALANCERS } from '../../util/clusterapi.js';
import { isConflict, isNotFound } from '../../runtime/rest.js';
import type { KubeObject } from '../../runtime/types.js';
import { deepEqual } from '../../util/deepequal.js';
import { needTriggerReschedule, RESULT_FAILED, RESULT_SUCCESSFUL, syncWorkloadsFromSpecToStatus, timeLeftMs } from './rebalance.js';

export { WORKLOAD_REBALANCERS };

export interface WorkloadRebalancerControllerOptions {
  client: ObjectClient;
  informers: SharedInformerFactory;
  logger?: Logger;
}

type Binding = KubeObject & { spec?: { rescheduleTriggeredAt?: string } };

export class WorkloadRebalancerController implements Runnable {
  readonly name = 'workloadRebalancer';
  private readonly controller: Controller;
  private readonly log: Logger;

  constructor(private readonly opts: WorkloadRebalancerControllerOptions) {
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ controller: this.name });
    const rebalancers = opts.informers.informerFor<WorkloadRebalancer & KubeObject>(WORKLOAD_REBALANCERS);
    this.controller = new Controller({ name: this.name, workers: 2, logger: opts.logger, reconcile: (key) => this.reconcile(key) }).watch(rebalancers, {
      // as upstream: spec changes only (status writes are ours); deletions need nothing
      update: (o, n) => !deepEqual(o.spec, n.spec),
      delete: () => false,
    });
    this.rebalancers = rebalancers;
  }

  private readonly rebalancers;

  async run(signal: AbortSignal): Promise<void> {
    await this.controller.run(signal);
  }

  private async reconcile(key: string): Promise<ReconcileResult> {
    const cached = this.rebalancers.indexer.get(key);
    if (!cached) return {};
    // read live: the cache may lag our own status write, and a stale status would re-trigger bindings
    let r: WorkloadRebalancer & KubeObject;
    try {
      r = await this.opts.client.resource<WorkloadRebalancer & KubeObject>(WORKLOAD_REBALANCERS).get(key);
    } catch (err) {
      if (isNotFound(err)) return {};
      throw err;
    }
    if (r.metadata?.deletionTimestamp) return {};

    const status = syncWorkloadsFromSpecToStatus(r);
    let retries = 0;
    for (const item of status.observedWorkloads ?? []) {
      if (item.result === RESULT_SUCCESSFUL || item.result === RESULT_FAILED) continue;
      const w = item.workload;
      const name = generateBindingName(w.kind, w.name);
      const resource = this.opts.client.resource<Binding>(w.namespace ? RESOURCE_BINDINGS : CLUSTER_RESOURCE_BINDINGS);
      try {
        const binding = await resource.get(name, { namespace: w.namespace || undefined });
        const created = r.metadata?.creationTimestamp;
        if (needTriggerReschedule(created, binding.spec?.rescheduleTriggeredAt)) {
          await resource.patch(
            name,
            [
              { op: 'test', path: '/metadata/resourceVersion', value: binding.metadata?.resourceVersion },
              { op: 'add', path: '/spec/rescheduleTriggeredAt', value: created },
            ],
            { namespace: w.namespace || undefined, type: 'json' },
          );
          this.log.info({ rebalancer: key, binding: `${w.namespace ? `${w.namespace}/` : ''}${name}` }, 'triggered a fresh reschedule');
        }
        item.result = RESULT_SUCCESSFUL;
      } catch (err) {
        if (isNotFound(err)) {
          item.result = RESULT_FAILED;
          item.reason = REBALANCE_FAILED_REASON_BINDING_NOT_FOUND;
        } else {
          retries++;
          this.log.debug({ rebalancer: key, workload: w, err: String(err) }, 'cannot trigger reschedule; will retry');
        }
      }
    }

    status.finishTime = r.status?.finishTime;
    if (!deepEqual(r.status ?? {}, status)) {
      if (retries === 0) status.finishTime = nowTime();
      try {
        r = await this.opts.client.resource<WorkloadRebalancer & KubeObject>(WORKLOAD_REBALANCERS).patchStatus(key, { status: { ...status, finishTime: status.finishTime ?? null } }, { type: 'merge' });
      } catch (err) {
        if (isConflict(err) || isNotFound(err)) return isNotFound(err) ? {} : { requeue: true };
        throw err;
      }
    }
    if (retries > 0) return { requeue: true };

    const left = timeLeftMs(r);
    if (left === undefined) return {};
    if (left > 0) return { requeueAfterMs: left };
    try {
      await this.opts.client.resource(WORKLOAD_REBALANCERS).delete(key, { preconditions: { resourceVersion: r.metadata?.resourceVersion } });
      this.log.info({ rebalancer: key }, 'deleted finished rebalancer after ttlSecondsAfterFinished');
    } catch (err) {
      if (isNotFound(err)) return {};
      if (isConflict(err)) return { requeue: true };
      throw err;
    }
    return {};
  }
}
