// commandOverrider / argsOverrider (upstream commandargsoverride.go): append to or remove from the
// command or args of the named container of a workload. A container without command/args gets one.

import type { CommandArgsOverrider } from '../../apis/policy/v1alpha1/index.js';
import type { KubeObject } from '../../runtime/types.js';
import { isPlainObject, type OverrideOption } from './patch.js';
import { podContainers } from './podspec.js';

export type CommandArgsTarget = 'command' | 'args';

/** upstream overrideCommandArgs: add appends, remove drops every occurrence of each value. */
export function overrideCommandArgs(current: readonly string[], overrider: CommandArgsOverrider): string[] {
  const value = overrider.value ?? [];
  if (overrider.operator === 'add') return [...current, ...value];
  if (overrider.operator === 'remove') {
    const drop = new Set(value);
    return current.filter((v) => !drop.has(v));
  }
  return [...current];
}

/** The JSON patches one command/args overrider makes on the object (upstream buildCommandArgsPatches). */
export function buildCommandArgsPatches(target: CommandArgsTarget, obj: KubeObject, overrider: CommandArgsOverrider): OverrideOption[] {
  const found = podContainers(obj, 'containers');
  if (!found) return [];
  const patches: OverrideOption[] = [];
  found.containers.forEach((c, i) => {
    if (!isPlainObject(c) || c.name !== overrider.containerName) return;
    const path = `${found.path}/${i}/${target}`;
    const current = c[target];
    if (current === undefined || current === null) {
      patches.push({ op: 'add', path, value: overrideCommandArgs([], overrider) });
      return;
    }
    if (!Array.isArray(current)) throw new Error(`${path} is not a list of strings; fix the resource template`);
    patches.push({ op: 'replace', path, value: overrideCommandArgs(current.map((v) => String(v)), overrider) });
  });
  return patches;
}
