// Discovery-backed REST mapping: which resources a server serves (aggregated discovery v2, one request
// per root) and the GVR of a kind. Controllers use it to watch every served kind (the detector), to
// address a resource template by apiVersion/kind, and to reach a manifest's kind in a member.

import type { ObjectClient } from './client.js';
import type { GVR } from './gvr.js';
import type { RestClient } from './rest.js';

export interface APIResourceInfo extends GVR {
  kind: string;
  namespaced: boolean;
  verbs: string[];
  /** Subresources served, e.g. status, scale. */
  subresources: string[];
  shortNames: string[];
  /** True when this version is the group's preferred version. */
  preferred: boolean;
}

const AGGREGATED_ACCEPT =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

type DiscoveryList = {
  items?: {
    metadata?: { name?: string };
    versions?: {
      version: string;
      resources?: {
        resource: string;
        scope?: string;
        verbs?: string[];
        shortNames?: string[];
        responseKind?: { kind?: string };
        subresources?: { subresource: string }[];
      }[];
    }[];
  }[];
};

/** Every resource (all versions) the server serves, from aggregated discovery. */
export async function discoverResources(rest: RestClient): Promise<APIResourceInfo[]> {
  const out: APIResourceInfo[] = [];
  for (const root of ['/api', '/apis']) {
    const d = await rest.request<DiscoveryList>({ path: root, accept: AGGREGATED_ACCEPT });
    for (const g of d?.items ?? []) {
      const group = g.metadata?.name ?? '';
      (g.versions ?? []).forEach((v, i) => {
        for (const r of v.resources ?? []) {
          out.push({
            group,
            version: v.version,
            resource: r.resource,
            kind: r.responseKind?.kind ?? '',
            namespaced: r.scope === 'Namespaced',
            verbs: r.verbs ?? [],
            subresources: (r.subresources ?? []).map((s) => s.subresource),
            shortNames: r.shortNames ?? [],
            preferred: i === 0,
          });
        }
      });
    }
  }
  return out;
}

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** Maps apiVersion + kind to the resource serving it; refreshes from discovery on a miss (new CRDs). */
export class RESTMapper {
  private byGVK = new Map<string, APIResourceInfo>();
  private all: APIResourceInfo[] = [];
  private loaded?: Promise<void>;
  private lastRefresh = 0;

  constructor(
    private readonly client: ObjectClient | RestClient,
    /** A miss refreshes discovery at most this often. */
    private readonly minRefreshIntervalMs = 2_000,
  ) {}

  private get rest(): RestClient {
    return 'rest' in this.client ? this.client.rest : this.client;
  }

  async refresh(): Promise<APIResourceInfo[]> {
    const p = discoverResources(this.rest).then((list) => {
      const m = new Map<string, APIResourceInfo>();
      for (const r of list) if (r.kind) m.set(`${r.group}/${r.version}/${r.kind}`, r);
      this.byGVK = m;
      this.all = list;
      this.lastRefresh = Date.now();
    });
    // a failed discovery must not stick: the next caller tries again
    p.catch(() => {
      if (this.loaded === p) this.loaded = undefined;
    });
    this.loaded = p;
    await p;
    return this.all;
  }

  /** Every served resource (top-level, not subresources), as last discovered. */
  async resources(): Promise<APIResourceInfo[]> {
    if (!this.loaded) await this.refresh();
    else await this.loaded;
    return this.all;
  }

  /** The resource of apiVersion+kind, or undefined when the server does not serve it. */
  async mapping(apiVersion: string, kind: string): Promise<APIResourceInfo | undefined> {
    await this.resources();
    const { group, version } = splitApiVersion(apiVersion);
    const key = `${group}/${version}/${kind}`;
    let hit = this.byGVK.get(key);
    if (!hit && Date.now() - this.lastRefresh >= this.minRefreshIntervalMs) {
      await this.refresh();
      hit = this.byGVK.get(key);
    }
    return hit;
  }

  /** Like mapping, but throws a clear error when the kind is not served. */
  async mustMapping(apiVersion: string, kind: string): Promise<APIResourceInfo> {
    const m = await this.mapping(apiVersion, kind);
    if (!m) throw new Error(`the server does not serve ${kind} in ${apiVersion} (no matches for kind "${kind}" in version "${apiVersion}")`);
    return m;
  }
}
