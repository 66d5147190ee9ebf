// resource.Quantity arithmetic sufficient for comparisons: a quantity is parsed exactly into nano-units
// (BigInt), rounding sub-nano fractions up as Kubernetes does.

import { QUANTITY_PATTERN, type Quantity } from '../../meta/v1/types.js';

const QUANTITY_RE = new RegExp(QUANTITY_PATTERN);
const DECIMAL_SUFFIX: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIX: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

/** Parses a quantity into nano-units (1 = 1n, 1e9 = "1"); throws on a malformed quantity. */
export function parseQuantity(q: Quantity): bigint {
  const s = typeof q === 'number' ? String(q) : q.trim();
  if (typeof q === 'number' && !Number.isInteger(q)) throw new Error(`quantity ${q} must be an integer or a string`);
  if (!QUANTITY_RE.test(s)) throw new Error(`quantities must match the regular expression '${QUANTITY_PATTERN}'`);
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(.*)$/.exec(s)!;
  const sign = m[1] === '-' ? -1n : 1n;
  const intPart = m[2] || '0';
  const frac = m[3] ?? '';
  const suffix = m[4] ?? '';
  let exp10 = 0;
  let exp2 = 0;
  if (suffix in BINARY_SUFFIX) exp2 = BINARY_SUFFIX[suffix]!;
  else if (suffix in DECIMAL_SUFFIX) exp10 = DECIMAL_SUFFIX[suffix]!;
  else if (/^[eE]/.test(suffix)) exp10 = Number(suffix.slice(1));
  else throw new Error(`unable to parse quantity's suffix ${JSON.stringify(suffix)}`);
  let mant = BigInt(intPart + frac);
  let scale = 9 + exp10 - frac.length; // nano = mant * 10^scale * 2^exp2
  mant *= 1n << BigInt(exp2);
  let nano: bigint;
  if (scale >= 0) nano = mant * 10n ** BigInt(scale);
  else {
    const div = 10n ** BigInt(-scale);
    nano = (mant + div - 1n) / div; // round up
  }
  return sign * nano;
}

/** -1, 0 or 1 as a < b, a == b, a > b. */
export function compareQuantities(a: Quantity, b: Quantity): number {
  const x = parseQuantity(a);
  const y = parseQuantity(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function isValidQuantity(q: unknown): q is Quantity {
  if (typeof q === 'number') return Number.isInteger(q);
  if (typeof q !== 'string') return false;
  try {
    parseQuantity(q);
    return true;
  } catch {
    return false;
  }
}

/** The value in whole units, rounded up (Quantity.Value()). */
export function quantityValue(q: Quantity): bigint {
  const n = parseQuantity(q);
  const unit = 1_000_000_000n;
  return n >= 0n ? (n + unit - 1n) / unit : n / unit;
}

/** The value in milli-units, rounded up (Quantity.MilliValue()). */
export function quantityMilliValue(q: Quantity): bigint {
  const n = parseQuantity(q);
  const unit = 1_000_000n;
  return n >= 0n ? (n + unit - 1n) / unit : n / unit;
}

export const MAX_INT64 = 9223372036854775807n;
