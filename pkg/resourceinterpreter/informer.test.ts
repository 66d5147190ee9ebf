import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import type { ResourceInterpreterCustomization } from '../apis/config/v1alpha1/index.js';
import { SharedInformerFactory } from '../runtime/factory.js';
import { eventually, startTestApiServer } from '../runtime/testenv.js';
import type { KubeObject } from '../runtime/types.js';
import { RESOURCE_INTERPRETER_CUSTOMIZATIONS, newInformerBackedInterpreter } from './interpreter.js';
import { SAMPLE_WORKLOAD_RIC_YAML, sampleWorkload } from './testing.js';

test('the informer-backed interpreter follows customizations in the API server', async () => {
  const env = await startTestApiServer();
  const client = env.client();
  const informers = new SharedInformerFactory(client);
  const interp = newInformerBackedInterpreter(informers);
  try {
    const wl = sampleWorkload(3) as KubeObject;
    const gvk = { apiVersion: 'apps.example.io/v1', kind: 'Workload' };
    informers.start();
    assert.ok(await informers.waitForSync(10_000));
    assert.equal(interp.hookEnabled(gvk, 'InterpretReplica'), false, 'no customization yet');
    assert.deepEqual(await interp.getReplicas(wl), { replicas: 0 });

    const rics = client.resource<ResourceInterpreterCustomization>(RESOURCE_INTERPRETER_CUSTOMIZATIONS);
    const created = await rics.create(parse(SAMPLE_WORKLOAD_RIC_YAML) as ResourceInterpreterCustomization);
    await eventually('customization seen', () => interp.hookEnabled(gvk, 'InterpretReplica'));
    assert.equal((await interp.getReplicas(wl)).replicas, 3);

    const changed = structuredClone(created);
    changed.spec.customizations.replicaResource = { luaScript: 'function GetReplicas(obj) return obj.spec.replicas * 10 end' };
    await rics.update(changed);
    await eventually('changed script used', async () => (await interp.getReplicas(wl)).replicas === 30);

    await rics.delete(created.metadata!.name!);
    await eventually('customization gone', () => !interp.hookEnabled(gvk, 'InterpretReplica'));
    assert.deepEqual(await interp.getReplicas(wl), { replicas: 0 });
  } finally {
    interp.close();
    await informers.stop();
    client.close();
    await env.cleanup();
  }
});
