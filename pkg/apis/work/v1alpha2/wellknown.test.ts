import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateBindingName, generateWorkName, safeEncodeString } from './wellknown.js';
import { executionNamespace, clusterOfExecutionNamespace, isReservedNamespace } from '../../cluster/v1alpha1/wellknown.js';

test('binding names follow names.GenerateBindingName', () => {
  assert.equal(generateBindingName('Deployment', 'nginx'), 'nginx-deployment');
  assert.equal(generateBindingName('ClusterRole', 'system:aggregate-to-edit'), 'system.aggregate-to-edit-clusterrole');
  assert.equal(generateBindingName('CronTab', 'MyTab'), 'mytab-crontab');
});

test('work names follow names.GenerateWorkName (the nginx example from Karmada docs)', () => {
  assert.equal(generateWorkName('Deployment', 'nginx', 'default'), 'nginx-687f7fb96f');
  assert.match(generateWorkName('ClusterRole', 'system:foo'), /^system\.foo-[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.equal(safeEncodeString('0123456789'), '456789bcdf');
});

test('execution namespaces and reserved namespaces', () => {
  assert.equal(executionNamespace('member1'), 'karmada-es-member1');
  assert.equal(clusterOfExecutionNamespace('karmada-es-member1'), 'member1');
  assert.equal(clusterOfExecutionNamespace('default'), undefined);
  assert.throws(() => executionNamespace(''));
  for (const ns of ['karmada-system', 'karmada-cluster', 'karmada-es-m1']) assert.ok(isReservedNamespace(ns), ns);
  for (const ns of ['default', 'karmada-apps', 'kube-system']) assert.ok(!isReservedNamespace(ns), ns);
});
