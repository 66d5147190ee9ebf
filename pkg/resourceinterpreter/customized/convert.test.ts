import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EMPTY_TABLE, resolveEmptyTables } from './convert.js';
import { resourceAdd } from './kube.js';

test('empty Lua tables become [] or {} as the references had them, or are dropped', () => {
  const reference = {
    spec: { selector: {}, ports: [], template: { spec: { containers: [{ name: 'a', ports: [] }] } }, list: ['x'] },
    status: {},
  };
  const result = {
    spec: {
      selector: EMPTY_TABLE,
      ports: EMPTY_TABLE,
      template: { spec: { containers: [{ name: 'a', ports: EMPTY_TABLE }, EMPTY_TABLE] } },
      list: EMPTY_TABLE,
      added: EMPTY_TABLE,
    },
    status: EMPTY_TABLE,
  };
  assert.deepEqual(resolveEmptyTables(result, [reference], 'object'), {
    spec: { selector: {}, ports: [], template: { spec: { containers: [{ name: 'a', ports: [] }, {}] } }, list: [] },
    status: {},
  });
  assert.deepEqual(resolveEmptyTables(EMPTY_TABLE, [], 'object'), {});
  assert.deepEqual(resolveEmptyTables(EMPTY_TABLE, [], 'array'), []);
  assert.deepEqual(resolveEmptyTables({ a: 1, b: [1, 2] }, [], 'object'), { a: 1, b: [1, 2] });
});

test('kube.resourceAdd sums quantities in canonical form', () => {
  assert.equal(resourceAdd('100m', '200m', undefined), '300m');
  assert.equal(resourceAdd('1Gi', '512Mi'), '1536Mi');
  assert.equal(resourceAdd('1', '500m'), '1500m');
  assert.equal(resourceAdd(), '0');
  assert.throws(() => resourceAdd('1', 2), /bad argument #2 \(string expected, got number\)/);
  assert.throws(() => resourceAdd('lots'), /bad argument #1/);
});
