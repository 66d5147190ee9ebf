// Pruning of unknown fields as apiextensions-apiserver does it (pkg/apiserver/schema/pruning), plus the
// ObjectMeta coercion that drops unknown metadata fields of the root and of embedded resources.
// The removed paths drive strict field validation ("strict decoding error: unknown field \"spec.foo\"")
// and the unknown-field warnings of fieldValidation=Warn.

import type { JSONSchemaProps } from './types.js';

export interface PruneOptions {
  /** The value is a resource root: apiVersion, kind and metadata are kept whatever the schema says. */
  isRoot?: boolean;
  /**
   * Drop unknown fields inside metadata of the root and of x-kubernetes-embedded-resource objects, as
   * kube's ObjectMeta coercion does (reported as .metadata.foo). Default true.
   */
  pruneMetadata?: boolean;
}

const metaFields = new Set(['apiVersion', 'kind', 'metadata']);

const objectMetaFields = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);
const ownerReferenceFields = new Set(['apiVersion', 'kind', 'name', 'uid', 'controller', 'blockOwnerDeletion']);
const managedFieldsEntryFields = new Set(['manager', 'operation', 'apiVersion', 'time', 'fieldsType', 'fieldsV1', 'subresource']);

interface Walk {
  mutate: boolean;
  pruneMetadata: boolean;
  out: string[];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function keyPath(parent: string, k: string): string {
  return `${parent}.${k}`;
}

function record(w: Walk, obj: Record<string, unknown>, k: string, path: string): void {
  w.out.push(path);
  if (w.mutate) delete obj[k];
}

function additional(s: JSONSchemaProps): JSONSchemaProps | 'any' | undefined {
  const ap = s.additionalProperties;
  if (ap === true) return 'any';
  if (ap && typeof ap === 'object') return ap;
  return undefined;
}

function coerceMetadata(meta: unknown, path: string, w: Walk): void {
  if (!w.pruneMetadata || !isPlainObject(meta)) return;
  for (const k of Object.keys(meta)) {
    if (!objectMetaFields.has(k)) {
      record(w, meta, k, keyPath(path, k));
      continue;
    }
    const v = meta[k];
    const listFields = k === 'ownerReferences' ? ownerReferenceFields : k === 'managedFields' ? managedFieldsEntryFields : undefined;
    if (listFields && Array.isArray(v)) {
      v.forEach((item, i) => {
        if (!isPlainObject(item)) return;
        for (const ik of Object.keys(item)) if (!listFields.has(ik)) record(w, item, ik, `${keyPath(path, k)}[${i}].${ik}`);
      });
    }
  }
}

function prune(x: unknown, s: JSONSchemaProps | undefined, path: string, w: Walk, embedded: boolean): void {
  if (s && s['x-kubernetes-preserve-unknown-fields']) {
    skipPrune(x, s, path, w, embedded);
    return;
  }
  if (isPlainObject(x)) {
    if (!s) {
      for (const k of Object.keys(x)) record(w, x, k, keyPath(path, k));
      return;
    }
    const isEmbedded = embedded || !!s['x-kubernetes-embedded-resource'];
    const ap = additional(s);
    for (const k of Object.keys(x)) {
      if (isEmbedded && metaFields.has(k)) {
        if (k === 'metadata') coerceMetadata(x[k], keyPath(path, k), w);
        continue;
      }
      const prop = s.properties?.[k];
      if (prop) prune(x[k], prop, keyPath(path, k), w, false);
      else if (ap === 'any') continue;
      else if (ap) prune(x[k], ap, keyPath(path, k), w, false);
      else record(w, x, k, keyPath(path, k));
    }
  } else if (Array.isArray(x)) {
    x.forEach((v, i) => prune(v, s?.items, `${path}[${i}]`, w, false));
  }
}

function skipPrune(x: unknown, s: JSONSchemaProps | undefined, path: string, w: Walk, embedded: boolean): void {
  if (!s) return;
  if (isPlainObject(x)) {
    const isEmbedded = embedded || !!s['x-kubernetes-embedded-resource'];
    const ap = additional(s);
    for (const k of Object.keys(x)) {
      if (isEmbedded && metaFields.has(k)) {
        if (k === 'metadata') coerceMetadata(x[k], keyPath(path, k), w);
        continue;
      }
      const prop = s.properties?.[k];
      if (prop) prune(x[k], prop, keyPath(path, k), w, false);
      else if (ap && ap !== 'any') prune(x[k], ap, keyPath(path, k), w, false);
    }
  } else if (Array.isArray(x)) {
    x.forEach((v, i) => skipPrune(v, s.items, `${path}[${i}]`, w, false));
  }
}

function walk(obj: unknown, schema: JSONSchemaProps | undefined, opts: PruneOptions, mutate: boolean): string[] {
  const w: Walk = { mutate, pruneMetadata: opts.pruneMetadata ?? true, out: [] };
  const isRoot = opts.isRoot ?? false;
  if (isRoot && !schema) {
    // A resource without a schema keeps only apiVersion/kind/metadata (structural pruning of {}).
    prune(obj, {}, '', w, true);
    return w.out;
  }
  prune(obj, schema, '', w, isRoot);
  return w.out;
}

/**
 * Remove, in place, every field the schema does not specify (honouring x-kubernetes-preserve-unknown-fields
 * at any level, additionalProperties, and x-kubernetes-embedded-resource / the root keeping apiVersion,
 * kind and metadata). Returns the removed paths as ".spec.foo", ".spec.items[0].bar", ".metadata.foo"
 * (kubeFieldPath() gives kube's "spec.foo" form). As in kube, an object value whose schema is undefined
 * loses all its fields; a root without a schema keeps only apiVersion/kind/metadata.
 */
export function pruneUnknownFields(obj: unknown, schema: JSONSchemaProps | undefined, opts: PruneOptions = {}): string[] {
  return walk(obj, schema, opts, true);
}

/** The same walk as pruneUnknownFields without modifying obj: the paths that would be removed. */
export function findUnknownFields(obj: unknown, schema: JSONSchemaProps | undefined, opts: PruneOptions = {}): string[] {
  return walk(obj, schema, opts, false);
}

/** ".spec.foo" → "spec.foo", the form kube prints in `unknown field "spec.foo"`. */
export function kubeFieldPath(path: string): string {
  return path.startsWith('.') ? path.slice(1) : path;
}
