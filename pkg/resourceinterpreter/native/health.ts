// Built-in health interpretation (default/native/healthy.go): whether a member object does its job.
// Kinds without a rule are healthy.

import type { KubeObject } from '../../runtime/types.js';
import { asObj, int, nested, objects, str } from './util.js';

export type HealthInterpreter = (observed: KubeObject) => boolean;

const spec = (obj: KubeObject) => asObj(obj['spec']) ?? {};
const status = (obj: KubeObject) => asObj(obj['status']) ?? {};
const generationCaughtUp = (obj: KubeObject) => int(status(obj)['observedGeneration']) === int(obj.metadata?.generation);

/** Deployment: the controller saw the latest spec, every replica is updated and the updated ones are available. */
function interpretDeploymentHealth(obj: KubeObject): boolean {
  if (!generationCaughtUp(obj)) return false;
  const st = status(obj);
  const replicas = spec(obj)['replicas'];
  if (typeof replicas === 'number' && int(st['updatedReplicas']) < replicas) return false;
  return int(st['availableReplicas']) >= int(st['updatedReplicas']);
}

/** StatefulSet: like kubectl rollout status, a partitioned update is done once the pods at or above the partition are updated. */
function interpretStatefulSetHealth(obj: KubeObject): boolean {
  if (!generationCaughtUp(obj)) return false;
  const st = status(obj);
  const replicas = spec(obj)['replicas'];
  if (typeof replicas === 'number') {
    const partition = nested(obj, 'spec', 'updateStrategy', 'rollingUpdate', 'partition');
    const wantUpdated = replicas - (typeof partition === 'number' ? partition : 0);
    if (int(st['updatedReplicas']) < wantUpdated) return false;
    if (int(st['availableReplicas']) < replicas) return false;
  }
  return int(st['availableReplicas']) >= int(st['updatedReplicas']);
}

function interpretReplicaSetHealth(obj: KubeObject): boolean {
  if (!generationCaughtUp(obj)) return false;
  const replicas = spec(obj)['replicas'];
  return !(typeof replicas === 'number' && int(status(obj)['availableReplicas']) < replicas);
}

function interpretDaemonSetHealth(obj: KubeObject): boolean {
  if (!generationCaughtUp(obj)) return false;
  const st = status(obj);
  if (int(st['updatedNumberScheduled']) < int(st['desiredNumberScheduled'])) return false;
  return int(st['numberAvailable']) >= int(st['updatedNumberScheduled']);
}

const hasIngressPoint = (obj: KubeObject) => objects(nested(obj, 'status', 'loadBalancer', 'ingress')).some((i) => str(i['hostname']) !== '' || str(i['ip']) !== '');

/** Service: only a LoadBalancer needs something from the member, an ingress point. */
function interpretServiceHealth(obj: KubeObject): boolean {
  return str(spec(obj)['type']) !== 'LoadBalancer' || hasIngressPoint(obj);
}

function interpretPersistentVolumeClaimHealth(obj: KubeObject): boolean {
  return str(status(obj)['phase']) === 'Bound';
}

/** Pod: Succeeded, or Running with condition Ready=True. */
function interpretPodHealth(obj: KubeObject): boolean {
  const st = status(obj);
  if (st['phase'] === 'Succeeded') return true;
  const ready = objects(st['conditions']).find((c) => c['type'] === 'Ready');
  return st['phase'] === 'Running' && ready?.['status'] === 'True';
}

function interpretPodDisruptionBudgetHealth(obj: KubeObject): boolean {
  const st = status(obj);
  return int(st['currentHealthy']) >= int(st['desiredHealthy']);
}

export const healthInterpreters: Record<string, HealthInterpreter> = {
  'apps/v1, Kind=Deployment': interpretDeploymentHealth,
  'apps/v1, Kind=StatefulSet': interpretStatefulSetHealth,
  'apps/v1, Kind=ReplicaSet': interpretReplicaSetHealth,
  'apps/v1, Kind=DaemonSet': interpretDaemonSetHealth,
  'v1, Kind=Service': interpretServiceHealth,
  'networking.k8s.io/v1, Kind=Ingress': hasIngressPoint,
  'v1, Kind=PersistentVolumeClaim': interpretPersistentVolumeClaimHealth,
  'v1, Kind=Pod': interpretPodHealth,
  'policy/v1, Kind=PodDisruptionBudget': interpretPodDisruptionBudgetHealth,
};
