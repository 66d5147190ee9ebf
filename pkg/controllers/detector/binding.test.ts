import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResourceBinding } from '../../apis/work/v1alpha2/index.js';
import type { KubeObject } from '../../runtime/types.js';
import { bindingChanged, buildBinding, mergeBinding, mergePolicySuspension, unclaimBinding } from './binding.js';
import { claimChange, claimPatch, cleanupChange, pendingChange, readClaim, type Claim } from './claim.js';

const template: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'nginx', namespace: 'default', uid: 'u-1', resourceVersion: '42' },
};
const ppClaim: Claim = { kind: 'PropagationPolicy', namespace: 'default', name: 'pp', id: 'pp-id' };
const cppClaim: Claim = { kind: 'ClusterPropagationPolicy', name: 'cpp', id: 'cpp-id' };

describe('claim metadata', () => {
  test('a PP claim sets the label and both annotations and drops a CPP claim', () => {
    const obj: KubeObject = {
      metadata: {
        name: 'x',
        resourceVersion: '7',
        labels: { app: 'a', 'clusterpropagationpolicy.karmada.io/permanent-id': 'old' },
        annotations: { 'clusterpropagationpolicy.karmada.io/name': 'old' },
      },
    };
    const change = pendingChange(obj, claimChange(ppClaim));
    assert.deepEqual(claimPatch(obj, change), {
      metadata: {
        resourceVersion: '7',
        labels: { 'propagationpolicy.karmada.io/permanent-id': 'pp-id', 'clusterpropagationpolicy.karmada.io/permanent-id': null },
        annotations: {
          'propagationpolicy.karmada.io/namespace': 'default',
          'propagationpolicy.karmada.io/name': 'pp',
          'clusterpropagationpolicy.karmada.io/name': null,
        },
      },
    });
  });

  test('nothing pending once claimed; readClaim reads it back', () => {
    const obj: KubeObject = {
      metadata: {
        name: 'x',
        labels: { 'propagationpolicy.karmada.io/permanent-id': 'pp-id' },
        annotations: { 'propagationpolicy.karmada.io/namespace': 'default', 'propagationpolicy.karmada.io/name': 'pp' },
      },
    };
    assert.deepEqual(pendingChange(obj, claimChange(ppClaim)), { labels: {}, annotations: {} });
    assert.deepEqual(readClaim(obj), ppClaim);
    assert.deepEqual(pendingChange(obj, cleanupChange('PropagationPolicy')), {
      labels: { 'propagationpolicy.karmada.io/permanent-id': null },
      annotations: { 'propagationpolicy.karmada.io/namespace': null, 'propagationpolicy.karmada.io/name': null },
    });
  });
});

describe('buildBinding', () => {
  test('ResourceBinding of a namespaced template under a PP', () => {
    const b = buildBinding({
      template,
      claim: ppClaim,
      spec: {
        resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment' }],
        placement: { clusterAffinity: { clusterNames: ['m1'] } },
        schedulerName: 'default-scheduler',
        conflictResolution: 'Overwrite',
        propagateDeps: true,
        suspension: { dispatching: true },
        preserveResourcesOnDeletion: true,
        failover: { cluster: { purgeMode: 'Directly' } },
      },
      replicas: 3,
      replicaRequirements: { resourceRequest: { cpu: '100m' } },
      schedulePriority: 1000,
    });
    assert.deepEqual(b, {
      apiVersion: 'work.karmada.io/v1alpha2',
      kind: 'ResourceBinding',
      metadata: {
        name: 'nginx-deployment',
        namespace: 'default',
        labels: { 'propagationpolicy.karmada.io/permanent-id': 'pp-id' },
        annotations: { 'propagationpolicy.karmada.io/namespace': 'default', 'propagationpolicy.karmada.io/name': 'pp' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx', uid: 'u-1', controller: true, blockOwnerDeletion: true }],
        finalizers: ['karmada.io/binding-controller'],
      },
      spec: {
        resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'nginx', uid: 'u-1', resourceVersion: '42' },
        propagateDeps: true,
        schedulerName: 'default-scheduler',
        placement: { clusterAffinity: { clusterNames: ['m1'] } },
        failover: { cluster: { purgeMode: 'Directly' } },
        conflictResolution: 'Overwrite',
        preserveResourcesOnDeletion: true,
        suspension: { dispatching: true },
        replicas: 3,
        replicaRequirements: { resourceRequest: { cpu: '100m' } },
        schedulePriority: { priority: 1000 },
      },
    });
  });

  test('ClusterResourceBinding of a cluster-scoped template under a CPP; no placement means {}', () => {
    const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team', uid: 'u-2', resourceVersion: '5' } };
    const b = buildBinding({ template: ns, claim: cppClaim, spec: { resourceSelectors: [{ apiVersion: 'v1', kind: 'Namespace' }] }, schedulePriority: 5 });
    assert.equal(b.kind, 'ClusterResourceBinding');
    assert.equal(b.metadata?.name, 'team-namespace');
    assert.equal(b.metadata?.namespace, undefined);
    assert.deepEqual(b.metadata?.finalizers, ['karmada.io/cluster-resource-binding-controller']);
    assert.deepEqual(b.metadata?.labels, { 'clusterpropagationpolicy.karmada.io/permanent-id': 'cpp-id' });
    assert.deepEqual(b.metadata?.annotations, { 'clusterpropagationpolicy.karmada.io/name': 'cpp' });
    assert.deepEqual(b.spec.placement, {});
    assert.equal(b.spec.schedulePriority, undefined);
    assert.deepEqual(b.spec.resource, { apiVersion: 'v1', kind: 'Namespace', name: 'team', uid: 'u-2', resourceVersion: '5' });
  });

  test('a namespaced template under a CPP still gets a ResourceBinding', () => {
    const b = buildBinding({ template, claim: cppClaim, spec: { resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment' }] } });
    assert.equal(b.kind, 'ResourceBinding');
    assert.deepEqual(b.metadata?.finalizers, ['karmada.io/binding-controller']);
    assert.deepEqual(b.metadata?.annotations, { 'clusterpropagationpolicy.karmada.io/name': 'cpp' });
  });
});

describe('mergeBinding', () => {
  const existing: ResourceBinding = {
    apiVersion: 'work.karmada.io/v1alpha2',
    kind: 'ResourceBinding',
    metadata: {
      name: 'nginx-deployment',
      namespace: 'default',
      uid: 'b-1',
      resourceVersion: '100',
      labels: { 'resourcebinding.karmada.io/permanent-id': 'rb-id', 'clusterpropagationpolicy.karmada.io/permanent-id': 'old' },
      annotations: { 'clusterpropagationpolicy.karmada.io/name': 'old', 'policy.karmada.io/applied-placement': '{}' },
      finalizers: ['other', 'karmada.io/binding-controller'],
    },
    spec: {
      resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'nginx', uid: 'u-1', resourceVersion: '41' },
      clusters: [{ name: 'm1', replicas: 2 }],
      replicas: 2,
      suspension: { scheduling: true, dispatching: true },
      rescheduleTriggeredAt: '2026-01-01T00:00:00Z',
    },
    status: { schedulerObservedGeneration: 3 },
  };

  test('takes resource, replicas and policy fields; keeps clusters, status, own labels; swaps the claim', () => {
    const desired = buildBinding({ template, claim: ppClaim, spec: { resourceSelectors: [], schedulerName: 'default-scheduler' }, replicas: 3 });
    const m = mergeBinding(existing, desired, undefined);
    assert.deepEqual(m.spec.clusters, [{ name: 'm1', replicas: 2 }]);
    assert.deepEqual(m.status, { schedulerObservedGeneration: 3 });
    assert.equal(m.spec.rescheduleTriggeredAt, '2026-01-01T00:00:00Z');
    assert.equal(m.spec.replicas, 3);
    assert.equal(m.spec.resource.resourceVersion, '42');
    assert.deepEqual(m.spec.suspension, { scheduling: true });
    assert.deepEqual(m.metadata?.labels, { 'resourcebinding.karmada.io/permanent-id': 'rb-id', 'propagationpolicy.karmada.io/permanent-id': 'pp-id' });
    assert.deepEqual(m.metadata?.annotations, {
      'policy.karmada.io/applied-placement': '{}',
      'propagationpolicy.karmada.io/namespace': 'default',
      'propagationpolicy.karmada.io/name': 'pp',
    });
    assert.deepEqual(m.metadata?.finalizers, ['other', 'karmada.io/binding-controller']);
    assert.equal(m.metadata?.resourceVersion, '100');
    // the input is not modified
    assert.equal(existing.spec.replicas, 2);
  });

  test('merging the same desired state twice changes nothing', () => {
    const desired = buildBinding({ template, claim: ppClaim, spec: { resourceSelectors: [] }, replicas: 3 });
    const once = mergeBinding(existing, desired, undefined);
    assert.equal(bindingChanged(existing, once), true);
    assert.deepEqual(mergeBinding(once, desired, undefined), once);
    assert.equal(bindingChanged(once, mergeBinding(once, desired, undefined)), false);
  });

  test('mergePolicySuspension', () => {
    assert.deepEqual(mergePolicySuspension(undefined, { dispatching: true }), { dispatching: true });
    assert.deepEqual(mergePolicySuspension({ scheduling: true, dispatching: false }, { dispatchingOnClusters: { clusterNames: ['a'] } }), {
      scheduling: true,
      dispatchingOnClusters: { clusterNames: ['a'] },
    });
    assert.deepEqual(mergePolicySuspension({ scheduling: false, dispatching: true }, undefined), { scheduling: false });
    assert.equal(mergePolicySuspension({ dispatching: true }, undefined), undefined);
  });

  test('unclaimBinding removes only a claim carrying the same permanent id', () => {
    const claimed = mergeBinding(existing, buildBinding({ template, claim: ppClaim, spec: { resourceSelectors: [] } }), undefined);
    assert.equal(unclaimBinding(claimed, { ...ppClaim, id: 'someone-else' }), undefined);
    const u = unclaimBinding(claimed, ppClaim)!;
    assert.deepEqual(u.metadata?.labels, { 'resourcebinding.karmada.io/permanent-id': 'rb-id' });
    assert.deepEqual(u.metadata?.annotations, { 'policy.karmada.io/applied-placement': '{}' });
    assert.deepEqual(u.spec, claimed.spec);
  });
});
