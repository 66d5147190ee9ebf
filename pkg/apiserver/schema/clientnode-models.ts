// Access to the generated model classes of @kubernetes/client-node (1.x): their attribute type maps
// (name, baseName, type, format), the field descriptions and required-ness that only survive in the
// generated .d.ts files, and the Kubernetes OpenAPI definition name each model stands for
// (V1Deployment -> io.k8s.api.apps.v1.Deployment).

import * as k8s from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ModelAttribute {
  /** Property name of the TypeScript class (e.g. `_default`, `x_kubernetes_int_or_string`). */
  name: string;
  /** JSON field name (e.g. `default`, `x-kubernetes-int-or-string`). */
  baseName: string;
  type: string;
  format: string;
}

/** A parsed client-node type string. */
export type TypeRef =
  | { kind: 'string'; format: string }
  | { kind: 'number'; format: string }
  | { kind: 'boolean' }
  | { kind: 'date'; micro: boolean }
  | { kind: 'intOrString' }
  | { kind: 'any' }
  | { kind: 'array'; items: TypeRef }
  | { kind: 'map'; values: TypeRef }
  | { kind: 'model'; name: string };

const models = k8s as unknown as Record<string, unknown>;

/** Attribute type map of a client-node model class, or undefined if no such model. */
export function modelAttributes(model: string): ModelAttribute[] | undefined {
  const c = models[model];
  if (typeof c !== 'function') return undefined;
  const map: unknown = (c as unknown as { attributeTypeMap?: unknown }).attributeTypeMap;
  return Array.isArray(map) ? (map as ModelAttribute[]) : undefined;
}

export function hasModel(model: string): boolean {
  return modelAttributes(model) !== undefined;
}

const ARRAY_RE = /^Array<(.*)>$/;
const MAP_RE = /^\{ \[key: string\]: (.*); \}$/;

/** Parses a client-node attribute type string (with its format) into a TypeRef. */
export function parseType(type: string, format = ''): TypeRef {
  const t = type.trim();
  let m = ARRAY_RE.exec(t);
  if (m) return { kind: 'array', items: parseType(m[1]!, format) };
  m = MAP_RE.exec(t);
  if (m) return { kind: 'map', values: parseType(m[1]!, format) };
  switch (t) {
    case 'string':
      return { kind: 'string', format };
    case 'number':
      return { kind: 'number', format };
    case 'boolean':
      return { kind: 'boolean' };
    case 'Date':
      return { kind: 'date', micro: false };
    case 'V1MicroTime':
      return { kind: 'date', micro: true };
    case 'IntOrString':
      return { kind: 'intOrString' };
    case 'any':
    case 'object':
      return { kind: 'any' };
  }
  if (hasModel(t)) return { kind: 'model', name: t };
  // Unknown alias: treat as opaque.
  return { kind: 'any' };
}

// ---- documentation (.d.ts) ------------------------------------------------------------------------

export interface ModelDocs {
  description?: string;
  /** Keyed by JSON field name (baseName). */
  fields: Map<string, { description?: string; required: boolean }>;
}

let modelsDir: string | null | undefined;

function modelsDirectory(): string | null {
  if (modelsDir !== undefined) return modelsDir;
  try {
    const entry = fileURLToPath(import.meta.resolve('@kubernetes/client-node'));
    modelsDir = join(dirname(entry), 'gen', 'models');
  } catch {
    modelsDir = null;
  }
  return modelsDir;
}

const docsCache = new Map<string, ModelDocs>();

function cleanComment(lines: string[]): string | undefined {
  const text = lines
    .map((l) => l.replace(/^\s*\*\s?/, ''))
    .join('\n')
    .replace(/\\(.)/g, '$1')
    .trim();
  return text || undefined;
}

/**
 * Descriptions and required-ness of a model's fields, read from the generated declaration file.
 * Returns empty docs (nothing required) when the file is not available.
 */
export function modelDocs(model: string): ModelDocs {
  const cached = docsCache.get(model);
  if (cached) return cached;
  const docs: ModelDocs = { fields: new Map() };
  docsCache.set(model, docs);
  const dir = modelsDirectory();
  const attrs = modelAttributes(model);
  if (!dir || !attrs) return docs;
  let src: string;
  try {
    src = readFileSync(join(dir, `${model}.d.ts`), 'utf8');
  } catch {
    return docs;
  }
  const byName = new Map(attrs.map((a) => [a.name, a.baseName]));
  const lines = src.split('\n');
  let comment: string[] | null = null;
  let pending: string[] | null = null;
  let inClass = false;
  for (const line of lines) {
    const trimmed = line.trim();
    if (comment) {
      if (trimmed.startsWith('*/')) {
        pending = comment;
        comment = null;
      } else {
        comment.push(trimmed);
      }
      continue;
    }
    if (trimmed.startsWith('/**')) {
      comment = [];
      const rest = trimmed.slice(3);
      if (rest.trim().endsWith('*/')) {
        pending = [rest.trim().slice(0, -2)];
        comment = null;
      }
      continue;
    }
    if (!inClass && trimmed.startsWith('export declare class ')) {
      inClass = true;
      const description = pending ? cleanComment(pending) : undefined;
      if (description && !description.includes('Do not edit the class manually')) docs.description = description;
      pending = null;
      continue;
    }
    if (inClass) {
      const m = /^    '([^']+)'(\?)?:/.exec(line);
      if (m) {
        const base = byName.get(m[1]!) ?? m[1]!;
        docs.fields.set(base, {
          description: pending ? cleanComment(pending) : undefined,
          required: m[2] !== '?',
        });
        pending = null;
      } else if (/^(static |constructor)/.test(trimmed)) {
        pending = null;
      }
    } else if (trimmed.startsWith('import ')) {
      pending = null;
    }
  }
  return docs;
}

// ---- Kubernetes definition names ------------------------------------------------------------------

const META_MODELS = new Set([
  'ObjectMeta',
  'ListMeta',
  'LabelSelector',
  'LabelSelectorRequirement',
  'OwnerReference',
  'ManagedFieldsEntry',
  'Condition',
  'Status',
  'StatusDetails',
  'StatusCause',
  'DeleteOptions',
  'Preconditions',
  'APIResource',
  'APIResourceList',
  'APIGroup',
  'APIGroupList',
  'APIVersions',
  'GroupVersionForDiscovery',
  'ServerAddressByClientCIDR',
  'WatchEvent',
]);

/** Go package (OpenAPI definition prefix) of each API group served from k8s.io/api. */
export function groupPackage(group: string, version: string): string {
  if (group === 'apiextensions.k8s.io') return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${version}`;
  if (group === 'apiregistration.k8s.io') return `io.k8s.kube-aggregator.pkg.apis.apiregistration.${version}`;
  if (group === '') return `io.k8s.api.core.${version}`;
  const pkg = group.replace(/\.k8s\.io$/, '').replace(/\.authorization$/, '').replace(/\.apiserver$/, '');
  return `io.k8s.api.${pkg.split('.')[0]}.${version}`;
}

const PREFIX_GROUPS: Record<string, string> = {
  Core: '',
  Rbac: 'rbac.authorization.k8s.io',
  Discovery: 'discovery.k8s.io',
  Events: 'events.k8s.io',
  Apiextensions: 'apiextensions.k8s.io',
  Admissionregistration: 'admissionregistration.k8s.io',
  Apiregistration: 'apiregistration.k8s.io',
  Authentication: 'authentication.k8s.io',
  Flowcontrol: 'flowcontrol.apiserver.k8s.io',
  Storage: 'storage.k8s.io',
  Resource: 'resource.k8s.io',
};

const MODEL_NAME_RE = /^([A-Z][a-z]+)?(V\d+(?:(?:alpha|beta)\d+)?)([A-Z].*)$/;

/** Splits a client-node model name: CoreV1EndpointPort -> {prefix: 'Core', version: 'v1', name: 'EndpointPort'}. */
export function splitModelName(model: string): { prefix?: string; version: string; name: string } | undefined {
  const m = MODEL_NAME_RE.exec(model);
  if (!m) return undefined;
  return { prefix: m[1], version: m[2]!.toLowerCase(), name: m[3]! };
}

/**
 * The client-node model for a root kind: core/v1 Pod -> V1Pod, autoscaling/v2 HorizontalPodAutoscaler
 * -> V2HorizontalPodAutoscaler; kinds whose name is shared between groups carry a group prefix
 * (core/v1 Event -> CoreV1Event).
 */
export function rootModelName(gvk: { group: string; version: string; kind: string }): string | undefined {
  const v = gvk.version.charAt(0).toUpperCase() + gvk.version.slice(1);
  const prefixed = Object.entries(PREFIX_GROUPS)
    .filter(([, g]) => g === gvk.group)
    .map(([p]) => `${p}${v}${gvk.kind}`);
  for (const candidate of [...prefixed, `${v}${gvk.kind}`]) {
    if (hasModel(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Assigns OpenAPI definition names to models reachable from the given roots. Meta types go to
 * io.k8s.apimachinery.pkg.apis.meta.v1, group-prefixed models to their group, the rest to the group
 * of the first root (in the given order) they are reachable from — so list core roots first.
 */
export class DefinitionNamer {
  private readonly names = new Map<string, string>();

  constructor(roots: { model: string; group: string }[]) {
    for (const { model, group } of roots) this.visit(model, group);
  }

  private visit(root: string, group: string): void {
    const queue = [root];
    while (queue.length) {
      const model = queue.shift()!;
      if (this.names.has(model)) continue;
      const parts = splitModelName(model);
      if (!parts) continue;
      this.names.set(model, definitionNameFor(model, group));
      for (const a of modelAttributes(model) ?? []) {
        collectModels(parseType(a.type, a.format), queue);
      }
    }
  }

  name(model: string): string {
    let n = this.names.get(model);
    if (!n) {
      n = definitionNameFor(model, '');
      this.names.set(model, n);
    }
    return n;
  }
}

function definitionNameFor(model: string, group: string): string {
  const parts = splitModelName(model);
  if (!parts) return model;
  if (!parts.prefix && META_MODELS.has(parts.name) && parts.version === 'v1') {
    return `io.k8s.apimachinery.pkg.apis.meta.v1.${parts.name}`;
  }
  if (parts.prefix && parts.prefix in PREFIX_GROUPS) {
    return `${groupPackage(PREFIX_GROUPS[parts.prefix]!, parts.version)}.${parts.name}`;
  }
  if (parts.name === 'Scale' || parts.name === 'ScaleSpec' || parts.name === 'ScaleStatus') {
    return `${groupPackage('autoscaling', parts.version)}.${parts.name}`;
  }
  return `${groupPackage(group, parts.version)}.${parts.name}`;
}

export function collectModels(t: TypeRef, out: string[]): void {
  if (t.kind === 'model') out.push(t.name);
  else if (t.kind === 'array') collectModels(t.items, out);
  else if (t.kind === 'map') collectModels(t.values, out);
}
