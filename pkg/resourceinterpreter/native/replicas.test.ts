import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../runtime/types.js';
import { generateReplicaRequirements, podSpecRequests } from './podtemplate.js';
import { replicaInterpreters } from './replicas.js';
import { reviseReplicaInterpreters } from './revise.js';

const deployment = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'ns1' }, spec });
const job = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'ns1' }, spec });

test('getReplicas of workloads, Jobs and Pods', () => {
  const cases: { name: string; obj: KubeObject; want: number }[] = [
    { name: 'deployment replicas', obj: deployment({ replicas: 5, template: {} }), want: 5 },
    { name: 'deployment without spec.replicas means 1', obj: deployment({ template: {} }), want: 1 },
    { name: 'deployment with 0 replicas', obj: deployment({ replicas: 0, template: {} }), want: 0 },
    { name: 'statefulset', obj: { apiVersion: 'apps/v1', kind: 'StatefulSet', spec: { replicas: 2 } }, want: 2 },
    { name: 'replicaset', obj: { apiVersion: 'apps/v1', kind: 'ReplicaSet', spec: { replicas: 4 } }, want: 4 },
    { name: 'job parallelism', obj: job({ parallelism: 3 }), want: 3 },
    { name: 'job without parallelism runs 1', obj: job({}), want: 1 },
    { name: 'job completions cap parallelism', obj: job({ parallelism: 5, completions: 2 }), want: 2 },
    { name: 'job completions above parallelism', obj: job({ parallelism: 2, completions: 10 }), want: 2 },
    { name: 'pod is one replica', obj: { apiVersion: 'v1', kind: 'Pod', spec: { containers: [] } }, want: 1 },
  ];
  for (const c of cases) {
    const fn = replicaInterpreters[`${c.obj.apiVersion}, Kind=${c.obj.kind}`]!;
    assert.equal(fn(c.obj).replicas, c.want, c.name);
  }
});

test('replica requirements: containers summed, init containers as a floor, limits for missing requests, overhead added', () => {
  const spec = {
    containers: [
      { name: 'a', resources: { requests: { cpu: '250m', memory: '64Mi' } } },
      { name: 'b', resources: { limits: { cpu: '1', memory: '64Mi', 'nvidia.com/gpu': '1' } } },
      { name: 'c', resources: { requests: { cpu: '100m' }, limits: { cpu: '2', 'ephemeral-storage': '1Gi' } } },
    ],
    initContainers: [{ name: 'init', resources: { requests: { cpu: '3', memory: '100Mi' } } }],
    overhead: { cpu: '10m' },
  };
  // cpu: max(0.25+1+0.1, 3) + 0.01 ; memory: max(128Mi, 100Mi)
  assert.deepEqual(podSpecRequests(spec), { cpu: '3010m', memory: '128Mi', 'ephemeral-storage': '1Gi', 'nvidia.com/gpu': '1' });
  assert.equal(podSpecRequests({ containers: [{ name: 'x' }] }), undefined);
});

test('replica requirements carry the node claim, namespace and priorityClassName', () => {
  const obj = deployment({
    replicas: 2,
    template: {
      spec: {
        priorityClassName: 'high',
        nodeSelector: { disk: 'ssd' },
        tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] },
            preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: {} }],
          },
        },
        containers: [{ name: 'c', resources: { requests: { cpu: '1' } } }],
      },
    },
  });
  const got = replicaInterpreters['apps/v1, Kind=Deployment']!(obj);
  assert.deepEqual(got, {
    replicas: 2,
    requirements: {
      nodeClaim: {
        nodeSelector: { disk: 'ssd' },
        tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }],
        hardNodeAffinity: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] },
      },
      resourceRequest: { cpu: '1' },
      namespace: 'ns1',
      priorityClassName: 'high',
    },
  });
  assert.equal(generateReplicaRequirements({ spec: { containers: [{ name: 'c' }] } }, 'ns1'), undefined, 'nothing requested, no requirements');
});

test('an invalid quantity names the container', () => {
  const obj = deployment({ template: { spec: { containers: [{ name: 'web', resources: { requests: { cpu: 'lots' } } }] } } });
  assert.throws(() => replicaInterpreters['apps/v1, Kind=Deployment']!(obj), /container web: resource cpu/);
});

test('reviseReplica sets spec.replicas, or a Job parallelism, on a copy', () => {
  const d = deployment({ replicas: 5 });
  const revised = reviseReplicaInterpreters['apps/v1, Kind=Deployment']!(d, 2);
  assert.equal((revised['spec'] as { replicas: number }).replicas, 2);
  assert.equal((d['spec'] as { replicas: number }).replicas, 5, 'input not mutated');
  const j = reviseReplicaInterpreters['batch/v1, Kind=Job']!(job({ parallelism: 4, completions: 8 }), 1);
  assert.deepEqual(j['spec'], { parallelism: 1, completions: 8 });
});
