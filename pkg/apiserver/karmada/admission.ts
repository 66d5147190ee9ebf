// What karmada-webhook (and karmada-aggregated-apiserver's Cluster strategy) do on writes to Karmada
// kinds, as one admission plugin: mutation (policy defaults, permanent-id labels, finalizers, Cluster
// defaults) and validation (shape against the kind's schema, then Karmada's semantic rules). Rejections
// are 422 Invalid with one cause per field, each saying what to change.

import { invalid } from '../errors.js';
import type { FieldCause, KubeObject } from '../registry/types.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../admission/types.js';
import type { KindDefinition } from '../../apis/kind.js';
import { KARMADA_KINDS } from '../../apis/crd.js';
import { validateKindShape } from '../../apis/validate.js';
import { defaultCluster, validateCluster, type Cluster } from '../../apis/cluster/v1alpha1/index.js';
import {
  defaultClusterPropagationPolicy,
  defaultOverridePolicy,
  defaultPropagationPolicy,
  validateClusterOverrideSpec,
  validateClusterPropagationPolicy,
  validateClusterTaintPolicyConflicts,
  validateClusterTaintPolicySpec,
  validateFederatedResourceQuotaSpec,
  validateOverrideSpec,
  validatePropagationPolicy,
  type ClusterPropagationPolicy,
  type ClusterTaintPolicy,
  type FederatedResourceQuota,
  type OverridePolicy,
  type PropagationPolicy,
} from '../../apis/policy/v1alpha1/index.js';
import {
  CLUSTER_RESOURCE_BINDING_PERMANENT_ID_LABEL,
  RESOURCE_BINDING_PERMANENT_ID_LABEL,
  WORK_PERMANENT_ID_LABEL,
} from '../../apis/work/v1alpha2/wellknown.js';
import { validateWorkloadRebalancer, type WorkloadRebalancer } from '../../apis/apps/v1alpha1/index.js';
import { validateResourceInterpreterCustomization, type ResourceInterpreterCustomization } from '../../apis/config/v1alpha1/index.js';
import { randomUUID } from 'node:crypto';

export interface KarmadaAdmissionOptions {
  /** UUID source for permanent-id labels (tests pass a fixed one). */
  newUID?: () => string;
  /** Timestamp source for taint timeAdded. */
  now?: () => string;
  /** CustomizedClusterResourceModeling feature gate (default true): default resource models on Cluster create. */
  resourceModeling?: boolean;
}

const KINDS = new Map<string, KindDefinition>(KARMADA_KINDS.map((k) => [`${k.group}/${k.kind}`, k]));

function kindOf(a: AdmissionAttributes): KindDefinition | undefined {
  return KINDS.get(`${a.descriptor.group}/${a.descriptor.kind}`);
}

function ensureLabel(obj: KubeObject, key: string, value: () => string): void {
  const meta = (obj.metadata ??= {});
  if (!meta.labels?.[key]) meta.labels = { ...(meta.labels ?? {}), [key]: value() };
}

/** The Karmada webhook rules for every Karmada kind; other kinds pass through untouched. */
export function karmadaAdmission(opts: KarmadaAdmissionOptions = {}): AdmissionPlugin {
  const newUID = opts.newUID ?? randomUUID;
  return {
    name: 'KarmadaWebhook',

    admit(a: AdmissionAttributes) {
      const k = kindOf(a);
      const obj = a.object;
      if (!k || !obj || a.operation === 'DELETE' || a.subresource) return;
      const operation = a.operation;
      switch (k.kind) {
        case 'PropagationPolicy':
          defaultPropagationPolicy(obj as PropagationPolicy, { operation, namespace: a.namespace ?? obj.metadata?.namespace, newUID });
          break;
        case 'ClusterPropagationPolicy':
          defaultClusterPropagationPolicy(obj as ClusterPropagationPolicy, { operation, newUID });
          break;
        case 'OverridePolicy':
          defaultOverridePolicy(obj as OverridePolicy, a.namespace ?? obj.metadata?.namespace);
          break;
        case 'ResourceBinding':
          ensureLabel(obj, RESOURCE_BINDING_PERMANENT_ID_LABEL, newUID);
          break;
        case 'ClusterResourceBinding':
          ensureLabel(obj, CLUSTER_RESOURCE_BINDING_PERMANENT_ID_LABEL, newUID);
          break;
        case 'Work':
          ensureLabel(obj, WORK_PERMANENT_ID_LABEL, newUID);
          break;
        case 'Cluster':
          defaultCluster(obj as Cluster, { operation, resourceModeling: opts.resourceModeling, now: opts.now?.() });
          break;
      }
    },

    async validate(a: AdmissionAttributes) {
      const k = kindOf(a);
      const obj = a.object;
      if (!k || !obj || a.operation === 'DELETE') return;
      const name = obj.metadata?.name ?? a.name;
      let causes: FieldCause[] = validateKindShape(k, obj);
      if (!causes.length && !a.subresource) causes = await semantic(k, a, obj, a.oldObject);
      if (causes.length) throw invalid(k.group, k.kind, name, causes);
    },
  };
}

async function semantic(k: KindDefinition, a: AdmissionAttributes, obj: KubeObject, old: KubeObject | undefined): Promise<FieldCause[]> {
  const isUpdate = a.operation === 'UPDATE';
  switch (k.kind) {
    case 'PropagationPolicy':
      return validatePropagationPolicy(obj as PropagationPolicy, isUpdate ? (old as PropagationPolicy) : undefined);
    case 'ClusterPropagationPolicy':
      return validateClusterPropagationPolicy(obj as ClusterPropagationPolicy, isUpdate ? (old as ClusterPropagationPolicy) : undefined);
    case 'OverridePolicy':
      return validateOverrideSpec((obj as OverridePolicy).spec);
    case 'ClusterOverridePolicy':
      return validateClusterOverrideSpec((obj as OverridePolicy).spec);
    case 'FederatedResourceQuota':
      return validateFederatedResourceQuotaSpec((obj as FederatedResourceQuota).spec);
    case 'ClusterTaintPolicy': {
      const spec = validateClusterTaintPolicySpec((obj as ClusterTaintPolicy).spec);
      if (spec.length) return spec;
      const { items } = await a.store.list(a.descriptor, undefined);
      return validateClusterTaintPolicyConflicts(obj as ClusterTaintPolicy, items as ClusterTaintPolicy[]);
    }
    case 'WorkloadRebalancer':
      return validateWorkloadRebalancer(obj as WorkloadRebalancer, isUpdate ? (old as WorkloadRebalancer) : undefined);
    case 'ResourceInterpreterCustomization': {
      const { items } = await a.store.list(a.descriptor, undefined);
      return validateResourceInterpreterCustomization(obj as ResourceInterpreterCustomization, items as ResourceInterpreterCustomization[]);
    }
    case 'Cluster':
      return validateCluster(obj as Cluster);
    default:
      return [];
  }
}
