import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import type { ClusterTaintPolicy } from '../../apis/policy/v1alpha1/index.js';
import { SharedInformerFactory } from '../../runtime/factory.js';
import { errorCode } from '../../runtime/rest.js';
import { eventually, startTestApiServer, type TestApiServer } from '../../runtime/testenv.js';

const isInvalid = (e: unknown) => errorCode(e) === 422;
import { CLUSTERS } from '../../util/clusterapi.js';
import { CLUSTER_TAINT_POLICIES, ClusterTaintPolicyController } from './controller.js';

const KEY = 'cluster.karmada.io/not-ready';
const NOW = new Date('2026-01-01T00:00:00Z');

describe('ClusterTaintPolicyController', () => {
  let env: TestApiServer;
  const abort = new AbortController();
  let informers: SharedInformerFactory;

  const setReady = async (name: string, status: 'True' | 'False' | 'Unknown') => {
    const clusters = env.client().resource<Cluster>(CLUSTERS);
    const c = await clusters.get(name);
    await clusters.updateStatus({ ...c, status: { conditions: [{ type: 'Ready', status, reason: 'r', message: 'm', lastTransitionTime: '2026-01-01T00:00:00Z' }] } });
  };
  const taintsOf = async (name: string) => (await env.client().resource<Cluster>(CLUSTERS).get(name)).spec?.taints ?? [];
  const hasNoExecute = (ts: { key: string; effect: string }[]) => ts.some((t) => t.key === KEY && t.effect === 'NoExecute');

  before(async () => {
    env = await startTestApiServer();
    const client = env.client();
    for (const name of ['member1', 'member2']) {
      await client.resource<Cluster>(CLUSTERS).create({ apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name }, spec: { syncMode: 'Push', taints: [{ key: 'dedicated', effect: 'NoSchedule' }] } });
      await setReady(name, 'True');
    }
    informers = new SharedInformerFactory(client);
    const c = new ClusterTaintPolicyController({ client, informers, now: () => NOW });
    informers.start();
    void c.run(abort.signal);
  });
  after(async () => {
    abort.abort();
    await informers.stop();
    await env.cleanup();
  });

  test('adds the NoExecute taint when Ready turns False, removes it when Ready is True again', async () => {
    await env.client().resource<ClusterTaintPolicy>(CLUSTER_TAINT_POLICIES).create({
      apiVersion: 'policy.karmada.io/v1alpha1',
      kind: 'ClusterTaintPolicy',
      metadata: { name: 'not-ready' },
      spec: {
        targetClusters: { clusterNames: ['member1'] },
        addOnConditions: [{ conditionType: 'Ready', operator: 'In', statusValues: ['False', 'Unknown'] }],
        removeOnConditions: [{ conditionType: 'Ready', operator: 'In', statusValues: ['True'] }],
        taints: [{ key: KEY, effect: 'NoExecute' }],
      },
    });
    await setReady('member1', 'False');
    await setReady('member2', 'False');
    const ts = await eventually('member1 tainted', async () => {
      const t = await taintsOf('member1');
      return hasNoExecute(t) && t;
    });
    assert.deepEqual(ts, [{ key: 'dedicated', effect: 'NoSchedule' }, { key: KEY, effect: 'NoExecute', timeAdded: '2026-01-01T00:00:00Z' }]);
    // member2 is not targeted
    assert.ok(!hasNoExecute(await taintsOf('member2')));

    await setReady('member1', 'True');
    await eventually('member1 untainted', async () => !hasNoExecute(await taintsOf('member1')));
    assert.deepEqual(await taintsOf('member1'), [{ key: 'dedicated', effect: 'NoSchedule' }]);
  });

  test('a policy created while a cluster is already down taints it', async () => {
    await setReady('member2', 'Unknown');
    await env.client().resource<ClusterTaintPolicy>(CLUSTER_TAINT_POLICIES).create({
      apiVersion: 'policy.karmada.io/v1alpha1',
      kind: 'ClusterTaintPolicy',
      metadata: { name: 'unreachable' },
      spec: {
        targetClusters: { clusterNames: ['member2'] },
        addOnConditions: [{ conditionType: 'Ready', operator: 'In', statusValues: ['Unknown'] }],
        taints: [{ key: 'unreachable', effect: 'NoSchedule' }],
      },
    });
    await eventually('member2 tainted', async () => (await taintsOf('member2')).some((t) => t.key === 'unreachable'));
  });

  test('admission rejects a duplicate key:effect, a policy without conditions, and a taint another policy manages', async () => {
    const policies = env.client().resource<ClusterTaintPolicy>(CLUSTER_TAINT_POLICIES);
    const mk = (name: string, spec: ClusterTaintPolicy['spec']) => policies.create({ apiVersion: 'policy.karmada.io/v1alpha1', kind: 'ClusterTaintPolicy', metadata: { name }, spec });
    const cond = [{ conditionType: 'Ready', operator: 'In' as const, statusValues: ['False'] }];
    await assert.rejects(mk('dup', { addOnConditions: cond, taints: [{ key: 'a', effect: 'NoSchedule' }, { key: 'a', effect: 'NoSchedule' }] }), (e) => isInvalid(e) && /Duplicate/i.test(String(e)));
    await assert.rejects(mk('noconds', { taints: [{ key: 'a', effect: 'NoSchedule' }] }), (e) => isInvalid(e) && /removeOnConditions/.test(String(e)));
    await assert.rejects(mk('empty', { addOnConditions: cond, taints: [] }), (e) => isInvalid(e));
    await assert.rejects(mk('bad-effect', { addOnConditions: cond, taints: [{ key: 'a', effect: 'PreferNoSchedule' as never }] }), (e) => isInvalid(e));
    await assert.rejects(mk('conflict', { addOnConditions: cond, taints: [{ key: KEY, effect: 'NoExecute' }] }), (e) => isInvalid(e) && /already managed by ClusterTaintPolicy "not-ready"/.test(String(e)));
  });
});
