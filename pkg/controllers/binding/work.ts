// The Work for one cluster (ctrlutil.CreateOrUpdateWork): finalizes the rendered manifest the way
// Karmada's Work webhook would (managed label, back-references, pruning, recorded managed keys, the
// Work's permanent id) and merges it into the stored Work. Returns nothing when the stored Work is
// already right, so that re-rendering an unchanged binding writes nothing.

import { randomUUID } from 'node:crypto';
import type { Work } from '../../apis/work/v1alpha1/index.js';
import { API_VERSION as WORK_API_VERSION } from '../../apis/work/v1alpha1/index.js';
import {
  CONFLICT_RESOLUTION_ANNOTATION,
  EXECUTION_CONTROLLER_FINALIZER,
  MANAGED_ANNOTATIONS_ANNOTATION,
  MANAGED_BY_KARMADA_LABEL,
  MANAGED_BY_KARMADA_LABEL_VALUE,
  MANAGED_LABELS_ANNOTATION,
  RESOURCE_TEMPLATE_UID_ANNOTATION,
  WORK_NAME_ANNOTATION,
  WORK_NAMESPACE_ANNOTATION,
  WORK_PERMANENT_ID_LABEL,
} from '../../apis/work/v1alpha2/index.js';
import type { KubeObject } from '../../runtime/types.js';
import { deepEqual } from '../../util/deepequal.js';
import { removeIrrelevantFields } from './prune.js';
import type { DesiredWork } from './render.js';

/** util.RecordManagedAnnotations: the sorted annotation keys, itself and managed-labels included. */
export function recordManagedAnnotations(obj: KubeObject): void {
  const md = (obj.metadata ??= {});
  const ann = { ...(md.annotations ?? {}) };
  const keys = new Set([MANAGED_ANNOTATIONS_ANNOTATION, MANAGED_LABELS_ANNOTATION, ...Object.keys(ann)]);
  ann[MANAGED_ANNOTATIONS_ANNOTATION] = [...keys].sort().join(',');
  md.annotations = ann;
}

/** util.RecordManagedLabels: the sorted label keys. */
export function recordManagedLabels(obj: KubeObject): void {
  const md = (obj.metadata ??= {});
  md.annotations = { ...(md.annotations ?? {}), [MANAGED_LABELS_ANNOTATION]: Object.keys(md.labels ?? {}).sort().join(',') };
}

/**
 * The manifest as stored in the Work: what CreateOrUpdateWork and the Work webhook add, pruned of
 * the fields members must not receive. workID is the Work's work.karmada.io/permanent-id.
 */
export function finalizeManifest(desired: DesiredWork, workID: string): KubeObject {
  const obj = structuredClone(desired.manifest);
  const md = (obj.metadata ??= {});
  md.labels = { ...(md.labels ?? {}), [MANAGED_BY_KARMADA_LABEL]: MANAGED_BY_KARMADA_LABEL_VALUE };
  const ann: Record<string, string> = { ...(md.annotations ?? {}) };
  ann[RESOURCE_TEMPLATE_UID_ANNOTATION] = md.uid ?? '';
  ann[WORK_NAME_ANNOTATION] = desired.name;
  ann[WORK_NAMESPACE_ANNOTATION] = desired.namespace;
  const conflict = desired.annotations[CONFLICT_RESOLUTION_ANNOTATION];
  if (conflict !== undefined) ann[CONFLICT_RESOLUTION_ANNOTATION] = conflict;
  md.annotations = ann;
  removeIrrelevantFields(obj, { removeJobTTLSeconds: true });
  recordManagedAnnotations(obj);
  if (workID) obj.metadata!.labels = { ...(obj.metadata!.labels ?? {}), [WORK_PERMANENT_ID_LABEL]: workID };
  recordManagedLabels(obj);
  return obj;
}

export interface WorkChange {
  op: 'create' | 'update';
  work: Work;
}

/**
 * The write that makes the stored Work match the desired one: a create, an update (labels and
 * annotations merged into the stored ones, finalizers and spec replaced), or undefined when nothing
 * differs. A stored Work being deleted is not touched (its deletion finishes first).
 */
export function workChange(desired: DesiredWork, existing: Work | undefined, newID: () => string = randomUUID): WorkChange | undefined {
  if (existing?.metadata?.deletionTimestamp) return undefined;
  const workID = existing?.metadata?.labels?.[WORK_PERMANENT_ID_LABEL] || newID();
  const labels = { ...(existing?.metadata?.labels ?? {}), ...desired.labels, [WORK_PERMANENT_ID_LABEL]: workID };
  const annotations = { ...(existing?.metadata?.annotations ?? {}), ...desired.annotations };
  const spec: Work['spec'] = {
    workload: { manifests: [finalizeManifest(desired, workID)] },
    suspendDispatching: desired.suspendDispatching,
    preserveResourcesOnDeletion: desired.preserveResourcesOnDeletion,
  };
  const finalizers = [EXECUTION_CONTROLLER_FINALIZER];
  if (!existing) {
    return {
      op: 'create',
      work: {
        apiVersion: WORK_API_VERSION,
        kind: 'Work',
        metadata: { name: desired.name, namespace: desired.namespace, labels, annotations, finalizers },
        spec,
      },
    };
  }
  const md = existing.metadata ?? {};
  if (deepEqual(md.labels ?? {}, labels) && deepEqual(md.annotations ?? {}, annotations) && deepEqual(md.finalizers ?? [], finalizers) && deepEqual(existing.spec, spec)) {
    return undefined;
  }
  return { op: 'update', work: { ...existing, metadata: { ...md, labels, annotations, finalizers }, spec } };
}
