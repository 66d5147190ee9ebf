// --controllers selection for the agent: upstream names and semantics.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { selectAgentControllers } from './controllers.js';

describe('selectAgentControllers', () => {
  const cases: { spec: string[]; cert?: boolean; enabled: string[]; ignored?: string[] }[] = [
    { spec: ['*'], enabled: ['clusterStatus', 'execution', 'workStatus'], ignored: ['serviceExport', 'endpointsliceCollect'] },
    { spec: ['*,certRotation'], enabled: ['clusterStatus', 'execution', 'workStatus', 'certRotation'], ignored: ['serviceExport', 'endpointsliceCollect'] },
    { spec: ['*'], cert: true, enabled: ['clusterStatus', 'execution', 'workStatus', 'certRotation'], ignored: ['serviceExport', 'endpointsliceCollect'] },
    { spec: ['*', '-certRotation'], cert: true, enabled: ['clusterStatus', 'execution', 'workStatus'], ignored: ['serviceExport', 'endpointsliceCollect'] },
    { spec: ['*,-workStatus,-serviceExport,-endpointsliceCollect'], enabled: ['clusterStatus', 'execution'], ignored: [] },
    { spec: ['execution'], enabled: ['execution'], ignored: [] },
  ];
  for (const tc of cases) {
    test(`${tc.spec.join(' ')}${tc.cert ? ' --enable-cert-rotation' : ''}`, () => {
      const r = selectAgentControllers(tc.spec, tc.cert);
      assert.deepEqual(r.enabled, tc.enabled);
      assert.deepEqual(r.ignored, tc.ignored ?? []);
    });
  }
  test('an unknown name is refused with the known ones', () => {
    assert.throws(() => selectAgentControllers(['*,binding']), /"binding" is not in the list of known agent controllers \(clusterStatus, execution/);
  });
});
