// policy.karmada.io/v1alpha1 PropagationPolicy and ClusterPropagationPolicy (propagation_types.go): which
// resource templates to propagate, and where (placement), with scheduling, failover and conflict rules.

import { z } from 'zod';
import { int, int32, int64, LabelSelectorSchema, typeMeta } from '../../meta/v1/types.js';
import { NodeSelectorRequirementSchema, TolerationSchema } from '../../core/v1/types.js';
import { AGE_COLUMN, type KindDefinition } from '../../kind.js';

export const GROUP = 'policy.karmada.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

export const ResourceSelectorSchema = z.object({
  apiVersion: z.string().describe('APIVersion represents the API version of the target resources, e.g. apps/v1.'),
  kind: z.string().describe('Kind represents the Kind of the target resources, e.g. Deployment.'),
  namespace: z
    .string()
    .describe('Namespace of the target resource. Default is empty, which means inherit from the parent object scope (the namespace of a PropagationPolicy).')
    .optional(),
  name: z.string().describe('Name of the target resource. Default is empty, which means selecting all resources of the kind.').optional(),
  labelSelector: LabelSelectorSchema.describe('A label query over a set of resources. If name is not empty, labelSelector will be ignored.').optional(),
});
export type ResourceSelector = z.input<typeof ResourceSelectorSchema>;

export const FieldSelectorSchema = z.object({
  matchExpressions: z
    .array(NodeSelectorRequirementSchema)
    .describe("A list of field selector requirements. Keys are 'provider', 'region' or 'zone'; operators are In and NotIn.")
    .optional(),
});
export type FieldSelector = z.input<typeof FieldSelectorSchema>;

function clusterAffinityFields() {
  return {
    labelSelector: LabelSelectorSchema.describe(
      'LabelSelector is a filter to select member clusters by labels. If non-nil and non-empty, only the clusters match this filter will be selected.',
    ).optional(),
    fieldSelector: FieldSelectorSchema.describe(
      "FieldSelector is a filter to select member clusters by fields. The key(field) of the match expression should be 'provider', 'region', or 'zone', and the operator of the match expression should be 'In' or 'NotIn'. If non-nil and non-empty, only the clusters match this filter will be selected.",
    ).optional(),
    clusterNames: z.array(z.string()).describe('ClusterNames is the list of clusters to be selected.').optional(),
    exclude: z.array(z.string()).describe('ExcludedClusters is the list of clusters to be ignored.').optional(),
  };
}

export const ClusterAffinitySchema = z.object(clusterAffinityFields());
export type ClusterAffinity = z.input<typeof ClusterAffinitySchema>;

const affinityName = () => z.string().min(1).max(32).describe('AffinityName is the name of the cluster group.');

export const OverflowClusterAffinitySchema = z.object({ affinityName: affinityName(), ...clusterAffinityFields() });
export type OverflowClusterAffinity = z.input<typeof OverflowClusterAffinitySchema>;

export const ClusterAffinityTermSchema = z.object({
  affinityName: affinityName(),
  ...clusterAffinityFields(),
  overflowAffinities: z
    .array(OverflowClusterAffinitySchema)
    .describe('OverflowAffinities are cluster groups used, in order, only for the replicas the term itself cannot hold.')
    .optional(),
});
export type ClusterAffinityTerm = z.input<typeof ClusterAffinityTermSchema>;

export const SPREAD_BY_FIELDS = ['cluster', 'region', 'zone', 'provider'] as const;
export type SpreadFieldValue = (typeof SPREAD_BY_FIELDS)[number];

export const SpreadConstraintSchema = z.object({
  spreadByField: z
    .enum(SPREAD_BY_FIELDS)
    .describe(
      "SpreadByField represents the fields on Karmada cluster API used for dynamically grouping member clusters into different groups. Resources will be spread among different cluster groups. Available fields: cluster, region, zone, provider. Mutually exclusive with spreadByLabel; if both are empty, spreadByField defaults to 'cluster'.",
    )
    .optional(),
  spreadByLabel: z
    .string()
    .describe('SpreadByLabel represents the label key used for grouping member clusters into different groups. Mutually exclusive with spreadByField.')
    .optional(),
  maxGroups: int().describe('MaxGroups restricts the maximum number of cluster groups to be selected.').optional(),
  minGroups: int().describe('MinGroups restricts the minimum number of cluster groups to be selected. Defaults to 1.').optional(),
});
export type SpreadConstraint = z.input<typeof SpreadConstraintSchema>;

export const StaticClusterWeightSchema = z.object({
  targetCluster: ClusterAffinitySchema.describe('TargetCluster describes the filter to select clusters.'),
  weight: int64().min(1).describe('Weight expressing the preference to the cluster(s) specified by targetCluster.'),
});
export type StaticClusterWeight = z.input<typeof StaticClusterWeightSchema>;

export const DYNAMIC_WEIGHT_FACTORS = ['AvailableReplicas'] as const;

export const ClusterPreferencesSchema = z.object({
  staticWeightList: z.array(StaticClusterWeightSchema).describe('StaticWeightList defines the static cluster weight.').optional(),
  dynamicWeight: z
    .enum(DYNAMIC_WEIGHT_FACTORS)
    .describe(
      'DynamicWeight specifies the factor to generates dynamic weight list. If specified, StaticWeightList will be ignored. AvailableReplicas weighs clusters by how many replicas they can still run.',
    )
    .optional(),
});
export type ClusterPreferences = z.input<typeof ClusterPreferencesSchema>;

export const REPLICA_SCHEDULING_TYPES = ['Duplicated', 'Divided'] as const;
export type ReplicaSchedulingType = (typeof REPLICA_SCHEDULING_TYPES)[number];
export const REPLICA_DIVISION_PREFERENCES = ['Aggregated', 'Weighted'] as const;
export type ReplicaDivisionPreference = (typeof REPLICA_DIVISION_PREFERENCES)[number];

export const ReplicaSchedulingStrategySchema = z.object({
  replicaSchedulingType: z
    .enum(REPLICA_SCHEDULING_TYPES)
    .default('Divided')
    .describe(
      'ReplicaSchedulingType determines how the replicas is scheduled when karmada propagating a resource. Duplicated: every candidate cluster gets the full replica count. Divided: the replicas are divided among the clusters. Defaults to Divided.',
    )
    .optional(),
  replicaDivisionPreference: z
    .enum(REPLICA_DIVISION_PREFERENCES)
    .describe(
      'ReplicaDivisionPreference determines how the replicas is divided when replicaSchedulingType is Divided. Aggregated: as few clusters as possible, respecting their available resources. Weighted: by weightPreference. Defaults to Weighted when Divided.',
    )
    .optional(),
  weightPreference: ClusterPreferencesSchema.describe(
    'WeightPreference describes weight for each cluster or for each group of cluster. If nil, all clusters have the same weight.',
  ).optional(),
});
export type ReplicaSchedulingStrategy = z.input<typeof ReplicaSchedulingStrategySchema>;

const WorkloadAffinityTermSchema = z.object({
  groupByLabelKey: z.string().describe('GroupByLabelKey is the workload label key whose value groups workloads together.'),
});

export const WorkloadAffinitySchema = z.object({
  affinity: WorkloadAffinityTermSchema.describe('Affinity co-locates workloads of the same group in the same clusters.').optional(),
  antiAffinity: WorkloadAffinityTermSchema.describe('AntiAffinity keeps workloads of the same group in different clusters.').optional(),
});

export const PlacementSchema = z.object({
  clusterAffinity: ClusterAffinitySchema.describe(
    'ClusterAffinity represents scheduling restrictions to a certain set of clusters. Note: clusterAffinity can not co-exist with clusterAffinities. If both are not set, any cluster can be a scheduling candidate.',
  ).optional(),
  clusterAffinities: z
    .array(ClusterAffinityTermSchema)
    .describe(
      'ClusterAffinities represents scheduling restrictions to multiple cluster groups, evaluated one by one in the order they appear: the first group that satisfies the scheduling restrictions is used. Can not co-exist with clusterAffinity.',
    )
    .optional(),
  clusterTolerations: z.array(TolerationSchema).describe('ClusterTolerations represents the tolerations of the cluster taints.').optional(),
  spreadConstraints: z
    .array(SpreadConstraintSchema)
    .describe(
      'SpreadConstraints represents a list of the scheduling constraints: how to spread resources across cluster groups (by cluster, region, zone, provider or a cluster label) with min/max group counts.',
    )
    .optional(),
  replicaScheduling: ReplicaSchedulingStrategySchema.describe(
    'ReplicaScheduling represents the scheduling policy on dealing with the number of replicas when propagating resources that have replicas in spec (e.g. Deployments, StatefulSets) to member clusters. Nil means Duplicated.',
  ).optional(),
  workloadAffinity: WorkloadAffinitySchema.describe('WorkloadAffinity expresses affinity and anti-affinity between workloads (alpha, WorkloadAffinity feature gate).').optional(),
});
export type Placement = z.input<typeof PlacementSchema>;

export const PURGE_MODES = ['Directly', 'Gracefully', 'Never', 'Immediately', 'Graciously'] as const;
export type PurgeMode = (typeof PURGE_MODES)[number];
export const CLUSTER_PURGE_MODES = ['Directly', 'Gracefully'] as const;

export const StatePreservationRuleSchema = z.object({
  aliasLabelName: z
    .string()
    .describe('AliasLabelName is the name that will be used as a label key when the preserved data is passed to the new cluster.'),
  jsonPath: z
    .string()
    .describe('JSONPath is the JSONPath template used to identify the state data to be preserved, evaluated against the .status of the resource, e.g. "{ .jobStatus.jobID }".'),
});

export const StatePreservationSchema = z.object({
  rules: z.array(StatePreservationRuleSchema).describe('Rules contains a list of StatePreservationRule configurations.'),
});
export type StatePreservation = z.input<typeof StatePreservationSchema>;

export const ApplicationFailoverBehaviorSchema = z.object({
  decisionConditions: z
    .object({
      tolerationSeconds: int32()
        .default(300)
        .describe('TolerationSeconds represents the period of time Karmada should wait after reaching the desired state before performing failover process. Defaults to 300s.')
        .optional(),
    })
    .describe('DecisionConditions indicates the decision conditions of performing the failover process.'),
  purgeMode: z
    .enum(PURGE_MODES)
    .default('Gracefully')
    .describe(
      'PurgeMode represents how to deal with the legacy applications on the cluster from which the application is migrated: Directly, Gracefully or Never (Immediately and Graciously are deprecated aliases). Defaults to Gracefully.',
    )
    .optional(),
  gracePeriodSeconds: int32()
    .describe('GracePeriodSeconds is the maximum waiting duration in seconds before the application on the migrated cluster should be deleted. Only for purgeMode Gracefully; defaults to 600.')
    .optional(),
  statePreservation: StatePreservationSchema.describe('StatePreservation defines the policy for preserving and restoring state data during failover events for stateful applications.').optional(),
});
export type ApplicationFailoverBehavior = z.input<typeof ApplicationFailoverBehaviorSchema>;

export const ClusterFailoverBehaviorSchema = z.object({
  purgeMode: z
    .enum(CLUSTER_PURGE_MODES)
    .default('Gracefully')
    .describe('PurgeMode represents how to deal with the legacy applications on the cluster from which the application is migrated: Directly or Gracefully. Defaults to Gracefully.')
    .optional(),
  statePreservation: StatePreservationSchema.describe('StatePreservation defines the policy for preserving and restoring state data during failover events for stateful applications.').optional(),
});
export type ClusterFailoverBehavior = z.input<typeof ClusterFailoverBehaviorSchema>;

export const FailoverBehaviorSchema = z.object({
  application: ApplicationFailoverBehaviorSchema.describe(
    'Application indicates failover behaviors in case of application failure. If this value is nil, failover is disabled. If set, propagateDeps should be true so that the dependencies could be migrated along with the application.',
  ).optional(),
  cluster: ClusterFailoverBehaviorSchema.describe('Cluster indicates failover behaviors in case of cluster failure.').optional(),
});
export type FailoverBehavior = z.input<typeof FailoverBehaviorSchema>;

export const SuspensionSchema = z.object({
  dispatching: z
    .boolean()
    .describe('Dispatching controls whether dispatching should be suspended. nil means not suspend; true means stop propagating to all clusters. Can not co-exist with dispatchingOnClusters.')
    .optional(),
  dispatchingOnClusters: z
    .object({ clusterNames: z.array(z.string()).describe('ClusterNames is the list of clusters to be selected.').optional() })
    .describe('DispatchingOnClusters declares a list of clusters to which the dispatching should be suspended.')
    .optional(),
});
export type Suspension = z.input<typeof SuspensionSchema>;

export const PRIORITY_CLASS_SOURCES = ['KubePriorityClass'] as const;

export const SchedulePrioritySchema = z.object({
  priorityClassSource: z
    .enum(PRIORITY_CLASS_SOURCES)
    .describe('PriorityClassSource specifies where Karmada should look for the PriorityClass definition. KubePriorityClass: a Kubernetes PriorityClass of the control plane.'),
  priorityClassName: z.string().describe('PriorityClassName specifies which PriorityClass to use.'),
});
export type SchedulePriority = z.input<typeof SchedulePrioritySchema>;

export const PREEMPTION_BEHAVIORS = ['Always', 'Never'] as const;
export const CONFLICT_RESOLUTIONS = ['Abort', 'Overwrite'] as const;
export type ConflictResolution = (typeof CONFLICT_RESOLUTIONS)[number];
export const ACTIVATION_PREFERENCES = ['Lazy'] as const;

export const PropagationSpecSchema = z.object({
  resourceSelectors: z
    .array(ResourceSelectorSchema)
    .min(1)
    .describe(
      "ResourceSelectors used to select resources. Nil or empty selector is not allowed and doesn't mean match all kinds of resources for security concerns that sensitive resources (like Secret) might be accidentally propagated.",
    ),
  association: z.boolean().describe('Association tells if relevant resources should be selected automatically. Deprecated: in favor of propagateDeps.').optional(),
  propagateDeps: z
    .boolean()
    .describe('PropagateDeps tells if relevant resources (e.g. ConfigMaps and Secrets referenced by a Deployment) should be propagated automatically, and migrated along with it on failover. Defaults to false.')
    .optional(),
  placement: PlacementSchema.describe('Placement represents the rule for select clusters to propagate resources.').optional(),
  priority: int32()
    .default(0)
    .describe(
      'Priority indicates the importance of a policy. A policy will be applied for the matched resource templates if there is no other policies with higher priority. On ties the more precise selector wins (name > labelSelector > kind), then the lower alphabetic name. Defaults to zero.',
    )
    .optional(),
  preemption: z
    .enum(PREEMPTION_BEHAVIORS)
    .default('Never')
    .describe('Preemption declares the behaviors for preempting resource templates claimed by lower-priority policies. Valid options are "Always" and "Never".')
    .optional(),
  dependentOverrides: z
    .array(z.string())
    .describe('DependentOverrides represents the list of overrides (OverridePolicy) which must present before the current PropagationPolicy takes effect.')
    .optional(),
  schedulerName: z
    .string()
    .default('default-scheduler')
    .describe('SchedulerName represents which scheduler to proceed the scheduling. Defaults to default-scheduler.')
    .optional(),
  failover: FailoverBehaviorSchema.describe('Failover indicates how Karmada migrates applications in case of failures. If this value is nil, failover is disabled.').optional(),
  conflictResolution: z
    .enum(CONFLICT_RESOLUTIONS)
    .default('Abort')
    .describe(
      'ConflictResolution declares how potential conflict should be handled when a resource that is being propagated already exists in the target cluster. Abort (default) stops propagating to avoid unexpected overwrites; Overwrite takes over the existing resource.',
    )
    .optional(),
  activationPreference: z
    .enum(ACTIVATION_PREFERENCES)
    .describe('ActivationPreference indicates how the referencing resource template will be propagated in case of policy changes. Lazy: policy changes take effect only on the next change of the resource template.')
    .optional(),
  suspension: SuspensionSchema.describe('Suspension declares the policy for suspending different aspects of propagation. nil means no suspension.').optional(),
  preserveResourcesOnDeletion: z
    .boolean()
    .describe('PreserveResourcesOnDeletion controls whether resources should be preserved on the member clusters when the resource template is deleted. Defaults to false.')
    .optional(),
  schedulePriority: SchedulePrioritySchema.describe('SchedulePriority defines how Karmada should resolve the priority of the workload for scheduling (alpha).').optional(),
});
export type PropagationSpec = z.input<typeof PropagationSpecSchema>;

export const PropagationPolicySchema = z
  .object({
    ...typeMeta(),
    spec: PropagationSpecSchema.describe('Spec represents the desired behavior of PropagationPolicy.'),
  })
  .describe('PropagationPolicy represents the policy that propagates a group of resources to one or more clusters.');
export type PropagationPolicy = z.input<typeof PropagationPolicySchema>;

export const ClusterPropagationPolicySchema = z
  .object({
    ...typeMeta(),
    spec: PropagationSpecSchema.describe('Spec represents the desired behavior of ClusterPropagationPolicy.'),
  })
  .describe(
    'ClusterPropagationPolicy represents the cluster-wide policy that propagates a group of resources to one or more clusters. Different with PropagationPolicy that could only propagate resources in its own namespace, ClusterPropagationPolicy is able to propagate cluster level resources and resources in any namespace other than system reserved ones (karmada-system, karmada-cluster, karmada-es-*).',
  );
export type ClusterPropagationPolicy = z.input<typeof ClusterPropagationPolicySchema>;

const POLICY_COLUMNS = [
  { name: 'CONFLICT-RESOLUTION', type: 'string' as const, jsonPath: '.spec.conflictResolution' },
  { name: 'PRIORITY', type: 'string' as const, jsonPath: '.spec.priority' },
  AGE_COLUMN,
];

export const propagationPolicyKind: KindDefinition = {
  group: GROUP,
  version: VERSION,
  kind: 'PropagationPolicy',
  plural: 'propagationpolicies',
  singular: 'propagationpolicy',
  scope: 'Namespaced',
  shortNames: ['pp'],
  categories: ['karmada-io'],
  schema: PropagationPolicySchema,
  statusSubresource: false,
  printerColumns: POLICY_COLUMNS,
};

export const clusterPropagationPolicyKind: KindDefinition = {
  group: GROUP,
  version: VERSION,
  kind: 'ClusterPropagationPolicy',
  plural: 'clusterpropagationpolicies',
  singular: 'clusterpropagationpolicy',
  scope: 'Cluster',
  shortNames: ['cpp'],
  categories: ['karmada-io'],
  schema: ClusterPropagationPolicySchema,
  statusSubresource: false,
  printerColumns: POLICY_COLUMNS,
};

/** nil replicaScheduling means Duplicated (Placement.ReplicaSchedulingType()). */
export function replicaSchedulingType(placement: Placement | undefined): ReplicaSchedulingType {
  const rs = placement?.replicaScheduling;
  if (!rs) return 'Duplicated';
  return rs.replicaSchedulingType ?? 'Divided';
}
