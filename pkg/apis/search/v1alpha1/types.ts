// search.karmada.io/v1alpha1 ResourceRegistry (searchregistry_types.go): which resources of which clusters
// karmada-search caches (and optionally indexes in OpenSearch).

import { z } from 'zod';
import { ConditionSchema, typeMeta } from '../../meta/v1/types.js';
import type { KindDefinition } from '../../kind.js';
import { ClusterAffinitySchema } from '../../policy/v1alpha1/propagation.js';

export const GROUP = 'search.karmada.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

export const SearchResourceSelectorSchema = z.object({
  apiVersion: z.string().describe('APIVersion represents the API version of the target resources.'),
  kind: z.string().describe('Kind represents the Kind of the target resources.'),
  namespace: z.string().describe('Namespace of the target resource. Default is empty, which means all namespaces.').optional(),
});
export type SearchResourceSelector = z.input<typeof SearchResourceSelectorSchema>;

export const BackendStoreConfigSchema = z.object({
  openSearch: z
    .object({
      addresses: z.array(z.string()).describe('Addresses means the OpenSearch server addresses, e.g. https://opensearch:9200.'),
      secretRef: z
        .object({
          namespace: z.string().describe('Namespace is the namespace for the resource being referenced.'),
          name: z.string().describe('Name is the name of resource being referenced.'),
        })
        .describe('SecretRef represents the secret that contains mandatory credentials to access the server (data.username, data.password).')
        .optional(),
    })
    .describe('OpenSearch is a community-driven, open source search and analytics suite.')
    .optional(),
});
export type BackendStoreConfig = z.input<typeof BackendStoreConfigSchema>;

export const ResourceRegistrySpecSchema = z.object({
  targetCluster: ClusterAffinitySchema.describe('TargetCluster specifies the clusters where the cache system collect resource from.'),
  resourceSelectors: z.array(SearchResourceSelectorSchema).describe('ResourceSelectors specifies the resources types that should be cached by cache system.'),
  backendStore: BackendStoreConfigSchema.describe('BackendStore specifies the location where to store the cached items. Nil means the in-memory cache.').optional(),
});
export type ResourceRegistrySpec = z.input<typeof ResourceRegistrySpecSchema>;

export const ResourceRegistrySchema = z
  .object({
    ...typeMeta(),
    spec: ResourceRegistrySpecSchema.describe('Spec represents the desired behavior of ResourceRegistry.'),
    status: z
      .object({ conditions: z.array(ConditionSchema).describe('Conditions contain the different condition statuses.').optional() })
      .describe('Status represents the status of ResourceRegistry.')
      .optional(),
  })
  .describe('ResourceRegistry represents the configuration of the cache scope, mainly describes which resources in which clusters should be cached.');
export type ResourceRegistry = z.input<typeof ResourceRegistrySchema>;

export const resourceRegistryKind: KindDefinition = {
  group: GROUP,
  version: VERSION,
  kind: 'ResourceRegistry',
  plural: 'resourceregistries',
  singular: 'resourceregistry',
  scope: 'Cluster',
  categories: ['karmada-io'],
  schema: ResourceRegistrySchema,
  statusSubresource: true,
};
