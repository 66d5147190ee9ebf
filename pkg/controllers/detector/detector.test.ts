// The detector against an in-process karmada-apiserver: templates and policies in, claims and bindings out.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { ResourceBinding } from '../../apis/work/v1alpha2/index.js';
import type { ResourceInterpreter } from '../../resourceinterpreter/interface.js';
import type { ObjectClient } from '../../runtime/client.js';
import { SharedInformerFactory } from '../../runtime/factory.js';
import { CUSTOMRESOURCEDEFINITIONS, EVENTS, gvr, NAMESPACES } from '../../runtime/gvr.js';
import { eventually, startTestApiServer, type TestApiServer } from '../../runtime/testenv.js';
import type { KubeObject } from '../../runtime/types.js';
import { ResourceDetector } from './detector.js';
import { CLUSTER_PROPAGATION_POLICIES, CLUSTER_RESOURCE_BINDINGS, PROPAGATION_POLICIES, RESOURCE_BINDINGS, RESOURCE_INTERPRETER_CUSTOMIZATIONS } from './gvrs.js';
import { newInformerBackedInterpreter } from '../../resourceinterpreter/index.js';

const DEPLOYMENTS = gvr('apps', 'v1', 'deployments');
const GADGETS = gvr('example.io', 'v1', 'gadgets', false);

const PP_ID = 'propagationpolicy.karmada.io/permanent-id';
const PP_NAME = 'propagationpolicy.karmada.io/name';
const PP_NS = 'propagationpolicy.karmada.io/namespace';
const CPP_ID = 'clusterpropagationpolicy.karmada.io/permanent-id';
const CPP_NAME = 'clusterpropagationpolicy.karmada.io/name';

/** Replicas from spec.replicas, a fixed request per replica: enough to see the interpreter's answer land. */
const fakeInterpreter: ResourceInterpreter = {
  hookEnabled: (gvk, op) => gvk.kind === 'Deployment' && op === 'InterpretReplica',
  getReplicas: async (obj) => ({ replicas: Number((obj.spec as { replicas?: number })?.replicas ?? 1), requirements: { resourceRequest: { cpu: '100m' } } }),
  reviseReplica: async (obj) => obj,
  retain: async (d) => d,
  reflectStatus: async () => undefined,
  interpretHealth: async () => true,
  aggregateStatus: async (obj) => obj,
  getDependencies: async () => [],
};

function deployment(name: string, namespace: string, replicas = 3): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    },
  };
}

function pp(name: string, namespace: string, selectors: Record<string, unknown>[], spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'policy.karmada.io/v1alpha1',
    kind: 'PropagationPolicy',
    metadata: { name, namespace },
    spec: { resourceSelectors: selectors, placement: { clusterAffinity: { clusterNames: ['member1'] } }, ...spec },
  };
}

describe('ResourceDetector (in-process)', () => {
  let env: TestApiServer;
  let client: ObjectClient;
  let factory: SharedInformerFactory;
  let detector: ResourceDetector;
  const stop = new AbortController();
  let running: Promise<void>;

  const getRB = (name: string, ns = 'default') => client.resource<ResourceBinding>(RESOURCE_BINDINGS).getOrUndefined(name, { namespace: ns });
  const getDeploy = (name: string, ns = 'default') => client.resource(DEPLOYMENTS).getOrUndefined(name, { namespace: ns });
  const getPP = (name: string, ns = 'default') => client.resource(PROPAGATION_POLICIES).getOrUndefined(name, { namespace: ns });

  before(async () => {
    env = await startTestApiServer();
    client = env.client();
    for (const ns of ['default', 'apps', 'kube-system', 'karmada-system']) {
      await client.resource(NAMESPACES).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }).catch(() => undefined);
    }
    const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
    factory = new SharedInformerFactory(client, { logger });
    detector = new ResourceDetector({ client, informers: factory, logger, interpreter: fakeInterpreter, discoveryPeriodMs: 500 });
    factory.start();
    running = detector.run(stop.signal);
  });

  after(async () => {
    stop.abort();
    await running;
    await factory?.stop();
    await env?.cleanup();
  });

  test('a Deployment and a PropagationPolicy: the template is claimed and gets its ResourceBinding', async () => {
    const d = await client.resource(DEPLOYMENTS).create(deployment('nginx', 'default'));
    const policy = await client.resource(PROPAGATION_POLICIES).create(pp('nginx-pp', 'default', [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx' }]));
    const policyID = policy.metadata?.labels?.[PP_ID];
    assert.ok(policyID, 'the webhook gives every policy a permanent id');

    const rb = await eventually('the ResourceBinding', () => getRB('nginx-deployment'));
    const claimed = await eventually('the claim on the template', async () => {
      const t = await getDeploy('nginx');
      return t?.metadata?.labels?.[PP_ID] === policyID ? t : undefined;
    });
    assert.equal(claimed.metadata?.annotations?.[PP_NS], 'default');
    assert.equal(claimed.metadata?.annotations?.[PP_NAME], 'nginx-pp');

    assert.deepEqual(rb.metadata?.ownerReferences, [
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx', uid: d.metadata?.uid, controller: true, blockOwnerDeletion: true },
    ]);
    assert.deepEqual(rb.metadata?.finalizers, ['karmada.io/binding-controller']);
    assert.equal(rb.metadata?.labels?.[PP_ID], policyID);
    assert.equal(rb.metadata?.annotations?.[PP_NAME], 'nginx-pp');
    assert.ok(rb.metadata?.labels?.['resourcebinding.karmada.io/permanent-id'], 'the binding has its own permanent id');
    assert.equal(rb.spec.resource.uid, d.metadata?.uid);
    assert.equal(rb.spec.resource.name, 'nginx');
    assert.equal(rb.spec.resource.kind, 'Deployment');
    assert.equal(rb.spec.replicas, 3);
    assert.deepEqual(rb.spec.replicaRequirements, { resourceRequest: { cpu: '100m' } });
    assert.deepEqual(rb.spec.placement?.clusterAffinity, { clusterNames: ['member1'] });
    assert.equal(rb.spec.schedulerName, 'default-scheduler');

    await eventually('an ApplyPolicySucceed event on the template', async () => {
      const { items } = await client.resource(EVENTS).listAll({ namespace: 'default' });
      return items.some((e) => e.reason === 'ApplyPolicySucceed' && (e.involvedObject as { name?: string })?.name === 'nginx');
    });
  });

  test('a template update refreshes spec.resource and replicas, never the scheduler\'s spec.clusters', async () => {
    const rb = (await getRB('nginx-deployment'))!;
    await client.resource(RESOURCE_BINDINGS).update({ ...rb, spec: { ...rb.spec, clusters: [{ name: 'member1', replicas: 3 }] } });
    const t = (await getDeploy('nginx'))!;
    const updated = await client.resource(DEPLOYMENTS).update({ ...t, spec: { ...(t.spec as object), replicas: 5 } });
    const after = await eventually('the binding to follow the template', async () => {
      const b = await getRB('nginx-deployment');
      return b?.spec.resource.resourceVersion === updated.metadata?.resourceVersion ? b : undefined;
    });
    assert.equal(after.spec.replicas, 5);
    assert.deepEqual(after.spec.clusters, [{ name: 'member1', replicas: 3 }]);
  });

  test('a higher-priority PropagationPolicy with preemption Always takes the template over', async () => {
    const high = await client.resource(PROPAGATION_POLICIES).create(
      pp('nginx-high', 'default', [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx' }], {
        priority: 10,
        preemption: 'Always',
        placement: { clusterAffinity: { clusterNames: ['member2'] } },
      }),
    );
    const rb = await eventually('the binding to follow the preempting policy', async () => {
      const b = await getRB('nginx-deployment');
      return b?.metadata?.annotations?.[PP_NAME] === 'nginx-high' ? b : undefined;
    });
    assert.equal(rb.metadata?.labels?.[PP_ID], high.metadata?.labels?.[PP_ID]);
    assert.deepEqual(rb.spec.placement?.clusterAffinity, { clusterNames: ['member2'] });
    assert.deepEqual(rb.spec.clusters, [{ name: 'member1', replicas: 3 }], 'scheduling result untouched');
    const t = await getDeploy('nginx');
    assert.equal(t?.metadata?.annotations?.[PP_NAME], 'nginx-high');
  });

  test('deleting the claiming policy unclaims; another policy may claim; the policy disappears', async () => {
    await client.resource(PROPAGATION_POLICIES).delete('nginx-high', { namespace: 'default' });
    await eventually('nginx-high to be released', async () => !(await getPP('nginx-high')));
    // the remaining policy still selects the template and claims it again
    await eventually('nginx-pp to claim the template again', async () => {
      const [t, b] = await Promise.all([getDeploy('nginx'), getRB('nginx-deployment')]);
      return t?.metadata?.annotations?.[PP_NAME] === 'nginx-pp' && b?.metadata?.annotations?.[PP_NAME] === 'nginx-pp';
    });

    await client.resource(PROPAGATION_POLICIES).delete('nginx-pp', { namespace: 'default' });
    await eventually('nginx-pp to be released', async () => !(await getPP('nginx-pp')));
    const t = await getDeploy('nginx');
    assert.equal(t?.metadata?.labels?.[PP_ID], undefined);
    assert.equal(t?.metadata?.annotations?.[PP_NAME], undefined);
    assert.equal(t?.metadata?.annotations?.[PP_NS], undefined);
    const rb = await getRB('nginx-deployment');
    assert.ok(rb, 'the binding stays until the template goes');
    assert.equal(rb.metadata?.labels?.[PP_ID], undefined);
    assert.equal(rb.metadata?.annotations?.[PP_NAME], undefined);
    assert.ok(rb.metadata?.labels?.['resourcebinding.karmada.io/permanent-id']);
  });

  test('a CRD created after start: its cluster-scoped objects get ClusterResourceBindings under a CPP', async () => {
    await client.resource(CUSTOMRESOURCEDEFINITIONS).create({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'gadgets.example.io' },
      spec: {
        group: 'example.io',
        scope: 'Cluster',
        names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', listKind: 'GadgetList' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      },
    });
    await eventually('gadgets to be served', () => client.serves(GADGETS));
    const g = await client.resource(GADGETS).create({ apiVersion: 'example.io/v1', kind: 'Gadget', metadata: { name: 'g1' }, spec: { size: 1 } });
    const cpp = await client.resource(CLUSTER_PROPAGATION_POLICIES).create({
      apiVersion: 'policy.karmada.io/v1alpha1',
      kind: 'ClusterPropagationPolicy',
      metadata: { name: 'gadgets' },
      spec: { resourceSelectors: [{ apiVersion: 'example.io/v1', kind: 'Gadget' }] },
    });
    const crb = await eventually('the ClusterResourceBinding', () => client.resource<ResourceBinding>(CLUSTER_RESOURCE_BINDINGS).getOrUndefined('g1-gadget'));
    assert.equal(crb.metadata?.labels?.[CPP_ID], cpp.metadata?.labels?.[CPP_ID]);
    assert.equal(crb.metadata?.annotations?.[CPP_NAME], 'gadgets');
    assert.deepEqual(crb.metadata?.finalizers, ['karmada.io/cluster-resource-binding-controller']);
    assert.equal(crb.spec.resource.uid, g.metadata?.uid);
    assert.equal(crb.spec.resource.namespace, undefined);
    assert.equal(crb.spec.replicas, undefined, 'no InterpretReplica hook for Gadget');
    const claimed = await client.resource(GADGETS).get('g1');
    assert.equal(claimed.metadata?.labels?.[CPP_ID], cpp.metadata?.labels?.[CPP_ID]);
  });

  test('a namespaced template under a CPP gets a ResourceBinding; reserved and kube-* namespaces are ignored', async () => {
    for (const ns of ['apps', 'kube-system', 'karmada-system']) await client.resource(DEPLOYMENTS).create(deployment('web', ns, 2));
    await client.resource(CLUSTER_PROPAGATION_POLICIES).create({
      apiVersion: 'policy.karmada.io/v1alpha1',
      kind: 'ClusterPropagationPolicy',
      metadata: { name: 'web-everywhere' },
      spec: {
        // no namespace: selects web in every namespace, including the ones the detector must ignore
        resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }],
      },
    });
    const rb = await eventually('the ResourceBinding in apps', () => getRB('web-deployment', 'apps'));
    assert.equal(rb.metadata?.annotations?.[CPP_NAME], 'web-everywhere');
    assert.equal(rb.spec.replicas, 2);
    assert.deepEqual(rb.metadata?.finalizers, ['karmada.io/binding-controller']);
    // the same policy selects the other two; give them the same chance
    await new Promise((r) => setTimeout(r, 300));
    for (const ns of ['kube-system', 'karmada-system']) {
      assert.equal(await getRB('web-deployment', ns), undefined, `no binding in ${ns}`);
      const t = await getDeploy('web', ns);
      assert.equal(t?.metadata?.labels?.[CPP_ID], undefined, `no claim in ${ns}`);
    }
  });

  test('dependentOverrides: the policy waits until the OverridePolicy exists', async () => {
    await client.resource(DEPLOYMENTS).create(deployment('dep', 'apps'));
    await client.resource(PROPAGATION_POLICIES).create(pp('dep-pp', 'apps', [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'dep' }], { dependentOverrides: ['dep-op'] }));
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await getRB('dep-deployment', 'apps'), undefined, 'no binding while the override is missing');
    await client.resource(gvr('policy.karmada.io', 'v1alpha1', 'overridepolicies')).create({
      apiVersion: 'policy.karmada.io/v1alpha1',
      kind: 'OverridePolicy',
      metadata: { name: 'dep-op', namespace: 'apps' },
      spec: { resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'dep' }], overrideRules: [] },
    });
    const rb = await eventually('the binding once the override exists', () => getRB('dep-deployment', 'apps'));
    assert.equal(rb.metadata?.annotations?.[PP_NAME], 'dep-pp');
  });
  test('a policy update reaches the binding; a policy that stops selecting the template unclaims it', async () => {
    const p = (await getPP('dep-pp', 'apps'))!;
    await client.resource(PROPAGATION_POLICIES).update({ ...p, spec: { ...(p.spec as object), placement: { clusterAffinity: { clusterNames: ['member9'] } } } });
    await eventually('the new placement on the binding', async () => {
      const b = await getRB('dep-deployment', 'apps');
      return b?.spec.placement?.clusterAffinity?.clusterNames?.[0] === 'member9';
    });
    const p2 = (await getPP('dep-pp', 'apps'))!;
    await client.resource(PROPAGATION_POLICIES).update({
      ...p2,
      spec: { ...(p2.spec as object), resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'something-else' }] },
    });
    await eventually('the claim to go from template and binding', async () => {
      const [t, b] = await Promise.all([getDeploy('dep', 'apps'), getRB('dep-deployment', 'apps')]);
      return t && b && !t.metadata?.labels?.[PP_ID] && !t.metadata?.annotations?.[PP_NAME] && !b.metadata?.labels?.[PP_ID];
    });
  });

  test('activationPreference Lazy: policy changes wait for the next template change', async () => {
    await client.resource(PROPAGATION_POLICIES).create(
      pp('lazy-pp', 'apps', [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'lazy' }], { activationPreference: 'Lazy' }),
    );
    await eventually('the policy in the cache', async () => (await getPP('lazy-pp', 'apps'))?.metadata?.labels?.[PP_ID]);
    await new Promise((r) => setTimeout(r, 300));
    // a template created under a Lazy policy is propagated (its creation is a change of the template)
    await client.resource(DEPLOYMENTS).create(deployment('lazy', 'apps', 1));
    await eventually('the binding of a new template', () => getRB('lazy-deployment', 'apps'));
    const p = (await getPP('lazy-pp', 'apps'))!;
    await client.resource(PROPAGATION_POLICIES).update({ ...p, spec: { ...(p.spec as object), placement: { clusterAffinity: { clusterNames: ['member7'] } } } });
    await new Promise((r) => setTimeout(r, 700));
    const before = await getRB('lazy-deployment', 'apps');
    assert.deepEqual(before?.spec.placement?.clusterAffinity, { clusterNames: ['member1'] }, 'the policy change alone does not reach the binding');
    await client.resource(DEPLOYMENTS).patch('lazy', { metadata: { labels: { touched: 'yes' } } }, { namespace: 'apps' });
    await eventually('the binding to pick up the policy after the template changed', async () => {
      const b = await getRB('lazy-deployment', 'apps');
      return b?.spec.placement?.clusterAffinity?.clusterNames?.[0] === 'member7';
    });
  });

  test('a policy that cannot be applied records ApplyPolicyFailed on the template', async () => {
    await client.resource(DEPLOYMENTS).create(deployment('prio', 'apps', 1));
    await client.resource(PROPAGATION_POLICIES).create(
      pp('prio-pp', 'apps', [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'prio' }], {
        schedulePriority: { priorityClassSource: 'KubePriorityClass', priorityClassName: 'no-such-class' },
      }),
    );
    const ev = await eventually('an ApplyPolicyFailed event', async () => {
      const { items } = await client.resource(EVENTS).listAll({ namespace: 'apps' });
      return items.find((e) => e.reason === 'ApplyPolicyFailed' && (e.involvedObject as { name?: string })?.name === 'prio');
    });
    assert.match(String(ev.message), /no-such-class/);
    assert.equal(await getRB('prio-deployment', 'apps'), undefined);
  });
});

describe('ResourceDetector with the real interpreter', () => {
  let env: TestApiServer;
  let client: ObjectClient;
  let factory: SharedInformerFactory;
  const stop = new AbortController();
  let running: Promise<void>;

  before(async () => {
    env = await startTestApiServer();
    client = env.client();
    await client.resource(NAMESPACES).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }).catch(() => undefined);
    const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
    factory = new SharedInformerFactory(client, { logger });
    const interpreter = newInformerBackedInterpreter(factory, logger);
    const detector = new ResourceDetector({ client, informers: factory, logger, interpreter, discoveryPeriodMs: 500 });
    factory.start();
    running = detector.run(stop.signal);
  });

  after(async () => {
    stop.abort();
    await running;
    await factory?.stop();
    await env?.cleanup();
  });

  test('a ResourceInterpreterCustomization created after the template re-evaluates its replicas', async () => {
    await client.resource(CUSTOMRESOURCEDEFINITIONS).create({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'workloads.apps.example.io' },
      spec: {
        group: 'apps.example.io',
        names: { kind: 'Workload', listKind: 'WorkloadList', plural: 'workloads', singular: 'workload' },
        scope: 'Namespaced',
        versions: [{ name: 'v1alpha1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      },
    } as KubeObject);
    const workloads = client.resource(gvr('apps.example.io', 'v1alpha1', 'workloads'));
    await eventually('the Workload kind served', async () =>
      workloads.create({ apiVersion: 'apps.example.io/v1alpha1', kind: 'Workload', metadata: { name: 'w', namespace: 'default' }, spec: { replicas: 4 } } as KubeObject).then(
        () => true,
        () => false,
      ),
    );
    await client.resource(PROPAGATION_POLICIES).create(pp('w-pp', 'default', [{ apiVersion: 'apps.example.io/v1alpha1', kind: 'Workload', name: 'w' }]));
    const before = await eventually('the binding, without replicas (no interpreter knows Workload yet)', () =>
      client.resource<ResourceBinding>(RESOURCE_BINDINGS).getOrUndefined('w-workload', { namespace: 'default' }),
    );
    assert.ok(!before.spec.replicas, `replicas ${before.spec.replicas}`);

    await client.resource(RESOURCE_INTERPRETER_CUSTOMIZATIONS).create({
      apiVersion: 'config.karmada.io/v1alpha1',
      kind: 'ResourceInterpreterCustomization',
      metadata: { name: 'workload' },
      spec: {
        target: { apiVersion: 'apps.example.io/v1alpha1', kind: 'Workload' },
        customizations: { replicaResource: { luaScript: 'function GetReplicas(obj)\n  return obj.spec.replicas, {}\nend' } },
      },
    } as KubeObject);
    await eventually('replicas from the customization', async () => (await client.resource<ResourceBinding>(RESOURCE_BINDINGS).get('w-workload', { namespace: 'default' })).spec.replicas === 4);
  });
});
