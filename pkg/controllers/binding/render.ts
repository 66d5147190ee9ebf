// What a binding should look like in each target cluster (binding/common.go ensureWork and
// prepareWorkTask): the pure part of the binding controller. Given the binding, its resource template,
// the override policies and the interpreter, it returns one desired Work per target cluster; the
// controller compares them with the Works it has and writes the difference.

import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import { executionNamespace } from '../../apis/cluster/v1alpha1/index.js';
import { replicaSchedulingType, type Placement, type Suspension } from '../../apis/policy/v1alpha1/index.js';
import { APPLIED_CLUSTER_OVERRIDES_ANNOTATION, APPLIED_OVERRIDES_ANNOTATION } from '../../apis/policy/v1alpha1/wellknown.js';
import {
  CLUSTER_RESOURCE_BINDING_ANNOTATION,
  CLUSTER_RESOURCE_BINDING_PERMANENT_ID_LABEL,
  CONFLICT_RESOLUTION_ABORT,
  CONFLICT_RESOLUTION_ANNOTATION,
  CONFLICT_RESOLUTION_OVERWRITE,
  generateWorkName,
  RESOURCE_BINDING_NAME_ANNOTATION,
  RESOURCE_BINDING_NAMESPACE_ANNOTATION,
  RESOURCE_BINDING_PERMANENT_ID_LABEL,
  RESOURCE_TEMPLATE_GENERATION_ANNOTATION,
  type BindingSnapshot,
  type ResourceBindingSpec,
  type TargetCluster,
} from '../../apis/work/v1alpha2/index.js';
import type { ResourceInterpreter } from '../../resourceinterpreter/interface.js';
import type { KubeObject } from '../../runtime/types.js';
import type { ApplyOverridePolicies, OverridePolicySet } from './overrides.js';
import { spreadReplicasByTargetClusters } from './webster.js';

/** ResourceBinding (Namespaced) or ClusterResourceBinding (Cluster): the same spec, other names. */
export type BindingScope = 'Namespaced' | 'Cluster';

export interface BindingObject extends KubeObject {
  spec: ResourceBindingSpec;
}

/** Label holding the binding's permanent id, on the binding, its Works and their manifests. */
export function permanentIDLabel(scope: BindingScope): string {
  return scope === 'Namespaced' ? RESOURCE_BINDING_PERMANENT_ID_LABEL : CLUSTER_RESOURCE_BINDING_PERMANENT_ID_LABEL;
}

/** spec.clusters plus the clusters of every binding that requires this one (mergeTargetClusters). */
export function mergeTargetClusters(clusters: readonly TargetCluster[] | undefined, requiredBy: readonly BindingSnapshot[] | undefined): TargetCluster[] {
  const out = [...(clusters ?? [])];
  const seen = new Set(out.map((c) => c.name));
  for (const snapshot of requiredBy ?? []) {
    for (const c of snapshot.clusters ?? []) {
      if (seen.has(c.name)) continue;
      seen.add(c.name);
      out.push(c);
    }
  }
  return out;
}

function isDirectPurge(mode: string | undefined): boolean {
  // Immediately is the deprecated name of Directly
  return mode === 'Directly' || mode === 'Immediately';
}

/**
 * Clusters whose Works must stay (ObtainBindingSpecExistingClusters): targets, clusters of bindings that
 * require this one, and clusters being evicted gracefully (their Work lives until the eviction ends).
 */
export function existingClusters(spec: ResourceBindingSpec): Set<string> {
  const names = new Set(mergeTargetClusters(spec.clusters, spec.requiredBy).map((c) => c.name));
  for (const task of spec.gracefulEvictionTasks ?? []) if (!isDirectPurge(task.purgeMode)) names.add(task.fromCluster);
  return names;
}

/** Clusters evicted with purgeMode Directly: their Works must be gone before new ones are written. */
export function directlyPurgedClusters(spec: ResourceBindingSpec): Set<string> {
  const expected = existingClusters(spec);
  const names = new Set<string>();
  for (const task of spec.gracefulEvictionTasks ?? []) if (isDirectPurge(task.purgeMode) && !expected.has(task.fromCluster)) names.add(task.fromCluster);
  return names;
}

/** Work.spec.suspendDispatching for one cluster: all clusters suspended, or this one listed. */
export function shouldSuspendDispatching(suspension: Suspension | undefined, cluster: string): boolean {
  if (!suspension) return false;
  if (suspension.dispatching === true) return true;
  return !!suspension.dispatchingOnClusters?.clusterNames?.includes(cluster);
}

/** Replicas (and Job completions) follow the scheduler's per-cluster split only for Divided workloads. */
export function isDividedWorkload(replicas: number | undefined, placement: Placement | undefined): boolean {
  return (replicas ?? 0) > 0 && !!placement && replicaSchedulingType(placement) === 'Divided';
}

/** A Job's spec.completions divided over the targets by their replicas; undefined when not applicable. */
export function divideJobCompletions(template: KubeObject, spec: ResourceBindingSpec, targets: readonly TargetCluster[]): Map<string, number> | undefined {
  if (template.kind !== 'Job' || !isDividedWorkload(spec.replicas, spec.placement)) return undefined;
  // A work-queue Job leaves completions unset: it stays unset in every cluster.
  const completions = (template.spec as Record<string, unknown> | undefined)?.completions;
  if (typeof completions !== 'number') return undefined;
  const divided = spreadReplicasByTargetClusters(completions, targets, template.metadata?.uid);
  return new Map(divided.map((c) => [c.name, c.replicas ?? 0]));
}

/** The work.karmada.io/conflict-resolution value: the template's annotation when valid, else the binding's. */
export function conflictResolutionOf(manifest: KubeObject, bindingConflictResolution: string | undefined): string {
  const fromTemplate = manifest.metadata?.annotations?.[CONFLICT_RESOLUTION_ANNOTATION];
  if (fromTemplate === CONFLICT_RESOLUTION_OVERWRITE || fromTemplate === CONFLICT_RESOLUTION_ABORT) return fromTemplate;
  return bindingConflictResolution === 'Overwrite' ? CONFLICT_RESOLUTION_OVERWRITE : CONFLICT_RESOLUTION_ABORT;
}

/** A Work as the binding wants it, before the manifest is finalized against the stored Work. */
export interface DesiredWork {
  cluster: string;
  namespace: string;
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** The rendered template (revised, overridden, labelled), not yet pruned. */
  manifest: KubeObject;
  suspendDispatching: boolean;
  preserveResourcesOnDeletion: boolean;
}

export interface RenderInput {
  binding: BindingObject;
  scope: BindingScope;
  /** The resource template from the cache: never modified. */
  template: KubeObject;
  /** Cluster objects by name (overrides select clusters by labels and fields). */
  cluster: (name: string) => Cluster | undefined;
  policies: OverridePolicySet;
  applyOverrides?: ApplyOverridePolicies;
  interpreter?: ResourceInterpreter;
}

export interface RenderResult {
  works: DesiredWork[];
  /** Clusters whose Work could not be rendered; the others are still written. */
  errors: { cluster: string; error: Error }[];
}

function setLabel(obj: KubeObject, key: string, value: string): void {
  const md = (obj.metadata ??= {});
  md.labels = { ...(md.labels ?? {}), [key]: value };
}

function setAnnotation(obj: KubeObject, key: string, value: string): void {
  const md = (obj.metadata ??= {});
  md.annotations = { ...(md.annotations ?? {}), [key]: value };
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

async function renderOne(input: RenderInput, target: TargetCluster, completions: Map<string, number> | undefined): Promise<DesiredWork> {
  const { binding, scope, template, interpreter } = input;
  const spec = binding.spec;
  let obj: KubeObject = structuredClone(template);

  // The scheduler's split wins over the template's replicas.
  if (interpreter && isDividedWorkload(spec.replicas, spec.placement) && template.apiVersion && template.kind) {
    if (interpreter.hookEnabled({ apiVersion: template.apiVersion, kind: template.kind }, 'ReviseReplica')) {
      obj = await interpreter.reviseReplica(obj, target.replicas ?? 0);
    }
  }
  const share = completions?.get(target.name);
  if (share !== undefined && obj.spec && typeof obj.spec === 'object') (obj.spec as Record<string, unknown>).completions = share;

  // Overrides last: they have the final word.
  let appliedClusterOverrides: string | undefined;
  let appliedOverrides: string | undefined;
  const { policies } = input;
  if (input.applyOverrides && (policies.clusterOverridePolicies.length || policies.overridePolicies.length)) {
    const cluster = input.cluster(target.name);
    if (!cluster) throw new Error(`cluster "${target.name}" is not known, so override policies cannot be evaluated for it; register the cluster or remove it from the binding`);
    const r = input.applyOverrides(obj, cluster, policies);
    obj = r.object;
    appliedClusterOverrides = r.appliedClusterOverrides;
    appliedOverrides = r.appliedOverrides;
  }

  const idLabel = permanentIDLabel(scope);
  const bindingID = binding.metadata?.labels?.[idLabel] ?? '';
  setLabel(obj, idLabel, bindingID);
  const labels: Record<string, string> = { [idLabel]: bindingID };

  const generation = template.metadata?.generation;
  if (typeof generation === 'number' && generation > 0) setAnnotation(obj, RESOURCE_TEMPLATE_GENERATION_ANNOTATION, String(generation));
  const annotations: Record<string, string> = {};
  if (scope === 'Namespaced') {
    annotations[RESOURCE_BINDING_NAMESPACE_ANNOTATION] = binding.metadata?.namespace ?? '';
    annotations[RESOURCE_BINDING_NAME_ANNOTATION] = binding.metadata?.name ?? '';
  } else {
    annotations[CLUSTER_RESOURCE_BINDING_ANNOTATION] = binding.metadata?.name ?? '';
  }
  for (const [k, v] of Object.entries(annotations)) setAnnotation(obj, k, v);
  annotations[CONFLICT_RESOLUTION_ANNOTATION] = conflictResolutionOf(obj, spec.conflictResolution);
  if (appliedClusterOverrides) annotations[APPLIED_CLUSTER_OVERRIDES_ANNOTATION] = appliedClusterOverrides;
  if (appliedOverrides) annotations[APPLIED_OVERRIDES_ANNOTATION] = appliedOverrides;

  return {
    cluster: target.name,
    namespace: executionNamespace(target.name),
    name: generateWorkName(obj.kind ?? '', obj.metadata?.name ?? '', obj.metadata?.namespace),
    labels,
    annotations,
    manifest: obj,
    suspendDispatching: shouldSuspendDispatching(spec.suspension, target.name),
    preserveResourcesOnDeletion: spec.preserveResourcesOnDeletion ?? false,
  };
}

/** One desired Work per target cluster (spec.clusters ∪ requiredBy clusters). */
export async function renderWorks(input: RenderInput): Promise<RenderResult> {
  const spec = input.binding.spec;
  const targets = mergeTargetClusters(spec.clusters, spec.requiredBy);
  const completions = divideJobCompletions(input.template, spec, targets);
  const settled = await Promise.allSettled(targets.map((t) => renderOne(input, t, completions)));
  const result: RenderResult = { works: [], errors: [] };
  settled.forEach((s, i) => {
    if (s.status === 'fulfilled') result.works.push(s.value);
    else result.errors.push({ cluster: targets[i]!.name, error: asError(s.reason) });
  });
  return result;
}
