// The binding controller against an in-process karmada-apiserver: a Deployment template and a
// ResourceBinding scheduled to two clusters become two Works; override policies, a shrinking target
// list, a Work deleted by hand and the binding's deletion each lead to the right writes. A stand-in for
// the execution controller releases Works being deleted; overrides go through the real override manager.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { Work } from '../../apis/work/v1alpha1/index.js';
import { generateWorkName, type ResourceBinding } from '../../apis/work/v1alpha2/index.js';
import type { ObjectClient } from '../../runtime/client.js';
import { SharedInformerFactory } from '../../runtime/factory.js';
import { EVENTS, gvr, NAMESPACES } from '../../runtime/gvr.js';
import { eventually, startTestApiServer, type TestApiServer } from '../../runtime/testenv.js';
import type { KubeObject } from '../../runtime/types.js';
import { CLUSTERS, WORKS } from '../../util/clusterapi.js';
import { BindingController } from './controller.js';
import { CLUSTER_RESOURCE_BINDINGS, OVERRIDE_POLICIES, RESOURCE_BINDINGS } from './gvrs.js';
import { FakeInterpreter, releaseDeletedWorks } from './testing.js';

const DEPLOYMENTS = gvr('apps', 'v1', 'deployments');
const WORK_NAME = generateWorkName('Deployment', 'nginx', 'default');

describe('binding controller (in-process)', () => {
  let env: TestApiServer;
  let client: ObjectClient;
  let factory: SharedInformerFactory;
  const stop = new AbortController();
  let running: Promise<unknown>;

  const works = () => client.resource<Work>(WORKS);
  const getWork = (cluster: string) => works().getOrUndefined(WORK_NAME, { namespace: `karmada-es-${cluster}` });
  const manifestOf = (w: Work | undefined) => w?.spec.workload?.manifests?.[0] as KubeObject & { spec: { replicas?: number } };

  before(async () => {
    env = await startTestApiServer();
    client = env.client();
    for (const name of ['default', 'karmada-es-member1', 'karmada-es-member2']) await client.resource(NAMESPACES).create({ metadata: { name } }).catch(() => undefined);
    for (const name of ['member1', 'member2']) {
      await client.resource(CLUSTERS).create({ apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name, labels: { name } }, spec: { syncMode: 'Pull' } });
    }
    const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
    factory = new SharedInformerFactory(client, { logger });
    releaseDeletedWorks(client, factory);
    const ctl = new BindingController({ client, informers: factory, logger, interpreter: new FakeInterpreter(), workers: 2 });
    factory.start();
    running = ctl.run(stop.signal);
  });

  after(async () => {
    stop.abort();
    await running;
    await factory?.stop();
    await env?.cleanup();
  });

  test('a scheduled binding becomes one Work per cluster with its share of replicas', async () => {
    const tmpl = await client.resource(DEPLOYMENTS).create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'nginx', namespace: 'default', labels: { app: 'nginx' } },
      spec: { replicas: 3, selector: { matchLabels: { app: 'nginx' } }, template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } } },
    });
    await client.resource<ResourceBinding>(RESOURCE_BINDINGS).create({
      apiVersion: 'work.karmada.io/v1alpha2',
      kind: 'ResourceBinding',
      metadata: { name: 'nginx-deployment', namespace: 'default' },
      spec: {
        resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'nginx', uid: tmpl.metadata!.uid },
        replicas: 3,
        placement: { replicaScheduling: { replicaSchedulingType: 'Divided' } },
        clusters: [
          { name: 'member1', replicas: 2 },
          { name: 'member2', replicas: 1 },
        ],
      },
    });
    const [w1, w2] = await eventually('two works', async () => {
      const ws = await Promise.all([getWork('member1'), getWork('member2')]);
      return ws.every(Boolean) && ws;
    });
    const rb = await client.resource<ResourceBinding>(RESOURCE_BINDINGS).get('nginx-deployment', { namespace: 'default' });
    const id = rb.metadata?.labels?.['resourcebinding.karmada.io/permanent-id'];
    assert.ok(id, 'the binding has a permanent id');
    assert.ok(rb.metadata?.finalizers?.includes('karmada.io/binding-controller'));
    assert.equal(manifestOf(w1).spec.replicas, 2);
    assert.equal(manifestOf(w2).spec.replicas, 1);
    assert.equal(w1!.metadata?.labels?.['resourcebinding.karmada.io/permanent-id'], id);
    assert.ok(w1!.metadata?.labels?.['work.karmada.io/permanent-id']);
    assert.deepEqual(w1!.metadata?.finalizers, ['karmada.io/execution-controller']);
    assert.equal(w1!.metadata?.annotations?.['resourcebinding.karmada.io/name'], 'nginx-deployment');
    assert.equal(w1!.metadata?.annotations?.['work.karmada.io/conflict-resolution'], 'abort');
    assert.equal(w1!.spec.suspendDispatching, false);
    const m = manifestOf(w1);
    assert.equal(m.metadata?.labels?.['karmada.io/managed'], 'true');
    assert.equal(m.metadata?.annotations?.['resourcetemplate.karmada.io/uid'], tmpl.metadata!.uid);
    assert.equal(m.metadata?.annotations?.['work.karmada.io/namespace'], 'karmada-es-member1');
    assert.equal(m.metadata?.resourceVersion, undefined);
    assert.equal(m.status, undefined);

    // nothing changes: nothing is written again
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await getWork('member1'))!.metadata?.resourceVersion, w1!.metadata?.resourceVersion);
    const events = await client.resource(EVENTS).list({ namespace: 'default' });
    assert.ok(events.items.some((e) => e.reason === 'SyncWorkSucceed' && (e.involvedObject as { name?: string }).name === 'nginx-deployment'));
  });

  test('an OverridePolicy created afterwards changes the Work of the cluster it targets only', async () => {
    const before2 = await getWork('member2');
    await client.resource(OVERRIDE_POLICIES).create({
      apiVersion: 'policy.karmada.io/v1alpha1',
      kind: 'OverridePolicy',
      metadata: { name: 'prod-labels', namespace: 'default' },
      spec: {
        resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx' }],
        overrideRules: [{ targetCluster: { clusterNames: ['member1'] }, overriders: { labelsOverrider: [{ operator: 'add', value: { env: 'prod' } }] } }],
      },
    });
    const w1 = await eventually('override on member1', async () => {
      const w = await getWork('member1');
      return manifestOf(w).metadata?.labels?.env === 'prod' && w;
    });
    assert.match(w1.metadata?.annotations?.['policy.karmada.io/applied-overrides'] ?? '', /prod-labels/);
    const w2 = await getWork('member2');
    assert.equal(manifestOf(w2).metadata?.labels?.env, undefined);
    assert.equal(w2!.metadata?.resourceVersion, before2!.metadata?.resourceVersion);
  });

  test('an override that cannot apply fails its cluster only, with a SyncWorkFailed event', async () => {
    const ops = client.resource(OVERRIDE_POLICIES);
    await ops.create({
      apiVersion: 'policy.karmada.io/v1alpha1',
      kind: 'OverridePolicy',
      metadata: { name: 'broken', namespace: 'default' },
      spec: {
        resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx' }],
        overrideRules: [{ targetCluster: { clusterNames: ['member2'] }, overriders: { plaintext: [{ path: '/spec/nothing/here', operator: 'replace', value: 1 }] } }],
      },
    });
    await eventually('SyncWorkFailed event', async () => {
      const events = await client.resource(EVENTS).list({ namespace: 'default' });
      return events.items.some((e) => e.reason === 'SyncWorkFailed' && (e.involvedObject as { name?: string }).name === 'nginx-deployment' && String(e.message).includes('member2'));
    });
    await ops.delete('broken', { namespace: 'default' });
    // member1 still carries its own override; member2 is untouched by the broken policy
    assert.equal(manifestOf(await getWork('member1')).metadata?.labels?.env, 'prod');
    assert.equal(manifestOf(await getWork('member2')).metadata?.labels?.env, undefined);
  });

  test('a template edit reaches the Works', async () => {
    const d = await client.resource(DEPLOYMENTS).get('nginx', { namespace: 'default' });
    (d.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]!.image = 'nginx:1.27';
    await client.resource(DEPLOYMENTS).update(d);
    await eventually('new image in both works', async () => {
      const ws = await Promise.all([getWork('member1'), getWork('member2')]);
      return ws.every((w) => JSON.stringify(manifestOf(w)).includes('nginx:1.27'));
    });
  });

  test('a shrinking target list deletes the orphan Work', async () => {
    const rbs = client.resource<ResourceBinding>(RESOURCE_BINDINGS);
    const rb = await rbs.get('nginx-deployment', { namespace: 'default' });
    rb.spec.clusters = [{ name: 'member1', replicas: 3 }];
    await rbs.update(rb);
    await eventually('member2 work gone', async () => !(await getWork('member2')));
    const w1 = await eventually('member1 gets all replicas', async () => {
      const w = await getWork('member1');
      return manifestOf(w).spec.replicas === 3 && w;
    });
    assert.ok(w1);
  });

  test('a Work deleted by someone else is recreated', async () => {
    const old = await getWork('member1');
    await works().delete(WORK_NAME, { namespace: 'karmada-es-member1' });
    const again = await eventually('recreated', async () => {
      const w = await getWork('member1');
      return w && w.metadata?.uid !== old!.metadata?.uid && !w.metadata?.deletionTimestamp && w;
    });
    assert.equal(manifestOf(again).spec.replicas, 3);
  });

  test('a ClusterResourceBinding renders its cluster-scoped template the same way', async () => {
    const CLUSTERROLES = gvr('rbac.authorization.k8s.io', 'v1', 'clusterroles', false);
    const role = await client.resource(CLUSTERROLES).create({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] });
    const crbs = client.resource(CLUSTER_RESOURCE_BINDINGS);
    await crbs.create({
      apiVersion: 'work.karmada.io/v1alpha2',
      kind: 'ClusterResourceBinding',
      metadata: { name: 'reader-clusterrole' },
      spec: { resource: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'reader', uid: role.metadata!.uid }, clusters: [{ name: 'member2' }] },
    });
    const name = generateWorkName('ClusterRole', 'reader');
    const w = await eventually('clusterrole work', () => works().getOrUndefined(name, { namespace: 'karmada-es-member2' }));
    assert.equal(w.metadata?.annotations?.['clusterresourcebinding.karmada.io/name'], 'reader-clusterrole');
    assert.ok(w.metadata?.labels?.['clusterresourcebinding.karmada.io/permanent-id']);
    assert.deepEqual((manifestOf(w) as KubeObject).rules, [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]);
    await crbs.delete('reader-clusterrole');
    await eventually('crb gone', async () => !(await crbs.getOrUndefined('reader-clusterrole')));
    assert.equal(await works().getOrUndefined(name, { namespace: 'karmada-es-member2' }), undefined);
  });

  test('a deleted binding loses its Works first, then its finalizer', async () => {
    await client.resource(RESOURCE_BINDINGS).delete('nginx-deployment', { namespace: 'default' });
    await eventually('binding gone', async () => !(await client.resource(RESOURCE_BINDINGS).getOrUndefined('nginx-deployment', { namespace: 'default' })));
    assert.equal(await getWork('member1'), undefined);
    assert.equal(await getWork('member2'), undefined);
  });
});
