// Registration of the agent's Cluster: what generateClusterInControlPlane sets and keeps, duplicate ids.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Cluster } from '../apis/cluster/v1alpha1/index.js';
import { clusterWithSameID, DuplicateClusterError, generateClusterInControlPlane, registrationChanges, type ClusterRegisterOptions } from './register.js';

const base: ClusterRegisterOptions = { clusterName: 'member3', clusterID: 'uid-3', clusterAPIEndpoint: 'https://10.0.0.3:6443' };

const existing: Cluster = {
  apiVersion: 'cluster.karmada.io/v1alpha1',
  kind: 'Cluster',
  metadata: { name: 'member3', uid: 'c-uid', resourceVersion: '7', labels: { team: 'a' }, finalizers: ['karmada.io/cluster-controller'] },
  spec: { syncMode: 'Push', apiEndpoint: 'https://old:6443', id: 'old', provider: 'aws', region: 'eu', zones: ['z1'], taints: [{ key: 'k', effect: 'NoSchedule' }], proxyURL: 'http://proxy:1' },
  status: { conditions: [] },
};

describe('generateClusterInControlPlane', () => {
  const cases: { name: string; existing?: Cluster; opts: ClusterRegisterOptions; check: (c: Cluster) => void }[] = [
    {
      name: 'new cluster: Pull with endpoint and id',
      opts: base,
      check: (c) => {
        assert.equal(c.metadata?.name, 'member3');
        assert.deepEqual(c.spec, { syncMode: 'Pull', apiEndpoint: 'https://10.0.0.3:6443', id: 'uid-3' });
      },
    },
    {
      name: 'new cluster with provider, region, zones, proxy and insecure TLS',
      opts: { ...base, provider: 'sim', region: 'r1', zones: ['a', 'b'], proxyServerAddress: 'socks5://p:1080', insecureSkipTLSVerification: true },
      check: (c) => {
        assert.equal(c.spec?.provider, 'sim');
        assert.equal(c.spec?.region, 'r1');
        assert.deepEqual(c.spec?.zones, ['a', 'b']);
        assert.equal(c.spec?.proxyURL, 'socks5://p:1080');
        assert.equal(c.spec?.insecureSkipTLSVerification, true);
      },
    },
    {
      name: 'existing cluster: sync mode, endpoint, id replaced; provider/region/zones kept when not given; taints, labels, metadata kept; proxy cleared',
      existing,
      opts: base,
      check: (c) => {
        assert.equal(c.spec?.syncMode, 'Pull');
        assert.equal(c.spec?.apiEndpoint, 'https://10.0.0.3:6443');
        assert.equal(c.spec?.id, 'uid-3');
        assert.equal(c.spec?.provider, 'aws');
        assert.equal(c.spec?.region, 'eu');
        assert.deepEqual(c.spec?.zones, ['z1']);
        assert.deepEqual(c.spec?.taints, [{ key: 'k', effect: 'NoSchedule' }]);
        assert.equal(c.spec?.proxyURL, undefined);
        assert.equal(c.metadata?.resourceVersion, '7');
        assert.deepEqual(c.metadata?.labels, { team: 'a' });
      },
    },
    {
      name: 'labels: set and removed (null)',
      existing,
      opts: { ...base, labels: { 'cluster.karmada.io/kubeedge': 'true', team: null } },
      check: (c) => assert.deepEqual(c.metadata?.labels, { 'cluster.karmada.io/kubeedge': 'true' }),
    },
  ];
  for (const tc of cases) {
    test(tc.name, () => {
      const before = structuredClone(tc.existing);
      tc.check(generateClusterInControlPlane(tc.existing, tc.opts));
      assert.deepEqual(tc.existing, before, 'the existing object is not mutated');
    });
  }

  test('registrationChanges: false for an already registered cluster, true when the endpoint moved', () => {
    const registered = generateClusterInControlPlane(existing, base);
    assert.equal(registrationChanges(registered, generateClusterInControlPlane(registered, base)), false);
    assert.equal(registrationChanges(registered, generateClusterInControlPlane(registered, { ...base, clusterAPIEndpoint: 'https://new:6443' })), true);
  });
});

describe('cluster id uniqueness', () => {
  const clusters: Cluster[] = [
    { metadata: { name: 'member1' }, spec: { syncMode: 'Push', id: 'uid-1' } },
    { metadata: { name: 'member3' }, spec: { syncMode: 'Pull', id: 'uid-3' } },
  ];
  test('another name with the same id is found; the same name is not a duplicate', () => {
    assert.equal(clusterWithSameID(clusters, 'uid-1', 'member3'), 'member1');
    assert.equal(clusterWithSameID(clusters, 'uid-3', 'member3'), undefined);
    assert.equal(clusterWithSameID(clusters, 'uid-9', 'member9'), undefined);
  });
  test('the error names the existing registration and what to do', () => {
    const err = new DuplicateClusterError('uid-1', 'member1', 'member3');
    assert.match(err.message, /registered with name member1/);
    assert.match(err.message, /--cluster-name=member1/);
    assert.match(err.message, /karmadactl unregister member1/);
  });
});
