// What `karmadactl register` grants a Pull cluster's agent in the control plane (Karmada's
// register.GenerateRBACResources), tightened so the identity system:karmada:agent:<cluster> can touch only
// its own objects: its Cluster (also listed and watched by name) and clusters/status, Works in its execution namespace, its Lease
// and Secrets in karmada-cluster, CSRs (for certificate rotation), events, and read-only
// interpreter customizations and namespaces. Anything else is 403.

import { executionNamespace, NAMESPACE_KARMADA_CLUSTER } from '../../apis/cluster/v1alpha1/index.js';
import { CLUSTERROLEBINDINGS, CLUSTERROLES, gvr, type GVR } from '../../runtime/gvr.js';
import type { KubeObject } from '../../runtime/types.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const RBAC_API_VERSION = `${RBAC_GROUP}/v1`;

export const ROLES = gvr(RBAC_GROUP, 'v1', 'roles');
export const ROLEBINDINGS = gvr(RBAC_GROUP, 'v1', 'rolebindings');
export const CERTIFICATESIGNINGREQUESTS = gvr('certificates.k8s.io', 'v1', 'certificatesigningrequests', false);
export const DEPLOYMENTS = gvr('apps', 'v1', 'deployments');

/** CN prefix and O of agent client certificates (register.ClusterPermissionPrefix / ClusterPermissionGroups). */
export const CLUSTER_PERMISSION_PREFIX = 'system:karmada:agent:';
export const CLUSTER_PERMISSION_GROUP = 'system:karmada:agents';
/** CN of the short-lived certificate register uses to create the agent's RBAC. */
export const AGENT_RBAC_GENERATOR = 'system:karmada:agent:rbac-generator';
/** karmadautil.KarmadaSystemLabel: marks what Karmada created (namespaces register may delete again). */
export const KARMADA_SYSTEM_LABEL = 'karmada.io/system';
export const KARMADA_SYSTEM_LABEL_VALUE = 'true';

export const agentUserName = (cluster: string) => `${CLUSTER_PERMISSION_PREFIX}${cluster}`;
export const agentClusterRoleName = (cluster: string) => `system:karmada:${cluster}:agent`;
export const agentSecretRoleName = (cluster: string) => `system:karmada:${cluster}:agent-secret`;
export const agentWorkRoleName = (cluster: string) => `system:karmada:${cluster}:agent-work`;

export interface RBACObject {
  gvr: GVR;
  object: KubeObject;
}

const READ = ['get', 'list', 'watch'];

function agentSubject(cluster: string) {
  return [{ apiGroup: RBAC_GROUP, kind: 'User', name: agentUserName(cluster) }];
}

/** The ClusterRole, ClusterRoleBinding, Roles and RoleBindings of one Pull cluster's agent, in creation order. */
export function generateRBACResources(cluster: string, clusterNamespace = NAMESPACE_KARMADA_CLUSTER): RBACObject[] {
  const labels = { [KARMADA_SYSTEM_LABEL]: KARMADA_SYSTEM_LABEL_VALUE };
  const crName = agentClusterRoleName(cluster);
  const secretRole = agentSecretRoleName(cluster);
  const workRole = agentWorkRoleName(cluster);
  const esNs = executionNamespace(cluster);
  return [
    {
      gvr: CLUSTERROLES,
      object: {
        apiVersion: RBAC_API_VERSION,
        kind: 'ClusterRole',
        metadata: { name: crName, labels },
        rules: [
          // list/watch by name: the agent's informer selects fieldSelector=metadata.name=<cluster> (upstream
          // lets agents list every Cluster)
          { apiGroups: ['cluster.karmada.io'], resources: ['clusters'], resourceNames: [cluster], verbs: ['get', 'list', 'watch', 'update', 'patch', 'delete'] },
          // a create carries no name RBAC could check
          { apiGroups: ['cluster.karmada.io'], resources: ['clusters'], verbs: ['create'] },
          { apiGroups: ['cluster.karmada.io'], resources: ['clusters/status'], resourceNames: [cluster], verbs: ['get', 'update', 'patch'] },
          { apiGroups: ['config.karmada.io'], resources: ['resourceinterpreterwebhookconfigurations', 'resourceinterpretercustomizations'], verbs: READ },
          { apiGroups: [''], resources: ['namespaces'], verbs: ['get'] },
          { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['get', 'create'] },
          { apiGroups: [''], resources: ['services'], verbs: ['list', 'watch'] },
          { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch', 'update'] },
        ],
      },
    },
    {
      gvr: CLUSTERROLEBINDINGS,
      object: {
        apiVersion: RBAC_API_VERSION,
        kind: 'ClusterRoleBinding',
        metadata: { name: crName, labels },
        roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: crName },
        subjects: agentSubject(cluster),
      },
    },
    {
      // karmada-cluster: the cluster's credential Secrets and its heartbeat Lease karmada-cluster/<cluster>
      gvr: ROLES,
      object: {
        apiVersion: RBAC_API_VERSION,
        kind: 'Role',
        metadata: { name: secretRole, namespace: clusterNamespace, labels },
        rules: [
          { apiGroups: [''], resources: ['secrets'], resourceNames: [cluster, `${cluster}-impersonator`], verbs: ['get', 'patch', 'update'] },
          { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
          { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [cluster], verbs: ['get', 'update', 'patch'] },
          { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
        ],
      },
    },
    {
      gvr: ROLEBINDINGS,
      object: {
        apiVersion: RBAC_API_VERSION,
        kind: 'RoleBinding',
        metadata: { name: secretRole, namespace: clusterNamespace, labels },
        roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: secretRole },
        subjects: agentSubject(cluster),
      },
    },
    {
      gvr: ROLES,
      object: {
        apiVersion: RBAC_API_VERSION,
        kind: 'Role',
        metadata: { name: workRole, namespace: esNs, labels },
        rules: [
          { apiGroups: ['work.karmada.io'], resources: ['works'], verbs: ['get', 'create', 'list', 'watch', 'update', 'patch', 'delete'] },
          { apiGroups: ['work.karmada.io'], resources: ['works/status'], verbs: ['get', 'patch', 'update'] },
        ],
      },
    },
    {
      gvr: ROLEBINDINGS,
      object: {
        apiVersion: RBAC_API_VERSION,
        kind: 'RoleBinding',
        metadata: { name: workRole, namespace: esNs, labels },
        roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: workRole },
        subjects: agentSubject(cluster),
      },
    },
  ];
}

/** "ClusterRole/name" or "Role/namespace/name" (register.Obj.ToString), for messages. */
export function describeObject(o: RBACObject): string {
  const ns = o.object.metadata?.namespace;
  return ns ? `${o.object.kind}/${ns}/${o.object.metadata?.name}` : `${o.object.kind}/${o.object.metadata?.name}`;
}
