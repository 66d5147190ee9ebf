// Field paths and field sets as sigs.k8s.io/structured-merge-diff models them, with the FieldsV1
// encoding used in metadata.managedFields:
//   f:<name>          a map field
//   k:{"name":"x"}    an element of a map-list, by its key fields (sorted)
//   v:"x"             an element of a set-list, by value
//   i:<n>             a list element by index
//   .                 the parent path itself is a member (and has children)

import { isObject, stableStringify } from './util.js';
import { itemSchema, mapChild, type Schema } from './schemanav.js';

export type PathElement =
  | { kind: 'field'; name: string }
  | { kind: 'key'; fields: [string, unknown][] }
  | { kind: 'value'; value: unknown }
  | { kind: 'index'; index: number };

export type Path = PathElement[];

export const field = (name: string): PathElement => ({ kind: 'field', name });

export function keyElement(fields: Record<string, unknown>): PathElement {
  return {
    kind: 'key',
    fields: Object.keys(fields)
      .sort()
      .map((k) => [k, fields[k]] as [string, unknown]),
  };
}

/** The FieldsV1 key of a path element. */
export function peKey(pe: PathElement): string {
  switch (pe.kind) {
    case 'field':
      return `f:${pe.name}`;
    case 'key':
      return `k:${stableStringify(Object.fromEntries(pe.fields))}`;
    case 'value':
      return `v:${stableStringify(pe.value)}`;
    case 'index':
      return `i:${pe.index}`;
  }
}

export function parsePeKey(s: string): PathElement {
  const tag = s.slice(0, 2);
  const rest = s.slice(2);
  switch (tag) {
    case 'f:':
      return { kind: 'field', name: rest };
    case 'k:': {
      const obj = JSON.parse(rest) as unknown;
      if (!isObject(obj)) throw new Error(`invalid key path element ${s}`);
      return keyElement(obj);
    }
    case 'v:':
      return { kind: 'value', value: JSON.parse(rest) as unknown };
    case 'i:': {
      const n = Number(rest);
      if (!Number.isInteger(n)) throw new Error(`invalid index path element ${s}`);
      return { kind: 'index', index: n };
    }
    default:
      throw new Error(`unknown path element type ${JSON.stringify(s)}`);
  }
}

/** Go's structured-merge-diff value.ToString, used when printing paths. */
function valueToString(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(valueToString).join(',')}]`;
  if (isObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${k}=${valueToString(v[k])}`)
      .join(';')}}`;
  }
  return String(v);
}

/** A path element as Kubernetes prints it in conflict messages (".name", `[name="x"]`, `[="x"]`, "[0]"). */
export function peString(pe: PathElement): string {
  switch (pe.kind) {
    case 'field':
      return `.${pe.name}`;
    case 'key':
      return `[${pe.fields.map(([n, v]) => `${n}=${valueToString(v)}`).join(',')}]`;
    case 'value':
      return `[=${valueToString(pe.value)}]`;
    case 'index':
      return `[${pe.index}]`;
  }
}

export function pathString(p: Path): string {
  return p.map(peString).join('');
}

const KIND_ORDER = { field: 0, key: 1, value: 2, index: 3 } as const;

function comparePe(a: PathElement, b: PathElement): number {
  if (a.kind !== b.kind) return KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
  if (a.kind === 'field' && b.kind === 'field') return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  if (a.kind === 'index' && b.kind === 'index') return a.index - b.index;
  const ka = peKey(a);
  const kb = peKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

interface Child {
  pe: PathElement;
  set: FieldSet;
}

/** A set of field paths: `members` at this level and, per path element, the set below it. */
export class FieldSet {
  readonly members = new Map<string, PathElement>();
  readonly children = new Map<string, Child>();

  static of(...paths: Path[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  insert(path: Path): void {
    if (path.length === 0) return;
    let cur: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) {
      const k = peKey(path[i]);
      let c = cur.children.get(k);
      if (!c) {
        c = { pe: path[i], set: new FieldSet() };
        cur.children.set(k, c);
      }
      cur = c.set;
    }
    const last = path[path.length - 1];
    cur.members.set(peKey(last), last);
  }

  has(path: Path): boolean {
    if (path.length === 0) return false;
    let cur: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) {
      const c = cur.children.get(peKey(path[i]));
      if (!c) return false;
      cur = c.set;
    }
    return cur.members.has(peKey(path[path.length - 1]));
  }

  isEmpty(): boolean {
    if (this.members.size > 0) return false;
    for (const c of this.children.values()) if (!c.set.isEmpty()) return false;
    return true;
  }

  /** The set below one path element (empty when there is none). */
  withPrefix(pe: PathElement): FieldSet {
    return this.children.get(peKey(pe))?.set ?? new FieldSet();
  }

  copy(): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) out.members.set(k, pe);
    for (const [k, c] of this.children) out.children.set(k, { pe: c.pe, set: c.set.copy() });
    return out;
  }

  union(o: FieldSet): FieldSet {
    const out = this.copy();
    for (const [k, pe] of o.members) out.members.set(k, pe);
    for (const [k, c] of o.children) {
      const mine = out.children.get(k);
      out.children.set(k, { pe: c.pe, set: mine ? mine.set.union(c.set) : c.set.copy() });
    }
    return out;
  }

  intersection(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (o.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const other = o.children.get(k);
      if (!other) continue;
      const s = c.set.intersection(other.set);
      if (!s.isEmpty()) out.children.set(k, { pe: c.pe, set: s });
    }
    return out;
  }

  /** Paths of this set that are not paths of o (membership compared level by level). */
  difference(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!o.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const other = o.children.get(k);
      const s = other ? c.set.difference(other.set) : c.set.copy();
      if (!s.isEmpty()) out.children.set(k, { pe: c.pe, set: s });
    }
    return out;
  }

  /** Like difference, and also drops everything below a member of o. */
  recursiveDifference(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!o.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      if (o.members.has(k)) continue;
      const other = o.children.get(k);
      const s = other ? c.set.recursiveDifference(other.set) : c.set.copy();
      if (!s.isEmpty()) out.children.set(k, { pe: c.pe, set: s });
    }
    return out;
  }

  equals(o: FieldSet): boolean {
    return this.difference(o).isEmpty() && o.difference(this).isEmpty();
  }

  /**
   * Adds as members the struct fields (schema `properties`) that have members below them, as
   * structured-merge-diff's EnsureNamedFieldsAreMembers does before pruning.
   */
  ensureNamedFieldsAreMembers(schema: Schema): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      let childSchema: Schema;
      if (pe_isField(c.pe)) {
        const mc = mapChild(schema, c.pe.name);
        if (mc.named && !c.set.isEmpty()) out.members.set(k, c.pe);
        childSchema = mc.schema;
      } else {
        childSchema = itemSchema(schema);
      }
      const s = c.set.ensureNamedFieldsAreMembers(childSchema);
      if (!s.isEmpty()) out.children.set(k, { pe: c.pe, set: s });
    }
    return out;
  }

  /** Every member path: this level's members first, then each child's, in path-element order. */
  paths(prefix: Path = []): Path[] {
    const out: Path[] = [];
    const members = [...this.members.values()].sort(comparePe);
    for (const pe of members) out.push([...prefix, pe]);
    const children = [...this.children.values()].sort((a, b) => comparePe(a.pe, b.pe));
    for (const c of children) out.push(...c.set.paths([...prefix, c.pe]));
    return out;
  }

  /** FieldsV1 JSON (the `fieldsV1` object of a managedFields entry). */
  toFieldsV1(): Record<string, unknown> {
    const entries = new Map<string, PathElement>();
    for (const [k, pe] of this.members) entries.set(k, pe);
    for (const [k, c] of this.children) if (!c.set.isEmpty()) entries.set(k, c.pe);
    const keys = [...entries.entries()].sort((a, b) => comparePe(a[1], b[1])).map(([k]) => k);
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const child = this.children.get(k);
      const isMember = this.members.has(k);
      if (child && !child.set.isEmpty()) {
        const sub = child.set.toFieldsV1();
        out[k] = isMember ? { '.': {}, ...sub } : sub;
      } else {
        out[k] = {};
      }
    }
    return out;
  }

  static fromFieldsV1(v: unknown): FieldSet {
    const out = new FieldSet();
    if (v === undefined || v === null) return out;
    if (!isObject(v)) throw new Error('FieldsV1 must be a JSON object');
    for (const [k, sub] of Object.entries(v)) {
      if (k === '.') continue;
      const pe = parsePeKey(k);
      if (!isObject(sub)) throw new Error(`FieldsV1 entry ${k} must be a JSON object`);
      const keys = Object.keys(sub);
      if (keys.length === 0 || '.' in sub) out.members.set(k, pe);
      if (keys.some((x) => x !== '.')) {
        const child = FieldSet.fromFieldsV1(sub);
        if (!child.isEmpty()) out.children.set(k, { pe, set: child });
      }
    }
    return out;
  }

  /** Builds a set from paths written as string arrays of field names, e.g. [['status'], ['spec','x']]. */
  static fromFieldNames(paths: string[][]): FieldSet {
    return FieldSet.of(...paths.map((p) => p.map(field)));
  }
}

function pe_isField(pe: PathElement): pe is { kind: 'field'; name: string } {
  return pe.kind === 'field';
}
