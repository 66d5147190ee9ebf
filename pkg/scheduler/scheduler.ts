// karmada-scheduler's shell (Karmada pkg/scheduler/scheduler.go, event_handler.go): informers on
// ResourceBindings, ClusterResourceBindings and Clusters feed a priority queue of binding keys; workers take
// a key, read the binding and the clusters from the caches, decide with the pure schedule() and write the
// difference — one merge patch of spec.clusters (+ the applied-placement annotation) and one of the status
// (Scheduled condition, schedulerObservedGeneration, lastScheduledTime, schedulerObservingAffinityName).
// Bindings of another scheduler (spec.schedulerName), with spec.suspension.scheduling or being deleted are
// left alone. Cluster changes (join, leave, labels, taints, API list, resources) re-queue the bindings they
// may concern.

import { pino, type Logger } from 'pino';
import type { Cluster } from '../apis/cluster/v1alpha1/index.js';
import { NAMESPACE_KARMADA_SYSTEM } from '../apis/cluster/v1alpha1/index.js';
import { DEFAULT_SCHEDULER_NAME, POLICY_PLACEMENT_ANNOTATION } from '../apis/policy/v1alpha1/index.js';
import { BINDING_CONDITION_SCHEDULED, type ResourceBindingSpec, type ResourceBindingStatus, type TargetCluster } from '../apis/work/v1alpha2/index.js';
import type { ReplicaEstimator } from '../estimator/interface.js';
import type { ObjectClient, ResourceClient } from '../runtime/client.js';
import type { Runnable } from '../runtime/controller.js';
import { EventRecorder } from '../runtime/events.js';
import { SharedInformerFactory } from '../runtime/factory.js';
import { errText, type Informer } from '../runtime/informer.js';
import { runElected, type LeaderElectionSettings } from '../runtime/component.js';
import { isNotFound } from '../runtime/rest.js';
import { metaTime, objectKey, splitObjectKey, type KubeObject } from '../runtime/types.js';
import { CLUSTER_RESOURCE_BINDINGS, CLUSTERS, RESOURCE_BINDINGS } from '../util/clusterapi.js';
import { setStatusCondition, type StatusCondition } from '../util/conditions.js';
import { deepEqual } from '../util/deepequal.js';
import { getAffinityIndex, schedule, type ScheduleResult } from './core/genericscheduler.js';
import { affinityMatches } from './framework/affinity.js';
import { Framework } from './framework/framework.js';
import { FitError, UnschedulableError } from './framework/types.js';
import {
  EVENT_REASON_SCHEDULE_BINDING_FAILED,
  EVENT_REASON_SCHEDULE_BINDING_SUCCEED,
  isSchedulingSuspended,
  scheduledCondition,
  scheduleTrigger,
  schedulerNameMatches,
  SUCCESSFUL_SCHEDULING_MESSAGE,
  targetClustersToString,
  type ScheduleTrigger,
} from './helper.js';
import { SchedulingQueue, type SchedulingQueueOptions } from './queue.js';
import { SchedulerMetrics } from './metrics.js';
import type { Registry } from 'prom-client';

export { CLUSTER_RESOURCE_BINDINGS, RESOURCE_BINDINGS };

export const SCHEDULER_COMPONENT = 'karmada-scheduler';

/** A ResourceBinding or ClusterResourceBinding as the caches hold it. */
export interface Binding extends KubeObject {
  spec: ResourceBindingSpec;
  status?: ResourceBindingStatus;
}

export interface SchedulerOptions {
  client: ObjectClient;
  informers: SharedInformerFactory;
  logger?: Logger;
  /** Default: a recorder writing as karmada-scheduler. */
  recorder?: EventRecorder;
  /** --scheduler-name (default default-scheduler). */
  schedulerName?: string;
  /** --plugins (default ["*"]). */
  plugins?: readonly string[];
  /** Concurrent workers (default 4). */
  workers?: number;
  /** --enable-empty-workload-propagation. */
  enableEmptyWorkloadPropagation?: boolean;
  estimators?: readonly ReplicaEstimator[];
  queue?: SchedulingQueueOptions;
  /** Where the metrics go (default: a registry of this scheduler's own, see .metrics.registry). */
  metricsRegistry?: Registry;
}

export class Scheduler implements Runnable {
  readonly name = 'scheduler';
  readonly queue: SchedulingQueue;
  readonly framework: Framework;
  readonly metrics: SchedulerMetrics;
  private readonly rbs: Informer<Binding>;
  private readonly crbs: Informer<Binding>;
  private readonly clusters: Informer<Cluster>;
  private readonly log: Logger;
  private readonly recorder: EventRecorder;
  private readonly schedulerName: string;
  /** Bindings as our last write returned them, until the cache catches up (kube-scheduler's "assumed"). */
  private readonly assumed = new Map<string, Binding>();
  private snapshot: Cluster[] | undefined;
  private synced = false;

  constructor(private readonly opts: SchedulerOptions) {
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ component: SCHEDULER_COMPONENT });
    this.schedulerName = opts.schedulerName || DEFAULT_SCHEDULER_NAME;
    this.framework = Framework.fromFlag(opts.plugins ?? ['*']);
    this.queue = new SchedulingQueue(opts.queue);
    this.metrics = new SchedulerMetrics(() => this.queue.pending, opts.metricsRegistry);
    this.recorder = opts.recorder ?? new EventRecorder({ client: opts.client, component: SCHEDULER_COMPONENT, logger: this.log });
    this.rbs = opts.informers.informerFor<Binding>(RESOURCE_BINDINGS);
    this.crbs = opts.informers.informerFor<Binding>(CLUSTER_RESOURCE_BINDINGS);
    this.clusters = opts.informers.informerFor<Cluster>(CLUSTERS);
    for (const inf of [this.rbs, this.crbs]) {
      inf.addEventHandler({
        onAdd: (b) => this.enqueue(b, 'BindingAdd'),
        onUpdate: (oldB, b) => {
          // status-only writes (ours included) do not change the generation
          if (oldB.metadata?.generation !== b.metadata?.generation) this.enqueue(b, 'BindingUpdate');
        },
        onDelete: (b) => {
          const key = objectKey(b);
          this.queue.delete(key);
          this.assumed.delete(key);
        },
      });
    }
    this.clusters.addEventHandler({
      onAdd: (c) => {
        this.snapshot = undefined;
        if (!this.synced) return; // the initial list: every binding is queued anyway
        this.enqueueAffected(c);
        this.queue.moveAllToActive();
      },
      onUpdate: (oldC, c) => {
        this.snapshot = undefined;
        if (!this.synced) return;
        if (
          !deepEqual(oldC.metadata?.labels, c.metadata?.labels) ||
          oldC.metadata?.generation !== c.metadata?.generation ||
          !deepEqual(oldC.spec, c.spec) ||
          oldC.metadata?.deletionTimestamp !== c.metadata?.deletionTimestamp
        ) {
          this.enqueueAffected(oldC);
          this.enqueueAffected(c);
        }
        if (!deepEqual(oldC.status?.resourceSummary, c.status?.resourceSummary) || !deepEqual(oldC.status?.apiEnablements, c.status?.apiEnablements)) {
          // more room or a newly served API: what did not fit may fit now
          this.enqueueNotScheduled();
          this.queue.moveAllToActive();
        }
      },
      onDelete: (c) => {
        this.snapshot = undefined;
        if (this.synced) this.enqueueAffected(c);
      },
    });
  }

  /** Runs the workers until the signal aborts (starts the informers if the factory has not). */
  async run(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const onAbort = () => this.queue.shutDown();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (const inf of [this.rbs, this.crbs, this.clusters]) inf.start();
      const synced = await Promise.race([
        Promise.all([this.rbs, this.crbs, this.clusters].map((i) => i.waitForSync())).then(() => true),
        new Promise<boolean>((resolve) => signal.addEventListener('abort', () => resolve(false), { once: true })),
      ]);
      if (!synced || signal.aborted) return;
      this.synced = true;
      const workers = Math.max(1, this.opts.workers ?? 4);
      this.log.info({ workers, schedulerName: this.schedulerName, plugins: this.framework.pluginNames }, 'scheduler started');
      await Promise.all(Array.from({ length: workers }, () => this.worker()));
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.queue.shutDown();
    }
  }

  private async worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        await this.scheduleKey(key);
        this.queue.forget(key);
      } catch (err) {
        const priority = priorityOf(this.lookup(key));
        if (err instanceof UnschedulableError) this.queue.addUnschedulable(key, priority);
        else this.queue.addBackoff(key, priority);
        const n = this.queue.numAttempts(key);
        this.log[n >= 3 && !(err instanceof UnschedulableError) ? 'warn' : 'debug']({ binding: key, err: errText(err), attempts: n }, 'scheduling attempt failed');
      } finally {
        this.queue.done(key);
      }
    }
  }

  // ---- event handling ----

  private responsible(b: Binding): boolean {
    return schedulerNameMatches(this.schedulerName, b.spec?.schedulerName) && !isSchedulingSuspended(b.spec ?? ({} as ResourceBindingSpec));
  }

  private enqueue(b: Binding, event = 'ClusterChanged'): void {
    if (!this.responsible(b)) return;
    this.metrics.incomingBinding(event);
    this.queue.add(objectKey(b), priorityOf(b));
  }

  /** enqueueAffectedBindings: bindings whose cluster affinity in force matches the cluster, or that target it. */
  private enqueueAffected(cluster: Cluster): void {
    const name = cluster.metadata?.name ?? '';
    for (const inf of [this.rbs, this.crbs]) {
      for (const b of inf.indexer.list()) {
        if (!this.responsible(b)) continue;
        const placement = b.spec.placement;
        if ((b.spec.clusters ?? []).some((t) => t.name === name)) {
          this.enqueue(b);
          continue;
        }
        if (!placement) continue;
        let affinity = placement.clusterAffinity;
        if (placement.clusterAffinities?.length) {
          // not yet scheduled with its current spec: it may try any term
          if (b.status?.schedulerObservedGeneration !== b.metadata?.generation) {
            this.enqueue(b);
            continue;
          }
          affinity = placement.clusterAffinities[getAffinityIndex(placement.clusterAffinities, b.status?.schedulerObservingAffinityName)];
        }
        if (!affinity || affinityMatches(cluster, affinity)) this.enqueue(b);
      }
    }
  }

  /** Bindings whose last attempt did not succeed. */
  private enqueueNotScheduled(): void {
    for (const inf of [this.rbs, this.crbs]) {
      for (const b of inf.indexer.list()) {
        const cond = b.status?.conditions?.find((c) => c.type === BINDING_CONDITION_SCHEDULED);
        if (cond && cond.status !== 'True') this.enqueue(b);
      }
    }
  }

  // ---- caches ----

  /** The binding from the cache, or our own newer write when the cache has not caught up yet. */
  private lookup(key: string): Binding | undefined {
    const isRB = key.includes('/');
    const cached = (isRB ? this.rbs : this.crbs).indexer.get(key);
    const mine = this.assumed.get(key);
    if (!mine) return cached;
    if (cached && !rvOlder(cached, mine)) {
      this.assumed.delete(key);
      return cached;
    }
    return mine;
  }

  private clusterSnapshot(): Cluster[] {
    this.snapshot ??= this.clusters.indexer.list().sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
    return this.snapshot;
  }

  private clusterAlive = (name: string): boolean => {
    const c = this.clusters.indexer.get(name);
    return !!c && !c.metadata?.deletionTimestamp;
  };

  // ---- reconcile ----

  /** doScheduleBinding / doScheduleClusterBinding for one key. Throws to ask for a retry. */
  async scheduleKey(key: string): Promise<void> {
    const binding = this.lookup(key);
    if (!binding || binding.metadata?.deletionTimestamp || !this.responsible(binding)) return;
    if (!binding.spec.placement) throw new Error(`${kindOf(key)} ${key} has no spec.placement; the detector copies it from its propagation policy`);
    const trigger = scheduleTrigger(binding, POLICY_PLACEMENT_ANNOTATION, this.clusterAlive);
    if (trigger) return this.scheduleBinding(key, binding, trigger);
    // nothing to schedule: just tell that this generation was seen
    const generation = binding.metadata?.generation;
    if (generation !== undefined && generation !== binding.status?.schedulerObservedGeneration) {
      await this.write(key, binding, undefined, { schedulerObservedGeneration: generation });
    }
  }

  private async scheduleBinding(key: string, binding: Binding, trigger: ScheduleTrigger): Promise<void> {
    const started = performance.now();
    let result: ScheduleResult | undefined;
    let error: unknown;
    try {
      result = schedule(binding, this.clusterSnapshot(), {
        framework: this.framework,
        estimators: this.opts.estimators,
        enableEmptyWorkloadPropagation: this.opts.enableEmptyWorkloadPropagation,
      });
    } catch (err) {
      error = err;
    }
    this.metrics.algorithmStep((performance.now() - started) / 1000);

    // spec: the result (a NoClusterFit result clears spec.clusters) and the placement it was made with
    let specPatch: Record<string, unknown> | undefined;
    if (result || error instanceof FitError) {
      const placement = JSON.stringify(binding.spec.placement);
      const clusters = result?.clusters ?? [];
      const patch: { metadata?: unknown; spec?: unknown } = {};
      if (binding.metadata?.annotations?.[POLICY_PLACEMENT_ANNOTATION] !== placement) patch.metadata = { annotations: { [POLICY_PLACEMENT_ANNOTATION]: placement } };
      if (!sameTargets(binding.spec.clusters, clusters)) patch.spec = { clusters: clusters.length ? clusters : null };
      if (patch.metadata || patch.spec) specPatch = patch;
    }

    // status: the Scheduled condition; on success the generation seen, the time and the affinity term used
    const { condition, final } = scheduledCondition(error);
    const conditions = structuredClone(binding.status?.conditions ?? []) as StatusCondition[];
    const now = metaTime();
    const conditionChanged = setStatusCondition(conditions, condition, now);
    const statusPatch: Partial<ResourceBindingStatus> = {};
    if (conditionChanged) statusPatch.conditions = conditions as ResourceBindingStatus['conditions'];
    if (result) {
      if (result.affinityName !== undefined && result.affinityName !== binding.status?.schedulerObservingAffinityName) statusPatch.schedulerObservingAffinityName = result.affinityName;
      // lastScheduledTime is left alone when the attempt changed nothing (re-evaluations of Duplicated bindings)
      const generationUnseen = binding.metadata?.generation !== binding.status?.schedulerObservedGeneration;
      if (specPatch || conditionChanged || generationUnseen || statusPatch.schedulerObservingAffinityName !== undefined || trigger === 'RescheduleTriggered' || trigger === 'NeverScheduled') {
        statusPatch.lastScheduledTime = now;
      }
    }

    let written: boolean;
    try {
      written = await this.write(key, binding, specPatch, statusPatch, !!result);
    } catch (err) {
      this.metrics.attempt('error', trigger, (performance.now() - started) / 1000);
      throw err;
    }
    this.metrics.attempt(error === undefined ? 'scheduled' : error instanceof UnschedulableError || error instanceof FitError ? 'unschedulable' : 'error', trigger, (performance.now() - started) / 1000);
    if (written) {
      if (error === undefined) {
        this.event(binding, 'Normal', EVENT_REASON_SCHEDULE_BINDING_SUCCEED, `${SUCCESSFUL_SCHEDULING_MESSAGE} Result: {${targetClustersToString(result!.clusters)}}`);
      } else {
        this.event(binding, 'Warning', EVENT_REASON_SCHEDULE_BINDING_FAILED, condition.message);
      }
      this.log.debug({ binding: key, trigger, result: result?.clusters, reason: condition.reason }, 'scheduled');
    }
    if (error !== undefined && !final) throw error;
  }

  /**
   * Writes the spec patch, then the status patch. On success (observeGeneration) the status records the
   * generation the spec write produced, so our own write does not look like a change still to be seen.
   * Returns whether anything was written.
   */
  private async write(key: string, binding: Binding, specPatch: Record<string, unknown> | undefined, statusPatch: Partial<ResourceBindingStatus>, observeGeneration = false): Promise<boolean> {
    const client = this.clientFor(key);
    const { namespace, name } = splitObjectKey(key);
    const ns = namespace || undefined;
    let latest: Binding = binding;
    try {
      if (specPatch) latest = await client.patch(name, specPatch, { namespace: ns, type: 'merge' });
      if (observeGeneration) {
        const generation = latest.metadata?.generation;
        if (generation !== undefined && generation !== binding.status?.schedulerObservedGeneration) statusPatch.schedulerObservedGeneration = generation;
      }
      if (Object.keys(statusPatch).length) latest = await client.patchStatus(name, { status: statusPatch }, { namespace: ns, type: 'merge' });
    } catch (err) {
      if (isNotFound(err)) return false; // deleted meanwhile
      throw err;
    }
    if (latest !== binding) this.assumed.set(key, latest);
    return latest !== binding;
  }

  private clientFor(key: string): ResourceClient<Binding> {
    return this.opts.client.resource<Binding>(key.includes('/') ? RESOURCE_BINDINGS : CLUSTER_RESOURCE_BINDINGS);
  }

  private event(binding: Binding, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const kind = binding.metadata?.namespace ? 'ResourceBinding' : 'ClusterResourceBinding';
    this.recorder.emit({ ...binding, apiVersion: 'work.karmada.io/v1alpha2', kind }, type, reason, message);
  }
}

function kindOf(key: string): string {
  return key.includes('/') ? 'ResourceBinding' : 'ClusterResourceBinding';
}

function priorityOf(b: Binding | undefined): number {
  return b?.spec?.schedulePriority?.priority ?? 0;
}

/** a is an older version than b (numeric resourceVersions, as etcd and SQLite storage give them). */
function rvOlder(a: KubeObject, b: KubeObject): boolean {
  const ra = a.metadata?.resourceVersion ?? '';
  const rb = b.metadata?.resourceVersion ?? '';
  if (!/^\d+$/.test(ra) || !/^\d+$/.test(rb)) return false;
  return ra.length !== rb.length ? ra.length < rb.length : ra < rb;
}

function normalizeTargets(tcs: readonly TargetCluster[] | undefined): { name: string; replicas: number }[] {
  return (tcs ?? []).map((t) => ({ name: t.name, replicas: t.replicas ?? 0 }));
}

function sameTargets(a: readonly TargetCluster[] | undefined, b: readonly TargetCluster[] | undefined): boolean {
  return deepEqual(normalizeTargets(a), normalizeTargets(b));
}

// ---- running it as a component ----

export type SchedulerLeaderElection = LeaderElectionSettings;

export const DEFAULT_SCHEDULER_LEADER_ELECTION: SchedulerLeaderElection = {
  enabled: true,
  namespace: NAMESPACE_KARMADA_SYSTEM,
  name: 'karmada-scheduler',
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
};

export interface RunSchedulerOptions extends Omit<SchedulerOptions, 'informers' | 'recorder'> {
  logger: Logger;
  leaderElection: SchedulerLeaderElection;
}

/**
 * Runs the scheduler until the signal aborts, as the elected leader of Lease karmada-system/karmada-scheduler
 * when leader election is on. Resolves 'stopped' after a requested stop and 'lost' when leadership was lost
 * (the caller should exit; a fresh process campaigns again).
 */
export async function runScheduler(opts: RunSchedulerOptions, signal: AbortSignal): Promise<'stopped' | 'lost'> {
  const { client, logger } = opts;
  return runElected(
    opts,
    async (runSignal) => {
      const informers = new SharedInformerFactory(client, { logger });
      const scheduler = new Scheduler({ ...opts, informers });
      informers.start();
      try {
        await scheduler.run(runSignal);
      } catch (err) {
        logger.error({ err: errText(err) }, 'scheduler failed');
      }
      await informers.stop();
    },
    signal,
  );
}
