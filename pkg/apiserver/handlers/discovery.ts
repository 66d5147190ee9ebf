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

function subresourceVerbs(sub: string): string[] {
  return sub === 'finalize' ? ['update'] : ['get', 'patch', 'update'];
}

function subresourcesOf(d: ResourceDescriptor): string[] {
  const subs: string[] = [];
  if (d.subresources.status) subs.push('status');
  if (d.subresources.scale) subs.push('scale');
  if (d.group === '' && d.resource === 'namespaces') subs.push('finalize');
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
    for (const sub of subresourcesOf(d)) {
      const s: Record<string, unknown> = { name: `${d.resource}/${sub}`, singularName: '', namespaced: d.namespaced, kind: d.kind, verbs: subresourceVerbs(sub) };
      if (sub === 'scale') {
        s.group = 'autoscaling';
        s.version = 'v1';
        s.kind = 'Scale';
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
            const subs = subresourcesOf(d);
            if (subs.length) {
              r.subresources = subs.map((sub) => ({
                subresource: sub,
                responseKind:
                  sub === 'scale'
                    ? { group: 'autoscaling', version: 'v1', kind: 'Scale' }
                    : { group: d.group, version: d.version, kind: d.kind },
                verbs: subresourceVerbs(sub),
              }));
            }
            return r;
          }),
        freshness: 'Current',
      })),
    }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${v}`, metadata: {}, items };
}
