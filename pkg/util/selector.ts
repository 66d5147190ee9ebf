// Karmada's selection rules (pkg/util/selector.go): which clusters a ClusterAffinity selects and which
// resource templates a ResourceSelector selects, with the implicit priority of a match
// (name > labelSelector > apiVersion/kind). Pure functions shared by the detector, the override
// manager and the scheduler.

import { fromLabelSelectorObject, matchesLabels } from '../apiserver/selectors.js';
import type { Cluster } from '../apis/cluster/v1alpha1/index.js';
import type { ClusterAffinity, ResourceSelector } from '../apis/policy/v1alpha1/index.js';
import type { KubeObject } from '../runtime/types.js';

export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/**
 * metav1.LabelSelectorAsSelector semantics: an empty selector ({}) matches everything; an undefined
 * one matches nothing (callers decide what "no selector" means before calling).
 */
export function labelSelectorMatches(selector: LabelSelectorObject | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return false;
  return matchesLabels(fromLabelSelectorObject(selector), labels);
}

interface Requirement {
  key: string;
  operator: string;
  values?: string[];
}

/** A NodeSelectorRequirement against a flat set of fields (In, NotIn, Exists, DoesNotExist, Gt, Lt). */
function requirementMatches(req: Requirement, fields: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(fields, req.key);
  const v = fields[req.key];
  switch (req.operator) {
    case 'In':
      return has && (req.values ?? []).includes(v!);
    case 'NotIn':
      return !has || !(req.values ?? []).includes(v!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || (req.values ?? []).length !== 1) return false;
      const a = Number(v);
      const b = Number(req.values![0]);
      if (!Number.isInteger(a) || !Number.isInteger(b)) return false;
      return req.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

/** The zones of a cluster (spec.zones, or the deprecated spec.zone). */
export function clusterZones(cluster: Cluster): string[] {
  const s = cluster.spec;
  if (s?.zones?.length) return s.zones;
  return s?.zone ? [s.zone] : [];
}

/** `zone In (a,b)` needs every zone of the cluster in the set; `NotIn` needs none of them. */
function zonesMatch(req: Requirement, zones: string[]): boolean {
  const values = new Set(req.values ?? []);
  if (req.operator === 'In') return zones.length > 0 && zones.every((z) => values.has(z));
  if (req.operator === 'NotIn') return zones.every((z) => !values.has(z));
  return false;
}

/** util.ClusterMatches: exclude, then labelSelector AND fieldSelector AND clusterNames; empty affinity matches all. */
export function clusterMatches(cluster: Cluster, affinity: ClusterAffinity | undefined): boolean {
  if (!affinity) return true;
  const name = cluster.metadata?.name ?? '';
  if (affinity.exclude?.includes(name)) return false;
  if (affinity.labelSelector && !labelSelectorMatches(affinity.labelSelector as LabelSelectorObject, cluster.metadata?.labels)) return false;
  if (affinity.fieldSelector) {
    const fields: Record<string, string> = {};
    if (cluster.spec?.provider) fields.provider = cluster.spec.provider;
    if (cluster.spec?.region) fields.region = cluster.spec.region;
    for (const req of (affinity.fieldSelector.matchExpressions ?? []) as Requirement[]) {
      if (req.key === 'zone') {
        if (!zonesMatch(req, clusterZones(cluster))) return false;
      } else if (!requirementMatches(req, fields)) {
        return false;
      }
    }
  }
  return !affinity.clusterNames?.length || affinity.clusterNames.includes(name);
}

/** Karmada's ImplicitPriority of a selector match. */
export const PRIORITY_MISMATCH = 0;
export const PRIORITY_MATCH_ALL = 1;
export const PRIORITY_MATCH_LABEL_SELECTOR = 2;
export const PRIORITY_MATCH_NAME = 3;

/** util.ResourceSelectorPriority: how precisely one selector matches the object (0 = not at all). */
export function resourceSelectorPriority(obj: KubeObject, rs: ResourceSelector): number {
  if (obj.apiVersion !== rs.apiVersion || obj.kind !== rs.kind) return PRIORITY_MISMATCH;
  if (rs.namespace && obj.metadata?.namespace !== rs.namespace) return PRIORITY_MISMATCH;
  if (rs.name) return rs.name === obj.metadata?.name ? PRIORITY_MATCH_NAME : PRIORITY_MISMATCH;
  if (!rs.labelSelector) return PRIORITY_MATCH_ALL;
  return labelSelectorMatches(rs.labelSelector as LabelSelectorObject, obj.metadata?.labels) ? PRIORITY_MATCH_LABEL_SELECTOR : PRIORITY_MISMATCH;
}

/** util.ResourceMatches. */
export function resourceMatches(obj: KubeObject, rs: ResourceSelector): boolean {
  return resourceSelectorPriority(obj, rs) !== PRIORITY_MISMATCH;
}

/** util.ResourceMatchSelectorsPriority: the best priority over the selectors (0 = none matches). */
export function resourceMatchSelectorsPriority(obj: KubeObject, selectors: readonly ResourceSelector[] | undefined): number {
  let best = PRIORITY_MISMATCH;
  for (const rs of selectors ?? []) best = Math.max(best, resourceSelectorPriority(obj, rs));
  return best;
}
