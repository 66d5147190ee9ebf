// resource.Quantity parsing for the simulated scheduler and kubelet: "100m", "0.5", "2Gi", "1e3", "512M".
// Values are plain numbers in base units (cores, bytes, counts); CPU is compared in millicores.

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** Parses a quantity; throws with the accepted forms when the string is not one. */
export function parseQuantity(q: string | number): number {
  if (typeof q === 'number') return q;
  const m = QUANTITY.exec(q.trim());
  if (!m) throw new Error(`invalid quantity "${q}": use a number with an optional suffix (100m, 2, 1.5, 512Mi, 32Gi, 1G)`);
  const n = Number(m[1]);
  const suffix = m[2] ?? '';
  if (suffix in BINARY) return n * BINARY[suffix]!;
  if (suffix in DECIMAL) return n * DECIMAL[suffix]!;
  return n * 10 ** Number(suffix.slice(1));
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
