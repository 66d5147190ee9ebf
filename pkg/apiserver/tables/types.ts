// meta.k8s.io Table wire types, as kube-apiserver serves them for `Accept: application/json;as=Table;g=meta.k8s.io;v=v1`.

import type { KubeObject, ObjectMeta } from '../registry/types.js';

export type TableAPIVersion = 'meta.k8s.io/v1' | 'meta.k8s.io/v1beta1';

/** metav1.TableColumnDefinition: every field is always serialized (no omitempty in Go). */
export interface TableColumnDefinition {
  name: string;
  /** OpenAPI type: string, integer, number, boolean, date */
  type: string;
  /** OpenAPI format; 'name' marks the column holding the object name. */
  format: string;
  description: string;
  /** 0 = always shown; >0 only with `kubectl get -o wide`. */
  priority: number;
}

export interface TableRowCondition {
  type: string; // 'Completed'
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

export interface PartialObjectMetadata {
  apiVersion: TableAPIVersion;
  kind: 'PartialObjectMetadata';
  metadata: ObjectMeta;
}

/** A cell is a JSON scalar; null prints as <none> in kubectl. */
export type TableCell = string | number | boolean | null;

export interface TableRow {
  cells: TableCell[];
  conditions?: TableRowCondition[];
  /** PartialObjectMetadata (includeObject=Metadata), the full object (Object), absent (None). */
  object?: KubeObject | PartialObjectMetadata;
}

export interface TableListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface Table {
  kind: 'Table';
  apiVersion: TableAPIVersion;
  metadata: TableListMeta;
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

export type IncludeObjectPolicy = 'None' | 'Metadata' | 'Object';

export interface ToTableOptions {
  /** metav1.TableOptions.includeObject; kubectl sends nothing, which means Metadata. */
  includeObject: IncludeObjectPolicy;
  /** Request time: ages are computed server-side from creationTimestamp and this instant. */
  now: Date;
  /** Present when converting a list (resourceVersion/continue/remainingItemCount of the list). */
  listMeta?: TableListMeta;
  /** metav1.TableOptions.noHeaders: omit columnDefinitions (watch events after the first). */
  noHeaders?: boolean;
  /** Group/version the client negotiated (g=meta.k8s.io;v=v1|v1beta1); default meta.k8s.io/v1. */
  apiVersion?: TableAPIVersion;
}
