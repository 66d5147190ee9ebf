// cluster.karmada.io/v1alpha1 Cluster: a member cluster registered with the control plane. Served natively
// by karmada-apiserver (Karmada serves it from karmada-aggregated-apiserver), never as a CRD.

import { z } from 'zod';
import { ConditionSchema, int, int32, QuantitySchema, stringMap, typeMeta } from '../../meta/v1/types.js';
import { ResourceListSchema, TaintSchema } from '../../core/v1/types.js';
import type { KindDefinition } from '../../kind.js';
import { AGE_COLUMN } from '../../kind.js';

export const GROUP = 'cluster.karmada.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

export const SYNC_MODES = ['Push', 'Pull'] as const;
export type ClusterSyncMode = (typeof SYNC_MODES)[number];
export const SYNC_MODE_PUSH: ClusterSyncMode = 'Push';
export const SYNC_MODE_PULL: ClusterSyncMode = 'Pull';

export const LocalSecretReferenceSchema = z.object({
  namespace: z.string().describe('Namespace is the namespace for the resource being referenced.'),
  name: z.string().describe('Name is the name of resource being referenced.'),
});
export type LocalSecretReference = z.input<typeof LocalSecretReferenceSchema>;

export const ResourceModelRangeSchema = z.object({
  name: z.string().describe('Name is the name for the resource that you want to categorize (cpu, memory, storage, ephemeral-storage).'),
  min: QuantitySchema.describe('Min is the minimum amount of this resource represented by the resource name (inclusive).'),
  max: QuantitySchema.describe('Max is the maximum amount of this resource represented by the resource name (exclusive).'),
});
export type ResourceModelRange = z.input<typeof ResourceModelRangeSchema>;

export const ResourceModelSchema = z.object({
  grade: int().min(0).describe('Grade is the index for the resource modeling.'),
  ranges: z
    .array(ResourceModelRangeSchema)
    .describe('Ranges describes the resource quota ranges of the grade: a node falls into this grade when every resource is in [min, max).'),
});
export type ResourceModel = z.input<typeof ResourceModelSchema>;

export const ClusterSpecSchema = z.object({
  id: z
    .string()
    .max(128)
    .describe('ID is the unique identifier for the cluster. It is collected when the cluster is registered (the UID of its kube-system namespace unless a ClusterProperty provides one).')
    .optional(),
  syncMode: z
    .enum(SYNC_MODES)
    .describe('SyncMode describes how a cluster syncs resources from the control plane: Push (the control plane applies Works) or Pull (karmada-agent in the member fetches them).'),
  apiEndpoint: z.string().describe('The API endpoint of the member cluster, a URL such as https://10.0.0.1:6443.').optional(),
  secretRef: LocalSecretReferenceSchema.describe('SecretRef represents the secret that contains mandatory credentials to access the member cluster (data.token and data.caBundle).').optional(),
  impersonatorSecretRef: LocalSecretReferenceSchema.describe('ImpersonatorSecretRef represents the secret that contains the token of the impersonator (data.token), used by the cluster proxy.').optional(),
  insecureSkipTLSVerification: z
    .boolean()
    .describe('InsecureSkipTLSVerification indicates that the control plane should not verify the serving certificate of the member cluster. Defaults to false.')
    .optional(),
  proxyURL: z.string().describe('ProxyURL is the proxy URL (http, https or socks5) used to talk to the cluster.').optional(),
  proxyHeader: stringMap().describe("ProxyHeader is the HTTP header required by the proxy server; separate multiple values with commas (e.g. 'k1': 'v1,v2,v3').").optional(),
  provider: z.string().describe('Provider represents the cloud provider name of the member cluster.').optional(),
  region: z.string().describe('Region represents the region in which the member cluster is located.').optional(),
  zone: z.string().describe('Zone represents the zone in which the member cluster is located. Deprecated: use zones instead.').optional(),
  zones: z.array(z.string()).describe('Zones represents the failure zones (also called availability zones) of the member cluster.').optional(),
  taints: z
    .array(TaintSchema)
    .describe('Taints attached to the member cluster. Taints on the cluster have the "effect" on any resource that does not tolerate the Taint.')
    .optional(),
  resourceModels: z
    .array(ResourceModelSchema)
    .describe('ResourceModels is the list of resource modeling grades used to count nodes by capacity; the first grade starts at 0 and the last one has no upper bound. Defaults to 9 grades of cpu and memory.')
    .optional(),
});
export type ClusterSpec = z.input<typeof ClusterSpecSchema>;

export const APIResourceSchema = z.object({
  name: z.string().describe('Name is the plural name of the resource.'),
  kind: z.string().describe("Kind is the kind for the resource (e.g. 'Deployment' is the kind for resource 'deployments')."),
});
export type APIResource = z.input<typeof APIResourceSchema>;

export const APIEnablementSchema = z.object({
  groupVersion: z.string().describe('GroupVersion is the group and version this APIEnablement is for.'),
  resources: z.array(APIResourceSchema).describe('Resources is a list of APIResource.').optional(),
});
export type APIEnablement = z.input<typeof APIEnablementSchema>;

export const NodeSummarySchema = z.object({
  totalNum: int32().describe('TotalNum is the total number of nodes in the cluster.').optional(),
  readyNum: int32().describe('ReadyNum is the number of ready nodes in the cluster.').optional(),
});
export type NodeSummary = z.input<typeof NodeSummarySchema>;

export const AllocatableModelingSchema = z.object({
  grade: int().min(0).describe('Grade is the index of ResourceModel.'),
  count: int().describe('Count is the number of nodes that fall into this grade.'),
});
export type AllocatableModeling = z.input<typeof AllocatableModelingSchema>;

export const ResourceSummarySchema = z.object({
  allocatable: ResourceListSchema.describe('Allocatable represents the resources of a cluster that are available for scheduling: the total allocatable resources of all nodes.').optional(),
  allocating: ResourceListSchema.describe('Allocating represents the resources requested by pods waiting for scheduling.').optional(),
  allocated: ResourceListSchema.describe('Allocated represents the resources requested by pods scheduled to nodes.').optional(),
  allocatableModelings: z
    .array(AllocatableModelingSchema)
    .describe('AllocatableModelings represents the statistical resource modeling: how many nodes fall into each grade.')
    .optional(),
});
export type ResourceSummary = z.input<typeof ResourceSummarySchema>;

export const ClusterStatusSchema = z.object({
  kubernetesVersion: z.string().describe('KubernetesVersion represents version of the member cluster.').optional(),
  apiEnablements: z.array(APIEnablementSchema).describe('APIEnablements represents the list of APIs installed in the member cluster.').optional(),
  conditions: z.array(ConditionSchema).describe('Conditions is an array of current cluster conditions (Ready, CompleteAPIEnablements).').optional(),
  nodeSummary: NodeSummarySchema.describe('NodeSummary represents the summary of nodes status in the member cluster.').optional(),
  // This project's extension beside nodeSummary (not in upstream Karmada): KubeEdge edge nodes, set by
  // pkg/edge's edgeClusterStatus for clusters running KubeEdge, absent otherwise.
  edgeNodeSummary: NodeSummarySchema.describe('EdgeNodeSummary represents the summary of KubeEdge edge nodes (node-role.kubernetes.io/edge) in the member cluster; absent when the cluster has none.').optional(),
  resourceSummary: ResourceSummarySchema.describe('ResourceSummary represents the summary of resources in the member cluster.').optional(),
  remedyActions: z.array(z.string()).describe('RemedyActions represents the remedy actions that need to be performed on the cluster.').optional(),
});
export type ClusterStatus = z.input<typeof ClusterStatusSchema>;

export const ClusterSchema = z
  .object({
    ...typeMeta(),
    spec: ClusterSpecSchema.describe('Spec represents the specification of the desired behavior of member cluster.'),
    status: ClusterStatusSchema.describe('Status represents the status of member cluster.').optional(),
  })
  .describe('Cluster represents the desired state and status of a member cluster.');
export type Cluster = z.input<typeof ClusterSchema>;

export const clusterKind: KindDefinition = {
  group: GROUP,
  version: VERSION,
  kind: 'Cluster',
  plural: 'clusters',
  singular: 'cluster',
  scope: 'Cluster',
  schema: ClusterSchema,
  statusSubresource: true,
  native: true,
  printerColumns: [
    { name: 'VERSION', type: 'string', jsonPath: '.status.kubernetesVersion' },
    { name: 'MODE', type: 'string', jsonPath: '.spec.syncMode' },
    { name: 'READY', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    AGE_COLUMN,
  ],
};
