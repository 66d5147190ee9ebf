// What a pod template asks of a cluster and what it refers to: Karmada's GenerateReplicaRequirements
// (util.Resource.AddPodTemplateRequest: the sum of the containers' requests, at least the largest
// init container's, plus overhead; limits stand in for missing requests) and
// GetDependenciesFromPodTemplate (Kubernetes' VisitPodSecretNames / VisitPodConfigmapNames).

import { quantityMilliValue, quantityValue } from '../../apis/core/v1/quantity.js';
import type { ReplicaRequirements } from '../../apis/work/v1alpha2/index.js';
import { formatMilli, formatUnits } from '../../util/quantity.js';
import type { DependentObjectReference } from '../interface.js';
import { asObj, isObj, nested, objects, str, type Obj } from './util.js';

type ResourceList = Record<string, string>;

/** Extended (domain-prefixed), hugepages-*, attachable-volumes-* and kubernetes.io/* resources (lifted.IsScalarResourceName). */
export function isScalarResourceName(name: string): boolean {
  if (name.startsWith('hugepages-') || name.startsWith('attachable-volumes-')) return true;
  if (name.includes('kubernetes.io/')) return true;
  return name.includes('/') && !name.startsWith('requests.');
}

function quantityOf(name: string, q: unknown, where: string): { milli: bigint; value: bigint } {
  if (typeof q !== 'string' && typeof q !== 'number') throw new Error(`${where}: resource ${name} has no quantity`);
  try {
    return { milli: quantityMilliValue(q), value: quantityValue(q) };
  } catch (err) {
    throw new Error(`${where}: resource ${name}: ${(err as Error).message}`);
  }
}

/** util.Resource: cpu in milli-units, the rest in whole units. */
export class ResourceSum {
  milliCPU = 0n;
  memory = 0n;
  ephemeralStorage = 0n;
  pods = 0n;
  readonly scalars = new Map<string, bigint>();

  add(rl: unknown, where = 'resources'): this {
    for (const [name, q] of Object.entries(asObj(rl) ?? {})) {
      const { milli, value } = quantityOf(name, q, where);
      if (name === 'cpu') this.milliCPU += milli;
      else if (name === 'memory') this.memory += value;
      else if (name === 'pods') this.pods += value;
      else if (name === 'ephemeral-storage') this.ephemeralStorage += value;
      else if (isScalarResourceName(name)) this.scalars.set(name, (this.scalars.get(name) ?? 0n) + value);
    }
    return this;
  }

  setMax(rl: unknown, where = 'resources'): this {
    for (const [name, q] of Object.entries(asObj(rl) ?? {})) {
      const { milli, value } = quantityOf(name, q, where);
      if (name === 'cpu') this.milliCPU = milli > this.milliCPU ? milli : this.milliCPU;
      else if (name === 'memory') this.memory = value > this.memory ? value : this.memory;
      else if (name === 'ephemeral-storage') this.ephemeralStorage = value > this.ephemeralStorage ? value : this.ephemeralStorage;
      else if (name === 'pods') this.pods = value > this.pods ? value : this.pods;
      else if (isScalarResourceName(name) && value > (this.scalars.get(name) ?? 0n)) this.scalars.set(name, value);
    }
    return this;
  }

  /** Resource.ResourceList(): positive amounts in canonical form; undefined when empty. */
  resourceList(): ResourceList | undefined {
    const out: ResourceList = {};
    if (this.milliCPU > 0n) out['cpu'] = formatMilli(this.milliCPU, 'DecimalSI');
    if (this.memory > 0n) out['memory'] = formatUnits(this.memory, 'BinarySI');
    if (this.ephemeralStorage > 0n) out['ephemeral-storage'] = formatUnits(this.ephemeralStorage, 'BinarySI');
    if (this.pods > 0n) out['pods'] = formatUnits(this.pods, 'DecimalSI');
    for (const name of [...this.scalars.keys()].sort()) {
      const v = this.scalars.get(name)!;
      if (v > 0n) out[name] = formatUnits(v, name.startsWith('hugepages-') ? 'BinarySI' : 'DecimalSI');
    }
    return Object.keys(out).length ? out : undefined;
  }
}

/** A container's effective requests: requests, with limits standing in for the missing ones. */
function effectiveRequests(container: Obj): Obj {
  const resources = asObj(container['resources']) ?? {};
  return { ...(asObj(resources['limits']) ?? {}), ...(asObj(resources['requests']) ?? {}) };
}

/** The effective per-pod resource request of a pod spec (undefined when it requests nothing). */
export function podSpecRequests(podSpec: unknown): ResourceList | undefined {
  const spec = asObj(podSpec) ?? {};
  const sum = new ResourceSum();
  for (const c of objects(spec['containers'])) sum.add(effectiveRequests(c), `container ${str(c['name'])}`);
  for (const c of objects(spec['initContainers'])) sum.setMax(effectiveRequests(c), `init container ${str(c['name'])}`);
  if (isObj(spec['overhead'])) sum.add(spec['overhead'], 'spec.overhead');
  return sum.resourceList();
}

/** GenerateNodeClaimByPodSpec: nodeSelector, tolerations and required node affinity (undefined when none). */
export function nodeClaimOf(podSpec: unknown): ReplicaRequirements['nodeClaim'] {
  const spec = asObj(podSpec) ?? {};
  const claim: NonNullable<ReplicaRequirements['nodeClaim']> = {};
  const nodeSelector = asObj(spec['nodeSelector']);
  if (nodeSelector) claim.nodeSelector = nodeSelector as Record<string, string>;
  const tolerations = objects(spec['tolerations']);
  if (tolerations.length) claim.tolerations = tolerations as NonNullable<typeof claim.tolerations>;
  const hard = asObj(nested(spec, 'affinity', 'nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution'));
  if (hard) claim.hardNodeAffinity = hard as NonNullable<typeof claim.hardNodeAffinity>;
  return claim.nodeSelector || claim.tolerations || claim.hardNodeAffinity ? claim : undefined;
}

/**
 * GenerateReplicaRequirements of a pod template ({metadata, spec}): node claim and per-replica resource
 * request, plus the namespace and priorityClassName Karmada records for quota-aware estimation.
 * Undefined when the template asks for neither resources nor particular nodes.
 */
export function generateReplicaRequirements(podTemplate: unknown, namespace?: string): ReplicaRequirements | undefined {
  const spec = asObj(nested(podTemplate, 'spec')) ?? {};
  const nodeClaim = nodeClaimOf(spec);
  const resourceRequest = podSpecRequests(spec);
  if (!nodeClaim && !resourceRequest) return undefined;
  const req: ReplicaRequirements = {};
  if (nodeClaim) req.nodeClaim = nodeClaim;
  if (resourceRequest) req.resourceRequest = resourceRequest;
  const ns = namespace || str(nested(podTemplate, 'metadata', 'namespace'));
  if (ns) req.namespace = ns;
  const priorityClassName = str(spec['priorityClassName']);
  if (priorityClassName) req.priorityClassName = priorityClassName;
  return req;
}

function allContainers(spec: Obj): Obj[] {
  return [...objects(spec['initContainers']), ...objects(spec['containers']), ...objects(spec['ephemeralContainers'])];
}

/** Volume sources that name a Secret through a `secretRef` (Kubernetes' VisitPodSecretNames). */
const SECRET_REF_VOLUMES = ['cephfs', 'cinder', 'flexVolume', 'rbd', 'scaleIO', 'iscsi', 'storageos'];

/** Names of the Secrets a pod spec uses (image pull secrets, env, envFrom, volumes, projected volumes). */
export function podSecretNames(podSpec: unknown): Set<string> {
  const spec = asObj(podSpec) ?? {};
  const names = new Set<string>();
  const addName = (v: unknown) => {
    if (typeof v === 'string' && v) names.add(v);
  };
  for (const ref of objects(spec['imagePullSecrets'])) addName(ref['name']);
  for (const c of allContainers(spec)) {
    for (const env of objects(c['envFrom'])) addName(nested(env, 'secretRef', 'name'));
    for (const env of objects(c['env'])) addName(nested(env, 'valueFrom', 'secretKeyRef', 'name'));
  }
  for (const vol of objects(spec['volumes'])) {
    addName(nested(vol, 'secret', 'secretName'));
    addName(nested(vol, 'azureFile', 'secretName'));
    addName(nested(vol, 'csi', 'nodePublishSecretRef', 'name'));
    for (const source of SECRET_REF_VOLUMES) addName(nested(vol, source, 'secretRef', 'name'));
    for (const p of objects(nested(vol, 'projected', 'sources'))) addName(nested(p, 'secret', 'name'));
  }
  return names;
}

/** Names of the ConfigMaps a pod spec uses (env, envFrom, volumes, projected volumes). */
export function podConfigMapNames(podSpec: unknown): Set<string> {
  const spec = asObj(podSpec) ?? {};
  const names = new Set<string>();
  const addName = (v: unknown) => {
    if (typeof v === 'string' && v) names.add(v);
  };
  for (const c of allContainers(spec)) {
    for (const env of objects(c['envFrom'])) addName(nested(env, 'configMapRef', 'name'));
    for (const env of objects(c['env'])) addName(nested(env, 'valueFrom', 'configMapKeyRef', 'name'));
  }
  for (const vol of objects(spec['volumes'])) {
    addName(nested(vol, 'configMap', 'name'));
    for (const p of objects(nested(vol, 'projected', 'sources'))) addName(nested(p, 'configMap', 'name'));
  }
  return names;
}

export function podPVCNames(podSpec: unknown): Set<string> {
  const names = new Set<string>();
  for (const vol of objects(asObj(podSpec)?.['volumes'])) {
    const claim = str(nested(vol, 'persistentVolumeClaim', 'claimName'));
    if (claim) names.add(claim);
  }
  return names;
}

/** Orders references by apiVersion, kind, namespace, name and drops duplicates. */
export function sortDependencies(refs: DependentObjectReference[]): DependentObjectReference[] {
  const seen = new Map<string, DependentObjectReference>();
  for (const r of refs) seen.set(JSON.stringify([r.apiVersion, r.kind, r.namespace ?? '', r.name ?? '', r.labelSelector ?? null]), r);
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
}

/**
 * GetDependenciesFromPodTemplate: the ConfigMaps, Secrets, ServiceAccount (unless "default") and
 * PersistentVolumeClaims a pod spec refers to, all in the pod's namespace.
 */
export function podDependencies(podSpec: unknown, namespace: string | undefined): DependentObjectReference[] {
  const refs: DependentObjectReference[] = [];
  const ns = namespace ? { namespace } : {};
  for (const name of podConfigMapNames(podSpec)) refs.push({ apiVersion: 'v1', kind: 'ConfigMap', ...ns, name });
  for (const name of podSecretNames(podSpec)) refs.push({ apiVersion: 'v1', kind: 'Secret', ...ns, name });
  const sa = str(asObj(podSpec)?.['serviceAccountName']);
  if (sa && sa !== 'default') refs.push({ apiVersion: 'v1', kind: 'ServiceAccount', ...ns, name: sa });
  for (const name of podPVCNames(podSpec)) refs.push({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', ...ns, name });
  return sortDependencies(refs);
}
