// Finding the Work a member object came from (annotations work.karmada.io/namespace + name) and which
// cluster a Work targets.

import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import { clusterOfExecutionNamespace, executionNamespace, isClusterReady } from '../../apis/cluster/v1alpha1/index.js';
import type { Work } from '../../apis/work/v1alpha1/index.js';
import { WORK_NAME_ANNOTATION, WORK_NAMESPACE_ANNOTATION } from '../../apis/work/v1alpha2/index.js';
import type { KubeObject } from '../../runtime/types.js';
import { deepEqual } from '../../util/deepequal.js';

/** "karmada-es-<cluster>/<work>" of a member object of that cluster, or undefined for anything else. */
export function workKeyOfMemberObject(cluster: string, obj: KubeObject): string | undefined {
  const a = obj.metadata?.annotations;
  const ns = a?.[WORK_NAMESPACE_ANNOTATION];
  const name = a?.[WORK_NAME_ANNOTATION];
  if (!ns || !name || ns !== executionNamespace(cluster)) return undefined;
  return `${ns}/${name}`;
}

/** The cluster a Work is for (its execution namespace), or undefined when it is in no karmada-es-* namespace. */
export function clusterOfWork(work: Work): string | undefined {
  return clusterOfExecutionNamespace(work.metadata?.namespace);
}

/** Spec or deletion changed (GenerationChangedPredicate; status writes, ours included, do not count). */
export function workSpecChanged(o: Work, n: Work): boolean {
  return o.metadata?.generation !== n.metadata?.generation || o.metadata?.deletionTimestamp !== n.metadata?.deletionTimestamp;
}

/** A Cluster change that matters to its Works: readiness, spec (endpoint, mode, secretRef) or deletion. */
export function clusterChangedForWorks(o: Cluster, n: Cluster): boolean {
  return isClusterReady(o) !== isClusterReady(n) || o.metadata?.deletionTimestamp !== n.metadata?.deletionTimestamp || !deepEqual(o.spec, n.spec);
}
