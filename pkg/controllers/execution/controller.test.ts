// The execution and work status controllers against an in-process karmada-apiserver and a kube-sim
// member joined as a Push cluster: apply, status, drift repair, recreation, conflicts, suspension,
// deletion (and preservation), member-owned fields, missing kinds and namespaces, unready clusters.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { Work } from '../../apis/work/v1alpha1/index.js';
import type { ObjectClient } from '../../runtime/client.js';
import { SharedInformerFactory } from '../../runtime/factory.js';
import { CONFIGMAPS, EVENTS, gvr, NAMESPACES } from '../../runtime/gvr.js';
import { eventually } from '../../runtime/testenv.js';
import type { KubeObject } from '../../runtime/types.js';
import { CLUSTERS } from '../../util/clusterapi.js';
import { WorkStatusController } from '../workstatus/controller.js';
import { ExecutionController } from './controller.js';
import { ObjectWatcher } from './objectwatcher.js';
import { FakeInterpreter, managedManifest, newWork, startMemberEnv, WORKS, type MemberEnv } from './testing.js';

const DEPLOYMENTS = gvr('apps', 'v1', 'deployments');
const SERVICES = gvr('', 'v1', 'services');
const ES = 'karmada-es-member1';

function deployment(name: string, replicas: number, namespace = 'default'): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: 'nginx:1.27' }] } } },
  };
}

function configMap(name: string, data: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data };
}

const cond = (w: Work | undefined, type: string) => w?.status?.conditions?.find((c) => c.type === type);

describe('execution + work status controllers (push)', () => {
  let env: MemberEnv;
  let karmada: ObjectClient;
  let member: ObjectClient;
  let factory: SharedInformerFactory;
  let exec: ExecutionController;
  const interpreter = new FakeInterpreter();
  const stop = new AbortController();
  let running: Promise<unknown>;

  before(async () => {
    env = await startMemberEnv(['member1']);
    karmada = env.karmada;
    member = env.member('member1');
    const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
    factory = new SharedInformerFactory(karmada, { logger });
    exec = new ExecutionController({ client: karmada, informers: factory, interpreter, logger, workers: 4 });
    const status = new WorkStatusController({ client: karmada, informers: factory, interpreter, logger, workers: 4 });
    factory.start();
    running = Promise.all([exec.run(stop.signal), status.run(stop.signal)]);
  });

  after(async () => {
    stop.abort();
    await running;
    await factory?.stop();
    await env?.cleanup();
  });

  const works = () => karmada.resource<Work>(WORKS);
  const getWork = (name: string) => works().getOrUndefined(name, { namespace: ES });
  const memberDeploy = (name: string) => member.resource(DEPLOYMENTS).getOrUndefined(name, { namespace: 'default' });

  test('a Work with a Deployment is applied to the member with the managed label; Applied and Dispatching are True', async () => {
    await works().create(newWork('member1', 'nginx-work', [deployment('nginx', 2)]));
    const d = await eventually('deployment in member1', () => memberDeploy('nginx'));
    assert.equal(d.metadata?.labels?.['karmada.io/managed'], 'true');
    assert.equal(d.metadata?.annotations?.['work.karmada.io/name'], 'nginx-work');
    assert.equal((d.spec as { replicas: number }).replicas, 2);
    const w = await eventually('Applied=True', async () => {
      const w = await getWork('nginx-work');
      return cond(w, 'Applied')?.status === 'True' ? w : undefined;
    });
    assert.equal(cond(w, 'Applied')?.reason, 'AppliedSuccessful');
    assert.equal(cond(w, 'Dispatching')?.status, 'True');
    assert.equal(cond(w, 'Dispatching')?.reason, 'Dispatching');
  });

  test('the member Deployment status shows up in manifestStatuses with health Healthy', async () => {
    const w = await eventually('manifestStatuses healthy', async () => {
      const w = await getWork('nginx-work');
      const s = w?.status?.manifestStatuses?.[0];
      return s?.health === 'Healthy' && (s.status as { readyReplicas?: number })?.readyReplicas === 2 ? w : undefined;
    });
    const ms = w.status!.manifestStatuses!;
    assert.equal(ms.length, 1);
    assert.deepEqual(ms[0]!.identifier, { ordinal: 0, group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', namespace: 'default', name: 'nginx' });
  });

  test('a hand edit of the member Deployment replicas is repaired', async () => {
    const d = (await memberDeploy('nginx'))!;
    await member.resource(DEPLOYMENTS).update({ ...d, spec: { ...(d.spec as object), replicas: 5 } });
    await eventually('replicas back to 2', async () => ((await memberDeploy('nginx'))?.spec as { replicas: number }).replicas === 2);
  });

  test('a deleted member object is recreated', async () => {
    const before = (await memberDeploy('nginx'))!;
    await member.resource(DEPLOYMENTS).delete('nginx', { namespace: 'default' });
    const after = await eventually('recreated', async () => {
      const d = await memberDeploy('nginx');
      return d && d.metadata?.uid !== before.metadata?.uid ? d : undefined;
    });
    assert.equal(after.metadata?.labels?.['karmada.io/managed'], 'true');
    // and its status comes back
    await eventually('healthy again', async () => (await getWork('nginx-work'))?.status?.manifestStatuses?.[0]?.health === 'Healthy');
  });

  test('a changed Work is applied (update of the member object)', async () => {
    const w = (await getWork('nginx-work'))!;
    w.spec.workload!.manifests = [managedManifest(deployment('nginx', 3), 'member1', 'nginx-work')];
    await works().update(w);
    await eventually('replicas 3', async () => ((await memberDeploy('nginx'))?.spec as { replicas: number }).replicas === 3);
  });

  test('an existing unmanaged object aborts with the conflict message; the overwrite annotation takes it over', async () => {
    await member.resource(CONFIGMAPS).create(configMap('settings', { owner: 'member' }));
    await works().create(newWork('member1', 'settings-work', [configMap('settings', { owner: 'karmada' })]));
    const w = await eventually('Applied=False', async () => {
      const w = await getWork('settings-work');
      return cond(w, 'Applied')?.status === 'False' ? w : undefined;
    });
    assert.equal(cond(w, 'Applied')?.reason, 'AppliedFailed');
    assert.match(
      cond(w, 'Applied')!.message!,
      /resource\(kind=ConfigMap, default\/settings\) already exists in the cluster member1 and the conflict resolution is Abort; set conflictResolution: Overwrite in the policy to take it over/,
    );
    const untouched = await member.resource(CONFIGMAPS).get('settings', { namespace: 'default' });
    assert.deepEqual(untouched.data, { owner: 'member' });
    await eventually('a SyncFailed event on the Work', async () => {
      const list = await karmada.resource(EVENTS).list({ namespace: ES });
      return list.items.some((e) => (e.involvedObject as { name?: string }).name === 'settings-work' && e.reason === 'SyncFailed');
    });

    const cur = (await getWork('settings-work'))!;
    cur.spec.workload!.manifests = [managedManifest(configMap('settings', { owner: 'karmada' }), 'member1', 'settings-work', { 'work.karmada.io/conflict-resolution': 'overwrite' })];
    await works().update(cur);
    await eventually('Applied=True after overwrite', async () => cond(await getWork('settings-work'), 'Applied')?.status === 'True');
    const taken = await member.resource(CONFIGMAPS).get('settings', { namespace: 'default' });
    assert.deepEqual(taken.data, { owner: 'karmada' });
    assert.equal(taken.metadata?.labels?.['karmada.io/managed'], 'true');
  });

  test('suspendDispatching: nothing applied, Dispatching=False/SuspendDispatching', async () => {
    await works().create(newWork('member1', 'held-work', [configMap('held', { a: '1' })], { suspendDispatching: true }));
    const w = await eventually('Dispatching=False', async () => {
      const w = await getWork('held-work');
      return cond(w, 'Dispatching')?.status === 'False' ? w : undefined;
    });
    assert.equal(cond(w, 'Dispatching')?.reason, 'SuspendDispatching');
    assert.equal(cond(w, 'Applied'), undefined);
    assert.equal(await member.resource(CONFIGMAPS).getOrUndefined('held', { namespace: 'default' }), undefined);
    // resuming dispatches it
    w.spec.suspendDispatching = false;
    await works().update(w);
    await eventually('applied after resume', async () => await member.resource(CONFIGMAPS).getOrUndefined('held', { namespace: 'default' }));
    assert.equal(cond(await getWork('held-work'), 'Dispatching')?.status, 'True');
  });

  test('a deleted Work deletes its member object and its finalizer goes', async () => {
    await works().delete('held-work', { namespace: ES });
    await eventually('member object deleted', async () => (await member.resource(CONFIGMAPS).getOrUndefined('held', { namespace: 'default' })) === undefined);
    await eventually('work gone', async () => (await getWork('held-work')) === undefined);
  });

  test('preserveResourcesOnDeletion keeps the member object, without Karmada metadata', async () => {
    await works().create(newWork('member1', 'keep-work', [configMap('keep', { a: '1' })], { preserveResourcesOnDeletion: true }));
    await eventually('applied', async () => await member.resource(CONFIGMAPS).getOrUndefined('keep', { namespace: 'default' }));
    await works().delete('keep-work', { namespace: ES });
    await eventually('work gone', async () => (await getWork('keep-work')) === undefined);
    const kept = await member.resource(CONFIGMAPS).get('keep', { namespace: 'default' });
    assert.deepEqual(kept.data, { a: '1' });
    assert.equal(kept.metadata?.labels?.['karmada.io/managed'], undefined);
    assert.equal(kept.metadata?.annotations?.['work.karmada.io/name'], undefined);
  });

  test('a Service keeps its member clusterIP (interpreter Retain) and an unchanged object is not rewritten', async () => {
    const svc = (port: number, label: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default', labels: { tier: label } },
      spec: { selector: { app: 'web' }, ports: [{ port }] },
    });
    await works().create(newWork('member1', 'web-work', [svc(80, 'a')]));
    const first = await eventually('service created', async () => await member.resource(SERVICES).getOrUndefined('web', { namespace: 'default' }));
    const ip = (first.spec as { clusterIP?: string }).clusterIP;
    assert.match(ip ?? '', /^10\./);
    const w = (await getWork('web-work'))!;
    w.spec.workload!.manifests = [managedManifest(svc(8080, 'b'), 'member1', 'web-work')];
    await works().update(w);
    const updated = await eventually('service updated', async () => {
      const s = await member.resource(SERVICES).getOrUndefined('web', { namespace: 'default' });
      return s?.metadata?.labels?.tier === 'b' ? s : undefined;
    });
    assert.equal((updated.spec as { clusterIP?: string }).clusterIP, ip);
    assert.equal((updated.spec as { ports: { port: number }[] }).ports[0]!.port, 8080);
    assert.ok(interpreter.retainCalls.some((c) => c.desired.kind === 'Service' && (c.observed.spec as { clusterIP?: string }).clusterIP === ip));
    await eventually('Applied=True', async () => cond(await getWork('web-work'), 'Applied')?.status === 'True');

    // a reconcile with nothing to do writes nothing
    const rv = updated.metadata?.resourceVersion;
    await exec.reconcile(`${ES}/web-work`);
    assert.equal((await member.resource(SERVICES).get('web', { namespace: 'default' })).metadata?.resourceVersion, rv);
    // neither does a fresh ObjectWatcher (no version record, e.g. after a restart): retained desired equals observed
    const fresh = new ObjectWatcher({ interpreter });
    const m = await exec.members.member((await exec.members.clusters.indexer.get('member1'))!);
    const r = await fresh.createOrUpdate(m, (await getWork('web-work'))!.spec.workload!.manifests![0] as KubeObject);
    assert.equal(r.operation, 'unchanged');
  });

  test('a kind the member does not serve gives Applied=False naming the kind and the cluster', async () => {
    const widget = { apiVersion: 'example.io/v1', kind: 'Widget', metadata: { name: 'w1', namespace: 'default' }, spec: { size: 1 } };
    await works().create(newWork('member1', 'widget-work', [widget]));
    const w = await eventually('Applied=False', async () => {
      const w = await getWork('widget-work');
      return cond(w, 'Applied')?.status === 'False' ? w : undefined;
    });
    assert.match(cond(w, 'Applied')!.message!, /Widget \(apiVersion example\.io\/v1\) is not served by cluster member1/);
    await works().delete('widget-work', { namespace: ES });
    await eventually('widget work gone', async () => (await getWork('widget-work')) === undefined);
  });

  test('a missing namespace is created in the member', async () => {
    const cm = { ...configMap('in-new-ns', { a: '1' }), metadata: { name: 'in-new-ns', namespace: 'team-a' } };
    await works().create(newWork('member1', 'newns-work', [cm]));
    await eventually('configmap in team-a', async () => await member.resource(CONFIGMAPS).getOrUndefined('in-new-ns', { namespace: 'team-a' }));
    const ns = await member.resource(NAMESPACES).get('team-a');
    assert.equal(ns.metadata?.labels?.['karmada.io/managed'], 'true');
  });

  test('a cluster that is not Ready gets nothing until it is Ready again', async () => {
    await env.setReady('member1', false);
    await eventually('cluster not ready in the cache', async () => exec.members.clusters.indexer.get('member1')?.status?.conditions?.[0]?.status === 'False');
    await works().create(newWork('member1', 'later-work', [configMap('later', { a: '1' })]));
    const w = await eventually('Applied=False (not ready)', async () => {
      const w = await getWork('later-work');
      return cond(w, 'Applied')?.status === 'False' ? w : undefined;
    });
    assert.match(cond(w, 'Applied')!.message!, /cluster\(member1\) not ready/);
    assert.equal(await member.resource(CONFIGMAPS).getOrUndefined('later', { namespace: 'default' }), undefined);
    await env.setReady('member1', true);
    await eventually('applied once ready', async () => await member.resource(CONFIGMAPS).getOrUndefined('later', { namespace: 'default' }));
    await eventually('Applied=True', async () => cond(await getWork('later-work'), 'Applied')?.status === 'True');
  });

  test('a member object deleted while its Work is suspended loses its status entry (and is not recreated)', async () => {
    const w = (await getWork('nginx-work'))!;
    assert.equal(w.status?.manifestStatuses?.length, 1);
    w.spec.suspendDispatching = true;
    await works().update(w);
    await eventually('Dispatching=False', async () => cond(await getWork('nginx-work'), 'Dispatching')?.status === 'False');
    await member.resource(DEPLOYMENTS).delete('nginx', { namespace: 'default' });
    await eventually('status entry removed', async () => !(await getWork('nginx-work'))?.status?.manifestStatuses?.length);
    assert.equal(await memberDeploy('nginx'), undefined);
    const cur = (await getWork('nginx-work'))!;
    cur.spec.suspendDispatching = false;
    await works().update(cur);
    await eventually('recreated after resume', () => memberDeploy('nginx'));
    await eventually('status entry back', async () => (await getWork('nginx-work'))?.status?.manifestStatuses?.length === 1);
  });

  test('Works of Pull clusters are left to their agent; Works of a cluster that is gone only release the finalizer', async () => {
    await karmada.resource(CLUSTERS).create({ apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name: 'pull1' }, spec: { syncMode: 'Pull' } });
    for (const ns of ['karmada-es-pull1', 'karmada-es-ghost']) await karmada.resource(NAMESPACES).create({ metadata: { name: ns } });
    await works().create(newWork('pull1', 'pulled', [configMap('pulled', { a: '1' })]));
    await eventually('pull work and cluster cached', () => exec.works.indexer.get('karmada-es-pull1/pulled') && exec.members.clusters.indexer.get('pull1'));
    await exec.reconcile('karmada-es-pull1/pulled');
    const pulled = await works().get('pulled', { namespace: 'karmada-es-pull1' });
    assert.equal(pulled.status?.conditions, undefined);

    await works().create(newWork('ghost', 'orphan', [configMap('orphan', { a: '1' })]));
    await works().delete('orphan', { namespace: 'karmada-es-ghost' });
    await eventually('orphan work released', async () => (await works().getOrUndefined('orphan', { namespace: 'karmada-es-ghost' })) === undefined);
  });

  test('a deleted Work deletes its Deployment from the member', async () => {
    await works().delete('nginx-work', { namespace: ES });
    await eventually('deployment deleted', async () => (await memberDeploy('nginx')) === undefined);
    await eventually('work gone', async () => (await getWork('nginx-work')) === undefined);
  });
});
