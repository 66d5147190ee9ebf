import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { simConfig } from './cluster.js';
import { defaultTolerationSeconds, desiredTaints, evictionTime, nodeAddressing, nodeConditions, nodeHealthOf, podIPsOf, simulatedNode } from './nodes.js';
import { FAIL_ANNOTATION, TAINT_UNREACHABLE } from './podutil.js';
import type { AdmissionAttributes } from '../apiserver/admission/types.js';
import { BUILTIN_KINDS } from '../apiserver/schema/builtin.js';

const T0 = Date.parse('2025-01-01T00:00:00Z');

describe('simulated nodes', () => {
  it('registers like a kubelet: labels, provider, capacity, CIDR, edge role', () => {
    const cfg = simConfig({ name: 'm1', nodes: 2, zones: ['a', 'b'], region: 'r', provider: 'aws', nodeCpu: '4', nodeMemory: '16Gi', nodePods: 50 });
    const n = simulatedNode(cfg, 'm1-node-1', 1, false, T0);
    const l = n.metadata!.labels!;
    assert.equal(l['kubernetes.io/hostname'], 'm1-node-1');
    assert.equal(l['topology.kubernetes.io/zone'], 'b');
    assert.equal(l['topology.kubernetes.io/region'], 'r');
    assert.equal(l['node.kubernetes.io/instance-type'], 'sim.4c16g');
    assert.equal(l['kube-sim.karmada.io/provider'], 'aws');
    assert.equal(n.spec!.podCIDR, '10.244.1.0/24');
    assert.equal(n.spec!.providerID, 'aws://r/b/m1-node-1');
    assert.deepEqual(n.status!.allocatable, { cpu: '4', 'ephemeral-storage': '100Gi', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '16Gi', pods: '50' });
    assert.equal(n.status!.conditions!.find((c) => c.type === 'Ready')!.status, 'True');
    const edge = simulatedNode(cfg, 'm1-edge-node-0', 0, true, T0);
    assert.equal(edge.metadata!.labels!['node-role.kubernetes.io/edge'], '');
    assert.match(edge.status!.nodeInfo!.kubeletVersion!, /kubeedge/);
    assert.equal(edge.spec!.podCIDR, '10.244.2.0/24');
  });

  it('addresses nodes per cluster and hands out pod IPs from .2', () => {
    assert.equal(nodeAddressing('x', 300).podCIDR, '10.245.44.0/24');
    assert.match(nodeAddressing('x', 0).internalIP, /^172\.(1[6-9]|2\d|3[01])\.0\.2$/);
    const r = podIPsOf('10.244.3.0/24')!;
    assert.equal(r.last - r.first, 252);
  });

  it('turns the fail annotation into conditions and taints, and back', () => {
    const cfg = simConfig({ name: 'm1' });
    const node = simulatedNode(cfg, 'm1-node-0', 0, false, T0);
    node.metadata!.annotations![FAIL_ANNOTATION] = 'true';
    assert.equal(nodeHealthOf(node), 'Unreachable');
    const conds = nodeConditions(node.status!.conditions, 'Unreachable', T0 + 5000);
    const ready = conds.find((c) => c.type === 'Ready')!;
    assert.deepEqual([ready.status, ready.reason, ready.message], ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.']);
    assert.equal(ready.lastHeartbeatTime, '2025-01-01T00:00:00Z', 'heartbeat stops');
    assert.equal(ready.lastTransitionTime, '2025-01-01T00:00:05Z');
    const taints = desiredTaints(node, 'Unreachable', T0 + 5000);
    assert.deepEqual(taints, [
      { key: TAINT_UNREACHABLE, effect: 'NoSchedule' },
      { key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: '2025-01-01T00:00:05Z' },
    ]);
    node.spec!.taints = [...taints, { key: 'user', effect: 'NoSchedule' }];
    assert.deepEqual(desiredTaints(node, 'Ready', T0 + 9000), [{ key: 'user', effect: 'NoSchedule' }]);
    node.metadata!.annotations![FAIL_ANNOTATION] = 'NotReady';
    assert.equal(nodeHealthOf(node), 'NotReady');
    // Unchanged health: the same array comes back (no status write, no heartbeat churn).
    assert.equal(nodeConditions(conds, 'Unreachable', T0 + 60_000), conds);
  });

  it('evicts by NoExecute taints and tolerations like the taint manager', () => {
    const taints = [{ key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: '2025-01-01T00:00:00Z' }];
    assert.equal(evictionTime([], taints, T0 + 1), T0 + 1, 'not tolerated: now');
    assert.equal(evictionTime([{ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }], taints, T0), T0 + 30_000);
    assert.equal(evictionTime([{ operator: 'Exists' }], taints, T0), undefined, 'tolerated forever');
    assert.equal(evictionTime([], [{ key: 'k', effect: 'NoSchedule' }], T0), undefined);
  });

  it('gives pods default not-ready/unreachable tolerations', () => {
    const plugin = defaultTolerationSeconds(30);
    const pods = BUILTIN_KINDS.find((d) => d.kind === 'Pod')!;
    const obj = { spec: { containers: [], tolerations: [{ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }] } };
    plugin.admit!({ operation: 'CREATE', descriptor: pods, object: obj } as unknown as AdmissionAttributes);
    assert.deepEqual(obj.spec.tolerations, [
      { key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 },
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 },
    ]);
  });
});
