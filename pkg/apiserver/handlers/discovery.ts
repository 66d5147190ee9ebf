// Discovery documents: legacy (/api, /apis, /apis/<g>, /apis/<g>/<v>) and aggregated discovery v2
// (one response describing every group, which is what kubectl 1.30+ asks for first).

import { createHash } from 'node:crypto';
import type { Registry } from '../registry/registry.js';
import type { ResourceDescriptor } from '../registry/types.js';

export const AGGREGATED_DISCOVERY_CONTENT_TYPE = (v: string) =>
  `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`;

function groupVersion(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

export function apiVersions(serverAddress: string): unknown {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(registry: Registry, group: string): unknown {
  const g = registry.groups().find((x) => x.group === group);
  if (!g) return undefined;
  const versions = g.versions.map((v) => ({ groupVersion: groupVersion(group, v), version: v }));
  return { name: group, versions, preferredVersion: versions[0] };
}

export function apiGroupList(registry: Registry): unknown {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: registry
      .groups()
      .filter((g) => g.group !== '')
      .map((g) => apiGroup(registry, g.group)),
  };
}

export function apiGroupDocument(registry: Registry, group: string): unknown {
  const g = apiGroup(registry, group);
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...(g as object) } : undefined;
}

function storageVersionHash(d: ResourceDescriptor): string {
  return createHash('sha256').update(`${d.group}/${d.version}/${d.kind}`).digest('base64').slice(0, 11);
}

interface Subresource {
  name: string;
  verbs: string[];
  kind: { group: string; version: string; kind: string };
}

function subresourcesOf(registry: Registry, d: ResourceDescriptor): Subresource[] {
  const own = { group: d.group, version: d.version, kind: d.kind };
  const subs: Subresource[] = [];
  if (d.subresources.status) subs.push({ name: 'status', verbs: ['get', 'patch', 'update'], kind: own });
  if (d.subresources.scale) subs.push({ name: 'scale', verbs: ['get', 'patch', 'update'], kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' } });
  if (d.group === '' && d.resource === 'namespaces') subs.push({ name: 'finalize', verbs: ['update'], kind: own });
  for (const x of registry.extraSubresources(d)) subs.push({ name: x.name, verbs: x.verbs, kind: x.kind ?? own });
  return subs;
}

export function apiResourceList(registry: Registry, group: string, version: string): unknown {
  const descriptors = registry.resourcesIn(group, version);
  if (!descriptors.length) return undefined;
  const resources: unknown[] = [];
  for (const d of descriptors.sort((a, b) => a.resource.localeCompare(b.resource))) {
    const r: Record<string, unknown> = {
      name: d.resource,
      singularName: d.singular,
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: d.verbs,
      storageVersionHash: storageVersionHash(d),
    };
    if (d.shortNames?.length) r.shortNames = d.shortNames;
    if (d.categories?.length) r.categories = d.categories;
    resources.push(r);
    for (const sub of subresourcesOf(registry, d)) {
      const s: Record<string, unknown> = { name: `${d.resource}/${sub.name}`, singularName: '', namespaced: d.namespaced, kind: sub.kind.kind, verbs: sub.verbs };
      if (sub.kind.group !== d.group || sub.kind.version !== d.version) {
        s.group = sub.kind.group;
        s.version = sub.kind.version;
      }
      resources.push(s);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion(group, version), resources };
}

/** apidiscovery.k8s.io APIGroupDiscoveryList for /api (core only) or /apis (every other group). */
export function aggregatedDiscovery(registry: Registry, legacy: boolean, v: string): unknown {
  const items = registry
    .groups()
    .filter((g) => (legacy ? g.group === '' : g.group !== ''))
    .map((g) => ({
      metadata: { name: g.group, creationTimestamp: null },
      versions: g.versions.map((version) => ({
        version,
        resources: registry
          .resourcesIn(g.group, version)
          .sort((a, b) => a.resource.localeCompare(b.resource))
          .map((d) => {
            const r: Record<string, unknown> = {
              resource: d.resource,
              responseKind: { group: d.group, version: d.version, kind: d.kind },
              scope: d.namespaced ? 'Namespaced' : 'Cluster',
              singularResource: d.singular,
              verbs: d.verbs,
            };
            if (d.shortNames?.length) r.shortNames = d.shortNames;
            if (d.categories?.length) r.categories = d.categories;
            const subs = subresourcesOf(registry, d);
            if (subs.length) {
              r.subresources = subs.map((sub) => ({ subresource: sub.name, responseKind: sub.kind, verbs: sub.verbs }));
            }
            return r;
          }),
        freshness: 'Current',
      })),
    }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${v}`, metadata: {}, items };
}
