// Object metadata and schema admission for every kind: unknown fields are pruned (and reported as
// fieldValidation asks: Strict rejects, Warn warns), schema defaults are applied, then metadata and
// (for custom resources) the openAPIV3Schema are validated.

import { ApiError, invalid } from '../errors.js';
import type { FieldCause, ResourceDescriptor } from '../registry/types.js';
import { applyDefaults, pruneNonNullableNullsWithoutDefaults } from '../schema/defaults.js';
import { pruneUnknownFields } from '../schema/prune.js';
import { validateAgainstSchema } from '../schema/validate.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../validation/objectmeta.js';
import type { NameValidatorName } from '../validation/names.js';
import type { AdmissionAttributes, AdmissionPlugin } from './types.js';

/** Kinds whose names must be DNS-1123 labels (they become DNS names or label values). */
const LABEL_NAMED = new Set(['/Namespace', '/Service']);

function nameRule(d: ResourceDescriptor): NameValidatorName {
  if (LABEL_NAMED.has(`${d.group}/${d.kind}`)) return d.kind === 'Service' ? 'DNS1035Label' : 'DNS1123Label';
  if (d.group === 'rbac.authorization.k8s.io') return 'PathSegment';
  return 'DNS1123Subdomain';
}

export function schemaAdmission(): AdmissionPlugin {
  return {
    name: 'SchemaValidation',
    admit(a: AdmissionAttributes) {
      const obj = a.object;
      const d = a.descriptor;
      if (!obj || !d.schema || a.operation === 'DELETE') return;
      const preserve = !!d.crd?.preserveUnknownFields;
      if (!preserve) {
        const unknown = pruneUnknownFields(obj, d.schema, { isRoot: true });
        if (unknown.length) {
          const fields = unknown.map((f) => f.replace(/^\./, ''));
          if (a.fieldValidation === 'Strict') {
            const msg = fields.map((f) => `unknown field "${f}"`).join(', ');
            throw new ApiError(400, 'BadRequest', `strict decoding error: ${msg}`);
          }
          if (a.fieldValidation === 'Warn') for (const f of fields) a.warnings.push(`unknown field "${f}"`);
        }
      }
      if (d.crd) pruneNonNullableNullsWithoutDefaults(obj, d.schema);
      applyDefaults(obj, d.schema);
    },
    validate(a: AdmissionAttributes) {
      const obj = a.object;
      const d = a.descriptor;
      if (!obj || a.operation === 'DELETE') return;
      const causes: FieldCause[] = [];
      if (a.subresource !== 'status') {
        causes.push(...validateObjectMeta(obj.metadata, { namespaced: d.namespaced, nameValidator: nameRule(d) }));
        if (a.operation === 'UPDATE' && a.oldObject) causes.push(...validateObjectMetaUpdate(obj.metadata, a.oldObject.metadata));
      }
      // Built-in kinds are checked by their strategies; the generated schemas are for shape, not rules.
      if (d.crd && d.schema) causes.push(...validateAgainstSchema(obj, d.schema));
      if (causes.length) throw invalid(d.group, d.kind, obj.metadata?.name ?? '', dedupe(causes));
    },
  };
}

function dedupe(causes: FieldCause[]): FieldCause[] {
  const seen = new Set<string>();
  return causes.filter((c) => {
    const k = `${c.field}|${c.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
