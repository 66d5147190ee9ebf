// Built-in interpretation of KubeEdge's devices.kubeedge.io/v1beta1 Device and DeviceModel (this project's
// addition; upstream Karmada has none): a Device reflects {state, lastOnlineTime, twins} from each edge
// cluster, is healthy while "online", and its members' statuses fold onto the template; a Device needs
// its DeviceModel in the same clusters (PropagateDeps). A DeviceModel has no status and no replicas.

import type { AggregatedStatusItem } from '../../apis/work/v1alpha2/index.js';
import { DEVICE_KIND, DEVICE_MODEL_KIND, DEVICE_STATE_OFFLINE, DEVICE_STATE_ONLINE, DEVICE_STATE_UNKNOWN, DEVICES_API_VERSION } from '../../edge/device.js';
import type { KubeObject } from '../../runtime/types.js';
import type { DependentObjectReference } from '../interface.js';
import type { AggregateStatusInterpreter } from './aggregatestatus.js';
import type { DependenciesInterpreter } from './dependencies.js';
import type { HealthInterpreter } from './health.js';
import type { ReflectStatusInterpreter } from './reflectstatus.js';
import { asObj, clone, gvkKey, nested, str, type Obj } from './util.js';

export const DEVICE_GVK_KEY = gvkKey(DEVICES_API_VERSION, DEVICE_KIND);
export const DEVICE_MODEL_GVK_KEY = gvkKey(DEVICES_API_VERSION, DEVICE_MODEL_KIND);

/** The fields of DeviceStatus a member reports and the template shows. */
const DEVICE_STATUS_FIELDS = ['state', 'lastOnlineTime', 'twins'] as const;

function pickDeviceStatus(status: Obj): Obj {
  const out: Obj = {};
  for (const f of DEVICE_STATUS_FIELDS) if (status[f] !== undefined && status[f] !== '') out[f] = clone(status[f]);
  return out;
}

export function reflectDeviceStatus(obj: KubeObject): Obj | undefined {
  const status = asObj(obj['status']);
  if (!status) return undefined;
  const out = pickDeviceStatus(status);
  return Object.keys(out).length ? out : undefined;
}

/** A device does its job while its mapper reports it online. */
export function interpretDeviceHealth(obj: KubeObject): boolean {
  return str(nested(obj, 'status', 'state')) === DEVICE_STATE_ONLINE;
}

const timeOf = (v: unknown) => (typeof v === 'string' ? Date.parse(v) : NaN);

/**
 * Folds the members' Device statuses onto the template. With one member the template shows that
 * member's status. With several:
 *   - state: "online" only when every member is online; else "offline" when any member is offline;
 *     else "unknown" (a member that reported nothing counts as unknown);
 *   - lastOnlineTime: the latest of the members';
 *   - twins: those of the member with the latest lastOnlineTime (the freshest view of the device; on a
 *     tie, or when no member has been online, the first member in cluster order that has twins).
 * Status fields other than these three are kept from the template.
 */
export function aggregateDeviceStatus(obj: KubeObject, items: AggregatedStatusItem[]): KubeObject {
  if (!items.length) return clone(obj);
  const old = asObj(obj['status']) ?? {};
  const kept: Obj = {};
  for (const [k, v] of Object.entries(old)) if (!(DEVICE_STATUS_FIELDS as readonly string[]).includes(k)) kept[k] = clone(v);
  const statuses = items.map((i) => pickDeviceStatus(asObj(i.status) ?? {}));

  let merged: Obj;
  if (statuses.length === 1) merged = statuses[0]!;
  else {
    const states = statuses.map((s) => str(s['state']) || DEVICE_STATE_UNKNOWN);
    const state = states.every((s) => s === DEVICE_STATE_ONLINE) ? DEVICE_STATE_ONLINE : states.includes(DEVICE_STATE_OFFLINE) ? DEVICE_STATE_OFFLINE : DEVICE_STATE_UNKNOWN;
    let latest: Obj | undefined;
    for (const s of statuses) {
      const t = timeOf(s['lastOnlineTime']);
      if (!Number.isNaN(t) && (latest === undefined || t > timeOf(latest['lastOnlineTime']))) latest = s;
    }
    const twinsFrom = latest?.['twins'] !== undefined ? latest : statuses.find((s) => s['twins'] !== undefined);
    merged = { state };
    if (latest) merged['lastOnlineTime'] = latest['lastOnlineTime'];
    if (twinsFrom) merged['twins'] = twinsFrom['twins'];
  }
  const out = clone(obj);
  out['status'] = { ...kept, ...merged };
  return out;
}

/** A Device is useless without its DeviceModel: propagate the model alongside. */
export function deviceDependencies(obj: KubeObject): DependentObjectReference[] {
  const name = str(nested(obj, 'spec', 'deviceModelRef', 'name'));
  if (!name) return [];
  return [{ apiVersion: DEVICES_API_VERSION, kind: DEVICE_MODEL_KIND, ...(obj.metadata?.namespace ? { namespace: obj.metadata.namespace } : {}), name }];
}

export const deviceReflectStatusInterpreters: Record<string, ReflectStatusInterpreter> = {
  [DEVICE_GVK_KEY]: reflectDeviceStatus,
  [DEVICE_MODEL_GVK_KEY]: () => undefined,
};

export const deviceHealthInterpreters: Record<string, HealthInterpreter> = {
  [DEVICE_GVK_KEY]: interpretDeviceHealth,
};

export const deviceAggregateStatusInterpreters: Record<string, AggregateStatusInterpreter> = {
  [DEVICE_GVK_KEY]: aggregateDeviceStatus,
};

export const deviceDependenciesInterpreters: Record<string, DependenciesInterpreter> = {
  [DEVICE_GVK_KEY]: deviceDependencies,
};
