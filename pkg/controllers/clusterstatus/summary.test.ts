import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultResourceModels } from '../../apis/cluster/v1alpha1/index.js';
import type { StatusCondition } from '../../util/conditions.js';
import { ClusterConditionCache } from './conditioncache.js';
import { apiEnablementsCondition, readyCondition, toAPIEnablements } from './memberstatus.js';
import { allocatableModelings, allocatedResources, allocatingResources, clusterAllocatable, nodeSummary, Resource, resourceSummary, slimPod, type Node, type Pod } from './summary.js';

const node = (name: string, cpu: string, memory: string, ready = true, pods = '110'): Node => ({
  metadata: { name },
  status: { allocatable: { cpu, memory, pods, 'ephemeral-storage': '100Gi' }, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});
const pod = (name: string, nodeName: string | undefined, requests: Record<string, string>, phase = 'Running', extra: Partial<NonNullable<Pod['spec']>> = {}): Pod => ({
  metadata: { name, namespace: 'default' },
  spec: { nodeName, containers: [{ resources: { requests } }], ...extra },
  status: { phase },
});

describe('node and resource summaries', () => {
  test('nodeSummary counts ready nodes', () => {
    assert.deepEqual(nodeSummary([node('a', '4', '8Gi'), node('b', '4', '8Gi', false), node('c', '4', '8Gi')]), { totalNum: 3, readyNum: 2 });
    assert.deepEqual(nodeSummary([]), { totalNum: 0, readyNum: 0 });
  });

  test('allocatable sums node allocatable, keeping each resource format', () => {
    const nodes = [node('a', '4', '8Gi'), node('b', '3500m', '8Gi'), node('c', '500m', '16Gi')];
    assert.deepEqual(clusterAllocatable(nodes), { cpu: '8', 'ephemeral-storage': '300Gi', memory: '32Gi', pods: '330' });
  });

  test('allocated counts bound non-terminal pods; allocating counts pods without a node', () => {
    const pods = [
      pod('a', 'n1', { cpu: '500m', memory: '1Gi' }),
      pod('b', 'n1', { cpu: '250m', memory: '512Mi' }),
      pod('done', 'n1', { cpu: '8', memory: '8Gi' }, 'Succeeded'),
      pod('failed', 'n2', { cpu: '8' }, 'Failed'),
      pod('pending', undefined, { cpu: '1', memory: '2Gi' }, 'Pending'),
    ];
    assert.deepEqual(allocatedResources(pods), { cpu: '750m', memory: '1536Mi', 'ephemeral-storage': '0', pods: '2' });
    assert.deepEqual(allocatingResources(pods), { cpu: '1', memory: '2Gi', 'ephemeral-storage': '0', pods: '1' });
  });

  test('pod requests: containers summed, init containers as maximum, overhead added', () => {
    const r = new Resource().addPodRequest({
      containers: [{ resources: { requests: { cpu: '100m', memory: '100Mi' } } }, { resources: { requests: { cpu: '200m' } } }],
      initContainers: [{ resources: { requests: { cpu: '1', memory: '50Mi' } } }],
      overhead: { cpu: '10m' },
    });
    assert.equal(r.milliCPU, 1010n);
    assert.equal(r.memory, 100n * 1024n * 1024n);
    assert.deepEqual(r.toResourceList().cpu, '1010m');
    assert.equal(Resource.from({ 'nvidia.com/gpu': '2', 'hugepages-2Mi': '4Mi', storage: '1Gi' }).toResourceList()['nvidia.com/gpu'], '2');
    assert.equal(Resource.from({ 'hugepages-2Mi': '4Mi' }).toResourceList()['hugepages-2Mi'], '4Mi');
  });

  test('allocatableModelings counts nodes per grade by what is still free on them', () => {
    const models = defaultResourceModels(); // cpu 0,1,2,4,8,...; memory 0,4Gi,16Gi,32Gi,...
    const nodes = [node('big', '16', '64Gi'), node('mid', '4', '16Gi'), node('small', '1', '2Gi'), node('full', '8', '32Gi', true, '1')];
    const pods = [pod('p1', 'mid', { cpu: '1', memory: '1Gi' }), pod('p2', 'full', { cpu: '100m' })];
    // big: cpu 16 -> grade 5, memory 64Gi -> grade 4 => 4; mid: cpu 3 -> 2, memory 15Gi -> 1 => 1;
    // small: cpu 1 -> 1, memory 2Gi -> 0 => 0; full: no pod slot left -> not counted
    const m = allocatableModelings(models, nodes, pods)!;
    assert.deepEqual(
      m.map((x) => x.count),
      [1, 1, 0, 0, 1, 0, 0, 0, 0],
    );
    assert.deepEqual(
      m.map((x) => x.grade),
      [0, 1, 2, 3, 4, 5, 6, 7, 8],
    );
    assert.equal(allocatableModelings([], nodes, pods), undefined);
    assert.equal(allocatableModelings(undefined, nodes, pods), undefined);
  });

  test('resourceSummary puts it together; slimPod keeps what the summaries read', () => {
    const full: Pod = { ...pod('x', 'n', { cpu: '1' }), spec: { nodeName: 'n', containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '1' }, limits: { cpu: '2' } } } as never] } };
    const slim = slimPod(full);
    assert.deepEqual(slim.spec, { nodeName: 'n', containers: [{ resources: { requests: { cpu: '1' } } }] });
    const s = resourceSummary([node('n', '2', '4Gi')], [slim], defaultResourceModels());
    assert.equal(s.allocated!.cpu, '1');
    assert.equal(s.allocatableModelings!.length, 9);
  });
});

describe('Ready condition thresholds (cluster_condition_cache)', () => {
  const T = (status: 'True' | 'False'): StatusCondition => ({ type: 'Ready', status, reason: status === 'True' ? 'ClusterReady' : 'ClusterNotReachable', message: '' });

  test('first observation is reported at once, then flips wait for the threshold', () => {
    let now = 0;
    const cache = new ClusterConditionCache(30_000, 10_000, () => now);
    assert.equal(cache.thresholdAdjustedReadyCondition('m', undefined, T('True')).status, 'True');
    const current = [T('True')];
    now = 1000;
    assert.equal(cache.thresholdAdjustedReadyCondition('m', current, T('False')).status, 'True', 'failure not yet persisted');
    now = 10_999;
    assert.equal(cache.thresholdAdjustedReadyCondition('m', current, T('False')).status, 'True');
    now = 11_000;
    assert.equal(cache.thresholdAdjustedReadyCondition('m', current, T('False')).status, 'False', 'failure threshold passed');
    const down = [T('False')];
    now = 12_000;
    assert.equal(cache.thresholdAdjustedReadyCondition('m', down, T('True')).status, 'False', 'recovery waits for the success threshold');
    now = 41_999;
    assert.equal(cache.thresholdAdjustedReadyCondition('m', down, T('True')).status, 'False');
    now = 42_000;
    assert.equal(cache.thresholdAdjustedReadyCondition('m', down, T('True')).status, 'True');
  });

  test('a flapping observation restarts the threshold; unknown -> false is immediate', () => {
    let now = 0;
    const cache = new ClusterConditionCache(5000, 5000, () => now);
    cache.thresholdAdjustedReadyCondition('m', undefined, T('True'));
    const current = [T('True')];
    now = 4000;
    cache.thresholdAdjustedReadyCondition('m', current, T('False'));
    now = 4500;
    cache.thresholdAdjustedReadyCondition('m', current, T('True'));
    now = 6000;
    assert.equal(cache.thresholdAdjustedReadyCondition('m', current, T('False')).status, 'True', 'threshold restarted at 6000');
    now = 11_000;
    assert.equal(cache.thresholdAdjustedReadyCondition('m', current, T('False')).status, 'False');
    const unknown: StatusCondition[] = [{ type: 'Ready', status: 'Unknown', reason: 'ClusterStatusUnknown', message: '' }];
    assert.equal(cache.thresholdAdjustedReadyCondition('m', unknown, T('False')).status, 'False');
    cache.delete('m');
    assert.equal(cache.thresholdAdjustedReadyCondition('m', current, T('False')).status, 'False', 'forgotten cluster: first observation');
  });

  test('ready conditions and API enablements', () => {
    assert.deepEqual(readyCondition({ online: false, healthy: false }), { type: 'Ready', status: 'False', reason: 'ClusterNotReachable', message: 'cluster is not reachable' });
    assert.equal(readyCondition({ online: true, healthy: false }).reason, 'ClusterNotReady');
    assert.equal(readyCondition({ online: true, healthy: true }).status, 'True');
    const e = toAPIEnablements([
      { groupVersion: 'v1', resources: [{ name: 'pods', kind: 'Pod' }, { name: 'pods/status', kind: 'Pod' }, { name: 'configmaps', kind: 'ConfigMap' }] },
      { groupVersion: 'apps/v1', resources: [{ name: 'deployments', kind: 'Deployment' }] },
    ]);
    assert.deepEqual(e, [
      { groupVersion: 'apps/v1', resources: [{ name: 'deployments', kind: 'Deployment' }] },
      { groupVersion: 'v1', resources: [{ name: 'configmaps', kind: 'ConfigMap' }, { name: 'pods', kind: 'Pod' }] },
    ]);
    assert.equal(apiEnablementsCondition(2, false).status, 'True');
    assert.equal(apiEnablementsCondition(2, true).reason, 'Partial');
    assert.equal(apiEnablementsCondition(0, false).reason, 'Empty');
  });
});
