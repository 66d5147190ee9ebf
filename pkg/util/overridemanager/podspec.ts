// Where the pod spec of a workload lives, for the overriders that find containers by themselves
// (imageOverrider without a predicate, commandOverrider, argsOverrider). Keyed by kind only, as upstream.

import type { KubeObject } from '../../runtime/types.js';
import { isPlainObject } from './patch.js';

const POD_SPEC_TOKENS: Record<string, readonly string[]> = {
  Pod: ['spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Deployment: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

/** The JSON pointer tokens of the object's pod spec, or undefined for kinds without one. */
export function podSpecTokens(kind: string | undefined): readonly string[] | undefined {
  return kind ? POD_SPEC_TOKENS[kind] : undefined;
}

/** The containers list (`containers` or `initContainers`) of the object's pod spec; [] when absent. */
export function podContainers(obj: KubeObject, field: 'containers' | 'initContainers'): { path: string; containers: unknown[] } | undefined {
  const tokens = podSpecTokens(obj.kind);
  if (!tokens) return undefined;
  let cur: unknown = obj;
  for (const t of tokens) cur = isPlainObject(cur) ? cur[t] : undefined;
  const list = isPlainObject(cur) ? cur[field] : undefined;
  return { path: `/${[...tokens, field].join('/')}`, containers: Array.isArray(list) ? list : [] };
}
