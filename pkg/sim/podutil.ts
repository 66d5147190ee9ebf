// Pod, node and owner helpers shared by the simulated controllers (k8s.io/kubernetes/pkg/api/v1/pod,
// component-helpers/scheduling/corev1 and controller_utils, reduced to what kube-sim needs).

import { nowTime } from '../apis/meta/v1/types.js';
import { fromLabelSelectorObject, matchesLabels } from '../apiserver/selectors.js';
import type { OwnerReference, ResourceDescriptor } from '../apiserver/registry/types.js';
import { schedulingValue } from './quantity.js';
import type {
  Condition,
  ConditionStatus,
  KubeObject,
  LabelSelectorObject,
  Node,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  Pod,
  PodSpec,
  PodTemplate,
  Taint,
  Toleration,
} from './types.js';

/** Annotation that injects a node failure: "true"/"Unknown" (unreachable) or "NotReady". */
export const FAIL_ANNOTATION = 'kube-sim.karmada.io/fail';
/** Pod annotation: how long the simulated containers run before exiting ("1s", "500ms", "never"). */
export const RUN_DURATION_ANNOTATION = 'kube-sim.karmada.io/run-duration';
/** Pod annotation: exit code of the simulated containers when they finish (default 0). */
export const EXIT_CODE_ANNOTATION = 'kube-sim.karmada.io/exit-code';

export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

/** Kubernetes timestamps: RFC 3339 with second precision. */
export function timestamp(ms: number): string {
  return nowTime(new Date(ms));
}

export function parseTime(t: unknown): number | undefined {
  if (typeof t !== 'string') return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

/** "namespace/name" for namespaced objects, "name" otherwise (the work queue key). */
export function keyOf(obj: KubeObject): string {
  const m = obj.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name}` : `${m.name}`;
}

export function splitKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller);
}

export function controllerRef(owner: KubeObject, d: ResourceDescriptor): OwnerReference {
  return {
    apiVersion: d.group ? `${d.group}/${d.version}` : d.version,
    kind: d.kind,
    name: owner.metadata!.name!,
    uid: owner.metadata!.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function isDeleting(obj: KubeObject): boolean {
  return !!obj.metadata?.deletionTimestamp;
}

export function isPodTerminal(pod: Pod): boolean {
  const p = pod.status?.phase;
  return p === 'Succeeded' || p === 'Failed';
}

/** Counted by workload controllers: not finished and not being deleted. */
export function isPodActive(pod: Pod): boolean {
  return !isPodTerminal(pod) && !isDeleting(pod);
}

export function getCondition(conds: Condition[] | undefined, type: string): Condition | undefined {
  return conds?.find((c) => c.type === type);
}

export function isPodReady(pod: Pod): boolean {
  return getCondition(pod.status?.conditions, 'Ready')?.status === 'True';
}

/** Ready for at least minReadySeconds (podutil.IsPodAvailable). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  const ready = getCondition(pod.status?.conditions, 'Ready');
  if (ready?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  const since = parseTime(ready.lastTransitionTime);
  return since !== undefined && since + minReadySeconds * 1000 <= now;
}

/** Milliseconds until a ready pod becomes available (0 when it is, undefined when not ready). */
export function msUntilAvailable(pod: Pod, minReadySeconds: number, now: number): number | undefined {
  const ready = getCondition(pod.status?.conditions, 'Ready');
  if (ready?.status !== 'True') return undefined;
  const since = parseTime(ready.lastTransitionTime) ?? now;
  return Math.max(0, since + minReadySeconds * 1000 - now);
}

/**
 * Sets a condition in place, keeping lastTransitionTime when the status does not change. Returns true
 * when anything changed.
 */
export function setCondition(conds: Condition[], next: Condition, now: string): boolean {
  const i = conds.findIndex((c) => c.type === next.type);
  const cur = i >= 0 ? conds[i] : undefined;
  const merged: Condition = { ...next };
  if (cur && cur.status === next.status) merged.lastTransitionTime = cur.lastTransitionTime ?? now;
  else merged.lastTransitionTime ??= now;
  if (cur && sameCondition(cur, merged)) return false;
  if (i >= 0) conds[i] = merged;
  else conds.push(merged);
  return true;
}

function sameCondition(a: Condition, b: Condition): boolean {
  return (
    a.status === b.status &&
    a.reason === b.reason &&
    a.message === b.message &&
    a.lastTransitionTime === b.lastTransitionTime &&
    a.lastUpdateTime === b.lastUpdateTime
  );
}

export function selectorMatches(selector: LabelSelectorObject | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return false;
  const reqs = fromLabelSelectorObject(selector);
  // An empty selector matches nothing for controllers (it is rejected at admission anyway).
  if (!reqs.length) return false;
  return matchesLabels(reqs, labels);
}

// ---- resources -------------------------------------------------------------------------------

export type ResourceList = Record<string, number>;

function addInto(into: ResourceList, r: Record<string, string | number> | undefined): void {
  for (const [k, v] of Object.entries(r ?? {})) into[k] = (into[k] ?? 0) + schedulingValue(k, v);
}

function containerRequests(c: { resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> } }): Record<string, string | number> {
  // The API server defaults requests to limits when only limits are set.
  return { ...(c.resources?.limits ?? {}), ...(c.resources?.requests ?? {}) };
}

// Objects from informers are replaced, never mutated: their parsed resources can be cached.
const requestsCache = new WeakMap<object, ResourceList>();
const allocatableCache = new WeakMap<object, ResourceList>();

/** Effective requests (resourcehelper.PodRequests): max(sum of containers, largest init container) + overhead. */
export function podRequests(pod: Pod): ResourceList {
  const cached = pod.spec && requestsCache.get(pod.spec);
  if (cached) return cached;
  const sum = computePodRequests(pod);
  if (pod.spec) requestsCache.set(pod.spec, sum);
  return sum;
}

function computePodRequests(pod: Pod): ResourceList {
  const spec = pod.spec;
  const sum: ResourceList = {};
  for (const c of spec?.containers ?? []) addInto(sum, containerRequests(c));
  for (const c of spec?.initContainers ?? []) {
    const one: ResourceList = {};
    addInto(one, containerRequests(c));
    for (const [k, v] of Object.entries(one)) if (v > (sum[k] ?? 0)) sum[k] = v;
  }
  addInto(sum, spec?.overhead);
  return sum;
}

export function nodeAllocatable(node: Node): ResourceList {
  const alloc = node.status?.allocatable ?? node.status?.capacity ?? {};
  const cached = allocatableCache.get(alloc);
  if (cached) return cached;
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(alloc)) out[k] = schedulingValue(k, v);
  allocatableCache.set(alloc, out);
  return out;
}

// ---- taints, tolerations, affinity -----------------------------------------------------------

export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (!t.key && t.operator !== 'Exists') return false;
  if (t.operator === 'Exists') return true;
  return (t.value ?? '') === (taint.value ?? '');
}

export function tolerates(tolerations: Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => toleratesTaint(t, taint));
}

function matchRequirement(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const has = value !== undefined;
  switch (r.operator) {
    case 'In':
      return has && (r.values ?? []).includes(value);
    case 'NotIn':
      return !has || !(r.values ?? []).includes(value);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || r.values?.length !== 1) return false;
      const a = Number(value);
      const b = Number(r.values[0]);
      if (!Number.isInteger(a) || !Number.isInteger(b)) return false;
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

/** One term: all expressions and fields match (an empty term matches nothing, as in Kubernetes). */
export function matchesTerm(node: Node, term: NodeSelectorTerm): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (!exprs.length && !fields.length) return false;
  const labels = node.metadata?.labels ?? {};
  for (const r of exprs) if (!matchRequirement(r, labels[r.key])) return false;
  for (const r of fields) {
    const v = r.key === 'metadata.name' ? node.metadata?.name : undefined;
    if (!matchRequirement(r, v)) return false;
  }
  return true;
}

/** nodeSelector plus required node affinity (terms are ORed). */
export function podMatchesNodeSelectorAndAffinity(spec: Pick<PodSpec, 'nodeSelector' | 'affinity'> | undefined, node: Node): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const terms = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms && !terms.some((t) => matchesTerm(node, t))) return false;
  return true;
}

export function preferredAffinityScore(pod: Pod, node: Node): number {
  let score = 0;
  for (const p of pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (matchesTerm(node, p.preference)) score += p.weight;
  }
  return score;
}

// ---- building pods ---------------------------------------------------------------------------

/** A pod from a controller's template (controller.GetPodFromTemplate). */
export function podFromTemplate(
  template: PodTemplate | undefined,
  owner: KubeObject,
  ownerDescriptor: ResourceDescriptor,
  naming: { name?: string; generateName?: string },
  extra: { labels?: Record<string, string>; annotations?: Record<string, string> } = {},
): Pod {
  const tm = template?.metadata ?? {};
  const labels = { ...(tm.labels ?? {}), ...(extra.labels ?? {}) };
  const annotations = { ...(tm.annotations ?? {}), ...(extra.annotations ?? {}) };
  const metadata: Pod['metadata'] = {
    ...(naming.name ? { name: naming.name } : { generateName: naming.generateName }),
    namespace: owner.metadata!.namespace,
    labels,
    ownerReferences: [controllerRef(owner, ownerDescriptor)],
  };
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  if (tm.finalizers?.length) metadata.finalizers = [...tm.finalizers];
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: structuredClone(template?.spec ?? { containers: [] }) };
}

/** Parses "1s", "500ms", "2m", "1h", a bare number of seconds, or "never" (undefined). */
export function parseDuration(s: string | undefined, fallbackMs: number | undefined): number | undefined {
  if (s === undefined) return fallbackMs;
  const v = s.trim();
  if (v === 'never' || v === '') return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(v);
  if (!m) return fallbackMs;
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return n * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as Record<string, number>)[unit]!;
}

export function conditionStatus(b: boolean): ConditionStatus {
  return b ? 'True' : 'False';
}
