// RFC 6902 JSON patch (application/json-patch+json) and RFC 7396 JSON merge patch
// (application/merge-patch+json), with the error wording of the evanphx/json-patch library
// kube-apiserver uses, so a failing patch reports which operation and path did not apply.

import fjp from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { PatchError, badRequest } from './errors.js';
import { deepClone, deepEqual, isObject } from './util.js';

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

function unescapeToken(t: string): string {
  return t.replace(/~1/g, '/').replace(/~0/g, '~');
}

function splitPointer(path: string): string[] | undefined {
  if (path === '') return [];
  if (!path.startsWith('/')) return undefined;
  return path.slice(1).split('/').map(unescapeToken);
}

type Lookup = { found: true; value: unknown } | { found: false };

function getAt(doc: unknown, tokens: string[]): Lookup {
  let cur: unknown = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) {
      if (!/^(0|[1-9][0-9]*)$/.test(t)) return { found: false };
      const i = Number(t);
      if (i >= cur.length) return { found: false };
      cur = cur[i];
    } else if (isObject(cur)) {
      if (!Object.prototype.hasOwnProperty.call(cur, t)) return { found: false };
      cur = cur[t];
    } else {
      return { found: false };
    }
  }
  return { found: true, value: cur };
}

/** Container of the last token, as evanphx findObject does (undefined when the parent path is missing). */
function parentOf(doc: unknown, tokens: string[]): unknown {
  const p = getAt(doc, tokens.slice(0, -1));
  if (!p.found) return undefined;
  if (!isObject(p.value) && !Array.isArray(p.value)) return undefined;
  return p.value;
}

function arrayIndex(token: string, length: number, forAdd: boolean): number | undefined {
  if (forAdd && token === '-') return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
  const i = Number(token);
  if (forAdd ? i > length : i >= length) return undefined;
  return i;
}

function missing(msg: string, index: number, op: unknown): PatchError {
  return new PatchError(`${msg}: missing value`, 422, 'Invalid', index, op);
}

function checkOperation(doc: unknown, raw: unknown, index: number): Operation {
  if (!isObject(raw)) throw new PatchError(`invalid JSON patch operation at index ${index}: not an object`, 400, 'BadRequest', index, raw);
  const kind = raw.op;
  if (typeof kind !== 'string' || !OPS.has(kind)) {
    throw new PatchError(`Unexpected kind: ${typeof kind === 'string' ? kind : 'unknown'}`, 422, 'Invalid', index, raw);
  }
  if (typeof raw.path !== 'string') {
    throw new PatchError(`${kind} operation failed to decode path`, 422, 'Invalid', index, raw);
  }
  const path = raw.path;
  const tokens = splitPointer(path);
  if (!tokens) throw new PatchError(`${kind} operation does not apply: invalid path: "${path}"`, 422, 'Invalid', index, raw);
  if ((kind === 'add' || kind === 'replace' || kind === 'test') && !('value' in raw)) {
    throw new PatchError(`${kind} operation missing value for path: '${path}'`, 422, 'Invalid', index, raw);
  }
  const last = tokens[tokens.length - 1];
  switch (kind) {
    case 'add': {
      if (tokens.length === 0) break;
      const con = parentOf(doc, tokens);
      if (con === undefined) throw missing(`add operation does not apply: doc is missing path: "${path}"`, index, raw);
      if (Array.isArray(con) && arrayIndex(last, con.length, true) === undefined) {
        throw new PatchError(
          `error in add for path: '${path}': Unable to access invalid index: ${last}: invalid index referenced`,
          422,
          'Invalid',
          index,
          raw,
        );
      }
      break;
    }
    case 'remove': {
      if (tokens.length === 0) throw missing(`remove operation does not apply: doc is missing path: "${path}"`, index, raw);
      const con = parentOf(doc, tokens);
      if (con === undefined) throw missing(`remove operation does not apply: doc is missing path: "${path}"`, index, raw);
      if (Array.isArray(con)) {
        if (arrayIndex(last, con.length, false) === undefined) {
          throw new PatchError(
            `error in remove for path: '${path}': Unable to access invalid index: ${last}: invalid index referenced`,
            422,
            'Invalid',
            index,
            raw,
          );
        }
      } else if (!Object.prototype.hasOwnProperty.call(con, last)) {
        throw missing(`error in remove for path: '${path}': Unable to remove nonexistent key: ${last}`, index, raw);
      }
      break;
    }
    case 'replace': {
      if (tokens.length === 0) break;
      const con = parentOf(doc, tokens);
      if (con === undefined) throw missing(`replace operation does not apply: doc is missing path: ${path}`, index, raw);
      if (!getAt(doc, tokens).found) throw missing(`replace operation does not apply: doc is missing key: ${path}`, index, raw);
      break;
    }
    case 'move':
    case 'copy': {
      if (typeof raw.from !== 'string') throw new PatchError(`${kind} operation failed to decode from`, 422, 'Invalid', index, raw);
      const from = splitPointer(raw.from);
      if (!from || !getAt(doc, from).found) {
        throw missing(`${kind} operation does not apply: doc is missing from path: ${raw.from}`, index, raw);
      }
      if (kind === 'move' && tokens.length > from.length && from.every((t, i) => tokens[i] === t)) {
        throw new PatchError(`move operation does not apply: cannot move ${raw.from} into its own child ${path}`, 422, 'Invalid', index, raw);
      }
      if (tokens.length > 0) {
        // The destination is checked against the document after removal (move) as evanphx does.
        let after = doc;
        if (kind === 'move') {
          after = deepClone(doc);
          fjp.applyOperation(after, { op: 'remove', path: raw.from }, false, true);
        }
        const con = parentOf(after, tokens);
        if (con === undefined) throw missing(`${kind} operation does not apply: doc is missing destination path: ${path}`, index, raw);
        if (Array.isArray(con) && arrayIndex(last, con.length, true) === undefined) {
          throw new PatchError(
            `error in ${kind} for path: '${path}': Unable to access invalid index: ${last}: invalid index referenced`,
            422,
            'Invalid',
            index,
            raw,
          );
        }
      }
      break;
    }
    case 'test': {
      if (tokens.length > 0 && parentOf(doc, tokens) === undefined) {
        throw missing(`test operation does not apply: is missing path: ${path}`, index, raw);
      }
      const got = getAt(doc, tokens);
      // evanphx treats a missing member as equal to null.
      const equal = got.found ? deepEqual(got.value, raw.value) : raw.value === null;
      if (!equal) {
        throw new PatchError(`testing value ${path} failed: test failed`, 422, 'Invalid', index, raw);
      }
      break;
    }
  }
  return raw as unknown as Operation;
}

/**
 * Applies an RFC 6902 patch to a copy of obj. Throws PatchError naming the failing operation
 * (400 when the patch document itself is malformed, 422 when an operation does not apply).
 */
export function applyJsonPatch<T = unknown>(obj: T, ops: unknown): T {
  if (!Array.isArray(ops)) {
    throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  }
  let doc: unknown = deepClone(obj);
  ops.forEach((raw, index) => {
    const op = checkOperation(doc, raw, index);
    if (op.op === 'test') return;
    try {
      doc = fjp.applyOperation(doc, deepClone(op), false, true, true, index).newDocument;
    } catch (e) {
      const m = e instanceof Error ? e.message.split('\n')[0] : String(e);
      throw new PatchError(`error in ${op.op} for path: '${op.path}': ${m}`, 422, 'Invalid', index, raw);
    }
  });
  return doc as T;
}

/**
 * Applies an RFC 7396 merge patch: null deletes, objects merge recursively, anything else (arrays
 * included) replaces. Kubernetes requires the patch document to be a JSON object.
 */
export function applyMergePatch<T = unknown>(obj: T, patch: unknown): T {
  if (!isObject(patch)) throw badRequest('Invalid JSON Patch');
  return mergeValue(obj, patch) as T;
}

function mergeValue(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return deepClone(patch);
  const out: Record<string, unknown> = isObject(target) ? deepClone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergeValue(out[k], v);
  }
  return out;
}
