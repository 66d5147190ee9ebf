// Which template events the detector acts on (Karmada detector.go EventFilter, OnUpdate and
// pkg/util/eventfilter): not Karmada's reserved namespaces, not --skipped-propagating-namespaces, not
// templates claimed by something else or being deleted, and updates only when more than status or
// server bookkeeping changed.

import { isReservedNamespace } from '../../apis/cluster/v1alpha1/index.js';
import { NAMESPACE_SKIP_AUTO_PROPAGATION_LABEL, RESOURCE_TEMPLATE_CLAIMED_BY_LABEL } from '../../apis/policy/v1alpha1/index.js';
import type { KubeObject } from '../../runtime/types.js';
import { deepEqual } from '../../util/deepequal.js';

/** --skipped-propagating-namespaces default. */
export const DEFAULT_SKIPPED_PROPAGATING_NAMESPACES = ['kube-.*'];

/** The flag's patterns as whole-name regular expressions (Karmada compiles "^<pattern>$"). */
export function skippedNamespaceRegexps(patterns: readonly string[] = DEFAULT_SKIPPED_PROPAGATING_NAMESPACES): RegExp[] {
  return patterns.map((p) => {
    try {
      return new RegExp(`^${p}$`);
    } catch (err) {
      throw new Error(`--skipped-propagating-namespaces: "${p}" is not a valid regular expression (${(err as Error).message})`);
    }
  });
}

export function namespaceSkipped(namespace: string | undefined, skipped: readonly RegExp[]): boolean {
  if (!namespace) return false;
  return isReservedNamespace(namespace) || skipped.some((r) => r.test(namespace));
}

/** EventFilter: reserved and skipped namespaces, and the apiserver's own extension-apiserver-authentication ConfigMap. */
export function eventFilter(obj: KubeObject, skipped: readonly RegExp[]): boolean {
  const ns = obj.metadata?.namespace;
  if (namespaceSkipped(ns, skipped)) return false;
  if (ns === 'kube-system' && obj.kind === 'ConfigMap' && obj.metadata?.name === 'extension-apiserver-authentication') return false;
  return true;
}

/**
 * Whether the detector should propagate the template at all: not claimed by another controller
 * (resourcetemplate.karmada.io/claimed-by, e.g. MultiClusterService) and not being deleted (its binding
 * goes with it through the owner reference).
 */
export function propagatable(obj: KubeObject): boolean {
  if (obj.metadata?.labels?.[RESOURCE_TEMPLATE_CLAIMED_BY_LABEL]) return false;
  return !obj.metadata?.deletionTimestamp;
}

type Obj = Record<string, unknown>;

/** removeIgnoredFields: status, managedFields and resourceVersion never count as a change. */
function withoutIgnored(obj: KubeObject): Obj {
  const { status: _status, metadata, ...rest } = obj as Obj & { metadata?: Obj };
  const { managedFields: _mf, resourceVersion: _rv, ...meta } = metadata ?? {};
  return { ...rest, metadata: meta };
}

/** eventfilter.SpecificationChanged. */
export function specificationChanged(oldObj: KubeObject, newObj: KubeObject): boolean {
  return !deepEqual(withoutIgnored(oldObj), withoutIgnored(newObj));
}

const KARMADA_KEY_PART = '.karmada.io';

function withoutKarmadaMetadata(obj: Obj): Obj {
  const meta = { ...((obj.metadata as Obj | undefined) ?? {}) };
  delete meta.generation;
  const strip = (m: unknown, keep: (k: string) => boolean) => {
    const out = Object.fromEntries(Object.entries((m as Record<string, string> | undefined) ?? {}).filter(([k]) => !k.includes(KARMADA_KEY_PART) || keep(k)));
    return Object.keys(out).length ? out : undefined;
  };
  meta.labels = strip(meta.labels, (k) => k === NAMESPACE_SKIP_AUTO_PROPAGATION_LABEL);
  meta.annotations = strip(meta.annotations, () => false);
  return { ...obj, metadata: meta };
}

/**
 * eventfilter.ResourceChangeByKarmada: the update only touched Karmada's own labels/annotations (keys
 * containing ".karmada.io") or the generation they bumped; such changes must not activate a Lazy policy.
 */
export function resourceChangeByKarmada(oldObj: KubeObject, newObj: KubeObject): boolean {
  return deepEqual(withoutKarmadaMetadata(withoutIgnored(oldObj)), withoutKarmadaMetadata(withoutIgnored(newObj)));
}
