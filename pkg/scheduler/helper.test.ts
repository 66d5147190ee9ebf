import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Placement } from '../apis/policy/v1alpha1/index.js';
import { FitError, ScheduleError, UnschedulableError } from './framework/types.js';
import { isBindingReplicasChanged, placementChanged, scheduledCondition, scheduleTrigger, schedulerNameMatches } from './helper.js';
import { testBinding } from './testing.js';

const ANNOTATION = 'policy.karmada.io/applied-placement';

describe('when a binding needs scheduling', () => {
  const placement: Placement = { clusterAffinity: { clusterNames: ['m1'] }, replicaScheduling: { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Weighted' } };
  const scheduled = (over: Partial<ReturnType<typeof testBinding>['spec']> = {}, status: object = {}) => {
    const b = testBinding({ replicas: 3, placement, clusters: [{ name: 'm1', replicas: 3 }] });
    return {
      metadata: { annotations: { [ANNOTATION]: JSON.stringify(placement) } },
      spec: { ...b.spec, ...over },
      status: { conditions: [{ type: 'Scheduled', status: 'True' as const }], ...status },
    };
  };
  const alive = () => true;

  test('nothing changed: only the observed generation is due', () => {
    assert.equal(scheduleTrigger(scheduled(), ANNOTATION, alive), undefined);
  });
  test('no applied placement yet, or another placement', () => {
    assert.equal(scheduleTrigger({ ...scheduled(), metadata: {} }, ANNOTATION, alive), 'PlacementChanged');
    assert.equal(scheduleTrigger(scheduled({ placement: { ...placement, clusterAffinity: { clusterNames: ['m2'] } } }), ANNOTATION, alive), 'PlacementChanged');
  });
  test('replicas no longer add up', () => {
    assert.equal(scheduleTrigger(scheduled({ replicas: 5 }), ANNOTATION, alive), 'ReplicasChanged');
  });
  test('a reschedule triggered after the last scheduling', () => {
    const s = scheduled({ rescheduleTriggeredAt: '2026-01-02T00:00:00Z' }, { lastScheduledTime: '2026-01-01T00:00:00Z' });
    assert.equal(scheduleTrigger(s, ANNOTATION, alive), 'RescheduleTriggered');
    const old = scheduled({ rescheduleTriggeredAt: '2025-12-31T00:00:00Z' }, { lastScheduledTime: '2026-01-01T00:00:00Z' });
    assert.equal(scheduleTrigger(old, ANNOTATION, alive), undefined);
  });
  test('non-workloads and Duplicated are always re-evaluated', () => {
    assert.equal(scheduleTrigger(scheduled({ replicas: 0, clusters: [{ name: 'm1' }] }), ANNOTATION, alive), 'Duplicated');
  });
  test('a target cluster that is gone', () => {
    assert.equal(scheduleTrigger(scheduled(), ANNOTATION, () => false), 'TargetClusterGone');
  });
  test('a result without a Scheduled condition', () => {
    assert.equal(scheduleTrigger({ ...scheduled(), status: {} }, ANNOTATION, alive), 'NeverScheduled');
  });
});

describe('placementChanged', () => {
  const terms: Placement = {
    clusterAffinities: [
      { affinityName: 'a', clusterNames: ['m1'] },
      { affinityName: 'b', clusterNames: ['m2'] },
    ],
  };
  test('identical placement, key order aside', () => {
    assert.equal(placementChanged({ clusterTolerations: [{ key: 'k', operator: 'Exists' }] }, '{"clusterTolerations":[{"operator":"Exists","key":"k"}]}', undefined), false);
  });
  test('only the clusterAffinities term in use matters', () => {
    const otherTermEdited: Placement = { clusterAffinities: [terms.clusterAffinities![0]!, { affinityName: 'b', clusterNames: ['m3'] }] };
    assert.equal(placementChanged(otherTermEdited, JSON.stringify(terms), 'a'), false);
    assert.equal(placementChanged(otherTermEdited, JSON.stringify(terms), 'b'), true);
    assert.equal(placementChanged(otherTermEdited, JSON.stringify(terms), undefined), true);
  });
  test('an unreadable annotation is not a change', () => {
    assert.equal(placementChanged({}, '{not json', undefined), false);
  });
});

test('isBindingReplicasChanged: Duplicated per target, Divided by the sum, no strategy never', () => {
  const spec = testBinding({ replicas: 3, clusters: [{ name: 'm1', replicas: 3 }, { name: 'm2', replicas: 2 }] }).spec;
  assert.equal(isBindingReplicasChanged(spec, { replicaSchedulingType: 'Duplicated' }), true);
  assert.equal(isBindingReplicasChanged(spec, { replicaSchedulingType: 'Divided' }), true);
  assert.equal(isBindingReplicasChanged({ ...spec, replicas: 5 }, { replicaSchedulingType: 'Divided' }), false);
  assert.equal(isBindingReplicasChanged(spec, undefined), false);
});

test('the Scheduled condition for each outcome', () => {
  assert.deepEqual(scheduledCondition(undefined), {
    condition: { type: 'Scheduled', status: 'True', reason: 'Success', message: 'Binding has been scheduled successfully.' },
    final: true,
  });
  const fit = scheduledCondition(new FitError(2, new Map()));
  assert.equal(fit.condition.reason, 'NoClusterFit');
  assert.equal(fit.condition.status, 'False');
  assert.equal(fit.final, true);
  const uns = scheduledCondition(new UnschedulableError('Clusters available replicas 1 are not enough to schedule.'));
  assert.deepEqual([uns.condition.reason, uns.condition.message, uns.final], ['Unschedulable', 'Clusters available replicas 1 are not enough to schedule.', false]);
  assert.equal(scheduledCondition(new ScheduleError('boom')).condition.reason, 'SchedulerError');
});

test('schedulerName: empty means default-scheduler', () => {
  assert.equal(schedulerNameMatches('default-scheduler', undefined), true);
  assert.equal(schedulerNameMatches('default-scheduler', 'other'), false);
  assert.equal(schedulerNameMatches('other', 'other'), true);
});
