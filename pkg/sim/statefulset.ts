// The StatefulSet controller: pods <name>-0..N-1 with stable hostnames, created in order and only after
// their predecessors run and are ready (OrderedReady) or all at once (Parallel); scale-down removes the
// highest ordinal first; RollingUpdate replaces pods from the highest ordinal down to the partition, one at
// a time; failed pods are recreated; volumeClaimTemplates become Bound PVCs <claim>-<pod>. Revisions are
// ControllerRevisions, pods carry controller-revision-hash=<revision name>; status reports replicas,
// ready/available/current/updated replicas, currentRevision and updateRevision as kubectl rollout expects.

import { Controller, type SimContext } from './controller.js';
import type { Informer } from './informer.js';
import {
  controllerOf,
  isDeleting,
  isPodAvailable,
  isPodReady,
  isPodTerminal,
  keyOf,
  msUntilAvailable,
  podFromTemplate,
} from './podutil.js';
import { OWNER_INDEX, podsByOwner } from './replicaset.js';
import { REVISION_HASH_LABEL, Revisions } from './revisions.js';
import type { KubeObject, Pod, PodTemplate, Workload } from './types.js';

const FIELD_MANAGER = 'kube-controller-manager';
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

interface StatefulSetSpec {
  replicas?: number;
  serviceName?: string;
  podManagementPolicy?: 'OrderedReady' | 'Parallel';
  updateStrategy?: { type?: string; rollingUpdate?: { partition?: number } };
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  volumeClaimTemplates?: { metadata?: { name?: string; labels?: Record<string, string> }; spec?: Record<string, unknown> }[];
  template?: PodTemplate;
  selector?: { matchLabels?: Record<string, string> };
}

export type StatefulSet = Workload & { spec?: StatefulSetSpec };

export function ordinalOf(setName: string, podName: string): number | undefined {
  if (!podName.startsWith(`${setName}-`)) return undefined;
  const rest = podName.slice(setName.length + 1);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : undefined;
}

const runningAndReady = (p: Pod) => p.status?.phase === 'Running' && isPodReady(p) && !isDeleting(p);

export interface StatefulSetStep {
  create: number[];
  delete: Pod[];
}

/**
 * The pods to create and delete in one sync (pure): `pods` maps ordinal to the existing pod.
 */
export function planStatefulSet(set: StatefulSet, pods: Map<number, Pod>, updateRevision: string): StatefulSetStep {
  const spec = set.spec ?? {};
  const replicas = spec.replicas ?? 1;
  const parallel = spec.podManagementPolicy === 'Parallel';
  const step: StatefulSetStep = { create: [], delete: [] };
  // Failed or finished pods are deleted and recreated.
  for (const [, p] of pods) if (isPodTerminal(p) && !isDeleting(p)) step.delete.push(p);
  if (step.delete.length && !parallel) return step;

  for (let i = 0; i < replicas; i++) {
    const p = pods.get(i);
    if (!p || (isPodTerminal(p) && step.delete.includes(p))) {
      if (!p) step.create.push(i);
      if (!parallel) return step;
      continue;
    }
    if (!parallel && !runningAndReady(p)) return step;
  }
  const condemned = [...pods.keys()].filter((i) => i >= replicas).sort((a, b) => b - a);
  for (const i of condemned) {
    const p = pods.get(i)!;
    if (isDeleting(p)) {
      if (!parallel) return step;
      continue;
    }
    step.delete.push(p);
    if (!parallel) return step;
  }
  if (spec.updateStrategy?.type === 'OnDelete') return step;
  // Rolling update: highest ordinal first, down to the partition, while everything else is healthy.
  const partition = spec.updateStrategy?.rollingUpdate?.partition ?? 0;
  for (let i = replicas - 1; i >= partition; i--) {
    const p = pods.get(i);
    if (!p) return step;
    if (p.metadata?.labels?.[REVISION_HASH_LABEL] !== updateRevision) {
      const othersHealthy = [...pods.values()].every((q) => q === p || runningAndReady(q));
      if (othersHealthy && !isDeleting(p)) step.delete.push(p);
      return step;
    }
    if (!runningAndReady(p)) return step;
  }
  return step;
}

export function statefulSetStatus(set: StatefulSet, pods: Pod[], currentRevision: string, updateRevision: string, now: number): Record<string, unknown> {
  const minReady = set.spec?.minReadySeconds ?? 0;
  const live = pods.filter((p) => !isPodTerminal(p));
  const status: Record<string, unknown> = {
    observedGeneration: set.metadata?.generation ?? 1,
    replicas: live.length,
    readyReplicas: live.filter((p) => runningAndReady(p)).length,
    availableReplicas: live.filter((p) => runningAndReady(p) && isPodAvailable(p, minReady, now)).length,
    currentReplicas: live.filter((p) => p.metadata?.labels?.[REVISION_HASH_LABEL] === currentRevision).length,
    updatedReplicas: live.filter((p) => p.metadata?.labels?.[REVISION_HASH_LABEL] === updateRevision).length,
    currentRevision,
    updateRevision,
    collisionCount: 0,
  };
  const type = set.spec?.updateStrategy?.type ?? 'RollingUpdate';
  if (type === 'RollingUpdate' && status.updatedReplicas === status.replicas && status.readyReplicas === status.replicas && live.length === (set.spec?.replicas ?? 1)) {
    status.currentRevision = updateRevision;
    status.currentReplicas = status.updatedReplicas;
  }
  for (const k of ['readyReplicas', 'availableReplicas', 'currentReplicas', 'updatedReplicas']) if (!status[k]) delete status[k];
  return status;
}

export class StatefulSetController extends Controller {
  private readonly sets: Informer<StatefulSet>;
  private readonly pods: Informer<Pod>;
  private readonly claims: Informer<KubeObject>;
  private readonly revisions: Revisions;

  constructor(ctx: SimContext) {
    super('statefulset', ctx, 2);
    this.sets = ctx.informers.for<StatefulSet>(ctx.kinds.statefulSets);
    this.pods = podsByOwner(ctx.informers.for<Pod>(ctx.kinds.pods));
    this.claims = ctx.informers.for(ctx.kinds.persistentVolumeClaims);
    this.revisions = new Revisions(ctx);
    this.sets.on((type, s) => {
      if (type === 'put') this.queue.add(keyOf(s));
    });
    this.pods.on((_type, pod, old) => {
      for (const p of old && old !== pod ? [pod, old] : [pod]) {
        const ref = controllerOf(p);
        if (ref?.kind === 'StatefulSet') this.enqueueSoon(`${p.metadata!.namespace}/${ref.name}`);
      }
    });
  }

  protected async reconcile(key: string): Promise<number | void> {
    const set = this.sets.get(key);
    if (!set || set.metadata?.deletionTimestamp) return;
    const { client, kinds } = this.ctx;
    const m = set.metadata!;
    const name = m.name!;
    const update = await this.revisions.ensure(set, kinds.statefulSets);
    const currentRevision = (set.status?.currentRevision as string | undefined) ?? update.name;
    const owned = this.pods.byIndex(OWNER_INDEX, m.uid!).filter((p) => p.metadata?.namespace === m.namespace);
    const byOrdinal = new Map<number, Pod>();
    for (const p of owned) {
      const i = ordinalOf(name, p.metadata!.name!);
      if (i !== undefined) byOrdinal.set(i, p);
    }
    const step = planStatefulSet(set, byOrdinal, update.name);
    const partition = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
    for (const p of step.delete) await client.delete(kinds.pods, p.metadata!.namespace, p.metadata!.name!, p.metadata!.uid);
    for (const i of step.create) {
      // Below the partition, pods keep the current revision (when its template is still known).
      const useCurrent = i < partition && currentRevision !== update.name && this.revisions.template(set, currentRevision);
      const revision = useCurrent ? currentRevision : update.name;
      const template = (useCurrent ? this.revisions.template(set, currentRevision) : set.spec?.template) ?? set.spec?.template;
      await this.createPod(set, i, template, revision);
    }

    const pods = this.pods.byIndex(OWNER_INDEX, m.uid!).filter((p) => p.metadata?.namespace === m.namespace && ordinalOf(name, p.metadata!.name!) !== undefined);
    const now = this.ctx.now();
    const status = statefulSetStatus(set, pods, currentRevision, update.name, now);
    if (JSON.stringify(status) !== JSON.stringify(set.status ?? {})) {
      await client.update<StatefulSet>(kinds.statefulSets, m.namespace, name, (cur) => {
        if ((cur.metadata?.generation ?? 1) !== (m.generation ?? 1)) return false;
        cur.status = status;
      }, { status: true, uid: m.uid, fieldManager: FIELD_MANAGER });
    }
    const used = new Set([currentRevision, update.name, ...pods.map((p) => p.metadata?.labels?.[REVISION_HASH_LABEL] ?? '')]);
    await this.revisions.prune(set, used, set.spec?.revisionHistoryLimit ?? 10);
    const minReady = set.spec?.minReadySeconds ?? 0;
    if (minReady) {
      const waits = pods.map((p) => msUntilAvailable(p, minReady, now)).filter((ms): ms is number => ms !== undefined && ms > 0);
      if (waits.length) return Math.min(...waits) + 10;
    }
  }

  private async createPod(set: StatefulSet, ordinal: number, template: PodTemplate | undefined, revision: string): Promise<void> {
    const { client, kinds } = this.ctx;
    const setName = set.metadata!.name!;
    const podName = `${setName}-${ordinal}`;
    const pod = podFromTemplate(template, set, kinds.statefulSets, { name: podName }, {
      labels: { [REVISION_HASH_LABEL]: revision, [POD_NAME_LABEL]: podName, [POD_INDEX_LABEL]: String(ordinal) },
    });
    pod.spec!.hostname = podName;
    if (set.spec?.serviceName) pod.spec!.subdomain = set.spec.serviceName;
    for (const vct of set.spec?.volumeClaimTemplates ?? []) {
      const claim = vct.metadata?.name;
      if (!claim) continue;
      const claimName = `${claim}-${podName}`;
      await this.ensureClaim(set, vct, claimName);
      const volumes = (pod.spec!.volumes ?? []).filter((v) => v.name !== claim);
      volumes.push({ name: claim, persistentVolumeClaim: { claimName } });
      pod.spec!.volumes = volumes;
    }
    await client.create(kinds.pods, pod, FIELD_MANAGER);
  }

  /** A PVC per claim template and pod, Bound at once (there is no storage to provision). */
  private async ensureClaim(set: StatefulSet, vct: NonNullable<StatefulSetSpec['volumeClaimTemplates']>[number], claimName: string): Promise<void> {
    const { client, kinds } = this.ctx;
    const ns = set.metadata!.namespace!;
    if (this.claims.get(`${ns}/${claimName}`)) return;
    const spec = structuredClone(vct.spec ?? {}) as { accessModes?: string[]; resources?: { requests?: Record<string, string> }; volumeMode?: string };
    spec.volumeMode ??= 'Filesystem';
    const created = await client.create<KubeObject>(kinds.persistentVolumeClaims, {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: claimName, namespace: ns, labels: { ...(set.spec?.selector?.matchLabels ?? {}), ...(vct.metadata?.labels ?? {}) } },
      spec,
    }, FIELD_MANAGER);
    if (!created) return;
    await client.update(kinds.persistentVolumeClaims, ns, claimName, (cur) => {
      cur.status = { phase: 'Bound', accessModes: spec.accessModes ?? ['ReadWriteOnce'], capacity: { storage: spec.resources?.requests?.storage ?? '1Gi' } };
    }, { status: true, uid: created.metadata?.uid, fieldManager: 'persistentvolume-binder' });
  }
}
