import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { schedulePod, type NodeInfo } from './scheduler.js';
import type { Node, Pod } from './types.js';

function node(name: string, opts: { cpu?: string; memory?: string; pods?: string; labels?: Record<string, string>; taints?: Node['spec'] extends infer S ? S extends { taints?: infer T } ? T : never : never; unschedulable?: boolean } = {}): Node {
  const alloc = { cpu: opts.cpu ?? '4', memory: opts.memory ?? '8Gi', pods: opts.pods ?? '110' };
  return {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(opts.labels ?? {}) } },
    spec: { taints: opts.taints, unschedulable: opts.unschedulable },
    status: { capacity: alloc, allocatable: alloc },
  };
}

function info(n: Node, requested: Record<string, number> = {}, podCount = 0, siblings = 0): NodeInfo {
  return { node: n, requested, podCount, siblings };
}

function pod(requests: Record<string, string> = {}, spec: Partial<NonNullable<Pod['spec']>> = {}): Pod {
  return { metadata: { name: 'p', namespace: 'default', uid: 'u1' }, spec: { containers: [{ name: 'c', image: 'x', resources: { requests } }], ...spec } };
}

describe('schedulePod', () => {
  it('binds to a node that fits', () => {
    const r = schedulePod(pod({ cpu: '1' }), [info(node('a'))]);
    assert.deepEqual(r, { nodeName: 'a' });
  });

  it('explains insufficient resources like kube-scheduler', () => {
    const nodes = ['a', 'b', 'c'].map((n) => info(node(n)));
    assert.deepEqual(schedulePod(pod({ cpu: '5' }), nodes), {
      unschedulable:
        '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
    });
  });

  it('counts each node by its first failing filter and sorts the reasons', () => {
    const nodes = [
      info(node('a', { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }] })),
      info(node('b', { memory: '1Gi' })),
      info(node('c'), { memory: 7 * 2 ** 30 }),
    ];
    const r = schedulePod(pod({ memory: '2Gi' }), nodes);
    assert.deepEqual(r, {
      unschedulable:
        '0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 2 Insufficient memory. ' +
        'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
    });
  });

  it('reports several insufficient resources of one node and too many pods', () => {
    const r = schedulePod(pod({ cpu: '8', memory: '16Gi' }), [info(node('a', { pods: '1' }), {}, 1)]);
    assert.match((r as { unschedulable: string }).unschedulable, /^0\/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 Too many pods\./);
  });

  it('honours nodeSelector, required node affinity and metadata.name fields', () => {
    const nodes = [info(node('a', { labels: { disk: 'hdd' } })), info(node('b', { labels: { disk: 'ssd' } }))];
    assert.deepEqual(schedulePod(pod({}, { nodeSelector: { disk: 'ssd' } }), nodes), { nodeName: 'b' });
    const affinity = (terms: unknown) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } }) as never;
    assert.deepEqual(schedulePod(pod({}, { affinity: affinity([{ matchExpressions: [{ key: 'disk', operator: 'NotIn', values: ['ssd'] }] }]) }), nodes), { nodeName: 'a' });
    assert.deepEqual(schedulePod(pod({}, { affinity: affinity([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['b'] }] }]) }), nodes), { nodeName: 'b' });
    const none = schedulePod(pod({}, { nodeSelector: { disk: 'nvme' } }), nodes) as { unschedulable: string };
    assert.equal(none.unschedulable, "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.");
  });

  it('lets tolerations through taints and keeps cordoned nodes out', () => {
    const tainted = info(node('a', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }));
    const cordoned = info(node('b', { unschedulable: true }));
    assert.deepEqual(schedulePod(pod({}, { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }), [tainted, cordoned]), { nodeName: 'a' });
    const r = schedulePod(pod(), [tainted, cordoned]) as { unschedulable: string };
    assert.match(r.unschedulable, /1 node\(s\) had untolerated taint \{dedicated: gpu\}, 1 node\(s\) were unschedulable\./);
  });

  it('spreads pods of one controller, then prefers the least allocated node', () => {
    const nodes = [info(node('a'), {}, 1, 1), info(node('b'), { cpu: 3000 }, 1, 0), info(node('c'), { cpu: 1000 }, 1, 0)];
    assert.deepEqual(schedulePod(pod({ cpu: '100m' }), nodes), { nodeName: 'c' });
  });

  it('has no nodes to offer on an empty cluster', () => {
    assert.deepEqual(schedulePod(pod(), []), { unschedulable: 'no nodes available to schedule pods' });
  });
});
