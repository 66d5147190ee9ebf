import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import type { OverridePolicy } from '../../apis/policy/v1alpha1/index.js';
import type { KubeObject } from '../../runtime/types.js';
import {
  conflictResolutionOf,
  directlyPurgedClusters,
  existingClusters,
  mergeTargetClusters,
  renderWorks,
  shouldSuspendDispatching,
  type BindingObject,
  type RenderInput,
} from './render.js';
import { FakeInterpreter, fakeApplyOverrides } from './testing.js';

const deployment = (): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'nginx', namespace: 'default', uid: 'tmpl-uid', generation: 4, resourceVersion: '77', labels: { app: 'nginx' } },
  spec: { replicas: 3, template: { spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
  status: { readyReplicas: 3 },
});

const binding = (spec: Partial<BindingObject['spec']> = {}): BindingObject => ({
  apiVersion: 'work.karmada.io/v1alpha2',
  kind: 'ResourceBinding',
  metadata: { name: 'nginx-deployment', namespace: 'default', labels: { 'resourcebinding.karmada.io/permanent-id': 'rb-id' } },
  spec: {
    resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'nginx', uid: 'tmpl-uid' },
    replicas: 3,
    placement: { replicaScheduling: { replicaSchedulingType: 'Divided' } },
    clusters: [
      { name: 'member1', replicas: 2 },
      { name: 'member2', replicas: 1 },
    ],
    ...spec,
  },
});

const cluster = (name: string, labels: Record<string, string> = {}): Cluster => ({ metadata: { name, labels }, spec: { syncMode: 'Push' } });

const input = (over: Partial<RenderInput> = {}): RenderInput => ({
  binding: binding(),
  scope: 'Namespaced',
  template: deployment(),
  cluster: (n) => cluster(n),
  policies: { clusterOverridePolicies: [], overridePolicies: [] },
  applyOverrides: fakeApplyOverrides,
  interpreter: new FakeInterpreter(),
  ...over,
});

const byCluster = async (i: RenderInput) => Object.fromEntries((await renderWorks(i)).works.map((w) => [w.cluster, w]));
const replicasOf = (m: KubeObject) => (m.spec as { replicas?: number }).replicas;

test('mergeTargetClusters: spec.clusters first, then new clusters of requiring bindings', () => {
  assert.deepEqual(
    mergeTargetClusters([{ name: 'a', replicas: 1 }], [
      { namespace: 'ns', name: 'x', clusters: [{ name: 'a', replicas: 5 }, { name: 'b', replicas: 2 }] },
      { namespace: 'ns', name: 'y', clusters: [{ name: 'c' }, { name: 'b' }] },
    ]),
    [{ name: 'a', replicas: 1 }, { name: 'b', replicas: 2 }, { name: 'c' }],
  );
  assert.deepEqual(mergeTargetClusters(undefined, undefined), []);
});

test('existing clusters keep gracefully evicted clusters; Directly purged ones are waited for', () => {
  const spec = binding({
    clusters: [{ name: 'a' }],
    requiredBy: [{ name: 'x', namespace: 'ns', clusters: [{ name: 'b' }] }],
    gracefulEvictionTasks: [
      { fromCluster: 'c', purgeMode: 'Gracefully', reason: 'TaintUntolerated', producer: 'TaintManager' },
      { fromCluster: 'd', purgeMode: 'Directly', reason: 'TaintUntolerated', producer: 'TaintManager' },
      { fromCluster: 'e', purgeMode: 'Immediately', reason: 'TaintUntolerated', producer: 'TaintManager' },
      { fromCluster: 'f', reason: 'ApplicationFailure', producer: 'x' },
    ],
  }).spec;
  assert.deepEqual([...existingClusters(spec)].sort(), ['a', 'b', 'c', 'f']);
  assert.deepEqual([...directlyPurgedClusters(spec)].sort(), ['d', 'e']);
});

test('suspension: dispatching suspends all clusters, dispatchingOnClusters the listed ones', () => {
  const cases: [Parameters<typeof shouldSuspendDispatching>[0], string, boolean][] = [
    [undefined, 'm1', false],
    [{}, 'm1', false],
    [{ dispatching: false }, 'm1', false],
    [{ dispatching: true }, 'm1', true],
    [{ dispatchingOnClusters: { clusterNames: ['m2'] } }, 'm1', false],
    [{ dispatchingOnClusters: { clusterNames: ['m1', 'm2'] } }, 'm1', true],
  ];
  for (const [s, c, want] of cases) assert.equal(shouldSuspendDispatching(s, c), want, JSON.stringify(s));
});

test('conflict resolution: a valid template annotation wins over the binding', () => {
  const withAnn = (v: string) => ({ metadata: { annotations: { 'work.karmada.io/conflict-resolution': v } } });
  assert.equal(conflictResolutionOf({}, undefined), 'abort');
  assert.equal(conflictResolutionOf({}, 'Overwrite'), 'overwrite');
  assert.equal(conflictResolutionOf(withAnn('overwrite'), 'Abort'), 'overwrite');
  assert.equal(conflictResolutionOf(withAnn('abort'), 'Overwrite'), 'abort');
  assert.equal(conflictResolutionOf(withAnn('bogus'), 'Overwrite'), 'overwrite');
});

test('Divided workloads get their per-cluster replicas; the template is not touched', async () => {
  const i = input();
  const w = await byCluster(i);
  assert.equal(replicasOf(w.member1!.manifest), 2);
  assert.equal(replicasOf(w.member2!.manifest), 1);
  assert.equal(replicasOf(i.template), 3);
  assert.equal(w.member1!.namespace, 'karmada-es-member1');
  assert.equal(w.member1!.name, 'nginx-687f7fb96f');
});

test('replicas are not revised for Duplicated placement, without the hook, or without replicas', async () => {
  const duplicated = await byCluster(input({ binding: binding({ placement: {}, clusters: [{ name: 'member1', replicas: 3 }] }) }));
  assert.equal(replicasOf(duplicated.member1!.manifest), 3);
  const interp = new FakeInterpreter();
  interp.hookEnabled = () => false;
  const noHook = await byCluster(input({ interpreter: interp }));
  assert.equal(replicasOf(noHook.member1!.manifest), 3);
  const noReplicas = await byCluster(input({ binding: binding({ replicas: 0 }) }));
  assert.equal(replicasOf(noReplicas.member2!.manifest), 3);
});

test('a Divided Job gets its completions divided in proportion to the replicas', async () => {
  const job: KubeObject = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi', namespace: 'default', uid: 'job-uid' },
    spec: { completions: 10, parallelism: 3, template: { spec: {} } },
  };
  const b = binding({ resource: { apiVersion: 'batch/v1', kind: 'Job', namespace: 'default', name: 'pi' }, clusters: [{ name: 'member1', replicas: 2 }, { name: 'member2', replicas: 1 }] });
  const w = await byCluster(input({ template: job, binding: b }));
  assert.deepEqual(w.member1!.manifest.spec, { completions: 7, parallelism: 2, template: { spec: {} } });
  assert.deepEqual(w.member2!.manifest.spec, { completions: 3, parallelism: 1, template: { spec: {} } });
  // a work-queue Job (no completions) keeps completions unset
  const queueJob = structuredClone(job);
  delete (queueJob.spec as Record<string, unknown>).completions;
  const q = await byCluster(input({ template: queueJob, binding: b }));
  assert.equal((q.member1!.manifest.spec as Record<string, unknown>).completions, undefined);
});

test('labels and annotations: binding id on Work and manifest, back-references, generation, conflict resolution', async () => {
  const w = (await byCluster(input({ binding: binding({ conflictResolution: 'Overwrite' }) }))).member1!;
  assert.deepEqual(w.labels, { 'resourcebinding.karmada.io/permanent-id': 'rb-id' });
  assert.deepEqual(w.annotations, {
    'resourcebinding.karmada.io/namespace': 'default',
    'resourcebinding.karmada.io/name': 'nginx-deployment',
    'work.karmada.io/conflict-resolution': 'overwrite',
  });
  assert.equal(w.manifest.metadata?.labels?.['resourcebinding.karmada.io/permanent-id'], 'rb-id');
  assert.equal(w.manifest.metadata?.labels?.app, 'nginx');
  assert.equal(w.manifest.metadata?.annotations?.['resourcetemplate.karmada.io/generation'], '4');
  assert.equal(w.manifest.metadata?.annotations?.['resourcebinding.karmada.io/name'], 'nginx-deployment');
});

test('ClusterResourceBindings use their own id label and name annotation', async () => {
  const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', uid: 'ns-uid' } };
  const crb: BindingObject = {
    metadata: { name: 'team-a-namespace', labels: { 'clusterresourcebinding.karmada.io/permanent-id': 'crb-id' } },
    spec: { resource: { apiVersion: 'v1', kind: 'Namespace', name: 'team-a' }, clusters: [{ name: 'member1' }] },
  };
  const w = (await renderWorks(input({ binding: crb, scope: 'Cluster', template: ns }))).works[0]!;
  assert.deepEqual(w.labels, { 'clusterresourcebinding.karmada.io/permanent-id': 'crb-id' });
  assert.deepEqual(w.annotations, { 'clusterresourcebinding.karmada.io/name': 'team-a-namespace', 'work.karmada.io/conflict-resolution': 'abort' });
  assert.equal(w.manifest.metadata?.labels?.['clusterresourcebinding.karmada.io/permanent-id'], 'crb-id');
});

test('suspension and preserveResourcesOnDeletion reach each Work', async () => {
  const w = await byCluster(input({ binding: binding({ suspension: { dispatchingOnClusters: { clusterNames: ['member2'] } }, preserveResourcesOnDeletion: true }) }));
  assert.equal(w.member1!.suspendDispatching, false);
  assert.equal(w.member2!.suspendDispatching, true);
  assert.equal(w.member1!.preserveResourcesOnDeletion, true);
});

test('clusters of requiring bindings get a Work too', async () => {
  const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default', uid: 'cm' }, data: { a: '1' } };
  const attached = binding({
    resource: { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'cfg' },
    replicas: undefined,
    placement: undefined,
    clusters: undefined,
    requiredBy: [{ namespace: 'default', name: 'nginx-deployment', clusters: [{ name: 'member1', replicas: 2 }, { name: 'member3', replicas: 1 }] }],
  });
  const r = await renderWorks(input({ binding: attached, template: cm }));
  assert.deepEqual(r.works.map((w) => w.cluster), ['member1', 'member3']);
  assert.deepEqual(r.works[0]!.manifest.data, { a: '1' });
});

const op = (name: string, clusterNames: string[], overriders: Record<string, unknown>): OverridePolicy => ({
  apiVersion: 'policy.karmada.io/v1alpha1',
  kind: 'OverridePolicy',
  metadata: { name, namespace: 'default' },
  spec: { resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx' }], overrideRules: [{ targetCluster: { clusterNames }, overriders }] },
});

test('overrides apply per cluster and are recorded on the Work', async () => {
  const policies = { clusterOverridePolicies: [], overridePolicies: [op('prod', ['member1'], { labelsOverrider: [{ operator: 'add', value: { env: 'prod' } }] })] };
  const w = await byCluster(input({ policies }));
  assert.equal(w.member1!.manifest.metadata?.labels?.env, 'prod');
  assert.ok(w.member1!.annotations['policy.karmada.io/applied-overrides']?.includes('"prod"'));
  assert.equal(w.member2!.manifest.metadata?.labels?.env, undefined);
  assert.equal(w.member2!.annotations['policy.karmada.io/applied-overrides'], undefined);
});

test('an override error fails only its cluster; an unknown cluster cannot be overridden', async () => {
  const policies = { clusterOverridePolicies: [], overridePolicies: [op('broken', ['member2'], { plaintext: [{ path: '/fail', operator: 'add', value: 1 }] })] };
  const r = await renderWorks(input({ policies }));
  assert.deepEqual(r.works.map((w) => w.cluster), ['member1']);
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0]!.cluster, 'member2');
  assert.match(r.errors[0]!.error.message, /broken/);

  const unknown = await renderWorks(input({ policies, cluster: (n) => (n === 'member1' ? cluster(n) : undefined) }));
  assert.match(unknown.errors[0]!.error.message, /cluster "member2" is not known/);
  // without any policy the cluster object is not needed
  const none = await renderWorks(input({ cluster: () => undefined }));
  assert.equal(none.works.length, 2);
});
