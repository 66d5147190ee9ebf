// What `karmadactl register` puts into the member cluster (Karmada's createSecretAndRBACInMemberCluster and
// makeKarmadaAgentDeployment): namespace karmada-system (labelled when register creates it, so unregister
// knows it may delete it), Secret karmada-kubeconfig with the agent's credentials, ServiceAccount
// karmada-agent-sa bound to ClusterRole karmada-agent (everything), and the karmada-agent Deployment.

import { NAMESPACE_KARMADA_SYSTEM } from '../../apis/cluster/v1alpha1/index.js';
import type { ObjectClient } from '../../runtime/client.js';
import { CLUSTERROLEBINDINGS, CLUSTERROLES, NAMESPACES, SECRETS, SERVICEACCOUNTS, type GVR } from '../../runtime/gvr.js';
import { isNotFound } from '../../runtime/rest.js';
import type { KubeObject } from '../../runtime/types.js';
import { CommandError } from '../util/factory.js';
import { DEPLOYMENTS, KARMADA_SYSTEM_LABEL, KARMADA_SYSTEM_LABEL_VALUE } from './rbac.js';

export const KARMADA_AGENT_NAME = 'karmada-agent';
export const KARMADA_KUBECONFIG_SECRET = 'karmada-kubeconfig';
export const KARMADA_AGENT_SERVICE_ACCOUNT = 'karmada-agent-sa';
export const DEFAULT_AGENT_IMAGE = 'docker.io/karmada/karmada-agent:latest';
/** Where the agent keeps its offline store in the image (a volume in the Deployment). */
export const AGENT_DATA_DIR = '/var/lib/karmada-agent';

export interface MemberObject {
  gvr: GVR;
  object: KubeObject;
}

export interface AgentDeploymentOptions {
  namespace: string;
  clusterName: string;
  /** The member's API endpoint as the kubeconfig names it (--cluster-api-endpoint). */
  memberEndpoint: string;
  image: string;
  replicas: number;
  provider?: string;
  region?: string;
  zones?: string[];
}

const systemLabels = () => ({ [KARMADA_SYSTEM_LABEL]: KARMADA_SYSTEM_LABEL_VALUE });
const agentLabels = () => ({ app: KARMADA_AGENT_NAME });

/** The karmada-agent Deployment (image from --karmada-agent-image; upstream's agent flags that cmd/karmada-agent knows). */
export function agentDeployment(o: AgentDeploymentOptions): KubeObject {
  const command = [
    '/bin/karmada-agent',
    `--karmada-kubeconfig=/etc/kubeconfig/${KARMADA_KUBECONFIG_SECRET}`,
    `--cluster-name=${o.clusterName}`,
    `--cluster-api-endpoint=${o.memberEndpoint}`,
    ...(o.provider ? [`--cluster-provider=${o.provider}`] : []),
    ...(o.region ? [`--cluster-region=${o.region}`] : []),
    ...(o.zones?.length ? [`--cluster-zones=${o.zones.join(',')}`] : []),
    '--controllers=*',
    '--cluster-status-update-frequency=10s',
    `--data-dir=${AGENT_DATA_DIR}`,
  ];
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: KARMADA_AGENT_NAME, namespace: o.namespace, labels: agentLabels() },
    spec: {
      replicas: o.replicas,
      selector: { matchLabels: agentLabels() },
      template: {
        metadata: { labels: agentLabels() },
        spec: {
          serviceAccountName: KARMADA_AGENT_SERVICE_ACCOUNT,
          containers: [
            {
              name: KARMADA_AGENT_NAME,
              image: o.image,
              command,
              volumeMounts: [
                { name: 'kubeconfig', mountPath: '/etc/kubeconfig' },
                { name: 'agent-data', mountPath: AGENT_DATA_DIR },
              ],
            },
          ],
          volumes: [
            { name: 'kubeconfig', secret: { secretName: KARMADA_KUBECONFIG_SECRET } },
            { name: 'agent-data', emptyDir: {} },
          ],
          tolerations: [{ key: 'node-role.kubernetes.io/master', operator: 'Exists' }],
        },
      },
    },
  };
}

/** Everything register creates in the member after its namespace, in creation order. */
export function memberObjects(o: AgentDeploymentOptions & { agentKubeconfig: string }): MemberObject[] {
  const labels = systemLabels();
  return [
    {
      gvr: SECRETS,
      object: {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'Opaque',
        metadata: { name: KARMADA_KUBECONFIG_SECRET, namespace: o.namespace, labels },
        stringData: { [KARMADA_KUBECONFIG_SECRET]: o.agentKubeconfig },
      },
    },
    {
      gvr: CLUSTERROLES,
      object: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: KARMADA_AGENT_NAME, labels },
        rules: [
          { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
          { nonResourceURLs: ['*'], verbs: ['get'] },
        ],
      },
    },
    { gvr: SERVICEACCOUNTS, object: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: KARMADA_AGENT_SERVICE_ACCOUNT, namespace: o.namespace, labels } } },
    {
      gvr: CLUSTERROLEBINDINGS,
      object: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: KARMADA_AGENT_NAME, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: KARMADA_AGENT_NAME },
        subjects: [{ kind: 'ServiceAccount', name: KARMADA_AGENT_SERVICE_ACCOUNT, namespace: o.namespace }],
      },
    },
    { gvr: DEPLOYMENTS, object: agentDeployment(o) },
  ];
}

export function memberNamespace(name = NAMESPACE_KARMADA_SYSTEM): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: systemLabels() } };
}

/** The --cluster-name an existing karmada-agent Deployment runs with. */
export function registeredClusterName(deployment: KubeObject | undefined): string | undefined {
  const containers = ((deployment?.spec as { template?: { spec?: { containers?: { command?: string[]; args?: string[] }[] } } } | undefined)?.template?.spec?.containers ?? []);
  for (const c of containers) {
    for (const a of [...(c.command ?? []), ...(c.args ?? [])]) if (a.startsWith('--cluster-name=')) return a.slice('--cluster-name='.length);
  }
  return undefined;
}

/** Register's preflight: none of the agent's Secret, ServiceAccount and Deployment may exist yet. */
export async function preflight(member: ObjectClient, namespace: string): Promise<{ errors: string[]; registeredAs?: string }> {
  const errors: string[] = [];
  if (!(await member.resource(NAMESPACES).getOrUndefined(namespace))) return { errors };
  const checks: [GVR, string, string][] = [
    [SECRETS, KARMADA_KUBECONFIG_SECRET, 'Secret'],
    [SERVICEACCOUNTS, KARMADA_AGENT_SERVICE_ACCOUNT, 'ServiceAccount'],
    [DEPLOYMENTS, KARMADA_AGENT_NAME, 'Deployment'],
  ];
  let registeredAs: string | undefined;
  for (const [gvr, name, kind] of checks) {
    try {
      const found = await member.resource(gvr).getOrUndefined(name, { namespace });
      if (!found) continue;
      errors.push(`${namespace}/${name} ${kind} already exists`);
      if (gvr === DEPLOYMENTS) registeredAs = registeredClusterName(found);
    } catch (err) {
      if (!isNotFound(err)) errors.push(`cannot check ${kind} ${namespace}/${name}: ${(err as Error).message}`);
    }
  }
  return { errors, registeredAs };
}

interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
}

/** kubectl rollout status: why the Deployment is not rolled out yet, or undefined when it is. */
export function rolloutPending(d: KubeObject): string | undefined {
  const spec = (d.spec ?? {}) as { replicas?: number };
  const status = (d.status ?? {}) as DeploymentStatus;
  const want = spec.replicas ?? 1;
  if ((status.observedGeneration ?? 0) < (d.metadata?.generation ?? 1)) return 'waiting for the deployment spec update to be observed';
  if ((status.updatedReplicas ?? 0) < want) return `${status.updatedReplicas ?? 0} of ${want} updated replicas are available`;
  if ((status.replicas ?? 0) > (status.updatedReplicas ?? 0)) return `${(status.replicas ?? 0) - (status.updatedReplicas ?? 0)} old replicas are pending termination`;
  if ((status.availableReplicas ?? 0) < (status.updatedReplicas ?? 0)) return `${status.availableReplicas ?? 0} of ${status.updatedReplicas ?? 0} updated replicas are available`;
  return undefined;
}

/** Waits until the agent Deployment is rolled out (cmdutil.WaitForDeploymentRollout). */
export async function waitForRollout(member: ObjectClient, namespace: string, timeoutMs: number, progress: (line: string) => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  progress(`[karmada-agent-start] Waiting for the ${KARMADA_AGENT_NAME} Deployment to roll out (up to ${Math.round(timeoutMs / 1000)}s)`);
  let why = '';
  for (;;) {
    const d = await member.resource(DEPLOYMENTS).getOrUndefined(KARMADA_AGENT_NAME, { namespace });
    if (!d) throw new CommandError(`the ${namespace}/${KARMADA_AGENT_NAME} Deployment disappeared while waiting for its rollout`);
    const pending = rolloutPending(d);
    if (!pending) return;
    why = pending;
    if (Date.now() >= deadline) {
      throw new CommandError(`the ${namespace}/${KARMADA_AGENT_NAME} Deployment did not roll out within ${Math.round(timeoutMs / 1000)}s (${why}); check its pods in the member (image pullable? --karmada-agent-image)`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
