// What the cluster status controller asks a member: health (/readyz, falling back to /healthz), version
// (/version) and the APIs it serves (aggregated discovery in two requests when the member supports it,
// classic per-group discovery otherwise).

import type { APIEnablement } from '../../apis/cluster/v1alpha1/index.js';
import type { RestClient } from '../../runtime/rest.js';
import type { StatusCondition } from '../../util/conditions.js';

export interface Health {
  /** The member answered over HTTP. */
  online: boolean;
  /** It answered 200. */
  healthy: boolean;
  detail?: string;
}

export async function probeHealth(rest: RestClient, timeoutMs = 10_000): Promise<Health> {
  try {
    let r = await rest.raw({ path: '/readyz', timeoutMs, accept: 'text/plain, */*' });
    if (r.status === 404) r = await rest.raw({ path: '/healthz', timeoutMs, accept: 'text/plain, */*' });
    return { online: true, healthy: r.status === 200, detail: r.status === 200 ? undefined : `${r.status}: ${r.body.slice(0, 200)}` };
  } catch (err) {
    return { online: false, healthy: false, detail: err instanceof Error ? err.message : String(err) };
  }
}

export async function kubernetesVersion(rest: RestClient): Promise<string> {
  const v = await rest.request<{ gitVersion?: string }>({ path: '/version' });
  return v?.gitVersion ?? '';
}

export const CLUSTER_REASON_STATUS_COLLECTION_FAILED = 'StatusCollectionFailed';
const CLUSTER_MESSAGE_NOT_REACHABLE = 'cluster is not reachable';
const CLUSTER_MESSAGE_UNHEALTHY = 'cluster is reachable but health endpoint responded without ok';
const CLUSTER_MESSAGE_HEALTHY = 'cluster is healthy and ready to accept workloads';

/** The Ready condition for a health observation (generateReadyCondition). */
export function readyCondition(h: Pick<Health, 'online' | 'healthy'>): StatusCondition {
  if (!h.online) return { type: 'Ready', status: 'False', reason: 'ClusterNotReachable', message: CLUSTER_MESSAGE_NOT_REACHABLE };
  if (!h.healthy) return { type: 'Ready', status: 'False', reason: 'ClusterNotReady', message: CLUSTER_MESSAGE_UNHEALTHY };
  return { type: 'Ready', status: 'True', reason: 'ClusterReady', message: CLUSTER_MESSAGE_HEALTHY };
}

export interface ResourceListDoc {
  groupVersion: string;
  resources: { name: string; kind: string }[];
}

/** apiEnablements from discovery lists: subresources dropped, resources by name, lists by groupVersion. */
export function toAPIEnablements(lists: readonly ResourceListDoc[]): APIEnablement[] {
  return lists
    .map((l) => ({
      groupVersion: l.groupVersion,
      resources: l.resources
        .filter((r) => !r.name.includes('/'))
        .map((r) => ({ name: r.name, kind: r.kind }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    }))
    .sort((a, b) => (a.groupVersion < b.groupVersion ? -1 : a.groupVersion > b.groupVersion ? 1 : 0));
}

/** The CompleteAPIEnablements condition for a discovery result. */
export function apiEnablementsCondition(count: number, partial: boolean): StatusCondition {
  if (count === 0) return { type: 'CompleteAPIEnablements', status: 'False', reason: 'Empty', message: 'collected empty APIEnablements from the cluster' };
  if (partial) return { type: 'CompleteAPIEnablements', status: 'False', reason: 'Partial', message: `might collect partial APIEnablements(${count}) from the cluster` };
  return { type: 'CompleteAPIEnablements', status: 'True', reason: 'Complete', message: 'collected complete APIEnablements from the cluster' };
}

const AGGREGATED_ACCEPT =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

interface AggregatedList {
  kind?: string;
  items?: { metadata?: { name?: string }; versions?: { version: string; freshness?: string; resources?: { resource: string; responseKind?: { kind?: string } }[] }[] }[];
}

/** Every group/version's resources; partial when some group could not be read. */
export async function discoverAPIs(rest: RestClient): Promise<{ lists: ResourceListDoc[]; partial: boolean }> {
  const lists: ResourceListDoc[] = [];
  let partial = false;
  let needLegacy = false;
  for (const root of ['/api', '/apis']) {
    const doc = await rest.request<AggregatedList & { versions?: string[]; groups?: { versions?: { groupVersion: string }[] }[] }>({ path: root, accept: AGGREGATED_ACCEPT });
    if (doc?.kind === 'APIGroupDiscoveryList') {
      for (const g of doc.items ?? []) {
        const group = g.metadata?.name ?? '';
        for (const v of g.versions ?? []) {
          if (v.freshness === 'Stale') partial = true;
          lists.push({ groupVersion: group ? `${group}/${v.version}` : v.version, resources: (v.resources ?? []).map((r) => ({ name: r.resource, kind: r.responseKind?.kind ?? '' })) });
        }
      }
    } else {
      needLegacy = true;
      break;
    }
  }
  if (!needLegacy) return { lists, partial };
  // classic discovery: /api -> versions, /apis -> groups, then one request per group version
  lists.length = 0;
  partial = false;
  const core = await rest.request<{ versions?: string[] }>({ path: '/api' });
  const groups = await rest.request<{ groups?: { versions?: { groupVersion: string }[] }[] }>({ path: '/apis' });
  const paths = [...(core?.versions ?? []).map((v) => ({ gv: v, path: `/api/${v}` })), ...(groups?.groups ?? []).flatMap((g) => (g.versions ?? []).map((v) => ({ gv: v.groupVersion, path: `/apis/${v.groupVersion}` })))];
  const results = await mapLimit(paths, 8, async (p) => {
    try {
      const l = await rest.request<{ resources?: { name: string; kind: string }[] }>({ path: p.path });
      return { groupVersion: p.gv, resources: l?.resources ?? [] };
    } catch {
      partial = true;
      return undefined;
    }
  });
  for (const r of results) if (r) lists.push(r);
  return { lists, partial };
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}
