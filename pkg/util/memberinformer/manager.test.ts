import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ObjectClient } from '../../runtime/client.js';
import { CONFIGMAPS } from '../../runtime/gvr.js';
import { RestClient } from '../../runtime/rest.js';
import { eventually, startTestApiServer, type TestApiServer } from '../../runtime/testenv.js';
import { MultiClusterInformerManager, type MemberEvent } from './manager.js';

describe('MultiClusterInformerManager', () => {
  let srv: TestApiServer;
  let client: ObjectClient;
  before(async () => {
    srv = await startTestApiServer();
    client = srv.client();
    const ns = await client.resource({ group: '', version: 'v1', resource: 'namespaces', namespaced: false }).getOrUndefined('default');
    if (!ns) await client.resource({ group: '', version: 'v1', resource: 'namespaces', namespaced: false }).create({ metadata: { name: 'default' } });
  });
  after(async () => srv?.cleanup());

  test('caches only Karmada-managed objects and tells every handler, naming the cluster', async () => {
    const mgr = new MultiClusterInformerManager();
    const events: MemberEvent[] = [];
    mgr.addEventHandler((ev) => events.push(ev));
    const rest = RestClient.fromFile(srv.kubeconfig);
    try {
      await client.resource(CONFIGMAPS).create({ metadata: { name: 'managed', namespace: 'default', labels: { 'karmada.io/managed': 'true' }, managedFields: [] }, data: { a: '1' } });
      await client.resource(CONFIGMAPS).create({ metadata: { name: 'other', namespace: 'default' }, data: { a: '1' } });
      const m = mgr.forCluster('m1', rest);
      assert.equal(await m.waitForSync(CONFIGMAPS, 10_000), true);
      assert.ok(m.getCached(CONFIGMAPS, 'managed', 'default'));
      assert.equal(m.getCached(CONFIGMAPS, 'other', 'default'), undefined);
      assert.equal(m.getCached(CONFIGMAPS, 'managed', 'default')!.metadata?.managedFields, undefined, 'managedFields are dropped');
      await eventually('add event', () => events.find((e) => e.type === 'add' && e.obj.metadata?.name === 'managed'));
      assert.equal(events[0]!.cluster, 'm1');
      assert.equal(events[0]!.gvr.resource, 'configmaps');

      await client.resource(CONFIGMAPS).delete('managed', { namespace: 'default' });
      await eventually('delete event', () => events.find((e) => e.type === 'delete' && e.obj.metadata?.name === 'managed'));
      assert.ok(!events.some((e) => e.obj.metadata?.name === 'other'));

      // the same client keeps the caches; another client replaces them
      assert.equal(mgr.forCluster('m1', rest), m);
      const rest2 = RestClient.fromFile(srv.kubeconfig);
      const m2 = mgr.forCluster('m1', rest2);
      assert.notEqual(m2, m);
      assert.deepEqual(m2.resources(), []);
      await mgr.stopAll();
      assert.deepEqual(mgr.clusterNames(), []);
      rest2.close();
    } finally {
      await mgr.stopAll();
      rest.close();
    }
  });
});
