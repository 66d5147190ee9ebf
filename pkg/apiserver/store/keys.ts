// Storage key layout: /registry/<group>/<resource>/[<namespace>/]<name>, with "core" for the core group.
// One layout for every backend, so an etcd dump reads the same as Kubernetes' own.

import type { KeyValue } from '../../storage/interface.js';
import type { KubeObject, ResourceDescriptor } from '../registry/types.js';

export const REGISTRY_ROOT = '/registry/';

export function resourcePrefix(d: Pick<ResourceDescriptor, 'group' | 'resource'>): string {
  return `${REGISTRY_ROOT}${d.group || 'core'}/${d.resource}/`;
}

/** Prefix for a list: all namespaces when namespace is empty. */
export function listPrefix(d: ResourceDescriptor, namespace?: string): string {
  return d.namespaced && namespace ? `${resourcePrefix(d)}${namespace}/` : resourcePrefix(d);
}

export function objectKey(d: ResourceDescriptor, namespace: string | undefined, name: string): string {
  return d.namespaced ? `${resourcePrefix(d)}${namespace}/${name}` : `${resourcePrefix(d)}${name}`;
}

/** Decode a stored value; resourceVersion is always the key's modRevision, never what was stored. */
export function decode(kv: KeyValue): KubeObject {
  const obj = JSON.parse(kv.value) as KubeObject;
  (obj.metadata ??= {}).resourceVersion = String(kv.modRevision);
  return obj;
}

/**
 * Serializes with apiVersion, kind and metadata first and without resourceVersion, so readers can
 * splice the revision in without re-encoding (see withResourceVersion in the watch handler).
 */
export function encode(obj: KubeObject): string {
  const { apiVersion, kind, metadata, ...rest } = obj;
  let meta = metadata;
  if (meta && meta.resourceVersion !== undefined) {
    const { resourceVersion: _rv, ...m } = meta;
    meta = m;
  }
  return JSON.stringify({ apiVersion, kind, metadata: meta ?? {}, ...rest });
}
