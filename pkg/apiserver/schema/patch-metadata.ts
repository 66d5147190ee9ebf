// Strategic-merge-patch and server-side-apply metadata of built-in kinds, written by hand from the
// struct tags (`patchStrategy`, `patchMergeKey`) and markers (`+listType`, `+listMapKey`,
// `+mapType`, `+structType`, `+default`) of k8s.io/api and k8s.io/apimachinery (Kubernetes 1.32).
// Keyed by client-node model name and JSON field name. Lists not listed here are atomic, as
// server-side apply treats untagged lists.

import type { JSONSchemaProps } from './types.js';

export interface FieldPatchMeta {
  patchStrategy?: string;
  patchMergeKey?: string;
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: string[];
  mapType?: 'atomic' | 'granular';
  default?: unknown;
}

const mergeByKey = (key: string, listMapKeys: string[] = [key], strategy = 'merge'): FieldPatchMeta => ({
  patchStrategy: strategy,
  patchMergeKey: key,
  listType: 'map',
  listMapKeys,
});
const atomic: FieldPatchMeta = { listType: 'atomic' };
const set: FieldPatchMeta = { listType: 'set' };
const mergeSet: FieldPatchMeta = { patchStrategy: 'merge', listType: 'set' };
const conditions = mergeByKey('type');
const mapByType: FieldPatchMeta = { listType: 'map', listMapKeys: ['type'] };

const containerFields: Record<string, FieldPatchMeta> = {
  command: atomic,
  args: atomic,
  ports: mergeByKey('containerPort', ['containerPort', 'protocol']),
  envFrom: atomic,
  env: mergeByKey('name'),
  resizePolicy: atomic,
  restartPolicyRules: atomic,
  volumeMounts: mergeByKey('mountPath'),
  volumeDevices: mergeByKey('devicePath'),
};

/** Field-level metadata: model -> JSON field -> metadata. */
export const FIELD_PATCH_META: Record<string, Record<string, FieldPatchMeta>> = {
  // meta/v1
  V1ObjectMeta: {
    finalizers: mergeSet,
    ownerReferences: mergeByKey('uid'),
    managedFields: atomic,
  },
  V1LabelSelector: { matchExpressions: atomic },
  V1LabelSelectorRequirement: { values: atomic },

  // core/v1
  V1NamespaceSpec: { finalizers: atomic },
  V1NamespaceStatus: { conditions },
  V1ServiceSpec: {
    ports: mergeByKey('port', ['port', 'protocol']),
    selector: { mapType: 'atomic' },
    clusterIPs: atomic,
    externalIPs: atomic,
    loadBalancerSourceRanges: atomic,
    ipFamilies: atomic,
  },
  V1ServicePort: { protocol: { default: 'TCP' } },
  V1ServiceStatus: { conditions },
  V1LoadBalancerStatus: { ingress: atomic },
  V1LoadBalancerIngress: { ports: atomic },
  V1ServiceAccount: { secrets: mergeByKey('name'), imagePullSecrets: atomic },
  V1PersistentVolumeClaimSpec: { accessModes: atomic },
  V1PersistentVolumeClaimStatus: {
    accessModes: atomic,
    conditions,
    allocatedResourceStatuses: { mapType: 'granular' },
  },
  V1PodSpec: {
    volumes: mergeByKey('name', ['name'], 'merge,retainKeys'),
    initContainers: mergeByKey('name'),
    containers: mergeByKey('name'),
    ephemeralContainers: mergeByKey('name'),
    nodeSelector: { mapType: 'atomic' },
    imagePullSecrets: mergeByKey('name'),
    tolerations: atomic,
    hostAliases: mergeByKey('ip'),
    readinessGates: atomic,
    topologySpreadConstraints: mergeByKey('topologyKey', ['topologyKey', 'whenUnsatisfiable']),
    schedulingGates: mergeByKey('name'),
    resourceClaims: mergeByKey('name', ['name'], 'merge,retainKeys'),
  },
  V1PodStatus: {
    conditions,
    hostIPs: { patchStrategy: 'merge', patchMergeKey: 'ip', listType: 'atomic' },
    podIPs: { patchStrategy: 'merge', patchMergeKey: 'ip', listType: 'atomic' },
    initContainerStatuses: atomic,
    containerStatuses: atomic,
    ephemeralContainerStatuses: atomic,
    resourceClaimStatuses: mergeByKey('name', ['name'], 'merge,retainKeys'),
  },
  V1Container: containerFields,
  V1EphemeralContainer: containerFields,
  V1ContainerPort: { protocol: { default: 'TCP' } },
  V1ContainerStatus: {
    volumeMounts: mergeByKey('mountPath'),
    allocatedResourcesStatus: mergeByKey('name'),
  },
  V1ResourceStatus: { resources: { listType: 'map', listMapKeys: ['resourceID'] } },
  V1ResourceRequirements: { claims: { listType: 'map', listMapKeys: ['name'] } },
  V1PodSecurityContext: { supplementalGroups: atomic, sysctls: atomic },
  V1Capabilities: { add: atomic, drop: atomic },
  V1PodDNSConfig: { nameservers: atomic, searches: atomic, options: atomic },
  V1HostAlias: { hostnames: atomic },
  V1TopologySpreadConstraint: { matchLabelKeys: atomic },
  V1NodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: atomic },
  V1PodAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: atomic,
    preferredDuringSchedulingIgnoredDuringExecution: atomic,
  },
  V1PodAntiAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: atomic,
    preferredDuringSchedulingIgnoredDuringExecution: atomic,
  },
  V1NodeSelector: { nodeSelectorTerms: atomic },
  V1NodeSelectorTerm: { matchExpressions: atomic, matchFields: atomic },
  V1NodeSelectorRequirement: { values: atomic },
  V1PodAffinityTerm: { namespaces: atomic, matchLabelKeys: atomic, mismatchLabelKeys: atomic },
  V1LimitRangeSpec: { limits: atomic },
  V1ResourceQuotaSpec: { scopes: atomic },
  V1ScopeSelector: { matchExpressions: atomic },
  V1ScopedResourceSelectorRequirement: { values: atomic },
  V1NodeSpec: { podCIDRs: mergeSet, taints: atomic },
  V1NodeStatus: {
    conditions,
    addresses: mergeByKey('type'),
    images: atomic,
    volumesInUse: atomic,
    volumesAttached: atomic,
    runtimeHandlers: atomic,
  },
  V1ContainerImage: { names: atomic },
  V1Endpoints: { subsets: atomic },
  V1EndpointSubset: { addresses: atomic, notReadyAddresses: atomic, ports: atomic },

  // apps/v1
  V1DeploymentSpec: { strategy: { patchStrategy: 'retainKeys' } },
  V1DeploymentStatus: { conditions },
  V1StatefulSetSpec: { volumeClaimTemplates: atomic },
  V1StatefulSetStatus: { conditions },
  V1DaemonSetStatus: { conditions },
  V1ReplicaSetStatus: { conditions },

  // batch/v1
  V1JobStatus: { conditions: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'atomic' } },
  V1CronJobStatus: { active: atomic },
  V1PodFailurePolicy: { rules: atomic },
  V1PodFailurePolicyRule: { onPodConditions: atomic },
  V1PodFailurePolicyOnExitCodesRequirement: { values: set },
  V1SuccessPolicy: { rules: atomic },
  V1UncountedTerminatedPods: { succeeded: set, failed: set },

  // networking.k8s.io/v1
  V1IngressSpec: { rules: atomic, tls: atomic },
  V1IngressTLS: { hosts: atomic },
  V1HTTPIngressRuleValue: { paths: atomic },
  V1IngressLoadBalancerStatus: { ingress: atomic },
  V1IngressLoadBalancerIngress: { ports: atomic },

  // rbac.authorization.k8s.io/v1
  V1Role: { rules: atomic },
  V1ClusterRole: { rules: atomic },
  V1RoleBinding: { subjects: atomic },
  V1ClusterRoleBinding: { subjects: atomic },
  V1PolicyRule: {
    verbs: atomic,
    apiGroups: atomic,
    resources: atomic,
    resourceNames: atomic,
    nonResourceURLs: atomic,
  },
  V1AggregationRule: { clusterRoleSelectors: atomic },

  // policy/v1
  V1PodDisruptionBudgetStatus: { conditions },

  // autoscaling/v2
  V2HorizontalPodAutoscalerSpec: { metrics: atomic },
  V2HorizontalPodAutoscalerStatus: { conditions, currentMetrics: atomic },
  V2HPAScalingRules: { policies: atomic },

  // apiextensions.k8s.io/v1
  V1CustomResourceDefinitionSpec: { versions: atomic },
  V1CustomResourceDefinitionStatus: { conditions: mapByType, storedVersions: atomic },
  V1CustomResourceDefinitionNames: { shortNames: atomic, categories: atomic },
  V1CustomResourceDefinitionVersion: { additionalPrinterColumns: atomic, selectableFields: atomic },
  V1WebhookConversion: { conversionReviewVersions: atomic },
  V1JSONSchemaProps: {
    'x-kubernetes-list-map-keys': atomic,
    'x-kubernetes-validations': mergeByKey('rule'),
  },

  // certificates.k8s.io/v1
  V1CertificateSigningRequestSpec: { groups: atomic, usages: atomic },
  V1CertificateSigningRequestStatus: { conditions: mapByType },

  // discovery.k8s.io/v1
  V1EndpointSlice: { endpoints: atomic, ports: atomic },
  V1Endpoint: { addresses: set },
  V1EndpointHints: { forZones: atomic, forNodes: atomic },
};

/** Struct-level `+structType=atomic` (published as x-kubernetes-map-type: atomic on the type). */
export const ATOMIC_STRUCTS = new Set<string>([
  'V1LabelSelector',
  'V1OwnerReference',
  'V1ObjectReference',
  'V1LocalObjectReference',
  'V1TypedLocalObjectReference',
  'V1ConfigMapKeySelector',
  'V1SecretKeySelector',
  'V1ObjectFieldSelector',
  'V1ResourceFieldSelector',
  'V1NodeSelector',
  'V1NodeSelectorTerm',
  'V1TopologySelectorTerm',
  'V1FileKeySelector',
]);

/**
 * Fields whose Go type is resource.Quantity (client-node types them as string / map of string).
 * Keyed by model, value is the set of JSON field names.
 */
export const QUANTITY_FIELDS: Record<string, string[]> = {
  V1ResourceRequirements: ['limits', 'requests'],
  V1VolumeResourceRequirements: ['limits', 'requests'],
  V1ResourceQuotaSpec: ['hard'],
  V1ResourceQuotaStatus: ['hard', 'used'],
  V1LimitRangeItem: ['default', 'defaultRequest', 'max', 'min', 'maxLimitRequestRatio'],
  V1NodeStatus: ['allocatable', 'capacity'],
  V1PersistentVolumeClaimStatus: ['capacity', 'allocatedResources'],
  V1PersistentVolumeSpec: ['capacity'],
  V1PodSpec: ['overhead'],
  V1ContainerStatus: ['allocatedResources'],
  V1EmptyDirVolumeSource: ['sizeLimit'],
  V1ResourceFieldSelector: ['divisor'],
  V2MetricTarget: ['averageValue', 'value'],
  V2MetricValueStatus: ['averageValue', 'value'],
};

export function isQuantityField(model: string, field: string): boolean {
  return QUANTITY_FIELDS[model]?.includes(field) ?? false;
}

/** Applies a field's patch metadata to its schema (in place) and returns it. */
export function applyFieldPatchMeta(
  model: string,
  field: string,
  schema: JSONSchemaProps,
  opts: { defaultAtomicLists: boolean },
): JSONSchemaProps {
  const meta = FIELD_PATCH_META[model]?.[field];
  if (meta?.patchStrategy) schema['x-kubernetes-patch-strategy'] = meta.patchStrategy;
  if (meta?.patchMergeKey) schema['x-kubernetes-patch-merge-key'] = meta.patchMergeKey;
  if (schema.type === 'array') {
    const listType = meta?.listType ?? (opts.defaultAtomicLists ? 'atomic' : undefined);
    if (listType) schema['x-kubernetes-list-type'] = listType;
    if (meta?.listMapKeys) schema['x-kubernetes-list-map-keys'] = [...meta.listMapKeys];
  }
  if (meta?.mapType) schema['x-kubernetes-map-type'] = meta.mapType;
  if (meta && 'default' in meta) schema.default = meta.default;
  return schema;
}

/** The Kubernetes quantity syntax (k8s.io/apimachinery/pkg/api/resource). */
export const QUANTITY_PATTERN =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';
