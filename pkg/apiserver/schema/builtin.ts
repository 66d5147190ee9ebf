// Built-in kinds: their schemas (derived from @kubernetes/client-node's generated models plus the
// hand-written patch metadata table) and the descriptors of the kinds this server serves.

import type { ResourceDescriptor, ScaleSubresource } from '../registry/types.js';
import { DefinitionNamer, hasModel, rootModelName } from './clientnode-models.js';
import { inlineModelSchema } from './model-schema.js';
import type { GroupVersionKind, JSONSchemaProps } from './types.js';

/**
 * Kinds of the Kubernetes API (1.32) whose schemas can be derived, per group and version. Used to
 * resolve a GVK to its client-node model without ever mistaking a kind of one group for a
 * same-named kind of another, and to name OpenAPI definitions (core first).
 */
export const KUBERNETES_KINDS: { group: string; version: string; kinds: string[] }[] = [
  {
    group: '',
    version: 'v1',
    kinds: [
      'Binding', 'ComponentStatus', 'ConfigMap', 'Endpoints', 'Event', 'LimitRange', 'Namespace', 'Node',
      'PersistentVolume', 'PersistentVolumeClaim', 'Pod', 'PodTemplate', 'ReplicationController',
      'ResourceQuota', 'Secret', 'Service', 'ServiceAccount',
    ],
  },
  { group: 'apps', version: 'v1', kinds: ['ControllerRevision', 'DaemonSet', 'Deployment', 'ReplicaSet', 'StatefulSet'] },
  { group: 'batch', version: 'v1', kinds: ['CronJob', 'Job'] },
  { group: 'autoscaling', version: 'v1', kinds: ['Scale', 'HorizontalPodAutoscaler'] },
  { group: 'autoscaling', version: 'v2', kinds: ['HorizontalPodAutoscaler'] },
  { group: 'policy', version: 'v1', kinds: ['PodDisruptionBudget', 'Eviction'] },
  { group: 'networking.k8s.io', version: 'v1', kinds: ['Ingress', 'IngressClass', 'NetworkPolicy'] },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kinds: ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'] },
  { group: 'coordination.k8s.io', version: 'v1', kinds: ['Lease'] },
  { group: 'apiextensions.k8s.io', version: 'v1', kinds: ['CustomResourceDefinition'] },
  { group: 'certificates.k8s.io', version: 'v1', kinds: ['CertificateSigningRequest'] },
  { group: 'discovery.k8s.io', version: 'v1', kinds: ['EndpointSlice'] },
  { group: 'events.k8s.io', version: 'v1', kinds: ['Event'] },
  {
    group: 'authorization.k8s.io',
    version: 'v1',
    kinds: ['LocalSubjectAccessReview', 'SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'SubjectAccessReview'],
  },
  { group: 'authentication.k8s.io', version: 'v1', kinds: ['TokenReview', 'SelfSubjectReview'] },
  { group: 'storage.k8s.io', version: 'v1', kinds: ['CSIDriver', 'CSINode', 'StorageClass', 'VolumeAttachment'] },
  { group: 'scheduling.k8s.io', version: 'v1', kinds: ['PriorityClass'] },
  { group: 'node.k8s.io', version: 'v1', kinds: ['RuntimeClass'] },
  { group: 'apiregistration.k8s.io', version: 'v1', kinds: ['APIService'] },
  {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    kinds: [
      'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'ValidatingAdmissionPolicy',
      'ValidatingAdmissionPolicyBinding',
    ],
  },
];

function isKubernetesKind(gvk: GroupVersionKind): boolean {
  return KUBERNETES_KINDS.some(
    (g) =>
      g.group === gvk.group &&
      g.version === gvk.version &&
      (g.kinds.includes(gvk.kind) || (gvk.kind.endsWith('List') && g.kinds.includes(gvk.kind.slice(0, -4)))),
  );
}

/** The client-node model of a Kubernetes kind (V1Deployment for apps/v1 Deployment), if known. */
export function builtinModelName(gvk: GroupVersionKind): string | undefined {
  if (!isKubernetesKind(gvk)) return undefined;
  return rootModelName(gvk);
}

let modelGVKs: Map<string, GroupVersionKind> | undefined;

/** The kind a client-node model is the root schema of (V1Deployment -> apps/v1 Deployment). */
export function builtinModelGVK(model: string): GroupVersionKind | undefined {
  if (!modelGVKs) {
    modelGVKs = new Map();
    for (const g of KUBERNETES_KINDS) {
      for (const kind of g.kinds) {
        for (const k of [kind, `${kind}List`]) {
          const m = rootModelName({ group: g.group, version: g.version, kind: k });
          if (m && !modelGVKs.has(m)) modelGVKs.set(m, { group: g.group, version: g.version, kind: k });
        }
      }
    }
  }
  return modelGVKs.get(model);
}

let namer: DefinitionNamer | undefined;

/** Names models as Kubernetes names its OpenAPI definitions (io.k8s.api.apps.v1.Deployment). */
export function builtinDefinitionNamer(): DefinitionNamer {
  if (!namer) {
    const roots: { model: string; group: string }[] = [];
    for (const g of KUBERNETES_KINDS) {
      for (const kind of g.kinds) {
        const model = rootModelName({ group: g.group, version: g.version, kind });
        if (model) roots.push({ model, group: g.group });
        const list = rootModelName({ group: g.group, version: g.version, kind: `${kind}List` });
        if (list) roots.push({ model: list, group: g.group });
      }
    }
    namer = new DefinitionNamer(roots);
  }
  return namer;
}

const schemaCache = new Map<string, JSONSchemaProps | null>();

/**
 * The fully inlined schema of a built-in kind (no $ref), with Kubernetes' patch metadata and
 * `x-kubernetes-group-version-kind`. Cached: callers must not mutate the result.
 */
export function builtinSchema(gvk: GroupVersionKind): JSONSchemaProps | undefined {
  const key = `${gvk.group}/${gvk.version}/${gvk.kind}`;
  const cached = schemaCache.get(key);
  if (cached !== undefined) return cached ?? undefined;
  const model = builtinModelName(gvk);
  let schema: JSONSchemaProps | null = null;
  if (model && hasModel(model)) {
    schema = inlineModelSchema(model);
    // Status is written by controllers and Kubernetes does not check it for presence of fields.
    const status = schema.properties?.status;
    if (status) dropRequired(status);
    schema['x-kubernetes-group-version-kind'] = [{ group: gvk.group, version: gvk.version, kind: gvk.kind }];
  }
  schemaCache.set(key, schema);
  return schema ?? undefined;
}

function dropRequired(s: JSONSchemaProps): void {
  delete s.required;
  for (const p of Object.values(s.properties ?? {})) dropRequired(p);
  if (s.items) dropRequired(s.items);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') dropRequired(s.additionalProperties);
}

// ---- served kinds ---------------------------------------------------------------------------------

export const STANDARD_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

interface KindSpec {
  group: string;
  version: string;
  kind: string;
  resource: string;
  singular?: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  status?: boolean;
  scale?: ScaleSubresource;
}

const REPLICAS_SCALE: ScaleSubresource = {
  specReplicasPath: '.spec.replicas',
  statusReplicasPath: '.status.replicas',
  // Built-in kinds carry a LabelSelector object here (Kubernetes serialises it into Scale.status.selector).
  labelSelectorPath: '.spec.selector',
};

const ALL = ['all'];

const SERVED: KindSpec[] = [
  // core/v1
  { group: '', version: 'v1', kind: 'Namespace', resource: 'namespaces', namespaced: false, shortNames: ['ns'], status: true },
  { group: '', version: 'v1', kind: 'ConfigMap', resource: 'configmaps', namespaced: true, shortNames: ['cm'] },
  { group: '', version: 'v1', kind: 'Secret', resource: 'secrets', namespaced: true },
  { group: '', version: 'v1', kind: 'Service', resource: 'services', namespaced: true, shortNames: ['svc'], categories: ALL, status: true },
  { group: '', version: 'v1', kind: 'ServiceAccount', resource: 'serviceaccounts', namespaced: true, shortNames: ['sa'] },
  {
    group: '', version: 'v1', kind: 'PersistentVolumeClaim', resource: 'persistentvolumeclaims', namespaced: true,
    shortNames: ['pvc'], status: true,
  },
  { group: '', version: 'v1', kind: 'Pod', resource: 'pods', namespaced: true, shortNames: ['po'], categories: ALL, status: true },
  { group: '', version: 'v1', kind: 'Event', resource: 'events', namespaced: true, shortNames: ['ev'] },
  { group: '', version: 'v1', kind: 'LimitRange', resource: 'limitranges', namespaced: true, shortNames: ['limits'] },
  { group: '', version: 'v1', kind: 'ResourceQuota', resource: 'resourcequotas', namespaced: true, shortNames: ['quota'], status: true },
  { group: '', version: 'v1', kind: 'Node', resource: 'nodes', namespaced: false, shortNames: ['no'], status: true },
  { group: '', version: 'v1', kind: 'Endpoints', resource: 'endpoints', singular: 'endpoints', namespaced: true, shortNames: ['ep'] },
  // apps/v1
  {
    group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', namespaced: true, shortNames: ['deploy'],
    categories: ALL, status: true, scale: REPLICAS_SCALE,
  },
  {
    group: 'apps', version: 'v1', kind: 'StatefulSet', resource: 'statefulsets', namespaced: true, shortNames: ['sts'],
    categories: ALL, status: true, scale: REPLICAS_SCALE,
  },
  { group: 'apps', version: 'v1', kind: 'DaemonSet', resource: 'daemonsets', namespaced: true, shortNames: ['ds'], categories: ALL, status: true },
  {
    group: 'apps', version: 'v1', kind: 'ReplicaSet', resource: 'replicasets', namespaced: true, shortNames: ['rs'],
    categories: ALL, status: true, scale: REPLICAS_SCALE,
  },
  { group: 'apps', version: 'v1', kind: 'ControllerRevision', resource: 'controllerrevisions', namespaced: true },
  // batch/v1
  { group: 'batch', version: 'v1', kind: 'Job', resource: 'jobs', namespaced: true, categories: ALL, status: true },
  { group: 'batch', version: 'v1', kind: 'CronJob', resource: 'cronjobs', namespaced: true, shortNames: ['cj'], categories: ALL, status: true },
  // networking.k8s.io/v1
  { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', resource: 'ingresses', namespaced: true, shortNames: ['ing'], status: true },
  // rbac.authorization.k8s.io/v1
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', resource: 'roles', namespaced: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', resource: 'rolebindings', namespaced: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', resource: 'clusterroles', namespaced: false },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding', resource: 'clusterrolebindings', namespaced: false },
  // policy/v1
  {
    group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', resource: 'poddisruptionbudgets', namespaced: true,
    shortNames: ['pdb'], status: true,
  },
  // autoscaling/v2
  {
    group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', resource: 'horizontalpodautoscalers',
    namespaced: true, shortNames: ['hpa'], categories: ALL, status: true,
  },
  // coordination.k8s.io/v1
  { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', resource: 'leases', namespaced: true },
  // apiextensions.k8s.io/v1
  {
    group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', resource: 'customresourcedefinitions',
    namespaced: false, shortNames: ['crd', 'crds'], categories: ['api-extensions'], status: true,
  },
  // certificates.k8s.io/v1
  {
    group: 'certificates.k8s.io', version: 'v1', kind: 'CertificateSigningRequest', resource: 'certificatesigningrequests',
    namespaced: false, shortNames: ['csr'], status: true,
  },
  // discovery.k8s.io/v1
  { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', resource: 'endpointslices', namespaced: true },
];

function toDescriptor(k: KindSpec): ResourceDescriptor {
  const d: ResourceDescriptor = {
    group: k.group,
    version: k.version,
    resource: k.resource,
    singular: k.singular ?? k.kind.toLowerCase(),
    kind: k.kind,
    listKind: `${k.kind}List`,
    namespaced: k.namespaced,
    verbs: [...STANDARD_VERBS],
    subresources: {},
    strategicMergePatch: true,
  };
  if (k.shortNames) d.shortNames = [...k.shortNames];
  if (k.categories) d.categories = [...k.categories];
  if (k.status) d.subresources.status = true;
  if (k.scale) d.subresources.scale = { ...k.scale };
  // Lazily derived: building all schemas costs a few tens of milliseconds and most callers need few.
  let schema: JSONSchemaProps | undefined;
  Object.defineProperty(d, 'schema', {
    enumerable: true,
    configurable: true,
    get: () => (schema ??= builtinSchema({ group: k.group, version: k.version, kind: k.kind })),
    set: (v: JSONSchemaProps | undefined) => {
      schema = v;
    },
  });
  return d;
}

/** Descriptors of the built-in kinds this server serves, core first (discovery order). */
export const BUILTIN_KINDS: readonly ResourceDescriptor[] = SERVED.map(toDescriptor);

/** True when a descriptor is one of Kubernetes' own kinds (not CRD-backed, model available). */
export function isBuiltinDescriptor(d: Pick<ResourceDescriptor, 'group' | 'version' | 'kind' | 'crd'>): boolean {
  return !d.crd && builtinModelName(d) !== undefined;
}
