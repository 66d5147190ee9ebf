// Structural defaulting as apiextensions-apiserver does it (pkg/apiserver/schema/defaulting):
// defaults apply to absent properties, to non-nullable nulls, inside array items and map values;
// PruneNonNullableNullsWithoutDefaults runs first and drops nulls that nothing would replace.

import type { JSONSchemaProps } from './types.js';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

function isNonNullableNull(x: unknown, s: JSONSchemaProps | undefined): boolean {
  return x === null && s !== undefined && !s.nullable;
}

function additional(s: JSONSchemaProps): JSONSchemaProps | undefined {
  return s.additionalProperties && typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
}

/**
 * Apply schema defaults in place and return obj. A property is defaulted when absent or when it is null
 * and not nullable; map values and array items that are non-nullable nulls get their schema default.
 * Defaults are deep-copied; a property default is itself walked for nested defaults (kube does not walk
 * a default that replaced a null array item or map value).
 */
export function applyDefaults<T>(obj: T, schema: JSONSchemaProps | undefined): T {
  defaultValue(obj, schema);
  return obj;
}

function defaultValue(x: unknown, s: JSONSchemaProps | undefined): void {
  if (!s) return;
  if (isPlainObject(x)) {
    for (const [k, prop] of Object.entries(s.properties ?? {})) {
      if (prop.default === undefined) continue;
      if (!Object.prototype.hasOwnProperty.call(x, k) || x[k] === undefined || isNonNullableNull(x[k], prop)) {
        x[k] = clone(prop.default);
      }
    }
    const ap = additional(s);
    for (const k of Object.keys(x)) {
      const prop = s.properties?.[k];
      if (prop) defaultValue(x[k], prop);
      else if (ap) {
        // like kube, a null replaced by the map-value default is not walked again
        if (isNonNullableNull(x[k], ap) && ap.default !== undefined) x[k] = clone(ap.default);
        else defaultValue(x[k], ap);
      }
    }
  } else if (Array.isArray(x)) {
    const items = s.items;
    if (!items) return;
    for (let i = 0; i < x.length; i++) {
      // like kube, a null replaced by the item default is not walked again
      if (isNonNullableNull(x[i], items) && items.default !== undefined) x[i] = clone(items.default);
      else defaultValue(x[i], items);
    }
  }
}

/**
 * PruneNonNullableNullsWithoutDefaults: remove object fields (properties and map values) whose value is
 * null when the schema neither allows null nor has a default to replace it. Array items are left alone.
 * Runs before applyDefaults on create/update of custom resources. Returns obj.
 */
export function pruneNonNullableNullsWithoutDefaults<T>(obj: T, schema: JSONSchemaProps | undefined): T {
  pruneNulls(obj, schema);
  return obj;
}

function pruneNulls(x: unknown, s: JSONSchemaProps | undefined): void {
  if (!s) return;
  if (isPlainObject(x)) {
    const ap = additional(s);
    for (const k of Object.keys(x)) {
      const prop = s.properties?.[k] ?? ap;
      if (!prop) continue;
      if (x[k] === null && !prop.nullable && prop.default === undefined) {
        delete x[k];
        continue;
      }
      pruneNulls(x[k], prop);
    }
  } else if (Array.isArray(x)) {
    for (const v of x) pruneNulls(v, s.items);
  }
}
