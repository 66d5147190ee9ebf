// Which binding an event concerns: a Work names its binding in annotations, a resource template's binding
// has a derived name, and an override policy concerns the bindings whose templates it may select.
// Pure functions; the controller turns their results into queue keys.

import type { ResourceSelector } from '../../apis/policy/v1alpha1/index.js';
import {
  CLUSTER_RESOURCE_BINDING_ANNOTATION,
  generateBindingName,
  RESOURCE_BINDING_NAME_ANNOTATION,
  RESOURCE_BINDING_NAMESPACE_ANNOTATION,
} from '../../apis/work/v1alpha2/index.js';
import type { KubeObject } from '../../runtime/types.js';
import { resourceMatches } from '../../util/selector.js';
import type { BindingObject, BindingScope } from './render.js';

/** The queue key of the binding a Work belongs to, or undefined when it belongs to no binding of this scope. */
export function bindingKeyOfWork(work: KubeObject, scope: BindingScope): string | undefined {
  const ann = work.metadata?.annotations ?? {};
  if (scope === 'Namespaced') {
    const ns = ann[RESOURCE_BINDING_NAMESPACE_ANNOTATION];
    const name = ann[RESOURCE_BINDING_NAME_ANNOTATION];
    return ns && name ? `${ns}/${name}` : undefined;
  }
  return ann[CLUSTER_RESOURCE_BINDING_ANNOTATION] || undefined;
}

/** Index value for Works by binding reference (scope-qualified, so RB and CRB keys never collide). */
export function bindingRefOfWork(work: KubeObject): string[] {
  const rb = bindingKeyOfWork(work, 'Namespaced');
  const crb = bindingKeyOfWork(work, 'Cluster');
  return [...(rb ? [`Namespaced:${rb}`] : []), ...(crb ? [`Cluster:${crb}`] : [])];
}

/** The binding of a resource template: namespaced templates have a ResourceBinding, others a ClusterResourceBinding. */
export function bindingKeyOfTemplate(template: KubeObject): { scope: BindingScope; key: string } | undefined {
  const name = template.metadata?.name;
  if (!name || !template.kind) return undefined;
  const ns = template.metadata?.namespace;
  const bindingName = generateBindingName(template.kind, name);
  return ns ? { scope: 'Namespaced', key: `${ns}/${bindingName}` } : { scope: 'Cluster', key: bindingName };
}

/** True when a template update can change what the binding renders (not a status write). */
export function templateChanged(oldObj: KubeObject, newObj: KubeObject): boolean {
  const o = oldObj.metadata ?? {};
  const n = newObj.metadata ?? {};
  if (o.uid !== n.uid || o.generation !== n.generation) return true;
  // kinds without generation (ConfigMap, Secret, ...) change in place
  if (n.generation === undefined && o.resourceVersion !== n.resourceVersion) return true;
  return JSON.stringify(o.labels ?? {}) !== JSON.stringify(n.labels ?? {}) || JSON.stringify(o.annotations ?? {}) !== JSON.stringify(n.annotations ?? {});
}

/**
 * Whether an override policy with these selectors may select the binding's template (nil selectors
 * select everything). The template from the cache gives labels; without it, a label selector is
 * assumed to match: a needless reconcile is cheap, a missed one leaves a stale Work.
 */
export function overrideMaySelect(selectors: readonly ResourceSelector[] | undefined, binding: BindingObject, template: KubeObject | undefined): boolean {
  if (!selectors?.length) return true;
  const ref = binding.spec.resource;
  // list items may lack apiVersion/kind: the reference has them
  const obj: KubeObject = { ...(template ?? { metadata: { namespace: ref.namespace, name: ref.name } }), apiVersion: ref.apiVersion, kind: ref.kind };
  return selectors.some((rs) => (!template && rs.labelSelector && !rs.name ? rs.apiVersion === ref.apiVersion && rs.kind === ref.kind && (!rs.namespace || rs.namespace === ref.namespace) : resourceMatches(obj, rs)));
}
