import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AggregatedStatusItem } from '../../apis/work/v1alpha2/index.js';
import type { KubeObject } from '../../runtime/types.js';
import { DefaultResourceInterpreter } from '../interpreter.js';
import { aggregateDeviceStatus, deviceDependencies, interpretDeviceHealth, reflectDeviceStatus } from './device.js';

const twins = (v: string) => [{ propertyName: 'threshold', reported: { value: v, metadata: { timestamp: '1', type: 'int' } }, observedDesired: { value: v } }];

const device = (status?: Record<string, unknown>): KubeObject => ({
  apiVersion: 'devices.kubeedge.io/v1beta1',
  kind: 'Device',
  metadata: { name: 'sensor', namespace: 'default', generation: 2 },
  spec: { deviceModelRef: { name: 'sensor-model' }, nodeName: 'member3-edge-node-0', properties: [{ name: 'threshold', desired: { value: '30' } }] },
  ...(status ? { status } : {}),
});

const item = (clusterName: string, status?: Record<string, unknown>): AggregatedStatusItem => ({ clusterName, applied: true, ...(status ? { status } : {}) });

describe('Device built-in interpreter', () => {
  it('reflects state, lastOnlineTime and twins only', () => {
    const member = device({ state: 'online', lastOnlineTime: '2025-01-01T00:00:00Z', twins: twins('30'), reportToCloud: true, reportCycle: 1000 });
    assert.deepEqual(reflectDeviceStatus(member), { state: 'online', lastOnlineTime: '2025-01-01T00:00:00Z', twins: twins('30') });
    assert.equal(reflectDeviceStatus(device()), undefined, 'no status, nothing to report');
    assert.equal(reflectDeviceStatus(device({ reportToCloud: true })), undefined, 'nothing of interest');
  });

  it('is healthy only while online', () => {
    const cases: { state?: string; want: boolean }[] = [{ state: 'online', want: true }, { state: 'offline', want: false }, { state: 'unknown', want: false }, { want: false }];
    for (const c of cases) assert.equal(interpretDeviceHealth(device(c.state ? { state: c.state } : undefined)), c.want, String(c.state));
  });

  it('aggregates members: all online, any offline, else unknown; latest lastOnlineTime and its twins', () => {
    const t1 = '2025-01-01T00:00:00Z';
    const t2 = '2025-01-01T00:05:00Z';
    const cases: { name: string; items: AggregatedStatusItem[]; want: Record<string, unknown> }[] = [
      { name: 'one member: its status', items: [item('m1', { state: 'offline', lastOnlineTime: t1, twins: twins('1') })], want: { state: 'offline', lastOnlineTime: t1, twins: twins('1') } },
      {
        name: 'all online: latest time, twins of the freshest member',
        items: [item('m1', { state: 'online', lastOnlineTime: t1, twins: twins('1') }), item('m2', { state: 'online', lastOnlineTime: t2, twins: twins('2') })],
        want: { state: 'online', lastOnlineTime: t2, twins: twins('2') },
      },
      {
        name: 'one offline wins over unknown',
        items: [item('m1', { state: 'online', lastOnlineTime: t2, twins: twins('1') }), item('m2', { state: 'offline', lastOnlineTime: t1, twins: twins('2') }), item('m3', { state: 'unknown' })],
        want: { state: 'offline', lastOnlineTime: t2, twins: twins('1') },
      },
      {
        name: 'a member without status counts as unknown',
        items: [item('m1', { state: 'online', lastOnlineTime: t1, twins: twins('1') }), item('m2')],
        want: { state: 'unknown', lastOnlineTime: t1, twins: twins('1') },
      },
      {
        name: 'never online: no time, twins of the first member having some',
        items: [item('m1', { state: 'unknown' }), item('m2', { state: 'unknown', twins: twins('2') })],
        want: { state: 'unknown', twins: twins('2') },
      },
      {
        name: 'equal times: first in cluster order',
        items: [item('m1', { state: 'online', lastOnlineTime: t1, twins: twins('1') }), item('m2', { state: 'online', lastOnlineTime: t1, twins: twins('2') })],
        want: { state: 'online', lastOnlineTime: t1, twins: twins('1') },
      },
    ];
    for (const c of cases) assert.deepEqual(aggregateDeviceStatus(device(), c.items).status, c.want, c.name);
    // Old values of the aggregated fields go; other template status fields stay; the input is untouched.
    const template = device({ state: 'online', lastOnlineTime: t2, twins: twins('9'), reportCycle: 5 });
    const out = aggregateDeviceStatus(template, [item('m1', { state: 'unknown' }), item('m2', { state: 'unknown' })]);
    assert.deepEqual(out.status, { state: 'unknown', reportCycle: 5 });
    assert.deepEqual((template.status as { twins: unknown }).twins, twins('9'));
    assert.deepEqual(aggregateDeviceStatus(template, []), template, 'no members: unchanged');
  });

  it('depends on its DeviceModel', () => {
    assert.deepEqual(deviceDependencies(device()), [{ apiVersion: 'devices.kubeedge.io/v1beta1', kind: 'DeviceModel', namespace: 'default', name: 'sensor-model' }]);
    assert.deepEqual(deviceDependencies({ ...device(), spec: {} }), []);
  });

  it('is what the resource interpreter uses for Devices and DeviceModels', async () => {
    const ri = new DefaultResourceInterpreter({});
    const gvk = { apiVersion: 'devices.kubeedge.io/v1beta1', kind: 'Device' };
    assert.equal(ri.hookEnabled(gvk, 'InterpretStatus'), true);
    assert.equal(ri.hookEnabled(gvk, 'AggregateStatus'), true);
    assert.equal(ri.hookEnabled(gvk, 'InterpretHealth'), true);
    assert.equal(ri.hookEnabled(gvk, 'InterpretReplica'), false, 'no replicas');
    const member = device({ state: 'offline', lastOnlineTime: '2025-01-01T00:00:00Z', twins: twins('3'), reportToCloud: true });
    assert.deepEqual(await ri.reflectStatus(member), { state: 'offline', lastOnlineTime: '2025-01-01T00:00:00Z', twins: twins('3') });
    assert.equal(await ri.interpretHealth(member), false);
    const agg = await ri.aggregateStatus(device(), [item('member3', { state: 'online', lastOnlineTime: '2025-01-01T00:00:00Z', twins: twins('3') })]);
    assert.equal((agg.status as { state: string }).state, 'online');
    assert.deepEqual(await ri.getDependencies(device()), deviceDependencies(device()));
    assert.deepEqual(await ri.getReplicas(device()), { replicas: 0 });
    const model: KubeObject = { apiVersion: 'devices.kubeedge.io/v1beta1', kind: 'DeviceModel', metadata: { name: 'sensor-model' }, spec: { protocol: 'modbus' }, status: { stray: 1 } };
    assert.equal(await ri.reflectStatus(model), undefined, 'a DeviceModel has no status to report');
    assert.equal(await ri.interpretHealth(model), true);
    ri.close();
  });
});
