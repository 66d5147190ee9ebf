// Whether Karmada may take over an existing member object (objectwatcher.allowUpdate), and whether an
// update is needed at all (lifted.ObjectNeedsUpdate + a comparison of the fields Karmada manages). Pure.

import { createHash } from 'node:crypto';
import {
  CONFLICT_RESOLUTION_ANNOTATION,
  CONFLICT_RESOLUTION_OVERWRITE,
  MANAGED_BY_KARMADA_LABEL,
  MANAGED_BY_KARMADA_LABEL_VALUE,
  WORK_NAME_ANNOTATION,
  WORK_NAMESPACE_ANNOTATION,
} from '../../apis/work/v1alpha2/index.js';
import type { KubeObject } from '../../runtime/types.js';
import { deepEqual } from '../../util/deepequal.js';

/** "kind=Deployment, default/nginx" as Karmada's messages name a resource. */
export function describeResource(obj: KubeObject): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  return `kind=${obj.kind}, ${ns ? `${ns}/${name}` : name}`;
}

/** The message of an existing object Karmada must not take over. */
export function conflictMessage(desired: KubeObject, cluster: string): string {
  return (
    `resource(${describeResource(desired)}) already exists in the cluster ${cluster} and the conflict resolution is Abort; ` +
    'set conflictResolution: Overwrite in the policy to take it over'
  );
}

/**
 * Undefined when desired may replace observed: observed is Karmada-managed (label karmada.io/managed, or
 * it names the same Work), or the manifest asks to overwrite (work.karmada.io/conflict-resolution).
 * Otherwise the reason it may not.
 */
export function updateForbidden(desired: KubeObject, observed: KubeObject, cluster: string): string | undefined {
  const ol = observed.metadata?.labels ?? {};
  if (ol[MANAGED_BY_KARMADA_LABEL] === MANAGED_BY_KARMADA_LABEL_VALUE) return undefined;
  const oa = observed.metadata?.annotations ?? {};
  const da = desired.metadata?.annotations ?? {};
  if (da[WORK_NAME_ANNOTATION] && oa[WORK_NAME_ANNOTATION] === da[WORK_NAME_ANNOTATION] && oa[WORK_NAMESPACE_ANNOTATION] === da[WORK_NAMESPACE_ANNOTATION]) return undefined;
  if ((da[CONFLICT_RESOLUTION_ANNOTATION] ?? '').toLowerCase() === CONFLICT_RESOLUTION_OVERWRITE) return undefined;
  return conflictMessage(desired, cluster);
}

/**
 * Every value desired sets is set to the same in observed (objects by key, arrays element-wise with the
 * same length). Fields only observed has are defaults the member's API server filled in.
 */
export function contained(desired: unknown, observed: unknown): boolean {
  if (desired === null || desired === undefined) return observed === null || observed === undefined;
  if (Array.isArray(desired)) {
    if (!Array.isArray(observed) || observed.length !== desired.length) return false;
    return desired.every((d, i) => contained(d, observed[i]));
  }
  if (typeof desired === 'object') {
    if (observed === null || typeof observed !== 'object' || Array.isArray(observed)) return false;
    const o = observed as Record<string, unknown>;
    return Object.entries(desired as Record<string, unknown>).every(([k, v]) => contained(v, o[k]));
  }
  return desired === observed;
}

const NOT_SPEC = new Set(['apiVersion', 'kind', 'metadata', 'status']);

/**
 * The fields Karmada manages of retained (desired after retainClusterFields and the interpreter's
 * Retain) already hold in observed: labels and annotations exactly, everything outside metadata and
 * status as "contained" (server defaults tolerated).
 */
export function managedFieldsMatch(retained: KubeObject, observed: KubeObject): boolean {
  if (!deepEqual(retained.metadata?.labels ?? {}, observed.metadata?.labels ?? {})) return false;
  if (!deepEqual(retained.metadata?.annotations ?? {}, observed.metadata?.annotations ?? {})) return false;
  for (const [k, v] of Object.entries(retained)) {
    if (NOT_SPEC.has(k)) continue;
    if (!contained(v, observed[k])) return false;
  }
  return true;
}

/** lifted.ObjectVersion: "gen:<generation>" for objects with a generation, else "rv:<resourceVersion>". */
export function objectVersion(obj: KubeObject): string {
  const g = obj.metadata?.generation;
  return g && g > 0 ? `gen:${g}` : `rv:${obj.metadata?.resourceVersion ?? ''}`;
}

function stableJSON(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(stableJSON).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableJSON(o[k])}`)
    .join(',')}}`;
}

/** A digest of a manifest (key order does not matter). */
export function manifestDigest(manifest: KubeObject): string {
  return createHash('sha1').update(stableJSON(manifest)).digest('base64');
}

/** What Karmada remembers of its last write of a member object (objectwatcher's version record). */
export interface VersionRecord {
  /** objectVersion of the object our write produced. */
  version: string;
  resourceVersion: string;
  /** manifestDigest of the manifest written. */
  digest: string;
}

/**
 * Whether desired must be written over observed:
 *  - we wrote this very manifest and nobody changed the object since (same version) → no;
 *  - we have no record (e.g. after a restart) → only when the managed fields differ;
 *  - the manifest changed, or someone else changed the object (drift) → yes.
 */
export function needsUpdate(record: VersionRecord | undefined, digest: string, retained: KubeObject, observed: KubeObject): boolean {
  if (record) return !(record.digest === digest && record.version === objectVersion(observed));
  return !managedFieldsMatch(retained, observed);
}

/**
 * Whether a member object's update event may mean drift worth a reconcile: a new generation, changed
 * labels/annotations, or (objects without a generation) a change outside metadata and status.
 * Status-only changes (the member's controllers reporting) are not.
 */
export function memberObjectChanged(oldObj: KubeObject, newObj: KubeObject): boolean {
  const om = oldObj.metadata ?? {};
  const nm = newObj.metadata ?? {};
  if (om.generation !== nm.generation) return true;
  if (om.deletionTimestamp !== nm.deletionTimestamp) return true;
  if (!deepEqual(om.labels ?? {}, nm.labels ?? {}) || !deepEqual(om.annotations ?? {}, nm.annotations ?? {})) return true;
  if (nm.generation) return false;
  const keys = new Set([...Object.keys(oldObj), ...Object.keys(newObj)]);
  for (const k of keys) {
    if (NOT_SPEC.has(k)) continue;
    if (!deepEqual(oldObj[k], newObj[k])) return true;
  }
  return false;
}
