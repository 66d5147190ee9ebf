// One cluster status collection, shared by the cluster status controller (Push clusters, reached through
// their secretRef) and the karmada-agent (its own member): the member's node/pod caches, what a healthy
// member reports (version, served APIs, node and resource summaries), and how the result is written
// into a ClusterStatus.

import type { Logger } from 'pino';
import type { ClusterStatus, ResourceModel } from '../../apis/cluster/v1alpha1/index.js';
import { NODES, PODS } from '../../runtime/gvr.js';
import { errText, Informer } from '../../runtime/informer.js';
import type { RestClient } from '../../runtime/rest.js';
import type { KubeObject } from '../../runtime/types.js';
import { setStatusCondition, type StatusCondition } from '../../util/conditions.js';
import { apiEnablementsCondition, discoverAPIs, kubernetesVersion, toAPIEnablements } from './memberstatus.js';
import { nodeSummary, resourceSummary, slimNode, slimPod, type Node, type Pod } from './summary.js';
import { EDGE_CLUSTER_LABEL, EDGE_NODE_ROLE_LABEL, edgeClusterStatus } from '../../edge/cluster.js';

/** A ClusterStatus whose conditions list can be edited in place. */
export type MutableClusterStatus = Omit<ClusterStatus, 'conditions'> & { conditions: StatusCondition[] };

/** The fields one collection may write (absent ones are left as they are). */
export const COLLECTED_STATUS_FIELDS = ['kubernetesVersion', 'apiEnablements', 'nodeSummary', 'resourceSummary', 'edgeNodeSummary'] as const;

/** Per-member node and pod caches for the summaries. */
export interface MemberStatusCaches {
  rest: RestClient;
  nodes: Informer<Node>;
  pods: Informer<Pod>;
}

/**
 * Starts node and pod informers on the member (slimmed to what the summaries read; a caller that reads
 * more of the nodes, e.g. their labels, passes its own node transform).
 */
export function startMemberStatusCaches(rest: RestClient, logger?: Logger, opts: { nodeTransform?: (obj: KubeObject) => Node } = {}): MemberStatusCaches {
  const common = { client: rest, logger, backoff: { initialMs: 500, maxMs: 10_000 } };
  const caches: MemberStatusCaches = {
    rest,
    nodes: new Informer<Node>({ ...common, gvr: NODES, transform: opts.nodeTransform ?? slimNodeKeepingEdgeRole }),
    pods: new Informer<Pod>({ ...common, gvr: PODS, transform: slimPod }),
  };
  caches.nodes.start();
  caches.pods.start();
  return caches;
}

export async function stopMemberStatusCaches(caches: MemberStatusCaches): Promise<void> {
  await Promise.all([caches.nodes.stop(), caches.pods.stop()]);
}

export interface CollectedMemberStatus {
  /** Fields to write (see COLLECTED_STATUS_FIELDS). */
  collected: Partial<ClusterStatus>;
  /** Conditions besides Ready (CompleteAPIEnablements). */
  conditions: StatusCondition[];
  /** Cluster labels that follow the member (the KubeEdge label; null removes), when the nodes were seen. */
  labels?: Record<string, string | null>;
  /** The cached nodes and pods the summaries were computed from; undefined when the caches were not synced. */
  nodes?: Node[];
  pods?: Pod[];
}

export interface CollectMemberStatusOptions {
  cluster: string;
  logger: Logger;
  /** Node/pod caches; without them (resource modeling off) no summaries are collected. */
  caches?: MemberStatusCaches;
  resourceModels?: readonly ResourceModel[];
  /** How long to wait for the caches' first list before skipping the summaries (default 5 s). */
  cacheSyncTimeoutMs?: number;
}

/** What a healthy member reports: Kubernetes version, served APIs, node and resource summaries. */
export async function collectMemberStatus(rest: RestClient, opts: CollectMemberStatusOptions): Promise<CollectedMemberStatus> {
  const { cluster, logger } = opts;
  const collected: Partial<ClusterStatus> = {};
  const conditions: StatusCondition[] = [];
  const out: CollectedMemberStatus = { collected, conditions };
  try {
    collected.kubernetesVersion = await kubernetesVersion(rest);
  } catch (err) {
    logger.warn({ cluster, err: errText(err) }, 'cannot read the Kubernetes version');
    collected.kubernetesVersion = '';
  }
  try {
    const { lists, partial } = await discoverAPIs(rest);
    collected.apiEnablements = toAPIEnablements(lists);
    conditions.push(apiEnablementsCondition(collected.apiEnablements.length, partial));
  } catch (err) {
    logger.warn({ cluster, err: errText(err) }, 'cannot discover the APIs of the member cluster');
    collected.apiEnablements = [];
    conditions.push(apiEnablementsCondition(0, true));
  }
  if (opts.caches) {
    const timeout = opts.cacheSyncTimeoutMs ?? 5000;
    const synced = (await opts.caches.nodes.waitForSync(timeout)) && (await opts.caches.pods.waitForSync(timeout));
    if (synced) {
      out.nodes = opts.caches.nodes.indexer.list();
      out.pods = opts.caches.pods.indexer.list();
      collected.nodeSummary = nodeSummary(out.nodes);
      collected.resourceSummary = resourceSummary(out.nodes, out.pods, opts.resourceModels);
      // KubeEdge members: edge nodes counted beside nodeSummary, and a label policies can select
      const edge = edgeClusterStatus(out.nodes);
      collected.edgeNodeSummary = edge.edgeNodeSummary;
      out.labels = { [EDGE_CLUSTER_LABEL]: edge.isKubeEdge ? 'true' : null };
    } else {
      logger.info({ cluster }, 'member node/pod caches not synced yet; summaries kept');
    }
  }
  return out;
}

/** Writes a collection into status: the collected fields, the extra conditions, then Ready. */
export function applyCollectedStatus(status: MutableClusterStatus, collected: Partial<ClusterStatus>, conditions: readonly StatusCondition[], ready: StatusCondition, now: string): void {
  for (const k of COLLECTED_STATUS_FIELDS) {
    if (k in collected) (status as Record<string, unknown>)[k] = collected[k];
  }
  for (const c of conditions) setStatusCondition(status.conditions, { ...c }, now);
  setStatusCondition(status.conditions, { ...ready }, now);
}

/** slimNode plus the edge role label (what edgeClusterStatus reads). */
export function slimNodeKeepingEdgeRole(obj: KubeObject): Node {
  const n = slimNode(obj);
  const role = obj.metadata?.labels?.[EDGE_NODE_ROLE_LABEL];
  return role === undefined ? n : { ...n, metadata: { ...n.metadata, labels: { ...n.metadata?.labels, [EDGE_NODE_ROLE_LABEL]: role } } };
}

/** Labels that differ between the Cluster and what the collection wants (undefined: nothing to change). */
export function labelChanges(current: Record<string, string> | undefined, wanted: Record<string, string | null> | undefined): Record<string, string | null> | undefined {
  if (!wanted) return undefined;
  const out: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(wanted)) {
    const cur = current?.[k];
    if (v === null ? cur !== undefined : cur !== v) out[k] = v;
  }
  return Object.keys(out).length ? out : undefined;
}
