// Parsing and applying taint specs the way `kubectl taint` does: "key=value:Effect" and "key:Effect" add,
// "key:Effect-" and "key-" remove; adding a key+effect that exists needs --overwrite.

import type { Taint } from '../../apis/core/v1/types.js';
import { TAINT_EFFECTS } from '../../apis/core/v1/types.js';

export interface ParsedTaints {
  add: Taint[];
  remove: Taint[];
}

const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkEffect(effect: string, spec: string): void {
  if (!(TAINT_EFFECTS as readonly string[]).includes(effect)) {
    throw new Error(`invalid taint effect "${effect}" in "${spec}": use one of ${TAINT_EFFECTS.join(', ')}`);
  }
}

function checkKey(key: string, spec: string): void {
  if (!key || key.length > 316 || !QUALIFIED_NAME.test(key)) throw new Error(`invalid taint key "${key}" in "${spec}": use a qualified name such as "dedicated" or "example.com/gpu"`);
}

export function parseTaints(specs: readonly string[]): ParsedTaints {
  const add: Taint[] = [];
  const remove: Taint[] = [];
  for (const spec of specs) {
    if (spec.endsWith('-')) {
      const body = spec.slice(0, -1);
      const [key, effect] = body.split(':') as [string, string | undefined];
      checkKey(key, spec);
      if (effect !== undefined) checkEffect(effect, spec);
      remove.push(effect === undefined ? { key, effect: '' } : { key, effect });
      continue;
    }
    const colon = spec.lastIndexOf(':');
    if (colon < 0) throw new Error(`invalid taint spec "${spec}": use key=value:Effect, key:Effect, key:Effect- or key-`);
    const kv = spec.slice(0, colon);
    const effect = spec.slice(colon + 1);
    checkEffect(effect, spec);
    const eq = kv.indexOf('=');
    const key = eq < 0 ? kv : kv.slice(0, eq);
    const value = eq < 0 ? '' : kv.slice(eq + 1);
    checkKey(key, spec);
    if (value.length > 63 || !LABEL_VALUE.test(value)) throw new Error(`invalid taint value "${value}" in "${spec}": at most 63 letters, digits, '-', '_' or '.'`);
    if (add.some((t) => t.key === key && t.effect === effect)) throw new Error(`duplicated taints with the same key and effect: ${key}:${effect}`);
    add.push(value ? { key, value, effect } : { key, effect });
  }
  for (const r of remove) {
    if (add.some((a) => a.key === r.key && (!r.effect || a.effect === r.effect))) throw new Error(`cannot both modify and remove taint "${r.key}${r.effect ? `:${r.effect}` : ''}"`);
  }
  if (!add.length && !remove.length) throw new Error('at least one taint update is required');
  return { add, remove };
}

export interface TaintResult {
  taints: Taint[];
  operation: 'tainted' | 'untainted' | 'modified';
}

/** New taint list; throws when a removed taint is missing or an existing one would change without overwrite. */
export function applyTaints(current: readonly Taint[] | undefined, parsed: ParsedTaints, opts: { overwrite?: boolean; now?: string; owner?: string } = {}): TaintResult {
  let taints = [...(current ?? [])];
  let replaced = false;
  for (const r of parsed.remove) {
    const before = taints.length;
    taints = taints.filter((t) => !(t.key === r.key && (!r.effect || t.effect === r.effect)));
    if (taints.length === before) throw new Error(`taint "${r.key}${r.effect ? `:${r.effect}` : ''}" not found`);
  }
  for (const a of parsed.add) {
    const i = taints.findIndex((t) => t.key === a.key && t.effect === a.effect);
    const next: Taint = { ...a, ...(a.effect === 'NoExecute' && opts.now ? { timeAdded: opts.now } : {}) };
    if (i >= 0) {
      if (!opts.overwrite) throw new Error(`${opts.owner ?? 'the object'} already has ${a.key} taint(s) with same effect(s) and --overwrite is false`);
      taints[i] = next;
      replaced = true;
    } else {
      taints.push(next);
    }
  }
  const operation = parsed.remove.length && !parsed.add.length ? 'untainted' : replaced || (parsed.remove.length && parsed.add.length) ? 'modified' : 'tainted';
  return { taints, operation };
}
