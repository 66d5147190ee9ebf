// Serves /openapi/v2 and /openapi/v3 from the registry, rebuilding documents only when the set of
// served kinds changes (registry.generation), so kubectl's repeated fetches cost one serialization.

import type { Registry } from '../registry/registry.js';
import { openapiV2, openapiV3GroupVersion, openapiV3Index } from '../openapi/index.js';

export class OpenAPIService {
  private generation = -1;
  private v2Doc?: string;
  private v3IndexDoc?: string;
  private readonly v3Docs = new Map<string, string | null>();

  constructor(private readonly registry: Registry) {}

  private refresh(): void {
    if (this.generation === this.registry.generation) return;
    this.generation = this.registry.generation;
    this.v2Doc = undefined;
    this.v3IndexDoc = undefined;
    this.v3Docs.clear();
  }

  v2(): string {
    this.refresh();
    return (this.v2Doc ??= JSON.stringify(openapiV2(this.registry.all())));
  }

  v3Index(): string {
    this.refresh();
    return (this.v3IndexDoc ??= JSON.stringify(openapiV3Index(this.registry.all())));
  }

  /** gvPath is "api/v1" or "apis/<group>/<version>" (a ?hash= query is ignored). */
  v3(gvPath: string): string | undefined {
    this.refresh();
    const clean = gvPath.split('?')[0]!.replace(/\/+$/, '');
    if (this.v3Docs.has(clean)) return this.v3Docs.get(clean) ?? undefined;
    const parts = clean.split('/');
    let group: string | undefined;
    let version: string | undefined;
    if (parts[0] === 'api' && parts.length === 2) [group, version] = ['', parts[1]];
    else if (parts[0] === 'apis' && parts.length === 3) [group, version] = [parts[1], parts[2]];
    let doc: string | null = null;
    if (group !== undefined && version && this.registry.resourcesIn(group, version).length) {
      doc = JSON.stringify(openapiV3GroupVersion(this.registry.all(), group, version));
    }
    this.v3Docs.set(clean, doc);
    return doc ?? undefined;
  }
}
