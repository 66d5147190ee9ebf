// work.karmada.io/v1alpha1 Work (work_types.go): the manifests to apply to one member cluster, living in
// the cluster's execution namespace karmada-es-<cluster>, and their applied/health status.

import { z } from 'zod';
import { ConditionSchema, int, rawObject, typeMeta } from '../../meta/v1/types.js';
import { AGE_COLUMN, type KindDefinition } from '../../kind.js';
import { RESOURCE_HEALTH } from '../v1alpha2/types.js';

export const GROUP = 'work.karmada.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

/** A manifest is a whole Kubernetes object, kept as-is. */
export const ManifestSchema = rawObject().describe('Manifest represents a resource to be deployed on managed cluster.');
export type Manifest = z.input<typeof ManifestSchema>;

export const WorkSpecSchema = z.object({
  workload: z
    .object({
      manifests: z.array(ManifestSchema).describe('Manifests represents a list of Kubernetes resources to be deployed on the managed cluster.').optional(),
    })
    .describe('Workload represents the manifest workload to be deployed on managed cluster.')
    .optional(),
  suspendDispatching: z
    .boolean()
    .describe('SuspendDispatching controls whether dispatching should be suspended, nil means not suspend. Note: true means stop propagating to the corresponding member cluster, and does not prevent status collection.')
    .optional(),
  preserveResourcesOnDeletion: z
    .boolean()
    .describe('PreserveResourcesOnDeletion controls whether resources should be preserved on the member cluster when the Work object is deleted.')
    .optional(),
});
export type WorkSpec = z.input<typeof WorkSpecSchema>;

export const ResourceIdentifierSchema = z.object({
  ordinal: int().describe('Ordinal represents an index in manifests list, so the condition can still be linked to a manifest even though manifest cannot be parsed successfully.'),
  group: z.string().describe('Group is the group of the resource.').optional(),
  version: z.string().describe('Version is the version of the resource.'),
  kind: z.string().describe('Kind is the kind of the resource.'),
  resource: z.string().describe('Resource is the resource type of the resource.'),
  namespace: z.string().describe('Namespace is the namespace of the resource, the resource is cluster scoped if the value is empty.').optional(),
  name: z.string().describe('Name is the name of the resource.'),
});
export type ResourceIdentifier = z.input<typeof ResourceIdentifierSchema>;

export const ManifestStatusSchema = z.object({
  identifier: ResourceIdentifierSchema.describe('Identifier represents the identity of a resource linking to manifests in spec.'),
  status: rawObject().describe('Status reflects running status of current manifest.').optional(),
  health: z.enum(RESOURCE_HEALTH).describe('Health represents the healthy state of the current resource. There maybe different rules for different resources to achieve health status.').optional(),
});
export type ManifestStatus = z.input<typeof ManifestStatusSchema>;

export const WorkStatusSchema = z.object({
  conditions: z
    .array(ConditionSchema)
    .describe('Conditions contain the different condition statuses for this work: Applied, Progressing, Available, Degraded, Dispatching.')
    .optional(),
  manifestStatuses: z.array(ManifestStatusSchema).describe('ManifestStatuses contains running status of manifests in spec.').optional(),
});
export type WorkStatus = z.input<typeof WorkStatusSchema>;

export const WorkSchema = z
  .object({
    ...typeMeta(),
    spec: WorkSpecSchema.describe('Spec represents the desired behavior of Work.'),
    status: WorkStatusSchema.describe('Status represents the status of PropagationStatus.').optional(),
  })
  .describe('Work defines a list of resources to be deployed on the member cluster.');
export type Work = z.input<typeof WorkSchema>;

export const workKind: KindDefinition = {
  group: GROUP,
  version: VERSION,
  kind: 'Work',
  plural: 'works',
  singular: 'work',
  scope: 'Namespaced',
  shortNames: ['wk'],
  categories: ['karmada-io'],
  schema: WorkSchema,
  statusSubresource: true,
  printerColumns: [
    { name: 'WORKLOAD-KIND', type: 'string', jsonPath: '.spec.workload.manifests[*].kind' },
    { name: 'APPLIED', type: 'string', jsonPath: '.status.conditions[?(@.type=="Applied")].status' },
    { name: 'AVAILABLE', type: 'string', jsonPath: '.status.conditions[?(@.type=="Available")].status' },
    AGE_COLUMN,
  ],
};

/** Work conditions. */
export const WORK_CONDITION_APPLIED = 'Applied';
export const WORK_CONDITION_PROGRESSING = 'Progressing';
export const WORK_CONDITION_AVAILABLE = 'Available';
export const WORK_CONDITION_DEGRADED = 'Degraded';
export const WORK_CONDITION_DISPATCHING = 'Dispatching';
/** Reasons of the Applied and Dispatching conditions. */
export const WORK_REASON_APPLIED_SUCCESSFUL = 'AppliedSuccessful';
export const WORK_REASON_APPLIED_FAILED = 'AppliedFailed';
export const WORK_REASON_DISPATCHING_SUSPENDED = 'SuspendDispatching';
export const WORK_REASON_DISPATCHING = 'Dispatching';
