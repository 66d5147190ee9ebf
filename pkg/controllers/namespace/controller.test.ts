// Namespace sync against an in-process karmada-apiserver with fake Clusters (no members needed: the
// controller only writes Works).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { Work } from '../../apis/work/v1alpha1/index.js';
import type { ObjectClient } from '../../runtime/client.js';
import { SharedInformerFactory } from '../../runtime/factory.js';
import { NAMESPACES } from '../../runtime/gvr.js';
import { eventually, startTestApiServer, type TestApiServer } from '../../runtime/testenv.js';
import type { KubeObject } from '../../runtime/types.js';
import { CLUSTERS, ensureClusterAPI, WORKS } from '../../util/clusterapi.js';
import { CLUSTER_OVERRIDE_POLICIES } from '../detector/gvrs.js';
import { NamespaceSyncController } from './controller.js';
import { namespaceWorkName } from './work.js';

describe('NamespaceSyncController (in-process)', () => {
  let env: TestApiServer;
  let client: ObjectClient;
  let factory: SharedInformerFactory;
  const stop = new AbortController();
  let running: Promise<void>;

  const createNs = (name: string, labels: Record<string, string> = {}) =>
    client.resource(NAMESPACES).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } }).catch(() => undefined);
  const addCluster = async (name: string) => {
    await createNs(`karmada-es-${name}`);
    await client.resource(CLUSTERS).create({ apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name }, spec: { syncMode: 'Push' } });
  };
  const getWork = (ns: string, cluster: string) => client.resource<Work>(WORKS).getOrUndefined(namespaceWorkName(ns), { namespace: `karmada-es-${cluster}` });
  /** Gone, or being deleted (no execution controller here to release its finalizer). */
  const removed = async (ns: string, cluster: string) => {
    const w = await getWork(ns, cluster);
    return !w || !!w.metadata?.deletionTimestamp;
  };

  before(async () => {
    env = await startTestApiServer();
    client = env.client();
    await ensureClusterAPI(client);
    for (const ns of ['default', 'kube-system', 'karmada-system']) await createNs(ns);
    await addCluster('member1');
    await addCluster('member2');
    const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
    factory = new SharedInformerFactory(client, { logger });
    const c = new NamespaceSyncController({ client, informers: factory, logger });
    factory.start();
    running = c.run(stop.signal);
  });

  after(async () => {
    stop.abort();
    await running;
    await factory?.stop();
    await env?.cleanup();
  });

  test('a user namespace becomes a Work in every execution namespace', async () => {
    await createNs('team-a', { team: 'a' });
    const ns = await client.resource(NAMESPACES).get('team-a');
    for (const cluster of ['member1', 'member2']) {
      const w = await eventually(`the Work in karmada-es-${cluster}`, () => getWork('team-a', cluster));
      assert.deepEqual(w.metadata?.ownerReferences, [{ apiVersion: 'v1', kind: 'Namespace', name: 'team-a', uid: ns.metadata?.uid, controller: true, blockOwnerDeletion: true }]);
      const m = w.spec?.workload?.manifests?.[0] as KubeObject;
      assert.equal(m.kind, 'Namespace');
      assert.equal(m.metadata?.name, 'team-a');
      assert.equal(m.metadata?.labels?.team, 'a');
      assert.equal(m.metadata?.uid, undefined);
      assert.equal(m.metadata?.resourceVersion, undefined);
      assert.equal(m.metadata?.labels?.['karmada.io/managed'], 'true');
    }
    // default, kube-* and Karmada's own namespaces stay home
    for (const skipped of ['default', 'kube-system', 'karmada-system', 'karmada-es-member1']) {
      assert.equal(await getWork(skipped, 'member1'), undefined, `no Work for ${skipped}`);
    }
  });

  test('a labelled namespace is skipped; gaining the label removes its Works', async () => {
    await createNs('quiet', { 'namespace.karmada.io/skip-auto-propagation': 'true' });
    await createNs('team-b');
    await eventually('team-b Works', async () => (await getWork('team-b', 'member1')) && (await getWork('team-b', 'member2')));
    assert.equal(await getWork('quiet', 'member1'), undefined);

    await client.resource(NAMESPACES).patch('team-b', { metadata: { labels: { 'namespace.karmada.io/skip-auto-propagation': 'true' } } });
    await eventually('team-b Works removed', async () => (await removed('team-b', 'member1')) && (await removed('team-b', 'member2')));
  });

  test('a joining cluster gets the existing namespaces; ClusterOverridePolicies apply per cluster', async () => {
    await client.resource(CLUSTER_OVERRIDE_POLICIES).create({
      apiVersion: 'policy.karmada.io/v1alpha1',
      kind: 'ClusterOverridePolicy',
      metadata: { name: 'ns-env' },
      spec: {
        resourceSelectors: [{ apiVersion: 'v1', kind: 'Namespace', name: 'team-a' }],
        overrideRules: [{ targetCluster: { clusterNames: ['member3'] }, overriders: { labelsOverrider: [{ operator: 'add', value: { env: 'prod' } }] } }],
      },
    });
    await addCluster('member3');
    const w = await eventually('team-a in member3', () => getWork('team-a', 'member3'));
    assert.equal((w.spec?.workload?.manifests?.[0] as KubeObject).metadata?.labels?.env, 'prod');
    assert.ok(w.metadata?.annotations?.['policy.karmada.io/applied-cluster-overrides']?.includes('ns-env'));
    const other = await getWork('team-a', 'member1');
    assert.equal((other?.spec?.workload?.manifests?.[0] as KubeObject).metadata?.labels?.env, undefined);
  });

  test('deleting the namespace removes its Works', async () => {
    await createNs('team-c');
    await eventually('team-c Works', async () => (await getWork('team-c', 'member1')) && (await getWork('team-c', 'member2')));
    await client.resource(NAMESPACES).delete('team-c');
    await eventually('team-c Works removed', async () => (await removed('team-c', 'member1')) && (await removed('team-c', 'member2')) && (await removed('team-c', 'member3')));
  });
});
