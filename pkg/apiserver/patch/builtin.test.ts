// The patch code against the real built-in schemas (pkg/apiserver/schema/builtin.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinSchema } from '../schema/builtin.js';
import type { KubeObject } from '../registry/types.js';
import { applyStrategicMergePatch } from './strategic.js';
import { conflictMessage, serverSideApply, updateManagedFieldsForUpdate } from './apply.js';

const deployment = builtinSchema({ group: 'apps', version: 'v1', kind: 'Deployment' });

function manifest(image: string, replicas: number): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx', namespace: 'default', labels: { app: 'nginx' } },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'nginx' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: { containers: [{ name: 'nginx', image, ports: [{ containerPort: 80 }], env: [{ name: 'A', value: '1' }] }] },
      },
    },
  };
}

test('builtin Deployment schema: SSA field set uses list-map keys, key defaults and atomic selector', () => {
  assert.ok(deployment, 'builtinSchema(apps/v1 Deployment)');
  const r = serverSideApply({
    live: undefined,
    applied: manifest('nginx:1.25', 2),
    manager: 'kubectl',
    force: false,
    schema: deployment,
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    now: '2024-01-01T00:00:00Z',
    ignoredFields: [['status']],
  });
  const fv = r.object.metadata!.managedFields![0].fieldsV1 as any;
  assert.deepEqual(fv['f:spec']['f:selector'], {});
  assert.deepEqual(fv['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"nginx"}'], {
    '.': {},
    'f:env': { 'k:{"name":"A"}': { '.': {}, 'f:name': {}, 'f:value': {} } },
    'f:image': {},
    'f:name': {},
    'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
  });
});

test('builtin Deployment schema: client-side apply patch merges containers and env by name', () => {
  const live = manifest('nginx:1.25', 2);
  (live.spec as any).template.spec.containers.push({ name: 'sidecar', image: 'proxy:1' });
  const out = applyStrategicMergePatch(
    live,
    {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'nginx' }],
            containers: [{ name: 'nginx', image: 'nginx:1.26', '$setElementOrder/env': [{ name: 'B' }], env: [{ name: 'B', value: '2' }, { name: 'A', $patch: 'delete' }] }],
          },
        },
      },
    },
    deployment,
  ) as any;
  assert.deepEqual(out.spec.template.spec.containers, [
    { name: 'nginx', image: 'nginx:1.26', ports: [{ containerPort: 80 }], env: [{ name: 'B', value: '2' }] },
    { name: 'sidecar', image: 'proxy:1' },
  ]);
});

test('builtin Deployment schema: scale by another manager conflicts on apply', () => {
  const created = updateManagedFieldsForUpdate({
    old: undefined,
    updated: manifest('nginx:1.25', 2),
    manager: 'kubectl-client-side-apply',
    schema: deployment,
    apiVersion: 'apps/v1',
    now: '2024-01-01T00:00:00Z',
    ignoredFields: [['status']],
  });
  const r = serverSideApply({
    live: created,
    applied: manifest('nginx:1.25', 3),
    manager: 'argo',
    force: false,
    schema: deployment,
    apiVersion: 'apps/v1',
    now: '2024-01-01T00:01:00Z',
    ignoredFields: [['status']],
  });
  assert.equal(conflictMessage(r.conflicts!), 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
});
