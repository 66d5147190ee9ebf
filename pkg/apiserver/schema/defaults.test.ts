import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JSONSchemaProps } from './types.js';
import { applyDefaults, pruneNonNullableNullsWithoutDefaults } from './defaults.js';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      default: {},
      properties: {
        replicas: { type: 'integer', default: 1 },
        mode: { type: 'string', default: 'Auto' },
        nullableWithDefault: { type: 'string', nullable: true, default: 'd' },
        noDefault: { type: 'string' },
        nested: { type: 'object', properties: { enabled: { type: 'boolean', default: true } } },
        list: {
          type: 'array',
          items: { type: 'object', default: { kind: 'x' }, properties: { name: { type: 'string' }, port: { type: 'integer', default: 80 } } },
        },
        scalars: { type: 'array', items: { type: 'string', default: 'z' } },
        map: { type: 'object', additionalProperties: { type: 'object', default: { v: 1 }, properties: { w: { type: 'integer', default: 2 } } } },
        obj: { type: 'object', default: { a: 1 }, properties: { a: { type: 'integer' }, b: { type: 'integer', default: 5 } } },
        preserved: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'string', default: 'k' } } },
      },
    },
  },
};

type Case = { name: string; input: unknown; want: unknown };

const cases: Case[] = [
  {
    name: 'absent spec gets its default, which is walked for nested defaults',
    input: {},
    want: { spec: { replicas: 1, mode: 'Auto', nullableWithDefault: 'd', obj: { a: 1, b: 5 } } },
  },
  {
    name: 'present values are kept',
    input: { spec: { replicas: 3, mode: 'Manual', nullableWithDefault: 'x', obj: { a: 2, b: 6 } } },
    want: { spec: { replicas: 3, mode: 'Manual', nullableWithDefault: 'x', obj: { a: 2, b: 6 } } },
  },
  {
    name: 'non-nullable null is defaulted, nullable null is kept',
    input: { spec: { replicas: null, nullableWithDefault: null, noDefault: null, obj: { a: 1, b: 5 } } },
    want: { spec: { replicas: 1, mode: 'Auto', nullableWithDefault: null, noDefault: null, obj: { a: 1, b: 5 } } },
  },
  {
    name: 'nested object defaults only when the parent exists',
    input: { spec: { nested: {} } },
    want: { spec: { replicas: 1, mode: 'Auto', nullableWithDefault: 'd', nested: { enabled: true }, obj: { a: 1, b: 5 } } },
  },
  {
    name: 'array items: defaults inside items and null items replaced',
    input: { spec: { list: [{ name: 'a' }, null], scalars: ['a', null] } },
    want: {
      spec: {
        replicas: 1,
        mode: 'Auto',
        nullableWithDefault: 'd',
        obj: { a: 1, b: 5 },
        list: [{ name: 'a', port: 80 }, { kind: 'x' }],
        scalars: ['a', 'z'],
      },
    },
  },
  {
    name: 'additionalProperties: defaults in map values and null values replaced',
    input: { spec: { map: { a: {}, b: null } } },
    want: {
      spec: { replicas: 1, mode: 'Auto', nullableWithDefault: 'd', obj: { a: 1, b: 5 }, map: { a: { w: 2 }, b: { v: 1 } } },
    },
  },
  {
    name: 'defaults under x-kubernetes-preserve-unknown-fields for known properties',
    input: { spec: { preserved: { other: 1 } } },
    want: { spec: { replicas: 1, mode: 'Auto', nullableWithDefault: 'd', obj: { a: 1, b: 5 }, preserved: { other: 1, known: 'k' } } },
  },
];

test('applyDefaults table', () => {
  for (const c of cases) {
    const obj = structuredClone(c.input);
    assert.equal(applyDefaults(obj, schema), obj, c.name);
    assert.deepEqual(obj, c.want, c.name);
  }
});

test('defaults are deep copies', () => {
  const a = applyDefaults({} as Record<string, any>, schema);
  const b = applyDefaults({} as Record<string, any>, schema);
  a.spec.obj.a = 99;
  assert.equal(b.spec.obj.a, 1);
  assert.deepEqual(schema.properties!.spec.properties!.obj.default, { a: 1 });
});

test('applyDefaults tolerates missing schema and scalars', () => {
  assert.equal(applyDefaults(5, schema), 5);
  assert.deepEqual(applyDefaults({ a: 1 }, undefined), { a: 1 });
});

test('pruneNonNullableNullsWithoutDefaults', () => {
  const obj = {
    spec: {
      replicas: null,
      noDefault: null,
      nullableWithDefault: null,
      map: { a: null },
      scalars: [null],
      unknown: null,
    },
  };
  pruneNonNullableNullsWithoutDefaults(obj, schema);
  assert.deepEqual(obj, {
    spec: {
      replicas: null, // has a default: applyDefaults replaces it
      nullableWithDefault: null,
      map: { a: null }, // map values have a default
      scalars: [null], // array items are never removed
      unknown: null, // not in the schema: pruning handles it
    },
  });
  const m: JSONSchemaProps = { type: 'object', additionalProperties: { type: 'string' } };
  const x = { a: null, b: 'x' };
  pruneNonNullableNullsWithoutDefaults(x, m);
  assert.deepEqual(x, { b: 'x' });
});
