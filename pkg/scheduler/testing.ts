// Builders for scheduler tests and benchmarks: clusters with a resource summary and API list, and bindings.

import type { Cluster } from '../apis/cluster/v1alpha1/index.js';
import type { Taint } from '../apis/core/v1/types.js';
import type { Placement } from '../apis/policy/v1alpha1/index.js';
import type { ResourceBindingSpec, ResourceBindingStatus, TargetCluster } from '../apis/work/v1alpha2/index.js';
import type { SchedulableBinding } from './core/genericscheduler.js';

export interface ClusterFixture {
  labels?: Record<string, string>;
  provider?: string;
  region?: string;
  zones?: string[];
  taints?: Taint[];
  /** pods the cluster can still take (allocatable pods; nothing allocated) */
  pods?: number;
  /** allocatable cpu/memory (defaults: plenty) */
  cpu?: string;
  memory?: string;
  /** without a resource summary */
  noSummary?: boolean;
  /** without apps/v1 Deployment in status.apiEnablements */
  noAPI?: boolean;
  deleting?: boolean;
}

export function testCluster(name: string, f: ClusterFixture = {}): Cluster {
  return {
    apiVersion: 'cluster.karmada.io/v1alpha1',
    kind: 'Cluster',
    metadata: { name, labels: f.labels ?? {}, ...(f.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: {
      syncMode: 'Push',
      ...(f.provider ? { provider: f.provider } : {}),
      ...(f.region ? { region: f.region } : {}),
      ...(f.zones ? { zones: f.zones } : {}),
      ...(f.taints ? { taints: f.taints } : {}),
    },
    status: {
      apiEnablements: f.noAPI ? [{ groupVersion: 'v1', resources: [{ name: 'configmaps', kind: 'ConfigMap' }] }] : [{ groupVersion: 'apps/v1', resources: [{ name: 'deployments', kind: 'Deployment' }] }],
      conditions: [
        { type: 'Ready', status: 'True', reason: 'ClusterReady', message: 'ready', lastTransitionTime: '2026-01-01T00:00:00Z' },
        { type: 'CompleteAPIEnablements', status: 'True', reason: 'Complete', message: '', lastTransitionTime: '2026-01-01T00:00:00Z' },
      ],
      ...(f.noSummary
        ? {}
        : {
            resourceSummary: {
              allocatable: { cpu: f.cpu ?? '1000', memory: f.memory ?? '4000Gi', pods: String(f.pods ?? 1000) },
              allocated: { cpu: '0', memory: '0', pods: '0' },
              allocating: { cpu: '0', memory: '0', pods: '0' },
            },
          }),
    },
  };
}

export interface BindingFixture {
  replicas?: number;
  placement?: Placement;
  clusters?: TargetCluster[];
  uid?: string;
  requests?: Record<string, string>;
  status?: ResourceBindingStatus;
  rescheduleTriggeredAt?: string;
  gracefulEvictionTasks?: ResourceBindingSpec['gracefulEvictionTasks'];
}

export function testBinding(f: BindingFixture = {}): SchedulableBinding & { spec: ResourceBindingSpec } {
  return {
    metadata: { name: 'nginx-deployment', namespace: 'default' },
    spec: {
      resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'nginx', uid: f.uid ?? 'uid-b' },
      replicas: f.replicas ?? 0,
      ...(f.requests ? { replicaRequirements: { resourceRequest: f.requests } } : {}),
      placement: f.placement ?? {},
      ...(f.clusters ? { clusters: f.clusters } : {}),
      ...(f.rescheduleTriggeredAt ? { rescheduleTriggeredAt: f.rescheduleTriggeredAt } : {}),
      ...(f.gracefulEvictionTasks ? { gracefulEvictionTasks: f.gracefulEvictionTasks } : {}),
    },
    status: f.status ?? {},
  };
}

export const DIVIDED_DYNAMIC: Placement = {
  replicaScheduling: { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Weighted', weightPreference: { dynamicWeight: 'AvailableReplicas' } },
};

export const DIVIDED_AGGREGATED: Placement = {
  replicaScheduling: { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Aggregated' },
};

export function staticWeights(...rules: { clusters?: string[]; labels?: Record<string, string>; weight: number }[]): Placement {
  return {
    replicaScheduling: {
      replicaSchedulingType: 'Divided',
      replicaDivisionPreference: 'Weighted',
      weightPreference: {
        staticWeightList: rules.map((r) => ({
          targetCluster: { ...(r.clusters ? { clusterNames: r.clusters } : {}), ...(r.labels ? { labelSelector: { matchLabels: r.labels } } : {}) },
          weight: r.weight,
        })),
      },
    },
  };
}
