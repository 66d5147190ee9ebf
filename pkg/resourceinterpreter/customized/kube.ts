// Karmada's Lua `kube` library (luavm/kube.go), callable from customization scripts as
// `local kube = require("kube")`: resourceAdd, accuratePodRequirements and getPodDependencies.

import { parseQuantity } from '../../apis/core/v1/quantity.js';
import { formatNano, formatOf, type QuantityFormat } from '../../util/quantity.js';
import { generateReplicaRequirements, podDependencies } from '../native/podtemplate.js';
import { nested } from '../native/util.js';

/** kube.resourceAdd(q1, q2, ...): the sum of quantities (nil counts as zero), in canonical form. */
export function resourceAdd(...quantities: unknown[]): string {
  let sum = 0n;
  let format: QuantityFormat | undefined;
  quantities.forEach((q, i) => {
    if (q === undefined || q === null) return;
    if (typeof q !== 'string') throw new Error(`bad argument #${i + 1} (string expected, got ${typeof q})`);
    let v: bigint;
    try {
      v = parseQuantity(q);
    } catch (err) {
      throw new Error(`bad argument #${i + 1}: ${(err as Error).message}`);
    }
    // Quantity.Add keeps the format of the first non-zero operand
    if (sum === 0n) format = formatOf(q);
    sum += v;
  });
  return formatNano(sum, format ?? 'DecimalSI');
}

/** kube.accuratePodRequirements(podTemplate): the replica requirements of a pod template (nil when none). */
export function accuratePodRequirements(...args: unknown[]): unknown {
  if (args.length !== 1) throw new Error('accuratePodRequirements only accepts one argument');
  return generateReplicaRequirements(args[0]);
}

/** kube.getPodDependencies(podTemplate, namespace): what the pod template refers to ("default" namespace when nil). */
export function getPodDependencies(...args: unknown[]): unknown {
  if (args.length !== 2) throw new Error('getPodDependencies only accepts two arguments');
  const [template, namespace] = args;
  let ns = 'default';
  if (typeof namespace === 'string' || typeof namespace === 'number') ns = String(namespace);
  else if (namespace !== undefined && namespace !== null) throw new Error(`bad argument #2 (string expected, got ${typeof namespace})`);
  return podDependencies(nested(template, 'spec'), ns);
}

export const kubeLibrary = { resourceAdd, accuratePodRequirements, getPodDependencies };
