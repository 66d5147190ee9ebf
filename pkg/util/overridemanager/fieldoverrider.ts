// fieldOverrider (upstream applyFieldOverriders): fieldPath points at a string field holding a JSON or
// YAML document (e.g. a ConfigMap key); the document is decoded, patched with the json/yaml
// operations (subPath relative to the document) and written back in the same format.
// Like upstream (evanphx + sigs.k8s.io/yaml): JSON comes back compact with key order kept, YAML is
// read as YAML 1.1 and written with sorted keys.

import YAML from 'yaml';
import type { FieldOverrider, JSONPatchOperation } from '../../apis/policy/v1alpha1/index.js';
import type { KubeObject } from '../../runtime/types.js';
import { applyOverrideOptions, getByPointer, goJSONStringify, parsePointer, type OverrideOption } from './patch.js';

// go-yaml v2 keeps timestamps and base-60 numbers as strings when decoding into interface{}; so do we.
// Writing keeps YAML 1.1's full tag set so such strings come out quoted, as go-yaml writes them.
const parseOptions = {
  version: '1.1' as const,
  customTags: (tags: YAML.Tags) =>
    tags.filter((t) => typeof t === 'string' || (t.format !== 'TIME' && t.tag !== 'tag:yaml.org,2002:timestamp')),
};
const stringifyOptions = { version: '1.1' as const, sortMapEntries: true, indentSeq: false, lineWidth: 0 };

function subPatches(ops: readonly JSONPatchOperation[]): OverrideOption[] {
  return ops.map((o) => ({ op: o.operator, path: o.subPath, value: o.value }));
}

function patchJSONText(text: string, ops: readonly JSONPatchOperation[]): string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`the field does not hold valid JSON (${(e as Error).message}); use yaml operations for YAML text`);
  }
  return goJSONStringify(applyOverrideOptions(doc, subPatches(ops)));
}

function patchYAMLText(text: string, ops: readonly JSONPatchOperation[]): string {
  let doc: unknown;
  try {
    doc = YAML.parse(text, parseOptions) ?? null;
  } catch (e) {
    throw new Error(`error converting YAML to JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  const patched = applyOverrideOptions(doc, subPatches(ops));
  return YAML.stringify(patched, stringifyOptions);
}

/** Applies one fieldOverrider to the object, returning a new object. Errors name the fieldPath. */
export function applyFieldOverrider(obj: KubeObject, overrider: FieldOverrider): KubeObject {
  const { fieldPath } = overrider;
  try {
    const current = getByPointer(obj, parsePointer(fieldPath));
    if (typeof current !== 'string') throw new Error('the value is not a string; fieldPath must point at a field holding JSON or YAML text');
    let updated: string;
    if ((overrider.yaml?.length ?? 0) > 0) updated = patchYAMLText(current, overrider.yaml!);
    else if ((overrider.json?.length ?? 0) > 0) updated = patchJSONText(current, overrider.json!);
    else return obj; // no operations: keep the text (upstream would write an empty string here)
    return applyOverrideOptions(obj, [{ op: 'replace', path: fieldPath, value: updated }]);
  } catch (e) {
    throw new Error(`fieldPath ${JSON.stringify(fieldPath)}: ${(e as Error).message}`);
  }
}
