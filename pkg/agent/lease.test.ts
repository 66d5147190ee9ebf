// The agent's cluster Lease: renewal content and interval.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease } from '../runtime/leaderelection.js';
import { leaseRenewIntervalMs, renewedLease } from './lease.js';

const now = new Date('2025-01-02T03:04:05.678Z');

describe('cluster lease', () => {
  test('renew interval is duration × fraction (40 s × 0.25 = 10 s)', () => {
    assert.equal(leaseRenewIntervalMs(40, 0.25), 10_000);
    assert.equal(leaseRenewIntervalMs(2, 0.25), 500);
  });

  test('a new Lease: karmada-cluster/<cluster>, holder, duration, renewTime as MicroTime, owned by the Cluster', () => {
    const l = renewedLease(undefined, { clusterName: 'member3', leaseDurationSeconds: 40, cluster: { metadata: { name: 'member3', uid: 'c1' } } }, now);
    assert.equal(l.metadata?.namespace, 'karmada-cluster');
    assert.equal(l.metadata?.name, 'member3');
    assert.deepEqual(l.spec, { holderIdentity: 'member3', leaseDurationSeconds: 40, renewTime: '2025-01-02T03:04:05.678000Z' });
    assert.deepEqual(l.metadata?.ownerReferences, [{ apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', name: 'member3', uid: 'c1' }]);
  });

  test('a renewal keeps the resourceVersion and other fields; a re-registered Cluster takes over ownership', () => {
    const cur: Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'member3', namespace: 'karmada-cluster', resourceVersion: '42', ownerReferences: [{ apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', name: 'member3', uid: 'old' }] },
      spec: { holderIdentity: 'member3', leaseDurationSeconds: 40, renewTime: 'x', leaseTransitions: 3 },
    };
    const l = renewedLease(cur, { clusterName: 'member3', leaseDurationSeconds: 40, cluster: { metadata: { name: 'member3', uid: 'new' } } }, now);
    assert.equal(l.metadata?.resourceVersion, '42');
    assert.equal(l.spec?.leaseTransitions, 3);
    assert.equal(l.spec?.renewTime, '2025-01-02T03:04:05.678000Z');
    assert.deepEqual(l.metadata?.ownerReferences?.map((r) => r.uid), ['new']);
    assert.equal(cur.spec?.renewTime, 'x', 'input not mutated');
  });

  test('without a registered Cluster the Lease has no owner yet', () => {
    assert.equal(renewedLease(undefined, { clusterName: 'm', leaseDurationSeconds: 40 }, now).metadata?.ownerReferences, undefined);
  });
});
