import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { APIResourceInfo } from '../../runtime/restmapper.js';
import type { KubeObject } from '../../runtime/types.js';
import { eventFilter, propagatable, resourceChangeByKarmada, skippedNamespaceRegexps, specificationChanged } from './filter.js';
import { parsePolicyKey, parseTemplateKey, policyKey, templateKey } from './keys.js';
import { selectTemplateResources, SkippedResourceConfig } from './resources.js';

const obj = (namespace: string | undefined, extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'c', ...(namespace ? { namespace } : {}) },
  ...extra,
});

describe('eventFilter', () => {
  const skipped = skippedNamespaceRegexps();
  const cases: [string, KubeObject, boolean][] = [
    ['default namespace', obj('default'), true],
    ['karmada-system', obj('karmada-system'), false],
    ['karmada-cluster', obj('karmada-cluster'), false],
    ['execution namespace', obj('karmada-es-member1'), false],
    ['kube-system (default --skipped-propagating-namespaces)', obj('kube-system'), false],
    ['kube-public', obj('kube-public'), false],
    ['the pattern is anchored: my-kube-ns is not skipped', obj('my-kube-ns'), true],
    ['cluster-scoped objects pass', obj(undefined), true],
  ];
  for (const [name, o, want] of cases) test(name, () => assert.equal(eventFilter(o, skipped), want));

  test('custom skipped namespaces', () => {
    const s = skippedNamespaceRegexps(['team-.*', 'sandbox']);
    assert.equal(eventFilter(obj('team-a'), s), false);
    assert.equal(eventFilter(obj('sandbox'), s), false);
    assert.equal(eventFilter(obj('kube-system'), s), true);
  });

  test('an invalid pattern fails with the flag name', () => {
    assert.throws(() => skippedNamespaceRegexps(['(']), /--skipped-propagating-namespaces/);
  });

  test('claimed-by and deleting templates are not propagated', () => {
    assert.equal(propagatable(obj('default')), true);
    assert.equal(propagatable({ metadata: { name: 's', labels: { 'resourcetemplate.karmada.io/claimed-by': 'mcs' } } }), false);
    assert.equal(propagatable({ metadata: { name: 's', deletionTimestamp: '2026-01-01T00:00:00Z' } }), false);
  });
});

describe('change detection', () => {
  const base: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', resourceVersion: '1', generation: 1, labels: { app: 'a' } },
    spec: { replicas: 1 },
    status: { readyReplicas: 0 },
  };
  const withMeta = (m: Record<string, unknown>, extra: Partial<KubeObject> = {}) => ({ ...base, ...extra, metadata: { ...base.metadata, ...m } });

  test('status, resourceVersion and managedFields are not a change', () => {
    assert.equal(specificationChanged(base, withMeta({ resourceVersion: '2', managedFields: [{}] }, { status: { readyReplicas: 1 } })), false);
  });

  test('a spec or label change is', () => {
    assert.equal(specificationChanged(base, { ...base, spec: { replicas: 2 } }), true);
    assert.equal(specificationChanged(base, withMeta({ labels: { app: 'b' } })), true);
  });

  test('a claim label/annotation (and the generation) is a change made by Karmada', () => {
    const claimed = withMeta({
      generation: 2,
      labels: { app: 'a', 'propagationpolicy.karmada.io/permanent-id': 'x' },
      annotations: { 'propagationpolicy.karmada.io/name': 'p' },
    });
    assert.equal(specificationChanged(base, claimed), true);
    assert.equal(resourceChangeByKarmada(base, claimed), true);
    assert.equal(resourceChangeByKarmada(base, { ...claimed, spec: { replicas: 3 } }), false);
  });

  test('the skip-auto-propagation label is the user\'s', () => {
    assert.equal(resourceChangeByKarmada(base, withMeta({ labels: { app: 'a', 'namespace.karmada.io/skip-auto-propagation': 'true' } })), false);
  });
});

describe('template resources', () => {
  const r = (group: string, version: string, resource: string, kind: string, verbs = ['list', 'watch', 'create', 'delete', 'get']): APIResourceInfo => ({
    group,
    version,
    resource,
    kind,
    namespaced: true,
    verbs,
    subresources: [],
    shortNames: [],
    preferred: false,
  });

  test('preferred version per group/kind, all verbs, Karmada groups/events/leases skipped', () => {
    const got = selectTemplateResources(
      [
        r('apps', 'v1', 'deployments', 'Deployment'),
        r('apps', 'v1beta1', 'deployments', 'Deployment'),
        r('', 'v1', 'configmaps', 'ConfigMap'),
        r('', 'v1', 'events', 'Event'),
        r('events.k8s.io', 'v1', 'events', 'Event'),
        r('coordination.k8s.io', 'v1', 'leases', 'Lease'),
        r('policy.karmada.io', 'v1alpha1', 'propagationpolicies', 'PropagationPolicy'),
        r('work.karmada.io', 'v1alpha2', 'resourcebindings', 'ResourceBinding'),
        r('cluster.karmada.io', 'v1alpha1', 'clusters', 'Cluster'),
        r('', 'v1', 'bindings', 'Binding', ['create']),
        r('example.io', 'v1', 'widgets', 'Widget'),
      ],
      new SkippedResourceConfig(),
    );
    assert.deepEqual(
      got.map((x) => `${x.group}/${x.version}/${x.kind}`),
      ['apps/v1/Deployment', '/v1/ConfigMap', 'example.io/v1/Widget'],
    );
  });

  test('--skipped-propagating-apis', () => {
    const s = new SkippedResourceConfig().parse('example.io;apps/v1/ReplicaSet,StatefulSet;v1/Secret,ConfigMap;batch/v1');
    assert.equal(s.disabled({ group: 'example.io', version: 'v9', kind: 'X' }), true);
    assert.equal(s.disabled({ group: 'apps', version: 'v1', kind: 'ReplicaSet' }), true);
    assert.equal(s.disabled({ group: 'apps', version: 'v1', kind: 'StatefulSet' }), true);
    assert.equal(s.disabled({ group: 'apps', version: 'v1', kind: 'Deployment' }), false);
    assert.equal(s.disabled({ group: '', version: 'v1', kind: 'Secret' }), true);
    assert.equal(s.disabled({ group: '', version: 'v1', kind: 'ConfigMap' }), true);
    assert.equal(s.disabled({ group: 'batch', version: 'v1', kind: 'Job' }), true);
    assert.throws(() => new SkippedResourceConfig().parse('a/b/c/d'), /--skipped-propagating-apis/);
  });
});

describe('keys', () => {
  test('round trips', () => {
    const k = templateKey({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'nginx' });
    assert.equal(k, 'apps/v1|Deployment|default/nginx');
    assert.deepEqual(parseTemplateKey(k), { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'nginx', objectKey: 'default/nginx' });
    assert.deepEqual(parseTemplateKey('v1|Namespace|team'), { apiVersion: 'v1', kind: 'Namespace', namespace: '', name: 'team', objectKey: 'team' });
    assert.equal(parseTemplateKey('garbage'), undefined);
    assert.deepEqual(parsePolicyKey(policyKey('PropagationPolicy', 'ns', 'p')), { kind: 'PropagationPolicy', objectKey: 'ns/p' });
    assert.deepEqual(parsePolicyKey(policyKey('ClusterPropagationPolicy', undefined, 'c')), { kind: 'ClusterPropagationPolicy', objectKey: 'c' });
  });
});
