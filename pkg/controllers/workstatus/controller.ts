// The work status controller for Push clusters (Karmada's pkg/controllers/status/work_status_controller.go):
// reports the member objects of each applied Work into work.status.manifestStatuses ({identifier,
// status (interpreter ReflectStatus), health (InterpretHealth)}). It reads only caches: the Work
// informer and the member-side informers shared with the execution controller, whose events enqueue the
// owning Work. A status write happens only when the entries change; a deleted member object loses its
// entry (the execution controller recreates the object, and the entry comes back).

import { pino, type Logger } from 'pino';
import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import { executionNamespace, isClusterReady } from '../../apis/cluster/v1alpha1/index.js';
import type { Work } from '../../apis/work/v1alpha1/index.js';
import { API_VERSION as WORK_API_VERSION, WORK_CONDITION_APPLIED } from '../../apis/work/v1alpha1/index.js';
import { isConditionTrue } from '../../apis/meta/v1/types.js';
import type { ObjectClient } from '../../runtime/client.js';
import { Controller, type ReconcileResult, type Runnable } from '../../runtime/controller.js';
import { EventRecorder } from '../../runtime/events.js';
import type { SharedInformerFactory } from '../../runtime/factory.js';
import { indexByNamespace, NAMESPACE_INDEX } from '../../runtime/indexer.js';
import { errText, type Informer } from '../../runtime/informer.js';
import type { KubeObject } from '../../runtime/types.js';
import type { ResourceInterpreter } from '../../resourceinterpreter/interface.js';
import { WORKS } from '../../util/clusterapi.js';
import type { MemberCluster, MemberSource } from '../../util/memberinformer/member.js';
import { sharedPushMemberClusters } from '../../util/memberinformer/pushmembers.js';
import { directWorkStatusWriter, type WorkStatusWriter } from '../execution/statuswriter.js';
import { clusterChangedForWorks, clusterOfWork, workKeyOfMemberObject } from '../execution/workref.js';
import { collectManifestStatuses, manifestStatusesEqual } from './reflect.js';

export const WORK_STATUS_CONTROLLER_NAME = 'workStatus';
export const WORK_STATUS_CONTROLLER_COMPONENT = 'work-status-controller';

export interface WorkStatusControllerOptions {
  client: ObjectClient;
  informers: SharedInformerFactory;
  interpreter: ResourceInterpreter;
  logger?: Logger;
  recorder?: EventRecorder;
  /** --concurrent-work-syncs (default 10). */
  workers?: number;
  /** Where members come from (default: the Push members shared by the controllers of this informer factory). */
  members?: MemberSource;
  /** Only Works of this namespace (a karmada-agent: karmada-es-<its cluster>); default all. */
  workNamespace?: string;
  /** How long one sync waits for a member cache's first list (default 5 s). */
  cacheSyncTimeoutMs?: number;
  /** Where manifestStatuses are written (default: a status patch now; a karmada-agent: its durable outbox). */
  statusWriter?: WorkStatusWriter;
  /**
   * Re-check a Work whenever its manifestStatuses change (set with an asynchronous statusWriter: a report
   * delivered late may be older than what the member shows now, and must not stay).
   */
  recheckOnStatusChange?: boolean;
}

function appliedStatus(w: Work): string | undefined {
  return w.status?.conditions?.find((c) => c.type === WORK_CONDITION_APPLIED)?.status;
}

export class WorkStatusController implements Runnable {
  readonly name = WORK_STATUS_CONTROLLER_NAME;
  readonly works: Informer<Work>;
  readonly members: MemberSource;
  private readonly controller: Controller;
  private readonly recorder: EventRecorder;
  private readonly log: Logger;
  private readonly writeStatus: WorkStatusWriter;

  constructor(private readonly opts: WorkStatusControllerOptions) {
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ controller: this.name });
    this.writeStatus = opts.statusWriter ?? directWorkStatusWriter(opts.client);
    this.works = opts.informers.informerFor<Work>(WORKS, { namespace: opts.workNamespace, indexers: { [NAMESPACE_INDEX]: indexByNamespace } });
    this.members = opts.members ?? sharedPushMemberClusters({ client: opts.client, informers: opts.informers, logger: opts.logger });
    this.recorder = opts.recorder ?? new EventRecorder({ client: opts.client, component: WORK_STATUS_CONTROLLER_COMPONENT, logger: this.log });
    this.controller = new Controller({ name: this.name, workers: opts.workers ?? 10, logger: opts.logger, reconcile: (key) => this.reconcile(key) })
      .watch(this.works, {
        add: (w) => clusterOfWork(w) !== undefined,
        // the manifests changed, or Applied flipped (status is only reported for applied Works)
        update: (o, n) =>
          o.metadata?.generation !== n.metadata?.generation ||
          appliedStatus(o) !== appliedStatus(n) ||
          (!!opts.recheckOnStatusChange && !manifestStatusesEqual(o.status?.manifestStatuses ?? [], n.status?.manifestStatuses)),
        delete: () => false,
      })
      .watch(this.members.clusters, {
        mapKeys: (c) => this.workKeysOfCluster(c.metadata?.name ?? ''),
        update: (o, n) => clusterChangedForWorks(o, n) || this.isReady(o) !== this.isReady(n),
        delete: () => false,
      });
    // only to have the credentials cache started and synced before the workers run
    if (this.members.secrets) this.controller.watch(this.members.secrets, { mapKeys: () => [] });
    this.members.informerManager.addEventHandler((ev) => {
      const key = workKeyOfMemberObject(ev.cluster, ev.obj);
      if (key) this.controller.enqueue(key);
    });
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

  async reconcile(key: string): Promise<ReconcileResult> {
    const work = this.works.indexer.get(key);
    if (!work || work.metadata?.deletionTimestamp) return {};
    if (!isConditionTrue(work.status?.conditions, WORK_CONDITION_APPLIED)) return {};
    const clusterName = clusterOfWork(work);
    const cluster: Cluster | undefined = clusterName ? this.members.clusters.indexer.get(clusterName) : undefined;
    if (!cluster || !this.members.serves(cluster)) return {};
    // the member caches may be stale while the cluster is not Ready; its turning Ready re-enqueues
    if (!this.isReady(cluster)) return {};

    let member: MemberCluster;
    try {
      member = await this.members.member(cluster);
    } catch (err) {
      this.log.warn({ work: key, cluster: clusterName, err: errText(err) }, 'cannot reach member cluster');
      return { requeue: true };
    }
    const workRef: KubeObject = { ...(work as KubeObject), apiVersion: WORK_API_VERSION, kind: 'Work' };
    const { statuses, pending } = await collectManifestStatuses(member, work, this.opts.interpreter, {
      cacheSyncTimeoutMs: this.opts.cacheSyncTimeoutMs,
      onInterpretError: (reason, obj, err) => {
        const what = reason === 'ReflectStatusFailed' ? 'Reflect status' : 'Interpret health';
        this.recorder.emit(workRef, 'Warning', reason, `${what} for object(${obj.kind}/${obj.metadata?.namespace ?? ''}/${obj.metadata?.name}) failed, err: ${errText(err)}.`);
      },
    });
    if (pending) return { requeue: true };
    if (manifestStatusesEqual(statuses, work.status?.manifestStatuses)) return {};
    await this.writeStatus(work, { manifestStatuses: statuses.length ? statuses : null });
    return {};
  }
}
