// The framework runtime (framework/runtime/framework.go): runs the enabled filter plugins in order (the
// first failure decides) and sums the enabled score plugins per cluster.

import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import { IN_TREE_PLUGINS, selectPlugins } from './registry.js';
import { isFilterPlugin, isScorePlugin, SUCCESS, type FilterPlugin, type FilterResult, type Plugin, type ScheduleContext, type ScorePlugin } from './types.js';

export class Framework {
  readonly filterPlugins: readonly FilterPlugin[];
  readonly scorePlugins: readonly ScorePlugin[];

  constructor(plugins: readonly Plugin[] = IN_TREE_PLUGINS) {
    this.filterPlugins = plugins.filter(isFilterPlugin);
    this.scorePlugins = plugins.filter(isScorePlugin);
  }

  /** A framework with the plugins a --plugins value selects (default "*"). */
  static fromFlag(spec: readonly string[] = ['*']): Framework {
    return new Framework(selectPlugins(spec));
  }

  get pluginNames(): string[] {
    return [...new Set([...this.filterPlugins, ...this.scorePlugins].map((p) => p.name))];
  }

  runFilterPlugins(ctx: ScheduleContext, cluster: Cluster): FilterResult {
    for (const p of this.filterPlugins) {
      const r = p.filter(ctx, cluster);
      if (r.code !== 'Success') return r;
    }
    return SUCCESS;
  }

  /** Total score per cluster, in the order given. */
  runScorePlugins(ctx: ScheduleContext, clusters: readonly Cluster[]): number[] {
    const scores = new Array<number>(clusters.length).fill(0);
    for (const p of this.scorePlugins) for (let i = 0; i < clusters.length; i++) scores[i]! += p.score(ctx, clusters[i]!);
    return scores;
  }
}

export const DEFAULT_FRAMEWORK = new Framework();
