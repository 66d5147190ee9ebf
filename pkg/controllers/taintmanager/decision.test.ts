import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Taint, Toleration } from '../../apis/core/v1/types.js';
import { evictionDecision, getMatchingTolerations, noExecuteTaints } from './decision.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');
const taint: Taint = { key: 'failover', value: 'test', effect: 'NoExecute', timeAdded: '2026-01-01T00:09:00Z' };
const noSchedule: Taint = { key: 'cluster.karmada.io/not-ready', effect: 'NoSchedule' };

test('noExecuteTaints keeps only NoExecute', () => {
  assert.deepEqual(noExecuteTaints([taint, noSchedule]), [taint]);
  assert.deepEqual(noExecuteTaints(undefined), []);
});

test('getMatchingTolerations needs a toleration per taint', () => {
  const tol: Toleration = { key: 'failover', operator: 'Exists', effect: 'NoExecute' };
  assert.deepEqual(getMatchingTolerations([taint], [tol]), { allTolerated: true, used: [tol] });
  assert.deepEqual(getMatchingTolerations([taint, { key: 'other', effect: 'NoExecute' }], [tol]), { allTolerated: false, used: [] });
});

test('evictionDecision', () => {
  const cases: { name: string; taints: Taint[]; tolerations?: Toleration[]; firstSeen?: number; want: ReturnType<typeof evictionDecision> }[] = [
    { name: 'no taints', taints: [], want: { action: 'none' } },
    { name: 'NoSchedule only', taints: [noSchedule], want: { action: 'none' } },
    { name: 'untolerated NoExecute evicts now', taints: [taint, noSchedule], tolerations: [], want: { action: 'evict', taint } },
    { name: 'value mismatch evicts', taints: [taint], tolerations: [{ key: 'failover', operator: 'Equal', value: 'other', effect: 'NoExecute' }], want: { action: 'evict', taint } },
    { name: 'tolerated forever', taints: [taint], tolerations: [{ key: 'failover', operator: 'Exists' }], want: { action: 'none' } },
    { name: 'tolerationSeconds not yet passed: recheck at the deadline', taints: [taint], tolerations: [{ key: 'failover', operator: 'Exists', tolerationSeconds: 120 }], want: { action: 'recheck', afterMs: 60_000 } },
    { name: 'tolerationSeconds passed: evict', taints: [taint], tolerations: [{ key: 'failover', operator: 'Exists', tolerationSeconds: 30 }], want: { action: 'evict' } },
    { name: 'tolerationSeconds 0: evict', taints: [taint], tolerations: [{ operator: 'Exists', tolerationSeconds: 0 }], want: { action: 'evict' } },
    {
      name: 'taint without timeAdded counts from first seen',
      taints: [{ key: 'failover', effect: 'NoExecute' }],
      tolerations: [{ key: 'failover', operator: 'Exists', tolerationSeconds: 100 }],
      firstSeen: NOW - 40_000,
      want: { action: 'recheck', afterMs: 60_000 },
    },
  ];
  for (const c of cases) {
    const got = evictionDecision(c.taints, c.tolerations, NOW, c.firstSeen === undefined ? undefined : () => c.firstSeen);
    assert.deepEqual(got, c.want, c.name);
  }
});
