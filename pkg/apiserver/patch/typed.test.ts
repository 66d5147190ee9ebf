import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JSONSchemaProps } from '../schema/types.js';
import { FieldSet, field, keyElement, pathString, type Path } from './fieldpath.js';
import { compare, merge, mergeListOrder, removeItems, toFieldSet } from './typed.js';
import { rootSchema } from './schemanav.js';
import { deploymentSchema } from './testschemas.js';

test('FieldsV1 round-trips through FieldSet (members, ".", k:, v:, i:)', () => {
  const fieldsV1 = {
    'f:metadata': {
      'f:annotations': { '.': {}, 'f:deployment.kubernetes.io/revision': {} },
      'f:finalizers': { '.': {}, 'v:"example.com/a"': {} },
    },
    'f:spec': {
      'f:list': { 'i:0': {} },
      'f:template': {
        'f:spec': {
          'f:containers': {
            'k:{"name":"nginx"}': {
              '.': {},
              'f:image': {},
              'f:ports': { '.': {}, 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} } },
            },
          },
        },
      },
    },
    'f:status': { 'f:conditions': { 'k:{"type":"Available"}': { '.': {}, 'f:status': {} } } },
  };
  const set = FieldSet.fromFieldsV1(fieldsV1);
  assert.deepEqual(set.toFieldsV1(), fieldsV1);
  assert.equal(JSON.stringify(set.toFieldsV1()), JSON.stringify(fieldsV1));
  assert.ok(set.has([field('metadata'), field('annotations')]));
  assert.ok(!set.has([field('metadata')]));
  assert.ok(set.has([field('spec'), field('template'), field('spec'), field('containers'), keyElement({ name: 'nginx' }), field('image')]));
  assert.throws(() => FieldSet.fromFieldsV1({ 'x:bad': {} }));
});

test('field paths print as Kubernetes prints them in conflicts', () => {
  const p: Path = [field('spec'), field('ports'), keyElement({ protocol: 'TCP', port: 80 }), field('targetPort')];
  assert.equal(pathString(p), '.spec.ports[port=80,protocol="TCP"].targetPort');
  assert.equal(pathString([field('metadata'), field('finalizers'), { kind: 'value', value: 'x' }]), '.metadata.finalizers[="x"]');
  assert.equal(pathString([field('a'), { kind: 'index', index: 3 }]), '.a[3]');
});

test('set algebra: union, intersection, difference, recursiveDifference', () => {
  const a = FieldSet.of([field('a'), field('b')], [field('a'), field('c')], [field('d')]);
  const b = FieldSet.of([field('a'), field('b')], [field('e')]);
  assert.ok(a.union(b).has([field('e')]));
  assert.deepEqual(a.intersection(b).paths(), [[field('a'), field('b')]]);
  assert.deepEqual(a.difference(b).toFieldsV1(), { 'f:a': { 'f:c': {} }, 'f:d': {} });
  assert.deepEqual(a.recursiveDifference(FieldSet.of([field('a')])).toFieldsV1(), { 'f:d': {} });
  assert.deepEqual(a.difference(FieldSet.of([field('a')])).toFieldsV1(), a.toFieldsV1(), 'difference is per level');
  assert.ok(a.difference(a).isEmpty());
});

const crd: JSONSchemaProps = {
  type: 'object',
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      properties: {
        size: { type: 'integer' },
        config: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
        items: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: { type: 'object', properties: { name: { type: 'string' }, v: { type: 'integer' } } },
        },
        plain: { type: 'array', items: { type: 'object' } },
        atomicMap: { type: 'object', 'x-kubernetes-map-type': 'atomic', additionalProperties: { type: 'string' } },
      },
    },
  },
};

test('toFieldSet follows list and map types; unknown subtrees are deduced (granular maps, atomic lists)', () => {
  const obj = {
    apiVersion: 'x/v1',
    kind: 'K',
    metadata: { name: 'n', labels: { a: 'b' }, ownerReferences: [{ uid: 'u1', name: 'o', kind: 'K', apiVersion: 'v1' }] },
    spec: {
      size: 1,
      config: { a: { b: 1 }, list: [1, 2] },
      tags: ['x', 'y'],
      items: [{ name: 'i1', v: 1 }],
      plain: [{ a: 1 }],
      atomicMap: { k: 'v' },
    },
  };
  assert.deepEqual(toFieldSet(obj, rootSchema(crd)).toFieldsV1(), {
    'f:apiVersion': {},
    'f:kind': {},
    'f:metadata': {
      'f:labels': { 'f:a': {} },
      'f:name': {},
      'f:ownerReferences': { 'k:{"uid":"u1"}': {} },
    },
    'f:spec': {
      'f:atomicMap': {},
      'f:config': { 'f:a': { '.': {}, 'f:b': {} }, 'f:list': {} },
      'f:items': { 'k:{"name":"i1"}': { '.': {}, 'f:name': {}, 'f:v': {} } },
      'f:plain': {},
      'f:size': {},
      'f:tags': { 'v:"x"': {}, 'v:"y"': {} },
    },
  });
});

test('compare reports leaves and whole new or removed maps and items', () => {
  const s = rootSchema(crd);
  const c = compare(
    { spec: { size: 1, items: [{ name: 'a', v: 1 }, { name: 'b', v: 1 }], tags: ['x'] } },
    { spec: { size: 2, items: [{ name: 'a', v: 1 }, { name: 'c', v: 1 }], tags: ['x', 'y'], config: { k: 1 } } },
    s,
  );
  assert.deepEqual(c.modified.toFieldsV1(), { 'f:spec': { 'f:size': {} } });
  assert.deepEqual(c.added.toFieldsV1(), {
    'f:spec': {
      'f:config': { '.': {}, 'f:k': {} },
      'f:items': { 'k:{"name":"c"}': { '.': {}, 'f:name': {}, 'f:v': {} } },
      'f:tags': { 'v:"y"': {} },
    },
  });
  assert.deepEqual(c.removed.toFieldsV1(), { 'f:spec': { 'f:items': { 'k:{"name":"b"}': { '.': {}, 'f:name': {}, 'f:v': {} } } } });
});

test('merge order of associative lists: applied order, live-only items stay in place', () => {
  assert.deepEqual(mergeListOrder(['a', 'x', 'b'], ['b', 'a']), ['x', 'b', 'a']);
  assert.deepEqual(mergeListOrder(['a', 'b', 'c'], ['a', 'c']), ['a', 'b', 'c']);
  assert.deepEqual(mergeListOrder(['a', 'b'], ['c', 'a']), ['c', 'a', 'b']);
  assert.deepEqual(mergeListOrder([], ['a', 'b']), ['a', 'b']);
  assert.deepEqual(mergeListOrder(['a', 'b'], []), ['a', 'b']);
});

test('merge: applied leaves win, maps merge, atomic lists and maps replace, sets union', () => {
  const s = rootSchema(crd);
  const out = merge(
    { spec: { size: 1, plain: [{ a: 1 }], atomicMap: { k: 'v', j: 'w' }, tags: ['x'], config: { keep: 1 } } },
    { spec: { size: 2, plain: [{ b: 2 }], atomicMap: { k: 'z' }, tags: ['y'], config: { add: 2 } } },
    s,
  );
  assert.deepEqual(out, { spec: { size: 2, plain: [{ b: 2 }], atomicMap: { k: 'z' }, tags: ['x', 'y'], config: { keep: 1, add: 2 } } });
});

test('removeItems drops members whole and keeps everything else', () => {
  const s = rootSchema(deploymentSchema());
  const obj = {
    spec: {
      replicas: 1,
      template: { spec: { containers: [{ name: 'a', image: 'x', env: [{ name: 'E', value: '1' }] }, { name: 'b', image: 'y' }] } },
    },
  };
  const c = [field('spec'), field('template'), field('spec'), field('containers')];
  const out = removeItems(
    obj,
    FieldSet.of([field('spec'), field('replicas')], [...c, keyElement({ name: 'b' })], [...c, keyElement({ name: 'a' }), field('env')]),
    s,
  );
  assert.deepEqual(out, { spec: { template: { spec: { containers: [{ name: 'a', image: 'x' }] } } } });
});
