// Unstructured Kubernetes objects as they travel over the wire (JSON; timestamps are strings).

// The object shapes are the API server's own: one definition of an object for the whole code base.
import { nowTime } from '../apis/meta/v1/types.js';
import type { KubeObject } from '../apiserver/registry/types.js';
export type { KubeObject, ObjectMeta, OwnerReference } from '../apiserver/registry/types.js';

export interface ListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface ObjectList<T extends KubeObject = KubeObject> {
  apiVersion?: string;
  kind?: string;
  metadata?: ListMeta;
  items: T[];
}

/** metav1.Status, the body of every API error. */
export interface Status {
  kind?: 'Status';
  apiVersion?: string;
  status?: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; group?: string; kind?: string; causes?: { type?: string; message?: string; field?: string }[]; retryAfterSeconds?: number };
}

/** metav1.Condition. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

/** The object's cache key: "namespace/name", or "name" for cluster-scoped objects. */
export function objectKey(obj: KubeObject): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  return ns ? `${ns}/${name}` : name;
}

/** Splits a cache key into namespace ('' for cluster-scoped) and name. */
export function splitObjectKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** Now as a metav1.Time string (second precision, like the API server writes). */
export function metaTime(date = new Date()): string {
  return nowTime(date);
}

/** Now as a metav1.MicroTime string (Lease renewTime/acquireTime). */
export function microTime(date = new Date()): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
