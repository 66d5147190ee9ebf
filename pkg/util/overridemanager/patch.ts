// JSON patches as the override manager builds them (upstream's overrideOption) and JSON pointer helpers.
// Patches are applied with the API server's RFC 6902 implementation, which follows evanphx/json-patch,
// the library upstream applies overrides with, so a failing override reads the same.

import { applyJsonPatch } from '../../apiserver/patch/jsonpatch.js';

export type OverrideOp = 'add' | 'remove' | 'replace';

/** One JSON patch operation (upstream overrideOption). */
export interface OverrideOption {
  op: OverrideOp;
  path: string;
  value?: unknown;
}

/** Applies the operations in order to a copy of doc; throws the patch error of the first one that does not apply. */
export function applyOverrideOptions<T>(doc: T, ops: readonly OverrideOption[]): T {
  if (ops.length === 0) return doc;
  return applyJsonPatch(doc, ops.map((o) => (o.op === 'remove' ? { op: o.op, path: o.path } : { op: o.op, path: o.path, value: o.value ?? null })));
}

/** RFC 6901 escaping of one reference token ("a/b" becomes "a~1b"). */
export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The reference tokens of an RFC 6901 pointer; throws when it is neither empty nor starts with "/". */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`JSON pointer ${JSON.stringify(pointer)} must be empty or start with a "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value a pointer designates; throws naming the first token that does not resolve. */
export function getByPointer(doc: unknown, tokens: readonly string[]): unknown {
  let cur = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) {
      if (!/^(0|[1-9][0-9]*)$/.test(t) || Number(t) >= cur.length) throw new Error(`index out of bounds array[0,${cur.length}] index '${t}'`);
      cur = cur[Number(t)];
    } else if (isPlainObject(cur)) {
      if (!Object.prototype.hasOwnProperty.call(cur, t)) throw new Error(`object has no key ${JSON.stringify(t)}`);
      cur = cur[t];
    } else {
      throw new Error(`invalid token reference ${JSON.stringify(t)}: not an object or array`);
    }
  }
  return cur;
}

/**
 * JSON text as Go's encoding/json writes it: like JSON.stringify, but <, >, & and U+2028/U+2029 are
 * escaped. These characters only occur inside string literals, so replacing them everywhere is safe.
 */
export function goJSONStringify(v: unknown): string {
  return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
