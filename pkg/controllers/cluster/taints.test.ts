import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { taintsForReadyCondition, updateTaints } from './taints.js';

const NR = { key: 'cluster.karmada.io/not-ready', effect: 'NoSchedule' };
const UR = { key: 'cluster.karmada.io/unreachable', effect: 'NoSchedule' };
const USER = { key: 'dedicated', value: 'x', effect: 'NoSchedule' };

describe('cluster taints from the Ready condition', () => {
  test('False adds not-ready and drops unreachable; Unknown the reverse; True or missing drops both', () => {
    assert.deepEqual(taintsForReadyCondition([USER, UR], 'False'), [USER, NR]);
    assert.deepEqual(taintsForReadyCondition([USER, NR], 'Unknown'), [USER, UR]);
    assert.deepEqual(taintsForReadyCondition([NR, USER], 'True'), [USER]);
    assert.deepEqual(taintsForReadyCondition([UR], undefined), []);
  });

  test('no change when already right', () => {
    assert.equal(taintsForReadyCondition([USER, NR], 'False'), undefined);
    assert.equal(taintsForReadyCondition([USER], 'True'), undefined);
    assert.equal(taintsForReadyCondition(undefined, 'True'), undefined);
  });

  test('a not-ready taint with another effect is not ours', () => {
    const other = { key: NR.key, effect: 'NoExecute' };
    assert.deepEqual(taintsForReadyCondition([other], 'True'), undefined);
  });

  test('NoExecute taints added get timeAdded', () => {
    assert.deepEqual(updateTaints([], [{ key: 'k', effect: 'NoExecute' }], [], '2024-01-01T00:00:00Z'), [{ key: 'k', effect: 'NoExecute', timeAdded: '2024-01-01T00:00:00Z' }]);
  });
});
