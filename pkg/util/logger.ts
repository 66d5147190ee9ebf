// Structured logs (pino) for every binary: JSON to stderr, level from --v/-v style flags or LOG_LEVEL.

import pino, { type Logger } from 'pino';

export function newLogger(component: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name: component, level, base: { component } }, pino.destination({ fd: 2, sync: false }));
}

/** Maps klog-style verbosity (--v=N) to a pino level. */
export function levelForVerbosity(v: number): string {
  if (v >= 6) return 'trace';
  if (v >= 4) return 'debug';
  return 'info';
}
