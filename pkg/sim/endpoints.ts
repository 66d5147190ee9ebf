// The endpoints and EndpointSlice controllers: for every Service with a selector, the pods it selects that
// have an IP become its Endpoints (ready addresses and notReadyAddresses) and one EndpointSlice
// (<service>-<5 random>, labelled kubernetes.io/service-name, owned by the Service). Named target ports are
// resolved against the pods' container ports. Karmada's multi-cluster services collect these slices.

import { Controller, type SimContext } from './controller.js';
import type { Informer } from './informer.js';
import { controllerRef, isPodReady, isPodTerminal, keyOf, selectorMatches } from './podutil.js';
import type { Service, ServicePort } from './services.js';
import type { KubeObject, Node, Pod } from './types.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY = 'endpointslice-controller.k8s.io';
const NAMESPACE_INDEX = 'namespace';

interface EndpointAddress {
  ip: string;
  nodeName?: string;
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
}

/** The port a service port reaches on a pod (named target ports via container ports); undefined if none. */
export function resolveTargetPort(sp: ServicePort, pod: Pod): number | undefined {
  const t = sp.targetPort ?? sp.port;
  if (typeof t === 'number') return t;
  if (/^\d+$/.test(t)) return Number(t);
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === t && (p.protocol ?? 'TCP') === (sp.protocol ?? 'TCP')) return p.containerPort;
  }
  return undefined;
}

export interface EndpointsView {
  subsets: Record<string, unknown>[];
  endpoints: Record<string, unknown>[];
  ports: { name?: string; port: number; protocol: string; appProtocol?: string }[];
}

/** Endpoints subsets and slice endpoints for a service from the pods it selects (pure). */
export function computeEndpoints(svc: Service, pods: Pod[], nodes: (name: string) => Node | undefined): EndpointsView {
  const selected = pods
    .filter((p) => p.status?.podIP && !isPodTerminal(p) && !p.metadata?.deletionTimestamp && selectorMatches({ matchLabels: svc.spec!.selector }, p.metadata?.labels))
    .sort((a, b) => (a.status!.podIP! < b.status!.podIP! ? -1 : 1));
  const publishNotReady = !!svc.spec?.publishNotReadyAddresses;
  // Subsets group addresses by the resolved port set (usually one subset).
  const groups = new Map<string, { ports: EndpointsView['ports']; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  const endpoints: Record<string, unknown>[] = [];
  let slicePorts: EndpointsView['ports'] | undefined;
  for (const pod of selected) {
    const ports: EndpointsView['ports'] = [];
    for (const sp of svc.spec?.ports ?? []) {
      const port = resolveTargetPort(sp, pod);
      if (port === undefined) continue;
      ports.push({ ...(sp.name ? { name: sp.name } : {}), port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
    }
    if (!ports.length && svc.spec?.ports?.length) continue;
    const key = JSON.stringify(ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports, ready: [], notReady: [] }));
    const m = pod.metadata!;
    const addr: EndpointAddress = {
      ip: pod.status!.podIP!,
      ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
      targetRef: { kind: 'Pod', namespace: m.namespace!, name: m.name!, uid: m.uid! },
    };
    const ready = isPodReady(pod) || publishNotReady;
    (ready ? g.ready : g.notReady).push(addr);
    slicePorts ??= ports;
    const zone = pod.spec?.nodeName ? nodes(pod.spec.nodeName)?.metadata?.labels?.['topology.kubernetes.io/zone'] : undefined;
    endpoints.push({
      addresses: [addr.ip],
      conditions: { ready, serving: isPodReady(pod), terminating: false },
      ...(pod.spec?.hostname ? { hostname: pod.spec.hostname } : {}),
      ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
      targetRef: addr.targetRef,
      ...(zone ? { zone } : {}),
    });
  }
  const subsets = [...groups.values()].map((g) => {
    const s: Record<string, unknown> = {};
    if (g.ready.length) s.addresses = g.ready;
    if (g.notReady.length) s.notReadyAddresses = g.notReady;
    if (g.ports.length) s.ports = g.ports;
    return s;
  });
  const ports = slicePorts ?? (svc.spec?.ports ?? []).map((sp) => ({ ...(sp.name ? { name: sp.name } : {}), port: typeof sp.targetPort === 'number' ? sp.targetPort : sp.port, protocol: sp.protocol ?? 'TCP' }));
  return { subsets, endpoints, ports: endpoints.length ? ports : [] };
}

export class EndpointsController extends Controller {
  private readonly services: Informer<Service>;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly endpoints: Informer<KubeObject>;
  private readonly slices: Informer<KubeObject>;

  constructor(ctx: SimContext) {
    super('endpoints', ctx, 2);
    this.services = ctx.informers.for<Service>(ctx.kinds.services).addIndex(NAMESPACE_INDEX, (s) => [s.metadata!.namespace!]);
    this.pods = ctx.informers.for<Pod>(ctx.kinds.pods).addIndex(NAMESPACE_INDEX, (p) => [p.metadata!.namespace!]);
    this.nodes = ctx.informers.for<Node>(ctx.kinds.nodes);
    this.endpoints = ctx.informers.for(ctx.kinds.endpoints);
    this.slices = ctx.informers.for(ctx.kinds.endpointSlices).addIndex(SERVICE_NAME_LABEL, (s) => {
      const svc = s.metadata?.labels?.[SERVICE_NAME_LABEL];
      return svc ? [`${s.metadata!.namespace}/${svc}`] : [];
    });
    this.services.on((_type, svc) => this.queue.add(keyOf(svc)));
    this.pods.on((_type, pod, old) => {
      // Only what endpoints show: IP, readiness, labels, node, phase.
      if (old && old !== pod && endpointRelevant(old) === endpointRelevant(pod)) return;
      for (const svc of this.services.byIndex(NAMESPACE_INDEX, pod.metadata!.namespace!)) {
        const sel = svc.spec?.selector;
        if (!sel || !Object.keys(sel).length) continue;
        if (selectorMatches({ matchLabels: sel }, pod.metadata?.labels) || (old && selectorMatches({ matchLabels: sel }, old.metadata?.labels))) {
          this.enqueueSoon(keyOf(svc));
        }
      }
    });
  }

  protected async reconcile(key: string): Promise<void> {
    const { client, kinds } = this.ctx;
    const [namespace, name] = [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)];
    const svc = this.services.get(key);
    const slices = this.slices.byIndex(SERVICE_NAME_LABEL, key).filter((s) => s.metadata?.labels?.[MANAGED_BY_LABEL] === MANAGED_BY);
    const selector = svc?.spec?.selector;
    if (!svc || svc.metadata?.deletionTimestamp || !selector || !Object.keys(selector).length || svc.spec?.type === 'ExternalName') {
      // Endpoints of services without selectors belong to their users; all go with the service.
      if (!svc && !(namespace === 'default' && name === 'kubernetes')) {
        const ep = this.endpoints.get(key);
        if (ep) await client.delete(kinds.endpoints, namespace, name, ep.metadata?.uid);
      }
      for (const s of slices) await client.delete(kinds.endpointSlices, namespace, s.metadata!.name!, s.metadata!.uid);
      return;
    }
    const view = computeEndpoints(svc, this.pods.byIndex(NAMESPACE_INDEX, namespace), (n) => this.nodes.get(n));
    const headless: Record<string, string> = svc.spec?.clusterIP === 'None' ? { 'service.kubernetes.io/headless': '' } : {};
    const labels: Record<string, string> = { ...(svc.metadata?.labels ?? {}), ...headless, [SERVICE_NAME_LABEL]: name };

    // Endpoints
    const ep = this.endpoints.get(key);
    const epLabels: Record<string, string> = { ...(svc.metadata?.labels ?? {}), ...headless };
    if (!ep) {
      await client.create(kinds.endpoints, { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace, labels: epLabels }, subsets: view.subsets }, 'endpoint-controller');
    } else if (JSON.stringify(ep.subsets ?? []) !== JSON.stringify(view.subsets) || JSON.stringify(ep.metadata?.labels ?? {}) !== JSON.stringify(epLabels)) {
      await client.update(kinds.endpoints, namespace, name, (cur) => {
        cur.subsets = view.subsets;
        cur.metadata!.labels = epLabels;
      }, { fieldManager: 'endpoint-controller' });
    }

    // EndpointSlice (one per service: the simulated clusters stay far below 100 endpoints per slice).
    const [slice, ...extra] = slices;
    for (const s of extra) await client.delete(kinds.endpointSlices, namespace, s.metadata!.name!, s.metadata!.uid);
    const sliceLabels = { ...labels, [MANAGED_BY_LABEL]: MANAGED_BY };
    if (!slice) {
      await client.create(kinds.endpointSlices, {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { generateName: `${name}-`, namespace, labels: sliceLabels, ownerReferences: [controllerRef(svc, kinds.services)] },
        addressType: 'IPv4',
        endpoints: view.endpoints,
        ports: view.ports,
      }, 'endpointslice-controller');
    } else if (
      JSON.stringify(slice.endpoints ?? []) !== JSON.stringify(view.endpoints) ||
      JSON.stringify(slice.ports ?? []) !== JSON.stringify(view.ports) ||
      JSON.stringify(slice.metadata?.labels ?? {}) !== JSON.stringify(sliceLabels)
    ) {
      await client.update(kinds.endpointSlices, namespace, slice.metadata!.name!, (cur) => {
        cur.endpoints = view.endpoints;
        cur.ports = view.ports;
        cur.metadata!.labels = sliceLabels;
      }, { uid: slice.metadata!.uid, fieldManager: 'endpointslice-controller' });
    }
  }
}

function endpointRelevant(p: Pod): string {
  return JSON.stringify([p.status?.podIP, isPodReady(p), p.metadata?.labels, p.spec?.nodeName, p.status?.phase, !!p.metadata?.deletionTimestamp]);
}
