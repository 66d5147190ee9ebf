import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClusterStatusSchema } from '../apis/cluster/v1alpha1/types.js';
import { validateKindShape } from '../apis/validate.js';
import { clusterKind } from '../apis/cluster/v1alpha1/types.js';
import { EDGE_CLUSTER_LABEL, EDGE_NODE_ROLE_LABEL, edgeClusterLabelPatch, edgeClusterStatus, edgeNodeSummary, isEdgeNode, slimEdgeNode, type Node } from './cluster.js';

const node = (name: string, opts: { role?: boolean; kubelet?: string; ready?: 'True' | 'False' | 'Unknown' } = {}): Node => ({
  metadata: { name, ...(opts.role ? { labels: { [EDGE_NODE_ROLE_LABEL]: '' } } : {}) },
  status: {
    nodeInfo: { kubeletVersion: opts.kubelet ?? 'v1.31.0' },
    conditions: [{ type: 'Ready', status: opts.ready ?? 'True' }],
  },
});

describe('edge nodes and clusters', () => {
  it('recognises edge nodes by role label or edgecore kubelet version', () => {
    const cases: { name: string; node: Node; want: boolean }[] = [
      { name: 'cloud node', node: node('n'), want: false },
      { name: 'role label with empty value', node: node('e', { role: true }), want: true },
      { name: 'edgecore kubelet without label', node: node('e', { kubelet: 'v1.29.5-kubeedge-v1.20.0' }), want: true },
      { name: 'no status at all', node: { metadata: { name: 'x' } }, want: false },
      { name: 'other role label', node: { metadata: { name: 'x', labels: { 'node-role.kubernetes.io/control-plane': '' } } }, want: false },
    ];
    for (const c of cases) assert.equal(isEdgeNode(c.node), c.want, c.name);
  });

  it('summarises edge nodes only, and nothing without them', () => {
    const cases: { name: string; nodes: Node[]; want: ReturnType<typeof edgeNodeSummary> }[] = [
      { name: 'no nodes', nodes: [], want: undefined },
      { name: 'cloud nodes only', nodes: [node('a'), node('b')], want: undefined },
      { name: 'mixed', nodes: [node('a'), node('e0', { role: true }), node('e1', { role: true, ready: 'Unknown' }), node('e2', { kubelet: 'v1.31.0-kubeedge-v1.20.0', ready: 'False' })], want: { totalNum: 3, readyNum: 1 } },
      { name: 'all edge ready', nodes: [node('e0', { role: true }), node('e1', { role: true })], want: { totalNum: 2, readyNum: 2 } },
    ];
    for (const c of cases) assert.deepEqual(edgeNodeSummary(c.nodes), c.want, c.name);
    assert.deepEqual(edgeClusterStatus([node('a')]), { isKubeEdge: false });
    assert.deepEqual(edgeClusterStatus([node('a'), node('e', { role: true })]), { isKubeEdge: true, edgeNodeSummary: { totalNum: 1, readyNum: 1 } });
  });

  it('makes the Cluster label follow isKubeEdge with the smallest patch', () => {
    const cluster = (labels?: Record<string, string>) => ({ metadata: { name: 'member3', ...(labels ? { labels } : {}) } });
    const cases: { name: string; labels?: Record<string, string>; edge: boolean; want: unknown }[] = [
      { name: 'new edge cluster', edge: true, want: { metadata: { labels: { [EDGE_CLUSTER_LABEL]: 'true' } } } },
      { name: 'already labelled', labels: { [EDGE_CLUSTER_LABEL]: 'true', a: 'b' }, edge: true, want: undefined },
      { name: 'wrong value fixed', labels: { [EDGE_CLUSTER_LABEL]: 'false' }, edge: true, want: { metadata: { labels: { [EDGE_CLUSTER_LABEL]: 'true' } } } },
      { name: 'edge nodes gone', labels: { [EDGE_CLUSTER_LABEL]: 'true' }, edge: false, want: { metadata: { labels: { [EDGE_CLUSTER_LABEL]: null } } } },
      { name: 'never edge', labels: { a: 'b' }, edge: false, want: undefined },
    ];
    for (const c of cases) assert.deepEqual(edgeClusterLabelPatch(cluster(c.labels), c.edge), c.want, c.name);
  });

  it('slims nodes to what the summary reads without changing the answer', () => {
    const full = {
      metadata: { name: 'e', uid: 'u', resourceVersion: '7', labels: { [EDGE_NODE_ROLE_LABEL]: '', 'kubernetes.io/os': 'linux' }, annotations: { a: 'b' } },
      spec: { podCIDR: '10.0.0.0/24' },
      status: { nodeInfo: { kubeletVersion: 'v1.31.0', osImage: 'x' }, conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }], capacity: { cpu: '4' } },
    };
    const slim = slimEdgeNode(full);
    assert.deepEqual(slim.metadata?.labels, { [EDGE_NODE_ROLE_LABEL]: '' });
    assert.equal(slim.spec, undefined);
    assert.deepEqual(edgeNodeSummary([slim]), edgeNodeSummary([full]));
    const byKubelet = slimEdgeNode({ metadata: { name: 'k' }, status: { nodeInfo: { kubeletVersion: 'v1.31.0-kubeedge-v1.20.0' }, conditions: [] } });
    assert.equal(isEdgeNode(byKubelet), true);
  });

  it('Cluster status carries edgeNodeSummary beside nodeSummary', () => {
    const status = { nodeSummary: { totalNum: 4, readyNum: 4 }, edgeNodeSummary: { totalNum: 2, readyNum: 1 } };
    assert.deepEqual(ClusterStatusSchema.parse(status).edgeNodeSummary, { totalNum: 2, readyNum: 1 });
    const cluster = { apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name: 'member3' }, spec: { syncMode: 'Pull' }, status };
    assert.deepEqual(validateKindShape(clusterKind, cluster), []);
    const bad = { ...cluster, status: { edgeNodeSummary: { totalNum: 'two' } } };
    assert.notDeepEqual(validateKindShape(clusterKind, bad), []);
  });
});
