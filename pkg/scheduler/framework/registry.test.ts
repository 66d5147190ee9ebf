import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Framework } from './framework.js';
import { selectPlugins } from './registry.js';

const names = (spec: string[]) => selectPlugins(spec).map((p) => p.name);

test('--plugins "*" enables every in-tree plugin, in filter order', () => {
  assert.deepEqual(names(['*']), ['APIEnablement', 'TaintToleration', 'ClusterAffinity', 'SpreadConstraint', 'ClusterEviction', 'ClusterLocality']);
});

test('--plugins "-foo" disables, "foo" alone enables only foo', () => {
  assert.deepEqual(names(['*,-ClusterLocality', '-TaintToleration']), ['APIEnablement', 'ClusterAffinity', 'SpreadConstraint', 'ClusterEviction']);
  assert.deepEqual(names(['ClusterAffinity']), ['ClusterAffinity']);
  assert.deepEqual(names([]), []);
});

test('an unknown plugin name is an error that lists the known ones', () => {
  assert.throws(() => names(['*,-Nope']), /"Nope" is not a known scheduler plugin \(APIEnablement, /);
});

test('the framework splits filters from scorers (ClusterAffinity is both)', () => {
  const fw = Framework.fromFlag(['*']);
  assert.deepEqual(
    fw.filterPlugins.map((p) => p.name),
    ['APIEnablement', 'TaintToleration', 'ClusterAffinity', 'SpreadConstraint', 'ClusterEviction'],
  );
  assert.deepEqual(
    fw.scorePlugins.map((p) => p.name),
    ['ClusterAffinity', 'ClusterLocality'],
  );
});
