import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from './duration.js';
import { formatMilli, formatUnits } from './quantity.js';

describe('quantity formatting and durations', () => {
  test('canonical forms like resource.Quantity.String()', () => {
    assert.equal(formatMilli(1500n), '1500m');
    assert.equal(formatMilli(4000n), '4');
    assert.equal(formatMilli(0n), '0');
    assert.equal(formatUnits(330n), '330');
    assert.equal(formatUnits(2000n), '2k');
    assert.equal(formatUnits(8n * 1024n ** 3n, 'BinarySI'), '8Gi');
    assert.equal(formatUnits(1536n * 1024n ** 2n, 'BinarySI'), '1536Mi');
    assert.equal(formatUnits(1500n, 'BinarySI'), '1500');
    assert.equal(formatUnits(1000n, 'BinarySI'), '1k');
    assert.equal(formatUnits(-2048n, 'BinarySI'), '-2Ki');
  });

  test('Go durations', () => {
    assert.equal(parseDuration('10s'), 10_000);
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('1.5h'), 5_400_000);
    assert.equal(parseDuration('0'), 0);
    assert.throws(() => parseDuration('10'), /use a number with a unit/);
    assert.throws(() => parseDuration('1x'), /invalid duration/);
    assert.equal(formatDuration(60_000), '1m');
    assert.equal(formatDuration(10_000), '10s');
  });
});
