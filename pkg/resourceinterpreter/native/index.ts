// The built-in (native) interpreters per kind, keyed by "apiVersion, Kind=kind" (default/native/default.go).

import type { InterpreterOperation, ObjectGVK } from '../interface.js';
import { aggregateStatusInterpreters as kubeAggregateStatus, type AggregateStatusInterpreter } from './aggregatestatus.js';
import { dependenciesInterpreters as kubeDependencies, type DependenciesInterpreter } from './dependencies.js';
import { deviceAggregateStatusInterpreters, deviceDependenciesInterpreters, deviceHealthInterpreters, deviceReflectStatusInterpreters } from './device.js';
import { healthInterpreters as kubeHealth, type HealthInterpreter } from './health.js';
import { reflectStatusInterpreters as kubeReflectStatus, type ReflectStatusInterpreter } from './reflectstatus.js';
import { replicaInterpreters } from './replicas.js';
import { retainInterpreters } from './retain.js';
import { reviseReplicaInterpreters } from './revise.js';
import { gvkKey } from './util.js';

export * from './aggregatestatus.js';
export * from './dependencies.js';
export * from './device.js';
export * from './health.js';
export * from './podtemplate.js';
export * from './reflectstatus.js';
export * from './replicas.js';
export * from './retain.js';
export * from './revise.js';
export { gvkKey } from './util.js';

// The tables the interpreter reads: Kubernetes' built-in kinds, plus the KubeEdge device kinds (device.ts).
// These names shadow the per-file tables re-exported above, which hold the Kubernetes kinds only.
export const aggregateStatusInterpreters: Record<string, AggregateStatusInterpreter> = { ...kubeAggregateStatus, ...deviceAggregateStatusInterpreters };
export const dependenciesInterpreters: Record<string, DependenciesInterpreter> = { ...kubeDependencies, ...deviceDependenciesInterpreters };
export const healthInterpreters: Record<string, HealthInterpreter> = { ...kubeHealth, ...deviceHealthInterpreters };
export const reflectStatusInterpreters: Record<string, ReflectStatusInterpreter> = { ...kubeReflectStatus, ...deviceReflectStatusInterpreters };

/** Which table implements each operation. */
export const nativeInterpreters: Record<InterpreterOperation, Record<string, unknown>> = {
  InterpretReplica: replicaInterpreters,
  ReviseReplica: reviseReplicaInterpreters,
  Retain: retainInterpreters,
  AggregateStatus: aggregateStatusInterpreters,
  InterpretStatus: reflectStatusInterpreters,
  InterpretHealth: healthInterpreters,
  InterpretDependency: dependenciesInterpreters,
};

/** Whether a built-in interpreter implements the operation for the kind. */
export function nativeHookEnabled(gvk: ObjectGVK, operation: InterpreterOperation): boolean {
  return gvkKey(gvk.apiVersion, gvk.kind) in (nativeInterpreters[operation] ?? {});
}
