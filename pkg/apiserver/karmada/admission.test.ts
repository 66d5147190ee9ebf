// The Karmada admission rules run through the same store and admission chain the API server uses
// (built-in strategies, CRD admission, schema pruning/defaulting/validation from the generated CRDs,
// then karmadaAdmission), so these tests see what a client of karmada-apiserver sees.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { pino } from 'pino';
import { Admission } from '../admission/types.js';
import { builtinStrategies } from '../admission/strategies.js';
import { crdAdmission } from '../admission/crd.js';
import { schemaAdmission } from '../admission/schema.js';
import { descriptorsForCRD } from '../controllers/crd.js';
import { ApiError } from '../errors.js';
import type { KubeObject, ResourceDescriptor } from '../registry/types.js';
import { Store } from '../store/store.js';
import { SqliteStorage } from '../../storage/sqlite/sqlite.js';
import { clusterDescriptor, installKarmadaCRDs, karmadaCRDs } from './kinds.js';
import { BUILTIN_KINDS } from '../schema/builtin.js';
import { karmadaAdmission } from './admission.js';

const logger = pino({ level: 'silent' });
const user = { name: 'admin', groups: ['system:masters'] };
const SAMPLES = fileURLToPath(new URL('../../../../samples/', import.meta.url));

let storage: SqliteStorage;
let store: Store;
const kinds = new Map<string, ResourceDescriptor>();
let uidCounter = 0;

before(() => {
  storage = SqliteStorage.open({ path: ':memory:', compactInterval: 0, logger });
  const admission = new Admission([
    builtinStrategies(),
    crdAdmission(),
    schemaAdmission(),
    karmadaAdmission({ newUID: () => `uid-${++uidCounter}`, now: () => '2025-01-01T00:00:00Z' }),
  ]);
  store = new Store(storage, admission, logger);
  for (const crd of karmadaCRDs()) {
    crd.metadata!.uid = `crd-${crd.metadata!.name}`;
    for (const d of descriptorsForCRD(crd)) kinds.set(d.kind, d);
  }
  kinds.set('Cluster', clusterDescriptor);
});

after(async () => {
  store.stop();
  await storage.close();
});

function d(kind: string): ResourceDescriptor {
  const desc = kinds.get(kind);
  assert.ok(desc, `no descriptor for ${kind}`);
  return desc;
}

async function create(obj: KubeObject, namespace?: string): Promise<KubeObject> {
  const desc = d(obj.kind!);
  return store.create(desc, desc.namespaced ? (namespace ?? obj.metadata?.namespace ?? 'default') : undefined, obj, { user });
}

async function update(obj: KubeObject): Promise<KubeObject> {
  const desc = d(obj.kind!);
  return store.update(desc, obj.metadata?.namespace, obj.metadata!.name!, obj, { user });
}

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  assert.fail('expected the write to be rejected');
}

function sample(path: string): KubeObject {
  return parse(readFileSync(SAMPLES + path, 'utf8')) as KubeObject;
}

const pp = (name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'policy.karmada.io/v1alpha1',
  kind: 'PropagationPolicy',
  metadata: { name, namespace: 'default' },
  spec: { resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx' }], ...spec },
});

const op = (name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'policy.karmada.io/v1alpha1',
  kind: 'OverridePolicy',
  metadata: { name, namespace: 'default' },
  spec,
});

test('the nginx sample PropagationPolicy gets CRD defaults and the webhook mutations', async () => {
  const created = await create(sample('nginx/propagationpolicy.yaml'), 'default');
  const spec = created.spec as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.equal(spec.resourceSelectors[0].namespace, 'default', 'selector namespace defaults to the policy namespace');
  assert.equal(spec.conflictResolution, 'Abort');
  assert.equal(spec.priority, 0);
  assert.equal(spec.preemption, 'Never');
  assert.equal(spec.schedulerName, 'default-scheduler');
  assert.equal(spec.placement.replicaScheduling.replicaDivisionPreference, 'Weighted');
  assert.match(created.metadata!.labels!['propagationpolicy.karmada.io/permanent-id']!, /^uid-\d+$/);
  assert.deepEqual(created.metadata!.finalizers, ['karmada.io/propagation-policy-controller']);
});

test('webhook defaults: division preference, spread constraints, failover, ServiceImport deps', async () => {
  const created = await create(
    pp('defaults', {
      resourceSelectors: [
        { apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx' },
        { apiVersion: 'multicluster.x-k8s.io/v1alpha1', kind: 'ServiceImport', name: 'serve' },
      ],
      placement: {
        replicaScheduling: { replicaSchedulingType: 'Divided' },
        spreadConstraints: [{ maxGroups: 2 }],
      },
      failover: { application: { decisionConditions: {} } },
    }),
  );
  const spec = created.spec as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.equal(spec.placement.replicaScheduling.replicaDivisionPreference, 'Weighted');
  assert.deepEqual(spec.placement.spreadConstraints, [{ maxGroups: 2, spreadByField: 'cluster', minGroups: 1 }]);
  assert.equal(spec.propagateDeps, true, 'ServiceImport forces propagateDeps');
  assert.deepEqual(spec.failover.application, { decisionConditions: { tolerationSeconds: 300 }, purgeMode: 'Gracefully', gracePeriodSeconds: 600 });
});

test('ClusterPropagationPolicy gets its own permanent id and finalizer; selectors keep no namespace', async () => {
  const created = await create(sample('clusterpropagationpolicy.yaml'));
  assert.match(created.metadata!.labels!['clusterpropagationpolicy.karmada.io/permanent-id']!, /^uid-\d+$/);
  assert.deepEqual(created.metadata!.finalizers, ['karmada.io/cluster-propagation-policy-controller']);
  assert.equal((created.spec as any).resourceSelectors[0].namespace, undefined); // eslint-disable-line @typescript-eslint/no-explicit-any
});

test('every sample in samples/ with a Karmada kind is accepted', async () => {
  const files = [
    'overridepolicy.yaml',
    'workloadrebalancer.yaml',
    'federatedresourcequota.yaml',
    'resourceinterpretercustomization.yaml',
    'guestbook/guestbooks-clusterpropagationpolicy.yaml',
    'guestbook/guestbook-propagationpolicy.yaml',
    'guestbook/guestbook-overridepolicy.yaml',
  ];
  for (const f of files) {
    const obj = sample(f);
    await create(obj, obj.metadata?.namespace ?? 'guestbook');
  }
  const opCreated = await store.get(d('OverridePolicy'), 'guestbook', 'guestbook-sample');
  assert.equal((opCreated.spec as any).resourceSelectors[0].namespace, 'guestbook'); // eslint-disable-line @typescript-eslint/no-explicit-any
});

test('policy updates: schedulerName and the permanent-id label are immutable', async () => {
  const created = await create(pp('immutable', {}));
  const changedScheduler = structuredClone(created);
  (changedScheduler.spec as any).schedulerName = 'other'; // eslint-disable-line @typescript-eslint/no-explicit-any
  let err = await rejection(update(changedScheduler));
  assert.equal(err.code, 422);
  assert.match(err.message, /schedulerName should not be updated/);

  const changedLabel = structuredClone(created);
  changedLabel.metadata!.labels!['propagationpolicy.karmada.io/permanent-id'] = 'forged';
  err = await rejection(update(changedLabel));
  assert.match(err.message, /label propagationpolicy.karmada.io\/permanent-id is immutable/);

  const ok = structuredClone(created);
  (ok.spec as any).priority = 5; // eslint-disable-line @typescript-eslint/no-explicit-any
  const updated = await update(ok);
  assert.equal((updated.spec as any).priority, 5); // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.equal(updated.metadata!.labels!['propagationpolicy.karmada.io/permanent-id'], created.metadata!.labels!['propagationpolicy.karmada.io/permanent-id']);
});

interface Case {
  name: string;
  obj: KubeObject;
  field: string;
  message: RegExp;
  namespace?: string;
}

const long = 'x'.repeat(64);
const CASES: Case[] = [
  { name: 'no resource selectors', obj: pp('bad-1', { resourceSelectors: [] }), field: 'spec.resourceSelectors', message: /at least 1 items/ },
  {
    name: 'resource selector without kind',
    obj: pp('bad-2', { resourceSelectors: [{ apiVersion: 'apps/v1', name: 'nginx' }] }),
    field: 'spec.resourceSelectors[0].kind',
    message: /Required value/,
  },
  {
    name: 'clusterAffinity together with clusterAffinities',
    obj: pp('bad-3', { placement: { clusterAffinity: { clusterNames: ['m1'] }, clusterAffinities: [{ affinityName: 'a', clusterNames: ['m2'] }] } }),
    field: 'spec.placement.clusterAffinities',
    message: /cannot co-exist with clusterAffinity/,
  },
  {
    name: 'spreadByField together with spreadByLabel',
    obj: pp('bad-4', { placement: { spreadConstraints: [{ spreadByField: 'cluster', spreadByLabel: 'team', maxGroups: 2 }] } }),
    field: 'spec.placement.spreadConstraints[0]',
    message: /spreadByLabel should not co-exist with spreadByField/,
  },
  {
    name: 'maxGroups below minGroups',
    obj: pp('bad-5', { placement: { spreadConstraints: [{ spreadByField: 'cluster', minGroups: 3, maxGroups: 2 }] } }),
    field: 'spec.placement.spreadConstraints[0].maxGroups',
    message: /maxGroups lower than minGroups/,
  },
  {
    name: 'region spread without a cluster spread constraint',
    obj: pp('bad-6', { placement: { spreadConstraints: [{ spreadByField: 'region', minGroups: 2, maxGroups: 2 }] } }),
    field: 'spec.placement.spreadConstraints',
    message: /cluster spread constraint must be enabled/,
  },
  {
    name: 'unknown spreadByField',
    obj: pp('bad-7', { placement: { spreadConstraints: [{ spreadByField: 'datacenter' }] } }),
    field: 'spec.placement.spreadConstraints[0].spreadByField',
    message: /Unsupported value: "datacenter"/,
  },
  {
    name: 'static weight 0',
    obj: pp('bad-8', {
      placement: { replicaScheduling: { replicaSchedulingType: 'Divided', weightPreference: { staticWeightList: [{ targetCluster: { clusterNames: ['m1'] }, weight: 0 }] } } },
    }),
    field: 'spec.placement.replicaScheduling.weightPreference.staticWeightList[0].weight',
    message: /greater than or equal to 1/,
  },
  {
    name: 'fieldSelector on an unsupported cluster field',
    obj: pp('bad-9', { placement: { clusterAffinity: { fieldSelector: { matchExpressions: [{ key: 'color', operator: 'In', values: ['red'] }] } } } }),
    field: 'spec.placement.clusterAffinity.fieldSelector.matchExpressions[0].key',
    message: /must be provider, region, or zone/,
  },
  {
    name: 'duplicate affinity names',
    obj: pp('bad-10', { placement: { clusterAffinities: [{ affinityName: 'primary', clusterNames: ['m1'] }, { affinityName: 'primary', clusterNames: ['m2'] }] } }),
    field: 'spec.placement.clusterAffinities[1].affinityName',
    message: /Duplicate value: "primary"/,
  },
  {
    name: 'affinity name longer than 32',
    obj: pp('bad-11', { placement: { clusterAffinities: [{ affinityName: 'a'.repeat(33) }] } }),
    field: 'spec.placement.clusterAffinities[0].affinityName',
    message: /Too long: may not be more than 32 bytes/,
  },
  {
    name: 'label selector with a bad operator',
    obj: pp('bad-12', { placement: { clusterAffinity: { labelSelector: { matchExpressions: [{ key: 'env', operator: 'Equals', values: ['prod'] }] } } } }),
    field: 'spec.placement.clusterAffinity.labelSelector.matchExpressions[0].operator',
    message: /not a valid selector operator|Unsupported value/,
  },
  {
    name: 'application failover without propagateDeps',
    obj: pp('bad-13', { failover: { application: { decisionConditions: { tolerationSeconds: 60 } } } }),
    field: 'spec.propagateDeps',
    message: /application failover is set, propagateDeps must be true/,
  },
  {
    name: 'preemption Always with a selector without name',
    obj: pp('bad-14', { preemption: 'Always', resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment' }] }),
    field: 'spec.resourceSelectors[0].name',
    message: /name cannot be empty if preemption is Always/,
  },
  { name: 'priority that is not a number', obj: pp('bad-15', { priority: 'high' }), field: 'spec.priority', message: /must be of type integer/ },
  { name: 'policy name longer than a label value', obj: pp(long, {}), field: 'metadata.name', message: /may not be more than 63/ },
  {
    name: 'ClusterPropagationPolicy selecting a reserved namespace',
    obj: {
      apiVersion: 'policy.karmada.io/v1alpha1',
      kind: 'ClusterPropagationPolicy',
      metadata: { name: 'bad-17' },
      spec: { resourceSelectors: [{ apiVersion: 'v1', kind: 'Secret', namespace: 'karmada-system' }] },
    },
    field: 'spec.resourceSelectors[0].namespace',
    message: /reserved by Karmada/,
  },
  {
    name: 'plaintext path that is not a JSON pointer',
    obj: op('bad-18', { overrideRules: [{ overriders: { plaintext: [{ path: 'spec.replicas', operator: 'replace', value: 2 }] } }] }),
    field: 'spec.overrideRules[0].overriders.plaintext[0].path',
    message: /must be empty or start with a "\/", e.g. "\/spec\/replicas"/,
  },
  {
    name: 'plaintext replace without a value',
    obj: op('bad-19', { overrideRules: [{ overriders: { plaintext: [{ path: '/spec/replicas', operator: 'replace' }] } }] }),
    field: 'spec.overrideRules[0].overriders.plaintext[0].value',
    message: /value is required for replace operation/,
  },
  {
    name: 'plaintext remove with a value',
    obj: op('bad-20', { overrideRules: [{ overriders: { plaintext: [{ path: '/metadata/labels/a', operator: 'remove', value: 'x' }] } }] }),
    field: 'spec.overrideRules[0].overriders.plaintext[0].value',
    message: /value is not allowed for remove operation/,
  },
  {
    name: 'image overrider on an unknown component',
    obj: op('bad-21', { overrideRules: [{ overriders: { imageOverrider: [{ component: 'Digest', operator: 'replace', value: 'sha256:x' }] } }] }),
    field: 'spec.overrideRules[0].overriders.imageOverrider[0].component',
    message: /Unsupported value: "Digest"/,
  },
  {
    name: 'targetCluster together with overrideRules',
    obj: op('bad-22', { targetCluster: { clusterNames: ['m1'] }, overrideRules: [{ overriders: { labelsOverrider: [{ operator: 'add', value: { a: 'b' } }] } }] }),
    field: 'spec.targetCluster',
    message: /overrideRules and targetCluster can't co-exist/,
  },
  {
    name: 'labels overrider with an invalid label key',
    obj: op('bad-23', { overrideRules: [{ overriders: { labelsOverrider: [{ operator: 'add', value: { 'bad key!': 'v' } }] } }] }),
    field: 'spec.overrideRules[0].overriders.labelsOverrider[0].value',
    message: /name part must consist of alphanumeric characters/,
  },
  {
    name: 'static quota assignments above the overall quota',
    obj: {
      apiVersion: 'policy.karmada.io/v1alpha1',
      kind: 'FederatedResourceQuota',
      metadata: { name: 'bad-24', namespace: 'default' },
      spec: { overall: { cpu: 2 }, staticAssignments: [{ clusterName: 'm1', hard: { cpu: 2 } }, { clusterName: 'm2', hard: { cpu: '500m' } }] },
    },
    field: 'spec.staticAssignments',
    message: /exceeds spec.overall\[cpu\]/,
  },
  {
    name: 'cluster name longer than 48',
    obj: { apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name: 'c'.repeat(49) }, spec: { syncMode: 'Push' } },
    field: 'metadata.name',
    message: /no more than 48 characters/,
  },
  {
    name: 'cluster sync mode',
    obj: { apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name: 'bad-26' }, spec: { syncMode: 'Sideways' } },
    field: 'spec.syncMode',
    message: /Unsupported value: "Sideways"/,
  },
  {
    name: 'cluster taint effect',
    obj: { apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name: 'bad-27' }, spec: { syncMode: 'Push', taints: [{ key: 'k', effect: 'NoWay' }] } },
    field: 'spec.taints[0].effect',
    message: /Unsupported value: "NoWay"/,
  },
  {
    name: 'cluster resource models that are not contiguous',
    obj: {
      apiVersion: 'cluster.karmada.io/v1alpha1',
      kind: 'Cluster',
      metadata: { name: 'bad-28' },
      spec: {
        syncMode: 'Pull',
        resourceModels: [
          { grade: 0, ranges: [{ name: 'cpu', min: 0, max: 2 }] },
          { grade: 1, ranges: [{ name: 'cpu', min: 4, max: 8 }] },
        ],
      },
    },
    field: 'spec.resourceModels',
    message: /contiguous and non-overlapping/,
  },
  {
    name: 'cluster without spec.syncMode',
    obj: { apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name: 'bad-29' }, spec: { apiEndpoint: 'https://10.0.0.1:6443' } },
    field: 'spec.syncMode',
    message: /Required value/,
  },
  {
    name: 'cluster apiEndpoint without a scheme',
    obj: { apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name: 'bad-30' }, spec: { syncMode: 'Push', apiEndpoint: '10.0.0.1:6443' } },
    field: 'spec.apiEndpoint',
    message: /must be a valid URL|host must be provided/,
  },
  {
    name: 'work manifests that are not objects',
    obj: { apiVersion: 'work.karmada.io/v1alpha1', kind: 'Work', metadata: { name: 'bad-31', namespace: 'karmada-es-m1' }, spec: { workload: { manifests: ['nginx'] } } },
    field: 'spec.workload.manifests[0]',
    message: /must be of type object/,
  },
];

test(`${CASES.length} invalid objects are rejected with 422 and a cause naming the field`, async () => {
  assert.ok(CASES.length >= 10);
  for (const c of CASES) {
    const err = await rejection(create(c.obj, c.namespace));
    assert.equal(err.code, 422, `${c.name}: ${err.message}`);
    assert.equal(err.reason, 'Invalid', c.name);
    const causes = err.details?.causes ?? [];
    const hit = causes.find((x) => x.field === c.field && c.message.test(x.message ?? ''));
    assert.ok(hit, `${c.name}: no cause at ${c.field} matching ${c.message}; got ${JSON.stringify(causes)}`);
    if (process.env.SHOW_MESSAGES) console.log(err.message);
    assert.match(err.message, new RegExp(`is invalid: .*${c.field.replace(/[[\].]/g, '\\$&')}`), c.name);
  }
});

test('Cluster create: defaults as karmada-aggregated-apiserver, status dropped, validation passes', async () => {
  const created = await create({
    apiVersion: 'cluster.karmada.io/v1alpha1',
    kind: 'Cluster',
    metadata: { name: 'member1' },
    spec: {
      syncMode: 'Push',
      apiEndpoint: 'https://10.0.0.1:6443',
      zone: 'zone-a',
      taints: [
        { key: 'maintenance', effect: 'NoExecute' },
        { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
      ],
    },
    status: { kubernetesVersion: 'v1.30.0' },
  });
  const spec = created.spec as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.equal(spec.resourceModels.length, 9);
  assert.deepEqual(spec.resourceModels[1], { grade: 1, ranges: [{ name: 'cpu', min: '1', max: '2' }, { name: 'memory', min: '4Gi', max: '16Gi' }] });
  assert.equal(spec.resourceModels[8].ranges[0].max, '9223372036854775807');
  assert.equal(spec.taints[0].timeAdded, '2025-01-01T00:00:00Z');
  assert.equal(spec.taints[1].timeAdded, undefined);
  assert.deepEqual(spec.zones, ['zone-a']);
  assert.equal(spec.zone, undefined);
  assert.equal(created.status, undefined, 'status is written through /status only');
});

test('Work, ResourceBinding and ClusterResourceBinding get permanent ids', async () => {
  const work = await create({
    apiVersion: 'work.karmada.io/v1alpha1',
    kind: 'Work',
    metadata: { name: 'nginx-687f7fb96f', namespace: 'karmada-es-member1' },
    spec: { workload: { manifests: [sample('nginx/deployment.yaml')] } },
  });
  assert.match(work.metadata!.labels!['work.karmada.io/permanent-id']!, /^uid-/);
  assert.equal(((work.spec as any).workload.manifests[0] as KubeObject).kind, 'Deployment'); // eslint-disable-line @typescript-eslint/no-explicit-any

  const rb = await create({
    apiVersion: 'work.karmada.io/v1alpha2',
    kind: 'ResourceBinding',
    metadata: { name: 'nginx-deployment', namespace: 'default', labels: { 'resourcebinding.karmada.io/permanent-id': 'given' } },
    spec: { resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'nginx' }, replicas: 2 },
  });
  assert.equal(rb.metadata!.labels!['resourcebinding.karmada.io/permanent-id'], 'given', 'an existing id is kept');
  assert.equal((rb.spec as any).conflictResolution, 'Abort'); // eslint-disable-line @typescript-eslint/no-explicit-any

  const crb = await create({
    apiVersion: 'work.karmada.io/v1alpha2',
    kind: 'ClusterResourceBinding',
    metadata: { name: 'app-reader-clusterrole' },
    spec: { resource: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'app-reader' } },
  });
  assert.match(crb.metadata!.labels!['clusterresourcebinding.karmada.io/permanent-id']!, /^uid-/);
});

test('WorkloadRebalancer workloads may be edited (the controller re-runs only new entries)', async () => {
  const wr = await create({
    apiVersion: 'apps.karmada.io/v1alpha1',
    kind: 'WorkloadRebalancer',
    metadata: { name: 'rebalance-once' },
    spec: { workloads: [{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'nginx' }] },
  });
  (wr.spec as any).workloads.push({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'other' }); // eslint-disable-line @typescript-eslint/no-explicit-any
  const updated = await update(wr);
  assert.equal((updated.spec as any).workloads.length, 2); // eslint-disable-line @typescript-eslint/no-explicit-any
  (updated.spec as any).workloads = []; // eslint-disable-line @typescript-eslint/no-explicit-any
  const err = await rejection(update(updated));
  assert.equal(err.code, 422, 'an empty list is still invalid');
});

test('two ResourceInterpreterCustomizations may not define the same operation for one kind', async () => {
  const ric = (name: string, customizations: Record<string, unknown>): KubeObject => ({
    apiVersion: 'config.karmada.io/v1alpha1',
    kind: 'ResourceInterpreterCustomization',
    metadata: { name },
    spec: { target: { apiVersion: 'example.io/v1', kind: 'Thing' }, customizations },
  });
  await create(ric('thing-replicas', { replicaResource: { luaScript: 'function GetReplicas(o) return 1, {} end' } }));
  const err = await rejection(create(ric('thing-replicas-2', { replicaResource: { luaScript: 'function GetReplicas(o) return 2, {} end' } })));
  assert.equal(err.code, 422);
  assert.match(err.message, /conflicting with InterpreterOperation\(InterpretReplica\) of existing ResourceInterpreterCustomization\(thing-replicas\)/);
  await create(ric('thing-health', { healthInterpretation: { luaScript: 'function InterpretHealth(o) return true end' } }));
});

test('other kinds pass through the plugin untouched', async () => {
  const plugin = karmadaAdmission();
  const obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: 'b' } };
  const attrs = {
    operation: 'CREATE' as const,
    descriptor: { group: '', version: 'v1', resource: 'configmaps', singular: 'configmap', kind: 'ConfigMap', listKind: 'ConfigMapList', namespaced: true, verbs: [], subresources: {}, strategicMergePatch: true },
    name: 'x',
    namespace: 'default',
    object: obj,
    user,
    dryRun: false,
    fieldValidation: 'Strict' as const,
    warnings: [],
    store,
  };
  await plugin.admit!(attrs);
  await plugin.validate!(attrs);
  assert.deepEqual(obj, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: 'b' } });
});

test('installKarmadaCRDs creates the CRDs once and repairs a changed one', async () => {
  const crdD = BUILTIN_KINDS.find((x) => x.group === 'apiextensions.k8s.io' && x.kind === 'CustomResourceDefinition')!;
  const first = await installKarmadaCRDs(store, crdD, user);
  assert.equal(first.length, karmadaCRDs().length);
  assert.deepEqual(await installKarmadaCRDs(store, crdD, user), [], 'nothing to do the second time');
  await store.guaranteedUpdate(crdD, undefined, 'works.work.karmada.io', { user }, (cur) => {
    (cur.spec as any).names.shortNames = ['w']; // eslint-disable-line @typescript-eslint/no-explicit-any
    return cur;
  });
  assert.deepEqual(await installKarmadaCRDs(store, crdD, user), ['works.work.karmada.io']);
  const works = await store.get(crdD, undefined, 'works.work.karmada.io');
  assert.deepEqual((works.spec as any).names.shortNames, ['wk']); // eslint-disable-line @typescript-eslint/no-explicit-any
});
