import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AggregatedStatusItem } from '../../apis/work/v1alpha2/index.js';
import { detectFailure } from './detect.js';

const NOW = 1_000_000;
const targets = [{ name: 'member1' }, { name: 'member2' }];
const st = (clusterName: string, health: AggregatedStatusItem['health']): AggregatedStatusItem => ({ clusterName, applied: true, health });

test('detectFailure', () => {
  const cases: { name: string; since: [string, number][]; status: AggregatedStatusItem[]; want: { since: [string, number][]; evict: string[]; recheck?: number } }[] = [
    { name: 'all healthy', since: [], status: [st('member1', 'Healthy'), st('member2', 'Healthy')], want: { since: [], evict: [] } },
    { name: 'newly unhealthy starts the clock', since: [], status: [st('member2', 'Unhealthy')], want: { since: [['member2', NOW]], evict: [], recheck: 300_000 } },
    { name: 'unhealthy for part of the toleration', since: [['member2', NOW - 100_000]], status: [st('member2', 'Unhealthy')], want: { since: [['member2', NOW - 100_000]], evict: [], recheck: 200_000 } },
    { name: 'unhealthy past the toleration evicts', since: [['member2', NOW - 300_000]], status: [st('member2', 'Unhealthy'), st('member1', 'Healthy')], want: { since: [['member2', NOW - 300_000]], evict: ['member2'] } },
    { name: 'recovery resets the clock', since: [['member2', NOW - 299_000]], status: [st('member2', 'Unknown')], want: { since: [], evict: [] } },
    { name: 'a cluster no longer targeted is ignored', since: [], status: [st('member3', 'Unhealthy')], want: { since: [], evict: [] } },
  ];
  for (const c of cases) {
    const got = detectFailure({ unhealthySince: new Map(c.since), targets, aggregatedStatus: c.status, tolerationSeconds: 300, now: NOW });
    assert.deepEqual([...got.unhealthySince], c.want.since, c.name);
    assert.deepEqual(got.evict, c.want.evict, c.name);
    assert.equal(got.recheckAfterMs, c.want.recheck, c.name);
  }
});

test('detectFailure with tolerationSeconds 0 evicts at once', () => {
  const got = detectFailure({ unhealthySince: new Map(), targets, aggregatedStatus: [st('member1', 'Unhealthy')], tolerationSeconds: 0, now: NOW });
  assert.deepEqual(got.evict, ['member1']);
});
