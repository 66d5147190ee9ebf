// The binding status controller against an in-process karmada-apiserver: bindings and Works are written
// by the test (as the binding, execution and work status controllers would), the controller aggregates
// them into the binding's status and, through a small fake interpreter, onto the template's /status.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { Work } from '../../apis/work/v1alpha1/index.js';
import type { AggregatedStatusItem, ResourceBinding } from '../../apis/work/v1alpha2/index.js';
import type { InterpreterOperation, ObjectGVK, ResourceInterpreter } from '../../resourceinterpreter/interface.js';
import type { ObjectClient } from '../../runtime/client.js';
import { SharedInformerFactory } from '../../runtime/factory.js';
import { CONFIGMAPS, EVENTS, gvr, NAMESPACES } from '../../runtime/gvr.js';
import { RESTMapper } from '../../runtime/restmapper.js';
import { eventually, startTestApiServer, type TestApiServer } from '../../runtime/testenv.js';
import type { KubeObject } from '../../runtime/types.js';
import { WORKS } from '../../util/clusterapi.js';
import { FULLY_APPLIED_FAILED_MESSAGE, FULLY_APPLIED_SUCCESS_MESSAGE } from './aggregate.js';
import { BindingStatusController } from './controller.js';
import { RESOURCE_BINDINGS } from './workindex.js';

const DEPLOYMENTS = gvr('apps', 'v1', 'deployments');

/** Sums the members' readyReplicas/replicas, as the Deployment interpreter does (the real one is elsewhere). */
class SummingInterpreter implements ResourceInterpreter {
  aggregated: string[] = [];
  hookEnabled(_gvk: ObjectGVK, op: InterpreterOperation): boolean {
    return op === 'AggregateStatus';
  }
  async aggregateStatus(obj: KubeObject, items: AggregatedStatusItem[]): Promise<KubeObject> {
    this.aggregated.push(`${obj.kind}/${obj.metadata?.name}`);
    let replicas = 0;
    let readyReplicas = 0;
    for (const it of items) {
      replicas += Number(it.status?.replicas ?? 0);
      readyReplicas += Number(it.status?.readyReplicas ?? 0);
    }
    return { ...obj, status: { ...((obj.status as object) ?? {}), replicas, readyReplicas } };
  }
  getReplicas(): never {
    throw new Error('not used');
  }
  reviseReplica(): never {
    throw new Error('not used');
  }
  retain(): never {
    throw new Error('not used');
  }
  reflectStatus(): never {
    throw new Error('not used');
  }
  interpretHealth(): never {
    throw new Error('not used');
  }
  getDependencies(): never {
    throw new Error('not used');
  }
}

function workFor(template: KubeObject, cluster: string, bindingName: string): Work {
  const md = template.metadata!;
  return {
    apiVersion: 'work.karmada.io/v1alpha1',
    kind: 'Work',
    metadata: {
      name: `${md.name}-${template.kind!.toLowerCase()}`,
      namespace: `karmada-es-${cluster}`,
      annotations: { 'resourcebinding.karmada.io/namespace': md.namespace!, 'resourcebinding.karmada.io/name': bindingName },
    },
    spec: {
      workload: {
        manifests: [{ apiVersion: template.apiVersion, kind: template.kind, metadata: { name: md.name, namespace: md.namespace, annotations: { 'resourcetemplate.karmada.io/generation': String(md.generation ?? 1) } } }],
      },
    },
  };
}

function workStatus(template: KubeObject, applied: boolean, status?: Record<string, unknown>, message = ''): NonNullable<Work['status']> {
  const [group, version] = template.apiVersion!.includes('/') ? template.apiVersion!.split('/') : ['', template.apiVersion!];
  return {
    conditions: [{ type: 'Applied', status: applied ? ('True' as const) : ('False' as const), reason: applied ? 'AppliedSuccessful' : 'AppliedFailed', message, lastTransitionTime: '2026-01-01T00:00:00Z' }],
    manifestStatuses: status
      ? [{ identifier: { ordinal: 0, group, version, kind: template.kind!, resource: '', namespace: template.metadata!.namespace, name: template.metadata!.name! }, status, health: 'Healthy' as const }]
      : [],
  };
}

describe('binding status controller (in-process apiserver)', () => {
  let env: TestApiServer;
  let client: ObjectClient;
  let factory: SharedInformerFactory;
  let controller: BindingStatusController;
  const interpreter = new SummingInterpreter();
  const stop = new AbortController();
  let running: Promise<void>;

  const rbs = () => client.resource<ResourceBinding & KubeObject>(RESOURCE_BINDINGS);
  const works = () => client.resource<Work & KubeObject>(WORKS);

  async function bindingFor(template: KubeObject, clusters: string[]): Promise<string> {
    const name = `${template.metadata!.name}-${template.kind!.toLowerCase()}`;
    await rbs().create({
      apiVersion: 'work.karmada.io/v1alpha2',
      kind: 'ResourceBinding',
      metadata: { name, namespace: template.metadata!.namespace },
      spec: {
        resource: {
          apiVersion: template.apiVersion!,
          kind: template.kind!,
          namespace: template.metadata!.namespace,
          name: template.metadata!.name!,
          uid: template.metadata!.uid,
          resourceVersion: template.metadata!.resourceVersion,
        },
        clusters: clusters.map((c) => ({ name: c, replicas: 1 })),
      },
    });
    return name;
  }

  async function putWork(template: KubeObject, cluster: string, bindingName: string, status: ReturnType<typeof workStatus>): Promise<void> {
    const w = workFor(template, cluster, bindingName);
    const existing = await works().getOrUndefined(w.metadata!.name!, { namespace: w.metadata!.namespace });
    const cur = existing ?? (await works().create(w as Work & KubeObject));
    await works().updateStatus({ ...cur, status });
  }

  const fullyApplied = (b: ResourceBinding | undefined) => b?.status?.conditions?.find((c) => c.type === 'FullyApplied');

  before(async () => {
    env = await startTestApiServer();
    client = env.client();
    for (const c of ['member1', 'member2']) await client.resource(NAMESPACES).create({ metadata: { name: `karmada-es-${c}` } });
    await client.resource(NAMESPACES).create({ metadata: { name: 'default' } }).catch(() => undefined);
    const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
    factory = new SharedInformerFactory(client, { logger });
    controller = new BindingStatusController({ client, informers: factory, logger, interpreter, restMapper: new RESTMapper(client), workers: 2 });
    running = controller.run(stop.signal);
  });

  after(async () => {
    stop.abort();
    await running;
    await factory.stop();
    await env.cleanup();
  });

  test('two applied Works: aggregatedStatus per cluster, FullyApplied=True, Deployment /status summed; then one fails', async () => {
    const deploy = await client.resource(DEPLOYMENTS).create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'nginx', namespace: 'default' },
      spec: {
        replicas: 4,
        selector: { matchLabels: { app: 'nginx' } },
        template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } },
      },
    });
    const name = await bindingFor(deploy, ['member1', 'member2']);
    await putWork(deploy, 'member2', name, workStatus(deploy, true, { replicas: 2, readyReplicas: 1 }));
    await putWork(deploy, 'member1', name, workStatus(deploy, true, { replicas: 2, readyReplicas: 2 }));

    const rb = await eventually('FullyApplied=True', async () => {
      const b = await rbs().get(name, { namespace: 'default' });
      return fullyApplied(b)?.status === 'True' && b.status?.aggregatedStatus?.length === 2 ? b : undefined;
    });
    assert.deepEqual(rb.status?.aggregatedStatus, [
      { clusterName: 'member1', applied: true, health: 'Healthy', status: { replicas: 2, readyReplicas: 2 } },
      { clusterName: 'member2', applied: true, health: 'Healthy', status: { replicas: 2, readyReplicas: 1 } },
    ]);
    assert.equal(fullyApplied(rb)?.reason, 'FullyAppliedSuccess');
    assert.equal(fullyApplied(rb)?.message, FULLY_APPLIED_SUCCESS_MESSAGE);

    const summed = await eventually('Deployment status summed', async () => {
      const d = await client.resource(DEPLOYMENTS).get('nginx', { namespace: 'default' });
      const s = d.status as { readyReplicas?: number; replicas?: number } | undefined;
      return s?.readyReplicas === 3 ? s : undefined;
    });
    assert.equal(summed.replicas, 4);

    await eventually('AggregateStatusSucceed event on the binding', async () => {
      const list = await client.resource(EVENTS).list({ namespace: 'default' });
      return list.items.some((e) => e.reason === 'AggregateStatusSucceed' && (e.involvedObject as { name?: string }).name === name);
    });

    // the memo spares the template read when nothing changed, and not once the template moved on
    const ref = rb.spec.resource;
    const items = rb.status!.aggregatedStatus!;
    assert.equal(await controller.templates.sync(`ResourceBinding/default/${name}`, ref, items, '1'), 'memo');
    assert.equal(await controller.templates.sync(`ResourceBinding/default/${name}`, { ...ref, resourceVersion: 'moved' }, items, '1'), 'unchanged');

    await putWork(deploy, 'member2', name, workStatus(deploy, false, undefined, 'deployments.apps "nginx" already exists in member2'));
    const failed = await eventually('FullyApplied=False', async () => {
      const b = await rbs().get(name, { namespace: 'default' });
      return fullyApplied(b)?.status === 'False' ? b : undefined;
    });
    assert.equal(fullyApplied(failed)?.reason, 'FullyAppliedFailed');
    assert.equal(fullyApplied(failed)?.message, `${FULLY_APPLIED_FAILED_MESSAGE}: not applied on member2`);
    assert.deepEqual(failed.status?.aggregatedStatus?.[1], {
      clusterName: 'member2',
      applied: false,
      appliedMessage: 'deployments.apps "nginx" already exists in member2',
      health: 'Unknown',
    });
    await eventually('Deployment status re-aggregated from member1 only', async () => {
      const d = await client.resource(DEPLOYMENTS).get('nginx', { namespace: 'default' });
      return (d.status as { readyReplicas?: number } | undefined)?.readyReplicas === 2;
    });
  });

  test('a ConfigMap template (no status subresource) gets binding status and is otherwise left alone', async () => {
    const cm = await client.resource(CONFIGMAPS).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default' }, data: { a: '1' } });
    const name = await bindingFor(cm, ['member1']);
    await putWork(cm, 'member1', name, workStatus(cm, true));
    const rb = await eventually('ConfigMap binding FullyApplied=True', async () => {
      const b = await rbs().get(name, { namespace: 'default' });
      return fullyApplied(b)?.status === 'True' ? b : undefined;
    });
    assert.deepEqual(rb.status?.aggregatedStatus, [{ clusterName: 'member1', applied: true, health: 'Unknown' }]);
    assert.equal(await controller.templates.sync(`ResourceBinding/default/${name}`, rb.spec.resource, rb.status!.aggregatedStatus!), 'skipped');
    assert.ok(!interpreter.aggregated.includes('ConfigMap/settings'), 'no aggregation attempted for a kind without /status');
    const events = await client.resource(EVENTS).list({ namespace: 'default' });
    assert.ok(!events.items.some((e) => e.reason === 'AggregateStatusFailed' && (e.involvedObject as { name?: string }).name === name));
    const after = await client.resource(CONFIGMAPS).get('settings', { namespace: 'default' });
    assert.equal(after.metadata?.resourceVersion, cm.metadata?.resourceVersion, 'the ConfigMap was not written');
  });

  test('a binding whose Work is missing for a target cluster is not fully applied', async () => {
    const deploy = await client.resource(DEPLOYMENTS).create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
    });
    const name = await bindingFor(deploy, ['member1', 'member2']);
    await putWork(deploy, 'member1', name, workStatus(deploy, true, { replicas: 1, readyReplicas: 1 }));
    const rb = await eventually('FullyApplied=False for the missing Work', async () => {
      const b = await rbs().get(name, { namespace: 'default' });
      return b.status?.aggregatedStatus?.length === 1 ? b : undefined;
    });
    assert.equal(fullyApplied(rb)?.status, 'False');
    assert.equal(fullyApplied(rb)?.message, `${FULLY_APPLIED_FAILED_MESSAGE}: no work yet for member2`);
  });
});
