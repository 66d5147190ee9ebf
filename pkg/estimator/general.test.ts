import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultResourceModels, type Cluster, type ResourceSummary } from '../apis/cluster/v1alpha1/index.js';
import { GeneralEstimator, generalEstimator } from './general.js';

function cluster(summary: ResourceSummary | undefined, models?: Cluster['spec']['resourceModels']): Cluster {
  return { metadata: { name: 'm' }, spec: { syncMode: 'Push', ...(models ? { resourceModels: models } : {}) }, status: summary ? { resourceSummary: summary } : {} };
}

const summary: ResourceSummary = {
  allocatable: { cpu: '8', memory: '16Gi', pods: '110' },
  allocated: { cpu: '2', memory: '4Gi', pods: '10' },
  allocating: { cpu: '500m', pods: '5' },
};

describe('general estimator from status.resourceSummary', () => {
  const cases: { name: string; summary?: ResourceSummary; requests?: Record<string, string>; want: number }[] = [
    { name: 'no summary: nothing fits', want: 0 },
    { name: 'no requests: free pod slots (110 - 10 - 5)', summary, want: 95 },
    // cpu: (8000m - 2000m - 500m) / 500m = 11; memory: (16Gi - 4Gi) / 1Gi = 12; pods 95
    { name: 'cpu in milli-units and memory: the scarcest resource decides', summary, requests: { cpu: '500m', memory: '1Gi' }, want: 11 },
    // memory: 12Gi / 5Gi = 2
    { name: 'memory bound', summary, requests: { cpu: '100m', memory: '5Gi' }, want: 2 },
    { name: 'pods bound', summary: { ...summary, allocating: { pods: '93' } }, requests: { cpu: '10m' }, want: 7 },
    { name: 'a requested resource the cluster does not have', summary, requests: { cpu: '1', 'nvidia.com/gpu': '1' }, want: 0 },
    { name: 'a resource used up', summary: { ...summary, allocated: { memory: '16Gi' } }, requests: { memory: '1' }, want: 0 },
    { name: 'zero requests are ignored', summary, requests: { cpu: '0', memory: '0' }, want: 95 },
    { name: 'no pods left', summary: { ...summary, allocated: { pods: '110' } }, want: 0 },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const req = c.requests ? { resourceRequest: c.requests } : undefined;
      assert.equal(generalEstimator.maxAvailable(cluster(c.summary), req), c.want);
    });
  }

  test('one figure per cluster, in order', () => {
    assert.deepEqual(generalEstimator.maxAvailableReplicas([cluster(summary), cluster(undefined)], undefined), [95, 0]);
  });
});

describe('general estimator with resource models', () => {
  // the default grades: cpu mins 0,1,2,4,8,16,32,64,128; memory mins 0,4Gi,16Gi,32Gi,...
  const modelings = (counts: Record<number, number>) => Array.from({ length: 9 }, (_, grade) => ({ grade, count: counts[grade] ?? 0 }));
  const withModels = (counts: Record<number, number>, pods = '1000') =>
    cluster({ allocatable: { cpu: '1000', memory: '1000Gi', pods }, allocatableModelings: modelings(counts) }, defaultResourceModels());

  test('only grades whose minimum covers the request count, each node by its minimum', () => {
    // request cpu 1, memory 2Gi: the first grade with cpu min >= 1 is 1, with memory min >= 2Gi is 1.
    // grade 2 (cpu 2, memory 16Gi): 3 nodes x min(2/1, 16/2) = 6; grade 3 (cpu 4, memory 32Gi): 1 x min(4, 16) = 4
    assert.equal(withModels({ 0: 5, 2: 3, 3: 1 }).status!.resourceSummary!.allocatableModelings!.length, 9);
    assert.equal(generalEstimator.maxAvailable(withModels({ 0: 5, 2: 3, 3: 1 }), { resourceRequest: { cpu: '1', memory: '2Gi' } }), 10);
  });

  test('a request above every grade minimum: nothing fits', () => {
    assert.equal(generalEstimator.maxAvailable(withModels({ 8: 4 }), { resourceRequest: { cpu: '200' } }), 0);
  });

  test('a node of a grade holds at most 110 pods', () => {
    // grade 8: cpu 128 / 10m = 12800 per node, capped at 110; 2 nodes
    assert.equal(generalEstimator.maxAvailable(withModels({ 8: 2 }), { resourceRequest: { cpu: '10m' } }), 220);
    // and the free pod slots still bound the total
    assert.equal(generalEstimator.maxAvailable(withModels({ 8: 2 }, '150'), { resourceRequest: { cpu: '10m' } }), 150);
  });

  test('a resource the models do not cover falls back to the summary', () => {
    const c = withModels({ 2: 3 });
    c.status!.resourceSummary!.allocatable!['ephemeral-storage'] = '10Gi';
    assert.equal(generalEstimator.maxAvailable(c, { resourceRequest: { 'ephemeral-storage': '1Gi' } }), 10);
  });

  test('with resource modeling off, the summary decides', () => {
    const off = new GeneralEstimator({ resourceModeling: false });
    // 1000 cpu / 1 = 1000, pods 1000
    assert.equal(off.maxAvailable(withModels({ 2: 3 }), { resourceRequest: { cpu: '1' } }), 1000);
  });
});
