// Which binding a Work belongs to, from the annotations the binding controller puts on it
// (resourcebinding.karmada.io/namespace + name, or clusterresourcebinding.karmada.io/name), as an index
// on the shared Work cache so a binding finds its Works without listing.

import type { Work } from '../../apis/work/v1alpha1/index.js';
import {
  CLUSTER_RESOURCE_BINDING_ANNOTATION,
  RESOURCE_BINDING_NAME_ANNOTATION,
  RESOURCE_BINDING_NAMESPACE_ANNOTATION,
} from '../../apis/work/v1alpha2/index.js';

export { CLUSTER_RESOURCE_BINDINGS, RESOURCE_BINDINGS } from '../../util/clusterapi.js';

/** Index of the Work cache: values are bindingIndexValue(...) of the owning binding. */
export const WORKS_BY_BINDING_INDEX = 'bindingstatus.karmada.io/binding';

export type BindingKind = 'ResourceBinding' | 'ClusterResourceBinding';

/** The index value of a binding: "ResourceBinding/<ns>/<name>" or "ClusterResourceBinding/<name>". */
export function bindingIndexValue(kind: BindingKind, key: string): string {
  return `${kind}/${key}`;
}

/** The bindings (as index values) a Work belongs to: none, or one of each kind. */
export function indexWorkByBinding(work: Work): string[] {
  const a = work.metadata?.annotations ?? {};
  const out: string[] = [];
  const ns = a[RESOURCE_BINDING_NAMESPACE_ANNOTATION];
  const name = a[RESOURCE_BINDING_NAME_ANNOTATION];
  if (ns && name) out.push(bindingIndexValue('ResourceBinding', `${ns}/${name}`));
  const crb = a[CLUSTER_RESOURCE_BINDING_ANNOTATION];
  if (crb) out.push(bindingIndexValue('ClusterResourceBinding', crb));
  return out;
}

/** The cache keys of the bindings of one kind a Work belongs to. */
export function bindingKeysOfWork(work: Work, kind: BindingKind): string[] {
  const prefix = `${kind}/`;
  return indexWorkByBinding(work)
    .filter((v) => v.startsWith(prefix))
    .map((v) => v.slice(prefix.length));
}
