// The Deployment controller: a Deployment owns ReplicaSets named <deployment>-<pod-template-hash>; the
// one whose template matches is "new", the others "old". Each sync takes one step of the rollout
// (RollingUpdate within maxSurge/maxUnavailable, or Recreate), trims old ReplicaSets beyond
// revisionHistoryLimit, and reports status as the real controller does (observedGeneration, replicas,
// updated/ready/available/unavailable replicas, Available and Progressing conditions), so
// `kubectl rollout status` works. planDeployment is the pure decision; the controller writes it.

import { Controller, type SimContext } from './controller.js';
import { computeHash } from './hash.js';
import type { Informer } from './informer.js';
import { controllerOf, controllerRef, keyOf, parseTime, timestamp } from './podutil.js';
import type { Condition, KubeObject, PodTemplate, Workload } from './types.js';
import type { ResourceDescriptor } from '../apiserver/registry/types.js';

const FIELD_MANAGER = 'kube-controller-manager';
export const POD_TEMPLATE_HASH = 'pod-template-hash';
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';

type IntOrString = number | string | undefined;

/** intstr.GetScaledValueFromIntOrPercent. */
export function scaledValue(v: IntOrString, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v.trim());
  if (!m) return Number(v) || 0;
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/** deploymentutil.ResolveFenceposts: maxSurge rounds up, maxUnavailable down; both 0 means maxUnavailable 1. */
export function resolveFenceposts(surge: IntOrString, unavailable: IntOrString, replicas: number): { maxSurge: number; maxUnavailable: number } {
  const maxSurge = scaledValue(surge ?? '25%', replicas, true);
  let maxUnavailable = scaledValue(unavailable ?? '25%', replicas, false);
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

interface DeploymentSpec {
  replicas?: number;
  paused?: boolean;
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  progressDeadlineSeconds?: number;
  strategy?: { type?: string; rollingUpdate?: { maxSurge?: IntOrString; maxUnavailable?: IntOrString } };
  template?: PodTemplate;
  selector?: Workload['spec'] extends infer S ? (S extends { selector?: infer L } ? L : never) : never;
}

export type Deployment = Workload & { spec?: DeploymentSpec };

export interface DeploymentPlan {
  /** A new ReplicaSet to create. */
  create?: Workload;
  /** ReplicaSets to scale (and stamp with revision annotations). */
  scale: { name: string; replicas: number; annotations: Record<string, string> }[];
  /** Old ReplicaSets beyond revisionHistoryLimit. */
  delete: Workload[];
  /** The revision the Deployment carries. */
  revision: string;
  status: Record<string, unknown>;
  /** Re-check after this many ms (progress deadline). */
  requeueAfterMs?: number;
}

const specReplicas = (rs: Workload) => rs.spec?.replicas ?? 0;
const statusNum = (rs: Workload, k: string) => Number((rs.status as Record<string, unknown> | undefined)?.[k] ?? 0);
const revisionOf = (rs: Workload) => Number(rs.metadata?.annotations?.[REVISION_ANNOTATION] ?? 0) || 0;
const created = (rs: Workload) => parseTime(rs.metadata?.creationTimestamp) ?? 0;
const oldestFirst = (a: Workload, b: Workload) => created(a) - created(b) || (a.metadata!.name! < b.metadata!.name! ? -1 : 1);

export function templateHash(template: PodTemplate | undefined): string {
  return computeHash(template ?? {});
}

/** The ReplicaSet a Deployment's current template runs as. */
export function newReplicaSetFor(d: Deployment, rsDescriptor: ResourceDescriptor, deploymentDescriptor: ResourceDescriptor, revision: string, replicas: number): Workload {
  const hash = templateHash(d.spec?.template);
  const template = structuredClone(d.spec?.template ?? {});
  template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH]: hash } };
  const selector = structuredClone(d.spec?.selector ?? {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH]: hash };
  const spec = d.spec!;
  return {
    apiVersion: `${rsDescriptor.group}/${rsDescriptor.version}`,
    kind: rsDescriptor.kind,
    metadata: {
      name: `${d.metadata!.name}-${hash}`,
      namespace: d.metadata!.namespace,
      labels: { ...(d.spec?.template?.metadata?.labels ?? {}), [POD_TEMPLATE_HASH]: hash },
      annotations: replicaSetAnnotations(d, revision),
      ownerReferences: [controllerRef(d, deploymentDescriptor)],
    },
    spec: { replicas, minReadySeconds: spec.minReadySeconds ?? 0, selector, template },
  };
}

function maxSurgeOf(d: Deployment): number {
  const replicas = d.spec?.replicas ?? 1;
  if (d.spec?.strategy?.type === 'Recreate') return 0;
  return resolveFenceposts(d.spec?.strategy?.rollingUpdate?.maxSurge, d.spec?.strategy?.rollingUpdate?.maxUnavailable, replicas).maxSurge;
}

function maxUnavailableOf(d: Deployment): number {
  const replicas = d.spec?.replicas ?? 1;
  if (d.spec?.strategy?.type === 'Recreate' || replicas === 0) return 0;
  const { maxUnavailable } = resolveFenceposts(d.spec?.strategy?.rollingUpdate?.maxSurge, d.spec?.strategy?.rollingUpdate?.maxUnavailable, replicas);
  return Math.min(maxUnavailable, replicas);
}

function replicaSetAnnotations(d: Deployment, revision: string): Record<string, string> {
  const replicas = d.spec?.replicas ?? 1;
  return {
    [DESIRED_REPLICAS_ANNOTATION]: String(replicas),
    [MAX_REPLICAS_ANNOTATION]: String(replicas + maxSurgeOf(d)),
    [REVISION_ANNOTATION]: revision,
  };
}

/**
 * One sync of a Deployment (the real controller's sync/rolloutRolling/rolloutRecreate), given the
 * ReplicaSets it controls.
 */
export function planDeployment(
  d: Deployment,
  owned: Workload[],
  descriptors: { deployments: ResourceDescriptor; replicaSets: ResourceDescriptor },
  now: number,
): DeploymentPlan {
  const spec = d.spec ?? {};
  const replicas = spec.replicas ?? 1;
  const hash = templateHash(spec.template);
  const existingNew = owned.find((rs) => rs.metadata?.labels?.[POD_TEMPLATE_HASH] === hash || rs.metadata?.name === `${d.metadata!.name}-${hash}`);
  const old = owned.filter((rs) => rs !== existingNew).sort(oldestFirst);
  const maxOldRevision = Math.max(0, ...old.map(revisionOf));
  const revision = existingNew && revisionOf(existingNew) > maxOldRevision ? String(revisionOf(existingNew)) : String(maxOldRevision + 1);
  const plan: DeploymentPlan = { scale: [], delete: [], revision, status: {} };
  // Working copies of the ReplicaSets' spec.replicas, updated as the plan scales them.
  const target = new Map<Workload, number>(owned.map((rs) => [rs, specReplicas(rs)]));
  const scale = (rs: Workload, n: number) => {
    target.set(rs, n);
    const annotations = replicaSetAnnotations(d, rs === existingNew ? revision : String(revisionOf(rs) || 0));
    const i = plan.scale.findIndex((s) => s.name === rs.metadata!.name);
    const entry = { name: rs.metadata!.name!, replicas: n, annotations };
    if (i >= 0) plan.scale[i] = entry;
    else plan.scale.push(entry);
  };
  const sumTargets = () => [...target.values()].reduce((a, b) => a + b, 0);
  let newRS = existingNew;
  let createdNew = false;

  if (!spec.paused) {
    const recreate = spec.strategy?.type === 'Recreate';
    if (recreate) {
      const oldActive = old.some((rs) => specReplicas(rs) > 0);
      for (const rs of old) if (specReplicas(rs) > 0) scale(rs, 0);
      const oldPodsRunning = old.some((rs) => statusNum(rs, 'replicas') > 0);
      if (!newRS) {
        newRS = newReplicaSetFor(d, descriptors.replicaSets, descriptors.deployments, revision, oldActive || oldPodsRunning ? 0 : replicas);
        plan.create = newRS;
        createdNew = true;
        target.set(newRS, specReplicas(newRS));
      } else if (!oldActive && !oldPodsRunning && specReplicas(newRS) !== replicas) {
        scale(newRS, replicas);
      }
    } else {
      const { maxSurge } = resolveFenceposts(spec.strategy?.rollingUpdate?.maxSurge, spec.strategy?.rollingUpdate?.maxUnavailable, replicas);
      const maxUnavailable = maxUnavailableOf(d);
      if (!newRS) {
        // NewRSNewReplicas with the new ReplicaSet at 0.
        const current = sumTargets();
        const room = Math.max(0, replicas + maxSurge - current);
        const initial = old.every((rs) => specReplicas(rs) === 0) ? replicas : Math.min(room, replicas);
        newRS = newReplicaSetFor(d, descriptors.replicaSets, descriptors.deployments, revision, initial);
        plan.create = newRS;
        createdNew = true;
        target.set(newRS, initial);
      } else if (old.every((rs) => specReplicas(rs) === 0)) {
        if (specReplicas(newRS) !== replicas) scale(newRS, replicas);
      } else if (specReplicas(newRS) > replicas) {
        scale(newRS, replicas);
      } else {
        const current = sumTargets();
        const maxTotal = replicas + maxSurge;
        if (current < maxTotal && specReplicas(newRS) < replicas) {
          scale(newRS, specReplicas(newRS) + Math.min(maxTotal - current, replicas - specReplicas(newRS)));
        }
      }
      if (!createdNew && !plan.scale.length) {
        // reconcileOldReplicaSets: first drop old replicas that are not available, then scale down
        // available ones as far as minAvailable allows.
        const all = [...owned];
        const minAvailable = replicas - maxUnavailable;
        const newUnavailable = Math.max(0, specReplicas(newRS) - statusNum(newRS, 'availableReplicas'));
        let maxScaledDown = sumTargets() - minAvailable - newUnavailable;
        if (maxScaledDown > 0) {
          for (const rs of old) {
            if (maxScaledDown <= 0) break;
            const cur = target.get(rs)!;
            if (cur === 0) continue;
            const unhealthy = cur - statusNum(rs, 'availableReplicas');
            if (unhealthy <= 0) continue;
            const down = Math.min(maxScaledDown, unhealthy);
            scale(rs, cur - down);
            maxScaledDown -= down;
          }
          const available = all.reduce((n, rs) => n + statusNum(rs, 'availableReplicas'), 0);
          if (available > minAvailable) {
            let budget = available - minAvailable;
            for (const rs of old) {
              if (budget <= 0) break;
              const cur = target.get(rs)!;
              if (cur === 0) continue;
              const down = Math.min(cur, budget);
              scale(rs, cur - down);
              budget -= down;
            }
          }
        }
      }
    }
    // Revision annotations follow even when nothing is scaled (a rollback re-uses an old template).
    if (newRS && !createdNew && !plan.scale.some((s) => s.name === newRS!.metadata!.name)) {
      const want = replicaSetAnnotations(d, revision);
      const have = newRS.metadata?.annotations ?? {};
      if (Object.entries(want).some(([k, v]) => have[k] !== v)) scale(newRS, specReplicas(newRS));
    }
    // Clean up old ReplicaSets that run nothing, beyond the history limit.
    const limit = spec.revisionHistoryLimit ?? 10;
    const idle = old.filter((rs) => (target.get(rs) ?? 0) === 0 && statusNum(rs, 'replicas') === 0 && !rs.metadata?.deletionTimestamp);
    if (idle.length > limit) plan.delete = idle.sort((a, b) => revisionOf(a) - revisionOf(b)).slice(0, idle.length - limit);
  }

  plan.status = deploymentStatus(d, owned, newRS, createdNew, now);
  const progressing = (plan.status.conditions as Condition[]).find((c) => c.type === 'Progressing');
  if (progressing?.status === 'True' && progressing.reason !== 'NewReplicaSetAvailable' && spec.progressDeadlineSeconds !== undefined) {
    const since = parseTime(progressing.lastUpdateTime) ?? now;
    plan.requeueAfterMs = Math.max(10, since + spec.progressDeadlineSeconds * 1000 - now + 10);
  }
  return plan;
}

function deploymentStatus(d: Deployment, owned: Workload[], newRS: Workload | undefined, createdNew: boolean, now: number): Record<string, unknown> {
  const spec = d.spec ?? {};
  const replicas = spec.replicas ?? 1;
  const ts = timestamp(now);
  const sum = (k: string) => owned.reduce((n, rs) => n + statusNum(rs, k), 0);
  const specSum = owned.reduce((n, rs) => n + specReplicas(rs), 0);
  const updated = newRS && !createdNew ? statusNum(newRS, 'replicas') : 0;
  const available = sum('availableReplicas');
  const status: Record<string, unknown> = {
    observedGeneration: d.metadata?.generation ?? 1,
    replicas: sum('replicas'),
    updatedReplicas: updated,
    readyReplicas: sum('readyReplicas'),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, specSum - available),
  };
  for (const k of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas']) if (!status[k]) delete status[k];
  const conds = ((d.status?.conditions as Condition[] | undefined) ?? []).map((c) => ({ ...c }));
  // SetDeploymentCondition: nothing changes while status and reason stay the same.
  const set = (c: Condition) => {
    const i = conds.findIndex((x) => x.type === c.type);
    const cur = i >= 0 ? conds[i] : undefined;
    if (cur && cur.status === c.status && cur.reason === c.reason) return;
    const next: Condition = { ...c, lastUpdateTime: ts, lastTransitionTime: cur && cur.status === c.status ? cur.lastTransitionTime : ts };
    if (i >= 0) conds.splice(i, 1);
    conds.push(next);
  };
  const minAvailable = replicas - maxUnavailableOf(d);
  if (available >= minAvailable) set({ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' });
  else set({ type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' });

  // syncRolloutStatus.
  const newName = newRS?.metadata?.name ?? '';
  const num = (o: Record<string, unknown> | undefined, k: string) => Number(o?.[k] ?? 0);
  const prevStatus = d.status as Record<string, unknown> | undefined;
  const current = conds.find((c) => c.type === 'Progressing');
  if (createdNew) {
    set({ type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', message: `Created new replica set "${newName}"` });
  } else if (spec.paused) {
    set({ type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' });
  } else {
    const alreadyComplete = num(status, 'replicas') === num(status, 'updatedReplicas') && current?.reason === 'NewReplicaSetAvailable';
    if (!alreadyComplete) {
      const complete = num(status, 'updatedReplicas') === replicas && num(status, 'replicas') === replicas && available === replicas;
      const oldNow = num(status, 'replicas') - num(status, 'updatedReplicas');
      const oldBefore = num(prevStatus, 'replicas') - num(prevStatus, 'updatedReplicas');
      const progressing =
        num(status, 'updatedReplicas') > num(prevStatus, 'updatedReplicas') ||
        oldNow < oldBefore ||
        num(status, 'readyReplicas') > num(prevStatus, 'readyReplicas') ||
        available > num(prevStatus, 'availableReplicas');
      const deadline = spec.progressDeadlineSeconds;
      const timedOut =
        current !== undefined &&
        current.reason !== 'NewReplicaSetAvailable' &&
        (current.reason === 'ProgressDeadlineExceeded' ||
          (deadline !== undefined && now > (parseTime(current.lastUpdateTime) ?? now) + deadline * 1000));
      if (complete) {
        set({ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${newName}" has successfully progressed.` });
      } else if (progressing || !current) {
        // Progress refreshes lastUpdateTime even when the reason stays ReplicaSetUpdated.
        const i = conds.findIndex((c) => c.type === 'Progressing');
        const next: Condition = {
          type: 'Progressing',
          status: 'True',
          reason: 'ReplicaSetUpdated',
          message: `ReplicaSet "${newName}" is progressing.`,
          lastUpdateTime: ts,
          lastTransitionTime: current?.status === 'True' ? current.lastTransitionTime : ts,
        };
        if (i >= 0) conds.splice(i, 1);
        conds.push(next);
      } else if (timedOut) {
        set({ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${newName}" has timed out progressing.` });
      }
    }
  }
  // The real controller lists Available before Progressing once both exist.
  conds.sort((a, b) => ['Available', 'Progressing', 'ReplicaFailure'].indexOf(a.type) - ['Available', 'Progressing', 'ReplicaFailure'].indexOf(b.type));
  status.conditions = conds;
  return status;
}

export class DeploymentController extends Controller {
  private readonly deployments: Informer<Deployment>;
  private readonly replicaSets: Informer<Workload>;

  constructor(ctx: SimContext) {
    super('deployment', ctx, 2);
    this.deployments = ctx.informers.for<Deployment>(ctx.kinds.deployments);
    this.replicaSets = ctx.informers.for<Workload>(ctx.kinds.replicaSets).addIndex('controller-uid', (rs) => {
      const uid = controllerOf(rs)?.uid;
      return uid ? [uid] : [];
    });
    this.deployments.on((type, d) => {
      if (type === 'put') this.queue.add(keyOf(d));
    });
    this.replicaSets.on((type, rs, old) => {
      for (const o of old && old !== rs ? [rs, old] : [rs]) {
        const ref = controllerOf(o);
        if (ref?.kind === 'Deployment') this.enqueueSoon(`${o.metadata!.namespace}/${ref.name}`, 20);
      }
    });
  }

  protected async reconcile(key: string): Promise<number | void> {
    const d = this.deployments.get(key);
    if (!d || d.metadata?.deletionTimestamp) return;
    const { client, kinds } = this.ctx;
    const m = d.metadata!;
    const owned = this.replicaSets.byIndex('controller-uid', m.uid!).filter((rs) => rs.metadata?.namespace === m.namespace && !rs.metadata?.deletionTimestamp);
    const plan = planDeployment(d, owned, { deployments: kinds.deployments, replicaSets: kinds.replicaSets }, this.ctx.now());

    if (plan.create) {
      const made = await client.create(kinds.replicaSets, plan.create, FIELD_MANAGER);
      // A ReplicaSet with that name exists but is not ours (or not yet seen): try again shortly.
      if (!made) return 200;
    }
    for (const s of plan.scale) {
      await client.update<Workload>(kinds.replicaSets, m.namespace, s.name, (cur) => {
        const annotations = { ...(cur.metadata!.annotations ?? {}), ...s.annotations };
        if ((cur.spec?.replicas ?? 0) === s.replicas && JSON.stringify(annotations) === JSON.stringify(cur.metadata!.annotations ?? {})) return false;
        cur.spec = { ...(cur.spec ?? {}), replicas: s.replicas };
        cur.metadata!.annotations = annotations;
      }, { fieldManager: FIELD_MANAGER });
    }
    for (const rs of plan.delete) await client.delete(kinds.replicaSets, rs.metadata!.namespace, rs.metadata!.name!, rs.metadata!.uid);

    if ((m.annotations ?? {})[REVISION_ANNOTATION] !== plan.revision) {
      await client.update<Deployment>(kinds.deployments, m.namespace, m.name!, (cur) => {
        if (cur.metadata!.annotations?.[REVISION_ANNOTATION] === plan.revision) return false;
        cur.metadata!.annotations = { ...(cur.metadata!.annotations ?? {}), [REVISION_ANNOTATION]: plan.revision };
      }, { uid: m.uid, fieldManager: FIELD_MANAGER });
    }
    if (JSON.stringify(plan.status) !== JSON.stringify(d.status ?? {})) {
      await client.update<Deployment>(kinds.deployments, m.namespace, m.name!, (cur) => {
        if ((cur.metadata?.generation ?? 1) !== (m.generation ?? 1)) return false; // spec moved on: next sync
        cur.status = plan.status as Deployment['status'];
      }, { status: true, uid: m.uid, fieldManager: FIELD_MANAGER });
    }
    return plan.requeueAfterMs;
  }
}

export type { KubeObject };
