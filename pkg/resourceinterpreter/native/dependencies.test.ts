import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../runtime/types.js';
import { dependenciesInterpreters } from './dependencies.js';

const podSpec = {
  serviceAccountName: 'app-sa',
  imagePullSecrets: [{ name: 'registry' }],
  initContainers: [{ name: 'init', env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'init-cm', key: 'a' } } }] }],
  containers: [
    {
      name: 'app',
      env: [
        { name: 'B', valueFrom: { secretKeyRef: { name: 'env-secret', key: 'b' } } },
        { name: 'C', value: 'plain' },
      ],
      envFrom: [{ configMapRef: { name: 'envfrom-cm' } }, { secretRef: { name: 'envfrom-secret' } }],
    },
  ],
  ephemeralContainers: [{ name: 'debug', envFrom: [{ secretRef: { name: 'debug-secret' } }] }],
  volumes: [
    { name: 'v1', configMap: { name: 'vol-cm' } },
    { name: 'v2', secret: { secretName: 'vol-secret' } },
    { name: 'v3', persistentVolumeClaim: { claimName: 'data' } },
    { name: 'v4', projected: { sources: [{ configMap: { name: 'proj-cm' } }, { secret: { name: 'proj-secret' } }, { serviceAccountToken: { path: 't' } }] } },
    { name: 'v5', csi: { driver: 'x', nodePublishSecretRef: { name: 'csi-secret' } } },
    { name: 'v6', cephfs: { monitors: [], secretRef: { name: 'ceph-secret' } } },
    { name: 'v7', azureFile: { secretName: 'azure-secret', shareName: 's' } },
    { name: 'v8', configMap: { name: 'vol-cm' } },
  ],
};

const ref = (kind: string, name: string) => ({ apiVersion: 'v1', kind, namespace: 'ns1', name });

test('dependencies of a pod template with every kind of reference, deduplicated and sorted', () => {
  const deploy: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'ns1' }, spec: { template: { spec: podSpec } } };
  assert.deepEqual(dependenciesInterpreters['apps/v1, Kind=Deployment']!(deploy), [
    ref('ConfigMap', 'envfrom-cm'),
    ref('ConfigMap', 'init-cm'),
    ref('ConfigMap', 'proj-cm'),
    ref('ConfigMap', 'vol-cm'),
    ref('PersistentVolumeClaim', 'data'),
    ref('Secret', 'azure-secret'),
    ref('Secret', 'ceph-secret'),
    ref('Secret', 'csi-secret'),
    ref('Secret', 'debug-secret'),
    ref('Secret', 'env-secret'),
    ref('Secret', 'envfrom-secret'),
    ref('Secret', 'proj-secret'),
    ref('Secret', 'registry'),
    ref('Secret', 'vol-secret'),
    ref('ServiceAccount', 'app-sa'),
  ]);
});

test('dependencies of other kinds', () => {
  const cron: KubeObject = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'c', namespace: 'ns1' },
    spec: { jobTemplate: { spec: { template: { spec: { serviceAccountName: 'default', containers: [{ name: 'c', envFrom: [{ configMapRef: { name: 'cfg' } }] }] } } } } },
  };
  assert.deepEqual(dependenciesInterpreters['batch/v1, Kind=CronJob']!(cron), [ref('ConfigMap', 'cfg')], 'the default service account is no dependency');
  const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns1' }, spec: { containers: [], volumes: [{ name: 'v', secret: { secretName: 's' } }] } };
  assert.deepEqual(dependenciesInterpreters['v1, Kind=Pod']!(pod), [ref('Secret', 's')]);
  const ingress: KubeObject = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'i', namespace: 'ns1' },
    spec: { tls: [{ secretName: 'tls-b' }, { secretName: 'tls-a' }, { hosts: ['x'] }] },
  };
  assert.deepEqual(dependenciesInterpreters['networking.k8s.io/v1, Kind=Ingress']!(ingress), [ref('Secret', 'tls-a'), ref('Secret', 'tls-b')]);
});
