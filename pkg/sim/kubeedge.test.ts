import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Device, DeviceModel } from '../edge/device.js';
import { deviceConnection, mapperStatus, type MapperInput } from './kubeedge.js';
import { FAIL_ANNOTATION, timestamp } from './podutil.js';
import { eventually, startSim, type TestSim } from './testing.js';
import type { Node } from './types.js';

const T0 = Date.parse('2025-01-01T00:00:00Z');
const PERIOD = 30_000;

const node = (name: string, opts: { edge?: boolean; ready?: 'True' | 'False' | 'Unknown' } = {}): Node => ({
  metadata: { name, labels: opts.edge === false ? {} : { 'node-role.kubernetes.io/edge': '' } },
  status: { nodeInfo: { kubeletVersion: 'v1.31.0' }, conditions: [{ type: 'Ready', status: opts.ready ?? 'True' }] },
});

const device = (props: { name: string; desired?: string; type?: string }[], opts: { nodeName?: string; status?: Device['status'] } = {}): Device => ({
  apiVersion: 'devices.kubeedge.io/v1beta1',
  kind: 'Device',
  metadata: { name: 'sensor', namespace: 'default' },
  spec: {
    deviceModelRef: { name: 'sensor-model' },
    ...(opts.nodeName === '' ? {} : { nodeName: opts.nodeName ?? 'm-edge-node-0' }),
    properties: props.map((p) => ({ name: p.name, ...(p.desired !== undefined ? { desired: { value: p.desired, ...(p.type ? { metadata: { type: p.type } } : {}) } } : {}) })),
  },
  ...(opts.status ? { status: opts.status } : {}),
});

const model: DeviceModel = { metadata: { name: 'sensor-model', namespace: 'default' }, spec: { properties: [{ name: 'threshold', type: 'INT' }, { name: 'enable', type: 'BOOLEAN' }] } };

const input = (d: Device, now: number, extra: Partial<MapperInput> = {}): MapperInput => ({ device: d, node: node('m-edge-node-0'), model, now, reportPeriodMs: PERIOD, reportDelayMs: 0, ...extra });

describe('simulated KubeEdge mapper (pure)', () => {
  it('derives the device state from its node', () => {
    const cases: { name: string; d: Device; node?: Node; want: string }[] = [
      { name: 'no nodeName', d: device([], { nodeName: '' }), node: node('x'), want: 'unknown' },
      { name: 'node missing', d: device([]), want: 'offline' },
      { name: 'cloud node', d: device([]), node: node('m-node-0', { edge: false }), want: 'unknown' },
      { name: 'edge node ready', d: device([]), node: node('m-edge-node-0'), want: 'online' },
      { name: 'edge node unreachable', d: device([]), node: node('m-edge-node-0', { ready: 'Unknown' }), want: 'offline' },
      { name: 'edge node not ready', d: device([]), node: node('m-edge-node-0', { ready: 'False' }), want: 'offline' },
    ];
    for (const c of cases) assert.equal(deviceConnection(c.d, c.node), c.want, c.name);
  });

  it('reports online twins echoing desired values, typed from the model or the desired metadata', () => {
    const d = device([{ name: 'threshold', desired: '30' }, { name: 'enable', desired: 'true', type: 'bool' }, { name: 'temperature' }]);
    const { status, requeueAfterMs } = mapperStatus(input(d, T0));
    assert.equal(status.state, 'online');
    assert.equal(status.lastOnlineTime, '2025-01-01T00:00:00Z');
    assert.deepEqual(status.twins, [
      { propertyName: 'threshold', reported: { value: '30', metadata: { timestamp: String(T0), type: 'int' } }, observedDesired: { value: '30', metadata: { timestamp: String(T0), type: 'int' } } },
      { propertyName: 'enable', reported: { value: 'true', metadata: { timestamp: String(T0), type: 'bool' } }, observedDesired: { value: 'true', metadata: { type: 'bool', timestamp: String(T0) } } },
    ]);
    assert.equal(requeueAfterMs, PERIOD, 'next lastOnlineTime refresh');
  });

  it('fixes twin types when the DeviceModel arrives after the device', () => {
    const d = device([{ name: 'threshold', desired: '30' }]);
    const early = mapperStatus(input(d, T0, { model: undefined })).status;
    assert.equal(early.twins![0]!.reported!.metadata!.type, 'string');
    const typed = mapperStatus(input({ ...d, status: early }, T0 + 1000)).status;
    assert.deepEqual(typed.twins![0]!.observedDesired, { value: '30', metadata: { timestamp: String(T0), type: 'int' } });
    assert.deepEqual(typed.twins![0]!.reported, { value: '30', metadata: { timestamp: String(T0 + 1000), type: 'int' } });
  });

  it('writes nothing new until the report period has passed, then only lastOnlineTime moves', () => {
    const d = device([{ name: 'threshold', desired: '30' }]);
    const first = mapperStatus(input(d, T0)).status;
    const again = mapperStatus(input({ ...d, status: first }, T0 + 10_000));
    assert.deepEqual(again.status, first, 'no write inside the period');
    assert.equal(again.requeueAfterMs, PERIOD - 10_000);
    const later = mapperStatus(input({ ...d, status: first }, T0 + PERIOD)).status;
    assert.equal(later.lastOnlineTime, timestamp(T0 + PERIOD));
    assert.deepEqual(later.twins, first.twins, 'twin timestamps move only with their values');
  });

  it('observes a new desired value at once and reports it after the delay', () => {
    const first = mapperStatus(input(device([{ name: 'threshold', desired: '30' }]), T0)).status;
    const changed = device([{ name: 'threshold', desired: '35' }], { status: first });
    const t1 = T0 + 1000;
    const pending = mapperStatus(input(changed, t1, { reportDelayMs: 5000 }));
    assert.equal(pending.status.twins![0]!.observedDesired!.value, '35');
    assert.equal(pending.status.twins![0]!.reported!.value, '30', 'the device has not answered yet');
    assert.equal(pending.requeueAfterMs, 5000);
    const waiting = mapperStatus(input({ ...changed, status: pending.status }, t1 + 2000, { reportDelayMs: 5000 }));
    assert.deepEqual(waiting.status, pending.status);
    assert.equal(waiting.requeueAfterMs, 3000);
    const done = mapperStatus(input({ ...changed, status: pending.status }, t1 + 5000, { reportDelayMs: 5000 })).status;
    assert.deepEqual(done.twins![0]!.reported, { value: '35', metadata: { timestamp: String(t1 + 5000), type: 'int' } });
    assert.equal(done.twins![0]!.observedDesired!.metadata!.timestamp, String(t1), 'observed when it arrived');
  });

  it('keeps twins and lastOnlineTime while offline or unknown, and keeps read-only twins', () => {
    const online = mapperStatus(input(device([{ name: 'threshold', desired: '30' }]), T0)).status;
    const desiredMoved = device([{ name: 'threshold', desired: '99' }], { status: online });
    for (const n of [node('m-edge-node-0', { ready: 'Unknown' }), undefined]) {
      const r = mapperStatus(input(desiredMoved, T0 + 60_000, { node: n }));
      assert.deepEqual(r.status, { ...online, state: 'offline' });
      assert.equal(r.requeueAfterMs, undefined);
    }
    const unknown = mapperStatus(input(desiredMoved, T0 + 60_000, { node: node('m-node-0', { edge: false }) })).status;
    assert.equal(unknown.state, 'unknown');
    assert.deepEqual(unknown.twins, online.twins);
    // A property without desired value keeps its last report; a property gone from spec loses its twin.
    const readOnly = mapperStatus(input(device([{ name: 'threshold' }], { status: online }), T0 + 1000)).status;
    assert.deepEqual(readOnly.twins, online.twins);
    const gone = mapperStatus(input(device([], { status: online }), T0 + 1000)).status;
    assert.equal(gone.twins, undefined);
  });
});

describe('simulated KubeEdge cluster (in-process)', () => {
  let sim: TestSim;
  const devicesPath = '/apis/devices.kubeedge.io/v1beta1/namespaces/default/devices';

  before(async () => {
    sim = await startSim({ name: 'member3', nodes: 1, edgeNodes: 2 });
  });
  after(async () => {
    await sim?.stop();
  });

  const getDevice = async (name: string) => (await sim.call('GET', `${devicesPath}/${name}`)).json as Device;

  it('serves the device CRDs and reports twins of devices on edge nodes', async () => {
    const models = await sim.call('POST', '/apis/devices.kubeedge.io/v1beta1/namespaces/default/devicemodels', { ...model, apiVersion: 'devices.kubeedge.io/v1beta1', kind: 'DeviceModel' });
    assert.equal(models.status, 201, JSON.stringify(models.json));
    const sensor = device([{ name: 'threshold', desired: '30' }], { nodeName: 'member3-edge-node-0' });
    const created = await sim.call('POST', devicesPath, sensor);
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const online = await eventually('device online with a reported twin', async () => {
      const d = await getDevice('sensor');
      return d.status?.state === 'online' && d.status.twins?.[0]?.reported?.value === '30' ? d : undefined;
    });
    assert.equal(online.status!.twins![0]!.reported!.metadata!.type, 'int', 'type from the DeviceModel');
    assert.match(online.status!.lastOnlineTime!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    for (const [name, nodeName, want] of [
      ['on-cloud-node', 'member3-node-0', 'unknown'],
      ['on-missing-node', 'member3-edge-node-9', 'offline'],
    ] as const) {
      const r = await sim.call('POST', devicesPath, { ...device([{ name: 'threshold', desired: '1' }], { nodeName }), metadata: { name, namespace: 'default' } });
      assert.equal(r.status, 201);
      await eventually(`${name} ${want}`, async () => (await getDevice(name)).status?.state === want);
    }
  });

  it('goes offline with its edge node, keeps its twins, and follows desired values once back', async () => {
    const before = await getDevice('sensor');
    const nodeAnnotation = (value: string | undefined) =>
      sim.update<Node>(sim.kinds.nodes, undefined, 'member3-edge-node-0', (n) => {
        n.metadata!.annotations ??= {};
        if (value === undefined) delete n.metadata!.annotations[FAIL_ANNOTATION];
        else n.metadata!.annotations[FAIL_ANNOTATION] = value;
      });
    await nodeAnnotation('true');
    const offline = await eventually('device offline', async () => {
      const d = await getDevice('sensor');
      return d.status?.state === 'offline' ? d : undefined;
    });
    assert.deepEqual(offline.status!.twins, before.status!.twins);
    assert.equal(offline.status!.lastOnlineTime, before.status!.lastOnlineTime);

    await nodeAnnotation(undefined);
    await eventually('device online again', async () => (await getDevice('sensor')).status?.state === 'online');
    const patched = await sim.call('PUT', `${devicesPath}/sensor`, { ...(await getDevice('sensor')), spec: device([{ name: 'threshold', desired: '35' }], { nodeName: 'member3-edge-node-0' }).spec });
    assert.equal(patched.status, 200, JSON.stringify(patched.json));
    const moved = await eventually('new desired value reported', async () => {
      const d = await getDevice('sensor');
      return d.status?.twins?.[0]?.reported?.value === '35' ? d : undefined;
    });
    assert.equal(moved.status!.twins![0]!.observedDesired!.value, '35');
  });

  it('clusters without edge nodes serve no device CRDs', async () => {
    const plain = await startSim({ name: 'cloud', nodes: 1 });
    try {
      assert.equal((await plain.call('GET', devicesPath)).status, 404);
    } finally {
      await plain.stop();
    }
  });
});
