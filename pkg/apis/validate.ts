// Shape validation of Karmada objects against their kind's schema: first the structural schema (with
// kube-apiserver's own messages, exactly what a CRD would report), then zod for anything the JSON Schema
// cannot say. Semantic rules live in each group's validation.ts.

import type { z } from 'zod';
import type { FieldCause } from '../apiserver/registry/types.js';
import type { JSONSchemaProps } from '../apiserver/schema/types.js';
import { validateAgainstSchema } from '../apiserver/schema/validate.js';
import { FieldPath, invalid, required } from '../apiserver/validation/field.js';
import type { KindDefinition } from './kind.js';
import { structuralSchema } from './jsonschema.js';

const schemaCache = new WeakMap<KindDefinition, JSONSchemaProps>();

/** The structural schema of a kind (cached). */
export function kindSchema(k: KindDefinition): JSONSchemaProps {
  let s = schemaCache.get(k);
  if (!s) {
    s = structuralSchema(k.schema);
    schemaCache.set(k, s);
  }
  return s;
}

function valueAt(obj: unknown, path: readonly PropertyKey[]): unknown {
  let cur = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

function toFieldPath(path: readonly PropertyKey[]): FieldPath | undefined {
  let fp: FieldPath | undefined;
  for (const p of path) {
    if (typeof p === 'number') fp = fp ? fp.index(p) : FieldPath.of(`[${p}]`);
    else fp = fp ? fp.child(String(p)) : FieldPath.of(String(p));
  }
  return fp;
}

/** zod issues as field causes (a missing required field is FieldValueRequired). */
export function zodCauses(schema: z.ZodType, obj: unknown): FieldCause[] {
  const r = schema.safeParse(obj);
  if (r.success) return [];
  return r.error.issues.map((issue) => {
    const fp = toFieldPath(issue.path);
    const value = valueAt(obj, issue.path);
    if (value === undefined && issue.code === 'invalid_type') return required(fp ?? '<root>', '');
    return invalid(fp ?? '<root>', value, issue.message);
  });
}

/** Schema errors of obj as a kind: structural-schema errors if any, else zod's. */
export function validateKindShape(k: KindDefinition, obj: unknown): FieldCause[] {
  const schemaErrs = validateAgainstSchema(obj, kindSchema(k));
  if (schemaErrs.length) return schemaErrs;
  return zodCauses(k.schema, obj);
}
