import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import type { ResourceInterpreterCustomization } from '../apis/config/v1alpha1/index.js';
import type { KubeObject } from '../runtime/types.js';
import { DefaultResourceInterpreter } from './interpreter.js';
import { SAMPLE_WORKLOAD_RIC_YAML, sampleWorkload } from './testing.js';

const sampleRIC = () => parse(SAMPLE_WORKLOAD_RIC_YAML) as ResourceInterpreterCustomization;

function ric(name: string, target: { apiVersion: string; kind: string }, customizations: Record<string, string>): ResourceInterpreterCustomization {
  return {
    apiVersion: 'config.karmada.io/v1alpha1',
    kind: 'ResourceInterpreterCustomization',
    metadata: { name },
    spec: { target, customizations: Object.fromEntries(Object.entries(customizations).map(([rule, luaScript]) => [rule, { luaScript }])) },
  };
}

test('a Lua customization drives every operation of a CRD', async () => {
  const interp = new DefaultResourceInterpreter({ customizations: () => [sampleRIC()] });
  try {
    const wl = sampleWorkload(3) as KubeObject;
    const before = structuredClone(wl);
    const gvk = { apiVersion: 'apps.example.io/v1', kind: 'Workload' };
    for (const op of ['InterpretReplica', 'ReviseReplica', 'Retain', 'AggregateStatus', 'InterpretStatus', 'InterpretHealth', 'InterpretDependency'] as const) {
      assert.equal(interp.hookEnabled(gvk, op), true, op);
    }

    assert.deepEqual(await interp.getReplicas(wl), { replicas: 3, requirements: { resourceRequest: { cpu: '250m', memory: '128Mi' } } });

    const revised = await interp.reviseReplica(wl, 1);
    assert.equal((revised['spec'] as { replicas: number }).replicas, 1);
    assert.deepEqual((revised['spec'] as { template: unknown }).template, (wl['spec'] as { template: unknown }).template, 'the rest round-trips');

    const observed = { ...structuredClone(wl), metadata: { ...wl.metadata, resourceVersion: '9' }, spec: { ...(wl['spec'] as object), paused: true } };
    const retained = await interp.retain(wl, observed);
    assert.equal((retained['spec'] as { paused: boolean }).paused, true, 'the script kept paused');
    assert.equal(retained.metadata?.resourceVersion, '9', 'generic retention applied first');

    const member = { ...structuredClone(wl), status: { replicas: 2, readyReplicas: 1, observedGeneration: 2 } };
    assert.deepEqual(await interp.reflectStatus(member), { replicas: 2, readyReplicas: 1, observedGeneration: 2, generation: 2 });
    assert.deepEqual(await interp.reflectStatus(wl), {}, 'an empty status table is an empty object');

    const aggregated = await interp.aggregateStatus(wl, [
      { clusterName: 'm1', status: { replicas: 2, readyReplicas: 2 }, applied: true, health: 'Healthy' },
      { clusterName: 'm2', status: { replicas: 1, readyReplicas: 0 }, applied: true, health: 'Unhealthy' },
      { clusterName: 'm3', applied: false },
    ]);
    assert.deepEqual(aggregated['status'], { replicas: 3, readyReplicas: 2 });

    assert.equal(await interp.interpretHealth({ ...wl, status: { readyReplicas: 3 } }), true);
    assert.equal(await interp.interpretHealth({ ...wl, status: { readyReplicas: 1 } }), false);

    assert.deepEqual(await interp.getDependencies(wl), [
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'demo-config' },
      { apiVersion: 'v1', kind: 'Secret', namespace: 'default', name: 'demo-secret' },
      { apiVersion: 'v1', kind: 'ServiceAccount', namespace: 'default', name: 'demo-sa' },
    ]);
    assert.deepEqual(wl, before, 'inputs never mutated');
  } finally {
    interp.close();
  }
});

test('precedence: customization, then built-in, then default', async () => {
  const rics = [ric('deploy-replicas', { apiVersion: 'apps/v1', kind: 'Deployment' }, { replicaResource: 'function GetReplicas(obj) return 42, nil end' })];
  const interp = new DefaultResourceInterpreter({ customizations: () => rics });
  try {
    const deploy: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', generation: 1 }, spec: { replicas: 2 }, status: { observedGeneration: 1, updatedReplicas: 2, availableReplicas: 2 } };
    assert.deepEqual(await interp.getReplicas(deploy), { replicas: 42 }, 'the customization wins');
    const revised = await interp.reviseReplica(deploy, 5);
    assert.equal((revised['spec'] as { replicas: number }).replicas, 5, 'built-in for rules the customization lacks');
    assert.equal(await interp.interpretHealth(deploy), true);

    const crd: KubeObject = { apiVersion: 'x.io/v1', kind: 'Thing', metadata: { name: 't' }, spec: { size: 1 }, status: { ok: true } };
    assert.equal(interp.hookEnabled({ apiVersion: 'x.io/v1', kind: 'Thing' }, 'InterpretReplica'), false);
    assert.equal(interp.hookEnabled({ apiVersion: 'apps/v1', kind: 'Deployment' }, 'Retain'), true);
    assert.deepEqual(await interp.getReplicas(crd), { replicas: 0 });
    assert.deepEqual(await interp.reviseReplica(crd, 3), crd);
    assert.deepEqual(await interp.reflectStatus(crd), { ok: true });
    assert.equal(await interp.interpretHealth(crd), true);
    assert.deepEqual(await interp.aggregateStatus(crd, [{ clusterName: 'a', status: { ok: false } }]), crd);
    assert.deepEqual(await interp.getDependencies(crd), []);
    const retained = await interp.retain(crd, { ...crd, metadata: { name: 't', resourceVersion: '3' }, spec: { size: 9 } });
    assert.equal(retained.metadata?.resourceVersion, '3');
    assert.deepEqual(retained['spec'], { size: 1 }, 'only the generic retention');

    // the customization changes: the script is compiled again
    rics[0] = ric('deploy-replicas', { apiVersion: 'apps/v1', kind: 'Deployment' }, { replicaResource: 'function GetReplicas(obj) return 7 end' });
    assert.deepEqual(await interp.getReplicas(deploy), { replicas: 7 });
  } finally {
    interp.close();
  }
});

test('runaway scripts reject with a clear error and the next call still works', async () => {
  const target = { apiVersion: 'apps.example.io/v1', kind: 'Workload' };
  const rics = [
    ric('looping', target, {
      replicaResource: 'function GetReplicas(obj) while true do end end',
      healthInterpretation: 'function InterpretHealth(obj) return true end',
    }),
    ric('bomb', { apiVersion: 'apps.example.io/v1', kind: 'Bomb' }, {
      replicaResource: 'function GetReplicas(obj) local s = "x" while true do s = s .. s end end',
      replicaRevision: 'function ReviseReplica(obj, n) obj.spec.replicas = n return obj end',
    }),
  ];
  const interp = new DefaultResourceInterpreter({ customizations: () => rics, timeoutMs: 100, memoryLimitBytes: 16 * 1024 * 1024 });
  try {
    const wl = sampleWorkload() as KubeObject;
    await assert.rejects(interp.getReplicas(wl), { message: 'ResourceInterpreterCustomization looping: GetReplicas: script timed out after 100ms' });
    assert.equal(await interp.interpretHealth(wl), true, 'the next call works');
    const bomb = { ...wl, kind: 'Bomb' };
    await assert.rejects(interp.getReplicas(bomb), { message: 'ResourceInterpreterCustomization bomb: GetReplicas: script exceeded the memory limit of 16 MiB' });
    assert.equal(((await interp.reviseReplica(bomb, 4))['spec'] as { replicas: number }).replicas, 4, 'the next call works');
  } finally {
    interp.close();
  }
});

test('script errors and wrong results name the customization and function', async () => {
  const target = { apiVersion: 'apps.example.io/v1', kind: 'Workload' };
  const interp = new DefaultResourceInterpreter({
    customizations: () => [
      ric('broken', target, {
        replicaResource: 'function GetReplicas(obj) return obj.spec.missing.field end',
        healthInterpretation: 'function InterpretHealth(obj) return "yes" end',
        replicaRevision: 'function ReviseReplica(obj',
      }),
    ],
  });
  try {
    const wl = sampleWorkload() as KubeObject;
    await assert.rejects(interp.getReplicas(wl), /^Error: ResourceInterpreterCustomization broken: GetReplicas: replicaResource:1: attempt to index a nil value \(field 'missing'\)$/);
    await assert.rejects(interp.interpretHealth(wl), { message: 'ResourceInterpreterCustomization broken: InterpretHealth: expect the returned health type is boolean but got string' });
    await assert.rejects(interp.reviseReplica(wl, 1), /ResourceInterpreterCustomization broken: ReviseReplica: replicaRevision:1:/);
  } finally {
    interp.close();
  }
});
