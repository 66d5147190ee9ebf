import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { selectControllers, type ControllerDescriptor } from './manager.js';

const reg: ControllerDescriptor[] = [
  { name: 'cluster', enabledByDefault: true, create: () => ({ name: 'cluster', run: async () => undefined }) },
  { name: 'clusterStatus', enabledByDefault: true, create: () => ({ name: 'clusterStatus', run: async () => undefined }) },
  { name: 'optional', enabledByDefault: false, create: () => ({ name: 'optional', run: async () => undefined }) },
];
const names = (spec: string[]) => selectControllers(spec, reg).map((c) => c.name);

describe('--controllers', () => {
  test('"*" enables the default set; names enable; "-name" disables', () => {
    assert.deepEqual(names(['*']), ['cluster', 'clusterStatus']);
    assert.deepEqual(names(['*,-clusterStatus']), ['cluster']);
    assert.deepEqual(names(['*', 'optional']), ['cluster', 'clusterStatus', 'optional']);
    assert.deepEqual(names(['clusterStatus']), ['clusterStatus']);
    assert.deepEqual(names(['-cluster']), []);
  });
  test('unknown names are rejected', () => {
    assert.throws(() => names(['*,-nope']), /"nope" is not in the list of known controllers/);
  });
});
