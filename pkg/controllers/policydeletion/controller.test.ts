import { test } from 'node:test';
import assert from 'node:assert/strict';
import { releaseFinalizer } from './controller.js';

const F = 'karmada.io/propagation-policy-controller';

test('a policy keeps its finalizer until it is being deleted', () => {
  assert.equal(releaseFinalizer({ metadata: { name: 'p', finalizers: [F] } }, F), undefined);
});

test('a deleted policy loses only the policy-controller finalizer', () => {
  const p = { metadata: { name: 'p', deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['other', F] } };
  assert.deepEqual(releaseFinalizer(p, F), ['other']);
});

test('nothing to do when the finalizer is already gone', () => {
  assert.equal(releaseFinalizer({ metadata: { name: 'p', deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['other'] } }, F), undefined);
});
