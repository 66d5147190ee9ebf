// Karmada's cluster_condition_cache: a Ready status that flips (True <-> not True) is only reported once
// the new observation has persisted for the success threshold (to True) or the failure threshold (away
// from True); until then the current condition is kept. The first observation of a cluster is reported
// at once, as is any change that does not cross True (e.g. Unknown -> False).

import type { StatusCondition } from '../../util/conditions.js';

interface Entry {
  status: StatusCondition['status'];
  since: number;
}

export class ClusterConditionCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly successThresholdMs: number,
    readonly failureThresholdMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The Ready condition to report for a cluster, given its current conditions and what was observed now. */
  thresholdAdjustedReadyCondition<C extends StatusCondition>(cluster: string, currentConditions: readonly C[] | undefined, observed: C): C {
    const now = this.now();
    let saved = this.entries.get(cluster);
    if (!saved) {
      // the cluster was just joined (or this process just started)
      this.entries.set(cluster, { status: observed.status, since: now });
      return observed;
    }
    const current = currentConditions?.find((c) => c.type === observed.type);
    if (!current) return observed;
    if (saved.status !== observed.status) {
      saved = { status: observed.status, since: now };
      this.entries.set(cluster, saved);
    }
    const threshold = observed.status === 'True' ? this.successThresholdMs : this.failureThresholdMs;
    const crossesTrue = (observed.status === 'True') !== (current.status === 'True');
    if (crossesTrue && now < saved.since + threshold) return current; // keep until the threshold passed
    return observed;
  }

  delete(cluster: string): void {
    this.entries.delete(cluster);
  }
}
