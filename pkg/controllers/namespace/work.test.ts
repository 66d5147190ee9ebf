import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import type { ClusterOverridePolicy } from '../../apis/policy/v1alpha1/index.js';
import type { Work } from '../../apis/work/v1alpha1/index.js';
import type { KubeObject } from '../../runtime/types.js';
import { applyOverridePolicies } from '../../util/overridemanager/index.js';
import { skippedNamespaceRegexps } from '../detector/filter.js';
import { desiredNamespaceWork, namespaceShouldBeSynced, namespaceWorkChange, namespaceWorkName, ownedByNamespace, wantsWorks } from './work.js';

const skipped = skippedNamespaceRegexps();
const cluster = (name: string, labels: Record<string, string> = {}): Cluster => ({ metadata: { name, labels }, spec: { syncMode: 'Push' } });
const ns = (name: string, labels: Record<string, string> = {}, extra: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name, uid: `uid-${name}`, resourceVersion: '12', creationTimestamp: '2026-01-01T00:00:00Z', labels, managedFields: [{}], ...extra },
  spec: { finalizers: ['kubernetes'] },
  status: { phase: 'Active' },
});

describe('which namespaces are synced', () => {
  const cases: [string, boolean][] = [
    ['team-a', true],
    ['default', false],
    ['kube-system', false],
    ['kube-node-lease', false],
    ['karmada-system', false],
    ['karmada-cluster', false],
    ['karmada-es-member1', false],
    ['my-kube-apps', true],
  ];
  for (const [name, want] of cases) test(name, () => assert.equal(namespaceShouldBeSynced(name, skipped), want));

  test('the skip-auto-propagation label (any case) and deletion stop the sync', () => {
    assert.equal(wantsWorks(ns('a'), skipped), true);
    assert.equal(wantsWorks(ns('a', { 'namespace.karmada.io/skip-auto-propagation': 'True' }), skipped), false);
    assert.equal(wantsWorks(ns('a', { 'namespace.karmada.io/skip-auto-propagation': 'false' }), skipped), true);
    assert.equal(wantsWorks(ns('a', {}, { deletionTimestamp: '2026-01-01T00:00:00Z' }), skipped), false);
    assert.equal(wantsWorks(undefined, skipped), false);
  });
});

describe('the namespace Work', () => {
  test('one Work per cluster, owned by the namespace, manifest pruned and marked', () => {
    const d = desiredNamespaceWork(ns('team-a', { team: 'a' }), cluster('member1'), [], applyOverridePolicies);
    assert.equal(d.namespace, 'karmada-es-member1');
    assert.equal(d.name, namespaceWorkName('team-a'));
    const change = namespaceWorkChange(d, undefined, ns('team-a'), () => 'work-id')!;
    assert.equal(change.op, 'create');
    const w = change.work;
    assert.deepEqual(w.metadata?.ownerReferences, [{ apiVersion: 'v1', kind: 'Namespace', name: 'team-a', uid: 'uid-team-a', controller: true, blockOwnerDeletion: true }]);
    assert.deepEqual(w.metadata?.finalizers, ['karmada.io/execution-controller']);
    assert.equal(w.metadata?.labels?.['work.karmada.io/permanent-id'], 'work-id');
    const m = w.spec?.workload?.manifests?.[0] as KubeObject;
    assert.equal(m.apiVersion, 'v1');
    assert.equal(m.kind, 'Namespace');
    assert.equal(m.metadata?.name, 'team-a');
    for (const f of ['uid', 'resourceVersion', 'creationTimestamp', 'managedFields']) assert.equal(m.metadata?.[f], undefined, `metadata.${f} is pruned`);
    assert.equal(m.status, undefined);
    assert.deepEqual(m.spec, { finalizers: ['kubernetes'] });
    assert.equal(m.metadata?.labels?.team, 'a');
    assert.equal(m.metadata?.labels?.['karmada.io/managed'], 'true');
    assert.equal(m.metadata?.annotations?.['resourcetemplate.karmada.io/uid'], 'uid-team-a');
    assert.equal(m.metadata?.annotations?.['work.karmada.io/name'], d.name);
    assert.equal(m.metadata?.annotations?.['work.karmada.io/namespace'], 'karmada-es-member1');
    assert.equal(ownedByNamespace(w), 'team-a');

    // stored as is: nothing to write again
    const stored: Work = { ...w, metadata: { ...w.metadata, uid: 'w1', resourceVersion: '3' } };
    assert.equal(namespaceWorkChange(d, stored, ns('team-a')), undefined);
    // a re-created namespace (new uid) moves the owner reference
    const again = namespaceWorkChange(d, stored, ns('team-a', {}, { uid: 'uid-2' }));
    assert.equal(again?.op, 'update');
    assert.equal(again?.work.metadata?.ownerReferences?.[0]?.uid, 'uid-2');
  });

  test('ClusterOverridePolicies apply per cluster and are recorded', () => {
    const cop: ClusterOverridePolicy = {
      metadata: { name: 'env' },
      spec: {
        resourceSelectors: [{ apiVersion: 'v1', kind: 'Namespace', name: 'team-a' }],
        overrideRules: [{ targetCluster: { clusterNames: ['member1'] }, overriders: { labelsOverrider: [{ operator: 'add', value: { env: 'prod' } }] } }],
      },
    };
    const d1 = desiredNamespaceWork(ns('team-a'), cluster('member1'), [cop], applyOverridePolicies);
    const d2 = desiredNamespaceWork(ns('team-a'), cluster('member2'), [cop], applyOverridePolicies);
    assert.equal(d1.manifest.metadata?.labels?.env, 'prod');
    assert.ok(d1.annotations['policy.karmada.io/applied-cluster-overrides']?.includes('"policyName":"env"'));
    assert.equal(d2.manifest.metadata?.labels?.env, undefined);
    assert.deepEqual(d2.annotations, {});
  });
});
