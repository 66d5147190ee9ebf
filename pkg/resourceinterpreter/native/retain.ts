// Retention: the member cluster owns some fields of the objects Karmada applies (a Service's
// clusterIP, a Pod's nodeName, labels its controllers add, ...). Before an update the desired object
// takes those values from the observed one, so Karmada never fights the member
// (objectwatcher.retainClusterFields + default/native/retain.go + lifted kubefed retain rules).

import { RETAIN_REPLICAS_LABEL } from '../../apis/policy/v1alpha1/wellknown.js';
import { MANAGED_ANNOTATIONS_ANNOTATION, MANAGED_LABELS_ANNOTATION } from '../../apis/work/v1alpha2/index.js';
import type { KubeObject } from '../../runtime/types.js';
import { asObj, clone, isObj, nested, objects, setNested, str, type Obj } from './util.js';

export type RetainInterpreter = (desired: KubeObject, observed: KubeObject) => KubeObject;

/** Keys Karmada applied before (recorded in the observed object's managed-* annotation) that desired no longer has. */
function deletedKeys(recorded: string | undefined, desired: Record<string, string> | undefined): Set<string> {
  const keys = new Set((recorded ?? '').split(',').filter(Boolean));
  for (const k of Object.keys(desired ?? {})) keys.delete(k);
  return keys;
}

/** util.RetainLabels / RetainAnnotations: add the member's keys that desired lacks, except ones Karmada removed. */
function retainMap(desired: Record<string, string> | undefined, observed: Record<string, string> | undefined, deleted: Set<string>): Record<string, string> | undefined {
  const out = { ...(desired ?? {}) };
  for (const [k, v] of Object.entries(observed ?? {})) {
    if (deleted.has(k) || k in out) continue;
    out[k] = v;
  }
  return Object.keys(out).length ? out : desired;
}

/**
 * The retention every object gets (objectwatcher.retainClusterFields): resourceVersion for the update,
 * finalizers and ownerReferences set in the member, labels and annotations added in the member and not
 * managed by Karmada, and the member's status.
 */
export function retainClusterFields(desired: KubeObject, observed: KubeObject): KubeObject {
  const out = clone(desired);
  const meta = { ...(out.metadata ?? {}) };
  const om = observed.metadata ?? {};
  if (om.resourceVersion !== undefined) meta.resourceVersion = om.resourceVersion;
  else delete meta.resourceVersion;
  if (om.finalizers?.length) meta.finalizers = clone(om.finalizers);
  else delete meta.finalizers;
  if (om.ownerReferences?.length) meta.ownerReferences = clone(om.ownerReferences);
  else delete meta.ownerReferences;
  const labels = retainMap(meta.labels, om.labels, deletedKeys(om.annotations?.[MANAGED_LABELS_ANNOTATION], meta.labels));
  if (labels) meta.labels = labels;
  const annotations = retainMap(meta.annotations, om.annotations, deletedKeys(om.annotations?.[MANAGED_ANNOTATIONS_ANNOTATION], meta.annotations));
  if (annotations) meta.annotations = annotations;
  out.metadata = meta;
  if (observed['status'] !== undefined) out['status'] = clone(observed['status']);
  return out;
}

/** Deployment/StatefulSet/ReplicaSet scaled by an HPA in the member: keep the member's spec.replicas. */
function retainWorkloadReplicas(desired: KubeObject, observed: KubeObject): KubeObject {
  const out = clone(desired);
  if (desired.metadata?.labels?.[RETAIN_REPLICAS_LABEL] !== 'true') return out;
  const replicas = nested(observed, 'spec', 'replicas');
  if (typeof replicas === 'number') setNested(out, ['spec', 'replicas'], replicas);
  return out;
}

/** Pod: the scheduler's nodeName, the admitted serviceAccountName and the (token) volumes the member adds. */
function retainPodFields(desired: KubeObject, observed: KubeObject): KubeObject {
  const out = clone(desired);
  const spec = asObj(out['spec']) ?? {};
  out['spec'] = spec;
  const ospec = asObj(observed['spec']) ?? {};
  for (const field of ['nodeName', 'serviceAccountName', 'volumes'] as const) {
    if (ospec[field] !== undefined) spec[field] = clone(ospec[field]);
  }
  for (const field of ['containers', 'initContainers'] as const) {
    const observedMounts = new Map(objects(ospec[field]).map((c) => [str(c['name']), c['volumeMounts']]));
    for (const c of objects(spec[field])) {
      const mounts = observedMounts.get(str(c['name']));
      if (mounts !== undefined) c['volumeMounts'] = clone(mounts);
      else if (observedMounts.has(str(c['name']))) delete c['volumeMounts'];
    }
  }
  return out;
}

const portKey = (p: Obj) => `${str(p['name'])}/${str(p['protocol']) || 'TCP'}/${String(p['port'])}`;

/** Service: clusterIP(s), healthCheckNodePort and node ports are allocated by the member. */
function retainServiceFields(desired: KubeObject, observed: KubeObject): KubeObject {
  const out = clone(desired);
  const spec = asObj(out['spec']) ?? {};
  out['spec'] = spec;
  const ospec = asObj(observed['spec']) ?? {};
  if (typeof ospec['healthCheckNodePort'] === 'number' && ospec['healthCheckNodePort'] > 0) spec['healthCheckNodePort'] = ospec['healthCheckNodePort'];
  if (str(ospec['clusterIP'])) spec['clusterIP'] = ospec['clusterIP'];
  if (Array.isArray(ospec['clusterIPs']) && ospec['clusterIPs'].length) spec['clusterIPs'] = clone(ospec['clusterIPs']);
  const observedPorts = new Map(objects(ospec['ports']).map((p) => [portKey(p), p]));
  for (const p of objects(spec['ports'])) {
    const op = observedPorts.get(portKey(p));
    if (op && op['nodePort'] !== undefined && !p['nodePort']) p['nodePort'] = op['nodePort'];
  }
  return out;
}

/** ServiceAccount: the token secrets the member's controller generated, unless desired lists its own. */
function retainServiceAccountFields(desired: KubeObject, observed: KubeObject): KubeObject {
  const out = clone(desired);
  const desiredSecrets = out['secrets'];
  if (Array.isArray(desiredSecrets) && desiredSecrets.length) return out;
  const secrets = observed['secrets'];
  if (Array.isArray(secrets) && secrets.length) out['secrets'] = clone(secrets);
  return out;
}

/** PVC: the bound volumeName is set by the member and immutable. */
function retainPersistentVolumeClaimFields(desired: KubeObject, observed: KubeObject): KubeObject {
  const out = clone(desired);
  const volumeName = str(nested(observed, 'spec', 'volumeName'));
  if (volumeName) setNested(out, ['spec', 'volumeName'], volumeName);
  return out;
}

/** PV: claimRef is written by the member's kube-controller-manager. */
function retainPersistentVolumeFields(desired: KubeObject, observed: KubeObject): KubeObject {
  const out = clone(desired);
  const claimRef = nested(observed, 'spec', 'claimRef');
  if (claimRef !== undefined) setNested(out, ['spec', 'claimRef'], clone(claimRef));
  return out;
}

/** Job: the member's job controller generates the selector and controller-uid template labels. */
function retainJobSelectorFields(desired: KubeObject, observed: KubeObject): KubeObject {
  const out = clone(desired);
  const matchLabels = nested(observed, 'spec', 'selector', 'matchLabels');
  if (isObj(matchLabels)) setNested(out, ['spec', 'selector', 'matchLabels'], clone(matchLabels));
  const templateLabels = nested(observed, 'spec', 'template', 'metadata', 'labels');
  if (isObj(templateLabels)) setNested(out, ['spec', 'template', 'metadata', 'labels'], clone(templateLabels));
  return out;
}

/** Secret: a service-account-token Secret's data is filled in by the member's token controller. */
function retainSecretFields(desired: KubeObject, observed: KubeObject): KubeObject {
  const out = clone(desired);
  if (str(out['type']) !== 'kubernetes.io/service-account-token' && str(observed['type']) !== 'kubernetes.io/service-account-token') return out;
  const data = asObj(observed['data']);
  if (data && Object.keys(data).length) out['data'] = { ...(asObj(out['data']) ?? {}), ...clone(data) };
  return out;
}

export const retainInterpreters: Record<string, RetainInterpreter> = {
  'apps/v1, Kind=Deployment': retainWorkloadReplicas,
  'apps/v1, Kind=StatefulSet': retainWorkloadReplicas,
  'apps/v1, Kind=ReplicaSet': retainWorkloadReplicas,
  'v1, Kind=Pod': retainPodFields,
  'v1, Kind=Service': retainServiceFields,
  'v1, Kind=ServiceAccount': retainServiceAccountFields,
  'v1, Kind=PersistentVolumeClaim': retainPersistentVolumeClaimFields,
  'v1, Kind=PersistentVolume': retainPersistentVolumeFields,
  'batch/v1, Kind=Job': retainJobSelectorFields,
  'v1, Kind=Secret': retainSecretFields,
};
