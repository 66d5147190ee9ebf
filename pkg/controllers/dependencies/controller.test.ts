// The dependencies distributor with the binding controller against an in-process karmada-apiserver: a
// Deployment whose binding has propagateDeps makes its ConfigMap follow it into the same clusters, and
// turning propagateDeps off takes the ConfigMap back out.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { Work } from '../../apis/work/v1alpha1/index.js';
import { generateWorkName, type ResourceBinding } from '../../apis/work/v1alpha2/index.js';
import type { ObjectClient } from '../../runtime/client.js';
import { SharedInformerFactory } from '../../runtime/factory.js';
import { CONFIGMAPS, gvr, NAMESPACES } from '../../runtime/gvr.js';
import { eventually, startTestApiServer, type TestApiServer } from '../../runtime/testenv.js';
import type { KubeObject } from '../../runtime/types.js';
import { CLUSTERS, WORKS } from '../../util/clusterapi.js';
import { BindingController } from '../binding/controller.js';
import { RESOURCE_BINDINGS } from '../binding/gvrs.js';
import { FakeInterpreter, fakeApplyOverrides, releaseDeletedWorks } from '../binding/testing.js';
import { dependedByLabelKey } from './attached.js';
import { DependenciesDistributor } from './controller.js';

const DEPLOYMENTS = gvr('apps', 'v1', 'deployments');
const CM_WORK = generateWorkName('ConfigMap', 'app-config', 'default');

describe('dependencies distributor (in-process)', () => {
  let env: TestApiServer;
  let client: ObjectClient;
  let factory: SharedInformerFactory;
  const stop = new AbortController();
  let running: Promise<unknown>;
  const rbs = () => client.resource<ResourceBinding>(RESOURCE_BINDINGS);
  const cmWork = (cluster: string) => client.resource<Work>(WORKS).getOrUndefined(CM_WORK, { namespace: `karmada-es-${cluster}` });

  before(async () => {
    env = await startTestApiServer();
    client = env.client();
    for (const name of ['default', 'karmada-es-member1', 'karmada-es-member2']) await client.resource(NAMESPACES).create({ metadata: { name } }).catch(() => undefined);
    for (const name of ['member1', 'member2']) {
      await client.resource(CLUSTERS).create({ apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name }, spec: { syncMode: 'Pull' } });
    }
    const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
    factory = new SharedInformerFactory(client, { logger });
    releaseDeletedWorks(client, factory);
    const interpreter = new FakeInterpreter();
    const bindings = new BindingController({ client, informers: factory, logger, interpreter, applyOverrides: fakeApplyOverrides, workers: 2 });
    const distributor = new DependenciesDistributor({ client, informers: factory, logger, interpreter });
    factory.start();
    running = Promise.all([bindings.run(stop.signal), distributor.run(stop.signal)]);
  });

  after(async () => {
    stop.abort();
    await running;
    await factory?.stop();
    await env?.cleanup();
  });

  test('a ConfigMap the Deployment mounts gets an attached binding and lands in the same clusters', async () => {
    await client.resource(CONFIGMAPS).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config', namespace: 'default' }, data: { level: 'debug' } });
    const d = await client.resource(DEPLOYMENTS).create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'nginx', envFrom: [{ configMapRef: { name: 'late-config' } }] }], volumes: [{ name: 'cfg', configMap: { name: 'app-config' } }] },
        },
      },
    });
    await rbs().create({
      apiVersion: 'work.karmada.io/v1alpha2',
      kind: 'ResourceBinding',
      metadata: { name: 'web-deployment', namespace: 'default' },
      spec: {
        resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'web', uid: d.metadata!.uid },
        propagateDeps: true,
        replicas: 2,
        placement: { replicaScheduling: { replicaSchedulingType: 'Divided' } },
        clusters: [
          { name: 'member1', replicas: 1 },
          { name: 'member2', replicas: 1 },
        ],
      },
    });

    const attached = await eventually('attached binding', () => rbs().getOrUndefined('app-config-configmap', { namespace: 'default' }));
    assert.deepEqual(attached.spec.requiredBy, [{ namespace: 'default', name: 'web-deployment', clusters: [{ name: 'member1', replicas: 1 }, { name: 'member2', replicas: 1 }] }]);
    assert.equal(attached.spec.placement, undefined);
    assert.ok(attached.metadata?.labels?.[dependedByLabelKey('default', 'web-deployment')]);
    assert.equal(attached.metadata?.ownerReferences?.[0]?.kind, 'ConfigMap');

    const independent = await rbs().get('web-deployment', { namespace: 'default' });
    assert.ok(independent.metadata?.finalizers?.includes('karmada.io/binding-dependencies-distributor'));
    assert.match(independent.metadata?.annotations?.['resourcebinding.karmada.io/dependencies'] ?? '', /"name":"app-config"/);

    const [w1, w2] = await eventually('configmap works', async () => {
      const ws = await Promise.all([cmWork('member1'), cmWork('member2')]);
      return ws.every(Boolean) && ws;
    });
    for (const w of [w1, w2]) assert.deepEqual((w!.spec.workload?.manifests?.[0] as KubeObject).data, { level: 'debug' });
    assert.equal(await rbs().getOrUndefined('late-config-configmap', { namespace: 'default' }), undefined);
  });

  test('a dependency created after the binding is attached when it appears', async () => {
    await client.resource(CONFIGMAPS).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late-config', namespace: 'default' }, data: { x: '1' } });
    const late = await eventually('late attached binding', () => rbs().getOrUndefined('late-config-configmap', { namespace: 'default' }));
    assert.deepEqual(late.spec.requiredBy?.map((s) => s.name), ['web-deployment']);
  });

  test('the independent binding moving to other clusters moves its dependency too', async () => {
    const b = await rbs().get('web-deployment', { namespace: 'default' });
    b.spec.clusters = [{ name: 'member1', replicas: 2 }];
    await rbs().update(b);
    await eventually('configmap work gone from member2', async () => !(await cmWork('member2')));
    assert.ok(await cmWork('member1'));
  });

  test('turning propagateDeps off deletes the attached binding and its Works', async () => {
    const b = await rbs().get('web-deployment', { namespace: 'default' });
    b.spec.propagateDeps = false;
    await rbs().update(b);
    await eventually('attached bindings gone', async () => {
      const [a, b] = await Promise.all([rbs().getOrUndefined('app-config-configmap', { namespace: 'default' }), rbs().getOrUndefined('late-config-configmap', { namespace: 'default' })]);
      return !a && !b;
    });
    await eventually('configmap works gone', async () => !(await cmWork('member1')) && !(await cmWork('member2')));
    const after = await rbs().get('web-deployment', { namespace: 'default' });
    assert.ok(!after.metadata?.finalizers?.includes('karmada.io/binding-dependencies-distributor'));
  });
});
