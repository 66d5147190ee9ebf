import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cordonTaints } from '../cordon/cordon.js';
import { formatTable, humanDuration } from '../util/printers.js';
import { applyTaints, parseTaints } from './taints.js';

describe('taint specs', () => {
  test('parse adds and removals', () => {
    assert.deepEqual(parseTaints(['dedicated=special-user:NoSchedule', 'gpu:NoExecute', 'old:PreferNoSchedule-', 'gone-']), {
      add: [
        { key: 'dedicated', value: 'special-user', effect: 'NoSchedule' },
        { key: 'gpu', effect: 'NoExecute' },
      ],
      remove: [
        { key: 'old', effect: 'PreferNoSchedule' },
        { key: 'gone', effect: '' },
      ],
    });
  });

  test('reject bad specs with a message that says what to write', () => {
    assert.throws(() => parseTaints(['a=b']), /key=value:Effect/);
    assert.throws(() => parseTaints(['a=b:Sometimes']), /NoSchedule, PreferNoSchedule, NoExecute/);
    assert.throws(() => parseTaints(['bad key:NoSchedule']), /invalid taint key/);
    assert.throws(() => parseTaints(['a=b:NoSchedule', 'a=c:NoSchedule']), /duplicated/);
    assert.throws(() => parseTaints(['a=b:NoSchedule', 'a-']), /both modify and remove/);
    assert.throws(() => parseTaints([]), /at least one/);
  });

  test('apply: add, overwrite, remove by key or key:effect', () => {
    const cur = [{ key: 'a', value: '1', effect: 'NoSchedule' }, { key: 'a', effect: 'NoExecute' }, { key: 'b', effect: 'NoSchedule' }];
    assert.deepEqual(applyTaints(cur, parseTaints(['c=3:NoSchedule'])).operation, 'tainted');
    assert.throws(() => applyTaints(cur, parseTaints(['a=2:NoSchedule']), { owner: 'cluster m' }), /cluster m already has a taint\(s\)|already has a taint|already has a/);
    const over = applyTaints(cur, parseTaints(['a=2:NoSchedule']), { overwrite: true });
    assert.equal(over.operation, 'modified');
    assert.equal(over.taints[0]!.value, '2');
    assert.deepEqual(applyTaints(cur, parseTaints(['a-'])), { taints: [{ key: 'b', effect: 'NoSchedule' }], operation: 'untainted' });
    assert.deepEqual(applyTaints(cur, parseTaints(['a:NoExecute-'])).taints.length, 2);
    assert.throws(() => applyTaints(cur, parseTaints(['zzz-'])), /taint "zzz" not found/);
    const t = applyTaints([], parseTaints(['e:NoExecute']), { now: '2024-01-01T00:00:00Z' });
    assert.equal(t.taints[0]!.timeAdded, '2024-01-01T00:00:00Z');
  });

  test('cordon adds the unschedulable taint once; uncordon removes it', () => {
    const u = { key: 'cluster.karmada.io/unschedulable', effect: 'NoSchedule' };
    assert.deepEqual(cordonTaints([], true), [u]);
    assert.equal(cordonTaints([u], true), undefined);
    assert.deepEqual(cordonTaints([u, { key: 'x', effect: 'NoSchedule' }], false), [{ key: 'x', effect: 'NoSchedule' }]);
    assert.equal(cordonTaints([], false), undefined);
  });

  test('tables and ages print like kubectl', () => {
    assert.equal(formatTable(['NAME', 'READY'], [['member1', 'True'], ['m2', 'False']]), 'NAME      READY\nmember1   True\nm2        False\n');
    assert.equal(humanDuration(5_000), '5s');
    assert.equal(humanDuration(150_000), '2m30s');
    assert.equal(humanDuration(3 * 3600_000 + 5 * 60_000), '3h5m');
    assert.equal(humanDuration(3 * 24 * 3600_000), '3d');
  });
});
