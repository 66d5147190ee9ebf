import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch, applyMergePatch } from './jsonpatch.js';
import { PatchError } from './errors.js';

const doc = () => ({
  metadata: { name: 'x', labels: { app: 'web' }, finalizers: ['a', 'b'] },
  spec: { replicas: 1, list: [{ name: 'n0' }, { name: 'n1' }] },
});

test('json patch: applies operations in order and leaves the input alone', () => {
  const input = doc();
  const out = applyJsonPatch(input, [
    { op: 'test', path: '/spec/replicas', value: 1 },
    { op: 'replace', path: '/spec/replicas', value: 3 },
    { op: 'add', path: '/metadata/labels/tier', value: 'front' },
    { op: 'add', path: '/metadata/finalizers/-', value: 'c' },
    { op: 'add', path: '/metadata/finalizers/0', value: 'z' },
    { op: 'remove', path: '/spec/list/0' },
    { op: 'copy', from: '/metadata/name', path: '/metadata/generateName' },
    { op: 'move', from: '/metadata/labels/app', path: '/metadata/labels/application' },
    { op: 'add', path: '/metadata/annotations', value: { 'a/b': 'c' } },
    { op: 'replace', path: '/metadata/annotations/a~1b', value: 'd' },
  ]);
  assert.deepEqual(out, {
    metadata: {
      name: 'x',
      generateName: 'x',
      labels: { tier: 'front', application: 'web' },
      finalizers: ['z', 'a', 'b', 'c'],
      annotations: { 'a/b': 'd' },
    },
    spec: { replicas: 3, list: [{ name: 'n1' }] },
  });
  assert.deepEqual(input, doc());
});

test('json patch: test operation compares deeply and treats a missing member as null', () => {
  assert.doesNotThrow(() => applyJsonPatch(doc(), [{ op: 'test', path: '/spec/list', value: [{ name: 'n0' }, { name: 'n1' }] }]));
  assert.doesNotThrow(() => applyJsonPatch(doc(), [{ op: 'test', path: '/spec/missing', value: null }]));
  assert.doesNotThrow(() => applyJsonPatch(doc(), [{ op: 'test', path: '', value: doc() }]));
});

test('json patch: add and replace on the root replace the document', () => {
  assert.deepEqual(applyJsonPatch(doc(), [{ op: 'replace', path: '', value: { a: 1 } }]), { a: 1 });
  assert.deepEqual(applyJsonPatch(doc(), [{ op: 'add', path: '', value: { b: 2 } }]), { b: 2 });
});

const failures: { name: string; ops: unknown; index: number; code: number; message: string }[] = [
  {
    name: 'test mismatch',
    ops: [{ op: 'add', path: '/x', value: 1 }, { op: 'test', path: '/spec/replicas', value: 2 }],
    index: 1,
    code: 422,
    message: 'testing value /spec/replicas failed: test failed',
  },
  {
    name: 'test on a missing member',
    ops: [{ op: 'test', path: '/spec/nope', value: 1 }],
    index: 0,
    code: 422,
    message: 'testing value /spec/nope failed: test failed',
  },
  {
    name: 'test below a missing parent',
    ops: [{ op: 'test', path: '/nope/x', value: 1 }],
    index: 0,
    code: 422,
    message: 'test operation does not apply: is missing path: /nope/x: missing value',
  },
  {
    name: 'replace of a missing key',
    ops: [{ op: 'replace', path: '/spec/nope', value: 1 }],
    index: 0,
    code: 422,
    message: 'replace operation does not apply: doc is missing key: /spec/nope: missing value',
  },
  {
    name: 'remove of a missing key',
    ops: [{ op: 'remove', path: '/metadata/labels/nope' }],
    index: 0,
    code: 422,
    message: "error in remove for path: '/metadata/labels/nope': Unable to remove nonexistent key: nope: missing value",
  },
  {
    name: 'add below a missing parent',
    ops: [{ op: 'add', path: '/status/conditions/0', value: {} }],
    index: 0,
    code: 422,
    message: 'add operation does not apply: doc is missing path: "/status/conditions/0": missing value',
  },
  {
    name: 'add past the end of an array',
    ops: [{ op: 'add', path: '/spec/list/5', value: {} }],
    index: 0,
    code: 422,
    message: "error in add for path: '/spec/list/5': Unable to access invalid index: 5: invalid index referenced",
  },
  {
    name: 'move from a missing path',
    ops: [{ op: 'move', from: '/spec/nope', path: '/spec/x' }],
    index: 0,
    code: 422,
    message: 'move operation does not apply: doc is missing from path: /spec/nope: missing value',
  },
  { name: 'unknown op', ops: [{ op: 'frobnicate', path: '/x' }], index: 0, code: 422, message: 'Unexpected kind: frobnicate' },
  { name: 'missing value', ops: [{ op: 'add', path: '/x' }], index: 0, code: 422, message: "add operation missing value for path: '/x'" },
];

for (const f of failures) {
  test(`json patch: ${f.name} fails naming the operation`, () => {
    assert.throws(
      () => applyJsonPatch(doc(), f.ops),
      (e: unknown) => {
        assert.ok(e instanceof PatchError);
        assert.equal(e.message, f.message);
        assert.equal(e.code, f.code);
        assert.equal(e.operationIndex, f.index);
        assert.deepEqual(e.operation, (f.ops as unknown[])[f.index]);
        return true;
      },
    );
  });
}

test('json patch: a patch document that is not a list is a bad request', () => {
  assert.throws(
    () => applyJsonPatch(doc(), { op: 'add' }),
    (e: unknown) => e instanceof PatchError && e.code === 400 && e.reason === 'BadRequest',
  );
});

test('merge patch: null deletes, objects merge, everything else replaces', () => {
  const out = applyMergePatch(doc(), {
    metadata: { labels: { app: null, tier: 'x' }, finalizers: ['only'] },
    spec: { replicas: null, list: { not: 'a list' }, extra: { nested: { nulls: null, kept: 1 } } },
  });
  assert.deepEqual(out, {
    metadata: { name: 'x', labels: { tier: 'x' }, finalizers: ['only'] },
    spec: { list: { not: 'a list' }, extra: { nested: { kept: 1 } } },
  });
});

test('merge patch: the patch must be an object', () => {
  assert.throws(() => applyMergePatch(doc(), [1]), (e: unknown) => e instanceof PatchError && e.code === 400);
  assert.throws(() => applyMergePatch(doc(), 'x'), (e: unknown) => e instanceof PatchError && e.code === 400);
});
