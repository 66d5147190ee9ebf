import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fnv32a } from '../../apis/work/v1alpha2/index.js';
import { spreadReplicasByTargetClusters } from './webster.js';

test('completions follow the replicas split (10 completions over 2:1 → 7:3), sorted by name', () => {
  assert.deepEqual(spreadReplicasByTargetClusters(10, [{ name: 'm2', replicas: 1 }, { name: 'm1', replicas: 2 }]), [
    { name: 'm1', replicas: 7 },
    { name: 'm2', replicas: 3 },
  ]);
  assert.deepEqual(spreadReplicasByTargetClusters(9, [{ name: 'a', replicas: 1 }, { name: 'b', replicas: 3 }]), [
    { name: 'a', replicas: 2 },
    { name: 'b', replicas: 7 },
  ]);
});

test('a full tie is broken by the UID hash: one bit picks ascending or descending names', () => {
  const uids = ['uid-0', 'uid-1', 'uid-2', 'uid-3', 'uid-4', 'uid-5'];
  const odd = uids.find((u) => (fnv32a(u) & 1) === 1)!;
  const even = uids.find((u) => (fnv32a(u) & 1) === 0)!;
  const clusters = [{ name: 'a', replicas: 1 }, { name: 'b', replicas: 1 }];
  assert.deepEqual(spreadReplicasByTargetClusters(1, clusters, even), [{ name: 'a', replicas: 1 }, { name: 'b', replicas: 0 }]);
  assert.deepEqual(spreadReplicasByTargetClusters(1, clusters, odd), [{ name: 'a', replicas: 0 }, { name: 'b', replicas: 1 }]);
});
