// resource.Quantity parsing for the simulated scheduler and kubelet: "100m", "0.5", "2Gi", "1e3", "512M".
// Values are plain numbers in base units (cores, bytes, counts); CPU is compared in millicores.

import { parseQuantity as parseExactQuantity } from '../apis/core/v1/quantity.js';

/** Parses a quantity (exactly, via the API's parser) into base units; throws with the accepted forms when malformed. */
export function parseQuantity(q: string | number): number {
  if (typeof q === 'number') return q;
  try {
    return Number(parseExactQuantity(q.trim())) / 1e9;
  } catch {
    throw new Error(`invalid quantity "${q}": use a number with an optional suffix (100m, 2, 1.5, 512Mi, 32Gi, 1G)`);
  }
}

/** Parses leniently: undefined for missing or malformed values (objects written by clients). */
export function tryParseQuantity(q: unknown): number | undefined {
  if (typeof q !== 'string' && typeof q !== 'number') return undefined;
  try {
    return parseQuantity(q);
  } catch {
    return undefined;
  }
}

/**
 * The scheduler's unit for a resource: millicores for cpu (Quantity.MilliValue rounds up), whole units
 * (bytes, counts) for everything else (Quantity.Value rounds up).
 */
export function schedulingValue(resource: string, q: unknown): number {
  const v = tryParseQuantity(q) ?? 0;
  return resource === 'cpu' ? Math.ceil(Math.round(v * 1e9) / 1e6) : Math.ceil(Math.round(v * 1e6) / 1e6);
}
