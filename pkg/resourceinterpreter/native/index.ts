// The built-in (native) interpreters per kind, keyed by "apiVersion, Kind=kind" (default/native/default.go).

import type { InterpreterOperation, ObjectGVK } from '../interface.js';
import { aggregateStatusInterpreters } from './aggregatestatus.js';
import { dependenciesInterpreters } from './dependencies.js';
import { healthInterpreters } from './health.js';
import { reflectStatusInterpreters } from './reflectstatus.js';
import { replicaInterpreters } from './replicas.js';
import { retainInterpreters } from './retain.js';
import { reviseReplicaInterpreters } from './revise.js';
import { gvkKey } from './util.js';

export * from './aggregatestatus.js';
export * from './dependencies.js';
export * from './health.js';
export * from './podtemplate.js';
export * from './reflectstatus.js';
export * from './replicas.js';
export * from './retain.js';
export * from './revise.js';
export { gvkKey } from './util.js';

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
