// Built-in replica revision (default/native/revisereplica.go): a copy of the template carrying the
// replicas assigned to one member cluster.

import type { KubeObject } from '../../runtime/types.js';
import { clone, setNested } from './util.js';

export type ReviseReplicaInterpreter = (obj: KubeObject, replicas: number) => KubeObject;

function reviseField(field: string): ReviseReplicaInterpreter {
  return (obj, replicas) => {
    const out = clone(obj);
    setNested(out, ['spec', field], replicas);
    return out;
  };
}

export const reviseReplicaInterpreters: Record<string, ReviseReplicaInterpreter> = {
  'apps/v1, Kind=Deployment': reviseField('replicas'),
  'apps/v1, Kind=ReplicaSet': reviseField('replicas'),
  'apps/v1, Kind=StatefulSet': reviseField('replicas'),
  // a Job's share of a cluster is how many pods it runs in parallel there
  'batch/v1, Kind=Job': reviseField('parallelism'),
};
