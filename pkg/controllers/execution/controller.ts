// The execution controller for Push clusters (Karmada's pkg/controllers/execution/execution_controller.go):
// applies each Work in karmada-es-<cluster> to its member cluster and reports Applied/Dispatching.
//  - Works of Pull clusters are left to their karmada-agent (which runs applyWork with its own client);
//  - suspendDispatching: nothing is applied, Dispatching=False/SuspendDispatching;
//  - cluster not Ready: no member access, retried with backoff (and again when it turns Ready);
//  - deletion: member objects deleted (or, with preserveResourcesOnDeletion, stripped of Karmada's
//    metadata), then the finalizer karmada.io/execution-controller is removed; a cluster that is gone or
//    not Ready only releases the finalizer;
//  - drift: member-side informers (Karmada-managed objects only) enqueue the owning Work when an object
//    is edited or deleted by someone else; our own writes are recognised by their resourceVersion.

import { pino, type Logger } from 'pino';
import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import { executionNamespace, isClusterReady } from '../../apis/cluster/v1alpha1/index.js';
import type { Work } from '../../apis/work/v1alpha1/index.js';
import { API_VERSION as WORK_API_VERSION, WORK_CONDITION_APPLIED } from '../../apis/work/v1alpha1/index.js';
import { EXECUTION_CONTROLLER_FINALIZER } from '../../apis/work/v1alpha2/index.js';
import { findCondition } from '../../apis/meta/v1/types.js';
import type { ObjectClient } from '../../runtime/client.js';
import { Controller, type ReconcileResult, type Runnable } from '../../runtime/controller.js';
import { EventRecorder } from '../../runtime/events.js';
import type { SharedInformerFactory } from '../../runtime/factory.js';
import { indexByNamespace, NAMESPACE_INDEX } from '../../runtime/indexer.js';
import { errText, type Informer } from '../../runtime/informer.js';
import { isConflict, isNotFound } from '../../runtime/rest.js';
import type { KubeObject } from '../../runtime/types.js';
import type { ResourceInterpreter } from '../../resourceinterpreter/interface.js';
import { WORKS } from '../../util/clusterapi.js';
import { deepEqual } from '../../util/deepequal.js';
import type { StatusCondition } from '../../util/conditions.js';
import type { MemberEvent } from '../../util/memberinformer/manager.js';
import type { MemberCluster, MemberSource } from '../../util/memberinformer/member.js';
import { sharedPushMemberClusters } from '../../util/memberinformer/pushmembers.js';
import { applyWork, deleteWorkResources, releaseWorkResources } from './apply.js';
import {
  appliedFailedCondition,
  dispatchingCondition,
  EVENT_REASON_SYNC_WORKLOAD_FAILED,
  EVENT_REASON_SYNC_WORKLOAD_SUCCEED,
  EVENT_REASON_WORK_DISPATCHING,
  isWorkSuspendDispatching,
  mergeConditions,
} from './conditions.js';
import { memberObjectChanged } from './needsupdate.js';
import { ObjectWatcher } from './objectwatcher.js';
import { directWorkStatusWriter, type WorkStatusWriter } from './statuswriter.js';
import { clusterChangedForWorks, clusterOfWork, workKeyOfMemberObject, workSpecChanged } from './workref.js';

export const EXECUTION_CONTROLLER_NAME = 'execution';
/** Source component of the controller's events. */
export const EXECUTION_CONTROLLER_COMPONENT = 'execution-controller';

export interface ExecutionControllerOptions {
  client: ObjectClient;
  informers: SharedInformerFactory;
  interpreter: ResourceInterpreter;
  logger?: Logger;
  recorder?: EventRecorder;
  /** Works synced concurrently (--concurrent-work-syncs; default 10). */
  workers?: number;
  /** Where members come from (default: the Push members shared by the controllers of this informer factory). */
  members?: MemberSource;
  /** Only Works of this namespace (a karmada-agent: karmada-es-<its cluster>); default all. */
  workNamespace?: string;
  /** Shares the version record with another component (default: a new ObjectWatcher). */
  objectWatcher?: ObjectWatcher;
  /** Where Work conditions are written (default: a status patch now; a karmada-agent: its durable outbox). */
  statusWriter?: WorkStatusWriter;
  /** Re-check a Work whenever its conditions change (with an asynchronous statusWriter, see WorkStatusController). */
  recheckOnStatusChange?: boolean;
}

/** The Work as an event's involvedObject (cached list items may lack apiVersion/kind). */
function workRef(work: Work): KubeObject {
  return { ...(work as KubeObject), apiVersion: WORK_API_VERSION, kind: 'Work' };
}

export class ExecutionController implements Runnable {
  readonly name = EXECUTION_CONTROLLER_NAME;
  readonly works: Informer<Work>;
  readonly members: MemberSource;
  readonly objectWatcher: ObjectWatcher;
  private readonly controller: Controller;
  private readonly recorder: EventRecorder;
  private readonly log: Logger;
  private readonly writeStatus: WorkStatusWriter;

  constructor(private readonly opts: ExecutionControllerOptions) {
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ controller: this.name });
    this.writeStatus = opts.statusWriter ?? directWorkStatusWriter(opts.client);
    this.works = opts.informers.informerFor<Work>(WORKS, { namespace: opts.workNamespace, indexers: { [NAMESPACE_INDEX]: indexByNamespace } });
    this.members = opts.members ?? sharedPushMemberClusters({ client: opts.client, informers: opts.informers, logger: opts.logger });
    this.objectWatcher = opts.objectWatcher ?? new ObjectWatcher({ interpreter: opts.interpreter, logger: this.log });
    this.recorder = opts.recorder ?? new EventRecorder({ client: opts.client, component: EXECUTION_CONTROLLER_COMPONENT, logger: this.log });
    this.controller = new Controller({ name: this.name, workers: opts.workers ?? 10, logger: opts.logger, reconcile: (key) => this.reconcile(key) })
      .watch(this.works, {
        add: (w) => clusterOfWork(w) !== undefined,
        update: (o, n) => workSpecChanged(o, n) || (!!opts.recheckOnStatusChange && !deepEqual(o.status?.conditions, n.status?.conditions)),
        delete: () => false,
      })
      .watch(this.members.clusters, {
        mapKeys: (c) => this.workKeysOfCluster(c.metadata?.name ?? ''),
        update: (o, n) => clusterChangedForWorks(o, n) || this.isReady(o) !== this.isReady(n),
      });
    // only to have the credentials cache started and synced before the workers run
    if (this.members.secrets) this.controller.watch(this.members.secrets, { mapKeys: () => [] });
    this.members.clusters.addEventHandler({ onDelete: (c) => this.objectWatcher.forgetCluster(c.metadata?.name ?? '') });
    this.members.informerManager.addEventHandler((ev) => this.onMemberEvent(ev));
  }

  async run(signal: AbortSignal): Promise<void> {
    this.members.acquire();
    try {
      await this.controller.run(signal);
    } finally {
      await this.members.release();
    }
  }

  /** The source's own readiness when it has one (an agent knows its member better than the Cluster's condition). */
  private isReady(cluster: Cluster): boolean {
    return this.members.ready?.(cluster) ?? isClusterReady(cluster);
  }

  private workKeysOfCluster(cluster: string): string[] {
    if (!cluster) return [];
    return this.works.indexer.indexKeys(NAMESPACE_INDEX, executionNamespace(cluster));
  }

  /** Member object events: drift or deletion by someone else brings the Work back to reconcile. */
  private onMemberEvent(ev: MemberEvent): void {
    const key = workKeyOfMemberObject(ev.cluster, ev.obj);
    if (!key) return;
    if (ev.type !== 'delete') {
      if (this.objectWatcher.isOwnWrite(ev.cluster, ev.gvr, ev.obj)) return;
      if (ev.type === 'update' && ev.oldObj && !memberObjectChanged(ev.oldObj, ev.obj)) return;
    }
    this.controller.enqueue(key);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const work = this.works.indexer.get(key);
    if (!work) return {};
    const clusterName = clusterOfWork(work);
    if (!clusterName) return {};
    const cluster = this.members.clusters.indexer.get(clusterName);
    if (cluster && !this.members.serves(cluster)) return {};

    if (work.metadata?.deletionTimestamp) {
      if (!work.metadata.finalizers?.includes(EXECUTION_CONTROLLER_FINALIZER)) return {};
      await this.handleWorkDelete(work, cluster);
      await this.removeFinalizer(work);
      return {};
    }
    if (!cluster) return {}; // the cluster controller removes Works of a removed cluster
    if (!work.metadata?.finalizers?.includes(EXECUTION_CONTROLLER_FINALIZER)) await this.addFinalizer(work);

    const dispatching = dispatchingCondition(work);
    if (isWorkSuspendDispatching(work)) {
      if (await this.writeConditions(work, [dispatching])) this.recorder.emit(workRef(work), 'Normal', EVENT_REASON_WORK_DISPATCHING, dispatching.message!);
      return {};
    }
    if (!this.isReady(cluster)) {
      // Leave an applied Work's condition alone (its objects are still there); tell about a new one.
      const updates = [dispatching];
      if (!findCondition(work.status?.conditions, WORK_CONDITION_APPLIED)) updates.push(appliedFailedCondition(`cluster(${clusterName}) not ready`));
      await this.writeConditions(work, updates);
      this.log.debug({ work: key, cluster: clusterName }, 'cluster not ready; work sync postponed');
      return { requeue: true };
    }

    let member: MemberCluster;
    try {
      member = await this.members.member(cluster);
    } catch (err) {
      const msg = `Failed to sync work(${key}) to cluster(${clusterName}): ${errText(err)}`;
      await this.writeConditions(work, [dispatching, appliedFailedCondition(msg)]);
      this.recorder.emit(workRef(work), 'Warning', EVENT_REASON_SYNC_WORKLOAD_FAILED, msg);
      this.log.warn({ work: key, cluster: clusterName, err: errText(err) }, 'cannot reach member cluster');
      return { requeue: true };
    }

    const result = await applyWork(this.objectWatcher, member, work);
    // an event when dispatching resumes; the first dispatch is told by SyncSucceed (one event write, not two)
    const prevDispatching = findCondition(work.status?.conditions, dispatching.type);
    const dispatchingChanged = !!prevDispatching && prevDispatching.status !== dispatching.status;
    await this.writeConditions(work, [dispatching, result.applied]);
    if (dispatchingChanged) this.recorder.emit(workRef(work), 'Normal', EVENT_REASON_WORK_DISPATCHING, dispatching.message!);
    if (result.errors.length) {
      const msg = `Failed to sync work(${key}) to cluster(${clusterName}), err: ${result.errors.join('; ')}`;
      this.recorder.emit(workRef(work), 'Warning', EVENT_REASON_SYNC_WORKLOAD_FAILED, msg);
      this.log.info({ work: key, cluster: clusterName, errors: result.errors }, 'work not fully applied');
      return { requeue: true };
    }
    if (result.changed) this.recorder.emit(workRef(work), 'Normal', EVENT_REASON_SYNC_WORKLOAD_SUCCEED, `Sync work(${key}) to cluster(${clusterName}) successful.`);
    return {};
  }

  /** Deletes (or releases) the member objects of a Work being deleted, when the cluster can be reached. */
  private async handleWorkDelete(work: Work, cluster: Cluster | undefined): Promise<void> {
    const key = `${work.metadata?.namespace}/${work.metadata?.name}`;
    if (!cluster || !this.isReady(cluster)) {
      this.log.info({ work: key, cluster: clusterOfWork(work) }, 'cluster gone or not ready; releasing the work without touching the member');
      return;
    }
    const member = await this.members.member(cluster);
    if (work.spec?.preserveResourcesOnDeletion) {
      await releaseWorkResources(this.objectWatcher, member, work);
      this.log.info({ work: key, cluster: cluster.metadata?.name }, 'preserving member resources of deleted work');
      return;
    }
    await deleteWorkResources(this.objectWatcher, member, work);
  }

  /** Writes the conditions (merge patch of status.conditions) when they change; returns whether it wrote. */
  private async writeConditions(work: Work, updates: StatusCondition[]): Promise<boolean> {
    const next = mergeConditions(work.status?.conditions as StatusCondition[] | undefined, updates);
    if (!next) return false;
    return this.writeStatus(work, { conditions: next });
  }

  private async addFinalizer(work: Work): Promise<void> {
    const finalizers = [...(work.metadata?.finalizers ?? []), EXECUTION_CONTROLLER_FINALIZER];
    await this.opts.client
      .resource<Work>(WORKS)
      .patch(work.metadata!.name!, { metadata: { finalizers, resourceVersion: work.metadata?.resourceVersion } }, { namespace: work.metadata?.namespace });
  }

  private async removeFinalizer(work: Work): Promise<void> {
    const works = this.opts.client.resource<Work>(WORKS);
    let cur: Work | undefined = work;
    for (let attempt = 0; cur; attempt++) {
      if (!cur.metadata?.finalizers?.includes(EXECUTION_CONTROLLER_FINALIZER)) return;
      const finalizers = cur.metadata.finalizers.filter((f) => f !== EXECUTION_CONTROLLER_FINALIZER);
      try {
        await works.patch(cur.metadata.name!, { metadata: { finalizers, resourceVersion: cur.metadata.resourceVersion } }, { namespace: cur.metadata.namespace });
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err) || attempt >= 4) throw err;
        cur = await works.getOrUndefined(cur.metadata.name!, { namespace: cur.metadata.namespace });
      }
    }
  }
}
