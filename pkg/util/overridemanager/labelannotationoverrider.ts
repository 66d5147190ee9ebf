// labelsOverrider / annotationsOverrider (upstream labelannotationoverrider.go): add sets keys
// (overwriting), remove deletes keys, replace changes only keys that already exist.

import type { LabelAnnotationOverrider } from '../../apis/policy/v1alpha1/index.js';
import type { KubeObject } from '../../runtime/types.js';
import { escapePointerToken, isPlainObject, type OverrideOption } from './patch.js';

export type MetadataMap = 'labels' | 'annotations';

/** The JSON patches one labels/annotations overrider makes on metadata.<field>. */
export function buildLabelAnnotationPatches(obj: KubeObject, overrider: LabelAnnotationOverrider, field: MetadataMap): OverrideOption[] {
  const metadata = obj.metadata;
  const current = isPlainObject(metadata) && isPlainObject(metadata[field]) ? (metadata[field] as Record<string, unknown>) : undefined;
  const patches: OverrideOption[] = [];
  // Keys in a stable order (upstream ranges over a Go map; the outcome does not depend on the order).
  const entries = Object.entries(overrider.value ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [key, value] of entries) {
    const path = `/metadata/${field}/${escapePointerToken(key)}`;
    if (overrider.operator === 'remove' || overrider.operator === 'replace') {
      if (!current || !Object.prototype.hasOwnProperty.call(current, key)) continue;
      patches.push(overrider.operator === 'remove' ? { op: 'remove', path } : { op: 'replace', path, value });
    } else if (overrider.operator === 'add') {
      if (!current && patches.length === 0) {
        // Create the map (and metadata) first, as upstream does before patching.
        if (!isPlainObject(metadata)) patches.push({ op: 'add', path: '/metadata', value: {} });
        patches.push({ op: 'add', path: `/metadata/${field}`, value: {} });
      }
      patches.push({ op: 'add', path, value });
    }
  }
  return patches;
}
