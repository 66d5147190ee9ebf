// Reading the patch and apply metadata out of a JSONSchemaProps tree: which child schema a map key
// or list item has, a list's strategic-merge strategy and merge key, and its server-side-apply
// semantics (atomic, set, or map keyed by fields), the way kube-openapi's schemaconv derives them.

import type { JSONSchemaProps } from '../schema/types.js';
import { isObject } from './util.js';

export type Schema = JSONSchemaProps | undefined;

const str: JSONSchemaProps = { type: 'string' };
const strMap: JSONSchemaProps = { type: 'object', additionalProperties: { type: 'string' } };

/** ObjectMeta as published by Kubernetes, reduced to what patching and apply look at. */
export const OBJECT_META_SCHEMA: JSONSchemaProps = {
  type: 'object',
  properties: {
    name: str,
    generateName: str,
    namespace: str,
    selfLink: str,
    uid: str,
    resourceVersion: str,
    generation: { type: 'integer' },
    creationTimestamp: { type: 'string', format: 'date-time' },
    deletionTimestamp: { type: 'string', format: 'date-time' },
    deletionGracePeriodSeconds: { type: 'integer' },
    labels: strMap,
    annotations: strMap,
    ownerReferences: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          apiVersion: str,
          kind: str,
          name: str,
          uid: str,
          controller: { type: 'boolean' },
          blockOwnerDeletion: { type: 'boolean' },
        },
        'x-kubernetes-map-type': 'atomic',
      },
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['uid'],
      'x-kubernetes-patch-strategy': 'merge',
      'x-kubernetes-patch-merge-key': 'uid',
    },
    finalizers: {
      type: 'array',
      items: str,
      'x-kubernetes-list-type': 'set',
      'x-kubernetes-patch-strategy': 'merge',
    },
    managedFields: { type: 'array', items: { type: 'object' }, 'x-kubernetes-list-type': 'atomic' },
  },
};

/** Flattens allOf wrappers (OpenAPI v3 `allOf: [{$ref}]` with sibling extensions) into one node. */
export function norm(s: Schema): Schema {
  if (!s || !s.allOf || s.allOf.length === 0) return s;
  let out: JSONSchemaProps = {};
  for (const part of s.allOf) {
    const p = norm(part);
    if (!p) continue;
    out = { ...out, ...p, properties: { ...(out.properties ?? {}), ...(p.properties ?? {}) } };
    if (!out.properties || Object.keys(out.properties).length === 0) delete out.properties;
  }
  const { allOf: _allOf, ...rest } = s;
  out = { ...out, ...rest, properties: { ...(out.properties ?? {}), ...(rest.properties ?? {}) } };
  if (!out.properties || Object.keys(out.properties).length === 0) delete out.properties;
  return out;
}

/**
 * The root schema used for patching and apply: the kind's schema with ObjectMeta filled in when the
 * schema leaves metadata open (CRDs publish `metadata: {type: object}`), or a bare object skeleton
 * when the kind has no schema at all.
 */
export function rootSchema(s: Schema): JSONSchemaProps {
  const r = norm(s);
  if (!r) {
    return {
      type: 'object',
      properties: { apiVersion: str, kind: str, metadata: OBJECT_META_SCHEMA },
      'x-kubernetes-preserve-unknown-fields': true,
    };
  }
  // CRDs may constrain metadata.name only; built-in schemas carry the full ObjectMeta. Either way
  // the ObjectMeta list and map semantics must be there.
  const meta = norm(r.properties?.metadata) ?? {};
  const metadata: JSONSchemaProps = {
    ...OBJECT_META_SCHEMA,
    ...meta,
    type: 'object',
    properties: { ...OBJECT_META_SCHEMA.properties, ...(meta.properties ?? {}) },
  };
  return { ...r, properties: { ...(r.properties ?? {}), metadata } };
}

export interface MapChild {
  schema: Schema;
  /** A declared struct field (schema `properties`), as opposed to an element of a granular map. */
  named: boolean;
}

export function mapChild(s: Schema, key: string): MapChild {
  const n = norm(s);
  if (!n) return { schema: undefined, named: false };
  const p = n.properties?.[key];
  if (p) return { schema: norm(p), named: true };
  if (isObject(n.additionalProperties)) return { schema: norm(n.additionalProperties as JSONSchemaProps), named: false };
  return { schema: undefined, named: false };
}

export function itemSchema(s: Schema): Schema {
  return norm(norm(s)?.items);
}

export function isAtomicMap(s: Schema): boolean {
  return norm(s)?.['x-kubernetes-map-type'] === 'atomic';
}

export type ListSemantics = { type: 'atomic' } | { type: 'set' } | { type: 'map'; keys: string[] };

/** Server-side apply list semantics, with the patch-strategy fallback schemaconv applies. */
export function listSemantics(s: Schema): ListSemantics {
  const n = norm(s);
  if (!n) return { type: 'atomic' };
  const lt = n['x-kubernetes-list-type'];
  const mergeKey = n['x-kubernetes-patch-merge-key'];
  if (lt === 'atomic') return { type: 'atomic' };
  if (lt === 'set') return { type: 'set' };
  if (lt === 'map') {
    const keys = n['x-kubernetes-list-map-keys'] ?? (mergeKey ? [mergeKey] : []);
    return keys.length > 0 ? { type: 'map', keys } : { type: 'atomic' };
  }
  const strategies = (n['x-kubernetes-patch-strategy'] ?? '').split(',').map((x) => x.trim());
  if (strategies.includes('merge')) return mergeKey ? { type: 'map', keys: [mergeKey] } : { type: 'set' };
  return { type: 'atomic' };
}

export interface PatchMeta {
  /** 'merge', 'replace' or '' (default: maps merge, lists replace). */
  strategy: string;
  retainKeys: boolean;
  mergeKey: string;
}

/** Strategic merge patch metadata of a field, from its own schema node. */
export function patchMeta(s: Schema): PatchMeta {
  const n = norm(s);
  const raw = (n?.['x-kubernetes-patch-strategy'] ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  const retainKeys = raw.includes('retainKeys');
  const rest = raw.filter((x) => x !== 'retainKeys');
  return { strategy: rest[0] ?? '', retainKeys, mergeKey: n?.['x-kubernetes-patch-merge-key'] ?? '' };
}
