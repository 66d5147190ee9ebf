// Simulated nodes: kube-sim registers N nodes (plus edge nodes) the way kubelets would, keeps their status
// Ready without periodic heartbeats, and plays the node lifecycle controller for failure injection:
//
//   kubectl annotate node NODE kube-sim.karmada.io/fail=true      # unreachable (Ready=Unknown)
//   kubectl annotate node NODE kube-sim.karmada.io/fail=NotReady  # Ready=False
//   kubectl annotate node NODE kube-sim.karmada.io/fail-          # heal
//
// A failed node gets the node.kubernetes.io/unreachable (or not-ready) NoSchedule and NoExecute taints,
// its pods are marked not ready, and pods are evicted (deleted) once their toleration of the NoExecute
// taint runs out: kube-sim's DefaultTolerationSeconds admission gives every pod a toleration of
// --pod-eviction-timeout seconds, pods that tolerate the taint forever (DaemonSet pods) stay. The same
// taint-based eviction applies to any NoExecute taint a user puts on a node. Nodes created through the
// API without a status get one (kwok-style), so tests can add nodes at will.

import type { AdmissionAttributes, AdmissionPlugin } from '../apiserver/admission/types.js';
import { Controller, type SimConfig, type SimContext } from './controller.js';
import { stableHash, fakeHex } from './hash.js';
import type { Informer } from './informer.js';
import {
  FAIL_ANNOTATION,
  getCondition,
  isPodActive,
  isPodReady,
  parseTime,
  setCondition,
  TAINT_NOT_READY,
  TAINT_UNREACHABLE,
  TAINT_UNSCHEDULABLE,
  timestamp,
  toleratesTaint,
} from './podutil.js';
import { parseQuantity } from './quantity.js';
import type { Condition, Node, NodeStatus, Pod, Taint, Toleration } from './types.js';

export const MANAGED_ANNOTATION = 'kube-sim.karmada.io/simulated';
export const PROVIDER_LABEL = 'kube-sim.karmada.io/provider';
export const EDGE_ROLE_LABEL = 'node-role.kubernetes.io/edge';
const FIELD_MANAGER = 'kubelet';
const LIFECYCLE_MANAGER = 'kube-controller-manager';
const KUBEEDGE_VERSION = 'v1.20.0';

export type NodeHealth = 'Ready' | 'Unreachable' | 'NotReady';

// ---- naming and addressing ------------------------------------------------------------------

export function nodeName(cluster: string, index: number, edge = false): string {
  return `${cluster}-${edge ? 'edge-node' : 'node'}-${index}`;
}

export function desiredNodeNames(cfg: SimConfig): string[] {
  const names: string[] = [];
  for (let i = 0; i < cfg.nodes; i++) names.push(nodeName(cfg.clusterName, i));
  for (let i = 0; i < cfg.edgeNodes; i++) names.push(nodeName(cfg.clusterName, i, true));
  return names;
}

function ipv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function parseIPv4(s: string): number {
  const p = s.split('.').map(Number);
  return ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
}

/** The n-th node of a cluster: its InternalIP in 172.16.0.0/12 (a /16 per cluster name) and a /24 pod CIDR. */
export function nodeAddressing(cluster: string, n: number): { internalIP: string; podCIDR: string } {
  const clusterNet = 0xac100000 + ((stableHash(cluster) % 16) << 16); // 172.(16..31).0.0
  return {
    internalIP: ipv4(clusterNet + 2 + n),
    podCIDR: `${ipv4(0x0af40000 + n * 256)}/24`, // 10.244.n.0/24
  };
}

/** The pod IPs of a node's CIDR in allocation order (the .1 is the bridge). */
export function podIPsOf(podCIDR: string | undefined): { first: number; last: number } | undefined {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(podCIDR ?? '');
  if (!m) return undefined;
  const bits = Number(m[2]);
  const base = parseIPv4(m[1]!) & (bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0);
  const size = 2 ** (32 - bits);
  return { first: base + 2, last: base + size - 2 };
}

export { ipv4, parseIPv4 };

function instanceType(cpu: string, memory: string): string {
  const gi = Math.round(parseQuantity(memory) / 2 ** 30);
  return `sim.${parseQuantity(cpu)}c${gi}g`;
}

// ---- desired node objects -------------------------------------------------------------------

/** A node as its kubelet registers it: labels, spec, and a Ready status. */
export function simulatedNode(cfg: SimConfig, name: string, index: number, edge: boolean, now: number): Node {
  const zone = cfg.zones.length ? cfg.zones[index % cfg.zones.length] : undefined;
  const { podCIDR } = nodeAddressing(cfg.clusterName, edge ? cfg.nodes + index : index);
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    'node.kubernetes.io/instance-type': instanceType(cfg.nodeCpu, cfg.nodeMemory),
  };
  if (cfg.region) labels['topology.kubernetes.io/region'] = cfg.region;
  if (zone) labels['topology.kubernetes.io/zone'] = zone;
  if (cfg.provider) labels[PROVIDER_LABEL] = cfg.provider;
  if (edge) {
    labels[EDGE_ROLE_LABEL] = '';
    labels['node-role.kubernetes.io/agent'] = '';
  }
  const node: Node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels,
      annotations: {
        [MANAGED_ANNOTATION]: 'true',
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: {
      podCIDR,
      podCIDRs: [podCIDR],
      providerID: `${cfg.provider ?? 'kube-sim'}://${[cfg.region, zone].filter(Boolean).join('/')}${cfg.region || zone ? '/' : ''}${name}`,
    },
  };
  node.status = desiredNodeStatus(cfg, node, now);
  return node;
}

function healthyConditions(): Condition[] {
  return [
    { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
    { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
    { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
    { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
  ];
}

export function nodeHealthOf(node: Node): NodeHealth {
  const v = node.metadata?.annotations?.[FAIL_ANNOTATION]?.trim().toLowerCase();
  if (v === undefined || v === '' || v === 'false' || v === 'no') return 'Ready';
  if (v === 'notready' || v === 'not-ready') return 'NotReady';
  return 'Unreachable';
}

/**
 * The status a node should have: the kubelet's view (capacity, addresses, nodeInfo; kept when the node
 * already has them) with conditions following the injected health.
 */
export function desiredNodeStatus(cfg: SimConfig, node: Node, now: number): NodeStatus {
  const name = node.metadata!.name!;
  const cur = node.status ?? {};
  const edge = node.metadata?.labels?.[EDGE_ROLE_LABEL] !== undefined;
  const index = Number(/-(\d+)$/.exec(name)?.[1] ?? stableHash(name) % 4096);
  const { internalIP } = nodeAddressing(cfg.clusterName, edge ? cfg.nodes + index : index);
  const resources = {
    cpu: cfg.nodeCpu,
    'ephemeral-storage': '100Gi',
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: cfg.nodeMemory,
    pods: String(cfg.nodePods),
  };
  const status: NodeStatus = {
    ...cur,
    capacity: cur.capacity ?? resources,
    allocatable: cur.allocatable ?? cur.capacity ?? resources,
    addresses: cur.addresses ?? [
      { type: 'InternalIP', address: internalIP },
      { type: 'Hostname', address: name },
    ],
    daemonEndpoints: cur.daemonEndpoints ?? { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: cur.nodeInfo ?? {
      architecture: 'amd64',
      bootID: fakeHex(`${name}/boot`, 32).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5'),
      containerRuntimeVersion: 'containerd://1.7.24',
      kernelVersion: '6.8.0-kube-sim',
      kubeProxyVersion: cfg.kubernetesVersion,
      kubeletVersion: edge ? `${cfg.kubernetesVersion}-kubeedge-${KUBEEDGE_VERSION}` : cfg.kubernetesVersion,
      machineID: fakeHex(`${name}/machine`, 32),
      operatingSystem: 'linux',
      osImage: 'Debian GNU/Linux 12 (bookworm)',
      systemUUID: fakeHex(`${name}/uuid`, 32).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5'),
    },
  };
  status.conditions = nodeConditions(cur.conditions, nodeHealthOf(node), now);
  return status;
}

/** Conditions for a health state; timestamps move only when something changes (no periodic heartbeats). */
export function nodeConditions(current: Condition[] | undefined, health: NodeHealth, now: number): Condition[] {
  const ts = timestamp(now);
  let want = healthyConditions();
  if (health === 'Unreachable') {
    want = want.map((c) => ({ type: c.type, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' }));
  } else if (health === 'NotReady') {
    want = want.map((c) =>
      c.type === 'Ready'
        ? {
            type: 'Ready',
            status: 'False',
            reason: 'KubeletNotReady',
            message: 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
          }
        : c,
    );
  }
  const out = (current ?? []).map((c) => ({ ...c }));
  let changed = !current?.length;
  for (const w of want) {
    const prev = getCondition(out, w.type);
    // An unreachable node's heartbeat stops: the controller, not the kubelet, writes Unknown.
    const heartbeat = health === 'Unreachable' && prev?.lastHeartbeatTime ? prev.lastHeartbeatTime : ts;
    const next: Condition = { ...w, lastHeartbeatTime: prev && sameState(prev, w) ? prev.lastHeartbeatTime ?? ts : heartbeat };
    if (setCondition(out, next, ts)) changed = true;
  }
  return changed ? out : current!;
}

function sameState(a: Condition, b: Condition): boolean {
  return a.status === b.status && a.reason === b.reason && a.message === b.message;
}

const MANAGED_TAINT_KEYS = new Set([TAINT_UNREACHABLE, TAINT_NOT_READY, TAINT_UNSCHEDULABLE]);

/** Taints from node conditions (TaintNodesByCondition + the lifecycle controller's NoExecute taints). */
export function desiredTaints(node: Node, health: NodeHealth, now: number): Taint[] {
  const current = node.spec?.taints ?? [];
  const out = current.filter((t) => !MANAGED_TAINT_KEYS.has(t.key));
  const keep = (t: Taint): Taint => {
    const prev = current.find((c) => c.key === t.key && c.effect === t.effect);
    if (t.effect !== 'NoExecute') return { key: t.key, effect: t.effect };
    return { key: t.key, effect: t.effect, timeAdded: prev?.timeAdded ?? timestamp(now) };
  };
  if (node.spec?.unschedulable) out.push(keep({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' }));
  const key = health === 'Unreachable' ? TAINT_UNREACHABLE : health === 'NotReady' ? TAINT_NOT_READY : undefined;
  if (key) {
    out.push(keep({ key, effect: 'NoSchedule' }));
    out.push(keep({ key, effect: 'NoExecute' }));
  }
  return out;
}

/**
 * When a pod on a node with NoExecute taints must go (the taint manager's rule): at once when a taint is
 * not tolerated, at timeAdded + the shortest tolerationSeconds otherwise, never when tolerated forever.
 */
export function evictionTime(tolerations: Toleration[] | undefined, taints: Taint[], now: number): number | undefined {
  let at: number | undefined;
  for (const taint of taints) {
    if (taint.effect !== 'NoExecute') continue;
    const matching = (tolerations ?? []).filter((t) => toleratesTaint(t, taint));
    if (!matching.length) return now;
    if (matching.some((t) => t.tolerationSeconds === undefined || t.tolerationSeconds === null)) continue;
    const seconds = Math.min(...matching.map((t) => Math.max(0, t.tolerationSeconds!)));
    const added = parseTime(taint.timeAdded) ?? now;
    const when = added + seconds * 1000;
    at = at === undefined ? when : Math.min(at, when);
  }
  return at;
}

/**
 * DefaultTolerationSeconds admission: pods tolerate not-ready/unreachable NoExecute taints for
 * --pod-eviction-timeout seconds unless they say otherwise.
 */
export function defaultTolerationSeconds(seconds: number): AdmissionPlugin {
  return {
    name: 'DefaultTolerationSeconds',
    admit(a: AdmissionAttributes) {
      if (a.operation !== 'CREATE' || a.subresource || a.descriptor.group !== '' || a.descriptor.kind !== 'Pod') return;
      const spec = a.object?.spec as { tolerations?: Toleration[] } | undefined;
      if (!spec) return;
      const tolerations = (spec.tolerations ??= []);
      for (const key of [TAINT_NOT_READY, TAINT_UNREACHABLE]) {
        const covered = tolerations.some((t) => (t.key === key || (!t.key && t.operator === 'Exists')) && (!t.effect || t.effect === 'NoExecute'));
        if (!covered) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds });
      }
    },
  };
}

// ---- controller -----------------------------------------------------------------------------

export const NODE_INDEX = 'spec.nodeName';

export function podsByNode(pods: Informer<Pod>): Informer<Pod> {
  return pods.addIndex(NODE_INDEX, (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []));
}

/** Registers the simulated nodes and runs their lifecycle (status, taints, eviction). */
export class NodeController extends Controller {
  private readonly nodes: Informer<Node>;
  private readonly pods: Informer<Pod>;
  private readonly desired: Map<string, { index: number; edge: boolean }>;

  constructor(ctx: SimContext) {
    super('node-lifecycle', ctx, 2);
    const cfg = ctx.config;
    this.desired = new Map();
    for (let i = 0; i < cfg.nodes; i++) this.desired.set(nodeName(cfg.clusterName, i), { index: i, edge: false });
    for (let i = 0; i < cfg.edgeNodes; i++) this.desired.set(nodeName(cfg.clusterName, i, true), { index: i, edge: true });
    this.nodes = ctx.informers.for<Node>(ctx.kinds.nodes);
    this.pods = podsByNode(ctx.informers.for<Pod>(ctx.kinds.pods));
    this.nodes.on((type, node) => this.queue.add(node.metadata!.name!));
  }

  /** Registers missing nodes and removes simulated nodes no longer wanted (fewer --nodes). */
  override async prepare(): Promise<void> {
    const { client, kinds } = this.ctx;
    const missing = [...this.desired].filter(([name]) => !this.nodes.get(name));
    const work = async ([name, { index, edge }]: [string, { index: number; edge: boolean }]) => {
      const node = simulatedNode(this.ctx.config, name, index, edge, this.ctx.now());
      const status = node.status!;
      await client.create(kinds.nodes, node, FIELD_MANAGER);
      await client.update<Node>(kinds.nodes, undefined, name, (cur) => void (cur.status = { ...status, ...(cur.status ?? {}), conditions: status.conditions }), {
        status: true,
        fieldManager: FIELD_MANAGER,
      });
    };
    // A few at a time: registration is bound by the store's write path, not by concurrency.
    for (let i = 0; i < missing.length; i += 8) await Promise.all(missing.slice(i, i + 8).map(work));
    for (const node of [...this.nodes.list()]) {
      const name = node.metadata!.name!;
      if (node.metadata?.annotations?.[MANAGED_ANNOTATION] === 'true' && !this.desired.has(name)) {
        await client.delete(kinds.nodes, undefined, name, node.metadata.uid);
      }
    }
  }

  protected async reconcile(name: string): Promise<number | void> {
    const { client, kinds } = this.ctx;
    const node = this.nodes.get(name);
    if (!node) {
      const want = this.desired.get(name);
      // A deleted simulated node re-registers, as a kubelet would.
      if (want) {
        const fresh = simulatedNode(this.ctx.config, name, want.index, want.edge, this.ctx.now());
        const status = fresh.status!;
        await client.create(kinds.nodes, fresh, FIELD_MANAGER);
        await client.update<Node>(kinds.nodes, undefined, name, (cur) => void (cur.status = status), { status: true, fieldManager: FIELD_MANAGER });
      }
      return;
    }
    if (node.metadata?.deletionTimestamp) return;
    const now = this.ctx.now();
    const health = nodeHealthOf(node);

    const status = desiredNodeStatus(this.ctx.config, node, now);
    if (JSON.stringify(status) !== JSON.stringify(node.status ?? {})) {
      await client.update<Node>(kinds.nodes, undefined, name, (cur) => {
        const s = desiredNodeStatus(this.ctx.config, cur, now);
        if (JSON.stringify(s) === JSON.stringify(cur.status ?? {})) return false;
        cur.status = s;
      }, { status: true, uid: node.metadata!.uid, fieldManager: health === 'Ready' ? FIELD_MANAGER : LIFECYCLE_MANAGER });
    }

    const taints = desiredTaints(node, health, now);
    let current = node;
    if (JSON.stringify(taints) !== JSON.stringify(node.spec?.taints ?? [])) {
      const written = await client.update<Node>(kinds.nodes, undefined, name, (cur) => {
        const t = desiredTaints(cur, nodeHealthOf(cur), now);
        if (JSON.stringify(t) === JSON.stringify(cur.spec?.taints ?? [])) return false;
        cur.spec ??= {};
        if (t.length) cur.spec.taints = t;
        else delete cur.spec.taints;
      }, { uid: node.metadata!.uid, fieldManager: LIFECYCLE_MANAGER });
      if (!written) return;
      current = written;
    }
    return this.processPods(current, health, now);
  }

  /** Marks pods on an unhealthy node not ready and evicts those whose tolerations ran out. */
  private async processPods(node: Node, health: NodeHealth, now: number): Promise<number | void> {
    const { client, kinds } = this.ctx;
    const taints = (node.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
    if (health === 'Ready' && !taints.length) return;
    let next: number | undefined;
    for (const pod of this.pods.byIndex(NODE_INDEX, node.metadata!.name!)) {
      if (!isPodActive(pod)) continue;
      const m = pod.metadata!;
      if (taints.length) {
        const at = evictionTime(pod.spec?.tolerations, taints, now);
        if (at !== undefined && at <= now) {
          this.logger.info({ pod: `${m.namespace}/${m.name}`, node: node.metadata!.name }, 'evicting pod from tainted node');
          await client.delete(kinds.pods, m.namespace, m.name!, m.uid);
          continue;
        }
        if (at !== undefined) next = next === undefined ? at - now : Math.min(next, at - now);
      }
      if (health !== 'Ready' && isPodReady(pod)) {
        const ts = timestamp(now);
        await client.update<Pod>(kinds.pods, m.namespace, m.name!, (cur) => {
          const conds = cur.status?.conditions;
          if (!conds) return false;
          let changed = setCondition(conds, { type: 'Ready', status: 'False', lastProbeTime: null }, ts);
          changed = setCondition(conds, { type: 'ContainersReady', status: 'False', lastProbeTime: null }, ts) || changed;
          for (const cs of cur.status?.containerStatuses ?? []) {
            if (cs.ready) changed = true;
            cs.ready = false;
          }
          return changed;
        }, { status: true, uid: m.uid, fieldManager: LIFECYCLE_MANAGER });
      }
    }
    return next;
  }
}
