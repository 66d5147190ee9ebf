// The resource interpreter's contract (Karmada pkg/resourceinterpreter/interpreter.go): what the
// controllers ask of a resource template or member object without knowing its kind. Implementations
// consult, in order, ResourceInterpreterCustomizations (Lua), then the built-in interpreters per kind.

import type { AggregatedStatusItem, ReplicaRequirements } from '../apis/work/v1alpha2/index.js';
import type { KubeObject } from '../runtime/types.js';

/** Karmada's InterpreterOperation names. */
export type InterpreterOperation =
  | 'InterpretReplica'
  | 'ReviseReplica'
  | 'Retain'
  | 'AggregateStatus'
  | 'InterpretStatus'
  | 'InterpretHealth'
  | 'InterpretDependency';

/** configv1alpha1.DependentObjectReference: an object a template depends on (name or labelSelector). */
export interface DependentObjectReference {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name?: string;
  labelSelector?: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
}

export interface ReplicaInterpretation {
  replicas: number;
  requirements?: ReplicaRequirements;
}

/** apiVersion + kind of an object, the key interpreters are registered under. */
export interface ObjectGVK {
  apiVersion: string;
  kind: string;
}

/**
 * Every method may reject (a Lua script that fails, times out or runs out of memory): callers turn
 * the error into a condition or event on the object, never a crash.
 */
export interface ResourceInterpreter {
  /** Whether any interpreter (customization or built-in) implements the operation for the kind. */
  hookEnabled(gvk: ObjectGVK, operation: InterpreterOperation): boolean;
  /** Desired replicas and per-replica requirements of a workload template (0 for non-workloads). */
  getReplicas(obj: KubeObject): Promise<ReplicaInterpretation>;
  /** A copy of obj with its replicas set (the per-cluster share). */
  reviseReplica(obj: KubeObject, replicas: number): Promise<KubeObject>;
  /** desired with the fields the member owns kept from observed (e.g. a Service's clusterIP). */
  retain(desired: KubeObject, observed: KubeObject): Promise<KubeObject>;
  /** The status of a member object worth reporting (undefined: nothing to report). */
  reflectStatus(observed: KubeObject): Promise<Record<string, unknown> | undefined>;
  /** Whether a member object is healthy. */
  interpretHealth(observed: KubeObject): Promise<boolean>;
  /** A copy of the template with its status aggregated from the members' reported statuses. */
  aggregateStatus(obj: KubeObject, items: AggregatedStatusItem[]): Promise<KubeObject>;
  /** Objects the template depends on (ConfigMaps, Secrets, ServiceAccounts, PVCs of its pod template). */
  getDependencies(obj: KubeObject): Promise<DependentObjectReference[]>;
}
