// Queue keys of the detector: a resource template is "<apiVersion>|<kind>|<namespace>/<name>" (or
// "<apiVersion>|<kind>|<name>" when cluster-scoped), Karmada's ClusterWideKey in one string; a policy is
// "PropagationPolicy/<namespace>/<name>" or "ClusterPropagationPolicy/<name>".

import { splitObjectKey } from '../../runtime/types.js';
import type { ClaimKind } from './claim.js';

export interface TemplateRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

export function templateKey(r: TemplateRef): string {
  return `${r.apiVersion}|${r.kind}|${r.namespace ? `${r.namespace}/${r.name}` : r.name}`;
}

export function parseTemplateKey(key: string): (TemplateRef & { objectKey: string }) | undefined {
  const parts = key.split('|');
  if (parts.length !== 3 || !parts[0] || !parts[1] || !parts[2]) return undefined;
  const { namespace, name } = splitObjectKey(parts[2]);
  return { apiVersion: parts[0], kind: parts[1], namespace, name, objectKey: parts[2] };
}

export function policyKey(kind: ClaimKind, namespace: string | undefined, name: string): string {
  return kind === 'PropagationPolicy' ? `${kind}/${namespace ?? ''}/${name}` : `${kind}/${name}`;
}

export function parsePolicyKey(key: string): { kind: ClaimKind; objectKey: string } | undefined {
  const i = key.indexOf('/');
  const kind = key.slice(0, i);
  if (kind !== 'PropagationPolicy' && kind !== 'ClusterPropagationPolicy') return undefined;
  return { kind, objectKey: key.slice(i + 1) };
}
