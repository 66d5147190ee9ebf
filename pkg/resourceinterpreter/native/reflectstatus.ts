// Built-in status reflection (default/native/reflectstatus.go): the part of a member object's status
// worth reporting back in Work.status.manifestStatuses. Workloads also carry `generation` (the member
// object's) and `resourceTemplateGeneration` (the template generation the member object was rendered
// from, read from its resourcetemplate.karmada.io/generation annotation) so aggregation can tell when
// every member has caught up with the latest template.

import { RESOURCE_TEMPLATE_GENERATION_ANNOTATION } from '../../apis/work/v1alpha2/index.js';
import type { KubeObject } from '../../runtime/types.js';
import { asObj, clone, int, nested, omitEmpty, parseIntAnnotation, str, type Obj } from './util.js';

export type ReflectStatusInterpreter = (observed: KubeObject) => Obj | undefined;

/** FederatedGeneration: the member object's generation and the template generation it was built from. */
export function federatedGeneration(obj: KubeObject): Obj {
  const what = `${obj.kind ?? 'object'} ${obj.metadata?.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata?.name ?? ''} annotation ${RESOURCE_TEMPLATE_GENERATION_ANNOTATION}`;
  return {
    generation: int(obj.metadata?.generation),
    resourceTemplateGeneration: parseIntAnnotation(obj.metadata?.annotations?.[RESOURCE_TEMPLATE_GENERATION_ANNOTATION], what),
  };
}

function pick(status: Obj, fields: string[]): Obj {
  const out: Obj = {};
  for (const f of fields) if (status[f] !== undefined) out[f] = clone(status[f]);
  return out;
}

/** Reflects the listed status fields plus the federated generations (nothing when status is missing or empty). */
function workloadStatus(fields: string[]): ReflectStatusInterpreter {
  return (obj) => {
    const status = asObj(obj['status']);
    if (!status) return undefined;
    const out = omitEmpty({ ...federatedGeneration(obj), ...pick(status, fields) });
    return Object.keys(out).length ? out : undefined;
  };
}

/** The whole status, when there is one (the default for kinds without a rule). */
export function reflectWholeStatus(obj: KubeObject): Obj | undefined {
  const status = asObj(obj['status']);
  return status ? clone(status) : undefined;
}

/** Only LoadBalancer Services have status worth reporting: their ingress points. */
function reflectServiceStatus(obj: KubeObject): Obj | undefined {
  if (str(nested(obj, 'spec', 'type')) !== 'LoadBalancer') return undefined;
  const status = asObj(obj['status']);
  if (!status) return undefined;
  return { loadBalancer: clone(asObj(status['loadBalancer']) ?? {}) };
}

function reflectJobStatus(obj: KubeObject): Obj | undefined {
  const status = asObj(obj['status']);
  if (!status) return undefined;
  return omitEmpty(pick(status, ['active', 'succeeded', 'failed', 'conditions', 'startTime', 'completionTime']));
}

function reflectPodDisruptionBudgetStatus(obj: KubeObject): Obj | undefined {
  const status = asObj(obj['status']);
  if (!status) return undefined;
  const out: Obj = {
    disruptionsAllowed: int(status['disruptionsAllowed']),
    currentHealthy: int(status['currentHealthy']),
    desiredHealthy: int(status['desiredHealthy']),
    expectedPods: int(status['expectedPods']),
  };
  if (asObj(status['disruptedPods']) && Object.keys(asObj(status['disruptedPods'])!).length) out['disruptedPods'] = clone(status['disruptedPods']);
  return out;
}

function reflectHorizontalPodAutoscalerStatus(obj: KubeObject): Obj | undefined {
  const status = asObj(obj['status']);
  if (!status) return undefined;
  const out: Obj = { desiredReplicas: int(status['desiredReplicas']) };
  if (int(status['currentReplicas'])) out['currentReplicas'] = int(status['currentReplicas']);
  return out;
}

export const reflectStatusInterpreters: Record<string, ReflectStatusInterpreter> = {
  'apps/v1, Kind=Deployment': workloadStatus(['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'observedGeneration']),
  'apps/v1, Kind=ReplicaSet': workloadStatus(['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration']),
  'apps/v1, Kind=StatefulSet': workloadStatus(['replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'observedGeneration']),
  'apps/v1, Kind=DaemonSet': workloadStatus([
    'currentNumberScheduled',
    'desiredNumberScheduled',
    'numberAvailable',
    'numberMisscheduled',
    'numberReady',
    'updatedNumberScheduled',
    'numberUnavailable',
    'observedGeneration',
  ]),
  'v1, Kind=Service': reflectServiceStatus,
  'networking.k8s.io/v1, Kind=Ingress': reflectWholeStatus,
  'batch/v1, Kind=Job': reflectJobStatus,
  'policy/v1, Kind=PodDisruptionBudget': reflectPodDisruptionBudgetStatus,
  'autoscaling/v2, Kind=HorizontalPodAutoscaler': reflectHorizontalPodAutoscalerStatus,
};
