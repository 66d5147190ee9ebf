// The DaemonSet controller: one pod per node that matches the template's node selector/affinity and whose
// taints the pod tolerates (with the tolerations the real controller adds to daemon pods). Pods are pinned
// with required node affinity on metadata.name and bound by the scheduler, as in Kubernetes. Pods on nodes
// that no longer qualify are deleted; RollingUpdate replaces old-revision pods within maxUnavailable.
// Status: desired/current/updated numbers scheduled, numberMisscheduled, numberReady, numberAvailable,
// numberUnavailable, observedGeneration.

import type { AdmissionAttributes, AdmissionPlugin } from '../apiserver/admission/types.js';
import { Controller, type SimContext } from './controller.js';
import type { Informer } from './informer.js';
import { scaledValue } from './deployment.js';
import {
  controllerOf,
  isDeleting,
  isPodAvailable,
  isPodReady,
  isPodTerminal,
  keyOf,
  msUntilAvailable,
  podFromTemplate,
  podMatchesNodeSelectorAndAffinity,
  TAINT_NOT_READY,
  TAINT_UNREACHABLE,
  TAINT_UNSCHEDULABLE,
  tolerates,
} from './podutil.js';
import { OWNER_INDEX, podsByOwner } from './replicaset.js';
import { REVISION_HASH_LABEL, Revisions } from './revisions.js';
import type { Node, Pod, PodTemplate, Toleration, Workload } from './types.js';

const FIELD_MANAGER = 'kube-controller-manager';
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';

/** util.AddOrUpdateDaemonPodTolerations. */
export function daemonPodTolerations(template: PodTemplate | undefined): Toleration[] {
  const out = [...(template?.spec?.tolerations ?? [])];
  const add = (t: Toleration) => {
    if (!out.some((x) => x.key === t.key && x.effect === t.effect && x.operator === t.operator)) out.push(t);
  };
  add({ key: TAINT_NOT_READY, operator: 'Exists', effect: 'NoExecute' });
  add({ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute' });
  add({ key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' });
  add({ key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' });
  add({ key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' });
  add({ key: TAINT_UNSCHEDULABLE, operator: 'Exists', effect: 'NoSchedule' });
  if (template?.spec?.hostNetwork) add({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  return out;
}

/**
 * nodeShouldRunDaemonPod: whether a new daemon pod goes to the node (selector, affinity and the
 * NoSchedule/NoExecute taints it tolerates) and whether an existing one may stay (only untolerated
 * NoExecute taints drive it away: a daemon pod outlives its node's unreachable taints).
 */
export function shouldRunOn(template: PodTemplate | undefined, node: Node): { shouldRun: boolean; shouldContinueRunning: boolean } {
  if (isDeleting(node) || !podMatchesNodeSelectorAndAffinity(template?.spec, node)) return { shouldRun: false, shouldContinueRunning: false };
  const tolerations = daemonPodTolerations(template);
  const taints = node.spec?.taints ?? [];
  const fits = taints.every((t) => (t.effect !== 'NoSchedule' && t.effect !== 'NoExecute') || tolerates(tolerations, t));
  if (fits) return { shouldRun: true, shouldContinueRunning: true };
  return { shouldRun: false, shouldContinueRunning: taints.every((t) => t.effect !== 'NoExecute' || tolerates(tolerations, t)) };
}

/** SetDefaults_DaemonSet's update strategy (the API server's job; kubectl rollout status needs it). */
export function daemonSetDefaults(): AdmissionPlugin {
  return {
    name: 'DaemonSetDefaults',
    admit(a: AdmissionAttributes) {
      const d = a.descriptor;
      if (d.group !== 'apps' || d.kind !== 'DaemonSet' || !a.object || a.subresource || a.operation === 'DELETE') return;
      const spec = a.object.spec as { updateStrategy?: { type?: string; rollingUpdate?: Record<string, unknown> } } | undefined;
      if (!spec) return;
      const us = (spec.updateStrategy ??= {});
      us.type ??= 'RollingUpdate';
      if (us.type === 'RollingUpdate') {
        us.rollingUpdate ??= {};
        us.rollingUpdate.maxUnavailable ??= 1;
        us.rollingUpdate.maxSurge ??= 0;
      }
    },
  };
}

type DaemonSet = Workload & {
  spec?: Workload['spec'] & { updateStrategy?: { type?: string; rollingUpdate?: { maxUnavailable?: number | string; maxSurge?: number | string } } };
};

export class DaemonSetController extends Controller {
  private readonly sets: Informer<DaemonSet>;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly revisions: Revisions;

  constructor(ctx: SimContext) {
    super('daemonset', ctx, 2);
    this.sets = ctx.informers.for<DaemonSet>(ctx.kinds.daemonSets);
    this.pods = podsByOwner(ctx.informers.for<Pod>(ctx.kinds.pods));
    this.nodes = ctx.informers.for<Node>(ctx.kinds.nodes);
    this.revisions = new Revisions(ctx);
    this.sets.on((type, s) => {
      if (type === 'put') this.queue.add(keyOf(s));
    });
    this.pods.on((_type, pod, old) => {
      for (const p of old && old !== pod ? [pod, old] : [pod]) {
        const ref = controllerOf(p);
        if (ref?.kind === 'DaemonSet') this.enqueueSoon(`${p.metadata!.namespace}/${ref.name}`);
      }
    });
    this.nodes.on((type, node, old) => {
      const relevant = type === 'delete' || !old || JSON.stringify(old.metadata?.labels) !== JSON.stringify(node.metadata?.labels) || JSON.stringify(old.spec?.taints) !== JSON.stringify(node.spec?.taints);
      if (relevant) for (const s of this.sets.list()) this.queue.add(keyOf(s));
    });
  }

  protected async reconcile(key: string): Promise<number | void> {
    const ds = this.sets.get(key);
    if (!ds || ds.metadata?.deletionTimestamp) return;
    const { client, kinds } = this.ctx;
    const m = ds.metadata!;
    const rev = await this.revisions.ensure(ds, kinds.daemonSets);
    const owned = this.pods.byIndex(OWNER_INDEX, m.uid!).filter((p) => p.metadata?.namespace === m.namespace);
    const byNode = new Map<string, Pod[]>();
    const unbound: Pod[] = [];
    for (const p of owned) {
      const node = pinnedNode(p);
      if (!node) {
        unbound.push(p);
        continue;
      }
      const list = byNode.get(node) ?? [];
      list.push(p);
      byNode.set(node, list);
    }
    const now = this.ctx.now();
    const minReady = ds.spec?.minReadySeconds ?? 0;
    const toCreate: string[] = [];
    const toDelete: Pod[] = [...unbound.filter((p) => !isDeleting(p))];
    const eligible: string[] = [];
    for (const node of this.nodes.list()) {
      const name = node.metadata!.name!;
      const pods = (byNode.get(name) ?? []).filter((p) => !isDeleting(p));
      byNode.delete(name);
      const { shouldRun, shouldContinueRunning } = shouldRunOn(ds.spec?.template, node);
      if (!shouldRun) {
        if (!shouldContinueRunning) toDelete.push(...pods);
        continue;
      }
      eligible.push(name);
      const failed = pods.filter(isPodTerminal);
      toDelete.push(...failed);
      const alive = pods.filter((p) => !isPodTerminal(p));
      if (!alive.length) toCreate.push(name);
      else if (alive.length > 1) toDelete.push(...alive.slice(1));
    }
    for (const pods of byNode.values()) toDelete.push(...pods.filter((p) => !isDeleting(p))); // nodes that are gone

    // Rolling update: replace old-revision pods while fewer than maxUnavailable are unavailable.
    const strategy = ds.spec?.updateStrategy?.type ?? 'RollingUpdate';
    if (strategy === 'RollingUpdate' && !toCreate.length) {
      const maxUnavailable = Math.max(1, scaledValue(ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1, eligible.length, true));
      const alive = owned.filter((p) => !isPodTerminal(p) && !isDeleting(p) && eligible.includes(pinnedNode(p)!));
      let unavailable = eligible.length - alive.filter((p) => isPodAvailable(p, minReady, now)).length;
      const old = alive.filter((p) => p.metadata?.labels?.[REVISION_HASH_LABEL] !== rev.hash);
      // Unavailable old pods go first: replacing them costs no availability.
      old.sort((a, b) => Number(isPodReady(a)) - Number(isPodReady(b)));
      for (const p of old) {
        const available = isPodAvailable(p, minReady, now);
        if (available && unavailable >= maxUnavailable) break;
        toDelete.push(p);
        if (available) unavailable++;
      }
    }
    for (const p of toDelete) await client.delete(kinds.pods, p.metadata!.namespace, p.metadata!.name!, p.metadata!.uid);
    for (const node of toCreate) {
      const pod = podFromTemplate(ds.spec?.template, ds, kinds.daemonSets, { generateName: `${m.name}-` }, {
        labels: { [REVISION_HASH_LABEL]: rev.hash, [TEMPLATE_GENERATION_LABEL]: String(m.generation ?? 1) },
      });
      pod.spec!.tolerations = daemonPodTolerations(ds.spec?.template);
      pinToNode(pod, node);
      await client.create(kinds.pods, pod, FIELD_MANAGER);
    }

    const pods = this.pods.byIndex(OWNER_INDEX, m.uid!).filter((p) => p.metadata?.namespace === m.namespace && !isPodTerminal(p) && !isDeleting(p));
    const onEligible = pods.filter((p) => eligible.includes(pinnedNode(p) ?? ''));
    const scheduledNodes = new Set(onEligible.map((p) => pinnedNode(p)));
    const status: Record<string, unknown> = {
      currentNumberScheduled: scheduledNodes.size,
      desiredNumberScheduled: eligible.length,
      numberAvailable: onEligible.filter((p) => isPodAvailable(p, minReady, now)).length,
      numberMisscheduled: new Set(pods.filter((p) => !eligible.includes(pinnedNode(p) ?? '')).map((p) => pinnedNode(p))).size,
      numberReady: onEligible.filter(isPodReady).length,
      numberUnavailable: 0,
      observedGeneration: m.generation ?? 1,
      updatedNumberScheduled: new Set(onEligible.filter((p) => p.metadata?.labels?.[REVISION_HASH_LABEL] === rev.hash).map((p) => pinnedNode(p))).size,
    };
    status.numberUnavailable = eligible.length - (status.numberAvailable as number);
    for (const k of ['numberAvailable', 'numberUnavailable', 'updatedNumberScheduled']) if (!status[k]) delete status[k];
    if (JSON.stringify(status) !== JSON.stringify(ds.status ?? {})) {
      await client.update<DaemonSet>(kinds.daemonSets, m.namespace, m.name!, (cur) => {
        if ((cur.metadata?.generation ?? 1) !== (m.generation ?? 1)) return false;
        cur.status = status;
      }, { status: true, uid: m.uid, fieldManager: FIELD_MANAGER });
    }
    const used = new Set(pods.map((p) => `${m.name}-${p.metadata?.labels?.[REVISION_HASH_LABEL] ?? ''}`));
    used.add(rev.name);
    await this.revisions.prune(ds, used, Number(ds.spec?.revisionHistoryLimit ?? 10));
    if (minReady) {
      const waits = pods.map((p) => msUntilAvailable(p, minReady, now)).filter((ms): ms is number => ms !== undefined && ms > 0);
      if (waits.length) return Math.min(...waits) + 10;
    }
  }
}

/** The node a daemon pod runs on: spec.nodeName once bound, else its metadata.name affinity. */
export function pinnedNode(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  for (const term of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  }
  return undefined;
}

/** util.ReplaceDaemonSetPodNodeNameNodeAffinity: required affinity on metadata.name only. */
function pinToNode(pod: Pod, node: string): void {
  const spec = pod.spec!;
  const affinity = (spec.affinity ??= {});
  const nodeAffinity = (affinity.nodeAffinity ??= {});
  nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = {
    nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }],
  };
}
