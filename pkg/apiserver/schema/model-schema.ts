// Converts client-node model classes into JSONSchemaProps, either fully inlined (the server's own
// validation/defaulting/pruning/apply schema) or with references between named components (the
// published OpenAPI documents). Both go through the same field mapping and patch metadata overlay.

import { modelAttributes, modelDocs, parseType, type TypeRef } from './clientnode-models.js';
import { ATOMIC_STRUCTS, QUANTITY_PATTERN, applyFieldPatchMeta, isQuantityField } from './patch-metadata.js';
import type { JSONSchemaProps } from './types.js';

export interface ModelSchemaContext {
  /** Schema for a field whose type is another model (an inlined object or a reference). */
  model(name: string): JSONSchemaProps;
  /** Schema for resource.Quantity values. */
  quantity(): JSONSchemaProps;
  /** Schema for intstr.IntOrString values. */
  intOrString(): JSONSchemaProps;
  /** Include descriptions from the generated declarations. */
  descriptions: boolean;
  /** Mark lists without a +listType marker as atomic explicitly. */
  defaultAtomicLists: boolean;
  /** Wrap a bare $ref in allOf when attaching field-level keywords (OpenAPI v3 style). */
  wrapRefs: boolean;
  /** Which fields marked required by the API stay required (default: all). */
  keepRequired?: (model: string, field: string, schema: JSONSchemaProps) => boolean;
}

/** Fields typed `any` by client-node that Kubernetes publishes as objects. */
const OBJECT_ANY_FIELDS: Record<string, string[]> = {
  V1ManagedFieldsEntry: ['fieldsV1'],
  V1ControllerRevision: ['data'],
  V1CustomResourceSubresources: ['status'],
};

/**
 * resource.Quantity: a string in canonical form, but clients may send plain JSON numbers (`cpu: 1`,
 * `cpu: 0.5`), which Kubernetes accepts and normalises. Marked with `x-kubernetes-quantity` (an
 * internal marker, not published) so normalisation code can find quantity fields.
 */
export function quantitySchemaInline(): JSONSchemaProps {
  return {
    anyOf: [{ type: 'number' }, { type: 'string', pattern: QUANTITY_PATTERN }],
    'x-kubernetes-quantity': true,
  };
}

export function intOrStringSchemaInline(): JSONSchemaProps {
  return { anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true };
}

function typeSchema(
  t: TypeRef,
  ctx: ModelSchemaContext,
  flags: { quantity: boolean; objectAny: boolean },
): JSONSchemaProps {
  switch (t.kind) {
    case 'string':
      if (flags.quantity) return ctx.quantity();
      return t.format === 'byte' ? { type: 'string', format: 'byte' } : { type: 'string' };
    case 'number':
      if (t.format === 'int32' || t.format === 'int64') return { type: 'integer', format: t.format };
      return { type: 'number', format: t.format || 'double' };
    case 'boolean':
      return { type: 'boolean' };
    case 'date':
      return { type: 'string', format: 'date-time' };
    case 'intOrString':
      return ctx.intOrString();
    case 'any':
      return flags.objectAny
        ? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }
        : { 'x-kubernetes-preserve-unknown-fields': true };
    case 'array':
      return { type: 'array', items: typeSchema(t.items, ctx, flags) };
    case 'map':
      return { type: 'object', additionalProperties: typeSchema(t.values, ctx, flags) };
    case 'model':
      return ctx.model(t.name);
  }
}

/** Schema of one field of a model, with patch metadata and (optionally) its description. */
export function fieldSchema(model: string, attr: { baseName: string; type: string; format: string }, ctx: ModelSchemaContext): JSONSchemaProps {
  const t = parseType(attr.type, attr.format);
  let s = typeSchema(t, ctx, {
    quantity: isQuantityField(model, attr.baseName),
    objectAny: OBJECT_ANY_FIELDS[model]?.includes(attr.baseName) ?? false,
  });
  const description = ctx.descriptions ? modelDocs(model).fields.get(attr.baseName)?.description : undefined;
  if (s.$ref && ctx.wrapRefs) {
    s = { allOf: [s] };
  }
  if (description) s.description = description;
  return applyFieldPatchMeta(model, attr.baseName, s, { defaultAtomicLists: ctx.defaultAtomicLists });
}

/** Object schema of a model: properties, required fields, struct-level map type. */
export function modelObjectSchema(model: string, ctx: ModelSchemaContext): JSONSchemaProps {
  const attrs = modelAttributes(model) ?? [];
  const docs = modelDocs(model);
  const out: JSONSchemaProps = {};
  if (ctx.descriptions && docs.description) out.description = docs.description;
  out.type = 'object';
  const properties: Record<string, JSONSchemaProps> = {};
  const required: string[] = [];
  for (const a of attrs) {
    const fs = (properties[a.baseName] = fieldSchema(model, a, ctx));
    if (docs.fields.get(a.baseName)?.required && (ctx.keepRequired?.(model, a.baseName, fs) ?? true)) {
      required.push(a.baseName);
    }
  }
  out.properties = properties;
  if (required.length) out.required = required;
  if (ATOMIC_STRUCTS.has(model)) out['x-kubernetes-map-type'] = 'atomic';
  return out;
}

const RECURSION_CUT = (): JSONSchemaProps => ({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });

/**
 * Required fields the apiserver does not actually insist on: Go decodes a missing non-omitempty
 * integer or boolean as its zero value, so Kubernetes accepts objects without them although the
 * published OpenAPI lists them as required (StatefulSetStatus.replicas, ControllerRevision.revision,
 * CustomResourceDefinitionVersion.served, ...). Same for EndpointSlice.endpoints (a nil list).
 */
function enforcedRequired(model: string, field: string, schema: JSONSchemaProps): boolean {
  if (schema.type === 'integer' || schema.type === 'boolean') return false;
  if (model === 'V1EndpointSlice' && field === 'endpoints') return false;
  return true;
}

/**
 * Fully inlined schema of a model (no $ref), for the server's own validation, defaulting, pruning
 * and apply. A model that recurs inside itself (JSONSchemaProps in CRDs) is cut at the recursion
 * point with an object that preserves unknown fields. `required` lists only what Kubernetes
 * enforces on input (see enforcedRequired).
 */
export function inlineModelSchema(model: string): JSONSchemaProps {
  const stack: string[] = [];
  const ctx: ModelSchemaContext = {
    descriptions: false,
    defaultAtomicLists: true,
    wrapRefs: false,
    keepRequired: enforcedRequired,
    quantity: quantitySchemaInline,
    intOrString: intOrStringSchemaInline,
    model(name: string): JSONSchemaProps {
      if (stack.includes(name)) return RECURSION_CUT();
      stack.push(name);
      try {
        return modelObjectSchema(name, ctx);
      } finally {
        stack.pop();
      }
    },
  };
  return ctx.model(model);
}
