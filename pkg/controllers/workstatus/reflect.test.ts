import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../runtime/types.js';
import { FakeInterpreter } from '../execution/testing.js';
import { buildManifestStatus, interpretHealth, manifestStatusesEqual, statusIdentifier } from './reflect.js';

const deployment = (replicas: number, ready: number, generation = 1, observedGeneration = 1): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'nginx', namespace: 'default', generation },
  spec: { replicas },
  status: { replicas, readyReplicas: ready, observedGeneration, conditions: [{ type: 'Available', status: 'True' }] },
});

describe('statusIdentifier', () => {
  test('namespaced and cluster-scoped resources', () => {
    assert.deepEqual(statusIdentifier(0, { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespaced: true }, deployment(1, 1)), {
      ordinal: 0,
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
      resource: 'deployments',
      namespace: 'default',
      name: 'nginx',
    });
    assert.deepEqual(statusIdentifier(2, { group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', namespaced: false }, { metadata: { name: 'ns1' } }), {
      ordinal: 2,
      group: '',
      version: 'v1',
      kind: 'Namespace',
      resource: 'namespaces',
      name: 'ns1',
    });
  });
});

describe('interpretHealth', () => {
  const interpreter = new FakeInterpreter();
  const cases: { name: string; obj: KubeObject; want: string }[] = [
    { name: 'ready deployment', obj: deployment(2, 2), want: 'Healthy' },
    { name: 'deployment not ready', obj: deployment(2, 1), want: 'Unhealthy' },
    { name: 'old generation observed', obj: deployment(2, 2, 3, 2), want: 'Unhealthy' },
    { name: 'kind without a health hook is Healthy', obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }, want: 'Healthy' },
  ];
  for (const c of cases) test(c.name, async () => assert.equal((await interpretHealth(interpreter, c.obj)).health, c.want));

  test('a failing interpreter gives Unknown and the error', async () => {
    const failing = new (class extends FakeInterpreter {
      override async interpretHealth(): Promise<boolean> {
        throw new Error('lua: boom');
      }
    })();
    const r = await interpretHealth(failing, deployment(1, 1));
    assert.equal(r.health, 'Unknown');
    assert.match(String(r.error), /boom/);
  });
});

describe('buildManifestStatus', () => {
  test('reflected status and health; no status field when nothing is reflected', async () => {
    const interpreter = new FakeInterpreter();
    const id = { ordinal: 0, group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', namespace: 'default', name: 'nginx' };
    const { status } = await buildManifestStatus(interpreter, id, deployment(2, 2));
    assert.deepEqual(status, { identifier: id, status: { replicas: 2, readyReplicas: 2, observedGeneration: 1 }, health: 'Healthy' });
    const cm = await buildManifestStatus(interpreter, { ...id, kind: 'ConfigMap' }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } });
    assert.equal('status' in cm.status, false);
  });

  test('manifestStatusesEqual treats missing as empty', () => {
    assert.equal(manifestStatusesEqual(undefined, []), true);
    assert.equal(manifestStatusesEqual([], [{ identifier: { ordinal: 0, version: 'v1', kind: 'K', resource: 'k', name: 'n' } }]), false);
  });
});
