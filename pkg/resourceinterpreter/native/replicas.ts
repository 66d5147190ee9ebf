// Built-in replica interpretation (default/native/replica.go): how many replicas a workload template
// asks for and what each replica needs.

import type { KubeObject } from '../../runtime/types.js';
import type { ReplicaInterpretation } from '../interface.js';
import { generateReplicaRequirements } from './podtemplate.js';
import { asObj, int, nested } from './util.js';

export type ReplicaInterpreter = (obj: KubeObject) => ReplicaInterpretation;

function withRequirements(replicas: number, podTemplate: unknown, namespace: string | undefined): ReplicaInterpretation {
  const requirements = generateReplicaRequirements(podTemplate, namespace);
  return requirements ? { replicas, requirements } : { replicas };
}

/** spec.replicas of a Deployment/ReplicaSet/StatefulSet; unset means 1, the API server's default. */
function workloadReplicas(obj: KubeObject): ReplicaInterpretation {
  const replicas = nested(obj, 'spec', 'replicas');
  return withRequirements(replicas === undefined || replicas === null ? 1 : int(replicas), nested(obj, 'spec', 'template'), obj.metadata?.namespace);
}

/**
 * A Job runs spec.parallelism pods at once (1 when unset, the API server's default), but never more
 * than spec.completions for fixed-completion-count Jobs.
 */
function jobReplicas(obj: KubeObject): ReplicaInterpretation {
  const parallelism = nested(obj, 'spec', 'parallelism');
  let replicas = parallelism === undefined || parallelism === null ? 1 : int(parallelism);
  const completions = nested(obj, 'spec', 'completions');
  if (typeof completions === 'number' && completions < replicas) replicas = int(completions);
  return withRequirements(replicas, nested(obj, 'spec', 'template'), obj.metadata?.namespace);
}

/** A Pod is always one replica. */
function podReplicas(obj: KubeObject): ReplicaInterpretation {
  return withRequirements(1, { spec: asObj(obj['spec']) ?? {} }, obj.metadata?.namespace);
}

export const replicaInterpreters: Record<string, ReplicaInterpreter> = {
  'apps/v1, Kind=Deployment': workloadReplicas,
  'apps/v1, Kind=ReplicaSet': workloadReplicas,
  'apps/v1, Kind=StatefulSet': workloadReplicas,
  'batch/v1, Kind=Job': jobReplicas,
  'v1, Kind=Pod': podReplicas,
};
