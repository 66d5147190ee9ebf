// Go-style durations for command-line flags: "300ms", "10s", "1m30s", "2h"; "0" is zero.

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a Go duration string; throws with the accepted forms on anything else. */
export function parseDuration(s: string): number {
  const str = s.trim();
  if (str === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  const neg = str.startsWith('-');
  const body = neg || str.startsWith('+') ? str.slice(1) : str;
  re.lastIndex = 0;
  while (pos < body.length && (m = re.exec(body)) !== null) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    pos = re.lastIndex;
  }
  if (!body || pos !== body.length) throw new Error(`invalid duration "${s}": use a number with a unit, e.g. 500ms, 10s, 1m, 1h30m`);
  return neg ? -total : total;
}

/** "1m30s"-style rendering of milliseconds (for help texts and logs). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  let s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`;
}
