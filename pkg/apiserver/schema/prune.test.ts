import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JSONSchemaProps } from './types.js';
import { findUnknownFields, kubeFieldPath, pruneUnknownFields } from './prune.js';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        replicas: { type: 'integer' },
        items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        structs: { type: 'object', additionalProperties: { type: 'object', properties: { a: { type: 'string' } } } },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { typed: { type: 'object', properties: { x: { type: 'string' } } } } },
        freeList: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        template: {
          type: 'object',
          'x-kubernetes-embedded-resource': true,
          properties: { spec: { type: 'object', properties: { image: { type: 'string' } } } },
        },
        raw: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
        any: { type: 'object', additionalProperties: true },
        emptyObject: { type: 'object' },
      },
    },
    status: { type: 'object', properties: { ready: { type: 'boolean' } } },
  },
};

type Case = { name: string; input: Record<string, unknown>; isRoot?: boolean; want: unknown; removed: string[] };

const cases: Case[] = [
  {
    name: 'root keeps apiVersion/kind/metadata and prunes unknown top-level fields',
    input: { apiVersion: 'x/v1', kind: 'X', metadata: { name: 'a' }, spec: {}, extra: 1 },
    isRoot: true,
    want: { apiVersion: 'x/v1', kind: 'X', metadata: { name: 'a' }, spec: {} },
    removed: ['.extra'],
  },
  {
    name: 'non-root does not keep apiVersion/kind/metadata',
    input: { apiVersion: 'x/v1', spec: {} },
    isRoot: false,
    want: { spec: {} },
    removed: ['.apiVersion'],
  },
  {
    name: 'nested unknowns, array items, map values',
    input: {
      spec: {
        replicas: 1,
        foo: 'x',
        items: [{ name: 'a', bar: 1 }, { baz: 2 }],
        labels: { a: 'b' },
        structs: { k: { a: 'x', z: 1 } },
      },
      status: { ready: true, phase: 'X' },
    },
    isRoot: true,
    want: { spec: { replicas: 1, items: [{ name: 'a' }, {}], labels: { a: 'b' }, structs: { k: { a: 'x' } } }, status: { ready: true } },
    removed: ['.spec.foo', '.spec.items[0].bar', '.spec.items[1].baz', '.spec.structs.k.z', '.status.phase'],
  },
  {
    name: 'preserve-unknown-fields keeps unknowns but prunes inside specified properties',
    input: { spec: { free: { anything: { deep: 1 }, typed: { x: 'a', y: 'b' } }, freeList: [{ a: 1 }] } },
    isRoot: true,
    want: { spec: { free: { anything: { deep: 1 }, typed: { x: 'a' } }, freeList: [{ a: 1 }] } },
    removed: ['.spec.free.typed.y'],
  },
  {
    name: 'embedded resources keep apiVersion/kind/metadata; metadata unknowns are dropped',
    input: {
      spec: {
        template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', bogus: 1 }, spec: { image: 'x', other: 1 }, status: {} },
        raw: { apiVersion: 'v1', kind: 'Pod', metadata: { labels: { a: 'b' }, nope: true }, whatever: { x: 1 } },
      },
    },
    isRoot: true,
    want: {
      spec: {
        template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { image: 'x' } },
        raw: { apiVersion: 'v1', kind: 'Pod', metadata: { labels: { a: 'b' } }, whatever: { x: 1 } },
      },
    },
    removed: ['.spec.template.metadata.bogus', '.spec.template.spec.other', '.spec.template.status', '.spec.raw.metadata.nope'],
  },
  {
    name: 'root metadata unknown fields, including owner reference fields',
    input: { metadata: { name: 'a', foo: 1, ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'n', uid: 'u', extra: 1 }] } },
    isRoot: true,
    want: { metadata: { name: 'a', ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'n', uid: 'u' }] } },
    removed: ['.metadata.foo', '.metadata.ownerReferences[0].extra'],
  },
  {
    name: 'additionalProperties: true keeps everything; type object without properties keeps nothing',
    input: { spec: { any: { a: { b: 1 } }, emptyObject: { a: 1 } } },
    isRoot: true,
    want: { spec: { any: { a: { b: 1 } }, emptyObject: {} } },
    removed: ['.spec.emptyObject.a'],
  },
];

test('pruneUnknownFields table', () => {
  for (const c of cases) {
    const before = structuredClone(c.input);
    const found = findUnknownFields(before, schema, { isRoot: c.isRoot });
    assert.deepEqual(before, c.input, `${c.name}: findUnknownFields must not mutate`);
    const obj = structuredClone(c.input);
    const removed = pruneUnknownFields(obj, schema, { isRoot: c.isRoot });
    assert.deepEqual(obj, c.want, c.name);
    assert.deepEqual([...removed].sort(), [...c.removed].sort(), c.name);
    assert.deepEqual([...found].sort(), [...c.removed].sort(), `${c.name} (find)`);
  }
});

test('root preserve-unknown-fields keeps everything', () => {
  const obj = { apiVersion: 'v1', kind: 'X', metadata: { name: 'a' }, spec: { a: 1 }, other: 2 };
  assert.deepEqual(pruneUnknownFields(obj, { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, { isRoot: true }), []);
  assert.deepEqual(obj.other, 2);
});

test('no schema: root keeps only type and object meta', () => {
  const obj = { apiVersion: 'v1', kind: 'X', metadata: { name: 'a' }, spec: { a: 1 } };
  assert.deepEqual(pruneUnknownFields(obj, undefined, { isRoot: true }), ['.spec']);
  assert.deepEqual(obj, { apiVersion: 'v1', kind: 'X', metadata: { name: 'a' } });
});

test('metadata pruning can be switched off', () => {
  const obj = { metadata: { name: 'a', foo: 1 } };
  assert.deepEqual(pruneUnknownFields(obj, schema, { isRoot: true, pruneMetadata: false }), []);
  assert.deepEqual(obj, { metadata: { name: 'a', foo: 1 } });
});

test('kubeFieldPath', () => {
  assert.equal(kubeFieldPath('.spec.foo'), 'spec.foo');
  assert.equal(kubeFieldPath('spec.foo'), 'spec.foo');
});
