// The simulated kube-scheduler: binds pending pods to nodes that fit them. The decision is a pure
// function (filter plugins in kube-scheduler's order, then scoring); the controller feeds it the nodes
// with the requests of the pods already on them and writes spec.nodeName, or PodScheduled=False with the
// real scheduler's message ("0/3 nodes are available: 3 Insufficient cpu. preemption: ...").

import { Controller, type SimContext } from './controller.js';
import { stableHash } from './hash.js';
import type { Informer } from './informer.js';
import { podsByNode } from './nodes.js';
import {
  controllerOf,
  isDeleting,
  isPodTerminal,
  keyOf,
  nodeAllocatable,
  podMatchesNodeSelectorAndAffinity,
  podRequests,
  preferredAffinityScore,
  setCondition,
  TAINT_UNSCHEDULABLE,
  timestamp,
  tolerates,
  type ResourceList,
} from './podutil.js';
import type { Node, Pod } from './types.js';

const FIELD_MANAGER = 'kube-scheduler';
const DEFAULT_SCHEDULER = 'default-scheduler';
// Requests assumed for scoring pods that request nothing (schedutil.DefaultMilliCPURequest/MemoryRequest).
const NON_ZERO_CPU = 100;
const NON_ZERO_MEMORY = 200 * 2 ** 20;

export interface NodeInfo {
  node: Node;
  /** Sum of the requests of the non-terminal pods on the node. */
  requested: ResourceList;
  podCount: number;
  /** Pods on the node with the same controller as the pod being scheduled (for spreading). */
  siblings: number;
}

export type ScheduleResult = { nodeName: string } | { unschedulable: string };

/** Why a node does not fit the pod (empty: it fits). Plugins run in kube-scheduler's order and stop at the first failure. */
export function filterNode(pod: Pod, info: NodeInfo, need: ResourceList = podRequests(pod)): string[] {
  const node = info.node;
  const spec = pod.spec;
  if (node.spec?.unschedulable && !tolerates(spec?.tolerations, { key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' })) {
    return ['node(s) were unschedulable'];
  }
  for (const taint of node.spec?.taints ?? []) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (!tolerates(spec?.tolerations, taint)) return [`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`];
  }
  if (!podMatchesNodeSelectorAndAffinity(spec, node)) return ["node(s) didn't match Pod's node affinity/selector"];
  const alloc = nodeAllocatable(node);
  const reasons: string[] = [];
  if (info.podCount + 1 > (alloc.pods ?? 0)) reasons.push('Too many pods');
  const order = Object.keys(need).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  for (const r of order) {
    const want = need[r]!;
    if (want <= 0 || r === 'pods') continue;
    if ((info.requested[r] ?? 0) + want > (alloc[r] ?? 0)) reasons.push(`Insufficient ${r}`);
  }
  return reasons;
}

function rank(resource: string): number {
  return ({ cpu: 0, memory: 1, 'ephemeral-storage': 2 } as Record<string, number>)[resource] ?? 3;
}

/** LeastAllocated over cpu and memory (0..100), with the non-zero defaults for pods that request nothing. */
function leastAllocated(info: NodeInfo, need: ResourceList): number {
  const alloc = nodeAllocatable(info.node);
  let score = 0;
  for (const [r, dflt] of [['cpu', NON_ZERO_CPU], ['memory', NON_ZERO_MEMORY]] as const) {
    const cap = alloc[r] ?? 0;
    if (cap <= 0) continue;
    const used = (info.requested[r] ?? 0) + (need[r] || dflt);
    score += Math.max(0, ((cap - used) * 100) / cap);
  }
  return score / 2;
}

/** Picks a node for the pod, or explains why none fits (schedulePod of kube-scheduler, simplified). */
export function schedulePod(pod: Pod, nodes: NodeInfo[]): ScheduleResult {
  if (!nodes.length) return { unschedulable: 'no nodes available to schedule pods' };
  const need = podRequests(pod);
  const feasible: NodeInfo[] = [];
  const reasons = new Map<string, number>();
  let resourceFailures = 0;
  for (const info of nodes) {
    const why = filterNode(pod, info, need);
    if (!why.length) {
      feasible.push(info);
      continue;
    }
    if (why.some((w) => w.startsWith('Insufficient') || w === 'Too many pods')) resourceFailures++;
    for (const w of why) reasons.set(w, (reasons.get(w) ?? 0) + 1);
  }
  if (!feasible.length) {
    const list = [...reasons].map(([r, n]) => `${n} ${r}`).sort();
    const notHelpful = nodes.length - resourceFailures;
    const preemption = [
      ...(resourceFailures ? [`${resourceFailures} No preemption victims found for incoming pod`] : []),
      ...(notHelpful ? [`${notHelpful} Preemption is not helpful for scheduling`] : []),
    ].sort();
    return {
      unschedulable: `0/${nodes.length} nodes are available: ${list.join(', ')}. preemption: 0/${nodes.length} nodes are available: ${preemption.join(', ')}.`,
    };
  }
  const uid = pod.metadata?.uid ?? pod.metadata?.name ?? '';
  const scored = feasible.map((info) => ({
    info,
    preferred: preferredAffinityScore(pod, info.node),
    spread: info.siblings,
    free: leastAllocated(info, need),
    tie: stableHash(uid, info.node.metadata!.name!),
  }));
  scored.sort((a, b) => b.preferred - a.preferred || a.spread - b.spread || b.free - a.free || a.tie - b.tie);
  return { nodeName: scored[0]!.info.node.metadata!.name! };
}

export function needsScheduling(pod: Pod): boolean {
  return !pod.spec?.nodeName && !isDeleting(pod) && !isPodTerminal(pod) && (pod.spec?.schedulerName ?? DEFAULT_SCHEDULER) === DEFAULT_SCHEDULER;
}

interface NodeUsage {
  requested: ResourceList;
  pods: number;
  /** Pods per controller uid. */
  owners: Map<string, number>;
}

/** The requests of the pods bound to each node, kept up to date from pod events (the scheduler cache). */
export class UsageCache {
  private readonly byPod = new Map<string, { node: string; requests: ResourceList; owner?: string }>();
  private readonly byNode = new Map<string, NodeUsage>();

  observe(key: string, pod: Pod | undefined): void {
    const prev = this.byPod.get(key);
    if (prev) {
      this.apply(prev, -1);
      this.byPod.delete(key);
    }
    if (pod?.spec?.nodeName && !isPodTerminal(pod)) {
      const c = { node: pod.spec.nodeName, requests: podRequests(pod), owner: controllerOf(pod)?.uid };
      this.byPod.set(key, c);
      this.apply(c, 1);
    }
  }

  private apply(c: { node: string; requests: ResourceList; owner?: string }, sign: 1 | -1): void {
    let u = this.byNode.get(c.node);
    if (!u) this.byNode.set(c.node, (u = { requested: {}, pods: 0, owners: new Map() }));
    u.pods += sign;
    for (const [r, v] of Object.entries(c.requests)) u.requested[r] = (u.requested[r] ?? 0) + sign * v;
    if (c.owner) {
      const n = (u.owners.get(c.owner) ?? 0) + sign;
      if (n) u.owners.set(c.owner, n);
      else u.owners.delete(c.owner);
    }
    if (u.pods === 0) this.byNode.delete(c.node);
  }

  info(node: Node, owner: string | undefined): NodeInfo {
    const u = this.byNode.get(node.metadata!.name!);
    return { node, requested: u ? { ...u.requested } : {}, podCount: u?.pods ?? 0, siblings: owner && u ? u.owners.get(owner) ?? 0 : 0 };
  }
}

export class SchedulerController extends Controller {
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly unschedulable = new Set<string>();
  private readonly usage = new UsageCache();

  constructor(ctx: SimContext) {
    super('scheduler', ctx, 1);
    this.pods = podsByNode(ctx.informers.for<Pod>(ctx.kinds.pods));
    this.nodes = ctx.informers.for<Node>(ctx.kinds.nodes);
    this.pods.on((type, pod, old) => {
      const key = keyOf(pod);
      this.usage.observe(key, type === 'put' ? pod : undefined);
      if (type === 'put' && needsScheduling(pod)) this.queue.add(key);
      else this.unschedulable.delete(key);
      // Capacity freed: a bound pod went away or finished.
      const wasRunning = old?.spec?.nodeName && !isPodTerminal(old);
      if (wasRunning && (type === 'delete' || isPodTerminal(pod))) this.retryUnschedulable();
    });
    this.nodes.on((type, node, old) => {
      if (type === 'put' && (!old || nodeChanged(old, node))) this.retryUnschedulable();
    });
  }

  private retryUnschedulable(): void {
    for (const key of this.unschedulable) this.queue.add(key);
  }

  private nodeInfos(pod: Pod): NodeInfo[] {
    const owner = controllerOf(pod)?.uid;
    const out: NodeInfo[] = [];
    for (const node of this.nodes.list()) if (!isDeleting(node)) out.push(this.usage.info(node, owner));
    return out;
  }

  protected async reconcile(key: string): Promise<void> {
    const pod = this.pods.get(key);
    if (!pod || !needsScheduling(pod)) {
      this.unschedulable.delete(key);
      return;
    }
    const { client, kinds } = this.ctx;
    const m = pod.metadata!;
    const result = schedulePod(pod, this.nodeInfos(pod));
    if ('nodeName' in result) {
      this.unschedulable.delete(key);
      await client.update<Pod>(kinds.pods, m.namespace, m.name!, (cur) => {
        if (!cur.spec || cur.spec.nodeName) return false;
        cur.spec.nodeName = result.nodeName;
      }, { uid: m.uid, fieldManager: FIELD_MANAGER });
      return;
    }
    this.unschedulable.add(key);
    const now = timestamp(this.ctx.now());
    await client.update<Pod>(kinds.pods, m.namespace, m.name!, (cur) => {
      if (cur.spec?.nodeName) return false;
      const status = (cur.status ??= {});
      status.phase ??= 'Pending';
      const conds = (status.conditions ??= []);
      const changed = setCondition(conds, { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: result.unschedulable, lastProbeTime: null }, now);
      return changed;
    }, { status: true, uid: m.uid, fieldManager: FIELD_MANAGER });
  }
}

function nodeChanged(a: Node, b: Node): boolean {
  return (
    JSON.stringify(a.metadata?.labels) !== JSON.stringify(b.metadata?.labels) ||
    JSON.stringify(a.spec) !== JSON.stringify(b.spec) ||
    JSON.stringify(a.status?.allocatable) !== JSON.stringify(b.status?.allocatable)
  );
}
