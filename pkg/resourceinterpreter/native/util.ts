// Small helpers for reading unstructured objects: the built-in interpreters work on plain JSON, as
// Karmada's do on unstructured.Unstructured, and never mutate what they are given.

import type { KubeObject } from '../../runtime/types.js';

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The object at v, or undefined when v is not an object. */
export function asObj(v: unknown): Obj | undefined {
  return isObj(v) ? v : undefined;
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** The objects of an array field (non-objects are skipped). */
export function objects(v: unknown): Obj[] {
  return asArray(v).filter(isObj);
}

/** The value at a path of object keys (undefined when any step is missing). */
export function nested(obj: unknown, ...path: string[]): unknown {
  let cur: unknown = obj;
  for (const key of path) {
    if (!isObj(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

/** An integer field as Go reads it into an int32/int64: missing or non-numeric is 0. */
export function int(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0;
}

export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** A deep copy of a JSON value. */
export function clone<T>(v: T): T {
  return structuredClone(v);
}

/** The object's `spec` (a fresh empty object when missing, on copies only). */
export function specOf(obj: KubeObject): Obj {
  return asObj(obj.spec) ?? {};
}

export function statusOf(obj: KubeObject): Obj {
  return asObj(obj.status) ?? {};
}

/** Sets obj[path] = value creating intermediate objects (on a copy the caller owns). */
export function setNested(obj: Obj, path: string[], value: unknown): void {
  let cur = obj;
  for (const key of path.slice(0, -1)) {
    let next = asObj(cur[key]);
    if (!next) {
      next = {};
      cur[key] = next;
    }
    cur = next;
  }
  cur[path[path.length - 1]!] = value;
}

/** Drops undefined and zero-valued numbers, like Go's `json:",omitempty"` on the reflected status structs. */
export function omitEmpty(o: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || v === null || v === 0 || v === '' || v === false) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (isObj(v) && Object.keys(v).length === 0) continue;
    out[k] = v;
  }
  return out;
}

/** apiVersion + kind as one map key. */
export function gvkKey(apiVersion: string | undefined, kind: string | undefined): string {
  return `${apiVersion ?? ''}, Kind=${kind ?? ''}`;
}

export function objectGVKKey(obj: KubeObject): string {
  return gvkKey(obj.apiVersion, obj.kind);
}

/** Parses the decimal integer of an annotation like Go's strconv (empty is 0). */
export function parseIntAnnotation(value: string | undefined, what: string): number {
  if (value === undefined || value === '') return 0;
  if (!/^[+-]?\d+$/.test(value.trim())) throw new Error(`${what}: ${JSON.stringify(value)} is not an integer`);
  return Number.parseInt(value, 10);
}
