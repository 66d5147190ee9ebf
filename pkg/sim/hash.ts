// Deterministic names and hashes, in the way of the Kubernetes controllers: FNV-1a over the object and
// rand.SafeEncodeString for the text (no vowels, no look-alike digits, so a hash never spells a word).

import { createHash } from 'node:crypto';

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function fnv32a(s: string): number {
  let h = 0x811c9dc5;
  const bytes = Buffer.from(s, 'utf8');
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** k8s.io/apimachinery/pkg/util/rand.SafeEncodeString. */
export function safeEncode(s: string): string {
  let out = '';
  for (const ch of Buffer.from(s, 'utf8')) out += SAFE_ALPHABET[ch % SAFE_ALPHABET.length];
  return out;
}

/** JSON with sorted object keys: the same value always hashes the same. */
export function canonicalJSON(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJSON).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJSON(o[k])}`).join(',')}}`;
}

/** controller.ComputeHash: the pod-template-hash / controller-revision-hash of a template. */
export function computeHash(template: unknown, collisionCount = 0): string {
  return safeEncode(String(fnv32a(canonicalJSON(template) + (collisionCount ? String(collisionCount) : ''))));
}

/** A stable pseudo-random 32-bit number from strings (scheduler tie-breaks, fake IDs). */
export function stableHash(...parts: string[]): number {
  return fnv32a(parts.join('\u0000'));
}

/** 64 hex characters derived from the input (container IDs, image digests, machine IDs). */
export function fakeHex(seed: string, length = 64): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length);
}
