import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AggregatedStatusItem } from '../../apis/work/v1alpha2/index.js';
import type { KubeObject } from '../../runtime/types.js';
import { aggregateStatusInterpreters } from './aggregatestatus.js';
import { healthInterpreters } from './health.js';
import { reflectStatusInterpreters, reflectWholeStatus } from './reflectstatus.js';

const key = (o: KubeObject) => `${o.apiVersion}, Kind=${o.kind}`;
const aggregate = (o: KubeObject, items: AggregatedStatusItem[], now?: Date) => aggregateStatusInterpreters[key(o)]!(o, items, { now });

test('reflectStatus of a Deployment carries the federated generations', () => {
  const member: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', generation: 4, annotations: { 'resourcetemplate.karmada.io/generation': '3' } },
    status: { replicas: 2, readyReplicas: 2, updatedReplicas: 2, availableReplicas: 2, observedGeneration: 4, conditions: [{ type: 'Available' }] },
  };
  assert.deepEqual(reflectStatusInterpreters[key(member)]!(member), {
    replicas: 2,
    readyReplicas: 2,
    updatedReplicas: 2,
    availableReplicas: 2,
    observedGeneration: 4,
    generation: 4,
    resourceTemplateGeneration: 3,
  });
  assert.equal(reflectStatusInterpreters[key(member)]!({ ...member, status: undefined }), undefined, 'no status, nothing to report');
  assert.throws(() => reflectStatusInterpreters[key(member)]!({ ...member, metadata: { name: 'd', annotations: { 'resourcetemplate.karmada.io/generation': 'x' } } }), /not an integer/);
});

test('reflectStatus of other kinds', () => {
  const svc: KubeObject = { apiVersion: 'v1', kind: 'Service', spec: { type: 'LoadBalancer' }, status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] }, conditions: [] } };
  assert.deepEqual(reflectStatusInterpreters[key(svc)]!(svc), { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } });
  assert.equal(reflectStatusInterpreters[key(svc)]!({ ...svc, spec: { type: 'ClusterIP' } }), undefined);
  const job: KubeObject = { apiVersion: 'batch/v1', kind: 'Job', status: { active: 1, succeeded: 0, startTime: '2024-01-01T00:00:00Z', ready: 1 } };
  assert.deepEqual(reflectStatusInterpreters[key(job)]!(job), { active: 1, startTime: '2024-01-01T00:00:00Z' });
  const crd: KubeObject = { apiVersion: 'x/v1', kind: 'Y', status: { anything: [1] } };
  assert.deepEqual(reflectWholeStatus(crd), { anything: [1] });
});

test('Deployment aggregation sums counters and advances observedGeneration only when every member caught up', () => {
  const template: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', generation: 5 }, status: { observedGeneration: 4, conditions: [{ type: 'x' }] } };
  const member = (replicas: number, observedGeneration: number, generation: number, resourceTemplateGeneration: number) => ({
    replicas,
    readyReplicas: replicas,
    updatedReplicas: replicas,
    availableReplicas: replicas,
    observedGeneration,
    generation,
    resourceTemplateGeneration,
  });
  const cases: { name: string; items: AggregatedStatusItem[]; observedGeneration: number }[] = [
    {
      name: 'all caught up',
      items: [
        { clusterName: 'm1', status: member(2, 7, 7, 5) },
        { clusterName: 'm2', status: member(1, 3, 3, 5) },
      ],
      observedGeneration: 5,
    },
    {
      name: 'a member still renders an older template',
      items: [
        { clusterName: 'm1', status: member(2, 7, 7, 5) },
        { clusterName: 'm2', status: member(1, 3, 3, 4) },
      ],
      observedGeneration: 4,
    },
    {
      name: "a member's controller has not processed its spec",
      items: [
        { clusterName: 'm1', status: member(2, 6, 7, 5) },
        { clusterName: 'm2', status: member(1, 3, 3, 5) },
      ],
      observedGeneration: 4,
    },
    {
      name: 'a member without status yet',
      items: [{ clusterName: 'm1', status: member(2, 7, 7, 5) }, { clusterName: 'm2' }],
      observedGeneration: 4,
    },
  ];
  for (const c of cases) {
    const got = aggregate(template, c.items);
    const st = got['status'] as Record<string, unknown>;
    assert.equal(st['observedGeneration'], c.observedGeneration, c.name);
    const total = c.items.reduce((n, i) => n + ((i.status?.['replicas'] as number) ?? 0), 0);
    assert.equal(st['replicas'], total, c.name);
    assert.equal(st['readyReplicas'], total, c.name);
    assert.equal(st['unavailableReplicas'], 0, c.name);
    assert.deepEqual(st['conditions'], [{ type: 'x' }], `${c.name}: other status fields kept`);
  }
  assert.deepEqual(template['status'], { observedGeneration: 4, conditions: [{ type: 'x' }] }, 'input not mutated');
});

test('Job aggregation', () => {
  const now = new Date('2024-05-01T00:00:00Z');
  const template: KubeObject = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { completions: 4 } };
  const complete = { type: 'Complete', status: 'True' };
  const done = (succeeded: number, start: string, end: string) => ({ succeeded, startTime: start, completionTime: end, conditions: [complete] });
  const st = (o: KubeObject) => o['status'] as Record<string, unknown>;

  const running = aggregate(template, [
    { clusterName: 'm1', status: { active: 1, startTime: '2024-01-01T00:00:05Z' } },
    { clusterName: 'm2', status: done(2, '2024-01-01T00:00:01Z', '2024-01-01T00:01:00Z') },
  ], now);
  assert.deepEqual(st(running), { active: 1, succeeded: 2, startTime: '2024-01-01T00:00:01Z' }, 'earliest start once all started, no completion yet');

  const completed = aggregate(template, [
    { clusterName: 'm1', status: done(2, '2024-01-01T00:00:05Z', '2024-01-01T00:02:00Z') },
    { clusterName: 'm2', status: done(2, '2024-01-01T00:00:01Z', '2024-01-01T00:01:00Z') },
  ], now);
  assert.equal(st(completed)['succeeded'], 4);
  assert.equal(st(completed)['completionTime'], '2024-01-01T00:02:00Z', 'latest completion');
  assert.deepEqual(st(completed)['conditions'], [
    { type: 'Complete', status: 'True', lastProbeTime: '2024-05-01T00:00:00Z', lastTransitionTime: '2024-05-01T00:00:00Z', reason: 'Completed', message: 'Job completed' },
  ]);

  const failed = aggregate(template, [
    { clusterName: 'm1', status: { failed: 3, conditions: [{ type: 'Failed', status: 'True' }] } },
    { clusterName: 'm2', status: done(2, '2024-01-01T00:00:01Z', '2024-01-01T00:01:00Z') },
  ], now);
  const conds = st(failed)['conditions'] as { type: string; message: string }[];
  assert.deepEqual(conds.map((c) => c.type), ['Failed']);
  assert.equal(conds[0]!.message, 'Job executed failed in member clusters m1');

  const finished = { ...template, status: { succeeded: 4, conditions: [complete] } };
  assert.deepEqual(aggregate(finished, [{ clusterName: 'm1', status: { active: 9 } }], now), finished, 'a finished Job is not updated');
});

test('aggregation of Service, Pod, PVC, PDB, CronJob', () => {
  const svc: KubeObject = { apiVersion: 'v1', kind: 'Service', spec: { type: 'LoadBalancer' } };
  assert.deepEqual(
    aggregate(svc, [
      { clusterName: 'm1', status: { loadBalancer: { ingress: [{ ip: '1.1.1.1' }] } } },
      { clusterName: 'm2', status: { loadBalancer: { ingress: [{ hostname: 'lb.example.com' }] } } },
    ])['status'],
    { loadBalancer: { ingress: [{ ip: '1.1.1.1', hostname: 'm1' }, { hostname: 'lb.example.com' }] } },
  );
  const clusterIP: KubeObject = { apiVersion: 'v1', kind: 'Service', spec: { type: 'ClusterIP' } };
  assert.deepEqual(aggregate(clusterIP, [{ clusterName: 'm1', status: { loadBalancer: {} } }]), clusterIP);

  const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod' };
  const phase = (items: AggregatedStatusItem[]) => (aggregate(pod, items)['status'] as { phase: string }).phase;
  assert.equal(phase([{ clusterName: 'a', status: { phase: 'Running' } }, { clusterName: 'b', status: { phase: 'Succeeded' } }]), 'Running');
  assert.equal(phase([{ clusterName: 'a', status: { phase: 'Running' } }, { clusterName: 'b' }]), 'Pending', 'no status yet counts as Pending');
  assert.equal(phase([{ clusterName: 'a', status: { phase: 'Failed' } }, { clusterName: 'b', status: { phase: 'Pending' } }]), 'Failed');

  const pvc: KubeObject = { apiVersion: 'v1', kind: 'PersistentVolumeClaim' };
  const pvcPhase = (items: AggregatedStatusItem[]) => (aggregate(pvc, items)['status'] as { phase: string }).phase;
  assert.equal(pvcPhase([{ clusterName: 'a', status: { phase: 'Bound' } }]), 'Bound');
  assert.equal(pvcPhase([{ clusterName: 'a', status: { phase: 'Pending' } }, { clusterName: 'b', status: { phase: 'Bound' } }]), 'Pending');
  assert.equal(pvcPhase([{ clusterName: 'a', status: { phase: 'Lost' } }, { clusterName: 'b', status: { phase: 'Pending' } }]), 'Lost');

  const pdb: KubeObject = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' };
  assert.deepEqual(
    aggregate(pdb, [
      { clusterName: 'a', status: { currentHealthy: 2, desiredHealthy: 1, expectedPods: 2, disruptionsAllowed: 1, disruptedPods: { p1: '2024-01-01T00:00:00Z' } } },
      { clusterName: 'b', status: { currentHealthy: 1, desiredHealthy: 1, expectedPods: 1, disruptionsAllowed: 0 } },
    ])['status'],
    { currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 1, disruptedPods: { 'a/p1': '2024-01-01T00:00:00Z' } },
  );

  const cron: KubeObject = { apiVersion: 'batch/v1', kind: 'CronJob' };
  assert.deepEqual(
    aggregate(cron, [
      { clusterName: 'a', status: { active: [{ name: 'j1' }], lastScheduleTime: '2024-01-01T00:00:00Z' } },
      { clusterName: 'b', status: { active: [{ name: 'j2' }], lastScheduleTime: '2024-01-02T00:00:00Z', lastSuccessfulTime: '2024-01-01T00:00:00Z' } },
    ])['status'],
    { active: [{ name: 'j1' }, { name: 'j2' }], lastScheduleTime: '2024-01-02T00:00:00Z', lastSuccessfulTime: '2024-01-01T00:00:00Z' },
  );
});

test('health interpretation', () => {
  const cases: { name: string; obj: KubeObject; want: boolean }[] = [
    {
      name: 'deployment rolled out',
      obj: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { generation: 2 }, spec: { replicas: 2 }, status: { observedGeneration: 2, updatedReplicas: 2, availableReplicas: 2 } },
      want: true,
    },
    {
      name: 'deployment generation not observed',
      obj: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { generation: 3 }, spec: { replicas: 2 }, status: { observedGeneration: 2, updatedReplicas: 2, availableReplicas: 2 } },
      want: false,
    },
    {
      name: 'deployment still updating',
      obj: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { generation: 2 }, spec: { replicas: 3 }, status: { observedGeneration: 2, updatedReplicas: 2, availableReplicas: 2 } },
      want: false,
    },
    {
      name: 'statefulset partitioned update done',
      obj: {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { generation: 1 },
        spec: { replicas: 3, updateStrategy: { rollingUpdate: { partition: 2 } } },
        status: { observedGeneration: 1, updatedReplicas: 1, availableReplicas: 3 },
      },
      want: true,
    },
    { name: 'service LoadBalancer without ingress', obj: { apiVersion: 'v1', kind: 'Service', spec: { type: 'LoadBalancer' }, status: {} }, want: false },
    { name: 'service ClusterIP', obj: { apiVersion: 'v1', kind: 'Service', spec: { type: 'ClusterIP' } }, want: true },
    { name: 'pvc bound', obj: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', status: { phase: 'Bound' } }, want: true },
    { name: 'pvc pending', obj: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', status: { phase: 'Pending' } }, want: false },
    { name: 'pod running and ready', obj: { apiVersion: 'v1', kind: 'Pod', status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } }, want: true },
    { name: 'pod running not ready', obj: { apiVersion: 'v1', kind: 'Pod', status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] } }, want: false },
    { name: 'pod succeeded', obj: { apiVersion: 'v1', kind: 'Pod', status: { phase: 'Succeeded' } }, want: true },
    { name: 'pdb', obj: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', status: { currentHealthy: 1, desiredHealthy: 2 } }, want: false },
    { name: 'ingress with address', obj: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', status: { loadBalancer: { ingress: [{ ip: '1.1.1.1' }] } } }, want: true },
  ];
  for (const c of cases) assert.equal(healthInterpreters[key(c.obj)]!(c.obj), c.want, c.name);
});
