// work.karmada.io/v1alpha2 ResourceBinding and ClusterResourceBinding (binding_types.go): a resource template
// bound to a policy, its replica requirements, and — written by the scheduler — the target clusters.

import { z } from 'zod';
import { ConditionSchema, int32, int64, rawObject, stringMap, time, typeMeta } from '../../meta/v1/types.js';
import { NodeSelectorSchema, ResourceListSchema, TolerationSchema } from '../../core/v1/types.js';
import { AGE_COLUMN, type KindDefinition } from '../../kind.js';
import { CONFLICT_RESOLUTIONS, FailoverBehaviorSchema, PlacementSchema, PURGE_MODES, SuspensionSchema } from '../../policy/v1alpha1/propagation.js';

export const GROUP = 'work.karmada.io';
export const VERSION = 'v1alpha2';
export const API_VERSION = `${GROUP}/${VERSION}`;

export const ObjectReferenceSchema = z.object({
  apiVersion: z.string().describe('APIVersion represents the API version of the referent.'),
  kind: z.string().describe('Kind represents the Kind of the referent.'),
  namespace: z.string().describe('Namespace represents the namespace for the referent. Empty for cluster-scoped resources.').optional(),
  name: z.string().describe('Name represents the name of the referent.'),
  uid: z.string().describe('UID of the referent.').optional(),
  resourceVersion: z.string().describe('ResourceVersion represents the internal version of the referenced object, used to determine when it has changed.').optional(),
});
export type ObjectReference = z.input<typeof ObjectReferenceSchema>;

export const NodeClaimSchema = z.object({
  hardNodeAffinity: NodeSelectorSchema.describe('A node selector represents the union of the results of one or more label queries over a set of nodes; the replicas must fit these nodes.').optional(),
  nodeSelector: stringMap().describe('NodeSelector is a selector which must be true for the pod to fit on a node.').optional(),
  tolerations: z.array(TolerationSchema).describe("If specified, the pod's tolerations.").optional(),
});
export type NodeClaim = z.input<typeof NodeClaimSchema>;

export const ReplicaRequirementsSchema = z.object({
  nodeClaim: NodeClaimSchema.describe('NodeClaim represents the node claim HardNodeAffinity, NodeSelector and Tolerations required by each replica.').optional(),
  resourceRequest: ResourceListSchema.describe('ResourceRequest represents the resources required by each replica.').optional(),
  namespace: z.string().describe('Namespace represents the resources namespaces.').optional(),
  priorityClassName: z.string().describe('PriorityClassName represents the resources priorityClassName.').optional(),
});
export type ReplicaRequirements = z.input<typeof ReplicaRequirementsSchema>;

export const ComponentSchema = z.object({
  name: z.string().describe('Name is the name of this component (a pod template of a multi-template workload).'),
  replicas: int32().describe('Replicas represents the replica number of this component.'),
  replicaRequirements: z
    .object({
      nodeClaim: NodeClaimSchema.optional(),
      resourceRequest: ResourceListSchema.optional(),
      priorityClassName: z.string().optional(),
    })
    .describe('ReplicaRequirements represents the requirements required by each replica of this component.')
    .optional(),
});
export type Component = z.input<typeof ComponentSchema>;

export const TargetComponentSchema = z.object({
  name: z.string().describe('Name of the component.'),
  replicas: int32().describe('Replicas of the component in the target cluster.'),
});

export const TargetClusterSchema = z.object({
  name: z.string().describe('Name of target cluster.'),
  replicas: int32().describe('Replicas in target cluster.').optional(),
  components: z.array(TargetComponentSchema).describe('Components are the per-component replicas in the target cluster.').optional(),
});
export type TargetCluster = z.input<typeof TargetClusterSchema>;

export const GracefulEvictionTaskSchema = z.object({
  fromCluster: z.string().describe('FromCluster which cluster the eviction perform from.'),
  purgeMode: z.enum(PURGE_MODES).describe('PurgeMode represents how to deal with the legacy applications on the cluster from which the application is migrated.').optional(),
  replicas: int32().describe('Replicas indicates the number of replicas should be evicted.').optional(),
  reason: z
    .string()
    .min(1)
    .max(32)
    .regex(/^([A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?)$/)
    .describe('Reason contains a programmatic identifier indicating the reason for the eviction, in CamelCase (TaintUntolerated, ApplicationFailure).'),
  message: z.string().max(1024).describe('Message is a human-readable message indicating details about the eviction.').optional(),
  producer: z.string().describe('Producer indicates the controller who triggered the eviction (TaintManager, ...).'),
  gracePeriodSeconds: int32().describe('GracePeriodSeconds is the maximum waiting duration in seconds before the item should be deleted.').optional(),
  suppressDeletion: z.boolean().describe('SuppressDeletion represents the grace period will be persistent until the tools or human intervention stops it.').optional(),
  preservedLabelState: stringMap().describe('PreservedLabelState represents the application state information collected from the original cluster, injected into the new cluster as labels.').optional(),
  clustersBeforeFailover: z.array(z.string()).describe('ClustersBeforeFailover records the clusters where running the application before failover.').optional(),
  creationTimestamp: time().describe('CreationTimestamp is a timestamp representing the server time when this object was created.').optional(),
});
export type GracefulEvictionTask = z.input<typeof GracefulEvictionTaskSchema>;

export const BindingSnapshotSchema = z.object({
  namespace: z.string().describe('Namespace represents the namespace of the Binding.').optional(),
  name: z.string().describe('Name represents the name of the Binding.'),
  clusters: z.array(TargetClusterSchema).describe('Clusters represents the scheduled result.').optional(),
});
export type BindingSnapshot = z.input<typeof BindingSnapshotSchema>;

export const BindingSuspensionSchema = SuspensionSchema.extend({
  scheduling: z.boolean().describe('Scheduling controls whether scheduling should be suspended; the scheduler pauses the binding while true.').optional(),
});

export const ResourceBindingSpecSchema = z.object({
  resource: ObjectReferenceSchema.describe('Resource represents the Kubernetes resource to be propagated.'),
  propagateDeps: z.boolean().describe('PropagateDeps tells if relevant resources should be propagated automatically.').optional(),
  replicaRequirements: ReplicaRequirementsSchema.describe('ReplicaRequirements represents the requirements required by each replica.').optional(),
  replicas: int32().describe('Replicas represents the replica number of the referencing resource.').optional(),
  components: z.array(ComponentSchema).describe('Components represents the requirements of multiple pod templates of the referencing resource (MultiplePodTemplatesScheduling).').optional(),
  clusters: z.array(TargetClusterSchema).describe('Clusters represents target member clusters where the resource to be deployed (the scheduling result).').optional(),
  placement: PlacementSchema.describe('Placement represents the rule for select clusters to propagate resources, copied from the policy.').optional(),
  gracefulEvictionTasks: z
    .array(GracefulEvictionTaskSchema)
    .describe('GracefulEvictionTasks holds the eviction tasks that are expected to perform the eviction in a graceful way.')
    .optional(),
  requiredBy: z
    .array(BindingSnapshotSchema)
    .describe('RequiredBy represents the list of Bindings that depend on the referencing resource.')
    .optional(),
  schedulerName: z.string().describe('SchedulerName represents which scheduler to proceed the scheduling, inherited from the policy.').optional(),
  failover: FailoverBehaviorSchema.describe('Failover indicates how Karmada migrates applications in case of failures, inherited from the policy.').optional(),
  conflictResolution: z
    .enum(CONFLICT_RESOLUTIONS)
    .default('Abort')
    .describe('ConflictResolution declares how potential conflict should be handled when a resource that is being propagated already exists in the target cluster. Defaults to Abort.')
    .optional(),
  rescheduleTriggeredAt: time()
    .describe('RescheduleTriggeredAt is a timestamp representing when the referenced resource is triggered rescheduling (set by WorkloadRebalancer); a value later than status.lastScheduledTime triggers a fresh assignment.')
    .optional(),
  suspension: BindingSuspensionSchema.describe('Suspension declares the policy for suspending different aspects of propagation.').optional(),
  preserveResourcesOnDeletion: z
    .boolean()
    .describe('PreserveResourcesOnDeletion controls whether resources should be preserved on the member clusters when the binding object is deleted.')
    .optional(),
  schedulePriority: z
    .object({ priority: int32().describe('Priority specifies the scheduling priority for the binding. Higher values indicate a higher priority.').optional() })
    .describe('SchedulePriority represents the scheduling priority assigned to workloads.')
    .optional(),
  workloadAffinityGroups: z
    .object({
      affinityGroup: z.string().describe('AffinityGroup is the workload affinity group of this binding.').optional(),
      antiAffinityGroup: z.string().describe('AntiAffinityGroup is the workload anti-affinity group of this binding.').optional(),
    })
    .describe('WorkloadAffinityGroups are the groups the workload belongs to (WorkloadAffinity).')
    .optional(),
});
export type ResourceBindingSpec = z.input<typeof ResourceBindingSpecSchema>;

export const RESOURCE_HEALTH = ['Healthy', 'Unhealthy', 'Unknown'] as const;
export type ResourceHealth = (typeof RESOURCE_HEALTH)[number];

export const AggregatedStatusItemSchema = z.object({
  clusterName: z.string().describe('ClusterName represents the member cluster name which the resource deployed on.'),
  status: rawObject().describe('Status reflects running status of current manifest.').optional(),
  applied: z.boolean().describe('Applied represents if the resource referencing by the binding is successfully applied on the cluster.').optional(),
  appliedMessage: z.string().describe('AppliedMessage is a human readable message indicating details about the applied status, usually the error of a failed apply.').optional(),
  health: z.enum(RESOURCE_HEALTH).describe('Health represents the healthy state of the current resource.').optional(),
});
export type AggregatedStatusItem = z.input<typeof AggregatedStatusItemSchema>;

export const ResourceBindingStatusSchema = z.object({
  schedulerObservedGeneration: int64().describe('SchedulerObservedGeneration is the generation (.metadata.generation) observed by the scheduler.').optional(),
  schedulerObservingAffinityName: z.string().describe('SchedulerObservedAffinityName is the name of the clusterAffinities term the scheduler used.').optional(),
  lastScheduledTime: time().describe('LastScheduledTime representing the latest timestamp when scheduler successfully finished a scheduling.').optional(),
  conditions: z.array(ConditionSchema).describe('Conditions contain the different condition statuses (Scheduled, FullyApplied).').optional(),
  aggregatedStatus: z.array(AggregatedStatusItemSchema).describe('AggregatedStatus represents status list of the resource running in each member cluster.').optional(),
});
export type ResourceBindingStatus = z.input<typeof ResourceBindingStatusSchema>;

export const ResourceBindingSchema = z
  .object({
    ...typeMeta(),
    spec: ResourceBindingSpecSchema.describe('Spec represents the desired behavior.'),
    status: ResourceBindingStatusSchema.describe('Status represents the most recently observed status of the ResourceBinding.').optional(),
  })
  .describe('ResourceBinding represents a binding of a kubernetes resource with a propagation policy.');
export type ResourceBinding = z.input<typeof ResourceBindingSchema>;

export const ClusterResourceBindingSchema = z
  .object({
    ...typeMeta(),
    spec: ResourceBindingSpecSchema.describe('Spec represents the desired behavior.'),
    status: ResourceBindingStatusSchema.describe('Status represents the most recently observed status of the ClusterResourceBinding.').optional(),
  })
  .describe('ClusterResourceBinding represents a binding of a kubernetes resource with a ClusterPropagationPolicy.');
export type ClusterResourceBinding = z.input<typeof ClusterResourceBindingSchema>;

const BINDING_COLUMNS = [
  { name: 'SCHEDULED', type: 'string' as const, jsonPath: '.status.conditions[?(@.type=="Scheduled")].status' },
  { name: 'FULLYAPPLIED', type: 'string' as const, jsonPath: '.status.conditions[?(@.type=="FullyApplied")].status' },
  AGE_COLUMN,
];

export const resourceBindingKind: KindDefinition = {
  group: GROUP,
  version: VERSION,
  kind: 'ResourceBinding',
  plural: 'resourcebindings',
  singular: 'resourcebinding',
  scope: 'Namespaced',
  shortNames: ['rb'],
  categories: ['karmada-io'],
  schema: ResourceBindingSchema,
  statusSubresource: true,
  printerColumns: BINDING_COLUMNS,
};

export const clusterResourceBindingKind: KindDefinition = {
  group: GROUP,
  version: VERSION,
  kind: 'ClusterResourceBinding',
  plural: 'clusterresourcebindings',
  singular: 'clusterresourcebinding',
  scope: 'Cluster',
  shortNames: ['crb'],
  categories: ['karmada-io'],
  schema: ClusterResourceBindingSchema,
  statusSubresource: true,
  printerColumns: BINDING_COLUMNS,
};
