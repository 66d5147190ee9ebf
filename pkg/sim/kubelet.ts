// The simulated kubelets: one controller plays the kubelet of every node. A pod bound to a healthy node
// gets an IP from the node's pod CIDR and becomes Running with ready, started containers (after
// --pod-startup-delay, and after its readiness probes' initialDelaySeconds). Pods of Jobs (or any pod
// with the kube-sim.karmada.io/run-duration annotation) exit after their run time: Succeeded, or Failed
// with kube-sim.karmada.io/exit-code != 0 (restartPolicy Always restarts the container instead). Pods on
// unhealthy nodes are left to the node lifecycle; pods bound to nodes that do not exist are deleted
// (PodGC).

import { Controller, type SimContext } from './controller.js';
import { fakeHex } from './hash.js';
import type { Informer } from './informer.js';
import { NODE_INDEX, nodeHealthOf, podIPsOf, podsByNode, ipv4 } from './nodes.js';
import {
  controllerOf,
  EXIT_CODE_ANNOTATION,
  getCondition,
  isDeleting,
  isPodTerminal,
  keyOf,
  parseDuration,
  parseTime,
  RUN_DURATION_ANNOTATION,
  setCondition,
  timestamp,
} from './podutil.js';
import type { Condition, Container, ContainerStatus, Node, Pod, PodStatus } from './types.js';

const FIELD_MANAGER = 'kubelet';

/** docker.io/library/nginx:latest for "nginx", as containerd reports images. */
export function normalizeImage(image: string | undefined): string {
  let ref = image ?? '';
  if (!ref) return ref;
  const first = ref.split('/')[0]!;
  const hasRegistry = ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasRegistry) ref = `docker.io/${ref.includes('/') ? '' : 'library/'}${ref}`;
  const lastSegment = ref.slice(ref.lastIndexOf('/') + 1);
  if (!lastSegment.includes(':') && !ref.includes('@')) ref += ':latest';
  return ref;
}

function imageID(image: string): string {
  const repo = image.replace(/@.*$/, '').replace(/:[^/:]+$/, '');
  return `${repo}@sha256:${fakeHex(`image/${image}`)}`;
}

export function qosClass(pod: Pod): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ['cpu', 'memory']) {
      if (lim[r] === undefined) guaranteed = false;
      else if (req[r] !== undefined && String(req[r]) !== String(lim[r])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** How long the pod's containers run before exiting (undefined: until deleted). */
export function runDuration(pod: Pod, jobDurationMs: number): number | undefined {
  const ann = pod.metadata?.annotations?.[RUN_DURATION_ANNOTATION];
  const isJobPod = controllerOf(pod)?.kind === 'Job';
  return parseDuration(ann, isJobPod ? jobDurationMs : undefined);
}

function readinessDelayMs(pod: Pod): number {
  let s = 0;
  for (const c of pod.spec?.containers ?? []) {
    const probe = (c as Container & { readinessProbe?: { initialDelaySeconds?: number } }).readinessProbe;
    if (probe) s = Math.max(s, probe.initialDelaySeconds ?? 0);
  }
  return s * 1000;
}

export interface KubeletView {
  hostIP: string;
  podIP: string;
  now: number;
  startupDelayMs: number;
  jobDurationMs: number;
}

export interface KubeletDecision {
  /** The status to write, when it differs from the pod's. */
  status?: PodStatus;
  /** Look at the pod again after this many ms. */
  requeueAfterMs?: number;
}

function containerID(pod: Pod, c: Container, restarts: number): string {
  return `containerd://${fakeHex(`${pod.metadata?.uid}/${c.name}/${restarts}`)}`;
}

function runningContainer(pod: Pod, c: Container, startedAt: string, ready: boolean, prev?: ContainerStatus): ContainerStatus {
  const image = normalizeImage(c.image);
  const restarts = prev?.restartCount ?? 0;
  return {
    containerID: containerID(pod, c, restarts),
    image,
    imageID: imageID(image),
    lastState: prev?.lastState ?? {},
    name: c.name,
    ready,
    restartCount: restarts,
    started: true,
    state: { running: { startedAt: (prev?.state?.running?.startedAt as string | undefined) ?? startedAt } },
  };
}

/**
 * What the kubelet of a healthy node writes for a pod bound to it: a pure function of the pod, its node's
 * addresses and the time.
 */
export function kubeletDecision(pod: Pod, view: KubeletView): KubeletDecision {
  const now = view.now;
  const ts = timestamp(now);
  const cur = pod.status ?? {};
  const containers = pod.spec?.containers ?? [];
  const startTime = cur.startTime ?? ts;
  const started = parseTime(startTime) ?? now;
  const names = containers.map((c) => c.name).join(' ');
  const base = (): PodStatus => ({
    ...cur,
    hostIP: view.hostIP,
    hostIPs: [{ ip: view.hostIP }],
    podIP: view.podIP,
    podIPs: [{ ip: view.podIP }],
    qosClass: qosClass(pod),
    startTime,
  });
  const conds = (readyToStart: boolean, ready: boolean, reason?: string, message?: string): Condition[] => {
    const out = (cur.conditions ?? []).map((c) => ({ ...c }));
    const set = (type: string, ok: boolean, r?: string, m?: string) =>
      setCondition(out, { type, status: ok ? 'True' : 'False', ...(r ? { reason: r } : {}), ...(m ? { message: m } : {}), lastProbeTime: null }, ts);
    set('PodReadyToStartContainers', readyToStart);
    set('Initialized', true, reason === 'PodCompleted' ? 'PodCompleted' : undefined);
    set('Ready', ready, reason, message);
    set('ContainersReady', ready, reason, message);
    set('PodScheduled', true);
    const order = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];
    return out.sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
  };
  const initStatuses = (): ContainerStatus[] | undefined => {
    const inits = pod.spec?.initContainers;
    if (!inits?.length) return undefined;
    return inits.map((c) => {
      const image = normalizeImage(c.image);
      return {
        containerID: containerID(pod, c, 0),
        image,
        imageID: imageID(image),
        lastState: {},
        name: c.name,
        ready: true,
        restartCount: 0,
        started: false,
        state: { terminated: { containerID: containerID(pod, c, 0), exitCode: 0, finishedAt: startTime, reason: 'Completed', startedAt: startTime } },
      };
    });
  };
  const withInit = (s: PodStatus): PodStatus => {
    const init = initStatuses();
    if (init) s.initContainerStatuses = init;
    return s;
  };

  // 1. Creating containers (only with a startup delay).
  const runningSince = started + view.startupDelayMs;
  if (now < runningSince) {
    if (cur.phase === 'Pending' && cur.startTime && cur.containerStatuses?.length) return { requeueAfterMs: runningSince - now };
    const status = withInit({
      ...base(),
      phase: 'Pending',
      conditions: conds(false, false, 'ContainersNotReady', `containers with unready status: [${names}]`),
      containerStatuses: containers.map((c) => ({
        image: normalizeImage(c.image),
        imageID: '',
        lastState: {},
        name: c.name,
        ready: false,
        restartCount: 0,
        started: false,
        state: { waiting: { reason: 'ContainerCreating' } },
      })),
    });
    delete status.podIP;
    delete status.podIPs;
    return { status, requeueAfterMs: runningSince - now };
  }

  // 2. Exited: the run time of a finite pod is over.
  const duration = runDuration(pod, view.jobDurationMs);
  const runningAt = timestamp(runningSince);
  const prevStatuses = new Map((cur.containerStatuses ?? []).map((s) => [s.name, s]));
  const lastStart = Math.max(
    runningSince,
    ...[...prevStatuses.values()].map((s) => parseTime(s.state?.running?.startedAt) ?? 0),
  );
  if (duration !== undefined && now >= lastStart + duration) {
    const exitCode = Number(pod.metadata?.annotations?.[EXIT_CODE_ANNOTATION] ?? 0) || 0;
    const finishedAt = timestamp(lastStart + duration);
    if (pod.spec?.restartPolicy === 'Always' || (pod.spec?.restartPolicy === 'OnFailure' && exitCode !== 0)) {
      // The container exits and is restarted in place.
      const status = withInit({
        ...base(),
        phase: 'Running',
        conditions: conds(true, true),
        containerStatuses: containers.map((c) => {
          const prev = prevStatuses.get(c.name);
          const startedAt = (prev?.state?.running?.startedAt as string | undefined) ?? runningAt;
          return {
            ...runningContainer(pod, c, ts, true),
            containerID: containerID(pod, c, (prev?.restartCount ?? 0) + 1),
            restartCount: (prev?.restartCount ?? 0) + 1,
            lastState: { terminated: { containerID: prev?.containerID, exitCode, finishedAt, reason: exitCode ? 'Error' : 'Completed', startedAt } },
            state: { running: { startedAt: ts } },
          };
        }),
      });
      return { status, requeueAfterMs: duration };
    }
    const failed = exitCode !== 0;
    const status = withInit({
      ...base(),
      phase: failed ? 'Failed' : 'Succeeded',
      conditions: conds(false, false, 'PodCompleted'),
      containerStatuses: containers.map((c) => {
        const prev = prevStatuses.get(c.name);
        const image = normalizeImage(c.image);
        const id = prev?.containerID ?? containerID(pod, c, 0);
        return {
          containerID: id,
          image,
          imageID: imageID(image),
          lastState: prev?.lastState ?? {},
          name: c.name,
          ready: false,
          restartCount: prev?.restartCount ?? 0,
          started: false,
          state: {
            terminated: {
              containerID: id,
              exitCode,
              finishedAt,
              reason: failed ? 'Error' : 'Completed',
              startedAt: (prev?.state?.running?.startedAt as string | undefined) ?? runningAt,
            },
          },
        };
      }),
    });
    return { status };
  }

  // 3. Running; ready once the readiness probes' initial delay has passed.
  const readyAt = runningSince + readinessDelayMs(pod);
  const ready = now >= readyAt;
  const status = withInit({
    ...base(),
    phase: 'Running',
    conditions: ready ? conds(true, true) : conds(true, false, 'ContainersNotReady', `containers with unready status: [${names}]`),
    containerStatuses: containers.map((c) => runningContainer(pod, c, runningAt, ready, prevStatuses.get(c.name))),
  });
  let requeue: number | undefined;
  if (!ready) requeue = readyAt - now;
  if (duration !== undefined) requeue = Math.min(requeue ?? Infinity, lastStart + duration - now);
  return { status, requeueAfterMs: requeue };
}

export class KubeletController extends Controller {
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;

  constructor(ctx: SimContext) {
    super('kubelet', ctx, 1);
    this.pods = podsByNode(ctx.informers.for<Pod>(ctx.kinds.pods));
    this.nodes = ctx.informers.for<Node>(ctx.kinds.nodes);
    this.pods.on((type, pod) => {
      if (type === 'put' && pod.spec?.nodeName && !isPodTerminal(pod) && !isDeleting(pod)) this.queue.add(keyOf(pod));
    });
    this.nodes.on((type, node, old) => {
      // Health changed (failure injected or healed): the pods on it need a look.
      const before = old ? getCondition(old.status?.conditions, 'Ready')?.status : undefined;
      const after = getCondition(node.status?.conditions, 'Ready')?.status;
      if (type === 'delete' || before !== after || (old && nodeHealthOf(old) !== nodeHealthOf(node))) {
        for (const p of this.pods.byIndex(NODE_INDEX, node.metadata!.name!)) this.queue.add(keyOf(p));
      }
    });
  }

  protected async reconcile(key: string): Promise<number | void> {
    const pod = this.pods.get(key);
    if (!pod || !pod.spec?.nodeName || isPodTerminal(pod) || isDeleting(pod)) return;
    const { client, kinds, config } = this.ctx;
    const m = pod.metadata!;
    const node = this.nodes.get(pod.spec.nodeName);
    if (!node) {
      this.logger.info({ pod: key, node: pod.spec.nodeName }, 'deleting pod bound to a node that does not exist');
      await client.delete(kinds.pods, m.namespace, m.name!, m.uid);
      return;
    }
    if (nodeHealthOf(node) !== 'Ready' || getCondition(node.status?.conditions, 'Ready')?.status !== 'True') return;
    const hostIP = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '127.0.0.1';
    const podIP = pod.spec.hostNetwork ? hostIP : pod.status?.podIP ?? this.allocateIP(node, pod);
    if (!podIP) {
      this.logger.warn({ pod: key, node: node.metadata!.name }, 'no free pod IP in the node CIDR');
      return 5_000;
    }
    const decision = kubeletDecision(pod, {
      hostIP,
      podIP,
      now: this.ctx.now(),
      startupDelayMs: config.podStartupDelayMs,
      jobDurationMs: config.jobDurationMs,
    });
    if (decision.status && JSON.stringify(decision.status) !== JSON.stringify(pod.status ?? {})) {
      const written = await client.update<Pod>(kinds.pods, m.namespace, m.name!, (cur) => {
        if (isPodTerminal(cur) || cur.spec?.nodeName !== pod.spec!.nodeName) return false;
        cur.status = decision.status;
      }, { status: true, uid: m.uid, fieldManager: FIELD_MANAGER });
      if (!written) return;
    }
    return decision.requeueAfterMs;
  }

  /** The lowest free address of the node's pod CIDR (kubenet/host-local style). */
  private allocateIP(node: Node, pod: Pod): string | undefined {
    const range = podIPsOf(node.spec?.podCIDR);
    if (!range) return undefined;
    const used = new Set<string>();
    for (const p of this.pods.byIndex(NODE_INDEX, node.metadata!.name!)) {
      if (p !== pod && p.status?.podIP && !isPodTerminal(p)) used.add(p.status.podIP);
    }
    for (let n = range.first; n <= range.last; n++) {
      const ip = ipv4(n);
      if (!used.has(ip)) return ip;
    }
    return undefined;
  }
}
