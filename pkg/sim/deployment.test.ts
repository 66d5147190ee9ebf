import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUILTIN_KINDS } from '../apiserver/schema/builtin.js';
import { planDeployment, resolveFenceposts, templateHash, type Deployment } from './deployment.js';
import type { Condition, Workload } from './types.js';

const kind = (k: string) => BUILTIN_KINDS.find((d) => d.kind === k && d.group === 'apps')!;
const descriptors = { deployments: kind('Deployment'), replicaSets: kind('ReplicaSet') };
const NOW = Date.parse('2025-01-01T00:00:00Z');

function deploy(replicas: number, image = 'nginx:1', strategy?: Deployment['spec'] extends infer S ? S extends { strategy?: infer T } ? T : never : never): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'd-uid', generation: 1 },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      strategy: strategy ?? { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } },
    },
  };
}

function rsOf(d: Deployment, specReplicas: number, available: number, revision: string, created = '2025-01-01T00:00:00Z'): Workload {
  const plan = planDeployment({ ...d, status: undefined }, [], descriptors, NOW);
  const rs = structuredClone(plan.create!);
  rs.metadata!.uid = `rs-${rs.metadata!.name}`;
  rs.metadata!.creationTimestamp = created;
  rs.metadata!.annotations!['deployment.kubernetes.io/revision'] = revision;
  rs.spec!.replicas = specReplicas;
  rs.status = { replicas: specReplicas, readyReplicas: available, availableReplicas: available, observedGeneration: 1 };
  return rs;
}

const condition = (s: Record<string, unknown>, type: string) => (s.conditions as Condition[]).find((c) => c.type === type);

describe('resolveFenceposts', () => {
  it('rounds surge up and unavailable down, never both zero', () => {
    assert.deepEqual(resolveFenceposts('25%', '25%', 4), { maxSurge: 1, maxUnavailable: 1 });
    assert.deepEqual(resolveFenceposts('25%', '25%', 1), { maxSurge: 1, maxUnavailable: 0 });
    assert.deepEqual(resolveFenceposts(0, 0, 10), { maxSurge: 0, maxUnavailable: 1 });
    assert.deepEqual(resolveFenceposts(2, '50%', 5), { maxSurge: 2, maxUnavailable: 2 });
  });
});

describe('planDeployment', () => {
  it('creates the first ReplicaSet at full size, named after the template hash', () => {
    const d = deploy(3);
    const plan = planDeployment(d, [], descriptors, NOW);
    const hash = templateHash(d.spec!.template);
    assert.equal(plan.create!.metadata!.name, `web-${hash}`);
    assert.equal(plan.create!.spec!.replicas, 3);
    assert.equal(plan.create!.metadata!.labels!['pod-template-hash'], hash);
    assert.equal(plan.create!.spec!.template!.metadata!.labels!['pod-template-hash'], hash);
    assert.deepEqual(plan.create!.spec!.selector!.matchLabels, { app: 'web', 'pod-template-hash': hash });
    assert.equal(plan.create!.metadata!.ownerReferences![0]!.uid, 'd-uid');
    assert.equal(plan.create!.metadata!.annotations!['deployment.kubernetes.io/revision'], '1');
    assert.equal(plan.revision, '1');
    assert.equal(condition(plan.status, 'Progressing')!.reason, 'NewReplicaSetCreated');
  });

  it('reports a finished rollout like the real controller', () => {
    const d = deploy(3);
    const plan = planDeployment(d, [rsOf(d, 3, 3, '1')], descriptors, NOW);
    assert.equal(plan.scale.length, 0);
    assert.equal(plan.status.replicas, 3);
    assert.equal(plan.status.updatedReplicas, 3);
    assert.equal(plan.status.availableReplicas, 3);
    assert.equal(plan.status.unavailableReplicas, undefined);
    assert.equal(condition(plan.status, 'Available')!.reason, 'MinimumReplicasAvailable');
    const p = condition(plan.status, 'Progressing')!;
    assert.equal(p.reason, 'NewReplicaSetAvailable');
    assert.match(p.message!, /^ReplicaSet "web-\w+" has successfully progressed\.$/);
  });

  it('scales the only ReplicaSet directly', () => {
    const d = deploy(5);
    const plan = planDeployment(d, [rsOf(deploy(3), 3, 3, '1')], descriptors, NOW);
    assert.deepEqual(plan.scale.map((s) => s.replicas), [5]);
  });

  it('rolls within maxSurge and maxUnavailable', () => {
    const old = rsOf(deploy(4, 'nginx:1'), 4, 4, '1', '2024-12-01T00:00:00Z');
    const d = deploy(4, 'nginx:2');
    // Step 1: the new ReplicaSet starts at the surge (4 + 1 - 4 = 1).
    const p1 = planDeployment(d, [old], descriptors, NOW);
    assert.equal(p1.create!.spec!.replicas, 1);
    assert.equal(p1.revision, '2');
    // Step 2: new has 1 (not yet available): old may go down to minAvailable 3 → 3.
    const fresh = rsOf(d, 1, 0, '2');
    const p2 = planDeployment(d, [old, fresh], descriptors, NOW);
    assert.deepEqual(p2.scale.map((s) => [s.name, s.replicas]), [[old.metadata!.name, 3]]);
    // Step 3: new 1 available, old 3: total 4 < 5 → new to 2.
    const p3 = planDeployment(d, [{ ...old, spec: { ...old.spec, replicas: 3 }, status: { replicas: 3, availableReplicas: 3 } }, rsOf(d, 1, 1, '2')], descriptors, NOW);
    assert.deepEqual(p3.scale.map((s) => s.replicas), [2]);
    assert.equal(condition(p3.status, 'Progressing')!.reason, 'ReplicaSetUpdated');
  });

  it('Recreate scales the old ReplicaSets to zero before the new one runs', () => {
    const old = rsOf(deploy(2, 'nginx:1'), 2, 2, '1');
    const d = deploy(2, 'nginx:2', { type: 'Recreate' });
    const p1 = planDeployment(d, [old], descriptors, NOW);
    assert.deepEqual(p1.scale.map((s) => s.replicas), [0]);
    assert.equal(p1.create!.spec!.replicas, 0);
    const gone = { ...old, spec: { ...old.spec, replicas: 0 }, status: { replicas: 0 } };
    const p2 = planDeployment(d, [gone, rsOf(d, 0, 0, '2')], descriptors, NOW);
    assert.deepEqual(p2.scale.map((s) => s.replicas), [2]);
  });

  it('deletes idle old ReplicaSets beyond revisionHistoryLimit', () => {
    const d = deploy(1, 'nginx:9');
    d.spec!.revisionHistoryLimit = 1;
    const olds = [1, 2, 3].map((i) => ({ ...rsOf(deploy(1, `nginx:${i}`), 0, 0, String(i)), status: { replicas: 0 } }));
    const plan = planDeployment(d, [...olds, rsOf(d, 1, 1, '4')], descriptors, NOW);
    assert.deepEqual(plan.delete.map((r) => r.metadata!.annotations!['deployment.kubernetes.io/revision']), ['1', '2']);
  });

  it('times out a rollout that makes no progress', () => {
    const d = deploy(2, 'nginx:2');
    d.spec!.progressDeadlineSeconds = 60;
    d.status = {
      replicas: 2,
      updatedReplicas: 2,
      conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: 'x', lastUpdateTime: '2024-12-31T23:58:00Z', lastTransitionTime: '2024-12-31T23:58:00Z' }],
    };
    const plan = planDeployment(d, [rsOf(d, 2, 0, '1')], descriptors, NOW);
    assert.equal(condition(plan.status, 'Progressing')!.reason, 'ProgressDeadlineExceeded');
    assert.equal(condition(plan.status, 'Progressing')!.status, 'False');
  });
});
