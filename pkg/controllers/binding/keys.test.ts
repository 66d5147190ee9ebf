import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bindingKeyOfTemplate, bindingKeyOfWork, bindingRefOfWork, overrideMaySelect, templateChanged } from './keys.js';
import type { BindingObject } from './render.js';

test('a Work names its binding in annotations', () => {
  const rbWork = { metadata: { annotations: { 'resourcebinding.karmada.io/namespace': 'default', 'resourcebinding.karmada.io/name': 'nginx-deployment' } } };
  const crbWork = { metadata: { annotations: { 'clusterresourcebinding.karmada.io/name': 'team-namespace' } } };
  assert.equal(bindingKeyOfWork(rbWork, 'Namespaced'), 'default/nginx-deployment');
  assert.equal(bindingKeyOfWork(rbWork, 'Cluster'), undefined);
  assert.equal(bindingKeyOfWork(crbWork, 'Cluster'), 'team-namespace');
  assert.equal(bindingKeyOfWork({ metadata: {} }, 'Namespaced'), undefined);
  assert.deepEqual(bindingRefOfWork(rbWork), ['Namespaced:default/nginx-deployment']);
});

test('a template maps to its binding by the binding naming rule', () => {
  assert.deepEqual(bindingKeyOfTemplate({ kind: 'Deployment', metadata: { name: 'nginx', namespace: 'default' } }), { scope: 'Namespaced', key: 'default/nginx-deployment' });
  assert.deepEqual(bindingKeyOfTemplate({ kind: 'ClusterRole', metadata: { name: 'a:b' } }), { scope: 'Cluster', key: 'a.b-clusterrole' });
});

test('template changes that matter: generation, uid, labels, annotations; not status', () => {
  const base = { metadata: { uid: 'u', generation: 1, resourceVersion: '1', labels: { a: '1' } } };
  assert.equal(templateChanged(base, { metadata: { ...base.metadata, resourceVersion: '2' } }), false);
  assert.equal(templateChanged(base, { metadata: { ...base.metadata, generation: 2 } }), true);
  assert.equal(templateChanged(base, { metadata: { ...base.metadata, labels: { a: '2' } } }), true);
  assert.equal(templateChanged({ metadata: { resourceVersion: '1' } }, { metadata: { resourceVersion: '2' } }), true);
});

test('an override policy may select a binding by its template reference and labels', () => {
  const b: BindingObject = { metadata: { name: 'nginx-deployment', namespace: 'default' }, spec: { resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'nginx' } } };
  const tmpl = { metadata: { name: 'nginx', namespace: 'default', labels: { app: 'nginx' } } };
  assert.equal(overrideMaySelect(undefined, b, undefined), true);
  assert.equal(overrideMaySelect([{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx' }], b, undefined), true);
  assert.equal(overrideMaySelect([{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'other' }], b, undefined), false);
  assert.equal(overrideMaySelect([{ apiVersion: 'v1', kind: 'Service' }], b, tmpl), false);
  assert.equal(overrideMaySelect([{ apiVersion: 'apps/v1', kind: 'Deployment', labelSelector: { matchLabels: { app: 'nginx' } } }], b, tmpl), true);
  assert.equal(overrideMaySelect([{ apiVersion: 'apps/v1', kind: 'Deployment', labelSelector: { matchLabels: { app: 'x' } } }], b, tmpl), false);
  // labels unknown: assume a match rather than miss one
  assert.equal(overrideMaySelect([{ apiVersion: 'apps/v1', kind: 'Deployment', labelSelector: { matchLabels: { app: 'x' } } }], b, undefined), true);
});
