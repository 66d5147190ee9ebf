import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Work } from '../../apis/work/v1alpha1/index.js';
import { appliedCondition, dispatchingCondition, mergeConditions } from './conditions.js';

const work = (suspend?: boolean): Work => ({ metadata: { name: 'w', namespace: 'karmada-es-m1' }, spec: { suspendDispatching: suspend } });

describe('Work conditions', () => {
  test('Dispatching follows spec.suspendDispatching', () => {
    assert.deepEqual(
      [dispatchingCondition(work(true)), dispatchingCondition(work(false)), dispatchingCondition(work())].map((c) => [c.status, c.reason]),
      [
        ['False', 'SuspendDispatching'],
        ['True', 'Dispatching'],
        ['True', 'Dispatching'],
      ],
    );
  });

  test('Applied: success, or failure with counts and every error', () => {
    assert.deepEqual(appliedCondition(1, 1, []), { type: 'Applied', status: 'True', reason: 'AppliedSuccessful', message: 'Manifest has been successfully applied' });
    const f = appliedCondition(1, 3, ['e1', 'e2']);
    assert.equal(f.status, 'False');
    assert.equal(f.reason, 'AppliedFailed');
    assert.equal(f.message, 'Failed to apply all manifests (1/3): e1; e2');
  });

  test('mergeConditions: undefined when nothing changes; time kept unless the status flips', () => {
    const first = mergeConditions(undefined, [appliedCondition(1, 1, [])], '2024-01-01T00:00:00Z')!;
    assert.equal(first[0]!.lastTransitionTime, '2024-01-01T00:00:00Z');
    assert.equal(mergeConditions(first, [appliedCondition(1, 1, [])], '2024-01-02T00:00:00Z'), undefined);
    const msg = mergeConditions(first, [{ ...appliedCondition(1, 1, []), message: 'other' }], '2024-01-02T00:00:00Z')!;
    assert.equal(msg[0]!.lastTransitionTime, '2024-01-01T00:00:00Z');
    const flip = mergeConditions(first, [appliedCondition(0, 1, ['x'])], '2024-01-03T00:00:00Z')!;
    assert.equal(flip[0]!.lastTransitionTime, '2024-01-03T00:00:00Z');
    assert.equal(first[0]!.status, 'True', 'input untouched');
  });
});
