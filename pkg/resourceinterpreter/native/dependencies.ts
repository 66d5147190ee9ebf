// Built-in dependency interpretation (default/native/dependencies.go): the objects a template needs in
// the same clusters (PropagateDeps): what its pod template refers to, an Ingress's TLS secrets, a
// ServiceImport's derived Service and EndpointSlices.

import type { KubeObject } from '../../runtime/types.js';
import type { DependentObjectReference } from '../interface.js';
import { podDependencies, sortDependencies } from './podtemplate.js';
import { nested, objects, str } from './util.js';

export type DependenciesInterpreter = (obj: KubeObject) => DependentObjectReference[];

function podTemplateDependencies(...path: string[]): DependenciesInterpreter {
  return (obj) => podDependencies(nested(obj, ...path), obj.metadata?.namespace);
}

function ingressDependencies(obj: KubeObject): DependentObjectReference[] {
  const ns = obj.metadata?.namespace ? { namespace: obj.metadata.namespace } : {};
  const refs = objects(nested(obj, 'spec', 'tls'))
    .map((tls) => str(tls['secretName']))
    .filter(Boolean)
    .map((name): DependentObjectReference => ({ apiVersion: 'v1', kind: 'Secret', ...ns, name }));
  return sortDependencies(refs);
}

/** names.GenerateDerivedServiceName */
export function derivedServiceName(name: string): string {
  return `derived-${name}`;
}

function serviceImportDependencies(obj: KubeObject): DependentObjectReference[] {
  const ns = obj.metadata?.namespace ? { namespace: obj.metadata.namespace } : {};
  const name = derivedServiceName(obj.metadata?.name ?? '');
  return [
    { apiVersion: 'v1', kind: 'Service', ...ns, name },
    { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', ...ns, labelSelector: { matchLabels: { 'kubernetes.io/service-name': name } } },
  ];
}

export const dependenciesInterpreters: Record<string, DependenciesInterpreter> = {
  'apps/v1, Kind=Deployment': podTemplateDependencies('spec', 'template', 'spec'),
  'apps/v1, Kind=ReplicaSet': podTemplateDependencies('spec', 'template', 'spec'),
  'apps/v1, Kind=StatefulSet': podTemplateDependencies('spec', 'template', 'spec'),
  'apps/v1, Kind=DaemonSet': podTemplateDependencies('spec', 'template', 'spec'),
  'batch/v1, Kind=Job': podTemplateDependencies('spec', 'template', 'spec'),
  'batch/v1, Kind=CronJob': podTemplateDependencies('spec', 'jobTemplate', 'spec', 'template', 'spec'),
  'v1, Kind=Pod': podTemplateDependencies('spec'),
  'networking.k8s.io/v1, Kind=Ingress': ingressDependencies,
  'multicluster.x-k8s.io/v1alpha1, Kind=ServiceImport': serviceImportDependencies,
};
