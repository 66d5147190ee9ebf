// OpenAPI v2 (swagger 2.0, /openapi/v2 as JSON): the same components and paths as the v3 documents,
// converted the way Kubernetes downgrades schemas for v2 — references become plain `$ref`s into
// #/definitions, and what swagger 2.0 / kubectl's proto parser cannot express (oneOf, anyOf, not,
// nullable, int-or-string, properties under preserve-unknown-fields) is dropped.

import type { ResourceDescriptor } from '../registry/types.js';
import type { JSONSchemaProps } from '../schema/types.js';
import { COMPONENT_REF_PREFIX, INT_OR_STRING, QUANTITY } from './components.js';
import type { OperationSpec, ParamSpec, PathSpec } from './paths.js';
import { buildComponentsAndPaths, contentHash, descriptorFingerprint, type OpenAPIOptions } from './v3.js';

export interface SwaggerDocument {
  swagger: '2.0';
  info: { title: string; version: string };
  paths: Record<string, Record<string, unknown>>;
  definitions: Record<string, Record<string, unknown>>;
  securityDefinitions: Record<string, unknown>;
  security: Record<string, string[]>[];
}

const DEFINITION_PREFIX = '#/definitions/';

function refV2(component: string): { $ref: string } {
  return { $ref: `${DEFINITION_PREFIX}${component}` };
}

function convertRef(r: string): string {
  return r.startsWith(COMPONENT_REF_PREFIX) ? DEFINITION_PREFIX + r.slice(COMPONENT_REF_PREFIX.length) : r;
}

const DROPPED = new Set(['nullable', 'oneOf', 'anyOf', 'not', 'allOf', '$ref', 'x-kubernetes-quantity']);

/** Converts an OpenAPI v3 / JSONSchemaProps schema into a swagger 2.0 schema. */
export function toSwagger2Schema(s: JSONSchemaProps): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const single = s.allOf && s.allOf.length === 1 && s.allOf[0]!.$ref && !s.properties ? s.allOf[0]!.$ref : undefined;
  const target = s.$ref ?? single;
  if (target) {
    out.$ref = convertRef(target);
    if (s.description) out.description = s.description;
    for (const [k, v] of Object.entries(s)) if (k.startsWith('x-')) out[k] = v;
    return out;
  }
  for (const [k, v] of Object.entries(s)) {
    if (DROPPED.has(k) || v === undefined) continue;
    switch (k) {
      case 'properties': {
        const props: Record<string, unknown> = {};
        for (const [pk, pv] of Object.entries(v as Record<string, JSONSchemaProps>)) props[pk] = toSwagger2Schema(pv);
        out.properties = props;
        break;
      }
      case 'items':
        out.items = toSwagger2Schema(v as JSONSchemaProps);
        break;
      case 'additionalProperties':
        out.additionalProperties = typeof v === 'boolean' ? v : toSwagger2Schema(v as JSONSchemaProps);
        break;
      default:
        out[k] = v;
    }
  }
  if (s.nullable || s['x-kubernetes-int-or-string']) delete out.type;
  if (s['x-kubernetes-preserve-unknown-fields'] && out.properties) {
    delete out.properties;
    delete out.required;
    delete out.type;
  }
  if (out.type === 'array' && !out.items) out.items = {};
  return out;
}

function paramV2(p: ParamSpec): Record<string, unknown> {
  const out: Record<string, unknown> = { name: p.name, in: p.in, description: p.description, type: p.type, uniqueItems: true };
  if (p.required) out.required = true;
  return out;
}

function operationV2(o: OperationSpec): Record<string, unknown> {
  const params: Record<string, unknown>[] = [];
  if (o.body) {
    const body: Record<string, unknown> = { name: 'body', in: 'body', schema: refV2(o.body.component) };
    if (o.body.required) body.required = true;
    params.push(body);
  }
  params.push(...o.params.map(paramV2));
  const responses: Record<string, unknown> = {};
  for (const r of o.responses) responses[r.code] = { description: r.description, schema: refV2(r.component) };
  responses['401'] = { description: 'Unauthorized' };
  let produces = o.produces;
  if (o.watchable) {
    produces = [...produces, 'application/json;stream=watch'];
    if (o.produces.includes('application/vnd.kubernetes.protobuf')) produces.push('application/vnd.kubernetes.protobuf;stream=watch');
  }
  const out: Record<string, unknown> = {
    description: o.description,
    consumes: o.body?.patchTypes ?? ['*/*'],
    produces,
    schemes: ['https'],
    tags: [o.tag],
    operationId: o.operationId,
  };
  if (params.length) out.parameters = params;
  out.responses = responses;
  out['x-kubernetes-action'] = o.action;
  out['x-kubernetes-group-version-kind'] = { group: o.gvk.group, kind: o.gvk.kind, version: o.gvk.version };
  return out;
}

function pathV2(p: PathSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const o of p.ops) out[o.method] = operationV2(o);
  out.parameters = p.pathParams.map(paramV2);
  return out;
}

function buildSwagger(descriptors: readonly ResourceDescriptor[], opts: OpenAPIOptions): SwaggerDocument {
  const { components, paths } = buildComponentsAndPaths(descriptors);
  const definitions: Record<string, Record<string, unknown>> = {};
  for (const name of Object.keys(components.schemas).sort()) {
    const s = components.schemas[name]!;
    if (name === QUANTITY) definitions[name] = { description: s.description, type: 'string' };
    else if (name === INT_OR_STRING) definitions[name] = { description: s.description, type: 'string', format: 'int-or-string' };
    else definitions[name] = toSwagger2Schema(s);
  }
  const renderedPaths: Record<string, Record<string, unknown>> = {};
  for (const p of [...paths].sort((a, b) => a.path.localeCompare(b.path))) renderedPaths[p.path] = pathV2(p);
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: opts.version ?? 'v1.32.0' },
    paths: renderedPaths,
    definitions,
    securityDefinitions: {
      BearerToken: { description: 'Bearer Token authentication', type: 'apiKey', name: 'authorization', in: 'header' },
    },
    security: [{ BearerToken: [] }],
  };
}

let last: { key: string; doc: SwaggerDocument; json: string; hash: string } | undefined;

function render(descriptors: readonly ResourceDescriptor[], opts: OpenAPIOptions) {
  const key = JSON.stringify([opts.version ?? '', descriptors.map(descriptorFingerprint).sort()]);
  if (last?.key !== key) {
    const doc = buildSwagger(descriptors, opts);
    const json = JSON.stringify(doc);
    last = { key, doc, json, hash: contentHash(json) };
  }
  return last;
}

/** The swagger 2.0 document for all descriptors. Cached: callers must not mutate the result. */
export function openapiV2(descriptors: readonly ResourceDescriptor[], opts: OpenAPIOptions = {}): SwaggerDocument {
  return render(descriptors, opts).doc;
}

/** The serialized swagger document and its hash (for ETag / If-None-Match). */
export function openapiV2JSON(
  descriptors: readonly ResourceDescriptor[],
  opts: OpenAPIOptions = {},
): { json: string; hash: string } {
  const r = render(descriptors, opts);
  return { json: r.json, hash: r.hash };
}
