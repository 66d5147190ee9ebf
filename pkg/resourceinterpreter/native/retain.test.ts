import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../runtime/types.js';
import { retainClusterFields, retainInterpreters } from './retain.js';

const retain = (desired: KubeObject, observed: KubeObject) => retainInterpreters[`${desired.apiVersion}, Kind=${desired.kind}`]!(desired, observed);

test('generic retention keeps what the member owns', () => {
  const desired: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'cm',
      labels: { app: 'x', 'karmada.io/managed': 'true' },
      annotations: { team: 'a', 'resourcetemplate.karmada.io/managed-labels': 'app,karmada.io/managed', 'resourcetemplate.karmada.io/managed-annotations': 'team' },
    },
    data: { k: 'desired' },
  };
  const observed: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'cm',
      resourceVersion: '42',
      finalizers: ['member/finalizer'],
      ownerReferences: [{ apiVersion: 'v1', kind: 'Foo', name: 'f', uid: 'u' }],
      // app changed in the member (desired wins), old removed from the template, added-by-member kept
      labels: { app: 'y', old: 'gone', 'added-by-member': '1' },
      annotations: { 'resourcetemplate.karmada.io/managed-labels': 'app,old', 'resourcetemplate.karmada.io/managed-annotations': 'team,stale', stale: 's', 'member/note': 'n' },
    },
    data: { k: 'member' },
    status: { phase: 'x' },
  };
  const got = retainClusterFields(desired, observed);
  assert.equal(got.metadata?.resourceVersion, '42');
  assert.deepEqual(got.metadata?.finalizers, ['member/finalizer']);
  assert.deepEqual(got.metadata?.ownerReferences, observed.metadata?.ownerReferences);
  assert.deepEqual(got.metadata?.labels, { app: 'x', 'karmada.io/managed': 'true', 'added-by-member': '1' });
  assert.equal(got.metadata?.annotations?.['member/note'], 'n');
  assert.equal(got.metadata?.annotations?.['stale'], undefined, 'annotation removed from the template is not kept');
  assert.equal(got.metadata?.annotations?.['team'], 'a');
  assert.deepEqual(got['data'], { k: 'desired' }, 'spec-like fields stay desired');
  assert.deepEqual(got['status'], { phase: 'x' });
  assert.equal(desired.metadata?.resourceVersion, undefined, 'input not mutated');
});

test('Service retention keeps clusterIP(s), healthCheckNodePort and node ports', () => {
  const desired: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's' },
    spec: {
      type: 'LoadBalancer',
      ports: [
        { name: 'http', port: 80 },
        { name: 'admin', port: 9000, nodePort: 30001 },
      ],
    },
  };
  const observed: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's' },
    spec: {
      type: 'LoadBalancer',
      clusterIP: '10.0.0.7',
      clusterIPs: ['10.0.0.7'],
      healthCheckNodePort: 31000,
      ports: [
        { name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 },
        { name: 'admin', port: 9000, protocol: 'TCP', nodePort: 30999 },
      ],
    },
  };
  const spec = retain(desired, observed)['spec'] as Record<string, unknown>;
  assert.equal(spec['clusterIP'], '10.0.0.7');
  assert.deepEqual(spec['clusterIPs'], ['10.0.0.7']);
  assert.equal(spec['healthCheckNodePort'], 31000);
  assert.deepEqual(spec['ports'], [
    { name: 'http', port: 80, nodePort: 30080 },
    { name: 'admin', port: 9000, nodePort: 30001 },
  ]);
  assert.equal((desired['spec'] as Record<string, unknown>)['clusterIP'], undefined, 'input not mutated');
});

test('kind-specific retention', () => {
  const cases: { name: string; desired: KubeObject; observed: KubeObject; check: (got: KubeObject) => void }[] = [
    {
      name: 'deployment with retain-replicas keeps the member replicas',
      desired: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { labels: { 'resourcetemplate.karmada.io/retain-replicas': 'true' } }, spec: { replicas: 2 } },
      observed: { apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 7 } },
      check: (got) => assert.equal((got['spec'] as { replicas: number }).replicas, 7),
    },
    {
      name: 'deployment without the label keeps the desired replicas',
      desired: { apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 2 } },
      observed: { apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 7 } },
      check: (got) => assert.equal((got['spec'] as { replicas: number }).replicas, 2),
    },
    {
      name: 'pod keeps nodeName, serviceAccountName and token volumes',
      desired: { apiVersion: 'v1', kind: 'Pod', spec: { containers: [{ name: 'c', image: 'new' }] } },
      observed: {
        apiVersion: 'v1',
        kind: 'Pod',
        spec: {
          nodeName: 'node-1',
          serviceAccountName: 'default',
          volumes: [{ name: 'kube-api-access-x', projected: { sources: [] } }],
          containers: [{ name: 'c', image: 'old', volumeMounts: [{ name: 'kube-api-access-x', mountPath: '/var/run/secrets' }] }],
        },
      },
      check: (got) =>
        assert.deepEqual(got['spec'], {
          nodeName: 'node-1',
          serviceAccountName: 'default',
          volumes: [{ name: 'kube-api-access-x', projected: { sources: [] } }],
          containers: [{ name: 'c', image: 'new', volumeMounts: [{ name: 'kube-api-access-x', mountPath: '/var/run/secrets' }] }],
        }),
    },
    {
      name: 'service account keeps generated secrets',
      desired: { apiVersion: 'v1', kind: 'ServiceAccount' },
      observed: { apiVersion: 'v1', kind: 'ServiceAccount', secrets: [{ name: 'sa-token-abc' }] },
      check: (got) => assert.deepEqual(got['secrets'], [{ name: 'sa-token-abc' }]),
    },
    {
      name: 'pvc keeps volumeName',
      desired: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', spec: { resources: {} } },
      observed: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', spec: { volumeName: 'pv-1' } },
      check: (got) => assert.equal((got['spec'] as { volumeName: string }).volumeName, 'pv-1'),
    },
    {
      name: 'pv keeps claimRef',
      desired: { apiVersion: 'v1', kind: 'PersistentVolume', spec: {} },
      observed: { apiVersion: 'v1', kind: 'PersistentVolume', spec: { claimRef: { name: 'c', namespace: 'n' } } },
      check: (got) => assert.deepEqual((got['spec'] as { claimRef: unknown }).claimRef, { name: 'c', namespace: 'n' }),
    },
    {
      name: 'job keeps the generated selector and controller-uid labels',
      desired: { apiVersion: 'batch/v1', kind: 'Job', spec: { template: { metadata: { labels: { app: 'j' } } } } },
      observed: {
        apiVersion: 'batch/v1',
        kind: 'Job',
        spec: {
          selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } },
          template: { metadata: { labels: { app: 'j', 'batch.kubernetes.io/controller-uid': 'u1' } } },
        },
      },
      check: (got) => {
        assert.deepEqual((got['spec'] as { selector: unknown }).selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } });
        assert.equal((got['spec'] as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels['batch.kubernetes.io/controller-uid'], 'u1');
      },
    },
    {
      name: 'service-account-token secret keeps its data',
      desired: { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token' },
      observed: { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token', data: { token: 'dG9r' } },
      check: (got) => assert.deepEqual(got['data'], { token: 'dG9r' }),
    },
    {
      name: 'opaque secret keeps the desired data',
      desired: { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', data: { a: 'YQ==' } },
      observed: { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', data: { a: 'Yg==' } },
      check: (got) => assert.deepEqual(got['data'], { a: 'YQ==' }),
    },
  ];
  for (const c of cases) {
    const before = structuredClone(c.desired);
    c.check(retain(c.desired, c.observed));
    assert.deepEqual(c.desired, before, `${c.name}: input not mutated`);
  }
});
