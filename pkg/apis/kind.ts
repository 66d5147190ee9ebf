// What pkg/apis knows about each Karmada kind besides its schema: names, scope, subresources and table
// columns. hack/gen-crds.ts turns these into CRDs; pkg/apiserver/karmada/kinds.ts into native descriptors.

import type { z } from 'zod';
import type { PrinterColumn } from '../apiserver/registry/types.js';

export interface KindDefinition {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  scope: 'Namespaced' | 'Cluster';
  shortNames?: string[];
  categories?: string[];
  /** Root schema of the kind (apiVersion, kind, metadata, spec, status). */
  schema: z.ZodType;
  statusSubresource: boolean;
  printerColumns?: PrinterColumn[];
  /** Served natively by karmada-apiserver (Cluster); every other kind is a CRD in crds/. */
  native?: boolean;
}

export const AGE_COLUMN: PrinterColumn = { name: 'AGE', type: 'date', jsonPath: '.metadata.creationTimestamp' };

export function apiVersionOfKind(k: Pick<KindDefinition, 'group' | 'version'>): string {
  return `${k.group}/${k.version}`;
}
