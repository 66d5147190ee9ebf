// Built-in status aggregation (default/native/aggregatestatus.go, helper.ParsingJobStatus): folds the
// statuses reflected from every member cluster into the resource template's status.

import type { AggregatedStatusItem } from '../../apis/work/v1alpha2/index.js';
import { nowTime } from '../../apis/meta/v1/types.js';
import type { KubeObject } from '../../runtime/types.js';
import { asObj, clone, int, isObj, nested, objects, omitEmpty, str, type Obj } from './util.js';

export interface AggregateContext {
  /** The clock for condition timestamps (tests pass a fixed one). */
  now?: Date;
}

export type AggregateStatusInterpreter = (obj: KubeObject, items: AggregatedStatusItem[], ctx?: AggregateContext) => KubeObject;

function withStatus(obj: KubeObject, status: Obj): KubeObject {
  const out = clone(obj);
  out['status'] = status;
  return out;
}

/**
 * Sums the listed counters over the members. observedGeneration becomes the template's generation only
 * when every member has processed its latest spec (observedGeneration >= generation) and was rendered
 * from the latest template (resourceTemplateGeneration >= template generation); otherwise the
 * template keeps its previous observedGeneration, so tools like Argo CD do not see a rollout as done
 * before it reached every cluster.
 */
function aggregateReplicaCounters(fields: string[]): AggregateStatusInterpreter {
  return (obj, items) => {
    const old = asObj(obj['status']) ?? {};
    const generation = int(obj.metadata?.generation);
    const sums: Obj = Object.fromEntries(fields.map((f) => [f, 0]));
    let caughtUp = items.length > 0;
    for (const item of items) {
      const st = asObj(item.status);
      if (!st) {
        caughtUp = false;
        continue;
      }
      for (const f of fields) sums[f] = (sums[f] as number) + int(st[f]);
      if (int(st['observedGeneration']) < int(st['generation']) || int(st['resourceTemplateGeneration']) < generation) caughtUp = false;
    }
    const status: Obj = { ...clone(old), ...sums };
    const observedGeneration = caughtUp ? generation : old['observedGeneration'];
    if (observedGeneration === undefined) delete status['observedGeneration'];
    else status['observedGeneration'] = observedGeneration;
    return withStatus(obj, status);
  };
}

/** Load balancer ingress points of every member, each noting its cluster as hostname when it has none. */
function collectIngress(items: AggregatedStatusItem[]): Obj[] {
  const ingress: Obj[] = [];
  for (const item of items) {
    for (const ing of objects(nested(item.status, 'loadBalancer', 'ingress'))) {
      const copy = clone(ing);
      if (!str(copy['hostname'])) copy['hostname'] = item.clusterName;
      ingress.push(copy);
    }
  }
  return ingress;
}

function aggregateServiceStatus(obj: KubeObject, items: AggregatedStatusItem[]): KubeObject {
  if (str(nested(obj, 'spec', 'type')) !== 'LoadBalancer') return clone(obj);
  const ingress = collectIngress(items);
  return withStatus(obj, { loadBalancer: ingress.length ? { ingress } : {} });
}

function aggregateIngressStatus(obj: KubeObject, items: AggregatedStatusItem[]): KubeObject {
  const ingress = collectIngress(items);
  return withStatus(obj, { loadBalancer: ingress.length ? { ingress } : {} });
}

const conditionTrue = (status: unknown, type: string) => objects(nested(status, 'conditions')).some((c) => c['type'] === type && c['status'] === 'True');

/** GetJobFinishedStatus: Complete or Failed, or undefined while running. */
export function jobFinished(status: unknown): 'Complete' | 'Failed' | undefined {
  for (const c of objects(nested(status, 'conditions'))) {
    if ((c['type'] === 'Complete' || c['type'] === 'Failed') && c['status'] === 'True') return c['type'];
  }
  return undefined;
}

const timeOf = (v: unknown) => (typeof v === 'string' ? Date.parse(v) : NaN);

/**
 * Job: active/succeeded/failed summed; Failed when any member failed, Complete when all completed;
 * startTime the earliest once every member started, completionTime the latest once every member
 * completed. A finished template Job is never updated again.
 */
function aggregateJobStatus(obj: KubeObject, items: AggregatedStatusItem[], ctx: AggregateContext = {}): KubeObject {
  const old = asObj(obj['status']) ?? {};
  if (jobFinished(old)) return clone(obj);
  const now = nowTime(ctx.now ?? new Date());
  let active = 0;
  let succeeded = 0;
  let failed = 0;
  let successful = 0;
  let successCriteriaMet = 0;
  let failureTarget = 0;
  let started = 0;
  let completed = 0;
  let startTime: string | undefined;
  let completionTime: string | undefined;
  const failedClusters: string[] = [];
  for (const item of items) {
    const st = asObj(item.status);
    if (!st) continue;
    active += int(st['active']);
    succeeded += int(st['succeeded']);
    failed += int(st['failed']);
    const finished = jobFinished(st);
    if (finished === 'Complete') successful++;
    else if (finished === 'Failed') failedClusters.push(item.clusterName);
    if (conditionTrue(st, 'SuccessCriteriaMet')) successCriteriaMet++;
    if (conditionTrue(st, 'FailureTarget')) failureTarget++;
    if (typeof st['startTime'] === 'string') {
      started++;
      if (startTime === undefined || timeOf(st['startTime']) < timeOf(startTime)) startTime = st['startTime'];
    }
    if (typeof st['completionTime'] === 'string') {
      completed++;
      if (completionTime === undefined || timeOf(completionTime) < timeOf(st['completionTime'])) completionTime = st['completionTime'];
    }
  }
  const conditions: Obj[] = [];
  const condition = (type: string, reason: string, message: string) => ({ type, status: 'True', lastProbeTime: now, lastTransitionTime: now, reason, message });
  if (failedClusters.length) {
    const message = `Job executed failed in member clusters ${failedClusters.join(',')}`;
    // the API server accepts Failed=True only after FailureTarget when a member reported one
    if (failureTarget > 0) conditions.push(condition('FailureTarget', 'JobFailed', message));
    conditions.push(condition('Failed', 'JobFailed', message));
  }
  if (successful > 0 && successful === items.length) {
    conditions.push(condition('Complete', 'Completed', 'Job completed'));
    if (successCriteriaMet === items.length) conditions.push(condition('SuccessCriteriaMet', 'CompletionsReached', 'All member clusters have met success criteria'));
  }
  const status: Obj = { active, succeeded, failed, conditions };
  if (old['startTime'] !== undefined) status['startTime'] = old['startTime'];
  else if (started > 0 && started === items.length) status['startTime'] = startTime;
  if (completionTime !== undefined && completed === items.length) status['completionTime'] = completionTime;
  return withStatus(obj, omitEmpty(status));
}

function aggregateCronJobStatus(obj: KubeObject, items: AggregatedStatusItem[]): KubeObject {
  const old = asObj(obj['status']) ?? {};
  const active: unknown[] = [];
  let lastScheduleTime: string | undefined;
  let lastSuccessfulTime: string | undefined;
  for (const item of items) {
    const st = asObj(item.status);
    if (!st) continue;
    active.push(...objects(st['active']).map((a) => clone(a)));
    if (typeof st['lastScheduleTime'] === 'string' && (lastScheduleTime === undefined || timeOf(lastScheduleTime) < timeOf(st['lastScheduleTime']))) lastScheduleTime = st['lastScheduleTime'];
    if (typeof st['lastSuccessfulTime'] === 'string' && (lastSuccessfulTime === undefined || timeOf(lastSuccessfulTime) < timeOf(st['lastSuccessfulTime'])))
      lastSuccessfulTime = st['lastSuccessfulTime'];
  }
  const status: Obj = { ...clone(old) };
  delete status['active'];
  delete status['lastScheduleTime'];
  delete status['lastSuccessfulTime'];
  return withStatus(obj, { ...status, ...omitEmpty({ active, lastScheduleTime, lastSuccessfulTime }) });
}

/** The first phase of `order` any member is in (a member without status counts as `missing`). */
function worstPhase(items: AggregatedStatusItem[], order: string[], missing: string): string | undefined {
  const phases = new Set(items.map((i) => (isObj(i.status) ? str(i.status['phase']) : missing)));
  return order.find((p) => phases.has(p));
}

/** Pod: Failed, else Pending, else Running, else Succeeded; container ready/state from every member. */
function aggregatePodStatus(obj: KubeObject, items: AggregatedStatusItem[]): KubeObject {
  if (!items.length) return clone(obj);
  const containerStatuses: Obj[] = [];
  for (const item of items) {
    for (const cs of objects(nested(item.status, 'containerStatuses'))) {
      containerStatuses.push(omitEmpty({ ready: cs['ready'] === true, state: clone(cs['state']) }));
    }
  }
  const phase = worstPhase(items, ['Failed', 'Pending', 'Running', 'Succeeded'], 'Pending');
  return withStatus(obj, { ...(phase ? { phase } : {}), containerStatuses });
}

function aggregatePersistentVolumeStatus(obj: KubeObject, items: AggregatedStatusItem[]): KubeObject {
  const phase = worstPhase(items, ['Failed', 'Pending', 'Available', 'Bound', 'Released'], 'Pending');
  return withStatus(obj, phase ? { phase } : {});
}

/** PVC: Bound unless a member's claim is Lost (wins) or in another phase. */
function aggregatePersistentVolumeClaimStatus(obj: KubeObject, items: AggregatedStatusItem[]): KubeObject {
  let phase = 'Bound';
  for (const item of items) {
    const p = str(nested(item.status, 'phase'));
    if (!isObj(item.status)) continue;
    if (p === 'Lost') {
      phase = 'Lost';
      break;
    }
    if (p !== 'Bound') phase = p;
  }
  return withStatus(obj, phase ? { phase } : {});
}

/** PDB: counters summed; disrupted pods keyed "<cluster>/<pod>". */
function aggregatePodDisruptionBudgetStatus(obj: KubeObject, items: AggregatedStatusItem[]): KubeObject {
  const status = { currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, disruptionsAllowed: 0 };
  const disruptedPods: Record<string, unknown> = {};
  for (const item of items) {
    const st = asObj(item.status);
    if (!st) continue;
    status.currentHealthy += int(st['currentHealthy']);
    status.desiredHealthy += int(st['desiredHealthy']);
    status.expectedPods += int(st['expectedPods']);
    status.disruptionsAllowed += int(st['disruptionsAllowed']);
    for (const [pod, t] of Object.entries(asObj(st['disruptedPods']) ?? {})) disruptedPods[`${item.clusterName}/${pod}`] = t;
  }
  return withStatus(obj, { ...status, ...(Object.keys(disruptedPods).length ? { disruptedPods } : {}) });
}

function aggregateHorizontalPodAutoscalerStatus(obj: KubeObject, items: AggregatedStatusItem[]): KubeObject {
  const old = asObj(obj['status']) ?? {};
  let currentReplicas = 0;
  let desiredReplicas = 0;
  for (const item of items) {
    currentReplicas += int(nested(item.status, 'currentReplicas'));
    desiredReplicas += int(nested(item.status, 'desiredReplicas'));
  }
  return withStatus(obj, { ...clone(old), currentReplicas, desiredReplicas });
}

export const aggregateStatusInterpreters: Record<string, AggregateStatusInterpreter> = {
  'apps/v1, Kind=Deployment': aggregateReplicaCounters(['replicas', 'readyReplicas', 'updatedReplicas', 'availableReplicas', 'unavailableReplicas']),
  'apps/v1, Kind=ReplicaSet': aggregateReplicaCounters(['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas']),
  'apps/v1, Kind=StatefulSet': aggregateReplicaCounters(['replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas']),
  'apps/v1, Kind=DaemonSet': aggregateReplicaCounters([
    'currentNumberScheduled',
    'desiredNumberScheduled',
    'numberAvailable',
    'numberMisscheduled',
    'numberReady',
    'updatedNumberScheduled',
    'numberUnavailable',
  ]),
  'v1, Kind=Service': aggregateServiceStatus,
  'networking.k8s.io/v1, Kind=Ingress': aggregateIngressStatus,
  'batch/v1, Kind=Job': aggregateJobStatus,
  'batch/v1, Kind=CronJob': aggregateCronJobStatus,
  'v1, Kind=Pod': aggregatePodStatus,
  'v1, Kind=PersistentVolume': aggregatePersistentVolumeStatus,
  'v1, Kind=PersistentVolumeClaim': aggregatePersistentVolumeClaimStatus,
  'policy/v1, Kind=PodDisruptionBudget': aggregatePodDisruptionBudgetStatus,
  'autoscaling/v2, Kind=HorizontalPodAutoscaler': aggregateHorizontalPodAutoscalerStatus,
};
