// Validation, defaulting and status of apiextensions.k8s.io/v1 CustomResourceDefinitions, following
// apiextensions-apiserver (pkg/apis/apiextensions/validation, .../v1/defaults.go, the structural-schema
// checks of pkg/apiserver/schema and the naming/establishing controllers' status).
// Field paths are kube's internal ones (spec.conversion.webhookClientConfig, additionalPrinterColumns[i].JSONPath)
// because kube validates the internal type and reports those.

import { nowTime } from '../../apis/meta/v1/types.js';
import type { FieldCause, KubeObject, ObjectMeta } from '../registry/types.js';
import type { JSONSchemaProps } from '../schema/types.js';
import { compilePattern, validateAgainstSchema } from '../schema/validate.js';
import { findUnknownFields } from '../schema/prune.js';
import { causeToString, FieldPath, forbidden, invalid, notSupported, required, duplicate, tooLong, tooMany } from '../validation/field.js';
import { isDNS1035Label, isDNS1123Subdomain, nameIsDNSSubdomain } from '../validation/names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../validation/objectmeta.js';

// ---------------------------------------------------------------------------------------------
// types (the v1 wire shape; everything optional because input is untrusted)

export interface CRDNames {
  plural?: string;
  singular?: string;
  kind?: string;
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
}

export interface CRDScale {
  specReplicasPath?: string;
  statusReplicasPath?: string;
  labelSelectorPath?: string;
}

export interface CRDPrinterColumn {
  name?: string;
  type?: string;
  format?: string;
  jsonPath?: string;
  description?: string;
  priority?: number;
}

export interface CRDVersionSpec {
  name?: string;
  served?: boolean;
  storage?: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema?: { openAPIV3Schema?: JSONSchemaProps };
  subresources?: { status?: Record<string, unknown>; scale?: CRDScale };
  additionalPrinterColumns?: CRDPrinterColumn[];
  selectableFields?: { jsonPath?: string }[];
}

export interface CRDConversion {
  strategy?: string;
  webhook?: {
    clientConfig?: {
      url?: string;
      service?: { namespace?: string; name?: string; path?: string; port?: number };
      caBundle?: string;
    };
    conversionReviewVersions?: string[];
  };
}

export interface CRDSpecV1 {
  group?: string;
  names?: CRDNames;
  scope?: string;
  versions?: CRDVersionSpec[];
  conversion?: CRDConversion;
  preserveUnknownFields?: boolean;
}

export interface CRDCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface CRDStatus {
  conditions?: CRDCondition[];
  acceptedNames?: CRDNames;
  storedVersions?: string[];
}

export interface CustomResourceDefinition extends KubeObject {
  spec?: CRDSpecV1;
  status?: CRDStatus;
}

const printerColumnDatatypes = ['boolean', 'date', 'integer', 'number', 'string'];
const columnFormats = ['byte', 'date', 'date-time', 'double', 'float', 'int32', 'int64', 'password'];
const acceptedConversionReviewVersions = ['v1', 'v1beta1'];
const maxSelectableFields = 8;

export interface CRDValidationOptions {
  /** Also reject CRDs without any served version (kube accepts them; off by default). */
  requireServedVersion?: boolean;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isSchema(v: unknown): v is JSONSchemaProps {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------
// entry points

/**
 * ValidateCustomResourceDefinition (create) or ValidateCustomResourceDefinitionUpdate (when old is given).
 * Run defaultCRD first, as kube decodes with defaults before validating.
 */
export function validateCRD(crd: CustomResourceDefinition, old?: CustomResourceDefinition, opts: CRDValidationOptions = {}): FieldCause[] {
  const spec = (crd.spec ?? {}) as CRDSpecV1;
  const errs: FieldCause[] = [];
  const requiredName = `${spec.names?.plural ?? ''}.${spec.group ?? ''}`;
  if (old) {
    errs.push(...validateObjectMetaUpdate(crd.metadata, old.metadata));
    // ValidateObjectMetaUpdate does not re-run the name function; the name is immutable anyway.
  } else {
    errs.push(
      ...validateObjectMeta(crd.metadata as ObjectMeta, {
        namespaced: false,
        nameValidator: (name, prefix) => {
          const ret = nameIsDNSSubdomain(name, prefix);
          if (name !== requiredName) ret.push('must be spec.names.plural+"."+spec.group');
          return ret;
        },
      }),
    );
  }
  errs.push(...validateCRDSpec(spec, FieldPath.of('spec'), opts));
  if (old) {
    const oldSpec = (old.spec ?? {}) as CRDSpecV1;
    const established = (old.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');
    if (established) {
      errs.push(...immutable(spec.scope, oldSpec.scope, 'spec.scope'));
      errs.push(...immutable(spec.names?.kind, oldSpec.names?.kind, 'spec.names.kind'));
    }
    errs.push(...immutable(spec.group, oldSpec.group, 'spec.group'));
    errs.push(...immutable(spec.names?.plural, oldSpec.names?.plural, 'spec.names.plural'));
  }
  const status = crd.status;
  if (status) {
    errs.push(...validateNames(status.acceptedNames ?? {}, FieldPath.of('status', 'acceptedNames')));
    if (status.storedVersions !== undefined) {
      errs.push(...validateStoredVersions(status.storedVersions, spec.versions ?? [], FieldPath.of('status', 'storedVersions')));
    }
  }
  return errs;
}

function immutable(n: unknown, o: unknown, path: string): FieldCause[] {
  return (n ?? '') === (o ?? '') ? [] : [invalid(path, n ?? '', 'field is immutable')];
}

/** "field: message" lines, handy for tests and logs. */
export function formatCRDErrors(errs: FieldCause[]): string[] {
  return errs.map(causeToString);
}

// ---------------------------------------------------------------------------------------------
// spec

function validateCRDSpec(spec: CRDSpecV1, fld: FieldPath, opts: CRDValidationOptions): FieldCause[] {
  const errs: FieldCause[] = [];
  const group = spec.group ?? '';
  if (!group) errs.push(required(fld.child('group'), ''));
  else {
    const msgs = isDNS1123Subdomain(group);
    if (msgs.length > 0) errs.push(invalid(fld.child('group'), group, msgs.join(',')));
    else if (group.split('.').length < 2) errs.push(invalid(fld.child('group'), group, 'should be a domain with at least one dot'));
  }

  const scope = spec.scope ?? '';
  if (!scope) errs.push(required(fld.child('scope'), ''));
  else if (scope !== 'Cluster' && scope !== 'Namespaced') errs.push(notSupported(fld.child('scope'), scope, ['Cluster', 'Namespaced']));

  if (spec.preserveUnknownFields === true) {
    errs.push(
      invalid(
        fld.child('preserveUnknownFields'),
        true,
        'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead',
      ),
    );
  }

  const versions = Array.isArray(spec.versions) ? spec.versions : [];
  let storageCount = 0;
  let served = false;
  const seen = new Set<string>();
  let unique = true;
  versions.forEach((v, i) => {
    const vp = fld.child('versions').index(i);
    if (v.storage) storageCount++;
    if (v.served) served = true;
    const name = v.name ?? '';
    if (seen.has(name)) unique = false;
    seen.add(name);
    const msgs = isDNS1035Label(name);
    if (msgs.length > 0) errs.push(invalid(vp.child('name'), name, msgs.join(',')));
    errs.push(...validateVersion(v, vp));
  });
  if (!unique) errs.push(invalid(fld.child('versions'), spec.versions ?? null, 'must contain unique version names'));
  if (storageCount !== 1) errs.push(invalid(fld.child('versions'), spec.versions ?? null, 'must have exactly one version marked as storage version'));
  if (opts.requireServedVersion && versions.length > 0 && !served) {
    errs.push(invalid(fld.child('versions'), spec.versions ?? null, 'must have at least one version marked as served'));
  }

  const names = spec.names ?? {};
  const np = fld.child('names');
  if (!names.plural) errs.push(required(np.child('plural'), ''));
  if (!names.singular) errs.push(required(np.child('singular'), ''));
  if (!names.kind) errs.push(required(np.child('kind'), ''));
  if (!names.listKind) errs.push(required(np.child('listKind'), ''));
  errs.push(...validateNames(names, np));
  errs.push(...validateConversion(spec.conversion, fld.child('conversion')));
  return errs;
}

/** ValidateCustomResourceDefinitionNames. */
function validateNames(names: CRDNames, fld: FieldPath): FieldCause[] {
  const errs: FieldCause[] = [];
  const dns = (v: string | undefined, child: string, mixed: boolean) => {
    if (!v) return;
    const msgs = isDNS1035Label(mixed ? v.toLowerCase() : v);
    if (msgs.length === 0) return;
    errs.push(invalid(fld.child(child), v, mixed ? `may have mixed case, but should otherwise match: ${msgs.join(',')}` : msgs.join(',')));
  };
  dns(names.plural, 'plural', false);
  dns(names.singular, 'singular', false);
  dns(names.kind, 'kind', true);
  dns(names.listKind, 'listKind', true);
  (names.shortNames ?? []).forEach((s, i) => {
    const msgs = isDNS1035Label(s);
    if (msgs.length > 0) errs.push(invalid(fld.child('shortNames').index(i), s, msgs.join(',')));
  });
  if (names.kind && names.kind === names.listKind) errs.push(invalid(fld.child('listKind'), names.listKind, 'kind and listKind may not be the same'));
  (names.categories ?? []).forEach((c, i) => {
    const msgs = isDNS1035Label(c);
    if (msgs.length > 0) errs.push(invalid(fld.child('categories').index(i), c, msgs.join(',')));
  });
  return errs;
}

function validateStoredVersions(stored: string[], versions: CRDVersionSpec[], fld: FieldPath): FieldCause[] {
  if (!Array.isArray(stored) || stored.length === 0) return [invalid(fld, stored ?? null, 'must have at least one stored version')];
  const errs: FieldCause[] = [];
  const remaining = new Map<string, number>();
  stored.forEach((v, i) => remaining.set(v, i));
  for (const v of versions) {
    const name = v.name ?? '';
    if (v.storage && !remaining.has(name)) errs.push(invalid(fld, v, `must have the storage version ${name}`));
    remaining.delete(name);
  }
  for (const [v, i] of [...remaining.entries()].sort((a, b) => a[1] - b[1])) errs.push(invalid(fld.index(i), v, 'must appear in spec.versions'));
  return errs;
}

function validateVersion(v: CRDVersionSpec, vp: FieldPath): FieldCause[] {
  const errs: FieldCause[] = [];
  if (v.deprecationWarning !== undefined && v.deprecationWarning !== null) {
    const w = v.deprecationWarning;
    if (!v.deprecated) errs.push(invalid(vp.child('deprecationWarning'), w, 'can only be set for deprecated versions'));
    else if (Buffer.byteLength(w) > 256) errs.push(tooLong(vp.child('deprecationWarning'), w, 256));
    else if (/[\x00-\x1f\x7f]/.test(w)) errs.push(invalid(vp.child('deprecationWarning'), w, 'must only contain printable UTF-8 characters'));
  }
  const schema = v.schema?.openAPIV3Schema;
  if (!schema) errs.push(required(vp.child('schema', 'openAPIV3Schema'), 'schemas are required'));
  else errs.push(...validateCRDSchema(schema, vp.child('schema', 'openAPIV3Schema'), !!v.subresources?.status));
  errs.push(...validateSubresources(v.subresources, vp.child('subresources')));
  (v.additionalPrinterColumns ?? []).forEach((c, i) => errs.push(...validateColumn(c, vp.child('additionalPrinterColumns').index(i))));
  const sf = v.selectableFields ?? [];
  const seenPaths = new Set<string>();
  sf.forEach((f, i) => {
    const p = vp.child('selectableFields').index(i).child('jsonPath');
    if (!f.jsonPath) errs.push(required(p, ''));
    else {
      errs.push(...validateSimpleJSONPath(f.jsonPath, p));
      if (seenPaths.has(f.jsonPath)) errs.push(duplicate(p, f.jsonPath));
      seenPaths.add(f.jsonPath);
    }
  });
  if (sf.length > maxSelectableFields) errs.push(tooMany(vp.child('selectableFields'), sf.length, maxSelectableFields));
  return errs;
}

function validateColumn(c: CRDPrinterColumn, fld: FieldPath): FieldCause[] {
  const errs: FieldCause[] = [];
  if (!c.name) errs.push(required(fld.child('name'), ''));
  if (!c.type) errs.push(required(fld.child('type'), `must be one of ${printerColumnDatatypes.join(',')}`));
  else if (!printerColumnDatatypes.includes(c.type)) errs.push(invalid(fld.child('type'), c.type, `must be one of ${printerColumnDatatypes.join(',')}`));
  if (c.format && !columnFormats.includes(c.format)) errs.push(invalid(fld.child('format'), c.format, `must be one of ${columnFormats.join(',')}`));
  if (!c.jsonPath) errs.push(required(fld.child('JSONPath'), ''));
  else errs.push(...validateSimpleJSONPath(c.jsonPath, fld.child('JSONPath')));
  return errs;
}

function validateSimpleJSONPath(s: string, fld: FieldPath): FieldCause[] {
  if (s.length === 0) return [invalid(fld, s, 'must not be empty')];
  if (s[0] !== '.') return [invalid(fld, s, 'must be a simple json path starting with .')];
  return [];
}

function validateSubresources(sub: CRDVersionSpec['subresources'], fld: FieldPath): FieldCause[] {
  const errs: FieldCause[] = [];
  const scale = sub?.scale;
  if (!scale) return errs;
  const sp = fld.child('scale.specReplicasPath');
  if (!scale.specReplicasPath) errs.push(required(sp, ''));
  else {
    const e = validateSimpleJSONPath(scale.specReplicasPath, sp);
    if (e.length > 0) errs.push(...e);
    else if (!scale.specReplicasPath.startsWith('.spec.')) errs.push(invalid(sp, scale.specReplicasPath, 'should be a json path under .spec'));
  }
  const stp = fld.child('scale.statusReplicasPath');
  if (!scale.statusReplicasPath) errs.push(required(stp, ''));
  else {
    const e = validateSimpleJSONPath(scale.statusReplicasPath, stp);
    if (e.length > 0) errs.push(...e);
    else if (!scale.statusReplicasPath.startsWith('.status.')) errs.push(invalid(stp, scale.statusReplicasPath, 'should be a json path under .status'));
  }
  if (scale.labelSelectorPath) {
    const lp = fld.child('scale.labelSelectorPath');
    const e = validateSimpleJSONPath(scale.labelSelectorPath, lp);
    if (e.length > 0) errs.push(...e);
    else if (!scale.labelSelectorPath.startsWith('.spec.') && !scale.labelSelectorPath.startsWith('.status.')) {
      errs.push(invalid(lp, scale.labelSelectorPath, 'should be a json path under either .spec or .status'));
    }
  }
  return errs;
}

function validateConversion(conv: CRDConversion | undefined, fld: FieldPath): FieldCause[] {
  const errs: FieldCause[] = [];
  if (!conv) return errs;
  const strategy = conv.strategy ?? '';
  const ccPath = fld.child('webhookClientConfig');
  if (!strategy) errs.push(required(fld.child('strategy'), ''));
  else if (strategy !== 'None' && strategy !== 'Webhook') errs.push(notSupported(fld.child('strategy'), strategy, ['None', 'Webhook']));
  if (strategy === 'Webhook') {
    const cc = conv.webhook?.clientConfig;
    if (!cc) errs.push(required(ccPath, 'required when strategy is set to Webhook'));
    else if ((cc.url === undefined) === (cc.service === undefined)) errs.push(required(ccPath, 'exactly one of url or service is required'));
    else if (cc.url !== undefined) errs.push(...validateWebhookURL(cc.url, ccPath.child('url')));
    else if (cc.service) errs.push(...validateWebhookService(cc.service, ccPath.child('service')));
    const rv = conv.webhook?.conversionReviewVersions ?? [];
    const rvp = fld.child('conversionReviewVersions');
    if (rv.length === 0) errs.push(required(rvp, ''));
    else {
      const seen = new Set<string>();
      let accepted = false;
      rv.forEach((v, i) => {
        if (seen.has(v)) {
          errs.push(invalid(rvp.index(i), v, 'duplicate version'));
          return;
        }
        seen.add(v);
        for (const m of isDNS1035Label(v)) errs.push(invalid(rvp.index(i), v, m));
        if (acceptedConversionReviewVersions.includes(v)) accepted = true;
      });
      if (!accepted) errs.push(invalid(rvp, rv, `must include at least one of ${acceptedConversionReviewVersions.join(', ')}`));
    }
  } else if (conv.webhook?.clientConfig) {
    errs.push(forbidden(ccPath, 'should not be set when strategy is not set to Webhook'));
  }
  return errs;
}

function validateWebhookURL(raw: string, fld: FieldPath): FieldCause[] {
  const form = '; desired format: https://host[/path]';
  let u: URL;
  try {
    u = new URL(raw);
  } catch (e) {
    return [required(fld, `url must be a valid URL: ${(e as Error).message}${form}`)];
  }
  const errs: FieldCause[] = [];
  const scheme = u.protocol.replace(/:$/, '');
  if (scheme !== 'https') errs.push(invalid(fld, scheme, `'https' is the only allowed URL scheme${form}`));
  if (!u.host) errs.push(invalid(fld, u.host, `host must be specified${form}`));
  if (u.username || u.password) errs.push(invalid(fld, u.username + (u.password ? `:${u.password}` : ''), 'user information is not permitted in the URL'));
  if (u.hash) errs.push(invalid(fld, u.hash.slice(1), 'fragments are not permitted in the URL'));
  if (u.search) errs.push(invalid(fld, u.search.slice(1), 'query parameters are not permitted in the URL'));
  return errs;
}

function validateWebhookService(svc: { namespace?: string; name?: string; path?: string; port?: number }, fld: FieldPath): FieldCause[] {
  const errs: FieldCause[] = [];
  if (!svc.name) errs.push(required(fld.child('name'), 'service name is required'));
  if (!svc.namespace) errs.push(required(fld.child('namespace'), 'service namespace is required'));
  const port = svc.port ?? 443;
  if (!Number.isInteger(port) || port < 1 || port > 65535) errs.push(invalid(fld.child('port'), port, 'port is not valid: must be between 1 and 65535, inclusive'));
  const p = svc.path;
  if (p !== undefined && p !== '' && p !== '/') {
    if (!p.startsWith('/')) errs.push(invalid(fld.child('path'), p, "must start with a '/'"));
  }
  return errs;
}

// ---------------------------------------------------------------------------------------------
// schema: OpenAPI restrictions, list/map types, structural schema, defaults

/** Validate a version's openAPIV3Schema at fld (spec.versions[i].schema.openAPIV3Schema). */
export function validateCRDSchema(schema: JSONSchemaProps, fld: FieldPath, statusEnabled = false): FieldCause[] {
  const errs: FieldCause[] = [];
  if (!isSchema(schema)) return [invalid(fld, schema as unknown, 'must be an object')];
  if (statusEnabled && schema.type !== undefined && schema.type !== 'object') {
    errs.push(invalid(fld.child('type'), schema.type, 'only "object" is allowed as the type at the root of the schema if the status subresource is enabled'));
  }
  errs.push(...validateOpenAPISchema(schema, fld));
  const structural = validateStructural(schema, fld);
  errs.push(...structural);
  if (structural.length === 0) errs.push(...validateDefaults(schema, fld, true));
  return errs;
}

function raw(s: JSONSchemaProps): Record<string, unknown> {
  return s as unknown as Record<string, unknown>;
}

/** ValidateCustomResourceDefinitionOpenAPISchema + specStandardValidatorV3 + list/map type checks. */
function validateOpenAPISchema(s: JSONSchemaProps | undefined, fld: FieldPath): FieldCause[] {
  if (!s || !isSchema(s)) return [];
  const errs: FieldCause[] = [];
  const r = raw(s);
  if (r.id !== undefined && r.id !== '') errs.push(forbidden(fld.child('id'), 'id is not supported'));
  if (r.additionalItems !== undefined) errs.push(forbidden(fld.child('additionalItems'), 'additionalItems is not supported'));
  if (isObj(r.patternProperties) && Object.keys(r.patternProperties).length > 0) errs.push(forbidden(fld.child('patternProperties'), 'patternProperties is not supported'));
  if (isObj(r.definitions) && Object.keys(r.definitions).length > 0) errs.push(forbidden(fld.child('definitions'), 'definitions is not supported'));
  if (r.dependencies !== undefined) errs.push(forbidden(fld.child('dependencies'), 'dependencies is not supported'));
  if (r.$ref !== undefined) errs.push(forbidden(fld.child('$ref'), '$ref is not supported'));
  if (r.type === 'null') errs.push(forbidden(fld.child('type'), 'type cannot be set to null, use nullable as an alternative'));
  if (Array.isArray(r.items)) errs.push(forbidden(fld.child('items'), 'items must be a schema object and not an array'));

  if (s.uniqueItems === true) errs.push(forbidden(fld.child('uniqueItems'), 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));
  if (s['x-kubernetes-preserve-unknown-fields'] === false) {
    errs.push(invalid(fld.child('x-kubernetes-preserve-unknown-fields'), false, 'must be true or undefined'));
  }
  const ap = s.additionalProperties;
  if (ap !== undefined) {
    if (s.properties && Object.keys(s.properties).length > 0 && (ap === false || isSchema(ap))) {
      errs.push(forbidden(fld.child('additionalProperties'), 'additionalProperties and properties are mutual exclusive'));
    }
  }

  const lt = s['x-kubernetes-list-type'];
  const mt = s['x-kubernetes-map-type'];
  const keys = s['x-kubernetes-list-map-keys'];
  if (lt !== undefined && lt !== 'atomic' && lt !== 'set' && lt !== 'map') errs.push(notSupported(fld.child('x-kubernetes-list-type'), lt, ['atomic', 'set', 'map']));
  if (mt !== undefined && mt !== 'atomic' && mt !== 'granular') errs.push(notSupported(fld.child('x-kubernetes-map-type'), mt, ['atomic', 'granular']));
  if (mt !== undefined && s.type !== 'object') {
    if (!s.type) errs.push(required(fld.child('type'), 'must be object if x-kubernetes-map-type is specified'));
    else errs.push(invalid(fld.child('type'), s.type, 'must be object if x-kubernetes-map-type is specified'));
  }
  if (lt !== undefined && s.type !== 'array') {
    if (!s.type) errs.push(required(fld.child('type'), 'must be array if x-kubernetes-list-type is specified'));
    else errs.push(invalid(fld.child('type'), s.type, 'must be array if x-kubernetes-list-type is specified'));
  } else if (lt === 'set' && isSchema(s.items)) {
    const is = s.items;
    if (is.type === 'array' && is['x-kubernetes-list-type'] !== undefined && is['x-kubernetes-list-type'] !== 'atomic') {
      errs.push(invalid(fld.child('items').child('x-kubernetes-list-type'), is['x-kubernetes-list-type'], 'must be atomic as item of a list with x-kubernetes-list-type=set'));
    }
    if (is.type === 'object' && is['x-kubernetes-map-type'] !== 'atomic') {
      errs.push(invalid(fld.child('items').child('x-kubernetes-map-type'), is['x-kubernetes-map-type'] ?? null, 'must be atomic as item of a list with x-kubernetes-list-type=set'));
    }
  }
  if (lt !== 'map' && Array.isArray(keys) && keys.length > 0) {
    errs.push(forbidden(fld.child('x-kubernetes-list-map-keys'), 'must not be set if x-kubernetes-list-type is not map'));
  }
  if (lt === 'map') {
    if (!Array.isArray(keys) || keys.length === 0) errs.push(required(fld.child('x-kubernetes-list-map-keys'), 'must not be empty if x-kubernetes-list-type is map'));
    if (!s.items) errs.push(required(fld.child('items'), 'must have a schema if x-kubernetes-list-type is map'));
    else if (isSchema(s.items) && s.items.type !== 'object') {
      errs.push(invalid(fld.child('items').child('type'), s.items.type ?? '', "must be object if parent array's x-kubernetes-list-type is map"));
    } else if (isSchema(s.items)) {
      const item = s.items;
      const seenKeys = new Set<string>();
      for (const k of Array.isArray(keys) ? keys : []) {
        const ks = item.properties?.[k];
        if (ks) {
          if (ks.type === 'array' || ks.type === 'object') {
            errs.push(invalid(fld.child('items').child('properties').key(k).child('type'), item.type ?? '', "must be a scalar type if parent array's x-kubernetes-list-type is map"));
          }
          if (!(item.required ?? []).includes(k) && ks.default === undefined) {
            errs.push(
              required(
                fld.child('items').child('properties').key(k).child('default'),
                'this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property',
              ),
            );
          }
        } else {
          errs.push(invalid(fld.child('x-kubernetes-list-map-keys'), keys, 'entries must all be names of item properties'));
        }
        if (seenKeys.has(k)) errs.push(invalid(fld.child('x-kubernetes-list-map-keys'), keys, 'must not contain duplicate entries'));
        seenKeys.add(k);
      }
    }
  }

  if (isSchema(ap)) errs.push(...validateOpenAPISchema(ap, fld.child('additionalProperties')));
  for (const [k, p] of Object.entries(s.properties ?? {})) errs.push(...validateOpenAPISchema(p, fld.child('properties').key(k)));
  if (s.not) errs.push(...validateOpenAPISchema(s.not, fld.child('not')));
  (s.allOf ?? []).forEach((x, i) => errs.push(...validateOpenAPISchema(x, fld.child('allOf').index(i))));
  (s.oneOf ?? []).forEach((x, i) => errs.push(...validateOpenAPISchema(x, fld.child('oneOf').index(i))));
  (s.anyOf ?? []).forEach((x, i) => errs.push(...validateOpenAPISchema(x, fld.child('anyOf').index(i))));
  if (isSchema(s.items)) errs.push(...validateOpenAPISchema(s.items, fld.child('items')));
  return errs;
}

type Level = 'root' | 'item' | 'field';

const intOrStringAnyOf = [{ type: 'integer' }, { type: 'string' }];

function isExactly(v: unknown, expected: unknown): boolean {
  return JSON.stringify(v) === JSON.stringify(expected);
}

function isIntOrStringAnyOfPattern(s: JSONSchemaProps): boolean {
  return Array.isArray(s.anyOf) && s.anyOf.length === 2 && isExactly(s.anyOf, intOrStringAnyOf);
}

function isIntOrStringAllOfPattern(s: JSONSchemaProps): boolean {
  return Array.isArray(s.allOf) && s.allOf.length >= 1 && Array.isArray(s.allOf[0]?.anyOf) && s.allOf[0].anyOf!.length === 2 && isExactly(s.allOf[0].anyOf, intOrStringAnyOf);
}

/** structuralschema.ValidateStructural: invariants + completeness, sorted like kube sorts them. */
export function validateStructural(s: JSONSchemaProps, fld: FieldPath): FieldCause[] {
  const errs = [...structuralInvariants(s, 'root', fld), ...structuralCompleteness(s, fld)];
  return errs.sort((a, b) => {
    const x = causeToString(a);
    const y = causeToString(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

function structuralInvariants(s: JSONSchemaProps | undefined, lvl: Level, fld: FieldPath): FieldCause[] {
  if (!s || !isSchema(s)) return [];
  const errs: FieldCause[] = [];
  if (s.type === 'array' && !s.items) errs.push(required(fld.child('items'), 'must be specified'));
  if (isSchema(s.items)) errs.push(...structuralInvariants(s.items, 'item', fld.child('items')));
  for (const [k, v] of Object.entries(s.properties ?? {})) errs.push(...structuralInvariants(v, 'field', fld.child('properties').key(k)));

  // generic: additionalProperties
  if (s.additionalProperties !== undefined) {
    if (lvl === 'root') errs.push(forbidden(fld.child('additionalProperties'), 'must not be used at the root'));
    if (isSchema(s.additionalProperties)) errs.push(...structuralInvariants(s.additionalProperties, 'field', fld.child('additionalProperties')));
  }
  // extensions
  const ios = !!s['x-kubernetes-int-or-string'];
  const puf = !!s['x-kubernetes-preserve-unknown-fields'];
  const emb = !!s['x-kubernetes-embedded-resource'];
  if (ios && puf) errs.push(invalid(fld.child('x-kubernetes-preserve-unknown-fields'), true, 'must be false if x-kubernetes-int-or-string is true'));
  if (ios && emb) errs.push(invalid(fld.child('x-kubernetes-embedded-resource'), true, 'must be false if x-kubernetes-int-or-string is true'));

  errs.push(...valueValidation(s, isIntOrStringAnyOfPattern(s), isIntOrStringAllOfPattern(s), lvl, fld));

  const checkMetadata = lvl === 'root' || emb;
  if (emb && s.type !== 'object') {
    if (!s.type) errs.push(required(fld.child('type'), 'must be object if x-kubernetes-embedded-resource is true'));
    else errs.push(invalid(fld.child('type'), s.type, 'must be object if x-kubernetes-embedded-resource is true'));
  } else if (!s.type && !ios && !puf) {
    const detail =
      lvl === 'root'
        ? 'must not be empty at the root'
        : lvl === 'item'
          ? 'must not be empty for specified array items'
          : 'must not be empty for specified object fields';
    errs.push(required(fld.child('type'), detail));
  }
  if (emb && s.additionalProperties !== undefined) errs.push(forbidden(fld.child('additionalProperties'), 'must not be used if x-kubernetes-embedded-resource is set'));
  if (lvl === 'root' && s.type && s.type !== 'object') errs.push(invalid(fld.child('type'), s.type, 'must be object at the root'));

  const props = s.properties ?? {};
  if (checkMetadata) {
    if (props.kind && props.kind.type !== 'string') errs.push(invalid(fld.child('properties').key('kind').child('type'), props.kind.type ?? '', 'must be string'));
    if (props.apiVersion && props.apiVersion.type !== 'string') {
      errs.push(invalid(fld.child('properties').key('apiVersion').child('type'), props.apiVersion.type ?? '', 'must be string'));
    }
    if (props.metadata && props.metadata.type !== 'object') {
      errs.push(invalid(fld.child('properties').key('metadata').child('type'), props.metadata.type ?? '', 'must be object'));
    }
  }
  if (props.metadata && lvl === 'root') {
    const m = { ...raw(props.metadata) };
    const mp = isObj(m.properties) ? { ...(m.properties as Record<string, unknown>) } : undefined;
    if (mp) {
      const n = Object.keys(mp).length;
      const hasName = 'name' in mp;
      const hasGen = 'generateName' in mp;
      if ((hasName && hasGen && n === 2) || ((hasName || hasGen) && n === 1)) delete m.properties;
    }
    delete m.type;
    delete m.default;
    if (Object.keys(m).length > 0) {
      errs.push(forbidden(fld.child('properties').key('metadata'), 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
    }
  }
  if (emb && !puf && Object.keys(props).length === 0) {
    errs.push(required(fld.child('properties'), 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'));
  }
  return errs;
}

function valueValidation(v: JSONSchemaProps, skipAnyOf: boolean, skipFirstAllOfAnyOf: boolean, lvl: Level, fld: FieldPath): FieldCause[] {
  const errs: FieldCause[] = [];
  if (!skipAnyOf) (v.anyOf ?? []).forEach((x, i) => errs.push(...nestedValueValidation(x, false, lvl, fld.child('anyOf').index(i))));
  (v.allOf ?? []).forEach((x, i) => errs.push(...nestedValueValidation(x, skipFirstAllOfAnyOf && i === 0, lvl, fld.child('allOf').index(i))));
  (v.oneOf ?? []).forEach((x, i) => errs.push(...nestedValueValidation(x, false, lvl, fld.child('oneOf').index(i))));
  if (v.not) errs.push(...nestedValueValidation(v.not, false, lvl, fld.child('not')));
  if (v.pattern) {
    const re = compilePattern(v.pattern);
    if (re instanceof Error) errs.push(invalid(fld.child('pattern'), v.pattern, `must be a valid regular expression, but isn't: ${re.message}`));
  }
  return errs;
}

function nestedValueValidation(v: JSONSchemaProps | undefined, skipAnyOf: boolean, lvl: Level, fld: FieldPath): FieldCause[] {
  if (!v || !isSchema(v)) return [];
  const errs: FieldCause[] = [];
  errs.push(...valueValidation(v, skipAnyOf, false, lvl, fld));
  if (isSchema(v.items)) errs.push(...nestedValueValidation(v.items, false, lvl, fld.child('items')));
  for (const [k, p] of Object.entries(v.properties ?? {})) errs.push(...nestedValueValidation(p, false, 'field', fld.child('properties').key(k)));
  if (v.type) errs.push(forbidden(fld.child('type'), 'must be empty to be structural'));
  if (v.additionalProperties !== undefined) errs.push(forbidden(fld.child('additionalProperties'), 'must be undefined to be structural'));
  if (v.default !== undefined) errs.push(forbidden(fld.child('default'), 'must be undefined to be structural'));
  if (v.title) errs.push(forbidden(fld.child('title'), 'must be empty to be structural'));
  if (v.description) errs.push(forbidden(fld.child('description'), 'must be empty to be structural'));
  if (v.nullable) errs.push(forbidden(fld.child('nullable'), 'must be false to be structural'));
  if (v['x-kubernetes-preserve-unknown-fields']) errs.push(forbidden(fld.child('x-kubernetes-preserve-unknown-fields'), 'must be false to be structural'));
  if (v['x-kubernetes-embedded-resource']) errs.push(forbidden(fld.child('x-kubernetes-embedded-resource'), 'must be false to be structural'));
  if (v['x-kubernetes-int-or-string']) errs.push(forbidden(fld.child('x-kubernetes-int-or-string'), 'must be false to be structural'));
  if (Array.isArray(v['x-kubernetes-list-map-keys']) && v['x-kubernetes-list-map-keys'].length > 0) {
    errs.push(forbidden(fld.child('x-kubernetes-list-map-keys'), 'must be empty to be structural'));
  }
  if (v['x-kubernetes-list-type'] !== undefined) errs.push(forbidden(fld.child('x-kubernetes-list-type'), 'must be undefined to be structural'));
  if (v.properties && 'metadata' in v.properties) errs.push(forbidden(fld.child('properties').key('metadata'), 'must not be specified in a nested context'));
  return errs;
}

function structuralCompleteness(s: JSONSchemaProps | undefined, fld: FieldPath): FieldCause[] {
  if (!s || !isSchema(s)) return [];
  const errs = valueValidationCompleteness(s, s, fld, fld);
  if (isSchema(s.items)) errs.push(...structuralCompleteness(s.items, fld.child('items')));
  for (const [k, p] of Object.entries(s.properties ?? {})) errs.push(...structuralCompleteness(p, fld.child('properties').key(k)));
  if (isSchema(s.additionalProperties)) errs.push(...structuralCompleteness(s.additionalProperties, fld.child('additionalProperties')));
  return errs;
}

function valueValidationCompleteness(v: JSONSchemaProps, s: JSONSchemaProps | undefined, sPath: FieldPath, vPath: FieldPath): FieldCause[] {
  if (!s) return [required(sPath, `because it is defined in ${vPath.toString()}`)];
  const errs: FieldCause[] = [];
  if (v.not) errs.push(...nestedCompleteness(v.not, s, sPath, vPath.child('not')));
  (v.allOf ?? []).forEach((x, i) => errs.push(...nestedCompleteness(x, s, sPath, vPath.child('allOf').index(i))));
  (v.anyOf ?? []).forEach((x, i) => errs.push(...nestedCompleteness(x, s, sPath, vPath.child('anyOf').index(i))));
  (v.oneOf ?? []).forEach((x, i) => errs.push(...nestedCompleteness(x, s, sPath, vPath.child('oneOf').index(i))));
  return errs;
}

function nestedCompleteness(v: JSONSchemaProps | undefined, s: JSONSchemaProps | undefined, sPath: FieldPath, vPath: FieldPath): FieldCause[] {
  if (!v || !isSchema(v)) return [];
  if (!s) return [required(sPath, `because it is defined in ${vPath.toString()}`)];
  const errs = valueValidationCompleteness(v, s, sPath, vPath);
  if (isSchema(v.items)) errs.push(...nestedCompleteness(v.items, isSchema(s.items) ? s.items : undefined, sPath.child('items'), vPath.child('items')));
  for (const [k, p] of Object.entries(v.properties ?? {})) {
    const sp = s.properties?.[k];
    if (!sp) errs.push(required(sPath.child('properties').key(k), `because it is defined in ${vPath.child('properties').key(k).toString()}`));
    else errs.push(...nestedCompleteness(p, sp, sPath.child('properties').key(k), vPath.child('properties').key(k)));
  }
  return errs;
}

/** Defaults must not carry unknown fields and must validate against their own schema. */
function validateDefaults(s: JSONSchemaProps | undefined, fld: FieldPath, isRoot: boolean): FieldCause[] {
  if (!s || !isSchema(s)) return [];
  const errs: FieldCause[] = [];
  if (s.default !== undefined) {
    {
      const unknown = findUnknownFields(structuredClone(s.default), s, { isRoot: !!s['x-kubernetes-embedded-resource'], pruneMetadata: true });
      if (unknown.length > 0) errs.push(invalid(fld.child('default'), s.default, 'must not have unknown fields'));
      else errs.push(...validateAgainstSchema(s.default, s, { fieldPath: fld.child('default').toString(), mapKeys: 'dot' }));
    }
  }
  if (isSchema(s.items)) errs.push(...validateDefaults(s.items, fld.child('items'), false));
  for (const [k, p] of Object.entries(s.properties ?? {})) {
    if (isRoot && k === 'metadata' && p.default !== undefined) {
      errs.push(forbidden(fld.child('properties').key('metadata').child('default'), 'must not be set for metadata'));
      continue;
    }
    errs.push(...validateDefaults(p, fld.child('properties').key(k), false));
  }
  if (isSchema(s.additionalProperties)) errs.push(...validateDefaults(s.additionalProperties, fld.child('additionalProperties'), false));
  return errs;
}

// ---------------------------------------------------------------------------------------------
// defaulting and status

/**
 * SetDefaults for v1 CRDs, in place: names.singular = lower(kind), names.listKind = kind+"List",
 * conversion.strategy = None, webhook service port 443, served/storage false when absent, and
 * status.storedVersions = [storage version] when empty. Returns crd.
 */
export function defaultCRD<T extends CustomResourceDefinition>(crd: T): T {
  const spec = (crd.spec ??= {});
  const names = (spec.names ??= {});
  if (!names.singular && names.kind) names.singular = names.kind.toLowerCase();
  if (!names.listKind && names.kind) names.listKind = `${names.kind}List`;
  if (!spec.conversion) spec.conversion = { strategy: 'None' };
  const svc = spec.conversion.webhook?.clientConfig?.service;
  if (svc && svc.port === undefined) svc.port = 443;
  for (const v of spec.versions ?? []) {
    if (v.served === undefined) v.served = false;
    if (v.storage === undefined) v.storage = false;
  }
  if (crd.status && (!crd.status.storedVersions || crd.status.storedVersions.length === 0)) {
    const storage = (spec.versions ?? []).find((v) => v.storage);
    if (storage?.name) crd.status.storedVersions = [storage.name];
  }
  return crd;
}

export interface CRDStatusOptions {
  /** Timestamp for changed conditions (default: now, second precision like metav1.Time). */
  now?: Date;
  /** When set, the names are not accepted (conflict with another CRD), as the naming controller reports. */
  namesConflict?: string;
}

/**
 * The status kube's controllers converge a CRD to: acceptedNames = spec.names, NamesAccepted=True
 * (NoConflicts) and Established=True (InitialNamesAccepted), storedVersions including the current storage
 * version. lastTransitionTime is kept from the existing status when a condition's status did not change.
 */
export function crdStatusFor(crd: CustomResourceDefinition, opts: CRDStatusOptions = {}): CRDStatus {
  const spec = crd.spec ?? {};
  const existing = crd.status ?? {};
  const now = nowTime(opts.now ?? new Date());
  const names = spec.names ?? {};
  const accepted: CRDNames = {};
  if (names.plural !== undefined) accepted.plural = names.plural;
  accepted.singular = names.singular || (names.kind ?? '').toLowerCase();
  if (names.shortNames && names.shortNames.length > 0) accepted.shortNames = [...names.shortNames];
  if (names.kind !== undefined) accepted.kind = names.kind;
  accepted.listKind = names.listKind || (names.kind ? `${names.kind}List` : '');
  if (names.categories && names.categories.length > 0) accepted.categories = [...names.categories];

  const prev = new Map((existing.conditions ?? []).map((c) => [c.type, c]));
  const cond = (type: string, status: CRDCondition['status'], reason: string, message: string): CRDCondition => {
    const p = prev.get(type);
    return {
      type,
      status,
      lastTransitionTime: p && p.status === status && p.lastTransitionTime ? p.lastTransitionTime : now,
      reason,
      message,
    };
  };
  const conditions: CRDCondition[] = [];
  if (opts.namesConflict) {
    conditions.push(cond('NamesAccepted', 'False', 'NameConflict', opts.namesConflict));
    conditions.push(cond('Established', 'False', 'NotAccepted', 'not all names are accepted'));
  } else {
    conditions.push(cond('NamesAccepted', 'True', 'NoConflicts', 'no conflicts found'));
    conditions.push(cond('Established', 'True', 'InitialNamesAccepted', 'the initial names have been accepted'));
  }
  // keep other conditions (Terminating, NonStructuralSchema, KubernetesAPIApprovalPolicyConformant…)
  for (const c of existing.conditions ?? []) if (c.type !== 'NamesAccepted' && c.type !== 'Established') conditions.push(c);

  const storedVersions = [...(existing.storedVersions ?? [])];
  const storage = (spec.versions ?? []).find((v) => v.storage)?.name;
  if (storage && !storedVersions.includes(storage)) storedVersions.push(storage);

  return {
    conditions,
    acceptedNames: opts.namesConflict ? (existing.acceptedNames ?? { plural: '', kind: '' }) : accepted,
    storedVersions,
  };
}
