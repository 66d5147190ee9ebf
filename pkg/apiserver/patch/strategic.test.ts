import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { applyStrategicMergePatch } from './strategic.js';
import { PatchError } from './errors.js';
import { deploymentSchema, mergeItemSchema } from './testschemas.js';

const schema = mergeItemSchema();

interface Case {
  description: string;
  original?: string;
  twoWay?: string;
  modified?: string;
  twoWayResult?: string;
  current?: string;
  threeWay?: string;
  result?: string;
}

const y = (s: string | undefined): unknown => (s === undefined ? undefined : (parse(s) ?? {}));

// Test vectors from k8s.io/apimachinery/pkg/util/strategicpatch/patch_test.go: each two-way patch
// applied to `original` yields `modified` (or twoWayResult), each three-way patch applied to
// `current` yields `result`.
const cases: Case[] = [
  { description: 'unique scalars when merging lists', original: 'mergingIntList: [1, 2]', twoWay: 'mergingIntList: [2, 3]', modified: 'mergingIntList: [1, 2, 3]' },
  { description: 'delete map from nested map', original: 'simpleMap: {key1: "1", key2: "1"}', twoWay: 'simpleMap: {$patch: delete}', modified: 'simpleMap: {}' },
  { description: 'delete all items from merging list', original: 'mergingList: [{name: 1}, {name: 2}]', twoWay: 'mergingList: [{$patch: replace}]', modified: 'mergingList: []' },
  { description: 'merge empty merging lists', original: 'mergingList: []', twoWay: 'mergingList: []', modified: 'mergingList: []' },
  { description: 'delete all keys from map', original: 'name: 1\nvalue: 1', twoWay: '$patch: replace', modified: '{}' },
  { description: 'add key and delete all keys from map', original: 'name: 1\nvalue: 1', twoWay: 'other: a\n$patch: replace', modified: 'other: a' },
  {
    description: 'de-duplicate entries in a merging list',
    original: 'mergingList: [{name: 1}, {name: 1}, {name: 2, value: a}, {name: 3}, {name: 3}]',
    twoWay: 'mergingList: [{name: 1, $patch: delete}, {name: 3, $patch: delete}]',
    modified: 'mergingList: [{name: 2, value: a}]',
  },
  { description: 'retainKeys map can add a field when no retainKeys directive present', original: 'retainKeysMap: {name: foo}', twoWay: 'retainKeysMap: {value: bar}', modified: 'retainKeysMap: {name: foo, value: bar}' },
  { description: 'retainKeys map can delete a field when no retainKeys directive present', original: 'retainKeysMap: {name: foo, value: a}', twoWay: 'retainKeysMap: {value: null}', modified: 'retainKeysMap: {name: foo}' },
  { description: 'retainKeys map merge an empty map', original: 'retainKeysMap: {name: foo, value: a}', twoWay: 'retainKeysMap: {}', modified: 'retainKeysMap: {name: foo, value: a}' },
  {
    description: 'retainKeys list can change a field when no retainKeys directive present',
    original: 'retainKeysMergingList: [{name: bar}, {name: foo, value: a}]',
    twoWay: 'retainKeysMergingList: [{name: foo, value: b}]',
    modified: 'retainKeysMergingList: [{name: bar}, {name: foo, value: b}]',
  },
  {
    description: 'preserve the order from the patch in a merging list',
    original: 'mergingList: [{name: 1}, {name: 2, value: b}, {name: 3}]',
    twoWay: 'mergingList: [{name: 3, value: c}, {name: 1, value: a}, {name: 2, other: x}]',
    modified: 'mergingList: [{name: 3, value: c}, {name: 1, value: a}, {name: 2, value: b, other: x}]',
  },
  {
    description: 'preserve the order from the patch in a merging list 2',
    original: 'mergingList: [{name: 1}, {name: 2, value: b}, {name: 3}]',
    twoWay: 'mergingList: [{name: 3, value: c}, {name: 1, value: a}]',
    modified: 'mergingList: [{name: 2, value: b}, {name: 3, value: c}, {name: 1, value: a}]',
  },
  { description: 'preserve the order from the patch in a merging int list', original: 'mergingIntList: [1, 2, 3]', twoWay: 'mergingIntList: [3, 1, 2]', modified: 'mergingIntList: [3, 1, 2]' },
  { description: 'preserve the order from the patch in a merging int list 2', original: 'mergingIntList: [1, 2, 3]', twoWay: 'mergingIntList: [3, 1]', modified: 'mergingIntList: [2, 3, 1]' },
  {
    description: '$setElementOrder contains item that is not present in the list to be merged',
    original: 'mergingList: [{name: 1}, {name: 3}]',
    twoWay: '$setElementOrder/mergingList: [{name: 3}, {name: 2}, {name: 1}]\nmergingList: [{name: 3, value: 3}, {name: 1, value: 1}]',
    modified: 'mergingList: [{name: 3, value: 3}, {name: 1, value: 1}]',
  },
  {
    description: '$setElementOrder contains item that is not present in the int list to be merged',
    original: 'mergingIntList: [1, 3]',
    twoWay: '$setElementOrder/mergingIntList: [3, 2, 1]',
    modified: 'mergingIntList: [3, 1]',
  },
  { description: 'add field and delete field from map with conflict', current: 'name: a\nother: a', threeWay: 'name: null\nvalue: 1', result: 'value: 1\nother: a' },
  {
    description: 'delete field from nested map with conflict',
    current: 'simpleMap: {key1: a, key2: "1", other: a}',
    threeWay: 'simpleMap: {key1: "1", key2: null}',
    result: 'simpleMap: {key1: "1", other: a}',
  },
  { description: 'replace list of scalars with conflict', current: 'nonMergingIntList: [1, 4]', threeWay: 'nonMergingIntList: [2, 3]', result: 'nonMergingIntList: [2, 3]' },
  {
    description: 'delete all maps from merging list with conflict',
    current: 'mergingList: [{name: 1, other: a}, {name: 2, other: b}]',
    threeWay: 'mergingList: [{name: 1, $patch: delete}, {name: 2, $patch: delete}]',
    result: 'mergingList: []',
  },
  {
    description: 'delete all maps from empty merging list',
    current: 'mergingList: []',
    threeWay: 'mergingList: [{name: 1, $patch: delete}, {name: 2, $patch: delete}]',
    result: 'mergingList: []',
  },
  {
    description: 'defined null values should propagate removing original fields',
    current: 'name: original-name\nvalue: original-value\nother: current-other',
    threeWay: 'name: modified-name\nvalue: null',
    result: 'name: modified-name\nother: current-other',
  },
  {
    description: 'delete items in lists of scalars',
    original: 'mergingIntList: [1, 2, 3]',
    twoWay: '$setElementOrder/mergingIntList: [1, 2]\n$deleteFromPrimitiveList/mergingIntList: [3]',
    modified: 'mergingIntList: [1, 2]',
    current: 'mergingIntList: [1, 2, 3, 4]',
    threeWay: '$setElementOrder/mergingIntList: [1, 2]\n$deleteFromPrimitiveList/mergingIntList: [3]',
    result: 'mergingIntList: [1, 2, 4]',
  },
  {
    description: 'delete all duplicate items in lists of scalars',
    current: 'mergingIntList: [1, 2, 3, 3, 4]',
    threeWay: '$setElementOrder/mergingIntList: [1, 2]\n$deleteFromPrimitiveList/mergingIntList: [3]',
    result: 'mergingIntList: [1, 2, 4]',
  },
  {
    description: 'add and delete items in lists of scalars',
    original: 'mergingIntList: [1, 2, 3]',
    twoWay: '$setElementOrder/mergingIntList: [1, 2, 4]\n$deleteFromPrimitiveList/mergingIntList: [3]\nmergingIntList: [4]',
    modified: 'mergingIntList: [1, 2, 4]',
    current: 'mergingIntList: [1, 2, 3, 4]',
    threeWay: '$setElementOrder/mergingIntList: [1, 2, 4]\n$deleteFromPrimitiveList/mergingIntList: [3]',
    result: 'mergingIntList: [1, 2, 4]',
  },
  {
    description: 'merge lists of maps',
    original: 'mergingList: [{name: 1}, {name: 2, value: 2}]',
    twoWay: '$setElementOrder/mergingList: [{name: 4}, {name: 1}, {name: 2}, {name: 3}]\nmergingList: [{name: 4, value: 4}, {name: 3, value: 3}]',
    modified: 'mergingList: [{name: 4, value: 4}, {name: 1}, {name: 2, value: 2}, {name: 3, value: 3}]',
    current: 'mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}]',
    threeWay: '$setElementOrder/mergingList: [{name: 4}, {name: 1}, {name: 2}, {name: 3}]\nmergingList: [{name: 4, value: 4}, {name: 3, value: 3}]',
    result: 'mergingList: [{name: 4, value: 4}, {name: 1, other: a}, {name: 2, value: 2, other: b}, {name: 3, value: 3}]',
  },
  {
    description: 'merge lists of maps with conflict',
    current: 'mergingList: [{name: 1, other: a}, {name: 2, value: 3, other: b}]',
    threeWay: '$setElementOrder/mergingList: [{name: 1}, {name: 2}, {name: 3}]\nmergingList: [{name: 2, value: 2}, {name: 3, value: 3}]',
    result: 'mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}, {name: 3, value: 3}]',
  },
  {
    description: 'add field to map in merging list with conflict (item missing from current)',
    current: 'mergingList: [{name: 1, other: a}, {name: 3, value: 2, other: b}]',
    threeWay: '$setElementOrder/mergingList: [{name: 1}, {name: 2}]\nmergingList: [{name: 1, value: 1}, {name: 2, value: 2}]',
    result: 'mergingList: [{name: 1, value: 1, other: a}, {name: 2, value: 2}, {name: 3, value: 2, other: b}]',
  },
  {
    description: 'de-duplicate field in merging list',
    original: 'mergingList: [{name: 1}, {name: 1}]',
    twoWay: '$setElementOrder/mergingList: [{name: 1}]\nmergingList: [{$patch: delete, name: 1}]',
    modified: 'mergingList: []',
    current: 'mergingList: [{name: 1}, {name: 1}]',
    threeWay: '$setElementOrder/mergingList: [{name: 1}]\nmergingList: [{$patch: delete, name: 1}]',
    result: 'mergingList: []',
  },
  { description: 'delete duplicate field in merging list', current: 'mergingList: [{name: 1}, {name: 1}]', threeWay: 'mergingList: {}', result: 'mergingList: {}' },
  {
    description: 'delete map from merging list',
    current: 'mergingList: [{name: 1}, {name: 2, other: b}]',
    threeWay: '$setElementOrder/mergingList: [{name: 2}]\nmergingList: [{name: 1, $patch: delete}]',
    result: 'mergingList: [{name: 2, other: b}]',
  },
  {
    description: 'delete missing map from merging list with conflict',
    current: 'mergingList: [{name: 3, other: a}]',
    threeWay: '$setElementOrder/mergingList: [{name: 2}]\nmergingList: [{name: 2}, {name: 1, $patch: delete}]',
    result: 'mergingList: [{name: 2}, {name: 3, other: a}]',
  },
  {
    description: 'add map and delete map from merging list',
    current: 'mergingList: [{name: 1}, {name: 2, other: b}, {name: 4, other: c}]',
    threeWay: '$setElementOrder/mergingList: [{name: 2}, {name: 3}]\nmergingList: [{name: 3}, {name: 1, $patch: delete}]',
    result: 'mergingList: [{name: 2, other: b}, {name: 4, other: c}, {name: 3}]',
  },
  {
    description: 'add map and delete map from merging list with conflict',
    current: 'mergingList: [{name: 1, other: a}, {name: 4, other: c}]',
    threeWay: '$setElementOrder/mergingList: [{name: 2}, {name: 3}]\nmergingList: [{name: 2}, {name: 3}, {name: 1, $patch: delete}]',
    result: 'mergingList: [{name: 4, other: c}, {name: 2}, {name: 3}]',
  },
  {
    description: 'delete missing field from map in merging list with conflict',
    current: 'mergingList: [{name: 1, other: a}, {name: 2, other: b}]',
    threeWay: '$setElementOrder/mergingList: [{name: 1}, {name: 2}]\nmergingList: [{name: 1, value: null}, {name: 2, value: 2}]',
    result: 'mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}]',
  },
  {
    description: 'replace non merging list nested in merging list with value conflict',
    current: 'mergingList: [{name: 1, other: a, nonMergingList: [{name: 1, value: c}]}, {name: 2, other: b}]',
    threeWay: '$setElementOrder/mergingList: [{name: 1}, {name: 2}]\nmergingList: [{name: 1, nonMergingList: [{name: 1, value: 1}]}]',
    result: 'mergingList: [{name: 1, other: a, nonMergingList: [{name: 1, value: 1}]}, {name: 2, other: b}]',
  },
  {
    description: 'add field to map in merging list nested in merging list with deletion conflict',
    current: 'mergingList: [{name: 1, other: a, mergingList: [{name: 2, value: 2, other: d}]}, {name: 2, other: b}]',
    threeWay:
      '$setElementOrder/mergingList: [{name: 1}, {name: 2}]\nmergingList: [{$setElementOrder/mergingList: [{name: 2}, {name: 1}], name: 1, mergingList: [{name: 1, value: 1}]}]',
    result: 'mergingList: [{name: 1, other: a, mergingList: [{name: 2, value: 2, other: d}, {name: 1, value: 1}]}, {name: 2, other: b}]',
  },
  {
    description: 'add map to merging list by pointer',
    current: 'mergeItemPtr: [{name: 1, other: a}, {name: 3}]',
    threeWay: '$setElementOrder/mergeItemPtr: [{name: 1}, {name: 2}]\nmergeItemPtr: [{name: 2}]',
    result: 'mergeItemPtr: [{name: 1, other: a}, {name: 2}, {name: 3}]',
  },
  {
    description: 'merge lists of scalars',
    current: 'mergingIntList: [1, 2, 4]',
    threeWay: '$setElementOrder/mergingIntList: [1, 2, 3]\nmergingIntList: [3]',
    result: 'mergingIntList: [1, 2, 3, 4]',
  },
  {
    description: 'add an item in a list of primitives and preserve order',
    current: 'mergingIntList: [1, 4, 2]',
    threeWay: '$setElementOrder/mergingIntList: [3, 1, 2]\nmergingIntList: [3]',
    result: 'mergingIntList: [3, 1, 4, 2]',
  },
  {
    description: 'delete an item in a list of primitives and preserve order',
    current: 'mergingIntList: [1, 2, 3]',
    threeWay: '$setElementOrder/mergingIntList: [2, 1]\n$deleteFromPrimitiveList/mergingIntList: [3]',
    result: 'mergingIntList: [2, 1]',
  },
  {
    description: 'add an item in a list and preserve order',
    current: 'mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}]',
    threeWay: '$setElementOrder/mergingList: [{name: 3}, {name: 1}, {name: 2}]\nmergingList: [{name: 3, value: 3}]',
    result: 'mergingList: [{name: 3, value: 3}, {name: 1, other: a}, {name: 2, value: 2, other: b}]',
  },
  {
    description: 'add multiple items in a list and preserve order',
    current: 'mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}]',
    threeWay: '$setElementOrder/mergingList: [{name: 1}, {name: 4}, {name: 2}, {name: 3}]\nmergingList: [{name: 4, value: 4}, {name: 3, value: 3}]',
    result: 'mergingList: [{name: 1, other: a}, {name: 4, value: 4}, {name: 2, value: 2, other: b}, {name: 3, value: 3}]',
  },
  {
    description: 'delete an item in a list and preserve order',
    current: 'mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}, {name: 3, value: 3}]',
    threeWay: '$setElementOrder/mergingList: [{name: 2}, {name: 1}]\nmergingList: [{name: 3, $patch: delete}]',
    result: 'mergingList: [{name: 2, value: 2, other: b}, {name: 1, other: a}]',
  },
  {
    description: 'add and delete an item in a list and preserve order',
    current: 'mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}, {name: 3, value: 3}]',
    threeWay: '$setElementOrder/mergingList: [{name: 4}, {name: 2}, {name: 1}]\nmergingList: [{name: 4, value: 4}, {name: 3, $patch: delete}]',
    result: 'mergingList: [{name: 4, value: 4}, {name: 2, value: 2, other: b}, {name: 1, other: a}]',
  },
  {
    description: 'set elements order in a list with server-only items',
    current: 'mergingList: [{name: 1, other: a}, {name: 3, value: 3}, {name: 4, value: 4}, {name: 2, value: 2}, {name: 9}]',
    threeWay: '$setElementOrder/mergingList: [{name: 4}, {name: 2}, {name: 3}, {name: 1}]',
    result: 'mergingList: [{name: 4, value: 4}, {name: 2, value: 2}, {name: 3, value: 3}, {name: 1, other: a}, {name: 9}]',
  },
  {
    description: 'set elements order in a list with server-only items 2',
    current: 'mergingList: [{name: 1, other: a}, {name: 2, value: 2}, {name: 9}, {name: 3, value: 3}, {name: 4, value: 4}]',
    threeWay: '$setElementOrder/mergingList: [{name: 2}, {name: 1}, {name: 4}, {name: 3}]',
    result: 'mergingList: [{name: 2, value: 2}, {name: 1, other: a}, {name: 9}, {name: 4, value: 4}, {name: 3, value: 3}]',
  },
  {
    description: 'set elements order in a list with server-only items 3',
    current: 'mergingList: [{name: 1, other: a}, {name: 2, value: 2}, {name: 7}, {name: 9}, {name: 8}, {name: 3, value: 3}, {name: 4, value: 4}]',
    threeWay: '$setElementOrder/mergingList: [{name: 2}, {name: 1}, {name: 4}, {name: 3}]',
    result: 'mergingList: [{name: 2, value: 2}, {name: 1, other: a}, {name: 7}, {name: 9}, {name: 8}, {name: 4, value: 4}, {name: 3, value: 3}]',
  },
  {
    description: 'set elements order in a int list with server-only items 3',
    current: 'mergingIntList: [1, 2, 7, 9, 8, 3, 4]',
    threeWay: '$setElementOrder/mergingIntList: [2, 1, 4, 3]',
    result: 'mergingIntList: [2, 1, 7, 9, 8, 4, 3]',
  },
  {
    description: 'add and delete an item in a int list and preserve order',
    current: 'mergingIntList: [1, 2, 3]',
    threeWay: '$setElementOrder/mergingIntList: [4, 2, 1]\nmergingIntList: [4]\n$deleteFromPrimitiveList/mergingIntList: [3]',
    result: 'mergingIntList: [4, 2, 1]',
  },
  {
    description: 'behavior of set element order for a merging list with duplicate',
    current: 'mergingList: [{name: 1}, {name: 2, value: dup1}, {name: 3}, {name: 2, value: dup2}, {name: 4}]',
    threeWay: '$setElementOrder/mergingList: [{name: 2}, {name: 1}, {name: 4}, {name: 3}, {name: 2}]',
    result: 'mergingList: [{name: 2, value: dup1}, {name: 2, value: dup2}, {name: 1}, {name: 4}, {name: 3}]',
  },
  {
    description: 'behavior of set element order for a merging int list with duplicate',
    current: 'mergingIntList: [1, 2, 3, 2, 4]',
    threeWay: '$setElementOrder/mergingIntList: [2, 1, 4, 3, 2]',
    result: 'mergingIntList: [2, 2, 1, 4, 3]',
  },
  { description: 'retainKeys map should clear defaulted field', current: 'retainKeysMap: {value: foo}', threeWay: 'retainKeysMap: {$retainKeys: [other], other: bar}', result: 'retainKeysMap: {other: bar}' },
  {
    description: 'retainKeys map should clear defaulted field with conflict (discriminated union)',
    current: 'retainKeysMap: {name: type1, value: foo}',
    threeWay: 'retainKeysMap: {$retainKeys: [name, other], name: type2, other: bar}',
    result: 'retainKeysMap: {name: type2, other: bar}',
  },
  {
    description: 'retainKeys map adds a field and clear a field',
    current: 'retainKeysMap: {name: foo, other: a}',
    threeWay: 'retainKeysMap: {$retainKeys: [name, value], value: bar}',
    result: 'retainKeysMap: {name: foo, value: bar}',
  },
  {
    description: 'retainKeys map deletes a field and clears a field',
    current: 'retainKeysMap: {name: foo, value: bar, other: a}',
    threeWay: 'retainKeysMap: {$retainKeys: [name], value: null}',
    result: 'retainKeysMap: {name: foo}',
  },
  {
    description: 'retainKeys map adds a field in a nested map',
    current: 'retainKeysMap: {name: foo, value: bar, simpleMap: {key1: a, key3: c}}',
    threeWay: 'retainKeysMap: {$retainKeys: [name, simpleMap, value], simpleMap: {key2: b}}',
    result: 'retainKeysMap: {name: foo, value: bar, simpleMap: {key1: a, key2: b, key3: c}}',
  },
];

for (const c of cases) {
  test(`strategic merge patch: ${c.description}`, () => {
    if (c.twoWay !== undefined) {
      const got = applyStrategicMergePatch(y(c.original) ?? {}, y(c.twoWay), schema);
      assert.deepEqual(got, y(c.twoWayResult ?? c.modified));
    }
    if (c.threeWay !== undefined) {
      const got = applyStrategicMergePatch(y(c.current), y(c.threeWay), schema);
      assert.deepEqual(got, y(c.result));
    }
  });
}

test('strategic merge patch: errors as kube-apiserver reports them', () => {
  const expectError = (orig: string, patch: string, code: number, fragment: string) => {
    assert.throws(
      () => applyStrategicMergePatch(y(orig), y(patch), schema),
      (e: unknown) => e instanceof PatchError && e.code === code && e.message.includes(fragment),
    );
  };
  expectError(
    'mergingList: [{name: 1}, {name: 3}, {name: 2}]',
    '$setElementOrder/mergingList: [{name: 1}, {name: 2}, {name: 3}]\nmergingList: [{name: 3, value: 3}, {name: 1, value: 1}]',
    500,
    "doesn't match",
  );
  expectError('mergingIntList: [1, 3, 2]', '$setElementOrder/mergingIntList: [1, 2, 3]\nmergingIntList: [3, 1]', 500, "doesn't match");
  expectError('mergingList: [{name: 1, value: a}]', 'mergingList: [{value: b}]', 500, 'does not contain declared merge key');
  expectError('retainKeysMap: {name: foo}', 'retainKeysMap: {$retainKeys: [name], value: x}', 400, 'invalid patch format of retainKeys');
  expectError('simpleMap: {a: b}', 'simpleMap: {$patch: bogus}', 400, 'unknown patch type');
  expectError('mergingIntList: [1]', '$deleteFromPrimitiveList: [1]', 400, 'invalid patch format of primitive list');
  expectError('{}', '$setElementOrder: []', 400, 'invalid patch format of setElementOrder list');
  assert.throws(() => applyStrategicMergePatch({}, [1], schema), (e: unknown) => e instanceof PatchError && e.code === 400);
});

test('strategic merge patch: unknown fields merge like maps and replace like lists', () => {
  const got = applyStrategicMergePatch(
    { extra: { a: 1, b: [1, 2] }, list: [{ name: 'x' }] },
    { extra: { b: [3], c: 2 }, list: [{ name: 'y' }] },
    schema,
  );
  assert.deepEqual(got, { extra: { a: 1, b: [3], c: 2 }, list: [{ name: 'y' }] });
  // And with no schema at all.
  assert.deepEqual(applyStrategicMergePatch({ a: { b: 1 } }, { a: { c: 2 } }, undefined), { a: { b: 1, c: 2 } });
});

test('strategic merge patch: directives in values new to the object are resolved, not stored', () => {
  const got = applyStrategicMergePatch(
    {},
    { mergingList: [{ name: 1, value: 'a' }, { name: 2, $patch: 'delete' }], simpleMap: { $patch: 'replace', k: 'v' }, retainKeysMap: { $retainKeys: ['name'], name: 'n' } },
    schema,
  );
  assert.deepEqual(got, { mergingList: [{ name: 1, value: 'a' }], simpleMap: { k: 'v' }, retainKeysMap: { name: 'n' } });
  // A $patch: delete for a map the object does not have leaves nothing behind.
  assert.deepEqual(applyStrategicMergePatch({}, { simpleMap: { $patch: 'delete' } }, schema), {});
});

test('strategic merge patch: $patch: replace in a merging list replaces the list', () => {
  const got = applyStrategicMergePatch(
    { mergingList: [{ name: 1, value: 'a' }, { name: 2 }] },
    { mergingList: [{ name: 3 }, { $patch: 'replace' }] },
    schema,
  );
  assert.deepEqual(got, { mergingList: [{ name: 3 }] });
});

test('strategic merge patch: $patch: merge is accepted', () => {
  const got = applyStrategicMergePatch({ simpleMap: { a: 'b' } }, { simpleMap: { $patch: 'merge', c: 'd' } }, schema);
  assert.deepEqual(got, { simpleMap: { a: 'b', c: 'd' } });
});

test('strategic merge patch: the original is not modified', () => {
  const orig = { mergingList: [{ name: 1 }], simpleMap: { a: 'b' } };
  const snapshot = structuredClone(orig);
  applyStrategicMergePatch(orig, { mergingList: [{ name: 1, $patch: 'delete' }], simpleMap: null }, schema);
  assert.deepEqual(orig, snapshot);
});

// ---------------------------------------------------------------------------------------------
// kubectl client-side apply: the three-way patches kubectl 1.32 sends for a Deployment.

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function liveDeployment(): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'default',
      uid: 'u1',
      resourceVersion: '5',
      finalizers: ['example.com/a', 'example.com/b'],
      annotations: { [LAST_APPLIED]: '{"v":1}\n', 'deployment.kubernetes.io/revision': '1' },
      labels: { app: 'web' },
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'nginx',
              image: 'nginx:1.25',
              imagePullPolicy: 'IfNotPresent',
              terminationMessagePath: '/dev/termination-log',
              env: [
                { name: 'A', value: '1' },
                { name: 'B', value: '1' },
                { name: 'INJECTED', value: 'x' },
              ],
              ports: [{ containerPort: 80, protocol: 'TCP' }],
            },
            { name: 'sidecar', image: 'proxy:1' },
          ],
          restartPolicy: 'Always',
        },
      },
    },
    status: { replicas: 2 },
  };
}

test('kubectl apply: changed image, env by name ($patch delete, $setElementOrder) and an added port', () => {
  const patch = {
    metadata: { annotations: { [LAST_APPLIED]: '{"v":2}\n' } },
    spec: {
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'nginx' }],
          containers: [
            {
              '$setElementOrder/env': [{ name: 'C' }, { name: 'A' }],
              '$setElementOrder/ports': [{ containerPort: 80 }, { containerPort: 443 }],
              env: [{ name: 'C', value: '3' }, { name: 'A', value: '2' }, { $patch: 'delete', name: 'B' }],
              image: 'nginx:1.26',
              name: 'nginx',
              ports: [{ containerPort: 443 }],
            },
          ],
        },
      },
    },
  };
  const got = applyStrategicMergePatch(liveDeployment(), patch, deploymentSchema()) as any;
  const c = got.spec.template.spec.containers;
  assert.equal(c.length, 2);
  assert.deepEqual(c[0], {
    name: 'nginx',
    image: 'nginx:1.26',
    imagePullPolicy: 'IfNotPresent',
    terminationMessagePath: '/dev/termination-log',
    // The server-only entry lands first: Go's in-place slice edits put it before C in the order
    // the live list is compared against (as in upstream's "add map and delete map" vectors).
    env: [
      { name: 'INJECTED', value: 'x' },
      { name: 'C', value: '3' },
      { name: 'A', value: '2' },
    ],
    ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443 }],
  });
  assert.deepEqual(c[1], { name: 'sidecar', image: 'proxy:1' });
  assert.equal(got.metadata.annotations[LAST_APPLIED], '{"v":2}\n');
  assert.equal(got.metadata.annotations['deployment.kubernetes.io/revision'], '1');
  assert.equal(got.spec.replicas, 2);
  assert.deepEqual(got.status, { replicas: 2 });
});

test('kubectl apply: applying the same change twice is idempotent', () => {
  const patch = {
    spec: {
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'nginx' }],
          containers: [{ image: 'nginx:1.26', name: 'nginx', '$setElementOrder/env': [{ name: 'A' }], env: [{ name: 'A', value: '9' }, { $patch: 'delete', name: 'B' }] }],
        },
      },
    },
  };
  const once = applyStrategicMergePatch(liveDeployment(), patch, deploymentSchema());
  const twice = applyStrategicMergePatch(once, patch, deploymentSchema());
  assert.deepEqual(twice, once);
});

test('kubectl apply: removed field, strategy switch ($retainKeys), finalizer removal, new container', () => {
  const patch = {
    metadata: { '$deleteFromPrimitiveList/finalizers': ['example.com/a'], '$setElementOrder/finalizers': ['example.com/b', 'example.com/c'], finalizers: ['example.com/c'] },
    spec: {
      replicas: null,
      strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' },
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'init' }, { name: 'nginx' }],
          containers: [{ name: 'init', image: 'busybox' }],
        },
      },
    },
  };
  const got = applyStrategicMergePatch(liveDeployment(), patch, deploymentSchema()) as any;
  assert.equal('replicas' in got.spec, false);
  assert.deepEqual(got.spec.strategy, { type: 'Recreate' });
  assert.deepEqual(got.metadata.finalizers, ['example.com/b', 'example.com/c']);
  assert.deepEqual(
    got.spec.template.spec.containers.map((x: { name: string }) => x.name),
    ['init', 'nginx', 'sidecar'],
  );
});

test('kubectl apply: a list without patch strategy (command) is replaced, a granular map merges', () => {
  const live = liveDeployment() as any;
  live.spec.template.spec.containers[0].command = ['a', 'b'];
  live.spec.template.spec.nodeSelector = { zone: 'x', disk: 'ssd' };
  const got = applyStrategicMergePatch(
    live,
    { spec: { template: { spec: { nodeSelector: { zone: 'y', disk: null }, containers: [{ name: 'nginx', command: ['c'] }] } } } },
    deploymentSchema(),
  ) as any;
  assert.deepEqual(got.spec.template.spec.containers[0].command, ['c']);
  assert.deepEqual(got.spec.template.spec.nodeSelector, { zone: 'y' });
});

test('strategic merge patch: ownerReferences merge by uid through the ObjectMeta fallback', () => {
  const got = applyStrategicMergePatch(
    { metadata: { ownerReferences: [{ uid: '1', name: 'a', kind: 'K', apiVersion: 'v1' }] } },
    { metadata: { ownerReferences: [{ uid: '2', name: 'b', kind: 'K', apiVersion: 'v1' }] } },
    deploymentSchema(),
  ) as any;
  assert.deepEqual(
    got.metadata.ownerReferences.map((o: { uid: string }) => o.uid),
    ['2', '1'],
  );
});

test('kubectl apply: $retainKeys inside a merging list item switches a volume source', () => {
  const live = liveDeployment() as any;
  live.spec.template.spec.volumes = [
    { name: 'data', emptyDir: {} },
    { name: 'cfg', configMap: { name: 'a' } },
  ];
  const got = applyStrategicMergePatch(
    live,
    {
      spec: {
        template: {
          spec: {
            '$setElementOrder/volumes': [{ name: 'data' }, { name: 'cfg' }],
            volumes: [{ $retainKeys: ['configMap', 'name'], configMap: { name: 'data-cm' }, name: 'data' }],
          },
        },
      },
    },
    deploymentSchema(),
  ) as any;
  assert.deepEqual(got.spec.template.spec.volumes, [
    { name: 'data', configMap: { name: 'data-cm' } },
    { name: 'cfg', configMap: { name: 'a' } },
  ]);
});
