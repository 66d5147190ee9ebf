// The cluster lifecycle in one process: a control-plane karmada-apiserver, a second one playing the member
// (nodes and pods written by the test), karmadactl join/unjoin as library calls, and the cluster and
// cluster status controllers with short periods.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import { runJoin } from '../../karmadactl/join/join.js';
import { runUnjoin } from '../../karmadactl/unjoin/unjoin.js';
import type { IO } from '../../karmadactl/util/factory.js';
import { ObjectClient } from '../../runtime/client.js';
import { SharedInformerFactory } from '../../runtime/factory.js';
import { CLUSTERROLES, NAMESPACES, NODES, PODS, SECRETS, SERVICEACCOUNTS } from '../../runtime/gvr.js';
import { RestClient } from '../../runtime/rest.js';
import { eventually, startTestApiServer, type TestApiServer } from '../../runtime/testenv.js';
import { CLUSTERS, ensureClusterAPI } from '../../util/clusterapi.js';
import { ClusterController } from '../cluster/controller.js';
import { ClusterStatusController } from './controller.js';

const quiet: IO = { out: () => undefined, err: () => undefined };

describe('cluster lifecycle (in-process)', () => {
  let cp: TestApiServer;
  let member: TestApiServer;
  let karmada: ObjectClient;
  let memberClient: ObjectClient;
  const stop = new AbortController();
  let running: Promise<unknown>;
  let factory: SharedInformerFactory;

  before(async () => {
    cp = await startTestApiServer();
    member = await startTestApiServer();
    karmada = cp.client();
    memberClient = member.client();
    await ensureClusterAPI(karmada);
    await memberClient.resource(NAMESPACES).create({ metadata: { name: 'kube-system' } }).catch(() => undefined);
    await memberClient.resource(NAMESPACES).create({ metadata: { name: 'default' } }).catch(() => undefined);
    for (const [name, ready] of [
      ['n1', 'True'],
      ['n2', 'True'],
      ['n3', 'False'],
    ] as const) {
      const n = await memberClient.resource(NODES).create({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
      await memberClient.resource(NODES).updateStatus({
        ...n,
        status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' }, capacity: { cpu: '4', memory: '8Gi', pods: '110' }, conditions: [{ type: 'Ready', status: ready }] },
      });
    }
    const pod = (name: string, nodeName?: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default' },
      spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '500m', memory: '1Gi' } } }] },
    });
    await memberClient.resource(PODS).create(pod('bound', 'n1'));
    await memberClient.resource(PODS).create(pod('pending'));

    const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
    factory = new SharedInformerFactory(karmada, { logger });
    const clusterCtl = new ClusterController({ client: karmada, informers: factory, logger, monitorPeriodMs: 200 });
    const statusCtl = new ClusterStatusController({ client: karmada, informers: factory, logger, updateFrequencyMs: 200, successThresholdMs: 600, failureThresholdMs: 600 });
    factory.start();
    running = Promise.all([clusterCtl.run(stop.signal), statusCtl.run(stop.signal)]);
  });

  after(async () => {
    stop.abort();
    await running;
    await factory?.stop();
    await member?.cleanup();
    await cp?.cleanup();
  });

  const getCluster = (name: string) => karmada.resource<Cluster>(CLUSTERS).getOrUndefined(name);
  const ready = (c: Cluster | undefined) => c?.status?.conditions?.find((x) => x.type === 'Ready')?.status;
  const taintKeys = (c: Cluster | undefined) => (c?.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`).sort();

  test('join registers the member, the controllers make it Ready with summaries', async () => {
    const memberKc = RestClient.loadKubeConfig(member.kubeconfig);
    const created = await runJoin({ clusterName: 'member1', karmada, member: memberKc, tokenWaitMs: 300, io: quiet, provider: 'sim', zones: ['z1'] });
    assert.equal(created?.spec?.syncMode, 'Push');
    const ks = await memberClient.resource(NAMESPACES).get('kube-system');
    assert.equal(created?.spec?.id, ks.metadata?.uid);
    // member side
    assert.ok(await memberClient.resource(SERVICEACCOUNTS).getOrUndefined('karmada-member1', { namespace: 'karmada-cluster' }));
    assert.ok(await memberClient.resource(SERVICEACCOUNTS).getOrUndefined('karmada-impersonator', { namespace: 'karmada-cluster' }));
    assert.ok(await memberClient.resource(CLUSTERROLES).getOrUndefined('karmada-controller-manager:karmada-member1'));
    // control plane secrets with owner references
    const secret = await karmada.resource<{ data?: Record<string, string> } & Cluster>(SECRETS).get('member1', { namespace: 'karmada-cluster' });
    assert.ok(secret.data?.caBundle);
    assert.ok(secret.data?.token || secret.data?.['tls.crt'], 'a credential for the member is stored (an SA token, or the kubeconfig client certificate)');
    assert.equal(secret.metadata?.ownerReferences?.[0]?.uid, created?.metadata?.uid);
    assert.ok(await karmada.resource(SECRETS).getOrUndefined('member1-impersonator', { namespace: 'karmada-cluster' }));

    const c = await eventually('member1 Ready with summaries', async () => {
      const c = await getCluster('member1');
      return ready(c) === 'True' && c?.status?.resourceSummary && c.status.nodeSummary ? c : undefined;
    });
    assert.ok(c.metadata?.finalizers?.includes('karmada.io/cluster-controller'));
    assert.ok(c.status?.kubernetesVersion);
    assert.deepEqual(c.status?.nodeSummary, { totalNum: 3, readyNum: 2 });
    assert.equal(c.status?.resourceSummary?.allocatable?.cpu, '12');
    assert.equal(c.status?.resourceSummary?.allocatable?.memory, '24Gi');
    assert.equal(c.status?.resourceSummary?.allocated?.cpu, '500m');
    assert.equal(c.status?.resourceSummary?.allocated?.pods, '1');
    assert.equal(c.status?.resourceSummary?.allocating?.memory, '1Gi');
    assert.ok(c.status?.apiEnablements?.some((e) => e.groupVersion === 'v1' && e.resources?.some((r) => r.name === 'pods')));
    assert.equal(c.status?.conditions?.find((x) => x.type === 'CompleteAPIEnablements')?.status, 'True');
    assert.ok(await karmada.resource(NAMESPACES).getOrUndefined('karmada-es-member1'));
    assert.deepEqual(taintKeys(c), []);
  });

  test('a member with KubeEdge edge nodes gets edgeNodeSummary and the kubeedge label, which go with the edge nodes', async () => {
    const n = await memberClient.resource(NODES).create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'edge-0', labels: { 'node-role.kubernetes.io/edge': '' } } });
    await memberClient.resource(NODES).updateStatus({ ...n, status: { allocatable: { cpu: '1', memory: '1Gi', pods: '10' }, conditions: [{ type: 'Ready', status: 'True' }] } });
    const c = await eventually('member1 labelled as a KubeEdge cluster', async () => {
      const c = await getCluster('member1');
      return c?.metadata?.labels?.['cluster.karmada.io/kubeedge'] === 'true' && c.status?.edgeNodeSummary ? c : undefined;
    });
    assert.deepEqual(c.status?.edgeNodeSummary, { totalNum: 1, readyNum: 1 });
    assert.deepEqual(c.status?.nodeSummary, { totalNum: 4, readyNum: 3 });
    await memberClient.resource(NODES).delete('edge-0');
    await eventually('label and edge summary removed', async () => {
      const c = await getCluster('member1');
      return c?.metadata?.labels?.['cluster.karmada.io/kubeedge'] === undefined && c?.status?.edgeNodeSummary === undefined && c?.status?.nodeSummary?.totalNum === 3;
    });
  });

  test('a member that stops answering turns Ready=False with the not-ready taint, and back', async () => {
    await member.stop();
    const down = await eventually('member1 not ready', async () => {
      const c = await getCluster('member1');
      return ready(c) === 'False' && taintKeys(c).includes('cluster.karmada.io/not-ready:NoSchedule') ? c : undefined;
    });
    assert.equal(down.status?.conditions?.find((x) => x.type === 'Ready')?.reason, 'ClusterNotReachable');
    await member.start();
    await eventually('member1 ready again', async () => {
      const c = await getCluster('member1');
      return ready(c) === 'True' && taintKeys(c).length === 0;
    });
  });

  test('unjoin removes the cluster, its secrets, the execution namespace and what join made in the member', async () => {
    await runUnjoin({ clusterName: 'member1', karmada, member: RestClient.loadKubeConfig(member.kubeconfig), waitMs: 20_000, io: quiet });
    assert.equal(await getCluster('member1'), undefined);
    assert.equal(await karmada.resource(SECRETS).getOrUndefined('member1', { namespace: 'karmada-cluster' }), undefined);
    assert.equal(await karmada.resource(SECRETS).getOrUndefined('member1-impersonator', { namespace: 'karmada-cluster' }), undefined);
    assert.equal(await karmada.resource(NAMESPACES).getOrUndefined('karmada-es-member1'), undefined);
    assert.equal(await memberClient.resource(SERVICEACCOUNTS).getOrUndefined('karmada-member1', { namespace: 'karmada-cluster' }), undefined);
    assert.equal(await memberClient.resource(CLUSTERROLES).getOrUndefined('karmada-controller-manager:karmada-member1'), undefined);
  });

  test('a Pull cluster whose agent stops renewing its Lease turns Ready=Unknown and unreachable', async () => {
    const now = () => new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
    await karmada.resource(NAMESPACES).create({ metadata: { name: 'karmada-cluster' } }).catch(() => undefined);
    const c = await karmada.resource<Cluster>(CLUSTERS).create({ apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name: 'pull1' }, spec: { syncMode: 'Pull' } });
    await karmada.resource<Cluster>(CLUSTERS).updateStatus({ ...c, status: { conditions: [{ type: 'Ready', status: 'True', reason: 'ClusterReady', message: 'ok', lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') }] } });
    const leases = karmada.resource({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases' });
    await leases.create({ metadata: { name: 'pull1', namespace: 'karmada-cluster' }, spec: { holderIdentity: 'pull1', leaseDurationSeconds: 40, renewTime: now() } });
    // a separate controller with a short grace period
    const stopPull = new AbortController();
    const f = new SharedInformerFactory(karmada);
    const ctl = new ClusterController({ client: karmada, informers: f, monitorPeriodMs: 100, monitorGracePeriodMs: 1000, startupGracePeriodMs: 1000 });
    f.start();
    const r = ctl.run(stopPull.signal);
    try {
      // renewing keeps it Ready
      for (let i = 0; i < 8; i++) {
        const l = await leases.get('pull1', { namespace: 'karmada-cluster' });
        await leases.update({ ...l, spec: { ...(l.spec as object), renewTime: now() } });
        await new Promise((res) => setTimeout(res, 250));
      }
      assert.equal(ready(await getCluster('pull1')), 'True');
      // then silence
      const lost = await eventually('pull1 unknown', async () => {
        const c = await getCluster('pull1');
        return ready(c) === 'Unknown' && taintKeys(c).includes('cluster.karmada.io/unreachable:NoSchedule') ? c : undefined;
      });
      assert.equal(lost.status?.conditions?.find((x) => x.type === 'Ready')?.reason, 'ClusterStatusUnknown');
      // unjoin refuses Pull clusters
      await assert.rejects(runUnjoin({ clusterName: 'pull1', karmada, io: quiet }), /cluster pull1 is a Pull cluster; use karmadactl unregister/);
      await karmada.resource(CLUSTERS).delete('pull1');
      await eventually('pull1 gone', async () => (await getCluster('pull1')) === undefined);
    } finally {
      stopPull.abort();
      await r;
      await f.stop();
    }
  });
});
