// Content negotiation: which representation the client accepts (plain object, Table,
// PartialObjectMetadata, aggregated discovery) and decoding of request bodies (JSON or YAML).

import YAML from 'yaml';
import { badRequest } from '../errors.js';

export interface MediaType {
  type: string; // e.g. application/json
  params: Record<string, string>;
}

export function parseAccept(header: string | undefined): MediaType[] {
  if (!header) return [];
  return header.split(',').map((part) => {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    const p: Record<string, string> = {};
    for (const kv of params) {
      const eq = kv.indexOf('=');
      if (eq > 0) p[kv.slice(0, eq).trim()] = kv.slice(eq + 1).trim();
    }
    return { type: (type ?? '').toLowerCase(), params: p };
  });
}

export type Representation = 'object' | 'Table' | 'PartialObjectMetadata';

/** The first acceptable representation in the client's order (Table/metadata views need JSON). */
export function chooseRepresentation(accept: MediaType[]): { as: Representation; includeObject?: string } {
  for (const m of accept) {
    if (m.type !== 'application/json' && m.type !== '*/*' && m.type !== 'application/*') {
      if (m.type === 'application/yaml' || m.type === 'application/vnd.kubernetes.protobuf') continue;
      continue;
    }
    const as = m.params['as'];
    if (!as) return { as: 'object' };
    if (m.params['g'] !== 'meta.k8s.io') continue;
    if (as === 'Table') return { as: 'Table' };
    if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return { as: 'PartialObjectMetadata' };
  }
  return { as: 'object' };
}

export function wantsAggregatedDiscovery(accept: MediaType[]): string | undefined {
  for (const m of accept) {
    if (m.type !== 'application/json') continue;
    if (m.params['g'] === 'apidiscovery.k8s.io' && m.params['as'] === 'APIGroupDiscoveryList') {
      if (m.params['v'] === 'v2' || m.params['v'] === 'v2beta1') return m.params['v'];
    }
    if (!m.params['as']) return undefined;
  }
  return undefined;
}

/** Decodes a JSON or YAML request body into an object, with a clear 400 on malformed input. */
export function decodeBody(raw: string | Buffer | undefined, contentType: string | undefined): unknown {
  const text = raw === undefined ? '' : typeof raw === 'string' ? raw : raw.toString('utf8');
  if (!text.trim()) throw badRequest('the request body is empty: send a JSON or YAML object');
  const ct = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (ct.endsWith('yaml')) {
    try {
      const docs = YAML.parseAllDocuments(text);
      if (docs.length !== 1) throw new Error(`expected one YAML document, got ${docs.length}`);
      const doc = docs[0]!;
      if (doc.errors.length) throw doc.errors[0];
      return doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      throw badRequest(`error decoding YAML: ${(err as Error).message}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`error decoding JSON: ${(err as Error).message}`);
  }
}
