// Strategic merge patch (application/strategic-merge-patch+json) as
// k8s.io/apimachinery/pkg/util/strategicpatch applies it on the server (StrategicMergeMapPatch):
// maps merge recursively, null deletes, lists whose schema says `x-kubernetes-patch-strategy: merge`
// merge by their `x-kubernetes-patch-merge-key` (or union, for lists of primitives), other lists
// replace, and the directives kubectl's client-side apply sends are honoured:
//   $patch: replace | delete | merge      (in a map, or as a list element)
//   $retainKeys: [...]                    (fields with patch strategy retainKeys)
//   $deleteFromPrimitiveList/<field>: []  (remove primitives from a merging list)
//   $setElementOrder/<field>: []          (final order of a merging list)
// Element order follows the Go implementation, including how its in-place slice edits shape the
// order of server-only elements, so lists come out in the order kube-apiserver produces.

import { PatchError, badRequest } from './errors.js';
import { itemSchema, mapChild, patchMeta, rootSchema, type Schema } from './schemanav.js';
import { deepClone, goValue, isObject, kindOf, type JSONObject } from './util.js';

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_PRIMITIVE_PREFIX = '$deleteFromPrimitiveList';
const SET_ORDER_PREFIX = '$setElementOrder';

// mergepatch error texts, with the status kube-apiserver's patch handler maps each one to.
const errBadPatchFormatForPrimitiveList = () => badRequest('invalid patch format of primitive list');
const errBadPatchFormatForRetainKeys = () => badRequest('invalid patch format of retainKeys');
const errBadPatchFormatForSetElementOrderList = () => badRequest('invalid patch format of setElementOrder list');
const errNoListOfLists = () => new PatchError('lists of lists are not supported', 422, 'Invalid');
const internal = (msg: string) => new PatchError(msg, 500, 'InternalError');
const errNoMergeKey = (m: unknown, key: string) => internal(`map: ${goValue(m)} does not contain declared merge key: ${key}`);
const errBadArgType = (expected: string, actual: unknown) =>
  internal(`expected a ${expected}, but received a ${actual === null ? '<nil>' : Array.isArray(actual) ? '[]interface {}' : typeof actual}`);
const errBadPatchType = (t: unknown, m: unknown) => badRequest(`unknown patch type: ${goValue(t)} in map: ${goValue(m)}`);

/**
 * Applies a strategic merge patch to a copy of original. `schema` is the kind's root schema (built-in
 * kinds carry the patch metadata); fields without schema merge like maps and replace like lists.
 * Throws PatchError (400 for malformed directives, 422/500 as kube-apiserver answers otherwise).
 */
export function applyStrategicMergePatch<T = unknown>(original: T, patch: unknown, schema: Schema): T {
  if (!isObject(patch)) throw badRequest('invalid JSON document');
  const orig = isObject(original) ? deepClone(original) : {};
  return mergeMap(orig, deepClone(patch), rootSchema(schema)) as T;
}

function mergeMap(original: JSONObject, patch: JSONObject, s: Schema): JSONObject {
  if (DIRECTIVE in patch) {
    const d = patch[DIRECTIVE];
    if (d === 'replace') {
      // Keep only what the patch says; nested directives are resolved against nothing.
      delete patch[DIRECTIVE];
      return mergeMap({}, patch, s);
    }
    if (d === 'delete') return {};
    if (d !== 'merge') throw errBadPatchType(d, patch);
    delete patch[DIRECTIVE];
  }

  applyRetainKeysDirective(original, patch);
  mergePatchIntoOriginal(original, patch, s);

  for (const k of Object.keys(patch)) {
    let key = k;
    let isDeleteList = false;
    const patchV = patch[k];
    if (k.startsWith(DELETE_PRIMITIVE_PREFIX)) {
      key = extractKey(k, DELETE_PRIMITIVE_PREFIX);
      isDeleteList = true;
    }

    if (patchV === null) {
      delete original[key];
      continue;
    }

    const child = mapChild(s, key).schema;
    const meta = patchMeta(child);
    const exists = Object.prototype.hasOwnProperty.call(original, key) && original[key] !== undefined;

    if (isDeleteList) {
      // A parallel deletion list only ever removes primitives from an existing list.
      if (!Array.isArray(patchV)) throw errBadPatchFormatForPrimitiveList();
      if (exists && Array.isArray(original[key])) original[key] = deleteFromSlice(original[key] as unknown[], patchV);
      continue;
    }

    if (!exists) {
      if (isObject(patchV) && patchV[DIRECTIVE] === 'delete') continue;
      original[key] = cleanValue(patchV, child);
      continue;
    }

    const ov = original[key];
    if (kindOf(ov) !== kindOf(patchV) || ov === null) {
      original[key] = cleanValue(patchV, child);
      continue;
    }
    if (isObject(ov) && isObject(patchV)) {
      original[key] = meta.strategy === 'replace' ? cleanValue(patchV, child) : mergeMap(ov, patchV, child);
    } else if (Array.isArray(ov) && Array.isArray(patchV)) {
      original[key] = meta.strategy === 'merge' ? mergeSlice(ov, patchV, itemSchema(child), meta.mergeKey).merged : patchV;
    } else {
      original[key] = patchV;
    }
  }
  return original;
}

/** A patch value landing where the original has nothing: directives resolved against emptiness. */
function cleanValue(v: unknown, s: Schema): unknown {
  if (isObject(v)) return mergeMap({}, v, s);
  if (Array.isArray(v)) {
    const meta = patchMeta(s);
    if (meta.strategy === 'merge') return mergeSlice([], v, itemSchema(s), meta.mergeKey).merged;
  }
  return v;
}

function extractKey(s: string, prefix: string): string {
  const i = s.indexOf('/');
  if (i < 0 || s.slice(0, i) !== prefix) {
    if (prefix === DELETE_PRIMITIVE_PREFIX) throw errBadPatchFormatForPrimitiveList();
    if (prefix === SET_ORDER_PREFIX) throw errBadPatchFormatForSetElementOrderList();
    throw internal(`fail to find unknown prefix "${prefix}" in ${s}`);
  }
  return s.slice(i + 1);
}

function applyRetainKeysDirective(original: JSONObject, patch: JSONObject): void {
  if (!(RETAIN_KEYS in patch)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw errBadPatchFormatForRetainKeys();
  const keep = new Set(list);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_PRIMITIVE_PREFIX) || k.startsWith(SET_ORDER_PREFIX)) continue;
    if (!keep.has(k)) throw errBadPatchFormatForRetainKeys();
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/** Processes `$setElementOrder/<field>` together with `<field>` (and removes both from the patch). */
function mergePatchIntoOriginal(original: JSONObject, patch: JSONObject, s: Schema): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ORDER_PREFIX)) continue;
    const setOrder = patch[key];
    delete patch[key];
    if (!Array.isArray(setOrder)) throw errBadPatchFormatForSetElementOrderList();
    const field = extractKey(key, SET_ORDER_PREFIX);

    const origList = original[field];
    const patchList = patch[field];
    // A null in the patch deletes the list; leave that to the main loop.
    if (patchList === null) continue;
    const foundOriginal = Array.isArray(origList);
    const foundPatch = patchList !== undefined;
    if (origList !== undefined && origList !== null && !foundOriginal) throw errBadArgType('[]interface {}', origList);
    if (foundPatch && !Array.isArray(patchList)) throw errBadArgType('[]interface {}', patchList);

    const child = mapChild(s, field).schema;
    const meta = patchMeta(child);
    const mergeKey = meta.mergeKey;
    validatePatchWithSetOrderList((patchList as unknown[] | undefined) ?? [], setOrder, mergeKey);

    let merged: unknown[];
    // The live list as Go sees it after merging: its backing array is edited in place.
    let serverOrder: unknown[] = foundOriginal ? (origList as unknown[]) : [];
    if (foundOriginal && !foundPatch) {
      merged = origList as unknown[];
    } else if (!foundOriginal && foundPatch) {
      merged = meta.strategy === 'merge' ? mergeSlice([], patchList as unknown[], itemSchema(child), mergeKey).merged : (patchList as unknown[]);
    } else if (foundOriginal && foundPatch) {
      if (meta.strategy === 'merge') {
        const r = mergeSlice(origList as unknown[], patchList as unknown[], itemSchema(child), mergeKey);
        merged = r.merged;
        serverOrder = r.aliasedOriginal;
      } else {
        merged = patchList as unknown[];
      }
    } else {
      continue;
    }

    const kind = sliceKind(foundOriginal ? (origList as unknown[]) : [], foundPatch ? (patchList as unknown[]) : []);
    const useKey = kind === 'map' ? mergeKey : '';
    const [patchItems, serverOnly] = partition(merged, setOrder, useKey);
    original[field] = normalizeElementOrder(patchItems, serverOnly, setOrder, serverOrder, useKey, kind);
    delete patch[field];
  }
}

function validatePatchWithSetOrderList(patchList: unknown[], setOrder: unknown[], mergeKey: string): void {
  if (setOrder.length === 0 || patchList.length === 0) return;
  const nonDelete = mergeKey ? patchList.filter((v) => !(isObject(v) && v[DIRECTIVE] === 'delete')) : patchList;
  let pi = 0;
  let si = 0;
  while (pi < nonDelete.length && si < setOrder.length) {
    if (isObject(nonDelete[pi]) && DIRECTIVE in (nonDelete[pi] as JSONObject)) {
      pi++;
      continue;
    }
    if (mergeKeyValueEqual(nonDelete[pi], setOrder[si], mergeKey)) pi++;
    si++;
  }
  if (pi < nonDelete.length && si >= setOrder.length) {
    throw internal(
      `The order in patch list:\n${goValue(patchList)}\n doesn't match ${SET_ORDER_PREFIX} list:\n${goValue(setOrder)}\n`,
    );
  }
}

function mergeKeyValueEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (!mergeKey) return left === right;
  if (!isObject(left)) throw errBadArgType('map[string]interface {}', left);
  if (!isObject(right)) throw errBadArgType('map[string]interface {}', right);
  if (!(mergeKey in left)) throw errNoMergeKey(left, mergeKey);
  if (!(mergeKey in right)) throw errNoMergeKey(right, mergeKey);
  return left[mergeKey] === right[mergeKey];
}

type SliceKind = 'map' | 'scalar' | 'none';

function sliceKind(...slices: unknown[][]): SliceKind {
  for (const sl of slices) {
    for (const v of sl) {
      if (Array.isArray(v)) throw errNoListOfLists();
      return isObject(v) ? 'map' : 'scalar';
    }
  }
  return 'none';
}

interface SliceMerge {
  merged: unknown[];
  /** The original list as Go's aliased backing array reads after the merge (see normalizeElementOrder). */
  aliasedOriginal: unknown[];
}

function mergeSlice(original: unknown[], patch: unknown[], elemSchema: Schema, mergeKey: string): SliceMerge {
  if (original.length === 0 && patch.length === 0) return { merged: original, aliasedOriginal: original };
  const kind = sliceKind(original, patch);

  if (kind !== 'map') {
    const merged = dedupeScalars([...original, ...patch]);
    const [patchItems, serverOnly] = partition(merged, patch, '');
    return { merged: normalizeElementOrder(patchItems, serverOnly, patch, original, '', kind), aliasedOriginal: original };
  }

  if (!mergeKey) throw internal('cannot merge lists without merge key for type map');

  // Go edits the original slice in place: deletions shift elements left and appends then write
  // into the freed slots, all visible to callers holding the original slice header.
  const backing = original.slice();
  let len = backing.length;
  const L = backing.length;

  // Special elements ($patch directives).
  const plain: JSONObject[] = [];
  let replace = false;
  for (const v of patch) {
    if (!isObject(v)) throw errBadArgType('map[string]interface {}', v);
    if (!(DIRECTIVE in v)) {
      plain.push(v);
      continue;
    }
    const d = v[DIRECTIVE];
    if (d === 'delete') {
      if (!(mergeKey in v)) throw errNoMergeKey(v, mergeKey);
      for (;;) {
        let idx = -1;
        for (let i = 0; i < len; i++) {
          const o = backing[i];
          if (!isObject(o)) throw internal(`value for key ${i} is not a map.`);
          if (mergeKey in o && o[mergeKey] === v[mergeKey]) {
            idx = i;
            break;
          }
        }
        if (idx < 0) break;
        for (let i = idx; i < len - 1; i++) backing[i] = backing[i + 1];
        len--;
      }
    } else if (d === 'replace') {
      replace = true;
    } else if (d === 'merge') {
      // Tolerated: an element marked for merging merges like any other.
      const { [DIRECTIVE]: _d, ...rest } = v;
      if (mergeKey in rest) plain.push(rest);
    } else {
      throw errBadPatchType(d, v);
    }
  }

  if (replace) {
    const merged = plain.map((v) => mergeMap({}, v, elemSchema));
    return { merged, aliasedOriginal: backing };
  }

  const afterDelete = backing.slice(0, len);
  const merged: unknown[] = afterDelete.slice();
  for (const v of plain) {
    if (!(mergeKey in v)) throw errNoMergeKey(v, mergeKey);
    const idx = merged.findIndex((o) => isObject(o) && mergeKey in o && o[mergeKey] === v[mergeKey]);
    if (idx >= 0) {
      merged[idx] = mergeMap(merged[idx] as JSONObject, v, elemSchema);
      if (idx < L) backing[idx] = merged[idx];
    } else {
      const item = mergeMap({}, v, elemSchema);
      merged.push(item);
      if (len < L) backing[len] = item;
      len++;
    }
  }

  const [patchItems, serverOnly] = partition(merged, plain, mergeKey);
  return {
    merged: normalizeElementOrder(patchItems, serverOnly, plain, afterDelete, mergeKey, kind),
    aliasedOriginal: backing,
  };
}

function deleteFromSlice(current: unknown[], toDelete: unknown[]): unknown[] {
  return current.filter((v) => !toDelete.some((d) => d === v));
}

function dedupeScalars(s: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const v of s) if (!out.some((o) => o === v)) out.push(v);
  return out;
}

/** Splits items into those present in `by` (matched by merge key, or by value) and the rest. */
function partition(items: unknown[], by: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const inBy: unknown[] = [];
  const rest: unknown[] = [];
  for (const v of items) {
    let found: boolean;
    if (mergeKey) {
      if (!isObject(v)) throw errBadArgType('map[string]interface {}', v);
      if (!(mergeKey in v)) throw errNoMergeKey(v, mergeKey);
      found = by.some((b) => isObject(b) && b[mergeKey] === v[mergeKey]);
    } else {
      found = by.some((b) => b === v);
    }
    (found ? inBy : rest).push(v);
  }
  return [inBy, rest];
}

function indexIn(list: unknown[], item: unknown, mergeKey: string, kind: SliceKind): number {
  if (kind === 'map') {
    const key = isObject(item) ? item[mergeKey] : undefined;
    return list.findIndex((x) => (isObject(x) ? x[mergeKey] : undefined) === key);
  }
  return list.findIndex((x) => x === item);
}

/**
 * Orders patch items by `patchOrder` and server-only items by `serverOrder`, then interleaves them:
 * a server-only item goes before a patch item only when the live order puts it first.
 */
function normalizeElementOrder(
  patchItems: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
  kind: SliceKind,
): unknown[] {
  const p = normalizeSliceOrder(patchItems, patchOrder, mergeKey, kind);
  const s = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(s, p, serverOrder, mergeKey, kind);
}

function normalizeSliceOrder(toSort: unknown[], order: unknown[], mergeKey: string, kind: SliceKind): unknown[] {
  let items = toSort;
  let toDelete: unknown[] = [];
  if (kind === 'map') {
    for (const list of [toSort, order]) {
      for (const item of list) {
        if (!isObject(item)) throw errBadArgType('map[string]interface {}', item);
        if (!(mergeKey in item)) throw errNoMergeKey(item, mergeKey);
      }
    }
    items = toSort.filter((v) => !(isObject(v) && v[DIRECTIVE] === 'delete'));
    toDelete = toSort.filter((v) => isObject(v) && v[DIRECTIVE] === 'delete');
  }
  const indexed = items.map((v, i) => ({ v, i, o: indexIn(order, v, mergeKey, kind) }));
  indexed.sort((a, b) => {
    const ao = a.o < 0 ? Number.MAX_SAFE_INTEGER : a.o;
    const bo = b.o < 0 ? Number.MAX_SAFE_INTEGER : b.o;
    return ao !== bo ? ao - bo : a.i - b.i;
  });
  return [...indexed.map((x) => x.v), ...toDelete];
}

function mergeSortedSlice(left: unknown[], right: unknown[], serverOrder: unknown[], mergeKey: string, kind: SliceKind): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) {
      out.push(right[j++]);
    } else if (j >= right.length) {
      out.push(left[i++]);
    } else {
      const li = indexIn(serverOrder, left[i], mergeKey, kind);
      const ri = indexIn(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}
