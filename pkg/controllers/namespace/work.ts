// What the namespace sync controller wants (Karmada pkg/controllers/namespace/namespace_sync_controller.go),
// as pure functions: which namespaces are synced to members, and the Work that carries one namespace to
// one cluster (ClusterOverridePolicies applied, owned by the namespace).

import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import { executionNamespace, isReservedNamespace } from '../../apis/cluster/v1alpha1/index.js';
import type { ClusterOverridePolicy } from '../../apis/policy/v1alpha1/index.js';
import { APPLIED_CLUSTER_OVERRIDES_ANNOTATION, NAMESPACE_SKIP_AUTO_PROPAGATION_LABEL } from '../../apis/policy/v1alpha1/index.js';
import type { Work } from '../../apis/work/v1alpha1/index.js';
import { generateWorkName } from '../../apis/work/v1alpha2/index.js';
import type { KubeObject, OwnerReference } from '../../runtime/types.js';
import { deepEqual } from '../../util/deepequal.js';
import type { OverrideResult } from '../../util/overridemanager/index.js';
import type { DesiredWork } from '../binding/render.js';
import { workChange, type WorkChange } from '../binding/work.js';

export const NAMESPACE_DEFAULT = 'default';

/** namespaceShouldBeSynced: not reserved, not default, not matching --skipped-propagating-namespaces. */
export function namespaceShouldBeSynced(name: string, skipped: readonly RegExp[]): boolean {
  if (isReservedNamespace(name) || name === NAMESPACE_DEFAULT) return false;
  return !skipped.some((r) => r.test(name));
}

/** `namespace.karmada.io/skip-auto-propagation: "true"` (any case). */
export function skipAutoPropagation(ns: KubeObject): boolean {
  return (ns.metadata?.labels?.[NAMESPACE_SKIP_AUTO_PROPAGATION_LABEL] ?? '').toLowerCase() === 'true';
}

/** Whether this namespace object should have Works in the members' execution namespaces. */
export function wantsWorks(ns: KubeObject | undefined, skipped: readonly RegExp[]): ns is KubeObject {
  if (!ns || ns.metadata?.deletionTimestamp) return false;
  return namespaceShouldBeSynced(ns.metadata?.name ?? '', skipped) && !skipAutoPropagation(ns);
}

export type ApplyClusterOverrides = (obj: KubeObject, cluster: Cluster, policies: { clusterOverridePolicies: ClusterOverridePolicy[]; overridePolicies: [] }) => OverrideResult;

/** The Work name of a namespace (GenerateWorkName of kind Namespace, no namespace). */
export function namespaceWorkName(name: string): string {
  return generateWorkName('Namespace', name);
}

export function namespaceOwnerRef(ns: KubeObject): OwnerReference {
  return { apiVersion: 'v1', kind: 'Namespace', name: ns.metadata?.name ?? '', uid: ns.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true };
}

/** The Work for one cluster, before CreateOrUpdateWork adds the manifest bookkeeping. */
export function desiredNamespaceWork(ns: KubeObject, cluster: Cluster, clusterOverridePolicies: ClusterOverridePolicy[], applyOverrides: ApplyClusterOverrides): DesiredWork {
  const clusterName = cluster.metadata?.name ?? '';
  const obj: KubeObject = { ...structuredClone(ns), apiVersion: 'v1', kind: 'Namespace' };
  // namespaces only care about ClusterOverridePolicies
  const r = applyOverrides(obj, cluster, { clusterOverridePolicies, overridePolicies: [] });
  const annotations: Record<string, string> = {};
  if (r.appliedClusterOverrides) annotations[APPLIED_CLUSTER_OVERRIDES_ANNOTATION] = r.appliedClusterOverrides;
  return {
    cluster: clusterName,
    namespace: executionNamespace(clusterName),
    name: namespaceWorkName(ns.metadata?.name ?? ''),
    labels: {},
    annotations,
    manifest: r.object,
    suspendDispatching: false,
    preserveResourcesOnDeletion: false,
  };
}

/** CreateOrUpdateWork for a namespace Work: the shared Work merge plus the owner reference to the namespace. */
export function namespaceWorkChange(desired: DesiredWork, existing: Work | undefined, ns: KubeObject, newID?: () => string): WorkChange | undefined {
  const owner = [namespaceOwnerRef(ns)];
  const change = workChange(desired, existing, newID);
  if (change) {
    change.work.metadata = { ...change.work.metadata, ownerReferences: owner };
    return change;
  }
  if (existing && !existing.metadata?.deletionTimestamp && !deepEqual(existing.metadata?.ownerReferences, owner)) {
    return { op: 'update', work: { ...existing, metadata: { ...existing.metadata, ownerReferences: owner } } };
  }
  return undefined;
}

/** Whether a Work was written by this controller for the named namespace. */
export function ownedByNamespace(work: KubeObject): string | undefined {
  const ref = work.metadata?.ownerReferences?.find((r) => r.apiVersion === 'v1' && r.kind === 'Namespace' && r.controller);
  return ref?.name;
}
