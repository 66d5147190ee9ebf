// KubeEdge in kube-sim: clusters with edge nodes serve the devices.kubeedge.io Device and DeviceModel CRDs,
// and a simulated mapper plays edgecore's device twin + a device mapper for every Device bound to an edge
// node of the cluster (spec.nodeName):
//
//   node Ready                    → state "online", lastOnlineTime refreshed at most every report period,
//                                   twins[] per property with a desired value: observedDesired = desired,
//                                   reported = desired after the report delay (a real mapper reads the
//                                   device; the simulation echoes what was asked for)
//   node unreachable/NotReady,    → state "offline"; twins keep their last values (the edge cannot hear
//   or no such node                 the cloud, nor the cloud the device)
//   no nodeName, non-edge node    → state "unknown"
//
// Take an edge node offline as any node: kubectl annotate node NODE kube-sim.karmada.io/fail=true.

import { ApiError } from '../apiserver/errors.js';
import type { Registry } from '../apiserver/registry/registry.js';
import type { ResourceDescriptor } from '../apiserver/registry/types.js';
import type { Store, UserInfo } from '../apiserver/store/store.js';
import { isEdgeNode } from '../edge/cluster.js';
import { kubeEdgeCRDs } from '../edge/crds.js';
import {
  DEVICE_STATE_OFFLINE,
  DEVICE_STATE_ONLINE,
  DEVICE_STATE_UNKNOWN,
  DEVICES_GROUP,
  DEVICES_VERSION,
  TWIN_METADATA_TIMESTAMP,
  TWIN_METADATA_TYPE,
  type Device,
  type DeviceModel,
  type DeviceStatus,
  type Twin,
} from '../edge/device.js';
import { deepEqual } from '../util/deepequal.js';
import { Controller, type SimContext } from './controller.js';
import type { Informer } from './informer.js';
import { getCondition, keyOf, parseTime, timestamp } from './podutil.js';
import type { KubeObject, Node } from './types.js';

const FIELD_MANAGER = 'kubeedge-mapper';

export interface EdgeKinds {
  devices: ResourceDescriptor;
  deviceModels: ResourceDescriptor;
}

/** Creates (or upgrades) the Device and DeviceModel CRDs and waits until the API server serves them. */
export async function installKubeEdgeCRDs(registry: Registry, store: Store, user: UserInfo, timeoutMs = 30_000): Promise<EdgeKinds> {
  const crds = registry.get('apiextensions.k8s.io', 'v1', 'customresourcedefinitions');
  if (!crds) throw new Error('kube-sim needs customresourcedefinitions.apiextensions.k8s.io/v1 to serve the KubeEdge device CRDs');
  for (const crd of kubeEdgeCRDs()) {
    const name = crd.metadata!.name!;
    const existing = await store.tryGet(crds, undefined, name);
    if (!existing) {
      try {
        await store.create(crds, undefined, structuredClone(crd), { user });
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 409)) throw err;
      }
      continue;
    }
    const want = crd.spec as Record<string, unknown>;
    const same = (o: KubeObject) => Object.keys(want).every((k) => deepEqual(want[k], (o.spec as Record<string, unknown> | undefined)?.[k]));
    if (same(existing)) continue;
    await store.guaranteedUpdate(crds, undefined, name, { user }, (cur) => {
      if (!same(cur)) cur.spec = { ...(cur.spec as Record<string, unknown>), ...want };
      return cur;
    });
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const devices = registry.get(DEVICES_GROUP, DEVICES_VERSION, 'devices');
    const deviceModels = registry.get(DEVICES_GROUP, DEVICES_VERSION, 'devicemodels');
    if (devices && deviceModels) return { devices, deviceModels };
    if (Date.now() > deadline) throw new Error(`the KubeEdge device CRDs were created but are not served after ${timeoutMs} ms; check the API server log for CRD errors`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// ---- the mapper's decision (pure) -------------------------------------------------------------

export type DeviceConnection = typeof DEVICE_STATE_ONLINE | typeof DEVICE_STATE_OFFLINE | typeof DEVICE_STATE_UNKNOWN;

/** The device's state as its node makes it: see the table at the top of this file. */
export function deviceConnection(device: Device, node: Node | undefined): DeviceConnection {
  if (!device.spec?.nodeName) return DEVICE_STATE_UNKNOWN;
  if (!node) return DEVICE_STATE_OFFLINE;
  if (!isEdgeNode(node)) return DEVICE_STATE_UNKNOWN;
  return getCondition(node.status?.conditions, 'Ready')?.status === 'True' ? DEVICE_STATE_ONLINE : DEVICE_STATE_OFFLINE;
}

export interface MapperInput {
  device: Device;
  /** The node named by spec.nodeName, when it exists. */
  node: Node | undefined;
  /** The DeviceModel of spec.deviceModelRef, when it exists (gives twins their value type). */
  model?: DeviceModel;
  now: number;
  /** lastOnlineTime is rewritten at most this often while online. */
  reportPeriodMs: number;
  /** Time from a new desired value to its reported echo. */
  reportDelayMs: number;
}

export interface MapperResult {
  status: DeviceStatus;
  /** When to compute again (report delay running out, lastOnlineTime due); undefined: on events only. */
  requeueAfterMs?: number;
}

/** The twin value type: the desired value's metadata type, else the model property's type, lower-cased as mappers write it. */
function twinType(input: MapperInput, property: string, desiredType: string | undefined): string {
  if (desiredType) return desiredType;
  const modelType = input.model?.spec?.properties?.find((p) => p.name === property)?.type;
  return modelType ? modelType.toLowerCase() : 'string';
}

/** The status the mapper reports for a device now; equal to the current status when nothing is to be written. */
export function mapperStatus(input: MapperInput): MapperResult {
  const { device, now } = input;
  const current = device.status ?? {};
  const state = deviceConnection(device, input.node);
  const status: DeviceStatus = structuredClone(current);
  status.state = state;
  if (state !== DEVICE_STATE_ONLINE) return { status };

  let next: number | undefined;
  const later = (ms: number) => (next = next === undefined ? Math.max(1, ms) : Math.min(next, Math.max(1, ms)));

  const last = parseTime(current.lastOnlineTime);
  if (current.state !== DEVICE_STATE_ONLINE || last === undefined || now - last >= input.reportPeriodMs) status.lastOnlineTime = timestamp(now);
  later(parseTime(status.lastOnlineTime)! + input.reportPeriodMs - now);

  const previous = new Map((current.twins ?? []).map((t) => [t.propertyName, t]));
  const twins: Twin[] = [];
  for (const p of device.spec?.properties ?? []) {
    if (!p.name) continue;
    const prev = previous.get(p.name);
    if (!p.desired) {
      // Nothing to echo: a read-only property keeps whatever was reported before.
      if (prev) twins.push(structuredClone(prev));
      continue;
    }
    const type = twinType(input, p.name, p.desired.metadata?.[TWIN_METADATA_TYPE]);
    let observedDesired = prev?.observedDesired;
    let observedAt: number;
    if (!observedDesired || observedDesired.value !== p.desired.value) {
      observedDesired = { value: p.desired.value, metadata: { ...(p.desired.metadata ?? {}), [TWIN_METADATA_TIMESTAMP]: String(now), [TWIN_METADATA_TYPE]: type } };
      observedAt = now;
    } else {
      observedDesired = structuredClone(observedDesired);
      observedAt = Number(observedDesired.metadata?.[TWIN_METADATA_TIMESTAMP]) || 0;
      // The model can arrive after the device: fix the type without restarting the report delay.
      if (observedDesired.metadata?.[TWIN_METADATA_TYPE] !== type) observedDesired.metadata = { ...(observedDesired.metadata ?? {}), [TWIN_METADATA_TYPE]: type };
    }
    let reported = prev?.reported ? structuredClone(prev.reported) : undefined;
    const due = observedAt + input.reportDelayMs;
    if (now >= due) {
      if (reported?.value !== p.desired.value || reported.metadata?.[TWIN_METADATA_TYPE] !== type) {
        reported = { value: p.desired.value, metadata: { [TWIN_METADATA_TIMESTAMP]: String(now), [TWIN_METADATA_TYPE]: type } };
      }
    } else later(due - now);
    twins.push({ propertyName: p.name, ...(reported ? { reported } : {}), observedDesired });
  }
  if (twins.length) status.twins = twins;
  else delete status.twins;
  return { status, requeueAfterMs: next };
}

// ---- controller -------------------------------------------------------------------------------

const NODE_INDEX = 'spec.nodeName';
const MODEL_INDEX = 'spec.deviceModelRef';

const modelKey = (d: Device) => (d.spec?.deviceModelRef?.name ? `${d.metadata?.namespace}/${d.spec.deviceModelRef.name}` : undefined);

/** The simulated device twin + mapper of a KubeEdge cluster: writes each Device's status. */
export class DeviceMapperController extends Controller {
  private readonly devices: Informer<Device & KubeObject>;
  private readonly models: Informer<DeviceModel & KubeObject>;
  private readonly nodes: Informer<Node>;

  constructor(
    ctx: SimContext,
    private readonly edgeKinds: EdgeKinds,
  ) {
    super('kubeedge-mapper', ctx, 1);
    this.devices = ctx.informers
      .for<Device & KubeObject>(edgeKinds.devices)
      .addIndex(NODE_INDEX, (d) => (d.spec?.nodeName ? [d.spec.nodeName] : []))
      .addIndex(MODEL_INDEX, (d) => {
        const k = modelKey(d);
        return k ? [k] : [];
      });
    this.models = ctx.informers.for<DeviceModel & KubeObject>(edgeKinds.deviceModels);
    this.nodes = ctx.informers.for<Node>(ctx.kinds.nodes);
    this.devices.on((type, d) => {
      if (type === 'put') this.queue.add(keyOf(d));
    });
    this.nodes.on((_type, node) => {
      for (const d of this.devices.byIndex(NODE_INDEX, node.metadata!.name!)) this.queue.add(keyOf(d));
    });
    this.models.on((_type, m) => {
      for (const d of this.devices.byIndex(MODEL_INDEX, keyOf(m))) this.queue.add(keyOf(d));
    });
  }

  protected async reconcile(key: string): Promise<number | void> {
    const device = this.devices.get(key);
    if (!device || device.metadata?.deletionTimestamp) return;
    const now = this.ctx.now();
    const { deviceReportPeriodMs: reportPeriodMs, deviceReportDelayMs: reportDelayMs } = this.ctx.config;
    const decide = (d: Device) => {
      const m = modelKey(d);
      const node = d.spec?.nodeName ? this.nodes.get(d.spec.nodeName) : undefined;
      return mapperStatus({ device: d, node, model: m ? this.models.get(m) : undefined, now, reportPeriodMs, reportDelayMs });
    };
    const { status, requeueAfterMs } = decide(device);
    if (!deepEqual(status, device.status ?? {})) {
      const m = device.metadata!;
      await this.ctx.client.update<Device & KubeObject>(
        this.edgeKinds.devices,
        m.namespace,
        m.name!,
        (cur) => {
          const want = decide(cur).status;
          if (deepEqual(want, cur.status ?? {})) return false;
          cur.status = want;
        },
        { status: true, uid: m.uid, fieldManager: FIELD_MANAGER },
      );
    }
    return requeueAfterMs;
  }
}
