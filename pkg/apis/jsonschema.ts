// zod schema → Kubernetes structural openAPIV3Schema. z.toJSONSchema speaks JSON Schema 2020-12; a CRD
// needs the OpenAPI v3 subset kube-apiserver accepts: no $schema/$defs/$ref (everything inline), no
// additionalProperties next to properties, nullable instead of type unions, boolean exclusiveMinimum,
// x-kubernetes-int-or-string for quantities, x-kubernetes-preserve-unknown-fields for free-form values,
// root metadata as a bare {type: object}. The markers set by pkg/apis/meta/v1 helpers drive this.

import { z } from 'zod';
import type { JSONSchemaProps } from '../apiserver/schema/types.js';
import { OBJECT_META_MARKER } from './meta/v1/types.js';

type Node = Record<string, unknown>;

const ALLOWED = new Set([
  'type', 'format', 'description', 'title', 'properties', 'additionalProperties', 'items', 'required', 'enum', 'default',
  'nullable', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minLength', 'maxLength',
  'pattern', 'minItems', 'maxItems', 'minProperties', 'maxProperties', 'allOf', 'anyOf', 'oneOf', 'not',
]);

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function resolveRef(ref: string, root: Node): Node {
  const m = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(ref);
  const defs = (root.$defs ?? root.definitions) as Record<string, Node> | undefined;
  const target = m && defs?.[decodeURIComponent(m[1]!)];
  if (!target) throw new Error(`cannot inline schema reference ${ref}`);
  return target;
}

/** Keys in alphabetical order, as controller-gen writes CRDs (stable, reviewable diffs). */
function sortKeys(n: Node): Node {
  const out: Node = {};
  for (const k of Object.keys(n).sort()) out[k] = n[k];
  return out;
}

function convert(input: Node, root: Node, depth: number): Node {
  return sortKeys(convertNode(input, root, depth));
}

function convertNode(input: Node, root: Node, depth: number): Node {
  if (depth > 64) throw new Error('schema nests too deeply (recursive zod schemas cannot become CRDs)');
  let node: Node = input;
  if (typeof node.$ref === 'string') {
    const { $ref, ...rest } = node;
    node = { ...resolveRef($ref as string, root), ...rest };
  }
  const description = typeof node.description === 'string' ? node.description : undefined;

  if (node[OBJECT_META_MARKER]) return { type: 'object' };

  if (node['x-kubernetes-int-or-string']) {
    const out: Node = {};
    if (description) out.description = description;
    if (node.default !== undefined) out.default = node.default;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
    const branches = (node.anyOf ?? node.oneOf ?? []) as Node[];
    const pattern = branches.find((b) => b.type === 'string' && typeof b.pattern === 'string')?.pattern;
    if (pattern) out.pattern = pattern;
    out['x-kubernetes-int-or-string'] = true;
    return out;
  }

  if (node['x-kubernetes-preserve-unknown-fields']) {
    const out: Node = {};
    if (description) out.description = description;
    if (node.type === 'object') out.type = 'object';
    out['x-kubernetes-preserve-unknown-fields'] = true;
    return out;
  }

  const out: Node = {};
  for (const [k, v] of Object.entries(node)) {
    if (ALLOWED.has(k) || (k.startsWith('x-kubernetes-') && k !== 'x-kubernetes-preserve-unknown-fields')) out[k] = v;
  }
  if ('const' in node) out.enum = [node.const];

  // type: [T, "null"] → T + nullable
  if (Array.isArray(out.type)) {
    const types = (out.type as string[]).filter((t) => t !== 'null');
    if (types.length !== 1) throw new Error(`cannot express type union ${JSON.stringify(out.type)} in a structural schema`);
    if ((out.type as string[]).includes('null')) out.nullable = true;
    out.type = types[0];
  }

  // zod's implicit integer bounds are not constraints anyone wrote
  if (out.type === 'integer') {
    const fmt = node.format;
    if (out.minimum === -Number.MAX_SAFE_INTEGER || (fmt === 'int32' && out.minimum === INT32_MIN)) delete out.minimum;
    if (out.maximum === Number.MAX_SAFE_INTEGER || (fmt === 'int32' && out.maximum === INT32_MAX)) delete out.maximum;
    if (fmt === 'int32' || fmt === 'int64') out.format = fmt;
    else delete out.format;
  }
  if (out.type === 'string' && out.format === 'date-time') delete out.pattern;
  if (typeof out.exclusiveMinimum === 'number') {
    out.minimum = out.exclusiveMinimum;
    out.exclusiveMinimum = true;
  }
  if (typeof out.exclusiveMaximum === 'number') {
    out.maximum = out.exclusiveMaximum;
    out.exclusiveMaximum = true;
  }

  if (isNode(out.properties)) {
    const props: Node = {};
    for (const k of Object.keys(out.properties).sort()) props[k] = convert((out.properties as Record<string, Node>)[k]!, root, depth + 1);
    out.properties = props;
    delete out.additionalProperties;
  }
  if (out.additionalProperties !== undefined) {
    const ap = out.additionalProperties;
    if (ap === false) delete out.additionalProperties;
    else if (ap === true || (isNode(ap) && Object.keys(ap).length === 0)) {
      delete out.additionalProperties;
      if (!isNode(out.properties)) out['x-kubernetes-preserve-unknown-fields'] = true;
    } else if (isNode(ap)) out.additionalProperties = convert(ap, root, depth + 1);
  }
  if (isNode(out.items)) out.items = convert(out.items, root, depth + 1);
  for (const k of ['allOf', 'anyOf', 'oneOf'] as const) {
    if (Array.isArray(out[k])) out[k] = (out[k] as Node[]).map((x) => convert(x, root, depth + 1));
  }
  if (isNode(out.not)) out.not = convert(out.not, root, depth + 1);
  if (Array.isArray(out.required)) {
    if (out.required.length === 0) delete out.required;
    else out.required = [...(out.required as string[])].sort();
  }
  if (out.type === undefined && !out.anyOf && !out.allOf && !out.oneOf && !out['x-kubernetes-int-or-string']) {
    // an unconstrained value ({}), e.g. z.unknown() without a marker
    return { ...(description ? { description } : {}), 'x-kubernetes-preserve-unknown-fields': true };
  }
  return out;
}

/** The structural openAPIV3Schema of a kind's root zod schema. */
export function structuralSchema(schema: z.ZodType): JSONSchemaProps {
  const raw = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'throw', reused: 'inline', cycles: 'throw' }) as Node;
  const out = convert(raw, raw, 0);
  out.type = 'object';
  return out as JSONSchemaProps;
}
