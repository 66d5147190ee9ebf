// Where the control plane's Karmada APIs live (one GVR constant per resource for every component), and a
// stand-in for servers that do not serve clusters natively (a real kube-apiserver without karmada's
// aggregated API, or tests).

import { clusterKind, GROUP as CLUSTER_GROUP, VERSION as CLUSTER_VERSION } from '../apis/cluster/v1alpha1/index.js';
import { GROUP as WORK_GROUP, VERSION as WORK_VERSION } from '../apis/work/v1alpha1/index.js';
import { crdForKind } from '../apis/crd.js';
import type { ObjectClient } from '../runtime/client.js';
import { CUSTOMRESOURCEDEFINITIONS, gvr } from '../runtime/gvr.js';
import { isAlreadyExists } from '../runtime/rest.js';

export const CLUSTERS = gvr(CLUSTER_GROUP, CLUSTER_VERSION, 'clusters', false);
export const WORKS = gvr(WORK_GROUP, WORK_VERSION, 'works');
export const RESOURCE_BINDINGS = gvr('work.karmada.io', 'v1alpha2', 'resourcebindings');
export const CLUSTER_RESOURCE_BINDINGS = gvr('work.karmada.io', 'v1alpha2', 'clusterresourcebindings', false);
export const PROPAGATION_POLICIES = gvr('policy.karmada.io', 'v1alpha1', 'propagationpolicies');
export const CLUSTER_PROPAGATION_POLICIES = gvr('policy.karmada.io', 'v1alpha1', 'clusterpropagationpolicies', false);
export const OVERRIDE_POLICIES = gvr('policy.karmada.io', 'v1alpha1', 'overridepolicies');
export const CLUSTER_OVERRIDE_POLICIES = gvr('policy.karmada.io', 'v1alpha1', 'clusteroverridepolicies', false);
export const CLUSTER_TAINT_POLICIES = gvr('policy.karmada.io', 'v1alpha1', 'clustertaintpolicies', false);
export const WORKLOAD_REBALANCERS = gvr('apps.karmada.io', 'v1alpha1', 'workloadrebalancers', false);
export const RESOURCE_INTERPRETER_CUSTOMIZATIONS = gvr('config.karmada.io', 'v1alpha1', 'resourceinterpretercustomizations', false);

/**
 * Makes sure the server serves cluster.karmada.io/v1alpha1 clusters: when it does not (a server
 * without the native Cluster kind), installs the Cluster CRD generated from pkg/apis and waits until it
 * is served. Returns 'native' or 'crd'.
 */
export async function ensureClusterAPI(client: ObjectClient, timeoutMs = 15_000): Promise<'native' | 'crd'> {
  if (await client.serves(CLUSTERS)) return 'native';
  try {
    await client.resource(CUSTOMRESOURCEDEFINITIONS).create(crdForKind(clusterKind));
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
  const deadline = Date.now() + timeoutMs;
  while (!(await client.serves(CLUSTERS))) {
    if (Date.now() > deadline) throw new Error('the clusters.cluster.karmada.io CRD did not become served');
    await new Promise((r) => setTimeout(r, 50));
  }
  return 'crd';
}
