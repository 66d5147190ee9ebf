// Group/version/resource coordinates and the REST paths they map to.

export interface GVR {
  group: string;
  version: string;
  /** Plural resource name, e.g. "deployments". */
  resource: string;
  /** Whether objects live in namespaces (default true; set false for cluster-scoped kinds). */
  namespaced?: boolean;
}

export function gvr(group: string, version: string, resource: string, namespaced = true): GVR {
  return { group, version, resource, namespaced };
}

export function apiVersionOf(g: Pick<GVR, 'group' | 'version'>): string {
  return g.group ? `${g.group}/${g.version}` : g.version;
}

export function gvrString(g: GVR): string {
  return `${g.resource}.${g.version}${g.group ? `.${g.group}` : ''}`;
}

/** /api/v1 or /apis/<group>/<version>. */
export function groupVersionPath(g: Pick<GVR, 'group' | 'version'>): string {
  return g.group ? `/apis/${g.group}/${g.version}` : `/api/${g.version}`;
}

/**
 * The REST path of a collection (no name) or an object (name), optionally a subresource.
 * A namespaced resource without a namespace addresses all namespaces (lists and watches only).
 */
export function resourcePath(g: GVR, opts: { namespace?: string; name?: string; subresource?: string } = {}): string {
  let p = groupVersionPath(g);
  if (g.namespaced !== false && opts.namespace) p += `/namespaces/${encodeURIComponent(opts.namespace)}`;
  p += `/${g.resource}`;
  if (opts.name !== undefined) {
    if (!opts.name) throw new Error(`resource name may not be empty (${gvrString(g)})`);
    p += `/${encodeURIComponent(opts.name)}`;
    if (opts.subresource) p += `/${opts.subresource}`;
  }
  return p;
}

// Built-in resources the runtime and controllers use.
export const NAMESPACES = gvr('', 'v1', 'namespaces', false);
export const NODES = gvr('', 'v1', 'nodes', false);
export const PODS = gvr('', 'v1', 'pods');
export const SECRETS = gvr('', 'v1', 'secrets');
export const CONFIGMAPS = gvr('', 'v1', 'configmaps');
export const SERVICEACCOUNTS = gvr('', 'v1', 'serviceaccounts');
export const EVENTS = gvr('', 'v1', 'events');
export const LEASES = gvr('coordination.k8s.io', 'v1', 'leases');
export const CLUSTERROLES = gvr('rbac.authorization.k8s.io', 'v1', 'clusterroles', false);
export const CLUSTERROLEBINDINGS = gvr('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', false);
export const CUSTOMRESOURCEDEFINITIONS = gvr('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', false);
