// The RBAC objects kube-apiserver creates at start when missing (bootstrappolicy), the kube-public
// cluster-info reader kubeadm adds, and, for the Karmada control plane, the bootstrap-token RBAC that
// `karmadactl init` installs so `karmadactl register` works. Existing objects are never overwritten.

import { ApiError } from '../errors.js';
import type { Registry } from '../registry/registry.js';
import type { KubeObject } from '../registry/types.js';
import type { Store, UserInfo } from '../store/store.js';
import { RBAC_GROUP, type PolicyRule, type Subject } from './rbac.js';

const API_VERSION = `${RBAC_GROUP}/v1`;
const BOOTSTRAP_LABELS = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const AUTOUPDATE = { 'rbac.authorization.kubernetes.io/autoupdate': 'true' };

export const AUTHENTICATED_GROUP = 'system:authenticated';
export const UNAUTHENTICATED_GROUP = 'system:unauthenticated';
export const BOOTSTRAPPERS_GROUP = 'system:bootstrappers';
/** The group `karmadactl token create` gives its tokens (auth-extra-groups). */
export const KARMADA_DEFAULT_TOKEN_GROUP = 'system:bootstrappers:karmada:default-cluster-token';
export const CLUSTER_INFO_ROLE = 'kubeadm:bootstrap-signer-clusterinfo';

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];

function rule(verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule {
  const r: PolicyRule = { verbs, apiGroups, resources };
  if (resourceNames) r.resourceNames = resourceNames;
  return r;
}

const group = (name: string): Subject => ({ kind: 'Group', apiGroup: RBAC_GROUP, name });
const user = (name: string): Subject => ({ kind: 'User', apiGroup: RBAC_GROUP, name });

function clusterRole(name: string, rules: PolicyRule[], labels: Record<string, string> = BOOTSTRAP_LABELS): KubeObject {
  return { apiVersion: API_VERSION, kind: 'ClusterRole', metadata: { name, labels: { ...labels }, annotations: { ...AUTOUPDATE } }, rules };
}

function clusterRoleBinding(name: string, role: string, subjects: Subject[], labels: Record<string, string> = BOOTSTRAP_LABELS): KubeObject {
  return {
    apiVersion: API_VERSION,
    kind: 'ClusterRoleBinding',
    metadata: { name, labels: { ...labels }, annotations: { ...AUTOUPDATE } },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: role },
    subjects,
  };
}

function role(namespace: string, name: string, rules: PolicyRule[], labels: Record<string, string> = BOOTSTRAP_LABELS): KubeObject {
  return { apiVersion: API_VERSION, kind: 'Role', metadata: { name, namespace, labels: { ...labels } }, rules };
}

function roleBinding(namespace: string, name: string, roleName: string, subjects: Subject[], labels: Record<string, string> = BOOTSTRAP_LABELS): KubeObject {
  return {
    apiVersion: API_VERSION,
    kind: 'RoleBinding',
    metadata: { name, namespace, labels: { ...labels } },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: roleName },
    subjects,
  };
}

// The aggregated view/edit/admin roles of Kubernetes, flattened (aggregation is not evaluated here).
const VIEW_RULES: PolicyRule[] = [
  rule(READ, [''], [
    'configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers',
    'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status', 'bindings', 'events', 'limitranges',
    'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status',
  ]),
  rule(READ, [''], ['namespaces']),
  rule(READ, ['discovery.k8s.io'], ['endpointslices']),
  rule(READ, ['apps'], [
    'controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status',
    'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status',
  ]),
  rule(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
  rule(READ, ['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']),
  rule(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
  rule(READ, ['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies']),
];

const EDIT_RULES: PolicyRule[] = [
  ...VIEW_RULES,
  rule(['impersonate'], [''], ['serviceaccounts']),
  rule([...WRITE], [''], [
    'pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'configmaps', 'endpoints', 'persistentvolumeclaims',
    'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy',
  ]),
  rule(['create'], [''], ['serviceaccounts/token']),
  rule(READ, [''], ['secrets']),
  rule([...WRITE], ['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale']),
  rule([...WRITE], ['autoscaling'], ['horizontalpodautoscalers']),
  rule([...WRITE], ['batch'], ['cronjobs', 'jobs']),
  rule([...WRITE], ['policy'], ['poddisruptionbudgets']),
  rule([...WRITE], ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
  rule([...WRITE], ['discovery.k8s.io'], ['endpointslices']),
  rule([...READ, ...WRITE], ['coordination.k8s.io'], ['leases']),
];

const ADMIN_RULES: PolicyRule[] = [
  ...EDIT_RULES,
  rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
  rule([...READ, ...WRITE], [RBAC_GROUP], ['rolebindings', 'roles']),
];

/** Kubernetes' default ClusterRoles and ClusterRoleBindings (the subset this server needs). */
export function kubernetesPolicy(): KubeObject[] {
  return [
    clusterRole('cluster-admin', [rule(['*'], ['*'], ['*']), { verbs: ['*'], nonResourceURLs: ['*'] }]),
    clusterRole('admin', ADMIN_RULES),
    clusterRole('edit', EDIT_RULES),
    clusterRole('view', VIEW_RULES),
    clusterRole('system:discovery', [
      { verbs: ['get'], nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'] },
    ]),
    clusterRole('system:basic-user', [
      rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
      rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
    ]),
    clusterRole('system:public-info-viewer', [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'] }]),
    clusterRole('system:node-bootstrapper', [rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests'])]),
    clusterRole('system:auth-delegator', [
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
    ]),
    clusterRoleBinding('cluster-admin', 'cluster-admin', [group('system:masters')]),
    clusterRoleBinding('system:discovery', 'system:discovery', [group(AUTHENTICATED_GROUP)]),
    clusterRoleBinding('system:basic-user', 'system:basic-user', [group(AUTHENTICATED_GROUP)]),
    clusterRoleBinding('system:public-info-viewer', 'system:public-info-viewer', [group(AUTHENTICATED_GROUP), group(UNAUTHENTICATED_GROUP)]),
    // kubeadm: anyone may read the cluster-info ConfigMap (discovery before trust is established).
    role('kube-public', CLUSTER_INFO_ROLE, [rule(['get'], [''], ['configmaps'], ['cluster-info'])]),
    roleBinding('kube-public', CLUSTER_INFO_ROLE, CLUSTER_INFO_ROLE, [user('system:anonymous'), group(UNAUTHENTICATED_GROUP), group(BOOTSTRAPPERS_GROUP)]),
  ];
}

const KARMADA_LABELS = { 'karmada.io/bootstrapping': 'rbac-defaults' };

/** What `karmadactl init` installs for bootstrap tokens and agents (karmadactl cmdinit rbac). */
export function karmadaPolicy(): KubeObject[] {
  return [
    role('kube-public', 'system:karmada:bootstrap-signer-clusterinfo', [rule(['get'], [''], ['configmaps'], ['cluster-info'])], KARMADA_LABELS),
    roleBinding('kube-public', 'system:karmada:bootstrap-signer-clusterinfo', 'system:karmada:bootstrap-signer-clusterinfo', [user('system:anonymous')], KARMADA_LABELS),
    clusterRole('system:karmada:certificatesigningrequest:autoapprover', [rule(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/clusteragent'])], KARMADA_LABELS),
    clusterRoleBinding('system:karmada:agent-autoapprove-bootstrap', 'system:karmada:certificatesigningrequest:autoapprover', [group(KARMADA_DEFAULT_TOKEN_GROUP)], KARMADA_LABELS),
    clusterRole('system:karmada:cluster-bootstrapper', [rule(['create', 'get'], ['certificates.k8s.io'], ['certificatesigningrequests'])], KARMADA_LABELS),
    clusterRoleBinding('system:karmada:agent-bootstrap', 'system:karmada:cluster-bootstrapper', [group(KARMADA_DEFAULT_TOKEN_GROUP)], KARMADA_LABELS),
    clusterRole('system:karmada:certificatesigningrequest:selfautoapprover', [rule(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/selfclusteragent'])], KARMADA_LABELS),
    clusterRoleBinding('system:karmada:agent-autoapprove-certificate-rotation', 'system:karmada:certificatesigningrequest:selfautoapprover', [group('system:karmada:agents')], KARMADA_LABELS),
    // Holds every permission `karmadactl register` grants an agent (pkg/karmadactl/register/rbac.ts), as a
    // real kube-apiserver's RBAC escalation check requires of whoever creates those roles and bindings.
    clusterRole('system:karmada:agent-rbac-generator', [
      rule(['get', 'create', 'update', 'patch', 'delete', 'list', 'watch'], ['cluster.karmada.io'], ['clusters']),
      rule(['get', 'update', 'patch'], ['cluster.karmada.io'], ['clusters/status']),
      rule(READ, ['config.karmada.io'], ['resourceinterpreterwebhookconfigurations', 'resourceinterpretercustomizations']),
      rule(['get', 'create'], [''], ['namespaces']),
      rule(['list', 'watch'], [''], ['services']),
      rule(['create', 'update', 'patch'], [''], ['events']),
      rule(['get', 'create', 'update', 'patch'], [''], ['secrets']),
      rule(['get', 'create', 'update', 'patch'], ['coordination.k8s.io'], ['leases']),
      rule(['get', 'create', 'delete'], ['certificates.k8s.io'], ['certificatesigningrequests']),
      rule(['get', 'create', 'list', 'watch', 'update', 'patch', 'delete'], ['work.karmada.io'], ['works']),
      rule(['get', 'update', 'patch'], ['work.karmada.io'], ['works/status']),
      rule(['create', 'delete'], [RBAC_GROUP], ['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings']),
    ], KARMADA_LABELS),
    clusterRoleBinding('system:karmada:agent-rbac-generator', 'system:karmada:agent-rbac-generator', [user('system:karmada:agent:rbac-generator')], KARMADA_LABELS),
  ];
}

/** Creates every policy object that does not exist yet (409 from a racing replica is fine). */
export async function ensureBootstrapPolicy(store: Store, registry: Registry, objects: KubeObject[], asUser: UserInfo): Promise<void> {
  for (const obj of objects) {
    const resource = `${obj.kind!.toLowerCase()}s`;
    const d = registry.get(RBAC_GROUP, 'v1', resource)!;
    const ns = obj.metadata!.namespace;
    if (await store.tryGet(d, ns, obj.metadata!.name!)) continue;
    try {
      await store.create(d, ns, obj, { user: asUser });
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 409)) throw err;
    }
  }
}
