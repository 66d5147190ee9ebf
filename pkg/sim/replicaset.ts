// The ReplicaSet controller: keeps spec.replicas active pods (created from the template with a controller
// reference, named <rs>-<5 random>), deletes surplus pods in the real controller's order (unscheduled,
// pending, not ready, newest first), and reports replicas / fullyLabeledReplicas / readyReplicas /
// availableReplicas / observedGeneration.

import { Controller, type SimContext } from './controller.js';
import type { Informer } from './informer.js';
import {
  controllerOf,
  isPodActive,
  isPodAvailable,
  isPodReady,
  keyOf,
  msUntilAvailable,
  parseTime,
  podFromTemplate,
} from './podutil.js';
import type { Pod, Workload } from './types.js';

const FIELD_MANAGER = 'kube-controller-manager';
/** Pods created or deleted per reconcile (the real controller's burst replicas). */
const BURST = 500;
export const OWNER_INDEX = 'controller-uid';

export function podsByOwner(pods: Informer<Pod>): Informer<Pod> {
  return pods.addIndex(OWNER_INDEX, (p) => {
    const uid = controllerOf(p)?.uid;
    return uid ? [uid] : [];
  });
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/**
 * Which pods go first when scaling down (controller.ActivePods ordering): unassigned before assigned,
 * Pending before Unknown before Running, not ready before ready, ready for less time first, more
 * restarts first, newer first.
 */
export function deletionOrder(a: Pod, b: Pod): number {
  const assigned = (p: Pod) => (p.spec?.nodeName ? 1 : 0);
  if (assigned(a) !== assigned(b)) return assigned(a) - assigned(b);
  const phase = (p: Pod) => PHASE_RANK[p.status?.phase ?? 'Pending'] ?? 0;
  if (phase(a) !== phase(b)) return phase(a) - phase(b);
  const ready = (p: Pod) => (isPodReady(p) ? 1 : 0);
  if (ready(a) !== ready(b)) return ready(a) - ready(b);
  const readySince = (p: Pod) => parseTime(p.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime) ?? 0;
  if (ready(a) && readySince(a) !== readySince(b)) return readySince(b) - readySince(a);
  const restarts = (p: Pod) => (p.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0);
  if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
  const created = (p: Pod) => parseTime(p.metadata?.creationTimestamp) ?? 0;
  if (created(a) !== created(b)) return created(b) - created(a);
  return (b.metadata?.name ?? '').localeCompare(a.metadata?.name ?? '');
}

export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  observedGeneration: number;
  [other: string]: unknown;
}

/** Status from the active pods (calculateStatus); zero counts are omitted, as the API omits them. */
export function replicaSetStatus(rs: Workload, active: Pod[], now: number): ReplicaSetStatus {
  const minReady = rs.spec?.minReadySeconds ?? 0;
  const templateLabels = rs.spec?.template?.metadata?.labels ?? {};
  const status: ReplicaSetStatus = {
    ...(rs.status ?? {}),
    replicas: active.length,
    fullyLabeledReplicas: active.filter((p) => Object.entries(templateLabels).every(([k, v]) => p.metadata?.labels?.[k] === v)).length,
    readyReplicas: active.filter(isPodReady).length,
    availableReplicas: active.filter((p) => isPodAvailable(p, minReady, now)).length,
    observedGeneration: rs.metadata?.generation ?? 1,
  };
  for (const k of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'] as const) if (!status[k]) delete status[k];
  return status;
}

export class ReplicaSetController extends Controller {
  private readonly replicaSets: Informer<Workload>;
  private readonly pods: Informer<Pod>;

  constructor(ctx: SimContext) {
    super('replicaset', ctx, 2);
    this.replicaSets = ctx.informers.for<Workload>(ctx.kinds.replicaSets);
    this.pods = podsByOwner(ctx.informers.for<Pod>(ctx.kinds.pods));
    this.replicaSets.on((type, rs) => {
      if (type === 'put') this.queue.add(keyOf(rs));
    });
    this.pods.on((type, pod, old) => {
      for (const p of old && old !== pod ? [pod, old] : [pod]) {
        const ref = controllerOf(p);
        if (ref?.kind === 'ReplicaSet') this.enqueueSoon(`${p.metadata!.namespace}/${ref.name}`);
      }
    });
  }

  protected async reconcile(key: string): Promise<number | void> {
    const rs = this.replicaSets.get(key);
    if (!rs || rs.metadata?.deletionTimestamp) return;
    const { client, kinds } = this.ctx;
    const m = rs.metadata!;
    const owned = this.pods.byIndex(OWNER_INDEX, m.uid!).filter((p) => p.metadata?.namespace === m.namespace);
    const active = owned.filter(isPodActive);
    const want = rs.spec?.replicas ?? 1;
    const now = this.ctx.now();

    const diff = want - active.length;
    if (diff > 0) {
      for (let i = 0; i < Math.min(diff, BURST); i++) {
        const pod = podFromTemplate(rs.spec?.template, rs, kinds.replicaSets, { generateName: `${m.name}-` });
        await client.create(kinds.pods, pod, FIELD_MANAGER);
      }
    } else if (diff < 0) {
      const victims = [...active].sort(deletionOrder).slice(0, Math.min(-diff, BURST));
      for (const p of victims) await client.delete(kinds.pods, p.metadata!.namespace, p.metadata!.name!, p.metadata!.uid);
    }

    const status = replicaSetStatus(rs, active, now);
    if (JSON.stringify(status) !== JSON.stringify(rs.status ?? {})) {
      await client.update<Workload>(kinds.replicaSets, m.namespace, m.name!, (cur) => void (cur.status = { ...replicaSetStatus(cur, active, now) }), {
        status: true,
        uid: m.uid,
        fieldManager: FIELD_MANAGER,
      });
    }
    // Ready pods become available after minReadySeconds: look again then.
    const minReady = rs.spec?.minReadySeconds ?? 0;
    if (minReady) {
      const waits = active.map((p) => msUntilAvailable(p, minReady, now)).filter((ms): ms is number => ms !== undefined && ms > 0);
      if (waits.length) return Math.min(...waits) + 10;
    }
    if (diff > BURST || -diff > BURST) return 0;
  }
}
