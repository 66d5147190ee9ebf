// Pure functions from a member's nodes and pods to the Cluster status summaries, as Karmada's cluster
// status controller computes them: nodeSummary (total/ready), resourceSummary (allocatable = sum of node
// allocatable; allocated = requests of bound, non-terminal pods + their count; allocating = requests of
// pods without a node + their count) and allocatableModelings (nodes per resource-model grade, by what
// is still free on each node).

import type { AllocatableModeling, NodeSummary, ResourceModel, ResourceSummary } from '../../apis/cluster/v1alpha1/index.js';
import { parseQuantity } from '../../apis/core/v1/quantity.js';
import type { KubeObject } from '../../runtime/types.js';
import { formatNano, formatOf, type QuantityFormat } from '../../util/quantity.js';

export type ResourceList = Record<string, string | number>;

export interface Node extends KubeObject {
  status?: { allocatable?: ResourceList; capacity?: ResourceList; conditions?: { type: string; status: string }[] };
}

interface ContainerLike {
  resources?: { requests?: ResourceList };
}

export interface Pod extends KubeObject {
  spec?: { nodeName?: string; containers?: ContainerLike[]; initContainers?: ContainerLike[]; overhead?: ResourceList };
  status?: { phase?: string };
}

const NANO = 1_000_000_000n;
const MILLI_NANO = 1_000_000n;

function nanoOf(q: string | number | undefined): bigint | undefined {
  if (q === undefined || q === null) return undefined;
  try {
    return parseQuantity(q);
  } catch {
    return undefined;
  }
}

/** Quantity.Value(): whole units, rounded up. */
function unitsOf(q: string | number | undefined): bigint {
  const n = nanoOf(q);
  if (n === undefined) return 0n;
  return n >= 0n ? (n + NANO - 1n) / NANO : n / NANO;
}

/** Quantity.MilliValue(): milli-units, rounded up. */
function milliOf(q: string | number | undefined): bigint {
  const n = nanoOf(q);
  if (n === undefined) return 0n;
  return n >= 0n ? (n + MILLI_NANO - 1n) / MILLI_NANO : n / MILLI_NANO;
}

/** Extended, hugepages, attachable-volumes and prefixed native resources (IsScalarResourceName). */
export function isScalarResourceName(name: string): boolean {
  return name.startsWith('hugepages-') || name.startsWith('attachable-volumes-') || name.includes('/');
}

const max = (a: bigint, b: bigint) => (a > b ? a : b);

/** Karmada's util.Resource: cpu in millicores, everything else in whole units. */
export class Resource {
  milliCPU = 0n;
  memory = 0n;
  ephemeralStorage = 0n;
  pods = 0n;
  readonly scalars = new Map<string, bigint>();

  static from(rl: ResourceList | undefined): Resource {
    const r = new Resource();
    r.add(rl);
    return r;
  }

  add(rl: ResourceList | undefined): this {
    for (const [name, q] of Object.entries(rl ?? {})) {
      switch (name) {
        case 'cpu':
          this.milliCPU += milliOf(q);
          break;
        case 'memory':
          this.memory += unitsOf(q);
          break;
        case 'ephemeral-storage':
          this.ephemeralStorage += unitsOf(q);
          break;
        case 'pods':
          this.pods += unitsOf(q);
          break;
        default:
          if (isScalarResourceName(name)) this.scalars.set(name, (this.scalars.get(name) ?? 0n) + unitsOf(q));
      }
    }
    return this;
  }

  /** Each resource becomes the larger of itself and rl's (how init containers count). */
  setMax(rl: ResourceList | undefined): this {
    for (const [name, q] of Object.entries(rl ?? {})) {
      switch (name) {
        case 'cpu':
          this.milliCPU = max(this.milliCPU, milliOf(q));
          break;
        case 'memory':
          this.memory = max(this.memory, unitsOf(q));
          break;
        case 'ephemeral-storage':
          this.ephemeralStorage = max(this.ephemeralStorage, unitsOf(q));
          break;
        default:
          if (isScalarResourceName(name)) this.scalars.set(name, max(this.scalars.get(name) ?? 0n, unitsOf(q)));
      }
    }
    return this;
  }

  /** Containers' requests summed, raised to each init container's, plus the pod overhead (AddPodRequest). */
  addPodRequest(spec: Pod['spec']): this {
    for (const c of spec?.containers ?? []) this.add(c.resources?.requests);
    for (const c of spec?.initContainers ?? []) this.setMax(c.resources?.requests);
    if (spec?.overhead) this.add(spec.overhead);
    return this;
  }

  addPods(n: bigint | number): this {
    this.pods += BigInt(n);
    return this;
  }

  toResourceList(): Record<string, string> {
    const out: Record<string, string> = {
      cpu: formatNano(this.milliCPU * MILLI_NANO, 'DecimalSI'),
      memory: formatNano(this.memory * NANO, 'BinarySI'),
      'ephemeral-storage': formatNano(this.ephemeralStorage * NANO, 'BinarySI'),
      pods: formatNano(this.pods * NANO, 'DecimalSI'),
    };
    for (const [name, v] of [...this.scalars].sort(([a], [b]) => (a < b ? -1 : 1))) {
      out[name] = formatNano(v * NANO, name.startsWith('hugepages-') ? 'BinarySI' : 'DecimalSI');
    }
    return out;
  }
}

export function isNodeReady(node: Node): boolean {
  return (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

const isTerminal = (pod: Pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
const isBound = (pod: Pod) => !!pod.spec?.nodeName;

export function nodeSummary(nodes: readonly Node[]): NodeSummary {
  return { totalNum: nodes.length, readyNum: nodes.filter(isNodeReady).length };
}

/** Sum of every node's status.allocatable; each resource keeps the format of its first quantity. */
export function clusterAllocatable(nodes: readonly Node[]): Record<string, string> {
  const sums = new Map<string, { nano: bigint; format: QuantityFormat }>();
  for (const node of nodes) {
    for (const [name, q] of Object.entries(node.status?.allocatable ?? {})) {
      const n = nanoOf(q);
      if (n === undefined) continue;
      const cur = sums.get(name);
      if (cur) cur.nano += n;
      else sums.set(name, { nano: n, format: formatOf(q) });
    }
  }
  const out: Record<string, string> = {};
  for (const name of [...sums.keys()].sort()) {
    const s = sums.get(name)!;
    out[name] = formatNano(s.nano, s.format);
  }
  return out;
}

/** Requests of pods not yet bound to a node, plus their count. */
export function allocatingResources(pods: readonly Pod[]): Record<string, string> {
  const r = new Resource();
  let n = 0;
  for (const pod of pods) {
    if (isBound(pod)) continue;
    r.addPodRequest(pod.spec);
    n++;
  }
  return r.addPods(n).toResourceList();
}

/** Requests of pods bound to nodes that are not Succeeded/Failed, plus their count. */
export function allocatedResources(pods: readonly Pod[]): Record<string, string> {
  const r = new Resource();
  let n = 0;
  for (const pod of pods) {
    if (!isBound(pod) || isTerminal(pod)) continue;
    r.addPodRequest(pod.spec);
    n++;
  }
  return r.addPods(n).toResourceList();
}

export function resourceSummary(nodes: readonly Node[], pods: readonly Pod[], models?: readonly ResourceModel[]): ResourceSummary {
  const summary: ResourceSummary = {
    allocatable: clusterAllocatable(nodes),
    allocating: allocatingResources(pods),
    allocated: allocatedResources(pods),
  };
  const modelings = allocatableModelings(models, nodes, pods);
  if (modelings) summary.allocatableModelings = modelings;
  return summary;
}

// Resources the modeling compares (modeling.ConvertToResourceList keeps only these).
const MODELED = new Set(['cpu', 'memory', 'storage', 'ephemeral-storage']);

/**
 * What is still free on a node: allocatable minus the requests of its pods (in nano-units per modeled
 * resource), or undefined when the node cannot take another pod (then it is not counted).
 */
export function nodeAvailable(node: Node, used: Resource | undefined): Map<string, bigint> | undefined {
  const alloc = node.status?.allocatable ?? {};
  const usedList = used?.toResourceList();
  const podsLeft = unitsOf(alloc.pods) - unitsOf(usedList?.pods);
  if (used && podsLeft <= 0n) return undefined;
  const free = new Map<string, bigint>();
  for (const [name, q] of Object.entries(alloc)) {
    if (!MODELED.has(name)) continue;
    let n = nanoOf(q) ?? 0n;
    const u = usedList?.[name];
    if (u !== undefined) n -= nanoOf(u) ?? 0n;
    free.set(name, n);
  }
  return free;
}

/**
 * Grade of a node: for each resource named by the (first) model's ranges, the last grade whose min is
 * <= the node's free amount; the node's grade is the smallest of those. -1 when below every grade.
 */
export function gradeIndex(models: readonly ResourceModel[], free: Map<string, bigint>): number {
  const names = (models[0]?.ranges ?? []).map((r) => r.name);
  let index = Number.MAX_SAFE_INTEGER;
  for (const name of names) {
    const value = free.get(name) ?? 0n;
    let last = -1;
    for (let i = 0; i < models.length; i++) {
      const range = models[i]!.ranges.find((r) => r.name === name);
      const min = nanoOf(range?.min) ?? 0n;
      if (min <= value) last = i;
      else break;
    }
    index = Math.min(index, last);
  }
  return names.length ? index : -1;
}

/** Nodes per grade of the cluster's resource models (undefined when it has none). */
export function allocatableModelings(models: readonly ResourceModel[] | undefined, nodes: readonly Node[], pods: readonly Pod[]): AllocatableModeling[] | undefined {
  if (!models || models.length === 0) return undefined;
  const usedByNode = new Map<string, Resource>();
  for (const pod of pods) {
    if (!isBound(pod) || isTerminal(pod)) continue;
    const nodeName = pod.spec!.nodeName!;
    let r = usedByNode.get(nodeName);
    if (!r) usedByNode.set(nodeName, (r = new Resource()));
    r.addPodRequest(pod.spec).addPods(1);
  }
  const counts = models.map(() => 0);
  for (const node of nodes) {
    // Karmada stops at the first full node (a `break`); counting the others is what the summary means.
    const free = nodeAvailable(node, usedByNode.get(node.metadata?.name ?? ''));
    if (!free) continue;
    const i = gradeIndex(models, free);
    if (i >= 0 && i < counts.length) counts[i]!++;
  }
  return models.map((m, i) => ({ grade: m.grade, count: counts[i]! }));
}

/** Strips a member Pod to what the summaries read (keeps the member caches small). */
export function slimPod(obj: KubeObject): Pod {
  const p = obj as Pod;
  const slimContainers = (cs: ContainerLike[] | undefined) => cs?.map((c) => ({ resources: { requests: c.resources?.requests } }));
  return {
    metadata: { name: p.metadata?.name, namespace: p.metadata?.namespace, uid: p.metadata?.uid, resourceVersion: p.metadata?.resourceVersion },
    spec: {
      nodeName: p.spec?.nodeName,
      containers: slimContainers(p.spec?.containers),
      ...(p.spec?.initContainers ? { initContainers: slimContainers(p.spec.initContainers) } : {}),
      ...(p.spec?.overhead ? { overhead: p.spec.overhead } : {}),
    },
    status: { phase: p.status?.phase },
  };
}

/** Strips a member Node to what the summaries read. */
export function slimNode(obj: KubeObject): Node {
  const n = obj as Node;
  return {
    metadata: { name: n.metadata?.name, uid: n.metadata?.uid, resourceVersion: n.metadata?.resourceVersion },
    status: { allocatable: n.status?.allocatable, conditions: n.status?.conditions?.map((c) => ({ type: c.type, status: c.status })) },
  };
}
