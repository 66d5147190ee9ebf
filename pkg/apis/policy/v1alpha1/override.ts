// policy.karmada.io/v1alpha1 OverridePolicy and ClusterOverridePolicy (override_types.go): per-cluster
// rewrites of propagated resources. Overriders apply in the order Image, Command, Args, Labels,
// Annotations, Field, Plaintext.

import { z } from 'zod';
import { jsonValue, stringMap, typeMeta } from '../../meta/v1/types.js';
import type { KindDefinition } from '../../kind.js';
import { ClusterAffinitySchema, GROUP, ResourceSelectorSchema, VERSION } from './propagation.js';

export const OVERRIDER_OPERATORS = ['add', 'remove', 'replace'] as const;
export type OverriderOperator = (typeof OVERRIDER_OPERATORS)[number];
export const IMAGE_COMPONENTS = ['Registry', 'Repository', 'Tag'] as const;
export type ImageComponent = (typeof IMAGE_COMPONENTS)[number];

export const PlaintextOverriderSchema = z.object({
  path: z.string().describe('Path indicates the path of target field, a JSON pointer (RFC 6901) such as /spec/replicas.'),
  operator: z.enum(OVERRIDER_OPERATORS).describe('Operator indicates the operation on target field. Available operators are: add, replace and remove.'),
  value: jsonValue().describe('Value to be applied to target field. Must be empty when operator is Remove.').optional(),
});
export type PlaintextOverrider = z.input<typeof PlaintextOverriderSchema>;

export const ImageOverriderSchema = z.object({
  predicate: z
    .object({ path: z.string().describe('Path indicates the path of target field, e.g. /spec/template/spec/containers/0/image.') })
    .describe(
      'Predicate filters images before applying the rule. Defaults to nil, in that case, the system will automatically detect image fields if the resource type is Pod, ReplicaSet, Deployment, StatefulSet, DaemonSet or Job.',
    )
    .optional(),
  component: z
    .enum(IMAGE_COMPONENTS)
    .describe('Component is part of image name. Basically we presume an image can be made of \'[registry/]repository[:tag]\'. Registry, Repository or Tag.'),
  operator: z.enum(OVERRIDER_OPERATORS).describe('Operator represents the operator which will apply on the image: add, remove or replace.'),
  value: z.string().describe('Value to be applied to image. Must not be empty when operator is add or replace. Defaults to empty and ignored when operator is remove.').optional(),
});
export type ImageOverrider = z.input<typeof ImageOverriderSchema>;

export const COMMAND_ARGS_OPERATORS = ['add', 'remove'] as const;

export const CommandArgsOverriderSchema = z.object({
  containerName: z.string().describe('The name of container.'),
  operator: z.enum(COMMAND_ARGS_OPERATORS).describe('Operator represents the operator which will apply on the command/args: add or remove.'),
  value: z.array(z.string()).describe('Value to be applied to command/args. Items will be appended when operator is add; items will be removed when operator is remove.').optional(),
});
export type CommandArgsOverrider = z.input<typeof CommandArgsOverriderSchema>;

export const LabelAnnotationOverriderSchema = z.object({
  operator: z.enum(OVERRIDER_OPERATORS).describe('Operator represents the operator which will apply on labels/annotations: add, remove or replace.'),
  value: stringMap().describe('Value to be applied to the labels/annotations of the resource.').optional(),
});
export type LabelAnnotationOverrider = z.input<typeof LabelAnnotationOverriderSchema>;

export const JSONPatchOperationSchema = z.object({
  subPath: z.string().describe('SubPath specifies the relative location within the initial field path, a JSON pointer (RFC 6901).'),
  operator: z.enum(OVERRIDER_OPERATORS).describe('Operator indicates the operation on target field: add, remove or replace.'),
  value: jsonValue().describe('Value is the new value to set for the specified field if the operation is add or replace.').optional(),
});
export type JSONPatchOperation = z.input<typeof JSONPatchOperationSchema>;

export const FieldOverriderSchema = z.object({
  fieldPath: z.string().describe('FieldPath specifies the initial location in the resource of a field holding JSON or YAML text, e.g. /data/config.yaml (RFC 6901).'),
  json: z.array(JSONPatchOperationSchema).describe('JSON represents the operations performed on the JSON document specified by the fieldPath.').optional(),
  yaml: z.array(JSONPatchOperationSchema).describe('YAML represents the operations performed on the YAML document specified by the fieldPath.').optional(),
});
export type FieldOverrider = z.input<typeof FieldOverriderSchema>;

export const OverridersSchema = z.object({
  plaintext: z.array(PlaintextOverriderSchema).describe('Plaintext represents override rules defined with plaintext JSON-patch style overriders.').optional(),
  imageOverrider: z.array(ImageOverriderSchema).describe('ImageOverrider represents the rules dedicated to handling image overrides.').optional(),
  commandOverrider: z.array(CommandArgsOverriderSchema).describe('CommandOverrider represents the rules dedicated to handling container command.').optional(),
  argsOverrider: z.array(CommandArgsOverriderSchema).describe('ArgsOverrider represents the rules dedicated to handling container args.').optional(),
  labelsOverrider: z.array(LabelAnnotationOverriderSchema).describe('LabelsOverrider represents the rules dedicated to handling workload labels.').optional(),
  annotationsOverrider: z.array(LabelAnnotationOverriderSchema).describe('AnnotationsOverrider represents the rules dedicated to handling workload annotations.').optional(),
  fieldOverrider: z
    .array(FieldOverriderSchema)
    .describe('FieldOverrider represents the rules dedicated to modifying a specific field holding JSON or YAML text (e.g. a ConfigMap key).')
    .optional(),
});
export type Overriders = z.input<typeof OverridersSchema>;

export const RuleWithClusterSchema = z.object({
  targetCluster: ClusterAffinitySchema.describe('TargetCluster defines restrictions on this override policy that only applies to resources propagated to the matching clusters. nil means matching all clusters.').optional(),
  overriders: OverridersSchema.describe('Overriders represents the override rules that would apply on resources.'),
});
export type RuleWithCluster = z.input<typeof RuleWithClusterSchema>;

export const OverrideSpecSchema = z.object({
  resourceSelectors: z
    .array(ResourceSelectorSchema)
    .describe('ResourceSelectors restricts resource types that this override policy applies to. nil means matching all resources.')
    .optional(),
  overrideRules: z
    .array(RuleWithClusterSchema)
    .describe('OverrideRules defines a collection of override rules on target clusters.')
    .optional(),
  targetCluster: ClusterAffinitySchema.describe('TargetCluster defines restrictions on this override policy that only applies to resources propagated to the matching clusters. Deprecated: use overrideRules.').optional(),
  overriders: OverridersSchema.describe('Overriders represents the override rules that would apply on resources. Deprecated: use overrideRules.').optional(),
});
export type OverrideSpec = z.input<typeof OverrideSpecSchema>;

export const OverridePolicySchema = z
  .object({ ...typeMeta(), spec: OverrideSpecSchema.describe('Spec represents the desired behavior of OverridePolicy.') })
  .describe('OverridePolicy represents the policy that overrides a group of resources to one or more clusters.');
export type OverridePolicy = z.input<typeof OverridePolicySchema>;

export const ClusterOverridePolicySchema = z
  .object({ ...typeMeta(), spec: OverrideSpecSchema.describe('Spec represents the desired behavior of ClusterOverridePolicy.') })
  .describe('ClusterOverridePolicy represents the cluster-wide policy that overrides a group of resources to one or more clusters.');
export type ClusterOverridePolicy = z.input<typeof ClusterOverridePolicySchema>;

export const overridePolicyKind: KindDefinition = {
  group: GROUP,
  version: VERSION,
  kind: 'OverridePolicy',
  plural: 'overridepolicies',
  singular: 'overridepolicy',
  scope: 'Namespaced',
  shortNames: ['op'],
  categories: ['karmada-io'],
  schema: OverridePolicySchema,
  statusSubresource: false,
};

export const clusterOverridePolicyKind: KindDefinition = {
  group: GROUP,
  version: VERSION,
  kind: 'ClusterOverridePolicy',
  plural: 'clusteroverridepolicies',
  singular: 'clusteroverridepolicy',
  scope: 'Cluster',
  shortNames: ['cop'],
  categories: ['karmada-io'],
  schema: ClusterOverridePolicySchema,
  statusSubresource: false,
};
