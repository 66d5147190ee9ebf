// Karmada's well-known names around clusters: taints, conditions, finalizer, secret keys, execution
// namespaces and reserved namespaces (pkg/apis/cluster/v1alpha1/well_known_constants.go, pkg/util/names).

/** Added by `karmadactl cordon`; removed by uncordon. */
export const TAINT_CLUSTER_UNSCHEDULABLE = 'cluster.karmada.io/unschedulable';
/** Added (NoSchedule) by the cluster controller when Ready=False. */
export const TAINT_CLUSTER_NOT_READY = 'cluster.karmada.io/not-ready';
/** Added (NoSchedule) by the cluster controller when Ready=Unknown. */
export const TAINT_CLUSTER_UNREACHABLE = 'cluster.karmada.io/unreachable';
/** Added (NoExecute) while a cluster is being unregistered. */
export const TAINT_CLUSTER_TERMINATING = 'cluster.karmada.io/terminating';

export const CLUSTER_CONDITION_READY = 'Ready';
export const CLUSTER_CONDITION_COMPLETE_API_ENABLEMENTS = 'CompleteAPIEnablements';

/** Reasons the cluster status controller writes on the Ready condition. */
export const CLUSTER_REASON_READY = 'ClusterReady';
export const CLUSTER_REASON_NOT_READY = 'ClusterNotReady';
export const CLUSTER_REASON_NOT_REACHABLE = 'ClusterNotReachable';
export const CLUSTER_MESSAGE_READY = 'cluster is healthy and ready to accept workloads';

/** Ensures Works and the execution namespace are deleted before the Cluster. */
export const CLUSTER_CONTROLLER_FINALIZER = 'karmada.io/cluster-controller';

/** Keys of the cluster credentials Secret (spec.secretRef) and impersonator Secret. */
export const SECRET_TOKEN_KEY = 'token';
export const SECRET_CA_DATA_KEY = 'caBundle';

/** Annotation on objects served by karmada-search's cache: the cluster they came from. */
export const CACHE_SOURCE_ANNOTATION = 'resource.karmada.io/cached-from-cluster';

/** Namespace holding control-plane components. */
export const NAMESPACE_KARMADA_SYSTEM = 'karmada-system';
/** Namespace holding cluster credentials Secrets and agent Leases. */
export const NAMESPACE_KARMADA_CLUSTER = 'karmada-cluster';
export const EXECUTION_NAMESPACE_PREFIX = 'karmada-es-';
/** Karmada rejects cluster names longer than this: the execution namespace must stay a DNS label. */
export const CLUSTER_NAME_MAX_LENGTH = 48;

/** `karmada-es-<cluster>`: where the Works for a cluster live (GenerateExecutionSpaceName). */
export function executionNamespace(cluster: string): string {
  if (!cluster) throw new Error('the member cluster name is empty');
  return EXECUTION_NAMESPACE_PREFIX + cluster;
}

/** The cluster an execution namespace belongs to, or undefined when it is not one (GetClusterName). */
export function clusterOfExecutionNamespace(namespace: string | undefined): string | undefined {
  if (!namespace || !namespace.startsWith(EXECUTION_NAMESPACE_PREFIX)) return undefined;
  return namespace.slice(EXECUTION_NAMESPACE_PREFIX.length);
}

/** karmada-system, karmada-cluster and karmada-es-* (names.IsReservedNamespace). */
export function isReservedNamespace(namespace: string | undefined): boolean {
  return (
    namespace === NAMESPACE_KARMADA_SYSTEM ||
    namespace === NAMESPACE_KARMADA_CLUSTER ||
    (namespace ?? '').startsWith(EXECUTION_NAMESPACE_PREFIX)
  );
}

/** `<cluster>-impersonator`: the Secret with the impersonator token (GenerateImpersonationSecretName). */
export function impersonationSecretName(cluster: string): string {
  return `${cluster}-impersonator`;
}
