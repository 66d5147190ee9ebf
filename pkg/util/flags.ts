// commander argument parsers the component binaries share: each error names the flag and a valid value.

import { Option } from 'commander';
import { formatDuration, parseDuration } from './duration.js';

/** A non-negative duration such as 500ms, 10s, 1m, in milliseconds. */
export const durationArg = (flag: string) => (v: string) => {
  try {
    const ms = parseDuration(v);
    if (ms < 0) throw new Error('negative');
    return ms;
  } catch {
    throw new Error(`invalid ${flag} "${v}": use a duration such as 500ms, 10s, 1m`);
  }
};

/** `--flag`, `--flag=true` or `--flag=false`. */
export const boolArg = (flag: string) => (v: string | undefined) => {
  if (v === undefined || v === 'true') return true;
  if (v === 'false') return false;
  throw new Error(`invalid ${flag} "${v}": use true or false`);
};

export const positiveIntArg = (flag: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`invalid ${flag} "${v}": use a whole number of at least 1`);
  return n;
};

/** A `--flag <duration>` option whose help shows the default as a duration. */
export const durationOption = (flag: string, description: string, defaultMs: number) =>
  new Option(`${flag} <duration>`, description).argParser(durationArg(flag)).default(defaultMs, formatDuration(defaultMs));
