// Services as kube-apiserver treats them: on create the Service REST strategy defaults the spec (type,
// ports' protocol/targetPort, sessionAffinity, ipFamilies, traffic policies) and allocates
// spec.clusterIP(s) from the service CIDR (default 10.96.0.0/12; "None" stays for headless services) and
// node ports (30000-32767) for NodePort/LoadBalancer types, so the create response already carries them.
// Updates keep the allocations when a client omits them (kubectl apply, Karmada's push) and reject
// changes of clusterIP. A small controller plays the cloud provider: LoadBalancer services get
// status.loadBalancer.ingress from a per-cluster range.

import type { AdmissionAttributes, AdmissionPlugin } from '../apiserver/admission/types.js';
import { ApiError, invalid } from '../apiserver/errors.js';
import type { ResourceDescriptor } from '../apiserver/registry/types.js';
import { Controller, type SimContext } from './controller.js';
import { stableHash } from './hash.js';
import type { Informer } from './informer.js';
import { ipv4, parseIPv4 } from './nodes.js';
import { keyOf } from './podutil.js';
import type { KubeObject } from './types.js';

export const SERVICE_CIDR = '10.96.0.0/12';
export const NODE_PORT_RANGE = { min: 30000, max: 32767 };
/** First address of the service CIDR: the `kubernetes` Service in `default`. */
export const KUBERNETES_SERVICE_IP = '10.96.0.1';
/** Reservations are held this long for creates the cache has not seen yet. */
const RESERVATION_MS = 30_000;

export interface ServicePort {
  name?: string;
  protocol?: string;
  port: number;
  targetPort?: number | string;
  nodePort?: number;
  appProtocol?: string;
}

export interface ServiceSpec {
  type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName' | string;
  clusterIP?: string;
  clusterIPs?: string[];
  ports?: ServicePort[];
  selector?: Record<string, string>;
  sessionAffinity?: string;
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
  internalTrafficPolicy?: string;
  externalTrafficPolicy?: string;
  allocateLoadBalancerNodePorts?: boolean;
  externalName?: string;
  [other: string]: unknown;
}

export type Service = KubeObject & { spec?: ServiceSpec; status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string; ipMode?: string }[] } } };

function cidrRange(cidr: string): { first: number; size: number } {
  const [ip, bits] = cidr.split('/');
  const prefix = Number(bits);
  const base = parseIPv4(ip!) & ((~0 << (32 - prefix)) >>> 0);
  return { first: base >>> 0, size: 2 ** (32 - prefix) };
}

export function inServiceCIDR(ip: string, cidr = SERVICE_CIDR): boolean {
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return false;
  const { first, size } = cidrRange(cidr);
  const n = parseIPv4(ip);
  return n > first && n < first + size - 1;
}

const needsNodePorts = (spec: ServiceSpec) =>
  spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);

/** SetDefaults_Service and the Service strategy's PrepareForCreate defaults (allocation aside). */
export function defaultServiceSpec(spec: ServiceSpec): void {
  spec.type ??= 'ClusterIP';
  if (spec.type === 'ExternalName') return;
  spec.sessionAffinity ??= 'None';
  spec.internalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  spec.ipFamilies ??= ['IPv4'];
  spec.ipFamilyPolicy ??= 'SingleStack';
  for (const p of spec.ports ?? []) {
    p.protocol ??= 'TCP';
    p.targetPort ??= p.port;
  }
}

/** Allocations of existing services: cluster IPs and node ports. */
export interface Allocations {
  ips: Set<string>;
  nodePorts: Set<number>;
}

export class ServiceAllocator {
  private readonly reservedIPs = new Map<string, number>();
  private readonly reservedPorts = new Map<number, number>();

  constructor(
    private readonly cidr = SERVICE_CIDR,
    private readonly random: () => number = Math.random,
  ) {}

  private fresh(map: Map<string | number, number>, now: number): void {
    for (const [k, until] of map) if (until < now) map.delete(k);
  }

  /** A free IP of the range (random, as the bitmap allocator picks), skipping the first ones. */
  allocateIP(used: Allocations, now = Date.now()): string {
    this.fresh(this.reservedIPs as Map<string | number, number>, now);
    const { first, size } = cidrRange(this.cidr);
    for (let attempt = 0; attempt < 64; attempt++) {
      const ip = ipv4(first + 11 + Math.floor(this.random() * (size - 12)));
      if (!used.ips.has(ip) && !this.reservedIPs.has(ip)) return this.reserveIP(ip, now);
    }
    for (let n = first + 2; n < first + size - 1; n++) {
      const ip = ipv4(n);
      if (!used.ips.has(ip) && !this.reservedIPs.has(ip)) return this.reserveIP(ip, now);
    }
    throw new ApiError(500, 'InternalError', `failed to allocate a serviceIP: range is full (${this.cidr})`);
  }

  reserveIP(ip: string, now = Date.now()): string {
    this.reservedIPs.set(ip, now + RESERVATION_MS);
    return ip;
  }

  isReservedIP(ip: string): boolean {
    return this.reservedIPs.has(ip);
  }

  allocateNodePort(used: Allocations, now = Date.now()): number {
    this.fresh(this.reservedPorts as Map<string | number, number>, now);
    const span = NODE_PORT_RANGE.max - NODE_PORT_RANGE.min + 1;
    const start = Math.floor(this.random() * span);
    for (let i = 0; i < span; i++) {
      const p = NODE_PORT_RANGE.min + ((start + i) % span);
      if (!used.nodePorts.has(p) && !this.reservedPorts.has(p)) {
        this.reservedPorts.set(p, now + RESERVATION_MS);
        return p;
      }
    }
    throw new ApiError(500, 'InternalError', 'failed to allocate a nodePort: range is full');
  }

  reservePort(p: number, now = Date.now()): void {
    this.reservedPorts.set(p, now + RESERVATION_MS);
  }

  isReservedPort(p: number): boolean {
    return this.reservedPorts.has(p);
  }
}

function allocationsOf(services: KubeObject[], except?: KubeObject): Allocations {
  const ips = new Set<string>();
  const nodePorts = new Set<number>();
  for (const s of services as Service[]) {
    if (except && s.metadata?.uid === except.metadata?.uid) continue;
    for (const ip of s.spec?.clusterIPs ?? (s.spec?.clusterIP ? [s.spec.clusterIP] : [])) ips.add(ip);
    for (const p of s.spec?.ports ?? []) if (p.nodePort) nodePorts.add(p.nodePort);
  }
  return { ips, nodePorts };
}

/**
 * The Service strategy's defaulting and allocation as an admission plugin (the allocation happens in the
 * API server, so create responses carry the clusterIP as kube-apiserver's do).
 */
export function serviceAllocation(allocator = new ServiceAllocator()): AdmissionPlugin {
  return {
    name: 'ServiceIPAllocation',
    async admit(a: AdmissionAttributes) {
      const d = a.descriptor;
      if (d.group !== '' || d.kind !== 'Service' || !a.object || a.subresource || a.operation === 'DELETE') return;
      const svc = a.object as Service;
      const spec = (svc.spec ??= {});
      const old = a.oldObject as Service | undefined;
      if (a.operation === 'UPDATE' && old?.spec) keepAllocations(spec, old.spec);
      defaultServiceSpec(spec);
      const list = await a.store.list(d, undefined, { resourceVersion: '0' });
      const used = allocationsOf(list.items, old);
      const name = svc.metadata?.name ?? '';
      const now = Date.now();

      if (spec.type === 'ExternalName') {
        delete spec.clusterIP;
        delete spec.clusterIPs;
      } else {
        const requested = spec.clusterIP || spec.clusterIPs?.[0];
        if (!requested) {
          const ip = allocator.allocateIP(used, now);
          spec.clusterIP = ip;
          spec.clusterIPs = [ip];
        } else if (requested === 'None') {
          spec.clusterIP = 'None';
          spec.clusterIPs = ['None'];
        } else if (!old || old.spec?.clusterIP !== requested) {
          if (!inServiceCIDR(requested)) {
            throw invalid(d.group, d.kind, name, [{ reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Invalid value: []string{"${requested}"}: failed to allocate IP ${requested}: the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${SERVICE_CIDR}` }]);
          }
          if (used.ips.has(requested) || (allocator.isReservedIP(requested) && !old)) {
            throw invalid(d.group, d.kind, name, [{ reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Invalid value: []string{"${requested}"}: failed to allocate IP ${requested}: provided IP is already allocated` }]);
          }
          allocator.reserveIP(requested, now);
          spec.clusterIP = requested;
          spec.clusterIPs = [requested];
        }
      }

      if (needsNodePorts(spec)) {
        (spec.ports ?? []).forEach((p, i) => {
          if (p.nodePort) {
            const mine = old?.spec?.ports?.some((o) => o.nodePort === p.nodePort);
            if (!mine) {
              if (p.nodePort < NODE_PORT_RANGE.min || p.nodePort > NODE_PORT_RANGE.max) {
                throw invalid(d.group, d.kind, name, [{ reason: 'FieldValueInvalid', field: `spec.ports[${i}].nodePort`, message: `Invalid value: ${p.nodePort}: provided port is not in the valid range. The range of valid ports is ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}` }]);
              }
              if (used.nodePorts.has(p.nodePort) || allocator.isReservedPort(p.nodePort)) {
                throw invalid(d.group, d.kind, name, [{ reason: 'FieldValueInvalid', field: `spec.ports[${i}].nodePort`, message: `Invalid value: ${p.nodePort}: provided port is already allocated` }]);
              }
              allocator.reservePort(p.nodePort, now);
            }
            return;
          }
          p.nodePort = allocator.allocateNodePort(used, now);
        });
      } else {
        for (const p of spec.ports ?? []) delete p.nodePort;
      }
    },
  };
}

/** Carries clusterIP(s) and node ports over from the stored object when the update omits them. */
function keepAllocations(spec: ServiceSpec, old: ServiceSpec): void {
  const typeOf = (s: ServiceSpec) => s.type ?? 'ClusterIP';
  if (typeOf(spec) !== 'ExternalName' && typeOf(old) !== 'ExternalName') {
    if (!spec.clusterIP && !spec.clusterIPs?.length) {
      if (old.clusterIP) spec.clusterIP = old.clusterIP;
      if (old.clusterIPs) spec.clusterIPs = [...old.clusterIPs];
    } else if (spec.clusterIP && !spec.clusterIPs?.length && old.clusterIPs?.[0] === spec.clusterIP) {
      spec.clusterIPs = [...old.clusterIPs];
    }
  }
  if (needsNodePorts({ ...spec, type: typeOf(spec) })) {
    for (const p of spec.ports ?? []) {
      if (p.nodePort) continue;
      const prev = (old.ports ?? []).find((o) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP')) ?? (p.name ? old.ports?.find((o) => o.name === p.name) : undefined);
      if (prev?.nodePort) p.nodePort = prev.nodePort;
    }
  }
}

/** Rejects changing an allocated clusterIP, as kube-apiserver does ("field is immutable"). */
export function serviceImmutability(): AdmissionPlugin {
  return {
    name: 'ServiceClusterIPImmutable',
    validate(a: AdmissionAttributes) {
      const d = a.descriptor;
      if (d.group !== '' || d.kind !== 'Service' || a.operation !== 'UPDATE' || a.subresource) return;
      const spec = (a.object as Service | undefined)?.spec;
      const old = (a.oldObject as Service | undefined)?.spec;
      if (!spec || !old || !old.clusterIP || spec.type === 'ExternalName' || old.type === 'ExternalName') return;
      if (spec.clusterIP !== old.clusterIP) {
        throw invalid(d.group, d.kind, a.name, [{ reason: 'FieldValueInvalid', field: 'spec.clusterIPs[0]', message: `Invalid value: []string{"${spec.clusterIP}"}: may not change once set` }]);
      }
    },
  };
}

/** The load balancer range of a cluster: 172.(18..25).255.0/24 by cluster name. */
export function loadBalancerRange(cluster: string): { first: number; last: number } {
  const base = parseIPv4(`172.${18 + (stableHash(cluster, 'lb') % 8)}.255.0`);
  return { first: base + 10, last: base + 250 };
}

export class LoadBalancerController extends Controller {
  private readonly services: Informer<Service>;

  constructor(ctx: SimContext) {
    super('service-lb', ctx, 1);
    this.services = ctx.informers.for<Service>(ctx.kinds.services);
    this.services.on((type, svc) => {
      if (type === 'put' && (svc.spec?.type === 'LoadBalancer' || svc.status?.loadBalancer?.ingress?.length)) this.queue.add(keyOf(svc));
    });
  }

  protected async reconcile(key: string): Promise<void> {
    const svc = this.services.get(key);
    if (!svc || svc.metadata?.deletionTimestamp) return;
    const { client, kinds, config } = this.ctx;
    const m = svc.metadata!;
    const want = svc.spec?.type === 'LoadBalancer';
    const have = svc.status?.loadBalancer?.ingress ?? [];
    if (want && have.length) return;
    if (!want && !have.length) return;
    let ingress: { ip: string; ipMode: string }[] = [];
    if (want) {
      const used = new Set<string>();
      for (const s of this.services.list()) for (const i of s.status?.loadBalancer?.ingress ?? []) if (i.ip) used.add(i.ip);
      const { first, last } = loadBalancerRange(config.clusterName);
      let ip: string | undefined;
      for (let n = first; n <= last && !ip; n++) if (!used.has(ipv4(n))) ip = ipv4(n);
      if (!ip) {
        this.logger.warn({ service: key }, 'load balancer range exhausted');
        return;
      }
      ingress = [{ ip, ipMode: 'VIP' }];
    }
    await client.update<Service>(kinds.services, m.namespace, m.name!, (cur) => {
      cur.status = { ...(cur.status ?? {}), loadBalancer: ingress.length ? { ingress } : {} };
    }, { status: true, uid: m.uid, fieldManager: 'service-controller' });
  }
}

/** The `kubernetes` Service in `default` and its endpoints (the API server's own). */
export async function ensureKubernetesService(ctx: SimContext, address: string, port: number): Promise<void> {
  const { client, kinds } = ctx;
  const svc: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { clusterIP: KUBERNETES_SERVICE_IP, clusterIPs: [KUBERNETES_SERVICE_IP], ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }], type: 'ClusterIP' },
  };
  const existing = await ctx.store.tryGet(kinds.services, 'default', 'kubernetes');
  if (!existing) await client.create(kinds.services, svc, 'kube-apiserver');
  const endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: address }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
  };
  const slice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [address], conditions: { ready: true } }],
    ports: [{ name: 'https', port, protocol: 'TCP' }],
  };
  await upsert(ctx, kinds.endpoints, endpoints, (cur) => JSON.stringify(cur.subsets) === JSON.stringify(endpoints.subsets), (cur) => void (cur.subsets = endpoints.subsets));
  await upsert(ctx, kinds.endpointSlices, slice, (cur) => JSON.stringify(cur.endpoints) === JSON.stringify(slice.endpoints) && JSON.stringify(cur.ports) === JSON.stringify(slice.ports), (cur) => {
    cur.endpoints = slice.endpoints;
    cur.ports = slice.ports;
  });
}

async function upsert(ctx: SimContext, d: ResourceDescriptor, obj: KubeObject, same: (cur: KubeObject) => boolean, apply: (cur: KubeObject) => void): Promise<void> {
  const cur = await ctx.store.tryGet(d, obj.metadata!.namespace, obj.metadata!.name!);
  if (!cur) {
    await ctx.client.create(d, obj, 'kube-apiserver');
    return;
  }
  if (same(cur)) return;
  await ctx.client.update(d, obj.metadata!.namespace, obj.metadata!.name!, (c) => void apply(c), { fieldManager: 'kube-apiserver' });
}
