// Schema-aware operations on JSON values, after structured-merge-diff's typed package: the field
// set of a value (ToFieldSet), the comparison of two values (Compare: added, modified, removed
// paths), the apply merge of a configuration into a live object (Merge), and the removal of a set
// of paths from a value (RemoveItems).
//
// Semantics come from the schema: maps are granular unless `x-kubernetes-map-type: atomic`; keys
// declared in `properties` are struct fields, other keys are map elements; lists are atomic unless
// `x-kubernetes-list-type` (or a merge patch strategy) makes them sets or maps keyed by fields.
// Without schema, maps are granular and lists atomic ("deduced" types).

import { FieldSet, field, keyElement, type Path, type PathElement, peKey } from './fieldpath.js';
import { isAtomicMap, itemSchema, listSemantics, mapChild, norm, type ListSemantics, type Schema } from './schemanav.js';
import { deepClone, deepEqual, isObject } from './util.js';

type NodeKind = 'map' | 'list' | 'scalar';

function present(v: unknown): boolean {
  return v !== undefined && v !== null;
}

/** Kind of the node holding l and/or r: from the values, or from the schema for nulls. */
function nodeKind(s: Schema, ...vals: unknown[]): NodeKind | 'mixed' {
  let k: NodeKind | undefined;
  for (const v of vals) {
    if (!present(v)) continue;
    const vk: NodeKind = Array.isArray(v) ? 'list' : isObject(v) ? 'map' : 'scalar';
    if (k && k !== vk) return 'mixed';
    k = vk;
  }
  if (k) return k;
  const t = norm(s)?.type;
  return t === 'object' ? 'map' : t === 'array' ? 'list' : 'scalar';
}

/** The path element of a list item under the list's semantics (key fields fall back to defaults). */
export function listItemPE(sem: ListSemantics, elemSchema: Schema, index: number, item: unknown): PathElement {
  if (sem.type === 'set') return { kind: 'value', value: item };
  if (sem.type === 'map' && isObject(item)) {
    const fields: Record<string, unknown> = {};
    for (const k of sem.keys) {
      if (item[k] !== undefined) {
        fields[k] = item[k];
      } else {
        const d = mapChild(elemSchema, k).schema?.default;
        if (d !== undefined) fields[k] = d;
      }
    }
    if (Object.keys(fields).length > 0) return keyElement(fields);
  }
  return { kind: 'index', index };
}

interface IndexedList {
  order: string[];
  items: Map<string, { pe: PathElement; value: unknown; duplicates: unknown[] }>;
}

function indexList(list: unknown[] | undefined, sem: ListSemantics, elemSchema: Schema): IndexedList {
  const out: IndexedList = { order: [], items: new Map() };
  (list ?? []).forEach((item, i) => {
    const pe = listItemPE(sem, elemSchema, i, item);
    const k = peKey(pe);
    const seen = out.items.get(k);
    if (seen) {
      seen.duplicates.push(item); // later occurrences of a key; only a merge keeps them
      return;
    }
    out.items.set(k, { pe, value: item, duplicates: [] });
    out.order.push(k);
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// ToFieldSet

/** The set of fields a value sets: leaves, list items, map elements and atomic nodes. */
export function toFieldSet(value: unknown, schema: Schema): FieldSet {
  const set = new FieldSet();
  walkFieldSet(value, norm(schema), [], set);
  return set;
}

function walkFieldSet(v: unknown, s: Schema, path: Path, set: FieldSet): void {
  const kind = nodeKind(s, v);
  if (kind === 'map') {
    if (isAtomicMap(s)) {
      set.insert(path);
      return;
    }
    if (!isObject(v)) return;
    for (const [k, cv] of Object.entries(v)) {
      if (cv === undefined) continue;
      const mc = mapChild(s, k);
      const p = [...path, field(k)];
      walkFieldSet(cv, mc.schema, p, set);
      if (!mc.named) set.insert(p);
    }
    return;
  }
  if (kind === 'list') {
    const sem = listSemantics(s);
    if (sem.type === 'atomic') {
      set.insert(path);
      return;
    }
    if (!Array.isArray(v)) return;
    const es = itemSchema(s);
    v.forEach((item, i) => {
      const p = [...path, listItemPE(sem, es, i, item)];
      walkFieldSet(item, es, p, set);
      set.insert(p);
    });
    return;
  }
  set.insert(path);
}

// ---------------------------------------------------------------------------------------------
// Compare

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** Paths added, modified and removed going from lhs to rhs (either may be undefined). */
export function compare(lhs: unknown, rhs: unknown, schema: Schema): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  walkCompare(lhs, rhs, norm(schema), [], c);
  return c;
}

function leafRule(l: unknown, r: unknown, path: Path, c: Comparison): void {
  if (l === undefined) c.added.insert(path);
  else if (r === undefined) c.removed.insert(path);
  else if (!deepEqual(l, r)) c.modified.insert(path);
}

function postItem(l: unknown, r: unknown, path: Path, c: Comparison): void {
  if (l === undefined) c.added.insert(path);
  else if (r === undefined) c.removed.insert(path);
}

function walkCompare(l: unknown, r: unknown, s: Schema, path: Path, c: Comparison): void {
  if (l === undefined && r === undefined) return;
  const kind = nodeKind(s, l, r);
  if (kind === 'map') {
    const lm = isObject(l) ? l : undefined;
    const rm = isObject(r) ? r : undefined;
    const lEmpty = !lm || Object.keys(lm).length === 0;
    const rEmpty = !rm || Object.keys(rm).length === 0;
    if (isAtomicMap(s) || (lEmpty && rEmpty)) {
      leafRule(l, r, path, c);
      return;
    }
    const keys = new Set([...Object.keys(lm ?? {}), ...Object.keys(rm ?? {})]);
    for (const k of keys) {
      const lv = lm?.[k];
      const rv = rm?.[k];
      if (lv === undefined && rv === undefined) continue;
      walkCompare(lv, rv, mapChild(s, k).schema, [...path, field(k)], c);
    }
    postItem(l, r, path, c);
    return;
  }
  if (kind === 'list') {
    const sem = listSemantics(s);
    const ll = Array.isArray(l) ? l : undefined;
    const rl = Array.isArray(r) ? r : undefined;
    const lEmpty = !ll || ll.length === 0;
    const rEmpty = !rl || rl.length === 0;
    if (sem.type === 'atomic' || (lEmpty && rEmpty)) {
      leafRule(l, r, path, c);
      return;
    }
    const es = itemSchema(s);
    const li = indexList(ll, sem, es);
    const ri = indexList(rl, sem, es);
    const keys = new Set([...li.order, ...ri.order]);
    for (const k of keys) {
      const le = li.items.get(k);
      const re = ri.items.get(k);
      walkCompare(le?.value, re?.value, es, [...path, (le ?? re)!.pe], c);
    }
    postItem(l, r, path, c);
    return;
  }
  leafRule(l, r, path, c);
}

// ---------------------------------------------------------------------------------------------
// Merge

/** Merges an applied configuration (rhs) into a live value (lhs): rhs wins on leaves. */
export function merge(lhs: unknown, rhs: unknown, schema: Schema): unknown {
  return mergeValues(lhs, rhs, norm(schema));
}

function mergeValues(l: unknown, r: unknown, s: Schema): unknown {
  if (r === undefined) return deepClone(l);
  if (l === undefined) return deepClone(r);
  const kind = nodeKind(s, l, r);
  if (kind === 'map' && !isAtomicMap(s)) {
    const lm = isObject(l) ? l : undefined;
    const rm = isObject(r) ? r : undefined;
    const lEmpty = !lm || Object.keys(lm).length === 0;
    const rEmpty = !rm || Object.keys(rm).length === 0;
    if (lEmpty && rEmpty) return deepClone(r);
    const out: Record<string, unknown> = {};
    for (const [k, lv] of Object.entries(lm ?? {})) {
      if (lv === undefined) continue;
      out[k] = rm && rm[k] !== undefined ? mergeValues(lv, rm[k], mapChild(s, k).schema) : deepClone(lv);
    }
    for (const [k, rv] of Object.entries(rm ?? {})) {
      if (rv === undefined || k in out) continue;
      out[k] = deepClone(rv);
    }
    return out;
  }
  if (kind === 'list') {
    const sem = listSemantics(s);
    const ll = Array.isArray(l) ? l : undefined;
    const rl = Array.isArray(r) ? r : undefined;
    const lEmpty = !ll || ll.length === 0;
    const rEmpty = !rl || rl.length === 0;
    if (sem.type === 'atomic' || (lEmpty && rEmpty)) return deepClone(r);
    const es = itemSchema(s);
    const li = indexList(ll, sem, es);
    const ri = indexList(rl, sem, es);
    const out: unknown[] = [];
    for (const k of mergeListOrder(li.order, ri.order)) {
      const le = li.items.get(k);
      const re = ri.items.get(k);
      if (le && le.duplicates.length > 0) {
        // A live list may repeat a key (env names, say): left alone unless the applied list
        // names that key, which then replaces all of them.
        if (re) out.push(deepClone(re.value));
        else out.push(deepClone(le.value), ...le.duplicates.map((d) => deepClone(d)));
        continue;
      }
      out.push(mergeValues(le?.value, re?.value, es));
    }
    return out;
  }
  return deepClone(r);
}

/**
 * Order of a merged associative list: the applied list's order, with live-only items kept where
 * they were relative to the items both lists share (structured-merge-diff's visitListItems).
 */
export function mergeListOrder(lhs: string[], rhs: string[]): string[] {
  const rhsSet = new Set(rhs);
  const lhsSet = new Set(lhs);
  const sharedOrder = rhs.filter((k) => lhsSet.has(k));
  let nextShared = sharedOrder.shift();
  const merged = new Set<string>();
  const out: string[] = [];
  let lI = 0;
  let rI = 0;
  while (lI < lhs.length || rI < rhs.length) {
    if (lI < lhs.length && merged.has(lhs[lI])) {
      lI++;
      continue;
    }
    if (lI < lhs.length && rI < rhs.length) {
      const pe = lhs[lI];
      if (pe === rhs[rI]) {
        out.push(pe);
        merged.add(pe);
        lI++;
        rI++;
        nextShared = sharedOrder.shift();
        continue;
      }
      if (rhsSet.has(pe) && nextShared !== undefined && nextShared !== pe) {
        lI++;
        continue;
      }
    }
    if (lI < lhs.length && !rhsSet.has(lhs[lI])) {
      out.push(lhs[lI]);
      lI++;
      continue;
    }
    if (rI < rhs.length) {
      const pe = rhs[rI];
      if (!merged.has(pe)) {
        out.push(pe);
        merged.add(pe);
      }
      rI++;
      if (nextShared === pe) nextShared = sharedOrder.shift();
      continue;
    }
    lI++; // only reachable for an lhs item already emitted from rhs
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// RemoveItems

const EMPTIED = Symbol('emptied');

/**
 * Removes from value every path that is a member of toRemove (a member list item or field goes
 * whole). A map or list emptied by the removal disappears from its parent.
 */
export function removeItems(value: unknown, toRemove: FieldSet, schema: Schema): unknown {
  const out = walkRemove(value, toRemove, norm(schema));
  if (out === EMPTIED) return isObject(value) ? {} : Array.isArray(value) ? [] : value;
  return out;
}

function walkRemove(v: unknown, set: FieldSet, s: Schema): unknown {
  if (isObject(v)) {
    if (isAtomicMap(s) || Object.keys(v).length === 0) return v;
    const out: Record<string, unknown> = {};
    for (const [k, cv] of Object.entries(v)) {
      const pe = field(k);
      if (set.has([pe])) continue;
      const sub = set.withPrefix(pe);
      if (sub.isEmpty()) {
        out[k] = cv;
        continue;
      }
      const nv = walkRemove(cv, sub, mapChild(s, k).schema);
      if (nv !== EMPTIED) out[k] = nv;
    }
    return Object.keys(out).length === 0 ? EMPTIED : out;
  }
  if (Array.isArray(v)) {
    const sem = listSemantics(s);
    if (sem.type === 'atomic' || v.length === 0) return v;
    const es = itemSchema(s);
    const out: unknown[] = [];
    v.forEach((item, i) => {
      const pe = listItemPE(sem, es, i, item);
      if (set.has([pe])) return;
      const sub = set.withPrefix(pe);
      if (sub.isEmpty()) {
        out.push(item);
        return;
      }
      const nv = walkRemove(item, sub, es);
      if (nv !== EMPTIED) out.push(nv);
    });
    return out.length === 0 ? EMPTIED : out;
  }
  return v;
}
