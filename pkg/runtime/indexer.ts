// The informer's indexed cache (client-go's cache.Indexer): objects by key plus any number of named
// secondary indexes (by namespace, by a label's value, by a field's value, by anything a function
// computes). Objects handed out are the cached instances: treat them as read-only.

import { objectKey, type KubeObject } from './types.js';

/** Values an object is indexed under (an object may have several, or none). */
export type IndexFunc<T> = (obj: T) => string[];

export const NAMESPACE_INDEX = 'namespace';

export function indexByNamespace(obj: KubeObject): string[] {
  return [obj.metadata?.namespace ?? ''];
}

/** Indexes objects by the value of one label (objects without the label are not indexed). */
export function indexByLabel(labelKey: string): IndexFunc<KubeObject> {
  return (obj) => {
    const v = obj.metadata?.labels?.[labelKey];
    return v === undefined ? [] : [v];
  };
}

/** Reads a dotted field path ("spec.nodeName", "metadata.labels.app"). */
export function fieldValue(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Indexes objects by the value of a scalar field (arrays index every element). */
export function indexByField(path: string): IndexFunc<KubeObject> {
  return (obj) => {
    const v = fieldValue(obj, path);
    if (v === undefined || v === null) return [];
    if (Array.isArray(v)) return v.filter((x) => x !== null && typeof x !== 'object').map(String);
    return typeof v === 'object' ? [] : [String(v)];
  };
}

export class Indexer<T extends KubeObject = KubeObject> {
  private readonly items = new Map<string, T>();
  private readonly indexFuncs = new Map<string, IndexFunc<T>>();
  /** index name -> indexed value -> keys */
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(
    indexers: Record<string, IndexFunc<T>> = {},
    readonly keyFunc: (obj: T) => string = objectKey,
  ) {
    this.addIndexers(indexers);
  }

  /** Adds indexes (also after objects were stored: they are indexed at once). */
  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      if (this.indexFuncs.has(name)) throw new Error(`index "${name}" already exists`);
      this.indexFuncs.set(name, fn);
      const index = new Map<string, Set<string>>();
      this.indices.set(name, index);
      for (const [key, obj] of this.items) this.indexOne(fn, index, key, obj);
    }
  }

  hasIndex(name: string): boolean {
    return this.indexFuncs.has(name);
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  /** Looks an object up by namespace and name ('' or undefined namespace for cluster-scoped). */
  getByName(name: string, namespace?: string): T | undefined {
    return this.items.get(namespace ? `${namespace}/${name}` : name);
  }

  has(key: string): boolean {
    return this.items.has(key);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  listKeys(): string[] {
    return [...this.items.keys()];
  }

  get size(): number {
    return this.items.size;
  }

  /** Objects whose index function returned value. */
  byIndex(indexName: string, value: string): T[] {
    return this.indexKeys(indexName, value).map((k) => this.items.get(k)!);
  }

  indexKeys(indexName: string, value: string): string[] {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`index "${indexName}" does not exist`);
    return [...(index.get(value) ?? [])];
  }

  /** Every value the index currently holds. */
  indexValues(indexName: string): string[] {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`index "${indexName}" does not exist`);
    return [...index.keys()];
  }

  // ---- mutations (the informer owns these) ----

  /** Inserts or replaces; returns the previous object. */
  upsert(obj: T): T | undefined {
    const key = this.keyFunc(obj);
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    this.items.set(key, obj);
    for (const [name, fn] of this.indexFuncs) this.indexOne(fn, this.indices.get(name)!, key, obj);
    return old;
  }

  /** Removes by key; returns the removed object. */
  remove(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  clear(): void {
    this.items.clear();
    for (const index of this.indices.values()) index.clear();
  }

  private indexOne(fn: IndexFunc<T>, index: Map<string, Set<string>>, key: string, obj: T): void {
    let values: string[];
    try {
      values = fn(obj);
    } catch {
      values = [];
    }
    for (const v of values) {
      let set = index.get(v);
      if (!set) index.set(v, (set = new Set()));
      set.add(key);
    }
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of this.indexFuncs) {
      const index = this.indices.get(name)!;
      let values: string[];
      try {
        values = fn(obj);
      } catch {
        values = [];
      }
      for (const v of values) {
        const set = index.get(v);
        if (!set) continue;
        set.delete(key);
        if (!set.size) index.delete(v);
      }
    }
  }
}
