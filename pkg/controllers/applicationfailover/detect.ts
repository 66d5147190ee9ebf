// Application failover decision (Karmada's applicationfailover detectFailure): a target cluster whose
// aggregatedStatus health is Unhealthy continuously for decisionConditions.tolerationSeconds is to be
// evicted. The caller keeps, per binding, when each cluster was first seen Unhealthy; any other health
// (Healthy, Unknown, no status) resets the clock.

import type { AggregatedStatusItem, TargetCluster } from '../../apis/work/v1alpha2/index.js';

export const DEFAULT_TOLERATION_SECONDS = 300;

export interface DetectInput {
  /** cluster -> first time (ms) it was seen Unhealthy, from earlier rounds. */
  unhealthySince: ReadonlyMap<string, number>;
  /** spec.clusters: only current targets can fail over. */
  targets: readonly TargetCluster[];
  aggregatedStatus: readonly AggregatedStatusItem[];
  tolerationSeconds: number;
  now: number;
}

export interface DetectResult {
  /** The state to keep for the next round. */
  unhealthySince: Map<string, number>;
  /** Clusters to evict now. */
  evict: string[];
  /** When the next cluster would pass its toleration (undefined: nothing pending). */
  recheckAfterMs?: number;
}

export function detectFailure(input: DetectInput): DetectResult {
  const targets = new Set(input.targets.map((t) => t.name));
  const unhealthySince = new Map<string, number>();
  const evict: string[] = [];
  let recheckAfterMs: number | undefined;
  for (const item of input.aggregatedStatus) {
    if (!targets.has(item.clusterName) || item.health !== 'Unhealthy') continue;
    const since = input.unhealthySince.get(item.clusterName) ?? input.now;
    unhealthySince.set(item.clusterName, since);
    const left = since + input.tolerationSeconds * 1000 - input.now;
    if (left <= 0) evict.push(item.clusterName);
    else recheckAfterMs = recheckAfterMs === undefined ? left : Math.min(recheckAfterMs, left);
  }
  return recheckAfterMs === undefined ? { unhealthySince, evict } : { unhealthySince, evict, recheckAfterMs };
}
