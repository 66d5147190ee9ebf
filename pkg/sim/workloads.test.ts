// Pure decisions of the StatefulSet and Job controllers and the endpoints computation.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mostRecentSchedule, nextTime, parseSchedule } from './cronjob.js';
import { computeEndpoints, resolveTargetPort } from './endpoints.js';
import { formatIndexes, parseIndexes, planJob, type Job } from './job.js';
import { planStatefulSet, type StatefulSet } from './statefulset.js';
import { REVISION_HASH_LABEL } from './revisions.js';
import type { Pod } from './types.js';
import type { Service } from './services.js';

const NOW = Date.parse('2025-01-01T00:00:00Z');
const ready = (name: string, rev = 'r1', phase: 'Running' | 'Pending' | 'Failed' = 'Running'): Pod => ({
  metadata: { name, namespace: 'default', uid: name, labels: { [REVISION_HASH_LABEL]: rev, app: 'x' } },
  spec: { containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080 }] }], nodeName: 'n1' },
  status: { phase, podIP: `10.0.0.${name.length}`, conditions: [{ type: 'Ready', status: phase === 'Running' ? 'True' : 'False' }] },
});

describe('planStatefulSet', () => {
  const set = (replicas: number, policy?: 'Parallel'): StatefulSet => ({
    metadata: { name: 'db', namespace: 'default', uid: 's' },
    spec: { replicas, podManagementPolicy: policy ?? 'OrderedReady', updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } } },
  });
  it('creates ordinals one at a time, each after its predecessor is ready', () => {
    assert.deepEqual(planStatefulSet(set(3), new Map(), 'r1').create, [0]);
    assert.deepEqual(planStatefulSet(set(3), new Map([[0, ready('db-0', 'r1', 'Pending')]]), 'r1').create, []);
    assert.deepEqual(planStatefulSet(set(3), new Map([[0, ready('db-0')]]), 'r1').create, [1]);
    assert.deepEqual(planStatefulSet(set(3, 'Parallel'), new Map(), 'r1').create, [0, 1, 2]);
  });
  it('removes the highest ordinal first and updates from the top down', () => {
    const pods = new Map([0, 1, 2].map((i) => [i, ready(`db-${i}`)]));
    assert.deepEqual(planStatefulSet(set(1), pods, 'r1').delete.map((p) => p.metadata!.name), ['db-2']);
    assert.deepEqual(planStatefulSet(set(3), pods, 'r2').delete.map((p) => p.metadata!.name), ['db-2']);
    pods.set(2, ready('db-2', 'r2'));
    assert.deepEqual(planStatefulSet(set(3), pods, 'r2').delete.map((p) => p.metadata!.name), ['db-1']);
    const failed = new Map([[0, ready('db-0', 'r1', 'Failed')]]);
    assert.deepEqual(planStatefulSet(set(1), failed, 'r1').delete.map((p) => p.metadata!.name), ['db-0']);
  });
});

describe('planJob', () => {
  const job = (spec: Job['spec']): Job => ({ metadata: { name: 'j', namespace: 'default', uid: 'j', generation: 1 }, spec: { backoffLimit: 6, ...spec } });
  const succeeded = (name: string, index?: number): Pod => ({
    metadata: { name, annotations: index === undefined ? undefined : { 'batch.kubernetes.io/job-completion-index': String(index) } },
    status: { phase: 'Succeeded' },
  });
  it('runs up to parallelism until completions succeed', () => {
    const p1 = planJob(job({ completions: 3, parallelism: 2 }), [], NOW);
    assert.equal(p1.create.length, 2);
    assert.equal(p1.status.active, 2);
    assert.equal(p1.status.startTime, '2025-01-01T00:00:00Z');
    const p2 = planJob(job({ completions: 3, parallelism: 2 }), [succeeded('a'), succeeded('b')], NOW);
    assert.equal(p2.create.length, 1);
    const p3 = planJob(job({ completions: 3, parallelism: 2 }), [succeeded('a'), succeeded('b'), succeeded('c')], NOW);
    assert.equal(p3.create.length, 0);
    assert.equal(p3.status.succeeded, 3);
    assert.deepEqual((p3.status.conditions as { type: string }[]).map((c) => c.type), ['SuccessCriteriaMet', 'Complete']);
    assert.equal(p3.status.completionTime, '2025-01-01T00:00:00Z');
  });
  it('fails after backoffLimit failures', () => {
    const failed = Array.from({ length: 3 }, (_, i): Pod => ({ metadata: { name: `f${i}` }, status: { phase: 'Failed' } }));
    const p = planJob(job({ completions: 1, parallelism: 1, backoffLimit: 2 }), failed, NOW);
    const c = (p.status.conditions as { type: string; reason: string }[]).find((x) => x.type === 'Failed')!;
    assert.equal(c.reason, 'BackoffLimitExceeded');
    assert.equal(p.create.length, 0);
  });
  it('tracks completed indexes of Indexed jobs', () => {
    const p = planJob(job({ completions: 4, parallelism: 4, completionMode: 'Indexed' }), [succeeded('a', 0), succeeded('b', 2)], NOW);
    assert.equal(p.status.completedIndexes, '0,2');
    assert.deepEqual(p.create.map((c) => c.index), [1, 3]);
    assert.equal(formatIndexes([5, 1, 2, 3, 7]), '1-3,5,7');
    assert.deepEqual(parseIndexes('1-3,5'), [1, 2, 3, 5]);
  });
  it('deletes a finished job after ttlSecondsAfterFinished', () => {
    const j = job({ completions: 1, ttlSecondsAfterFinished: 10 });
    j.status = { conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: '2024-12-31T23:59:55Z' }] };
    assert.equal(planJob(j, [], NOW).requeueAfterMs, 5000);
    assert.equal(planJob(j, [], NOW + 5000).deleteJob, true);
  });
});

describe('computeEndpoints', () => {
  const svc: Service = { metadata: { name: 's', namespace: 'default' }, spec: { selector: { app: 'x' }, ports: [{ name: 'web', port: 80, targetPort: 'http', protocol: 'TCP' }] } };
  it('resolves named target ports and splits ready from not ready', () => {
    assert.equal(resolveTargetPort(svc.spec!.ports![0]!, ready('a')), 8080);
    const v = computeEndpoints(svc, [ready('a'), ready('bb', 'r1', 'Pending'), { ...ready('ccc'), metadata: { ...ready('ccc').metadata, labels: { app: 'y' } } }], () => undefined);
    assert.equal(v.subsets.length, 1);
    assert.deepEqual((v.subsets[0]!.addresses as { ip: string }[]).map((a) => a.ip), ['10.0.0.1']);
    assert.deepEqual((v.subsets[0]!.notReadyAddresses as { ip: string }[]).map((a) => a.ip), ['10.0.0.2']);
    assert.deepEqual(v.subsets[0]!.ports, [{ name: 'web', port: 8080, protocol: 'TCP' }]);
    assert.equal(v.endpoints.length, 2);
    assert.deepEqual(v.endpoints[1]!.conditions, { ready: false, serving: false, terminating: false });
  });
});

describe('cron schedules', () => {
  const at = (iso: string) => Date.parse(iso);
  const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
  it('finds the next time for steps, ranges, lists, names and macros', () => {
    assert.equal(iso(nextTime(parseSchedule('*/15 * * * *'), at('2025-01-01T10:07:30Z'))), '2025-01-01T10:15:00.000Z');
    assert.equal(iso(nextTime(parseSchedule('0 9-17/4 * * mon-fri'), at('2025-01-03T17:00:00Z'))), '2025-01-06T09:00:00.000Z');
    assert.equal(iso(nextTime(parseSchedule('30 2 1,15 feb *'), at('2025-01-20T00:00:00Z'))), '2025-02-01T02:30:00.000Z');
    assert.equal(iso(nextTime(parseSchedule('@daily'), at('2025-01-01T00:00:00Z'))), '2025-01-02T00:00:00.000Z');
    assert.equal(iso(nextTime(parseSchedule('0 0 * * 7'), at('2025-01-01T00:00:00Z'))), '2025-01-05T00:00:00.000Z');
    // Both day fields restricted: either matches.
    assert.equal(iso(nextTime(parseSchedule('0 0 13 * 5'), at('2025-01-01T00:00:00Z'))), '2025-01-03T00:00:00.000Z');
    assert.throws(() => parseSchedule('* * *'), /exactly 5 fields/);
    assert.throws(() => parseSchedule('61 * * * *'), /out of range/);
  });
  it('picks the most recent missed time', () => {
    const r = mostRecentSchedule(parseSchedule('* * * * *'), at('2025-01-01T00:00:30Z'), at('2025-01-01T00:03:10Z'));
    assert.equal(iso(r.last), '2025-01-01T00:03:00.000Z');
    assert.equal(iso(r.next), '2025-01-01T00:04:00.000Z');
    const far = mostRecentSchedule(parseSchedule('* * * * *'), at('2020-01-01T00:00:00Z'), at('2025-01-01T00:00:30Z'));
    assert.equal(iso(far.last), '2025-01-01T00:00:00.000Z');
  });
});
