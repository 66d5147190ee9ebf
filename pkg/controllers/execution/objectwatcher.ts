// Karmada's ObjectWatcher (pkg/util/objectwatcher): creates, updates and deletes one manifest's object in
// one member cluster, and remembers the version of its own writes (the "version record") so that the
// events those writes cause are not taken for drift. Member-mode agnostic: it works on a MemberCluster,
// which the push controllers build from a Cluster's secret and the karmada-agent from its own kubeconfig.

import { pino, type Logger } from 'pino';
import { MANAGED_BY_KARMADA_LABEL, MANAGED_BY_KARMADA_LABEL_VALUE, WORK_NAME_ANNOTATION, WORK_NAMESPACE_ANNOTATION } from '../../apis/work/v1alpha2/index.js';
import type { ResourceClient } from '../../runtime/client.js';
import { gvrString, NAMESPACES, type GVR } from '../../runtime/gvr.js';
import { errText } from '../../runtime/informer.js';
import { isAlreadyExists, isConflict, isNotFound, StatusError } from '../../runtime/rest.js';
import type { APIResourceInfo } from '../../runtime/restmapper.js';
import type { KubeObject } from '../../runtime/types.js';
import type { ResourceInterpreter } from '../../resourceinterpreter/interface.js';
import type { MemberCluster } from '../../util/memberinformer/member.js';
import { manifestDigest, needsUpdate, objectVersion, updateForbidden, type VersionRecord } from './needsupdate.js';
import { retainClusterFields, withoutKarmadaMetadata } from './retain.js';

/** The manifest's kind is not served by the member (e.g. its CRD is not installed there). */
export class KindNotServedError extends Error {
  constructor(
    readonly cluster: string,
    readonly apiVersion: string,
    readonly kind: string,
  ) {
    super(`resource kind ${kind} (apiVersion ${apiVersion}) is not served by cluster ${cluster}; install its CRD or enable its API in the member cluster`);
    this.name = 'KindNotServedError';
  }
}

/** An existing member object Karmada may not take over (conflict resolution Abort). */
export class ResourceConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResourceConflictError';
  }
}

export type ApplyOperation = 'created' | 'updated' | 'unchanged';

export interface ObjectWatcherOptions {
  interpreter: ResourceInterpreter;
  logger?: Logger;
}

/** The member's resource for apiVersion+kind (undefined when not served); discovery failures are thrown. */
export async function memberMapping(member: MemberCluster, apiVersion: string, kind: string): Promise<APIResourceInfo | undefined> {
  try {
    return await member.restMapper.mapping(apiVersion, kind);
  } catch (err) {
    // a failed discovery stays cached in the mapper: start a fresh one for the next attempt
    member.restMapper.refresh().catch(() => undefined);
    throw new Error(`cannot discover the APIs of cluster ${member.name}: ${errText(err)}`);
  }
}

/** Server-set fields a manifest must not carry into a create. */
function forCreate(desired: KubeObject): KubeObject {
  const out = structuredClone(desired);
  const md = (out.metadata ??= {});
  for (const k of ['resourceVersion', 'uid', 'creationTimestamp', 'generation', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds'] as const) delete md[k];
  return out;
}

function isNamespaceNotFound(err: unknown, namespace: string | undefined): boolean {
  if (!namespace || !isNotFound(err) || !(err instanceof StatusError)) return false;
  const d = err.status.details;
  return d?.kind === 'namespaces' && (d.name === undefined || d.name === namespace);
}

/** Whether a member object belongs to the Work the manifest comes from (so Karmada may delete or release it). */
export function ownedByWork(observed: KubeObject, desired: KubeObject): boolean {
  const oa = observed.metadata?.annotations ?? {};
  const da = desired.metadata?.annotations ?? {};
  if (oa[WORK_NAME_ANNOTATION] !== undefined && da[WORK_NAME_ANNOTATION] !== undefined) {
    return oa[WORK_NAME_ANNOTATION] === da[WORK_NAME_ANNOTATION] && oa[WORK_NAMESPACE_ANNOTATION] === da[WORK_NAMESPACE_ANNOTATION];
  }
  return observed.metadata?.labels?.[MANAGED_BY_KARMADA_LABEL] === MANAGED_BY_KARMADA_LABEL_VALUE;
}

export class ObjectWatcher {
  /** cluster → "<group/version/resource>/<namespace>/<name>" → our last write. */
  private readonly records = new Map<string, Map<string, VersionRecord>>();
  /** cluster + key of writes under way: their watch events may arrive before the write's response. */
  private readonly inflight = new Set<string>();
  private readonly log: Logger;

  constructor(private readonly opts: ObjectWatcherOptions) {
    this.log = opts.logger ?? pino({ level: 'silent' });
  }

  /** The member's resource for the manifest's kind (KindNotServedError when it has none). */
  async resolve(member: MemberCluster, obj: KubeObject): Promise<APIResourceInfo> {
    const apiVersion = obj.apiVersion ?? '';
    const kind = obj.kind ?? '';
    if (!apiVersion || !kind) throw new Error(`manifest ${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''} has no apiVersion or kind`);
    const info = await memberMapping(member, apiVersion, kind);
    if (!info) throw new KindNotServedError(member.name, apiVersion, kind);
    return info;
  }

  /** Creates the manifest's object in the member, or updates the existing one when allowed and needed. */
  async createOrUpdate(member: MemberCluster, desired: KubeObject): Promise<{ operation: ApplyOperation; object: KubeObject }> {
    const info = await this.resolve(member, desired);
    const flight = `${member.name}|${ObjectWatcher.key(info, info.namespaced ? desired.metadata?.namespace || 'default' : undefined, desired.metadata?.name ?? '')}`;
    this.inflight.add(flight);
    try {
      return await this.writeObject(member, info, desired);
    } finally {
      this.inflight.delete(flight);
    }
  }

  private async writeObject(member: MemberCluster, info: APIResourceInfo, desired: KubeObject): Promise<{ operation: ApplyOperation; object: KubeObject }> {
    const rc = member.client.resource(info);
    const name = desired.metadata?.name ?? '';
    const namespace = info.namespaced ? desired.metadata?.namespace || 'default' : undefined;
    const target = info.namespaced ? { ...desired, metadata: { ...desired.metadata, namespace } } : desired;
    const digest = manifestDigest(desired);

    // The member cache holds only Karmada-managed objects: a miss means absent or not ours yet.
    const informers = member.informers;
    if (informers) informers.informerFor(info);
    const cached = informers?.isSynced(info) ? informers.getCached(info, name, namespace) : undefined;
    let observed: KubeObject | undefined = cached;
    if (!observed && !informers?.isSynced(info)) observed = await rc.getOrUndefined(name, { namespace });

    for (let attempt = 0; ; attempt++) {
      if (!observed) {
        try {
          const created = await this.create(member, rc, info, target);
          this.record(member.name, info, created, digest);
          this.log.info({ cluster: member.name, resource: gvrString(info), namespace, name }, 'created resource in member cluster');
          return { operation: 'created', object: created };
        } catch (err) {
          if (!isAlreadyExists(err) || attempt >= 2) throw err;
          observed = await rc.getOrUndefined(name, { namespace });
          continue;
        }
      }
      const forbidden = updateForbidden(target, observed, member.name);
      if (forbidden) throw new ResourceConflictError(forbidden);
      let retained = retainClusterFields(target, observed);
      if (this.opts.interpreter.hookEnabled({ apiVersion: target.apiVersion ?? '', kind: target.kind ?? '' }, 'Retain')) {
        // list items may come without apiVersion/kind; interpreters dispatch on them
        const obs = observed.apiVersion && observed.kind ? observed : { ...observed, apiVersion: target.apiVersion, kind: target.kind };
        retained = await this.opts.interpreter.retain(retained, obs);
      }
      const record = this.recordOf(member.name, info, namespace, name);
      if (!needsUpdate(record, digest, retained, observed)) {
        if (!record) this.record(member.name, info, observed, digest);
        return { operation: 'unchanged', object: observed };
      }
      try {
        const updated = await rc.update(retained, { namespace });
        this.record(member.name, info, updated, digest);
        this.log.info({ cluster: member.name, resource: gvrString(info), namespace, name }, 'updated resource in member cluster');
        return { operation: 'updated', object: updated };
      } catch (err) {
        // a stale cache (conflict) or an object deleted meanwhile (not found): look again
        if (!(isConflict(err) || isNotFound(err)) || attempt >= 2) throw err;
        observed = await rc.getOrUndefined(name, { namespace });
      }
    }
  }

  private async create(member: MemberCluster, rc: ResourceClient, info: APIResourceInfo, target: KubeObject): Promise<KubeObject> {
    const namespace = target.metadata?.namespace;
    try {
      return await rc.create(forCreate(target), { namespace });
    } catch (err) {
      if (!isNamespaceNotFound(err, namespace)) throw err;
    }
    // Namespaces normally arrive through namespace sync; create the missing one (marked Karmada-managed
    // so that its own Work can adopt it) rather than fail.
    this.log.info({ cluster: member.name, namespace, resource: gvrString(info) }, 'namespace missing in member cluster; creating it');
    try {
      await member.client.resource(NAMESPACES).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { [MANAGED_BY_KARMADA_LABEL]: MANAGED_BY_KARMADA_LABEL_VALUE } } });
    } catch (err) {
      if (!isAlreadyExists(err)) throw new Error(`namespace ${namespace} does not exist in cluster ${member.name} and cannot be created: ${errText(err)}`);
    }
    return rc.create(forCreate(target), { namespace });
  }

  /** The member object of a manifest: from the cache when it is synced, else from the member. */
  private async observe(member: MemberCluster, rc: ResourceClient, info: APIResourceInfo, name: string, namespace: string | undefined): Promise<KubeObject | undefined> {
    const informers = member.informers;
    const cached = informers?.isSynced(info) ? informers.getCached(info, name, namespace) : undefined;
    return cached ?? rc.getOrUndefined(name, { namespace });
  }

  /**
   * Deletes the manifest's object when it belongs to the manifest's Work (Background propagation, so a
   * Job's pods go too). 'absent' when there is nothing (or the kind is not served), 'notOwned' for an
   * object Karmada does not manage.
   */
  async delete(member: MemberCluster, desired: KubeObject): Promise<'deleted' | 'absent' | 'notOwned'> {
    let info: APIResourceInfo;
    try {
      info = await this.resolve(member, desired);
    } catch (err) {
      if (err instanceof KindNotServedError) return 'absent';
      throw err;
    }
    const rc = member.client.resource(info);
    const name = desired.metadata?.name ?? '';
    const namespace = info.namespaced ? desired.metadata?.namespace || 'default' : undefined;
    const observed = await this.observe(member, rc, info, name, namespace);
    if (!observed) return 'absent';
    if (!ownedByWork(observed, desired)) return 'notOwned';
    const gone = await rc.deleteIfExists(name, { namespace, propagationPolicy: 'Background', ...(observed.metadata?.uid ? { preconditions: { uid: observed.metadata.uid } } : {}) });
    this.forget(member.name, info, namespace, name);
    if (gone) this.log.info({ cluster: member.name, resource: gvrString(info), namespace, name }, 'deleted resource in member cluster');
    return gone ? 'deleted' : 'absent';
  }

  /**
   * Lets the manifest's object go (preserveResourcesOnDeletion): removes Karmada's labels and
   * annotations so that it is an ordinary member object again.
   */
  async release(member: MemberCluster, desired: KubeObject): Promise<'released' | 'absent' | 'notOwned'> {
    let info: APIResourceInfo;
    try {
      info = await this.resolve(member, desired);
    } catch (err) {
      if (err instanceof KindNotServedError) return 'absent';
      throw err;
    }
    const rc = member.client.resource(info);
    const name = desired.metadata?.name ?? '';
    const namespace = info.namespaced ? desired.metadata?.namespace || 'default' : undefined;
    let observed = await this.observe(member, rc, info, name, namespace);
    for (let attempt = 0; ; attempt++) {
      if (!observed) return 'absent';
      if (!ownedByWork(observed, desired)) return 'notOwned';
      const stripped = withoutKarmadaMetadata(observed);
      if (!stripped) return 'released';
      try {
        await rc.update(stripped, { namespace });
        this.forget(member.name, info, namespace, name);
        return 'released';
      } catch (err) {
        if (isNotFound(err)) return 'absent';
        if (!isConflict(err) || attempt >= 2) throw err;
        observed = await rc.getOrUndefined(name, { namespace });
      }
    }
  }

  /** Whether obj (from a member event) is what our last write produced, or the echo of a write under way. */
  isOwnWrite(cluster: string, gvr: GVR, obj: KubeObject): boolean {
    const key = ObjectWatcher.key(gvr, obj.metadata?.namespace, obj.metadata?.name ?? '');
    if (this.inflight.has(`${cluster}|${key}`)) return true;
    const rv = obj.metadata?.resourceVersion;
    return !!rv && this.records.get(cluster)?.get(key)?.resourceVersion === rv;
  }

  forgetCluster(cluster: string): void {
    this.records.delete(cluster);
  }

  private static key(gvr: GVR, namespace: string | undefined, name: string): string {
    return `${gvrString(gvr)}/${namespace ?? ''}/${name}`;
  }

  private recordOf(cluster: string, gvr: GVR, namespace: string | undefined, name: string): VersionRecord | undefined {
    return this.records.get(cluster)?.get(ObjectWatcher.key(gvr, namespace, name));
  }

  private record(cluster: string, gvr: GVR, obj: KubeObject, digest: string): void {
    let m = this.records.get(cluster);
    if (!m) this.records.set(cluster, (m = new Map()));
    m.set(ObjectWatcher.key(gvr, obj.metadata?.namespace, obj.metadata?.name ?? ''), { version: objectVersion(obj), resourceVersion: obj.metadata?.resourceVersion ?? '', digest });
  }

  private forget(cluster: string, gvr: GVR, namespace: string | undefined, name: string): void {
    this.records.get(cluster)?.delete(ObjectWatcher.key(gvr, namespace, name));
  }
}
