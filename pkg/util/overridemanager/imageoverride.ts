// imageOverrider (upstream imageoverride.go): rewrite the registry, repository or tag of container
// images. With predicate.path only that field is rewritten; without it every container image (and
// init container image) of a Pod, ReplicaSet, Deployment, DaemonSet, StatefulSet, Job or CronJob is.

import type { ImageOverrider } from '../../apis/policy/v1alpha1/index.js';
import type { KubeObject } from '../../runtime/types.js';
import { parseImage } from './imageparser.js';
import { isPlainObject, type OverrideOption } from './patch.js';
import { podContainers } from './podspec.js';

/** The image after applying one overrider's component/operator/value (upstream overrideImage). */
export function overrideImage(current: string, overrider: ImageOverrider): string {
  let image;
  try {
    image = parseImage(current);
  } catch (e) {
    throw new Error(`failed to parse image value(${current}), error: ${(e as Error).message}`);
  }
  const value = overrider.value ?? '';
  switch (overrider.component) {
    case 'Registry':
      if (overrider.operator === 'add') image.hostname = image.hostname + value;
      else if (overrider.operator === 'replace') image.hostname = value;
      else if (overrider.operator === 'remove') image.hostname = '';
      break;
    case 'Repository':
      if (overrider.operator === 'add') image.repository = image.repository + value;
      else if (overrider.operator === 'replace') image.repository = value;
      else if (overrider.operator === 'remove') image.repository = '';
      break;
    case 'Tag':
      if (overrider.operator === 'add') image.setTagOrDigest(image.tagOrDigest() + value);
      else if (overrider.operator === 'replace') image.setTagOrDigest(value);
      else if (overrider.operator === 'remove') image.removeTagOrDigest();
      break;
    default:
      throw new Error(`unsupported image component(${String(overrider.component)}); use Registry, Repository or Tag`);
  }
  return image.toString();
}

function replaceImage(path: string, current: unknown, overrider: ImageOverrider): OverrideOption {
  if (!path.startsWith('/')) throw new Error(`imagePath should be start with / character, got ${JSON.stringify(path)}`);
  return { op: 'replace', path, value: overrideImage(typeof current === 'string' ? current : '', overrider) };
}

/** upstream obtainImageValue: walks the predicate path (maps and list indexes) to a string. */
function obtainImageValue(obj: KubeObject, predicatePath: string): string {
  const segments = predicatePath.replace(/^\/+|\/+$/g, '').split('/');
  let cur: unknown = obj;
  for (let i = 0; i < segments.length - 1; i++) {
    const next = (cur as Record<string, unknown>)[segments[i]!];
    if (isPlainObject(next)) {
      cur = next;
    } else if (Array.isArray(next)) {
      const idx = segments[i + 1]!;
      if (!/^[0-9]+$/.test(idx)) throw new Error(`path(${idx}) of rawObj's is not number`);
      const item = next[Number(idx)];
      if (!isPlainObject(item)) throw new Error(`path(${idx}) of rawObj's is out of range or not an object`);
      cur = item;
      i++;
    } else {
      throw new Error(`path(${segments[i]}) of rawObj's type is not map[string]interface{} and []interface{}`);
    }
  }
  const last = segments[segments.length - 1]!;
  const v = (cur as Record<string, unknown>)[last];
  if (typeof v !== 'string') throw new Error(`failed to convert path(${last}) to string`);
  return v;
}

/** The JSON patches one imageOverrider makes on the object (upstream buildPatches). */
export function buildImagePatches(obj: KubeObject, overrider: ImageOverrider): OverrideOption[] {
  if (overrider.predicate) {
    const path = overrider.predicate.path;
    let current: string;
    try {
      current = obtainImageValue(obj, path);
    } catch (e) {
      throw new Error(`failed to obtain imageValue with predicate path(${path}), error: ${(e as Error).message}`);
    }
    return [replaceImage(path, current, overrider)];
  }
  const patches: OverrideOption[] = [];
  for (const field of ['containers', 'initContainers'] as const) {
    const found = podContainers(obj, field);
    if (!found) return [];
    found.containers.forEach((c, i) => {
      patches.push(replaceImage(`${found.path}/${i}/image`, isPlainObject(c) ? c.image : undefined, overrider));
    });
  }
  return patches;
}
