// The in-tree plugins (plugins/registry.go NewInTreeRegistry) and --plugins selection with Karmada's
// semantics: "*" enables every in-tree plugin, "foo" enables foo, "-foo" disables foo; entries may be
// repeated or comma-separated ("*,-ClusterLocality").

import { apiEnablement } from './plugins/apienablement.js';
import { clusterAffinity } from './plugins/clusteraffinity.js';
import { clusterEviction } from './plugins/clustereviction.js';
import { clusterLocality } from './plugins/clusterlocality.js';
import { spreadConstraint } from './plugins/spreadconstraint.js';
import { taintToleration } from './plugins/tainttoleration.js';
import type { Plugin } from './types.js';

/** In the order filters run: the first failing filter gives a cluster's reason. */
export const IN_TREE_PLUGINS: readonly Plugin[] = [apiEnablement, taintToleration, clusterAffinity, spreadConstraint, clusterEviction, clusterLocality];

/** The plugins a --plugins value selects, in registry order; throws on unknown names. */
export function selectPlugins(spec: readonly string[] = ['*'], registry: readonly Plugin[] = IN_TREE_PLUGINS): Plugin[] {
  const items = spec
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  const known = new Set(registry.map((p) => p.name));
  for (const item of items) {
    const name = item.startsWith('-') ? item.slice(1) : item;
    if (name !== '*' && !known.has(name)) {
      throw new Error(`"${name}" is not a known scheduler plugin (${[...known].join(', ')}); use "*", "name" or "-name"`);
    }
  }
  return registry.filter((p) => {
    if (items.includes(`-${p.name}`)) return false;
    return items.includes(p.name) || items.includes('*');
  });
}
