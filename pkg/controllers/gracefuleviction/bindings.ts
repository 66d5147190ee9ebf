// One queue for ResourceBindings and ClusterResourceBindings: keys "rb/<ns>/<name>" and "crb/<name>",
// so the failover controllers handle both kinds with one reconcile, as upstream's RB/CRB twins do.

import type { ResourceBinding } from '../../apis/work/v1alpha2/index.js';
import type { GVR } from '../../runtime/gvr.js';
import { objectKey, type KubeObject } from '../../runtime/types.js';
import { CLUSTER_RESOURCE_BINDINGS, RESOURCE_BINDINGS } from '../../util/clusterapi.js';

export type Binding = ResourceBinding & KubeObject;
export type BindingKind = 'rb' | 'crb';

export function bindingKey(kind: BindingKind, obj: KubeObject): string {
  return `${kind}/${objectKey(obj)}`;
}

export interface ParsedBindingKey {
  kind: BindingKind;
  gvr: GVR;
  /** The informer cache key (namespace/name or name). */
  cacheKey: string;
  namespace?: string;
  name: string;
}

export function parseBindingKey(key: string): ParsedBindingKey {
  const slash = key.indexOf('/');
  const kind = key.slice(0, slash) as BindingKind;
  const cacheKey = key.slice(slash + 1);
  if (kind === 'rb') {
    const [namespace, name] = cacheKey.split('/') as [string, string];
    return { kind, gvr: RESOURCE_BINDINGS, cacheKey, namespace, name };
  }
  return { kind: 'crb', gvr: CLUSTER_RESOURCE_BINDINGS, cacheKey, name: cacheKey };
}

/** The binding has been scheduled for its current spec (status.schedulerObservedGeneration caught up). */
export function isBindingScheduled(b: Binding): boolean {
  return b.status?.schedulerObservedGeneration !== undefined && b.status.schedulerObservedGeneration === b.metadata?.generation;
}
