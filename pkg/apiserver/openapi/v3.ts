// OpenAPI v3: the discovery document (/openapi/v3) and one document per group-version
// (/openapi/v3/apis/<group>/<version>?hash=<H>), as the Kubernetes apiserver serves them.
// Pure functions of the resource descriptors; results are cached by content.

import { createHash } from 'node:crypto';
import type { ResourceDescriptor } from '../registry/types.js';
import { isBuiltinDescriptor } from '../schema/builtin.js';
import type { JSONSchemaProps } from '../schema/types.js';
import { ComponentSet, DELETE_OPTIONS, PATCH, STATUS, ref } from './components.js';
import { resourcePaths, type OperationSpec, type ParamSpec, type PathSpec } from './paths.js';

export interface OpenAPIV3Document {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, unknown>>;
  components: {
    schemas: Record<string, JSONSchemaProps>;
    securitySchemes: Record<string, unknown>;
  };
}

export interface OpenAPIV3Discovery {
  paths: Record<string, { serverRelativeURL: string }>;
}

export interface OpenAPIOptions {
  /** info.version of the documents (the server's gitVersion). */
  version?: string;
}

/** Relative API path of a group-version as the v3 discovery document keys it: api/v1, apis/apps/v1. */
export function groupVersionPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

/** Content hash Kubernetes uses for ?hash= and ETags: upper-case hex SHA-512. */
export function contentHash(content: string): string {
  return createHash('sha512').update(content).digest('hex').toUpperCase();
}

export function paramV3(p: ParamSpec): Record<string, unknown> {
  const out: Record<string, unknown> = { name: p.name, in: p.in, description: p.description };
  if (p.required) out.required = true;
  out.schema = { type: p.type, uniqueItems: true };
  return out;
}

function content(types: string[], schema: JSONSchemaProps): Record<string, { schema: JSONSchemaProps }> {
  const out: Record<string, { schema: JSONSchemaProps }> = {};
  for (const t of types) out[t] = { schema };
  return out;
}

function operationV3(o: OperationSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {
    tags: [o.tag],
    description: o.description,
    operationId: o.operationId,
  };
  if (o.params.length) out.parameters = o.params.map(paramV3);
  if (o.body) {
    const types = o.body.patchTypes ?? ['*/*'];
    const body: Record<string, unknown> = { content: content(types, ref(o.body.component)) };
    if (o.body.required) body.required = true;
    out.requestBody = body;
  }
  const responses: Record<string, unknown> = {};
  for (const r of o.responses) {
    let types = o.produces;
    if (o.watchable) {
      types = [...types, 'application/json;stream=watch'];
      if (o.produces.includes('application/vnd.kubernetes.protobuf')) {
        types.push('application/vnd.kubernetes.protobuf;stream=watch');
      }
    }
    responses[r.code] = { description: r.description, content: content(types, ref(r.component)) };
  }
  responses['401'] = { description: 'Unauthorized' };
  out.responses = responses;
  out['x-kubernetes-action'] = o.action;
  out['x-kubernetes-group-version-kind'] = { group: o.gvk.group, kind: o.gvk.kind, version: o.gvk.version };
  return out;
}

export function pathV3(p: PathSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const o of p.ops) out[o.method] = operationV3(o);
  out.parameters = p.pathParams.map(paramV3);
  return out;
}

function sortedObject<T>(o: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k]!;
  return out;
}

/** Builds the component set and path specs for a set of descriptors (shared with v2). */
export function buildComponentsAndPaths(descriptors: readonly ResourceDescriptor[]): {
  components: ComponentSet;
  paths: PathSpec[];
} {
  const components = new ComponentSet();
  components.addCommon();
  const scale = descriptors.some((d) => d.subresources.scale) ? components.addScale() : undefined;
  const paths: PathSpec[] = [];
  const sorted = [...descriptors].sort((a, b) => a.resource.localeCompare(b.resource));
  for (const d of sorted) {
    const names = components.addDescriptor(d);
    paths.push(
      ...resourcePaths(d, { ...names, status: STATUS, deleteOptions: DELETE_OPTIONS, patch: PATCH, scale }),
    );
  }
  return { components, paths };
}

function buildGroupVersionDocument(
  descriptors: readonly ResourceDescriptor[],
  opts: OpenAPIOptions,
): OpenAPIV3Document {
  const { components, paths } = buildComponentsAndPaths(descriptors);
  const renderedPaths: Record<string, Record<string, unknown>> = {};
  for (const p of paths) renderedPaths[p.path] = pathV3(p);
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: opts.version ?? 'v1.32.0' },
    paths: sortedObject(renderedPaths),
    components: {
      schemas: sortedObject(components.schemas),
      securitySchemes: {
        BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' },
      },
    },
  };
}

// ---- caching --------------------------------------------------------------------------------------

interface Rendered {
  doc: OpenAPIV3Document;
  json: string;
  hash: string;
}

const CACHE_LIMIT = 64;
const cache = new Map<string, Rendered>();

/** A key that changes whenever anything published about the descriptors changes. */
export function descriptorFingerprint(d: ResourceDescriptor): string {
  const builtin = isBuiltinDescriptor(d);
  return JSON.stringify([
    d.group,
    d.version,
    d.resource,
    d.kind,
    d.listKind,
    d.namespaced,
    d.verbs,
    d.subresources,
    d.strategicMergePatch,
    builtin,
    builtin ? null : (d.schema ?? null),
  ]);
}

function cached(key: string, build: () => OpenAPIV3Document): Rendered {
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const doc = build();
  const json = JSON.stringify(doc);
  const r = { doc, json, hash: contentHash(json) };
  cache.set(key, r);
  while (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  return r;
}

function inGroupVersion(descriptors: readonly ResourceDescriptor[], group: string, version: string): ResourceDescriptor[] {
  return descriptors.filter((d) => d.group === group && d.version === version);
}

function renderGroupVersion(
  descriptors: readonly ResourceDescriptor[],
  group: string,
  version: string,
  opts: OpenAPIOptions,
): Rendered | undefined {
  const mine = inGroupVersion(descriptors, group, version);
  if (!mine.length) return undefined;
  const key = JSON.stringify(['v3', group, version, opts.version ?? '', mine.map(descriptorFingerprint).sort()]);
  return cached(key, () => buildGroupVersionDocument(mine, opts));
}

/**
 * The OpenAPI 3.0 document of one group-version (undefined if no descriptor is in it). Cached:
 * callers must not mutate the result.
 */
export function openapiV3GroupVersion(
  descriptors: readonly ResourceDescriptor[],
  group: string,
  version: string,
  opts: OpenAPIOptions = {},
): OpenAPIV3Document | undefined {
  return renderGroupVersion(descriptors, group, version, opts)?.doc;
}

/** The serialized document and its hash (serve `json`, ETag `"<hash>"`). */
export function openapiV3GroupVersionJSON(
  descriptors: readonly ResourceDescriptor[],
  group: string,
  version: string,
  opts: OpenAPIOptions = {},
): { json: string; hash: string } | undefined {
  const r = renderGroupVersion(descriptors, group, version, opts);
  return r && { json: r.json, hash: r.hash };
}

/** The /openapi/v3 discovery document: every group-version with the URL (and hash) of its document. */
export function openapiV3Index(descriptors: readonly ResourceDescriptor[], opts: OpenAPIOptions = {}): OpenAPIV3Discovery {
  const gvs = new Map<string, { group: string; version: string }>();
  for (const d of descriptors) gvs.set(groupVersionPath(d.group, d.version), { group: d.group, version: d.version });
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const key of [...gvs.keys()].sort()) {
    const { group, version } = gvs.get(key)!;
    const r = renderGroupVersion(descriptors, group, version, opts)!;
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${r.hash}` };
  }
  return { paths };
}
