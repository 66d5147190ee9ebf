// ObjectMeta validation as k8s.io/apimachinery/pkg/api/validation (ValidateObjectMetaAccessor,
// ValidateObjectMetaAccessorUpdate) and metav1 validation (labels, selectors, managedFields) do it.

import type { FieldCause, ObjectMeta } from '../registry/types.js';
import {
  FieldPath,
  forbidden,
  invalid,
  required,
  tooLong,
  goQuote,
} from './field.js';
import {
  byteLength,
  isQualifiedName,
  isValidLabelValue,
  nameValidatorFor,
  validateNamespaceName,
  type NameValidator,
  type NameValidatorName,
} from './names.js';

export const TotalAnnotationSizeLimitB = 256 * (1 << 10);
export const FieldManagerMaxLength = 128;
export const MaxSubresourceNameLength = 256;
const FinalizerOrphanDependents = 'orphan';
const FinalizerDeleteDependents = 'foregroundDeletion';

export interface ObjectMetaValidationOptions {
  /** Namespaced kinds require metadata.namespace; cluster-scoped kinds forbid it. */
  namespaced: boolean;
  /** How metadata.name (and generateName as a prefix) is checked. Default DNS-1123 subdomain. */
  nameValidator?: NameValidator | NameValidatorName;
  /** Path of the metadata field; default "metadata". */
  fieldPath?: string;
  /**
   * Accept an empty name when generateName is set (the server generates the name before persisting).
   * Default true. Kube itself generates the name before validating, so the result is the same.
   */
  allowGenerateName?: boolean;
  /** Skip the name-required check entirely (embedded objects). */
  nameOptional?: boolean;
}

function isStringMap(v: unknown): v is Record<string, string> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** metav1validation.ValidateLabelName. */
export function validateLabelName(labelName: string, fldPath: FieldPath): FieldCause[] {
  return isQualifiedName(labelName).map((msg) => invalid(fldPath, labelName, msg));
}

/** metav1validation.ValidateLabels: keys are qualified names, values are label values. */
export function validateLabels(labels: Record<string, string> | undefined | null, fldPath: FieldPath | string = 'metadata.labels'): FieldCause[] {
  const p = typeof fldPath === 'string' ? pathFromString(fldPath) : fldPath;
  const errs: FieldCause[] = [];
  if (labels === undefined || labels === null) return errs;
  if (!isStringMap(labels)) return [invalid(p, labels, 'must be a map of string keys to string values')];
  for (const [k, v] of Object.entries(labels)) {
    errs.push(...validateLabelName(k, p));
    if (typeof v !== 'string') {
      errs.push(invalid(p, v, 'must be a string'));
      continue;
    }
    for (const msg of isValidLabelValue(v)) errs.push(invalid(p, v, msg));
  }
  return errs;
}

/** apimachinery ValidateAnnotations: keys are qualified names (case-insensitive), total size ≤ 256KiB. */
export function validateAnnotations(
  annotations: Record<string, string> | undefined | null,
  fldPath: FieldPath | string = 'metadata.annotations',
): FieldCause[] {
  const p = typeof fldPath === 'string' ? pathFromString(fldPath) : fldPath;
  const errs: FieldCause[] = [];
  if (annotations === undefined || annotations === null) return errs;
  if (!isStringMap(annotations)) return [invalid(p, annotations, 'must be a map of string keys to string values')];
  let total = 0;
  for (const [k, v] of Object.entries(annotations)) {
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(invalid(p, k, msg));
    if (typeof v !== 'string') errs.push(invalid(p, v, 'must be a string'));
    total += byteLength(k) + (typeof v === 'string' ? byteLength(v) : 0);
  }
  if (total > TotalAnnotationSizeLimitB) errs.push(tooLong(p, '', TotalAnnotationSizeLimitB));
  return errs;
}

interface LabelSelectorRequirement {
  key?: string;
  operator?: string;
  values?: string[];
}
interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface LabelSelectorValidationOptions {
  allowInvalidLabelValueInSelector?: boolean;
}

/** metav1validation.ValidateLabelSelector. */
export function validateLabelSelector(
  ps: LabelSelector | undefined | null,
  fldPath: FieldPath | string = 'spec.selector',
  opts: LabelSelectorValidationOptions = {},
): FieldCause[] {
  const p = typeof fldPath === 'string' ? pathFromString(fldPath) : fldPath;
  const errs: FieldCause[] = [];
  if (ps === undefined || ps === null) return errs;
  errs.push(...validateLabels(ps.matchLabels, p.child('matchLabels')));
  (ps.matchExpressions ?? []).forEach((expr, i) => {
    errs.push(...validateLabelSelectorRequirement(expr, p.child('matchExpressions').index(i), opts));
  });
  return errs;
}

export function validateLabelSelectorRequirement(
  sr: LabelSelectorRequirement,
  fldPath: FieldPath,
  opts: LabelSelectorValidationOptions = {},
): FieldCause[] {
  const errs: FieldCause[] = [];
  const values = sr.values ?? [];
  switch (sr.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(required(fldPath.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(forbidden(fldPath.child('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    default:
      errs.push(invalid(fldPath.child('operator'), sr.operator ?? '', 'not a valid selector operator'));
  }
  errs.push(...validateLabelName(sr.key ?? '', fldPath.child('key')));
  if (!opts.allowInvalidLabelValueInSelector) {
    values.forEach((v, i) => {
      for (const msg of isValidLabelValue(String(v))) errs.push(invalid(fldPath.child('values').index(i), v, msg));
    });
  }
  return errs;
}

/** ValidateOwnerReferences. */
export function validateOwnerReferences(refs: unknown, fldPath: FieldPath): FieldCause[] {
  const errs: FieldCause[] = [];
  if (refs === undefined || refs === null) return errs;
  if (!Array.isArray(refs)) return [invalid(fldPath, refs, 'must be a list')];
  let firstController = '';
  for (const raw of refs) {
    const ref = (raw ?? {}) as { apiVersion?: string; kind?: string; name?: string; uid?: string; controller?: boolean };
    const apiVersion = ref.apiVersion ?? '';
    // schema.FromAPIVersionAndKind → ParseGroupVersion; a malformed apiVersion yields an empty version.
    let version = '';
    const parts = apiVersion.split('/');
    if (parts.length === 1) version = parts[0];
    else if (parts.length === 2) version = parts[1];
    if (!version) errs.push(invalid(fldPath.child('apiVersion'), apiVersion, 'version must not be empty'));
    if (!ref.kind) errs.push(invalid(fldPath.child('kind'), ref.kind ?? '', 'must not be empty'));
    if (!ref.name) errs.push(invalid(fldPath.child('name'), ref.name ?? '', 'must not be empty'));
    if (!ref.uid) errs.push(invalid(fldPath.child('uid'), ref.uid ?? '', 'must not be empty'));
    if (parts.length === 1 && version === 'v1' && ref.kind === 'BindingList') {
      errs.push(invalid(fldPath, raw, '/v1, Kind=BindingList is disallowed from being an owner'));
    }
    if (ref.controller === true) {
      const cur = `${ref.kind ?? ''}/${ref.name ?? ''}`;
      if (firstController) {
        errs.push(
          invalid(
            fldPath,
            refs,
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${cur}`,
          ),
        );
      } else firstController = cur;
    }
  }
  return errs;
}

function goStringSlice(items: string[]): string {
  return `[]string{${items.map(goQuote).join(', ')}}`;
}

/** ValidateFinalizers: qualified names, and orphan / foregroundDeletion are mutually exclusive. */
export function validateFinalizers(finalizers: unknown, fldPath: FieldPath): FieldCause[] {
  const errs: FieldCause[] = [];
  if (finalizers === undefined || finalizers === null) return errs;
  if (!Array.isArray(finalizers)) return [invalid(fldPath, finalizers, 'must be a list')];
  let orphan = false;
  let del = false;
  for (const f of finalizers) {
    const s = String(f);
    for (const msg of isQualifiedName(s)) errs.push(invalid(fldPath, s, msg));
    if (s === FinalizerOrphanDependents) orphan = true;
    if (s === FinalizerDeleteDependents) del = true;
  }
  if (orphan && del) {
    errs.push(
      invalid(
        fldPath,
        finalizers,
        `finalizer ${FinalizerOrphanDependents} and ${FinalizerDeleteDependents} cannot be both set`,
      ),
    );
  }
  return errs;
}

function isPrintable(cp: number): boolean {
  // Approximation of unicode.IsPrint: reject C0/C1 controls, DEL and non-space separators.
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return false;
  if (cp === 0x2028 || cp === 0x2029) return false;
  return true;
}

/** ValidateFieldManager. */
export function validateFieldManager(fieldManager: string, fldPath: FieldPath): FieldCause[] {
  const errs: FieldCause[] = [];
  if (byteLength(fieldManager) > FieldManagerMaxLength) errs.push(tooLong(fldPath, fieldManager, FieldManagerMaxLength));
  let pos = 0;
  for (const ch of fieldManager) {
    const cp = ch.codePointAt(0)!;
    if (!isPrintable(cp)) {
      const u = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
      errs.push(invalid(fldPath, fieldManager, `invalid character ${u} (at position ${pos})`));
    }
    pos += Buffer.byteLength(ch, 'utf8');
  }
  return errs;
}

/** metav1validation.ValidateManagedFields. */
export function validateManagedFields(entries: unknown, fldPath: FieldPath): FieldCause[] {
  const errs: FieldCause[] = [];
  if (entries === undefined || entries === null) return errs;
  if (!Array.isArray(entries)) return [invalid(fldPath, entries, 'must be a list')];
  entries.forEach((raw, i) => {
    const e = (raw ?? {}) as { operation?: string; fieldsType?: string; manager?: string; subresource?: string };
    const p = fldPath.index(i);
    if (e.operation !== 'Apply' && e.operation !== 'Update') {
      errs.push(invalid(p.child('operation'), e.operation ?? '', 'must be `Apply` or `Update`'));
    }
    if (e.fieldsType && e.fieldsType !== 'FieldsV1') errs.push(invalid(p.child('fieldsType'), e.fieldsType, 'must be `FieldsV1`'));
    errs.push(...validateFieldManager(e.manager ?? '', p.child('manager')));
    if (e.subresource && byteLength(e.subresource) > MaxSubresourceNameLength) {
      errs.push(tooLong(p.child('subresource'), e.subresource, MaxSubresourceNameLength));
    }
  });
  return errs;
}

function pathFromString(s: string): FieldPath {
  const parts = s.split('.');
  return FieldPath.of(parts[0], ...parts.slice(1));
}

/**
 * ValidateObjectMetaAccessor: name (or generateName), namespace presence by scope, generation, labels,
 * annotations, ownerReferences, finalizers and managedFields.
 */
export function validateObjectMeta(meta: ObjectMeta | undefined, opts: ObjectMetaValidationOptions): FieldCause[] {
  const fld = pathFromString(opts.fieldPath ?? 'metadata');
  const m = (meta ?? {}) as ObjectMeta;
  const nameFn = nameValidatorFor(opts.nameValidator);
  const errs: FieldCause[] = [];

  const generateName = typeof m.generateName === 'string' ? m.generateName : '';
  const name = typeof m.name === 'string' ? m.name : '';
  if (m.name !== undefined && m.name !== null && typeof m.name !== 'string') errs.push(invalid(fld.child('name'), m.name, 'must be a string'));
  if (generateName) {
    for (const msg of nameFn(generateName, true)) errs.push(invalid(fld.child('generateName'), generateName, msg));
  }
  if (!name) {
    const allowGen = opts.allowGenerateName ?? true;
    if (!opts.nameOptional && !(allowGen && generateName)) {
      errs.push(required(fld.child('name'), 'name or generateName is required'));
    }
  } else {
    for (const msg of nameFn(name, false)) errs.push(invalid(fld.child('name'), name, msg));
  }

  const namespace = typeof m.namespace === 'string' ? m.namespace : '';
  if (opts.namespaced) {
    if (!namespace) errs.push(required(fld.child('namespace'), ''));
    else for (const msg of validateNamespaceName(namespace, false)) errs.push(invalid(fld.child('namespace'), namespace, msg));
  } else if (namespace) {
    errs.push(forbidden(fld.child('namespace'), 'not allowed on this type'));
  }

  if (typeof m.generation === 'number' && m.generation < 0) {
    errs.push(invalid(fld.child('generation'), m.generation, 'must be greater than or equal to 0'));
  }
  errs.push(...validateLabels(m.labels, fld.child('labels')));
  errs.push(...validateAnnotations(m.annotations, fld.child('annotations')));
  errs.push(...validateOwnerReferences(m.ownerReferences, fld.child('ownerReferences')));
  errs.push(...validateFinalizers(m.finalizers, fld.child('finalizers')));
  errs.push(...validateManagedFields(m.managedFields, fld.child('managedFields')));
  return errs;
}

function semanticEqual(a: unknown, b: unknown): boolean {
  const na = a === undefined || a === null || a === '' ? undefined : a;
  const nb = b === undefined || b === null || b === '' ? undefined : b;
  return JSON.stringify(na) === JSON.stringify(nb);
}

export interface ImmutableMetaOptions {
  fieldPath?: string;
  /** Reject an update whose metadata.resourceVersion is empty (kube does; servers usually fill it first). */
  requireResourceVersion?: boolean;
}

/**
 * The immutability half of ValidateObjectMetaAccessorUpdate: name, namespace, uid, creationTimestamp,
 * deletionTimestamp and deletionGracePeriodSeconds may not change, generation may not decrease, and no
 * finalizer may be added once the object is being deleted.
 *
 * Kube's BeforeUpdate copies uid (when empty), creationTimestamp, deletionTimestamp and a missing
 * deletionGracePeriodSeconds from the old object before this runs; servers should do the same.
 */
export function validateImmutableMeta(newMeta: ObjectMeta | undefined, oldMeta: ObjectMeta | undefined, opts: ImmutableMetaOptions = {}): FieldCause[] {
  const fld = pathFromString(opts.fieldPath ?? 'metadata');
  const n = (newMeta ?? {}) as ObjectMeta;
  const o = (oldMeta ?? {}) as ObjectMeta;
  const errs: FieldCause[] = [];

  if (o.deletionTimestamp) {
    const oldSet = new Set(o.finalizers ?? []);
    const extra = [...new Set((n.finalizers ?? []).filter((f) => !oldSet.has(f)))].sort();
    if (extra.length > 0) {
      errs.push(
        forbidden(
          fld.child('finalizers'),
          `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSlice(extra)}`,
        ),
      );
    }
  }
  if (opts.requireResourceVersion && !n.resourceVersion) {
    errs.push(invalid(fld.child('resourceVersion'), n.resourceVersion ?? '', 'must be specified for an update'));
  }
  if ((n.generation ?? 0) < (o.generation ?? 0)) {
    errs.push(invalid(fld.child('generation'), n.generation ?? 0, 'must not be decremented'));
  }
  const immutable: [keyof ObjectMeta, unknown][] = [
    ['name', n.name ?? ''],
    ['namespace', n.namespace ?? ''],
    ['uid', n.uid ?? ''],
    ['creationTimestamp', n.creationTimestamp ?? null],
    ['deletionTimestamp', n.deletionTimestamp ?? null],
    ['deletionGracePeriodSeconds', n.deletionGracePeriodSeconds ?? null],
  ];
  for (const [k, v] of immutable) {
    if (!semanticEqual(n[k], o[k])) errs.push(invalid(fld.child(k as string), v, 'field is immutable'));
  }
  return errs;
}

/** Full ValidateObjectMetaAccessorUpdate: immutability plus labels/annotations/ownerReferences/managedFields. */
export function validateObjectMetaUpdate(newMeta: ObjectMeta | undefined, oldMeta: ObjectMeta | undefined, opts: ImmutableMetaOptions = {}): FieldCause[] {
  const fld = pathFromString(opts.fieldPath ?? 'metadata');
  const n = (newMeta ?? {}) as ObjectMeta;
  const errs = validateImmutableMeta(newMeta, oldMeta, opts);
  errs.push(...validateLabels(n.labels, fld.child('labels')));
  errs.push(...validateAnnotations(n.annotations, fld.child('annotations')));
  errs.push(...validateOwnerReferences(n.ownerReferences, fld.child('ownerReferences')));
  errs.push(...validateFinalizers(n.finalizers, fld.child('finalizers')));
  errs.push(...validateManagedFields(n.managedFields, fld.child('managedFields')));
  return errs;
}
