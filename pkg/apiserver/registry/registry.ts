// The set of resources the server serves: built-in kinds at start, CRD kinds as they are established.
// Discovery, OpenAPI and routing all read from here; `generation` lets them cache until it moves.

import { EventEmitter } from 'node:events';
import { apiVersionOf, type ResourceDescriptor } from './types.js';

export interface GroupVersions {
  group: string;
  versions: string[]; // preferred first
}

/** A subresource served by a dedicated handler (serviceaccounts/token, certificatesigningrequests/approval). */
export interface ExtraSubresource {
  name: string;
  verbs: string[];
  /** What the subresource takes and returns when it is not the parent kind (TokenRequest). */
  kind?: { group: string; version: string; kind: string };
}

export class Registry extends EventEmitter {
  private readonly byGVR = new Map<string, ResourceDescriptor>();
  private readonly extraSubs = new Map<string, ExtraSubresource[]>();
  private readonly groupOrder: string[] = [];
  /** Bumped on every change; caches of discovery/OpenAPI compare against it. */
  generation = 0;

  add(d: ResourceDescriptor): void {
    this.byGVR.set(gvrKey(d.group, d.version, d.resource), d);
    if (!this.groupOrder.includes(d.group)) this.groupOrder.push(d.group);
    this.generation++;
    this.emit('change');
  }

  remove(group: string, version: string, resource: string): ResourceDescriptor | undefined {
    const key = gvrKey(group, version, resource);
    const d = this.byGVR.get(key);
    if (!d) return undefined;
    this.byGVR.delete(key);
    if (!this.all().some((x) => x.group === group)) {
      this.groupOrder.splice(this.groupOrder.indexOf(group), 1);
    }
    this.generation++;
    this.emit('change');
    return d;
  }

  /** Declares a subresource served by a dedicated handler, for discovery and routing. */
  addSubresource(group: string, resource: string, sub: ExtraSubresource): void {
    const key = `${group}/${resource}`;
    const list = (this.extraSubs.get(key) ?? []).filter((s) => s.name !== sub.name);
    this.extraSubs.set(key, [...list, sub]);
    this.generation++;
  }

  extraSubresources(d: Pick<ResourceDescriptor, 'group' | 'resource'>): ExtraSubresource[] {
    return this.extraSubs.get(`${d.group}/${d.resource}`) ?? [];
  }

  get(group: string, version: string, resource: string): ResourceDescriptor | undefined {
    return this.byGVR.get(gvrKey(group, version, resource));
  }

  all(): ResourceDescriptor[] {
    return [...this.byGVR.values()];
  }

  /** Descriptors for one apiVersion and kind (e.g. to resolve ownerReferences). */
  byKind(apiVersion: string, kind: string): ResourceDescriptor | undefined {
    for (const d of this.byGVR.values()) {
      if (d.kind === kind && apiVersionOf(d) === apiVersion) return d;
    }
    return undefined;
  }

  /** Groups in registration order (core '' first), each with its versions, preferred first. */
  groups(): GroupVersions[] {
    const out: GroupVersions[] = [];
    for (const group of this.groupOrder) {
      const versions: string[] = [];
      for (const d of this.byGVR.values()) {
        if (d.group === group && !versions.includes(d.version)) versions.push(d.version);
      }
      versions.sort(compareKubeVersions);
      out.push({ group, versions });
    }
    return out;
  }

  resourcesIn(group: string, version: string): ResourceDescriptor[] {
    return this.all().filter((d) => d.group === group && d.version === version);
  }
}

function gvrKey(group: string, version: string, resource: string): string {
  return `${group}/${version}/${resource}`;
}

/**
 * Kubernetes version priority: GA > beta > alpha, higher numbers first, then non-kube-like
 * versions alphabetically (apimachinery's version.CompareKubeAwareVersionStrings).
 */
export function compareKubeVersions(a: string, b: string): number {
  const pa = parseKubeVersion(a);
  const pb = parseKubeVersion(b);
  if (pa && pb) {
    if (pa.stage !== pb.stage) return pb.stage - pa.stage;
    if (pa.major !== pb.major) return pb.major - pa.major;
    return pb.minor - pa.minor;
  }
  if (pa) return -1;
  if (pb) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function parseKubeVersion(v: string): { major: number; stage: number; minor: number } | undefined {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
  if (!m) return undefined;
  const stage = m[2] === 'alpha' ? 0 : m[2] === 'beta' ? 1 : 2;
  return { major: Number(m[1]), stage, minor: m[3] ? Number(m[3]) : 0 };
}
