// The record of applied overrides written to the Work annotations
// policy.karmada.io/applied-cluster-overrides and policy.karmada.io/applied-overrides: upstream's
// AppliedOverrides.MarshalJSON, i.e. [{"policyName":...,"overriders":{...}}] sorted by policy name, with
// the overriders in the JSON encoding/json gives the Go types (field order, omitempty, sorted map keys).

import type {
  CommandArgsOverrider,
  FieldOverrider,
  ImageOverrider,
  JSONPatchOperation,
  LabelAnnotationOverrider,
  Overriders,
  PlaintextOverrider,
} from '../../apis/policy/v1alpha1/index.js';
import { goJSONStringify } from './patch.js';

/** upstream OverridePolicyShadow. */
export interface OverridePolicyShadow {
  policyName: string;
  overriders: Overriders;
}

type Obj = Record<string, unknown>;

function nonEmpty<T>(v: readonly T[] | undefined): v is readonly T[] {
  return v !== undefined && v.length > 0;
}

/** apiextensionsv1.JSON: never omitted, "null" when unset. */
function rawJSON(v: unknown): unknown {
  return v === undefined ? null : v;
}

function sortedMap(m: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(m).sort()) out[k] = m[k]!;
  return out;
}

function plaintext(p: PlaintextOverrider): Obj {
  return { path: p.path, operator: p.operator, value: rawJSON(p.value) };
}

function image(i: ImageOverrider): Obj {
  const out: Obj = {};
  if (i.predicate) out.predicate = { path: i.predicate.path };
  out.component = i.component;
  out.operator = i.operator;
  if (i.value) out.value = i.value;
  return out;
}

function commandArgs(c: CommandArgsOverrider): Obj {
  const out: Obj = { containerName: c.containerName, operator: c.operator };
  if (nonEmpty(c.value)) out.value = c.value;
  return out;
}

function labelAnnotation(l: LabelAnnotationOverrider): Obj {
  const out: Obj = { operator: l.operator };
  if (l.value && Object.keys(l.value).length > 0) out.value = sortedMap(l.value);
  return out;
}

function patchOperation(o: JSONPatchOperation): Obj {
  return { subPath: o.subPath, operator: o.operator, value: rawJSON(o.value) };
}

function field(f: FieldOverrider): Obj {
  const out: Obj = { fieldPath: f.fieldPath };
  if (nonEmpty(f.json)) out.json = f.json.map(patchOperation);
  if (nonEmpty(f.yaml)) out.yaml = f.yaml.map(patchOperation);
  return out;
}

/** Overriders in Go's field order: plaintext, image, command, args, labels, annotations, field. */
export function overridersForJSON(o: Overriders): Obj {
  const out: Obj = {};
  if (nonEmpty(o.plaintext)) out.plaintext = o.plaintext.map(plaintext);
  if (nonEmpty(o.imageOverrider)) out.imageOverrider = o.imageOverrider.map(image);
  if (nonEmpty(o.commandOverrider)) out.commandOverrider = o.commandOverrider.map(commandArgs);
  if (nonEmpty(o.argsOverrider)) out.argsOverrider = o.argsOverrider.map(commandArgs);
  if (nonEmpty(o.labelsOverrider)) out.labelsOverrider = o.labelsOverrider.map(labelAnnotation);
  if (nonEmpty(o.annotationsOverrider)) out.annotationsOverrider = o.annotationsOverrider.map(labelAnnotation);
  if (nonEmpty(o.fieldOverrider)) out.fieldOverrider = o.fieldOverrider.map(field);
  return out;
}

/** AppliedOverrides.MarshalJSON: undefined when nothing was applied, else the items sorted by policy name. */
export function marshalAppliedOverrides(items: readonly OverridePolicyShadow[]): string | undefined {
  if (items.length === 0) return undefined;
  const sorted = [...items].sort((a, b) => (a.policyName < b.policyName ? -1 : a.policyName > b.policyName ? 1 : 0));
  return goJSONStringify(sorted.map((i) => ({ policyName: i.policyName, overriders: overridersForJSON(i.overriders) })));
}
