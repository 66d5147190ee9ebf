// A resource is a descriptor plus a small strategy, never a handler of its own (the Kubernetes generic
// registry idea): built-in kinds, Karmada kinds and CRD kinds differ only in the data below.

import type { JSONSchemaProps } from '../schema/types.js';

export type KubeObject = {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
};

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: ManagedFieldsEntry[];
  [field: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: 'Apply' | 'Update';
  apiVersion?: string;
  time?: string;
  fieldsType?: 'FieldsV1';
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

/** A field-level validation failure, reported as a StatusCause. */
export interface FieldCause {
  /** FieldValueInvalid, FieldValueRequired, FieldValueNotSupported, FieldValueDuplicate, FieldValueTooLong, FieldValueForbidden, FieldValueTypeInvalid */
  reason: string;
  message: string;
  /** Dotted path as Kubernetes prints it, e.g. spec.replicas or spec.template.spec.containers[0].image */
  field: string;
}

/** additionalPrinterColumns as in a CRD version. */
export interface PrinterColumn {
  name: string;
  type: 'integer' | 'number' | 'string' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  format?: string;
  priority?: number;
}

export interface ScaleSubresource {
  specReplicasPath: string; // e.g. .spec.replicas
  statusReplicasPath: string; // e.g. .status.replicas
  labelSelectorPath?: string; // e.g. .status.selector
}

export interface ResourceDescriptor {
  group: string; // '' for core
  version: string;
  resource: string; // plural, lower case
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Verbs advertised in discovery. */
  verbs: string[];
  subresources: {
    status?: boolean;
    scale?: ScaleSubresource;
  };
  /** Root schema of the kind (object with apiVersion/kind/metadata/spec/status). */
  schema?: JSONSchemaProps;
  /** Built-in kinds accept strategic merge patch; custom resources get 415 as in Kubernetes. */
  strategicMergePatch: boolean;
  /** Columns for `kubectl get`; when absent the table has NAME and AGE (plus what printer functions add). */
  printerColumns?: PrinterColumn[];
  /** Set for kinds served from a CustomResourceDefinition. */
  crd?: { name: string; uid: string; preserveUnknownFields: boolean };
  /** Strategy hooks: validation beyond the schema (returns causes; empty = valid). */
  validate?: (obj: KubeObject, old?: KubeObject) => FieldCause[];
  /** Defaulting run on create and update before validation. */
  default?: (obj: KubeObject) => void;
}

export function apiVersionOf(d: Pick<ResourceDescriptor, 'group' | 'version'>): string {
  return d.group ? `${d.group}/${d.version}` : d.version;
}
