import { test } from 'node:test';
import assert from 'node:assert/strict';
import { removeIrrelevantFields } from './prune.js';

test('server-populated metadata and status are dropped, user metadata stays', () => {
  const obj = removeIrrelevantFields({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'c',
      namespace: 'default',
      labels: { a: 'b' },
      annotations: { x: 'y' },
      uid: 'u',
      resourceVersion: '5',
      generation: 2,
      creationTimestamp: '2026-01-01T00:00:00Z',
      managedFields: [{ manager: 'kubectl' }],
      ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: 'x' }],
      finalizers: ['f'],
      selfLink: '/x',
      deletionTimestamp: '2026-01-01T00:00:00Z',
      deletionGracePeriodSeconds: 30,
    },
    data: { k: 'v' },
    status: { anything: true },
  });
  assert.deepEqual(obj, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default', labels: { a: 'b' }, annotations: { x: 'y' } }, data: { k: 'v' } });
});

const cases: { name: string; in: Record<string, unknown>; out: Record<string, unknown>; ttl?: boolean }[] = [
  {
    name: 'Service: an allocated clusterIP is the member\'s business',
    in: { kind: 'Service', spec: { clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1'], ports: [{ port: 80 }] } },
    out: { kind: 'Service', spec: { ports: [{ port: 80 }] } },
  },
  {
    name: 'Service: a headless clusterIP None stays',
    in: { kind: 'Service', spec: { clusterIP: 'None', clusterIPs: ['None'] } },
    out: { kind: 'Service', spec: { clusterIP: 'None', clusterIPs: ['None'] } },
  },
  {
    name: 'Job: generated selector and template labels go, others stay',
    in: {
      kind: 'Job',
      spec: {
        selector: { matchLabels: { 'controller-uid': 'u', 'batch.kubernetes.io/controller-uid': 'u', keep: 'k' } },
        template: { metadata: { labels: { 'job-name': 'j', 'batch.kubernetes.io/job-name': 'j', 'controller-uid': 'u', app: 'a' } } },
        ttlSecondsAfterFinished: 10,
      },
    },
    out: { kind: 'Job', spec: { selector: { matchLabels: { keep: 'k' } }, template: { metadata: { labels: { app: 'a' } } }, ttlSecondsAfterFinished: 10 } },
  },
  {
    name: 'Job: manualSelector keeps the user\'s selector; ttl removed on request',
    ttl: true,
    in: { kind: 'Job', spec: { manualSelector: true, selector: { matchLabels: { 'controller-uid': 'u' } }, ttlSecondsAfterFinished: 10 } },
    out: { kind: 'Job', spec: { manualSelector: true, selector: { matchLabels: { 'controller-uid': 'u' } } } },
  },
  {
    name: 'Deployment: revision annotations go',
    in: { kind: 'Deployment', metadata: { annotations: { 'deployment.kubernetes.io/revision': '3', other: 'o' } } },
    out: { kind: 'Deployment', metadata: { annotations: { other: 'o' } } },
  },
  {
    name: 'ServiceAccount: its generated token secrets go',
    in: { kind: 'ServiceAccount', metadata: { name: 'sa' }, secrets: [{ name: 'sa-token-abcde' }, { name: 'mine' }] },
    out: { kind: 'ServiceAccount', metadata: { name: 'sa' }, secrets: [{ name: 'mine' }] },
  },
  {
    name: 'Secret: a service account token loses data and the SA uid',
    in: { kind: 'Secret', type: 'kubernetes.io/service-account-token', metadata: { annotations: { 'kubernetes.io/service-account.uid': 'u', 'kubernetes.io/service-account.name': 'sa' } }, data: { token: 'x' } },
    out: { kind: 'Secret', type: 'kubernetes.io/service-account-token', metadata: { annotations: { 'kubernetes.io/service-account.name': 'sa' } }, data: null },
  },
  {
    name: 'PersistentVolumeClaim: the selected node goes',
    in: { kind: 'PersistentVolumeClaim', metadata: { annotations: { 'volume.kubernetes.io/selected-node': 'n1', keep: 'k' } } },
    out: { kind: 'PersistentVolumeClaim', metadata: { annotations: { keep: 'k' } } },
  },
];

for (const c of cases) {
  test(`prune ${c.name}`, () => {
    assert.deepEqual(removeIrrelevantFields(structuredClone(c.in), { removeJobTTLSeconds: c.ttl }), c.out);
  });
}
