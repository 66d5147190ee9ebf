// config.karmada.io/v1alpha1 ResourceInterpreterCustomization (resourceinterpretercustomization_types.go):
// Lua scripts teaching Karmada how to read replicas, revise them, retain member-side fields, reflect and
// aggregate status, judge health and find dependencies of a kind.

import { z } from 'zod';
import { typeMeta } from '../../meta/v1/types.js';
import { AGE_COLUMN, type KindDefinition } from '../../kind.js';

export const GROUP = 'config.karmada.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

function luaRule(description: string) {
  return z
    .object({
      luaScript: z.string().describe(`LuaScript holds the Lua script: ${description} The content needs to be a whole function including both declaration and implementation.`),
    })
    .describe(description);
}

export const CUSTOMIZATION_OPERATIONS = {
  retention: 'Retain',
  replicaResource: 'InterpretReplica',
  componentResource: 'InterpretComponent',
  replicaRevision: 'ReviseReplica',
  statusReflection: 'InterpretStatus',
  statusAggregation: 'AggregateStatus',
  healthInterpretation: 'InterpretHealth',
  dependencyInterpretation: 'InterpretDependency',
} as const;
export type CustomizationRuleName = keyof typeof CUSTOMIZATION_OPERATIONS;

export const CustomizationRulesSchema = z.object({
  retention: luaRule(
    'Retention describes the desired behavior that Karmada should react on the changes made by member cluster components, e.g. keep replicas changed by an HPA. function Retain(desiredObj, observedObj) returns the retained desiredObj.',
  ).optional(),
  replicaResource: luaRule(
    "ReplicaResource describes the rules for Karmada to discover the resource's replica as well as resource requirements. function GetReplicas(desiredObj) returns replica, requirement.",
  ).optional(),
  componentResource: luaRule(
    'ComponentResource describes the rules for Karmada to discover the components (pod templates) of a multi-template workload. function GetComponents(desiredObj) returns the components.',
  ).optional(),
  replicaRevision: luaRule("ReplicaRevision describes the rules for Karmada to revise the resource's replica. function ReviseReplica(desiredObj, desiredReplica) returns desiredObj.").optional(),
  statusReflection: luaRule("StatusReflection describes the rules for Karmada to pick the resource's status. function ReflectStatus(observedObj) returns the status.").optional(),
  statusAggregation: luaRule(
    'StatusAggregation describes the rules for Karmada to aggregate status collected from member clusters to the resource template. function AggregateStatus(desiredObj, statusItems) returns desiredObj.',
  ).optional(),
  healthInterpretation: luaRule('HealthInterpretation describes the health assessment rules. function InterpretHealth(observedObj) returns a boolean.').optional(),
  dependencyInterpretation: luaRule(
    'DependencyInterpretation describes the rules for Karmada to analyze the dependent resources. function GetDependencies(desiredObj) returns a list of {apiVersion, kind, namespace, name}.',
  ).optional(),
});
export type CustomizationRules = z.input<typeof CustomizationRulesSchema>;

export const CustomizationTargetSchema = z.object({
  apiVersion: z.string().describe('APIVersion represents the API version of the target resource.'),
  kind: z.string().describe('Kind represents the Kind of target resources.'),
});
export type CustomizationTarget = z.input<typeof CustomizationTargetSchema>;

export const ResourceInterpreterCustomizationSpecSchema = z.object({
  target: CustomizationTargetSchema.describe('CustomizationTarget represents the resource type that the customization applies to.'),
  customizations: CustomizationRulesSchema.describe('Customizations describe the interpretation rules.'),
});
export type ResourceInterpreterCustomizationSpec = z.input<typeof ResourceInterpreterCustomizationSpecSchema>;

export const ResourceInterpreterCustomizationSchema = z
  .object({
    ...typeMeta(),
    spec: ResourceInterpreterCustomizationSpecSchema.describe('Spec describes the configuration in detail.'),
  })
  .describe(
    'ResourceInterpreterCustomization describes the configuration of a specific resource for Karmada to get the structure. It has higher precedence than the default interpreter and the interpreter webhook.',
  );
export type ResourceInterpreterCustomization = z.input<typeof ResourceInterpreterCustomizationSchema>;

export const resourceInterpreterCustomizationKind: KindDefinition = {
  group: GROUP,
  version: VERSION,
  kind: 'ResourceInterpreterCustomization',
  plural: 'resourceinterpretercustomizations',
  singular: 'resourceinterpretercustomization',
  scope: 'Cluster',
  shortNames: ['ric'],
  categories: ['karmada-io'],
  schema: ResourceInterpreterCustomizationSchema,
  statusSubresource: false,
  printerColumns: [
    { name: 'TARGET-API-VERSION', type: 'string', jsonPath: '.spec.target.apiVersion' },
    { name: 'TARGET-KIND', type: 'string', jsonPath: '.spec.target.kind' },
    AGE_COLUMN,
  ],
};
