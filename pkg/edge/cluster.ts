// KubeEdge awareness for Cluster objects (pure): which member nodes are KubeEdge edge nodes, the
// edgeNodeSummary the cluster status reports beside nodeSummary, and the Cluster label that lets
// policies select clusters running KubeEdge (clusterAffinity.labelSelector on EDGE_CLUSTER_LABEL).

import type { KubeObject } from '../runtime/types.js';

/** "true" on Clusters running KubeEdge (set by the agent / cluster status collection). */
export const EDGE_CLUSTER_LABEL = 'cluster.karmada.io/kubeedge';
/** The role label keadm/edgecore put on edge nodes (value ""). */
export const EDGE_NODE_ROLE_LABEL = 'node-role.kubernetes.io/edge';

/** The slice of a Node this module reads. */
export interface Node extends KubeObject {
  status?: { nodeInfo?: { kubeletVersion?: string }; conditions?: { type: string; status: string }[] };
}

export interface EdgeNodeSummary {
  totalNum: number;
  readyNum: number;
}

export interface EdgeClusterStatus {
  /** Absent when the cluster has no edge node. */
  edgeNodeSummary?: EdgeNodeSummary;
  isKubeEdge: boolean;
}

/** An edge node: the edge role label, or an edgecore kubelet (its version reads like v1.31.0-kubeedge-v1.20.0). */
export function isEdgeNode(node: Node): boolean {
  if (node.metadata?.labels?.[EDGE_NODE_ROLE_LABEL] !== undefined) return true;
  return /kubeedge/i.test(node.status?.nodeInfo?.kubeletVersion ?? '');
}

function isReady(node: Node): boolean {
  return (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Edge nodes total/ready; undefined when there is no edge node (the field is then left out). */
export function edgeNodeSummary(nodes: readonly Node[]): EdgeNodeSummary | undefined {
  const edge = nodes.filter(isEdgeNode);
  if (!edge.length) return undefined;
  return { totalNum: edge.length, readyNum: edge.filter(isReady).length };
}

/** What the cluster status collection adds for KubeEdge: a cluster with at least one edge node runs KubeEdge. */
export function edgeClusterStatus(nodes: readonly Node[]): EdgeClusterStatus {
  const summary = edgeNodeSummary(nodes);
  return summary ? { edgeNodeSummary: summary, isKubeEdge: true } : { isKubeEdge: false };
}

/**
 * The metadata.labels merge patch that makes a Cluster's EDGE_CLUSTER_LABEL follow isKubeEdge ("true", or
 * removed), or undefined when the label is already right. Call it only with a synced node cache: an empty
 * list before the first sync would drop the label and move edge workloads away.
 */
export function edgeClusterLabelPatch(cluster: KubeObject, isKubeEdge: boolean): { metadata: { labels: Record<string, string | null> } } | undefined {
  const current = cluster.metadata?.labels?.[EDGE_CLUSTER_LABEL];
  if (isKubeEdge && current !== 'true') return { metadata: { labels: { [EDGE_CLUSTER_LABEL]: 'true' } } };
  if (!isKubeEdge && current !== undefined) return { metadata: { labels: { [EDGE_CLUSTER_LABEL]: null } } };
  return undefined;
}

/**
 * Strips a member Node to what isEdgeNode/edgeNodeSummary read, for informers that slim their objects
 * (the cluster status controller keeps only allocatable and conditions otherwise).
 */
export function slimEdgeNode(obj: KubeObject): Node {
  const n = obj as Node;
  const role = n.metadata?.labels?.[EDGE_NODE_ROLE_LABEL];
  return {
    metadata: { name: n.metadata?.name, uid: n.metadata?.uid, resourceVersion: n.metadata?.resourceVersion, ...(role !== undefined ? { labels: { [EDGE_NODE_ROLE_LABEL]: role } } : {}) },
    status: {
      ...(n.status?.nodeInfo?.kubeletVersion ? { nodeInfo: { kubeletVersion: n.status.nodeInfo.kubeletVersion } } : {}),
      conditions: n.status?.conditions?.map((c) => ({ type: c.type, status: c.status })),
    },
  };
}
