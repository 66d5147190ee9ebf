// Labels the cluster status hook wants on the Cluster.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { labelChanges } from '../controllers/clusterstatus/collect.js';

describe('labelChanges', () => {
  const cases: { name: string; current?: Record<string, string>; wanted?: Record<string, string | null>; out?: Record<string, string | null> }[] = [
    { name: 'no hook labels', current: { a: '1' }, wanted: undefined, out: undefined },
    { name: 'already set', current: { 'cluster.karmada.io/kubeedge': 'true' }, wanted: { 'cluster.karmada.io/kubeedge': 'true' }, out: undefined },
    { name: 'added', current: undefined, wanted: { 'cluster.karmada.io/kubeedge': 'true' }, out: { 'cluster.karmada.io/kubeedge': 'true' } },
    { name: 'changed', current: { k: 'false' }, wanted: { k: 'true' }, out: { k: 'true' } },
    { name: 'removed when present', current: { k: 'true', o: '1' }, wanted: { k: null }, out: { k: null } },
    { name: 'removal of an absent label is no change', current: { o: '1' }, wanted: { k: null }, out: undefined },
  ];
  for (const tc of cases) test(tc.name, () => assert.deepEqual(labelChanges(tc.current, tc.wanted), tc.out));
});
