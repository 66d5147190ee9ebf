// Karmada's well-known policy labels, annotations and finalizers (policy/v1alpha1/well_known_constants.go,
// pkg/util/constants.go): the claim metadata the detector puts on resource templates and bindings.

/** Permanent identifier of a PropagationPolicy (a UUID set at creation); used as a label selector on bindings. */
export const PROPAGATION_POLICY_PERMANENT_ID_LABEL = 'propagationpolicy.karmada.io/permanent-id';
/** Permanent identifier of a ClusterPropagationPolicy. */
export const CLUSTER_PROPAGATION_POLICY_PERMANENT_ID_LABEL = 'clusterpropagationpolicy.karmada.io/permanent-id';

/** Claim annotations on resource templates and bindings. */
export const PROPAGATION_POLICY_NAMESPACE_ANNOTATION = 'propagationpolicy.karmada.io/namespace';
export const PROPAGATION_POLICY_NAME_ANNOTATION = 'propagationpolicy.karmada.io/name';
export const CLUSTER_PROPAGATION_POLICY_ANNOTATION = 'clusterpropagationpolicy.karmada.io/name';

/** Deprecated label forms of the claim (older Karmada put them in labels). */
export const PROPAGATION_POLICY_NAMESPACE_LABEL = 'propagationpolicy.karmada.io/namespace';
export const PROPAGATION_POLICY_NAME_LABEL = 'propagationpolicy.karmada.io/name';
export const CLUSTER_PROPAGATION_POLICY_LABEL = 'clusterpropagationpolicy.karmada.io/name';

/** A namespace labelled `namespace.karmada.io/skip-auto-propagation: "true"` is not synced to members. */
export const NAMESPACE_SKIP_AUTO_PROPAGATION_LABEL = 'namespace.karmada.io/skip-auto-propagation';

/** Set by the mutating webhook on create: the related resources are unbound before the policy goes. */
export const PROPAGATION_POLICY_CONTROLLER_FINALIZER = 'karmada.io/propagation-policy-controller';
export const CLUSTER_PROPAGATION_POLICY_CONTROLLER_FINALIZER = 'karmada.io/cluster-propagation-policy-controller';

/** Placement a binding was last scheduled with (JSON of the Placement), on ResourceBinding/ClusterResourceBinding. */
export const POLICY_PLACEMENT_ANNOTATION = 'policy.karmada.io/applied-placement';
/** Override policies applied to a Work's manifest, on the Work (JSON). */
export const APPLIED_OVERRIDES_ANNOTATION = 'policy.karmada.io/applied-overrides';
export const APPLIED_CLUSTER_OVERRIDES_ANNOTATION = 'policy.karmada.io/applied-cluster-overrides';

/** Marks templates propagated by something other than a policy (e.g. MultiClusterService). */
export const RESOURCE_TEMPLATE_CLAIMED_BY_LABEL = 'resourcetemplate.karmada.io/claimed-by';
/** `resourcetemplate.karmada.io/retain-replicas: "true"` keeps member-side replicas. */
export const RETAIN_REPLICAS_LABEL = 'resourcetemplate.karmada.io/retain-replicas';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

/** Cluster fields a fieldSelector may match. */
export const PROVIDER_FIELD = 'provider';
export const REGION_FIELD = 'region';
export const ZONE_FIELD = 'zone';

/** Policy names become label values, so they are limited to 63 characters. */
export const POLICY_NAME_MAX_LENGTH = 63;
