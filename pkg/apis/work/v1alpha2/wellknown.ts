// Karmada's well-known binding/work labels, annotations, conditions and finalizers
// (work/v1alpha2/well_known_constants.go, pkg/util/constants.go) and its naming rules (pkg/util/names).

export const RESOURCE_BINDING_PERMANENT_ID_LABEL = 'resourcebinding.karmada.io/permanent-id';
export const CLUSTER_RESOURCE_BINDING_PERMANENT_ID_LABEL = 'clusterresourcebinding.karmada.io/permanent-id';
export const WORK_PERMANENT_ID_LABEL = 'work.karmada.io/permanent-id';

/** Keys of the binding an object derives from (legacy hash key labels on Works). */
export const RESOURCE_BINDING_REFERENCE_KEY = 'resourcebinding.karmada.io/key';
export const CLUSTER_RESOURCE_BINDING_REFERENCE_KEY = 'clusterresourcebinding.karmada.io/key';

/** On member objects (and manifests in Works): the Work they come from. */
export const WORK_NAMESPACE_ANNOTATION = 'work.karmada.io/namespace';
export const WORK_NAME_ANNOTATION = 'work.karmada.io/name';
/** Older Karmada used labels with the same keys. */
export const WORK_NAMESPACE_LABEL = 'work.karmada.io/namespace';
export const WORK_NAME_LABEL = 'work.karmada.io/name';

/** On Works and manifests: the binding they derive from. */
export const RESOURCE_BINDING_NAMESPACE_ANNOTATION = 'resourcebinding.karmada.io/namespace';
export const RESOURCE_BINDING_NAME_ANNOTATION = 'resourcebinding.karmada.io/name';
export const CLUSTER_RESOURCE_BINDING_ANNOTATION = 'clusterresourcebinding.karmada.io/name';

/** On ResourceBindings: what kind of object manages the binding (e.g. an attached binding). */
export const BINDING_MANAGED_BY_LABEL = 'binding.karmada.io/managed-by';

/** Generation of the resource template the member object was rendered from. */
export const RESOURCE_TEMPLATE_GENERATION_ANNOTATION = 'resourcetemplate.karmada.io/generation';
/** UID of the resource template, on manifests. */
export const RESOURCE_TEMPLATE_UID_ANNOTATION = 'resourcetemplate.karmada.io/uid';
/** Sorted, comma-separated label/annotation keys present in the template. */
export const MANAGED_LABELS_ANNOTATION = 'resourcetemplate.karmada.io/managed-labels';
export const MANAGED_ANNOTATIONS_ANNOTATION = 'resourcetemplate.karmada.io/managed-annotations';
/** `resourcetemplate.karmada.io/deletion-protected: Always` denies deletion. */
export const DELETION_PROTECTION_LABEL = 'resourcetemplate.karmada.io/deletion-protected';
export const DELETION_PROTECTION_ALWAYS = 'Always';

/** How an already-existing member object is handled: overwrite or abort (default). */
export const CONFLICT_RESOLUTION_ANNOTATION = 'work.karmada.io/conflict-resolution';
export const CONFLICT_RESOLUTION_OVERWRITE = 'overwrite';
export const CONFLICT_RESOLUTION_ABORT = 'abort';

/** `karmada.io/managed: "true"` on every member object Karmada created. */
export const MANAGED_BY_KARMADA_LABEL = 'karmada.io/managed';
export const MANAGED_BY_KARMADA_LABEL_VALUE = 'true';
/** `karmada.io/system: "true"` on system-level resources managed by Karmada controllers. */
export const KARMADA_SYSTEM_LABEL = 'karmada.io/system';

export const EVICTION_REASON_TAINT_UNTOLERATED = 'TaintUntolerated';
export const EVICTION_REASON_APPLICATION_FAILURE = 'ApplicationFailure';
export const EVICTION_PRODUCER_TAINT_MANAGER = 'TaintManager';

/** Binding conditions and their reasons. */
export const BINDING_CONDITION_SCHEDULED = 'Scheduled';
export const BINDING_CONDITION_FULLY_APPLIED = 'FullyApplied';
export const BINDING_REASON_SUCCESS = 'Success';
export const BINDING_REASON_SCHEDULER_ERROR = 'SchedulerError';
export const BINDING_REASON_NO_CLUSTER_FIT = 'NoClusterFit';
export const BINDING_REASON_UNSCHEDULABLE = 'Unschedulable';
export const BINDING_REASON_QUOTA_EXCEEDED = 'QuotaExceeded';
export const BINDING_REASON_FULLY_APPLIED_SUCCESS = 'FullyAppliedSuccess';
export const BINDING_REASON_FULLY_APPLIED_FAILED = 'FullyAppliedFailed';

/** Finalizers. */
export const BINDING_CONTROLLER_FINALIZER = 'karmada.io/binding-controller';
export const CLUSTER_RESOURCE_BINDING_CONTROLLER_FINALIZER = 'karmada.io/cluster-resource-binding-controller';
export const EXECUTION_CONTROLLER_FINALIZER = 'karmada.io/execution-controller';
export const BINDING_DEPENDENCIES_DISTRIBUTOR_FINALIZER = 'karmada.io/binding-dependencies-distributor';

/**
 * Binding name of a resource template: lower(`<name>-<kind>`), with ':' in the name replaced by '.'
 * (names.GenerateBindingName), e.g. nginx + Deployment → nginx-deployment.
 */
export function generateBindingName(kind: string, name: string): string {
  return `${name.replaceAll(':', '.')}-${kind}`.toLowerCase();
}

const SAFE_ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** k8s.io/apimachinery/pkg/util/rand.SafeEncodeString. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const ch of s) out += SAFE_ALPHANUMS[ch.codePointAt(0)! % SAFE_ALPHANUMS.length];
  return out;
}

/** FNV-1a 32-bit over the UTF-8 bytes of s. */
export function fnv32a(s: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Karmada's hashutil.DeepHashObject of a string: kr/pretty's `%# v` of a string is the raw string. */
function deepHashString(s: string): number {
  return fnv32a(s);
}

/**
 * Work name for a resource template: `<lower(name)>-<SafeEncode(fnv32a(ns-name-kind))>`
 * (names.GenerateWorkName), e.g. default/nginx Deployment → nginx-687f7fb96f.
 */
export function generateWorkName(kind: string, name: string, namespace?: string): string {
  const n = name.replaceAll(':', '.').toLowerCase();
  const key = (namespace ? `${namespace}-${n}-${kind}` : `${n}-${kind}`).toLowerCase();
  return `${n}-${safeEncodeString(String(deepHashString(key)))}`;
}

/** Hash key of a binding (names.GenerateBindingReferenceKey). */
export function generateBindingReferenceKey(namespace: string | undefined, name: string): string {
  return safeEncodeString(String(deepHashString(namespace ? `${namespace}/${name}` : name)));
}
