// policy.karmada.io/v1alpha1 FederatedResourceQuota: an aggregate quota for a namespace across clusters,
// optionally with static per-cluster assignments (federatedresourcequota_types.go).

import { z } from 'zod';
import { typeMeta } from '../../meta/v1/types.js';
import { ResourceListSchema, resourceQuotaStatusFields } from '../../core/v1/types.js';
import type { KindDefinition } from '../../kind.js';
import { GROUP, VERSION } from './propagation.js';

export const StaticClusterAssignmentSchema = z.object({
  clusterName: z.string().describe('ClusterName is the name of the cluster the limits enforce to.'),
  hard: ResourceListSchema.describe('Hard is the set of desired hard limits for each named resource.'),
});
export type StaticClusterAssignment = z.input<typeof StaticClusterAssignmentSchema>;

export const FederatedResourceQuotaSpecSchema = z.object({
  overall: ResourceListSchema.describe('Overall is the set of desired hard limits for each named resource.'),
  staticAssignments: z
    .array(StaticClusterAssignmentSchema)
    .describe('StaticAssignments represents the subset of desired hard limits for each cluster. Clusters not listed get no ResourceQuota from this object.')
    .optional(),
});
export type FederatedResourceQuotaSpec = z.input<typeof FederatedResourceQuotaSpecSchema>;

export const ClusterQuotaStatusSchema = z.object({
  clusterName: z.string().describe('ClusterName is the name of the cluster the limits enforce to.'),
  ...resourceQuotaStatusFields(),
});
export type ClusterQuotaStatus = z.input<typeof ClusterQuotaStatusSchema>;

export const FederatedResourceQuotaStatusSchema = z.object({
  overall: ResourceListSchema.describe('Overall is the set of enforced hard limits for each named resource.').optional(),
  overallUsed: ResourceListSchema.describe('OverallUsed is the current observed total usage of the resource in the namespace.').optional(),
  aggregatedStatus: z.array(ClusterQuotaStatusSchema).describe('AggregatedStatus is the observed quota usage of each cluster.').optional(),
});
export type FederatedResourceQuotaStatus = z.input<typeof FederatedResourceQuotaStatusSchema>;

export const FederatedResourceQuotaSchema = z
  .object({
    ...typeMeta(),
    spec: FederatedResourceQuotaSpecSchema.describe('Spec defines the desired quota.'),
    status: FederatedResourceQuotaStatusSchema.describe('Status defines the actual enforced quota and its current usage.').optional(),
  })
  .describe('FederatedResourceQuota sets aggregate quota restrictions enforced per namespace across all clusters.');
export type FederatedResourceQuota = z.input<typeof FederatedResourceQuotaSchema>;

export const federatedResourceQuotaKind: KindDefinition = {
  group: GROUP,
  version: VERSION,
  kind: 'FederatedResourceQuota',
  plural: 'federatedresourcequotas',
  singular: 'federatedresourcequota',
  scope: 'Namespaced',
  categories: ['karmada-io'],
  schema: FederatedResourceQuotaSchema,
  statusSubresource: true,
};
