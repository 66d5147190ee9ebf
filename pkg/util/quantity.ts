// resource.Quantity formatting in Kubernetes' canonical forms (parsing lives in pkg/apis/core/v1/quantity):
// DecimalSI ("1500m", "2", "3k", "4M") and BinarySI ("8Gi", "1500"), from exact nano-unit BigInts.

export type QuantityFormat = 'DecimalSI' | 'BinarySI';

const NANO = 1_000_000_000n;
const DECIMAL_UP: [string, bigint][] = [
  ['E', 10n ** 18n],
  ['P', 10n ** 15n],
  ['T', 10n ** 12n],
  ['G', 10n ** 9n],
  ['M', 10n ** 6n],
  ['k', 10n ** 3n],
];
const BINARY_UP: [string, bigint][] = [
  ['Ei', 1n << 60n],
  ['Pi', 1n << 50n],
  ['Ti', 1n << 40n],
  ['Gi', 1n << 30n],
  ['Mi', 1n << 20n],
  ['Ki', 1n << 10n],
];

/** The format a quantity string was written in (what Quantity.Add keeps for sums). */
export function formatOf(q: string | number): QuantityFormat {
  return typeof q === 'string' && /[KMGTPE]i$/.test(q.trim()) ? 'BinarySI' : 'DecimalSI';
}

/** Canonical string of a value given in nano-units. */
export function formatNano(nano: bigint, format: QuantityFormat = 'DecimalSI'): string {
  if (nano === 0n) return '0';
  const neg = nano < 0n;
  const abs = neg ? -nano : nano;
  const sign = neg ? '-' : '';
  if (abs % NANO !== 0n) {
    // fractional values are always decimal: milli, micro or nano units
    if (abs % 1_000_000n === 0n) return `${sign}${abs / 1_000_000n}m`;
    if (abs % 1_000n === 0n) return `${sign}${abs / 1_000n}u`;
    return `${sign}${abs}n`;
  }
  const units = abs / NANO;
  if (format === 'BinarySI' && units >= 1024n) {
    for (const [suffix, mult] of BINARY_UP) if (units % mult === 0n) return `${sign}${units / mult}${suffix}`;
    return `${sign}${units}`;
  }
  for (const [suffix, mult] of DECIMAL_UP) if (units % mult === 0n) return `${sign}${units / mult}${suffix}`;
  return `${sign}${units}`;
}

/** resource.NewMilliQuantity(milli, format).String() */
export function formatMilli(milli: bigint, format: QuantityFormat = 'DecimalSI'): string {
  return formatNano(milli * 1_000_000n, format);
}

/** resource.NewQuantity(value, format).String() */
export function formatUnits(value: bigint, format: QuantityFormat = 'DecimalSI'): string {
  return formatNano(value * NANO, format);
}
