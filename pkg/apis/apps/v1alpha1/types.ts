// apps.karmada.io/v1alpha1 WorkloadRebalancer (workloadrebalancer_types.go): a one-shot job asking the
// scheduler for a fresh replica assignment of the listed workloads.

import { z } from 'zod';
import { int32, int64, time, typeMeta } from '../../meta/v1/types.js';
import type { KindDefinition } from '../../kind.js';

export const GROUP = 'apps.karmada.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

export const RebalancerObjectReferenceSchema = z.object({
  apiVersion: z.string().describe('APIVersion represents the API version of the target resource.'),
  kind: z.string().describe('Kind represents the Kind of the target resource.'),
  name: z.string().describe('Name of the target resource.'),
  namespace: z.string().describe('Namespace of the target resource. Default is empty, which means it is a non-namespacescoped resource.').optional(),
});
export type RebalancerObjectReference = z.input<typeof RebalancerObjectReferenceSchema>;

export const WorkloadRebalancerSpecSchema = z.object({
  workloads: z
    .array(RebalancerObjectReferenceSchema)
    .min(1)
    .describe('Workloads used to specify the list of expected resource. Nil or empty list is not allowed.'),
  ttlSecondsAfterFinished: int32()
    .describe(
      'TTLSecondsAfterFinished limits the lifetime of a WorkloadRebalancer that has finished execution (each target workload is finished with result Successful or Failed). If unset, it is not deleted automatically; if zero, it becomes eligible to be deleted immediately after it finishes.',
    )
    .optional(),
});
export type WorkloadRebalancerSpec = z.input<typeof WorkloadRebalancerSpecSchema>;

export const REBALANCE_RESULTS = ['Successful', 'Failed'] as const;
export const REBALANCE_FAILED_REASON_BINDING_NOT_FOUND = 'ReferencedBindingNotFound';

export const ObservedWorkloadSchema = z.object({
  workload: RebalancerObjectReferenceSchema.describe('Workload the observed resource.'),
  result: z.string().describe('Result the observed rebalance result of resource: Successful or Failed.').optional(),
  reason: z.string().describe('Reason represents a machine-readable description of why this resource rebalanced failed (ReferencedBindingNotFound).').optional(),
});
export type ObservedWorkload = z.input<typeof ObservedWorkloadSchema>;

export const WorkloadRebalancerStatusSchema = z.object({
  observedWorkloads: z.array(ObservedWorkloadSchema).describe('ObservedWorkloads contains information about the execution states and messages of target resources.').optional(),
  observedGeneration: int64().describe('ObservedGeneration is the generation (.metadata.generation) observed by the controller.').optional(),
  finishTime: time().describe('FinishTime represents the finish time of rebalancer.').optional(),
});
export type WorkloadRebalancerStatus = z.input<typeof WorkloadRebalancerStatusSchema>;

export const WorkloadRebalancerSchema = z
  .object({
    ...typeMeta(),
    spec: WorkloadRebalancerSpecSchema.describe('Spec represents the specification of the desired behavior of WorkloadRebalancer.'),
    status: WorkloadRebalancerStatusSchema.describe('Status represents the status of WorkloadRebalancer.').optional(),
  })
  .describe('WorkloadRebalancer represents the desired behavior and status of a job which can enforces a resource rebalance.');
export type WorkloadRebalancer = z.input<typeof WorkloadRebalancerSchema>;

export const workloadRebalancerKind: KindDefinition = {
  group: GROUP,
  version: VERSION,
  kind: 'WorkloadRebalancer',
  plural: 'workloadrebalancers',
  singular: 'workloadrebalancer',
  scope: 'Cluster',
  schema: WorkloadRebalancerSchema,
  statusSubresource: true,
};
