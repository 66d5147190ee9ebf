// The corev1 pieces Karmada's APIs embed: taints and tolerations, node selectors, resource lists and
// quota status. Field names and requiredness are Kubernetes'.

import { z } from 'zod';
import { int64, QuantitySchema, time } from '../../meta/v1/types.js';

export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;
export type TaintEffect = (typeof TAINT_EFFECTS)[number];

export const TaintSchema = z.object({
  key: z.string().describe('Required. The taint key to be applied to a cluster.'),
  value: z.string().describe('The taint value corresponding to the taint key.').optional(),
  effect: z.string().describe('Required. The effect of the taint on resources that do not tolerate the taint. Valid effects are NoSchedule, PreferNoSchedule and NoExecute.'),
  timeAdded: time().describe('TimeAdded represents the time at which the taint was added. It is only written for NoExecute taints.').optional(),
});
export type Taint = z.input<typeof TaintSchema>;

export const TolerationSchema = z.object({
  key: z.string().describe('Key is the taint key that the toleration applies to. Empty means match all taint keys. If the key is empty, operator must be Exists.').optional(),
  operator: z.string().describe("Operator represents a key's relationship to the value. Valid operators are Exists and Equal. Defaults to Equal.").optional(),
  value: z.string().describe('Value is the taint value the toleration matches to. If the operator is Exists, the value should be empty.').optional(),
  effect: z.string().describe('Effect indicates the taint effect to match. Empty means match all taint effects. Allowed values are NoSchedule, PreferNoSchedule and NoExecute.').optional(),
  tolerationSeconds: int64()
    .describe('TolerationSeconds represents the period of time the toleration (which must be of effect NoExecute) tolerates the taint. Unset means tolerate forever; zero and negative values mean evict immediately.')
    .optional(),
});
export type Toleration = z.input<typeof TolerationSchema>;

export const NodeSelectorRequirementSchema = z.object({
  key: z.string().describe('The label key that the selector applies to.'),
  operator: z.string().describe("Represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists, DoesNotExist, Gt and Lt."),
  values: z.array(z.string()).describe('An array of string values.').optional(),
});
export type NodeSelectorRequirement = z.input<typeof NodeSelectorRequirementSchema>;

export const NodeSelectorTermSchema = z
  .object({
    matchExpressions: z.array(NodeSelectorRequirementSchema).describe("A list of node selector requirements by node's labels.").optional(),
    matchFields: z.array(NodeSelectorRequirementSchema).describe("A list of node selector requirements by node's fields.").optional(),
  })
  .meta({ 'x-kubernetes-map-type': 'atomic' });

export const NodeSelectorSchema = z
  .object({
    nodeSelectorTerms: z.array(NodeSelectorTermSchema).describe('Required. A list of node selector terms. The terms are ORed.'),
  })
  .meta({ 'x-kubernetes-map-type': 'atomic' });
export type NodeSelector = z.input<typeof NodeSelectorSchema>;

/** corev1.ResourceList: resource name → quantity. */
export const ResourceListSchema = z.record(z.string(), QuantitySchema);
export type ResourceList = z.input<typeof ResourceListSchema>;

/** corev1.ResourceQuotaStatus. */
export function resourceQuotaStatusFields() {
  return {
    hard: ResourceListSchema.describe('Hard is the set of enforced hard limits for each named resource.').optional(),
    used: ResourceListSchema.describe('Used is the current observed total usage of the resource in the namespace.').optional(),
  };
}

/** The resource names Kubernetes defines most often used in resource models and quotas. */
export const RESOURCE_CPU = 'cpu';
export const RESOURCE_MEMORY = 'memory';
export const RESOURCE_STORAGE = 'storage';
export const RESOURCE_EPHEMERAL_STORAGE = 'ephemeral-storage';
export const RESOURCE_PODS = 'pods';
