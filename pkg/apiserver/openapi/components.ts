// Named component schemas for the published OpenAPI documents. Built-in kinds are published the way
// Kubernetes publishes them: one component per Go type (io.k8s.api.apps.v1.DeploymentSpec, ...),
// fields referring to others through `allOf: [{$ref}]`, patch metadata on the referring field.
// CRD-backed (and other schema-carrying) kinds are published as one component named
// <reversed-group>.<version>.<Kind> holding the openAPIV3Schema, with metadata pointing at ObjectMeta.

import type { ResourceDescriptor } from '../registry/types.js';
import { builtinDefinitionNamer, builtinModelGVK, builtinModelName, isBuiltinDescriptor } from '../schema/builtin.js';
import { modelAttributes } from '../schema/clientnode-models.js';
import { modelObjectSchema, type ModelSchemaContext } from '../schema/model-schema.js';
import type { JSONSchemaProps } from '../schema/types.js';

export const COMPONENT_REF_PREFIX = '#/components/schemas/';

export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
export const OBJECT_META = `${META}.ObjectMeta`;
export const LIST_META = `${META}.ListMeta`;
export const STATUS = `${META}.Status`;
export const DELETE_OPTIONS = `${META}.DeleteOptions`;
export const PATCH = `${META}.Patch`;
export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
export const SCALE = 'io.k8s.api.autoscaling.v1.Scale';

const QUANTITY_DESCRIPTION =
  'Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors.\n\nThe serialization format is:\n\n``` <quantity>        ::= <signedNumber><suffix>\n\n\t(Note that <suffix> may be empty, from the "" case in <decimalSI>.)\n\n<digit>           ::= 0 | 1 | ... | 9 <digits>          ::= <digit> | <digit><digits> <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits> <sign>            ::= "+" | "-" <signedNumber>    ::= <number> | <sign><number> <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI> <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei\n\n\t(International System of units; See: http://physics.nist.gov/cuu/Units/binary.html)\n\n<decimalSI>       ::= m | "" | k | M | G | T | P | E\n\n\t(Note that 1024 = 1Ki but 1000 = 1k; I didn\'t choose the capitalization.)\n\n<decimalExponent> ::= "e" <signedNumber> | "E" <signedNumber> ```';
const INT_OR_STRING_DESCRIPTION =
  'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.';
const PATCH_DESCRIPTION = 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.';

export function ref(name: string): JSONSchemaProps {
  return { $ref: `${COMPONENT_REF_PREFIX}${name}` };
}

/** Component name of a CRD-backed kind: stable.example.com/v1 CronTab -> com.example.stable.v1.CronTab. */
export function crdComponentName(group: string, version: string, kind: string): string {
  const reversed = group.split('.').reverse().join('.');
  return `${reversed ? `${reversed}.` : ''}${version}.${kind}`;
}

// ---- built-in components (cached per model; independent of the document) -------------------------

const modelComponentCache = new Map<string, { schema: JSONSchemaProps; deps: string[] }>();

function builtinModelComponent(model: string): { schema: JSONSchemaProps; deps: string[] } {
  let c = modelComponentCache.get(model);
  if (c) return c;
  const namer = builtinDefinitionNamer();
  const deps = new Set<string>();
  const ctx: ModelSchemaContext = {
    descriptions: true,
    defaultAtomicLists: true,
    wrapRefs: true,
    quantity: () => {
      deps.add('#Quantity');
      return ref(QUANTITY);
    },
    intOrString: () => {
      deps.add('#IntOrString');
      return ref(INT_OR_STRING);
    },
    model: (name) => {
      deps.add(name);
      return ref(namer.name(name));
    },
  };
  const schema = modelObjectSchema(model, ctx);
  c = { schema, deps: [...deps] };
  modelComponentCache.set(model, c);
  return c;
}

/** Collects components into a document's schema map. */
export class ComponentSet {
  readonly schemas: Record<string, JSONSchemaProps> = {};
  private readonly gvks = new Map<string, { group: string; version: string; kind: string }[]>();

  has(name: string): boolean {
    return name in this.schemas;
  }

  /** Adds a client-node model and everything it references. */
  addModel(model: string): string {
    const namer = builtinDefinitionNamer();
    const rootName = namer.name(model);
    const queue = [model];
    while (queue.length) {
      const m = queue.shift()!;
      if (m === '#Quantity') {
        this.addQuantity();
        continue;
      }
      if (m === '#IntOrString') {
        this.addIntOrString();
        continue;
      }
      const name = namer.name(m);
      if (this.has(name)) continue;
      const { schema, deps } = builtinModelComponent(m);
      this.schemas[name] = { ...schema };
      const own = builtinModelGVK(m);
      if (own) this.tagGVK(name, own);
      const gvk = this.gvks.get(name);
      if (gvk) this.schemas[name]!['x-kubernetes-group-version-kind'] = gvk;
      queue.push(...deps);
    }
    return rootName;
  }

  /** Marks a component as the schema of a kind (x-kubernetes-group-version-kind). */
  tagGVK(name: string, gvk: { group: string; version: string; kind: string }): void {
    const list = this.gvks.get(name) ?? [];
    if (!list.some((g) => g.group === gvk.group && g.version === gvk.version && g.kind === gvk.kind)) {
      list.push({ group: gvk.group, kind: gvk.kind, version: gvk.version });
    }
    this.gvks.set(name, list);
    const s = this.schemas[name];
    if (s) s['x-kubernetes-group-version-kind'] = list;
  }

  addQuantity(): void {
    if (this.has(QUANTITY)) return;
    this.schemas[QUANTITY] = { description: QUANTITY_DESCRIPTION, oneOf: [{ type: 'string' }, { type: 'number' }] };
  }

  addIntOrString(): void {
    if (this.has(INT_OR_STRING)) return;
    this.schemas[INT_OR_STRING] = {
      description: INT_OR_STRING_DESCRIPTION,
      format: 'int-or-string',
      oneOf: [{ type: 'integer' }, { type: 'string' }],
    };
  }

  /** ObjectMeta, ListMeta, Status, DeleteOptions, Patch: what every group-version document carries. */
  addCommon(): void {
    this.addModel('V1ObjectMeta');
    this.addModel('V1ListMeta');
    this.addModel('V1Status');
    this.addModel('V1DeleteOptions');
    if (!this.has(PATCH)) this.schemas[PATCH] = { description: PATCH_DESCRIPTION, type: 'object' };
  }

  addScale(): string {
    const name = this.addModel('V1Scale');
    this.tagGVK(name, { group: 'autoscaling', version: 'v1', kind: 'Scale' });
    return name;
  }

  /** Adds the components of one resource; returns the names of its kind and list components. */
  addDescriptor(d: ResourceDescriptor): { item: string; list: string } {
    const gvk = { group: d.group, version: d.version, kind: d.kind };
    const listGVK = { group: d.group, version: d.version, kind: d.listKind || `${d.kind}List` };
    if (isBuiltinDescriptor(d)) {
      const model = builtinModelName(gvk)!;
      const item = this.addModel(model);
      this.tagGVK(item, gvk);
      const listModel = builtinModelName(listGVK);
      let list: string;
      if (listModel && modelAttributes(listModel)) {
        list = this.addModel(listModel);
      } else {
        list = `${item}List`;
        this.schemas[list] ??= listSchema(item, d.kind);
      }
      this.tagGVK(list, listGVK);
      return { item, list };
    }
    const item = crdComponentName(d.group, d.version, d.kind);
    const list = crdComponentName(d.group, d.version, listGVK.kind);
    this.schemas[item] = publishedCustomSchema(d.schema, gvk);
    this.schemas[list] = listSchema(item, d.kind);
    this.tagGVK(item, gvk);
    this.tagGVK(list, listGVK);
    return { item, list };
  }
}

const API_VERSION_DESCRIPTION =
  'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources';
const KIND_DESCRIPTION =
  'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';
const METADATA_DESCRIPTION =
  "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
const LIST_METADATA_DESCRIPTION =
  'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';

function listSchema(itemComponent: string, kind: string): JSONSchemaProps {
  return {
    description: `${kind}List is a list of ${kind}`,
    type: 'object',
    required: ['items'],
    properties: {
      apiVersion: { description: API_VERSION_DESCRIPTION, type: 'string' },
      items: {
        description: `List of ${kind.toLowerCase()}s. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md`,
        type: 'array',
        items: ref(itemComponent),
      },
      kind: { description: KIND_DESCRIPTION, type: 'string' },
      metadata: { allOf: [ref(LIST_META)], description: LIST_METADATA_DESCRIPTION },
    },
  };
}

/**
 * A custom resource's schema as Kubernetes publishes it: apiVersion/kind described, metadata a
 * reference to ObjectMeta (whatever the CRD says about metadata), tagged with its GVK.
 */
export function publishedCustomSchema(
  schema: JSONSchemaProps | undefined,
  gvk: { group: string; version: string; kind: string },
): JSONSchemaProps {
  const src: JSONSchemaProps = schema
    ? (JSON.parse(JSON.stringify(schema)) as JSONSchemaProps)
    : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  delete src['x-kubernetes-group-version-kind'];
  src.type ??= 'object';
  const props = (src.properties ??= {});
  props.apiVersion = { description: API_VERSION_DESCRIPTION, type: 'string', ...stripType(props.apiVersion) };
  props.kind = { description: KIND_DESCRIPTION, type: 'string', ...stripType(props.kind) };
  props.metadata = { allOf: [ref(OBJECT_META)], description: METADATA_DESCRIPTION };
  const ordered: Record<string, JSONSchemaProps> = {};
  for (const k of ['apiVersion', 'kind', 'metadata']) ordered[k] = props[k]!;
  for (const [k, v] of Object.entries(props)) if (!(k in ordered)) ordered[k] = v;
  src.properties = ordered;
  src['x-kubernetes-group-version-kind'] = [{ group: gvk.group, kind: gvk.kind, version: gvk.version }];
  return src;
}

function stripType(s: JSONSchemaProps | undefined): JSONSchemaProps {
  if (!s) return {};
  const { type: _t, ...rest } = s;
  return rest;
}
