// Reporting member objects' status into their Work (Karmada's work_status_controller reflectStatus /
// interpretHealth / buildStatusIdentifier), independent of who built the member client: the push work
// status controller and the karmada-agent both call collectManifestStatuses.

import type { ManifestStatus, ResourceIdentifier, Work } from '../../apis/work/v1alpha1/index.js';
import type { ResourceHealth } from '../../apis/work/v1alpha2/index.js';
import type { APIResourceInfo } from '../../runtime/restmapper.js';
import type { KubeObject } from '../../runtime/types.js';
import type { ResourceInterpreter } from '../../resourceinterpreter/interface.js';
import { deepEqual } from '../../util/deepequal.js';
import type { MemberCluster } from '../../util/memberinformer/member.js';
import { memberMapping, ownedByWork } from '../execution/objectwatcher.js';
import { workManifests } from '../execution/apply.js';

/** Event reasons on Works (Karmada's pkg/events). */
export const EVENT_REASON_REFLECT_STATUS_FAILED = 'ReflectStatusFailed';
export const EVENT_REASON_INTERPRET_HEALTH_FAILED = 'InterpretHealthFailed';

/** ResourceIdentifier of the manifest at ordinal, as served by the member (group/version/resource). */
export function statusIdentifier(ordinal: number, info: Pick<APIResourceInfo, 'group' | 'version' | 'resource' | 'kind' | 'namespaced'>, obj: KubeObject): ResourceIdentifier {
  return {
    ordinal,
    group: info.group,
    version: info.version,
    kind: obj.kind || info.kind,
    resource: info.resource,
    ...(info.namespaced && obj.metadata?.namespace ? { namespace: obj.metadata.namespace } : {}),
    name: obj.metadata?.name ?? '',
  };
}

/**
 * Health of a member object: Healthy when no interpreter knows the kind's health (Karmada's rule),
 * Unknown when interpreting fails.
 */
export async function interpretHealth(interpreter: ResourceInterpreter, observed: KubeObject): Promise<{ health: ResourceHealth; error?: unknown }> {
  if (!interpreter.hookEnabled({ apiVersion: observed.apiVersion ?? '', kind: observed.kind ?? '' }, 'InterpretHealth')) return { health: 'Healthy' };
  try {
    return { health: (await interpreter.interpretHealth(observed)) ? 'Healthy' : 'Unhealthy' };
  } catch (error) {
    return { health: 'Unknown', error };
  }
}

/** One manifestStatuses entry for an observed member object. */
export async function buildManifestStatus(interpreter: ResourceInterpreter, identifier: ResourceIdentifier, observed: KubeObject): Promise<{ status: ManifestStatus; healthError?: unknown }> {
  const reflected = await interpreter.reflectStatus(observed);
  const { health, error } = await interpretHealth(interpreter, observed);
  return { status: { identifier, ...(reflected !== undefined ? { status: reflected } : {}), health }, healthError: error };
}

/** Same list (order included) of manifest statuses. */
export function manifestStatusesEqual(a: readonly ManifestStatus[] | undefined, b: readonly ManifestStatus[] | undefined): boolean {
  return deepEqual(a ?? [], b ?? []);
}

export interface CollectOptions {
  /** How long to wait for a member cache's first list (default 5 s). */
  cacheSyncTimeoutMs?: number;
  /** Told about an interpreter failure (e.g. to record an event). */
  onInterpretError?: (reason: string, observed: KubeObject, err: unknown) => void;
}

export interface CollectResult {
  /** Entries for the manifests whose member object exists (ordinal order). */
  statuses: ManifestStatus[];
  /** A member cache was not synced yet: try again later rather than trusting the result. */
  pending: boolean;
}

/**
 * The Work's manifestStatuses as its member objects are now: read from the member caches (or from the
 * member when it has none), one entry per manifest whose object exists and belongs to the Work.
 * reflectStatus failures are thrown (retry); health failures give Unknown.
 */
export async function collectManifestStatuses(member: MemberCluster, work: Work, interpreter: ResourceInterpreter, opts: CollectOptions = {}): Promise<CollectResult> {
  const statuses: ManifestStatus[] = [];
  let pending = false;
  for (const [ordinal, manifest] of workManifests(work).entries()) {
    const info = await memberMapping(member, manifest.apiVersion ?? '', manifest.kind ?? '');
    if (!info) continue; // not served in the member: nothing applied, nothing to report
    const name = manifest.metadata?.name ?? '';
    const namespace = info.namespaced ? manifest.metadata?.namespace || 'default' : undefined;
    let observed: KubeObject | undefined;
    if (member.informers) {
      if (!(await member.informers.waitForSync(info, opts.cacheSyncTimeoutMs ?? 5000))) {
        pending = true;
        continue;
      }
      observed = member.informers.getCached(info, name, namespace);
    } else {
      observed = await member.client.resource(info).getOrUndefined(name, { namespace });
    }
    if (!observed || !ownedByWork(observed, manifest)) continue;
    // list items may come without apiVersion/kind; interpreters dispatch on them
    const obj = observed.apiVersion && observed.kind ? observed : { ...observed, apiVersion: manifest.apiVersion, kind: manifest.kind };
    let built: Awaited<ReturnType<typeof buildManifestStatus>>;
    try {
      built = await buildManifestStatus(interpreter, statusIdentifier(ordinal, info, obj), obj);
    } catch (err) {
      opts.onInterpretError?.(EVENT_REASON_REFLECT_STATUS_FAILED, obj, err);
      throw err;
    }
    if (built.healthError !== undefined) opts.onInterpretError?.(EVENT_REASON_INTERPRET_HEALTH_FAILED, obj, built.healthError);
    statuses.push(built.status);
  }
  return { statuses, pending };
}
