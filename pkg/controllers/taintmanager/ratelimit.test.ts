import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_EVICTION_RATE_OPTIONS as D, evictionRateFor, TokenBucket } from './ratelimit.js';

test('evictionRateFor lowers the rate when much of the fleet is unhealthy', () => {
  const cases: [total: number, unhealthy: number, want: number][] = [
    [0, 0, D.evictionRate],
    [2, 0, D.evictionRate],
    [2, 1, D.evictionRate], // 50% < 55%
    [3, 2, 0], // small fleet largely down: stop evicting
    [20, 12, D.secondaryEvictionRate], // large fleet largely down: slow down
    [20, 5, D.evictionRate],
  ];
  for (const [total, unhealthy, want] of cases) assert.equal(evictionRateFor(total, unhealthy), want, `${unhealthy}/${total}`);
});

test('TokenBucket allows a burst of one then refills at the rate', () => {
  const b = new TokenBucket(0.5);
  assert.equal(b.tryAccept(0), true);
  assert.equal(b.tryAccept(0), false);
  assert.equal(b.waitMs(0), 2000);
  assert.equal(b.tryAccept(1000), false);
  assert.equal(b.tryAccept(2000), true);
  b.setRate(0, 2000);
  assert.equal(b.tryAccept(100_000), false);
  assert.equal(b.waitMs(100_000), undefined);
  assert.equal(new TokenBucket(0).tryAccept(0), false, 'rate 0 ignores the initial token');
});
