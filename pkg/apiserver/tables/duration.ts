// Port of k8s.io/apimachinery/pkg/util/duration.HumanDuration and the printers' timestamp helpers.

import { nowTime } from '../../apis/meta/v1/types.js';

/** duration.HumanDuration: ~2-3 significant figures, e.g. 5s, 119s, 2m5s, 10m, 3h4m, 10h, 2d3h, 245d, 2y10d, 9y. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  // Allow deviation of no more than 2 seconds (excluded) to tolerate clock skew.
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    const d = Math.trunc(hours / 24);
    return h === 0 ? `${d}d` : `${d}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.trunc(hours / 24);
    const dy = days % 365;
    const y = Math.trunc(days / 365);
    return dy === 0 ? `${y}y` : `${y}y${dy}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** Parses an RFC3339 timestamp; undefined when absent or malformed. */
export function parseTimestamp(ts: unknown): Date | undefined {
  if (typeof ts !== 'string' || ts === '') return undefined;
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** time.Time{} (0001-01-01T00:00:00Z) in epoch milliseconds: Go's zero timestamp, printed as <unknown>. */
const ZERO_TIME_MS = (() => {
  const d = new Date(0);
  d.setUTCFullYear(1, 0, 1); // Date.UTC would map year 1 to 1901
  d.setUTCHours(0, 0, 0, 0);
  return d.getTime();
})();

/** time.Time{}.UTC().Format(time.RFC3339) */
export const ZERO_TIME_RFC3339 = '0001-01-01T00:00:00Z';

/** translateTimestampSince: '<unknown>' for a zero/absent timestamp, otherwise HumanDuration(now - ts). */
export function translateTimestampSince(ts: unknown, now: Date): string {
  const d = parseTimestamp(ts);
  if (!d || d.getTime() === ZERO_TIME_MS) return '<unknown>';
  return humanDuration(now.getTime() - d.getTime());
}

/** m.GetCreationTimestamp().Time.UTC().Format(time.RFC3339) - seconds precision, Z suffix. */
export function formatRFC3339(ts: unknown): string {
  const d = parseTimestamp(ts);
  if (!d || d.getTime() === ZERO_TIME_MS) return ZERO_TIME_RFC3339;
  return nowTime(d);
}
