import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareQuantities, isValidQuantity, parseQuantity, quantityMilliValue, quantityValue } from './quantity.js';

test('quantities parse exactly into nano-units', () => {
  assert.equal(parseQuantity('1'), 1_000_000_000n);
  assert.equal(parseQuantity(2), 2_000_000_000n);
  assert.equal(parseQuantity('100m'), 100_000_000n);
  assert.equal(parseQuantity('1.5'), 1_500_000_000n);
  assert.equal(parseQuantity('1Ki'), 1024n * 1_000_000_000n);
  assert.equal(parseQuantity('4Gi'), 4n * 1024n ** 3n * 1_000_000_000n);
  assert.equal(parseQuantity('1e3'), 1000n * 1_000_000_000n);
  assert.equal(parseQuantity('1n'), 1n);
  assert.equal(parseQuantity('0.1n'), 1n, 'sub-nano fractions round up');
  assert.equal(parseQuantity('-2k'), -2000n * 1_000_000_000n);
  assert.equal(parseQuantity('9223372036854775807'), 9223372036854775807n * 1_000_000_000n);
});

test('comparisons and unit values', () => {
  assert.equal(compareQuantities('1Gi', '1G'), 1);
  assert.equal(compareQuantities('1000m', 1), 0);
  assert.equal(compareQuantities('500m', '1'), -1);
  assert.equal(quantityValue('1500m'), 2n);
  assert.equal(quantityMilliValue('0.1'), 100n);
  assert.ok(isValidQuantity('2Gi'));
  assert.ok(!isValidQuantity('2 Gi'));
  assert.ok(!isValidQuantity('lots'));
  assert.ok(!isValidQuantity(1.5));
});
