// Shared building blocks of every Karmada kind: the zod forms of metav1 pieces (ObjectMeta, LabelSelector,
// Condition, Time) and the scalar helpers whose JSON Schema the CRD generator turns into Kubernetes'
// structural-schema idioms (int32/int64 formats, date-time, int-or-string, preserve-unknown-fields).
//
// Conventions every schema in pkg/apis follows:
// - `.describe()` gives the field's description (kubectl explain shows it);
// - `.default()` gives a CRD default (applied by the API server when the field is absent);
// - exported TS types are `z.input<>` shapes: every field that may be absent on the wire is optional.

import { z } from 'zod';
import type { ObjectMeta } from '../../../apiserver/registry/types.js';

/** Markers read by pkg/apis/jsonschema.ts; they never reach a generated CRD under these names. */
export const OBJECT_META_MARKER = 'x-karmada-object-meta';

/** Go int32. */
export const int32 = () => z.int32().meta({ format: 'int32' });
/** Go int64. */
export const int64 = () => z.int().meta({ format: 'int64' });
/** Go int (no format in generated CRDs). */
export const int = () => z.int();
/** metav1.Time: an RFC 3339 timestamp string. */
export const time = () => z.string().meta({ format: 'date-time' });

/** resource.Quantity, e.g. "100m", "2Gi", 3. */
export const QUANTITY_PATTERN = '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';
/** Any integral JSON number (beyond 2^53 too: JSON cannot say 9223372036854775807 exactly, Go can). */
const integral = () => z.number().refine((n) => Number.isInteger(n), 'must be an integer');
export const QuantitySchema = z
  .union([integral(), z.string().regex(new RegExp(QUANTITY_PATTERN), 'must be a quantity such as 100m, 2, 1.5Gi')])
  .meta({ 'x-kubernetes-int-or-string': true });
export type Quantity = z.input<typeof QuantitySchema>;

/** intstr.IntOrString, e.g. 8080 or "http", 1 or "25%". */
export const IntOrStringSchema = z.union([integral(), z.string()]).meta({ 'x-kubernetes-int-or-string': true });
export type IntOrString = z.input<typeof IntOrStringSchema>;

/** apiextensionsv1.JSON: any JSON value. */
export const jsonValue = () => z.unknown().meta({ 'x-kubernetes-preserve-unknown-fields': true });

/** runtime.RawExtension holding an object (kept as-is, unknown fields preserved). */
export const rawObject = () => z.record(z.string(), z.unknown()).meta({ 'x-kubernetes-preserve-unknown-fields': true });

/** map[string]string. */
export const stringMap = () => z.record(z.string(), z.string());

const OwnerReferenceSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  uid: z.string(),
  controller: z.boolean().optional(),
  blockOwnerDeletion: z.boolean().optional(),
});

/**
 * metav1.ObjectMeta. The API server owns its rules (pkg/apiserver/validation/objectmeta.ts); here it is a
 * passthrough with the common fields typed, and it becomes `metadata: {type: object}` in CRDs.
 */
export const ObjectMetaSchema = z
  .looseObject({
    name: z.string().optional(),
    generateName: z.string().optional(),
    namespace: z.string().optional(),
    uid: z.string().optional(),
    resourceVersion: z.string().optional(),
    generation: z.int().optional(),
    creationTimestamp: z.string().optional(),
    deletionTimestamp: z.string().optional(),
    deletionGracePeriodSeconds: z.int().optional(),
    labels: stringMap().optional(),
    annotations: stringMap().optional(),
    finalizers: z.array(z.string()).optional(),
    ownerReferences: z.array(OwnerReferenceSchema).optional(),
    managedFields: z.array(z.looseObject({})).optional(),
  })
  .meta({ [OBJECT_META_MARKER]: true }) as unknown as z.ZodType<ObjectMeta, ObjectMeta>;

/** TypeMeta + ObjectMeta of a top-level kind. */
export function typeMeta() {
  return {
    apiVersion: z
      .string()
      .describe(
        'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.',
      )
      .optional(),
    kind: z
      .string()
      .describe('Kind is a string value representing the REST resource this object represents. In CamelCase.')
      .optional(),
    metadata: ObjectMetaSchema.optional(),
  };
}

export const LabelSelectorRequirementSchema = z.object({
  key: z.string().describe('key is the label key that the selector applies to.'),
  operator: z.string().describe("operator represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists and DoesNotExist."),
  values: z
    .array(z.string())
    .describe('values is an array of string values. If the operator is In or NotIn, the values array must be non-empty. If the operator is Exists or DoesNotExist, the values array must be empty.')
    .optional(),
});
export type LabelSelectorRequirement = z.input<typeof LabelSelectorRequirementSchema>;

/** metav1.LabelSelector. */
export const LabelSelectorSchema = z
  .object({
    matchExpressions: z
      .array(LabelSelectorRequirementSchema)
      .describe('matchExpressions is a list of label selector requirements. The requirements are ANDed.')
      .optional(),
    matchLabels: stringMap()
      .describe('matchLabels is a map of {key,value} pairs. A single {key,value} in the matchLabels map is equivalent to an element of matchExpressions whose key field is "key", the operator is "In", and the values array contains only "value". The requirements are ANDed.')
      .optional(),
  })
  .meta({ 'x-kubernetes-map-type': 'atomic' });
export type LabelSelector = z.input<typeof LabelSelectorSchema>;

/** metav1.Condition, with the validation kube's CRDs carry for it. */
export const ConditionSchema = z.object({
  type: z
    .string()
    .max(316)
    .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/)
    .describe('type of condition in CamelCase or in foo.example.com/CamelCase.'),
  status: z.enum(['True', 'False', 'Unknown']).describe('status of the condition, one of True, False, Unknown.'),
  observedGeneration: int64()
    .min(0)
    .describe('observedGeneration represents the .metadata.generation that the condition was set based upon.')
    .optional(),
  lastTransitionTime: time().describe('lastTransitionTime is the last time the condition transitioned from one status to another.'),
  reason: z
    .string()
    .min(1)
    .max(1024)
    .regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/)
    .describe("reason contains a programmatic identifier indicating the reason for the condition's last transition, in CamelCase."),
  message: z.string().max(32768).describe('message is a human readable message indicating details about the transition. This may be an empty string.'),
});
export type Condition = z.input<typeof ConditionSchema>;

/** Finds a condition by type. */
export function findCondition<C extends { type: string }>(conditions: readonly C[] | undefined, type: string): C | undefined {
  return conditions?.find((c) => c.type === type);
}

/** True when the condition of that type exists with status True. */
export function isConditionTrue(conditions: readonly { type: string; status: string }[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

/** metav1.Time "now", second precision, as the API server serializes it. */
export function nowTime(d: Date = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
