// policy.karmada.io/v1alpha1 ClusterTaintPolicy: taints added to / removed from Cluster objects when their
// status conditions match (clustertaint_types.go). Taints are never removed just because a policy is deleted.

import { z } from 'zod';
import { typeMeta } from '../../meta/v1/types.js';
import type { KindDefinition } from '../../kind.js';
import { ClusterAffinitySchema } from './propagation.js';
import { GROUP, VERSION } from './propagation.js';

export const MATCH_CONDITION_OPERATORS = ['In', 'NotIn'] as const;
export type MatchConditionOperator = (typeof MATCH_CONDITION_OPERATORS)[number];

/** Effects a ClusterTaintPolicy may manage. */
export const CLUSTER_TAINT_POLICY_EFFECTS = ['NoSchedule', 'NoExecute'] as const;

export const MatchConditionSchema = z.object({
  conditionType: z.string().describe('ConditionType specifies the ClusterStatus condition type.'),
  operator: z.enum(MATCH_CONDITION_OPERATORS).describe('Operator represents a relationship to a set of values. Valid operators are In, NotIn.'),
  statusValues: z.array(z.string()).describe('StatusValues is an array of metav1.ConditionStatus values. The item specifies the ClusterStatus condition status.'),
});
export type MatchCondition = z.input<typeof MatchConditionSchema>;

export const PolicyTaintSchema = z.object({
  key: z.string().describe('Key represents the taint key to be applied to a cluster.'),
  effect: z.enum(CLUSTER_TAINT_POLICY_EFFECTS).describe('Effect represents the taint effect to be applied to a cluster. Valid options are "NoSchedule" and "NoExecute".'),
  value: z.string().describe('Value represents the taint value corresponding to the taint key.').optional(),
});
export type PolicyTaint = z.input<typeof PolicyTaintSchema>;

export const ClusterTaintPolicySpecSchema = z.object({
  targetClusters: ClusterAffinitySchema.describe(
    'TargetClusters specifies the clusters that ClusterTaintPolicy needs to pay attention to. For clusters that no longer match the TargetClusters, the taints will be kept unchanged. If targetClusters is not set, any cluster can be selected.',
  ).optional(),
  addOnConditions: z
    .array(MatchConditionSchema)
    .describe('AddOnConditions defines the conditions to match for triggering the controller to add taints on the cluster object. The match conditions are ANDed. If AddOnConditions is empty, no taints will be added.')
    .optional(),
  removeOnConditions: z
    .array(MatchConditionSchema)
    .describe('RemoveOnConditions defines the conditions to match for triggering the controller to remove taints from the cluster object. The match conditions are ANDed. If RemoveOnConditions is empty, no taints will be removed.')
    .optional(),
  taints: z
    .array(PolicyTaintSchema)
    .min(1)
    .describe('Taints specifies the taints that need to be added or removed on the cluster object which match with TargetClusters.'),
});
export type ClusterTaintPolicySpec = z.input<typeof ClusterTaintPolicySpecSchema>;

export const ClusterTaintPolicySchema = z
  .object({
    ...typeMeta(),
    spec: ClusterTaintPolicySpecSchema.describe('Spec represents the desired behavior of ClusterTaintPolicy.'),
  })
  .describe(
    'ClusterTaintPolicy automates taint management on Cluster objects based on declarative conditions. AddOnConditions are evaluated before RemoveOnConditions. Taints are NEVER automatically removed when the ClusterTaintPolicy is deleted.',
  );
export type ClusterTaintPolicy = z.input<typeof ClusterTaintPolicySchema>;

export const clusterTaintPolicyKind: KindDefinition = {
  group: GROUP,
  version: VERSION,
  kind: 'ClusterTaintPolicy',
  plural: 'clustertaintpolicies',
  singular: 'clustertaintpolicy',
  scope: 'Cluster',
  schema: ClusterTaintPolicySchema,
  statusSubresource: false,
};
