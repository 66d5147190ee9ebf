// util.ClusterMatches with the affinity's label selector parsed once per affinity object (bindings in the
// informer cache are immutable, so the parse is reused by every cluster and every attempt): the same answer
// as pkg/util/selector.ts's clusterMatches, without re-parsing the selector for each cluster.

import { fromLabelSelectorObject, matchesLabels, type LabelSelector } from '../../apiserver/selectors.js';
import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import type { ClusterAffinity } from '../../apis/policy/v1alpha1/index.js';
import { clusterMatches } from '../../util/selector.js';

interface Compiled {
  selector?: LabelSelector;
  /** the affinity without its label selector, for the rest of the checks */
  rest: ClusterAffinity;
}

const compiled = new WeakMap<ClusterAffinity, Compiled>();

export function affinityMatches(cluster: Cluster, affinity: ClusterAffinity | undefined): boolean {
  if (!affinity) return true;
  let c = compiled.get(affinity);
  if (!c) {
    const { labelSelector, ...rest } = affinity;
    c = { rest, ...(labelSelector ? { selector: fromLabelSelectorObject(labelSelector as Parameters<typeof fromLabelSelectorObject>[0]) } : {}) };
    compiled.set(affinity, c);
  }
  if (c.selector && !matchesLabels(c.selector, cluster.metadata?.labels)) return false;
  return clusterMatches(cluster, c.rest);
}
