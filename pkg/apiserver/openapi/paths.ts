// REST paths and operations of resources, described once and rendered into OpenAPI v3 and v2.
// Mirrors what the Kubernetes apiserver publishes (operation ids, x-kubernetes-action,
// x-kubernetes-group-version-kind on every operation, query parameters per verb) because kubectl
// reads it: explain finds a resource's kind through the GVK of its path operations, and
// --validate=strict looks for `fieldValidation` among the parameters of the PATCH operation.

import type { ResourceDescriptor } from '../registry/types.js';

export type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'patch';
export type KubeAction = 'get' | 'list' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection';

export interface ParamSpec {
  name: string;
  in: 'query' | 'path';
  type: 'string' | 'boolean' | 'integer';
  description: string;
  required?: boolean;
}

export interface OperationSpec {
  method: HttpMethod;
  operationId: string;
  description: string;
  action: KubeAction;
  gvk: { group: string; version: string; kind: string };
  tag: string;
  params: ParamSpec[];
  /** Request body: component name, and for PATCH the accepted patch content types. */
  body?: { component: string; required: boolean; patchTypes?: string[] };
  responses: { code: string; description: string; component: string }[];
  /** Response content types. */
  produces: string[];
  /** List operations also stream watch events. */
  watchable?: boolean;
}

export interface PathSpec {
  path: string;
  pathParams: ParamSpec[];
  ops: OperationSpec[];
}

const P = (name: string, type: ParamSpec['type'], description: string): ParamSpec => ({ name, in: 'query', type, description });

export const PARAMS = {
  allowWatchBookmarks: P(
    'allowWatchBookmarks',
    'boolean',
    'allowWatchBookmarks requests watch events with type "BOOKMARK". Servers that do not implement bookmarks may ignore this flag and bookmarks are sent at the server\'s discretion. Clients should not assume bookmarks are returned at any specific interval, nor may they assume the server will send any BOOKMARK event during a session. If this is not a watch, this field is ignored.',
  ),
  continue: P(
    'continue',
    'string',
    'The continue option should be set when retrieving more results from the server. Since this value is server defined, clients may only use the continue value from a previous query result with identical query parameters (except for the value of continue) and the server may reject a continue value it does not recognize. If the specified continue value is no longer valid whether due to expiration (generally five to fifteen minutes) or a configuration change on the server, the server will respond with a 410 ResourceExpired error together with a continue token.',
  ),
  dryRun: P(
    'dryRun',
    'string',
    'When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed',
  ),
  fieldManager: P(
    'fieldManager',
    'string',
    'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.',
  ),
  fieldManagerApply: P(
    'fieldManager',
    'string',
    'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint. This field is required for apply requests (application/apply-patch) but optional for non-apply patch types (JsonPatch, MergePatch, StrategicMergePatch).',
  ),
  fieldSelector: P(
    'fieldSelector',
    'string',
    'A selector to restrict the list of returned objects by their fields. Defaults to everything.',
  ),
  fieldValidation: P(
    'fieldValidation',
    'string',
    'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.',
  ),
  force: P(
    'force',
    'boolean',
    'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.',
  ),
  gracePeriodSeconds: P(
    'gracePeriodSeconds',
    'integer',
    'The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately. If this value is nil, the default grace period for the specified type will be used. Defaults to a per object value if not specified. zero means delete immediately.',
  ),
  ignoreStoreReadError: P(
    'ignoreStoreReadErrorWithClusterBreakingPotential',
    'boolean',
    'if set to true, it will trigger an unsafe deletion of the resource in case the normal deletion flow fails with a corrupt object error. A resource is considered corrupt if it can not be retrieved from the underlying storage successfully because of a) its data can not be transformed e.g. decryption failure, or b) it fails to decode into an object. NOTE: unsafe deletion ignores finalizer constraints, skips precondition checks, and removes the object from the storage. WARNING: This may potentially break the cluster if the workload associated with the resource being unsafe-deleted relies on normal deletion flow. Use only if you REALLY know what you are doing. The default value is false, and the user must opt in to enable it',
  ),
  labelSelector: P(
    'labelSelector',
    'string',
    'A selector to restrict the list of returned objects by their labels. Defaults to everything.',
  ),
  limit: P(
    'limit',
    'integer',
    'limit is a maximum number of responses to return for a list call. If more items exist, the server will set the `continue` field on the list metadata to a value that can be used with the same initial query to retrieve the next set of results.',
  ),
  orphanDependents: P(
    'orphanDependents',
    'boolean',
    'Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the dependent objects be orphaned. If true/false, the "orphan" finalizer will be added to/removed from the object\'s finalizers list. Either this field or PropagationPolicy may be set, but not both.',
  ),
  propagationPolicy: P(
    'propagationPolicy',
    'string',
    "Whether and how garbage collection will be performed. Either this field or OrphanDependents may be set, but not both. The default policy is decided by the existing finalizer set in the metadata.finalizers and the resource-specific default policy. Acceptable values are: 'Orphan' - orphan the dependents; 'Background' - allow the garbage collector to delete the dependents in the background; 'Foreground' - a cascading policy that deletes all dependents in the foreground.",
  ),
  resourceVersion: P(
    'resourceVersion',
    'string',
    'resourceVersion sets a constraint on what resource versions a request may be served from. See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset',
  ),
  resourceVersionMatch: P(
    'resourceVersionMatch',
    'string',
    'resourceVersionMatch determines how resourceVersion is applied to list calls. It is highly recommended that resourceVersionMatch be set for list calls where resourceVersion is set See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset',
  ),
  sendInitialEvents: P(
    'sendInitialEvents',
    'boolean',
    '`sendInitialEvents=true` may be set together with `watch=true`. In that case, the watch stream will begin with synthetic events to produce the current state of objects in the collection. Once all such events have been sent, a synthetic "Bookmark" event  will be sent. The bookmark will report the ResourceVersion (RV) corresponding to the set of objects, and be marked with `"k8s.io/initial-events-end": "true"` annotation. Afterwards, the watch stream will proceed as usual, sending watch events corresponding to changes (subsequent to the RV) to objects watched.',
  ),
  timeoutSeconds: P(
    'timeoutSeconds',
    'integer',
    'Timeout for the list/watch call. This limits the duration of the call, regardless of any activity or inactivity.',
  ),
  watch: P(
    'watch',
    'boolean',
    'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications. Specify resourceVersion.',
  ),
  pretty: P(
    'pretty',
    'string',
    "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP client (curl and wget).",
  ),
} satisfies Record<string, ParamSpec>;

const pathParam = (name: string, description: string): ParamSpec => ({ name, in: 'path', type: 'string', description, required: true });

const LIST_PARAMS = [
  PARAMS.allowWatchBookmarks,
  PARAMS.continue,
  PARAMS.fieldSelector,
  PARAMS.labelSelector,
  PARAMS.limit,
  PARAMS.resourceVersion,
  PARAMS.resourceVersionMatch,
  PARAMS.sendInitialEvents,
  PARAMS.timeoutSeconds,
  PARAMS.watch,
];
const WRITE_PARAMS = [PARAMS.dryRun, PARAMS.fieldManager, PARAMS.fieldValidation];
const PATCH_PARAMS = [PARAMS.dryRun, PARAMS.fieldManagerApply, PARAMS.fieldValidation, PARAMS.force];
const DELETE_PARAMS = [
  PARAMS.dryRun,
  PARAMS.gracePeriodSeconds,
  PARAMS.ignoreStoreReadError,
  PARAMS.orphanDependents,
  PARAMS.propagationPolicy,
];
const DELETECOLLECTION_PARAMS = [
  PARAMS.continue,
  PARAMS.dryRun,
  PARAMS.fieldSelector,
  PARAMS.gracePeriodSeconds,
  PARAMS.ignoreStoreReadError,
  PARAMS.labelSelector,
  PARAMS.limit,
  PARAMS.orphanDependents,
  PARAMS.propagationPolicy,
  PARAMS.resourceVersion,
  PARAMS.resourceVersionMatch,
  PARAMS.sendInitialEvents,
  PARAMS.timeoutSeconds,
];

export const PATCH_CONTENT_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

/** Go-style name of a group for operation ids: '' -> Core, rbac.authorization.k8s.io -> RbacAuthorization. */
export function goGroupName(group: string): string {
  if (!group) return 'Core';
  return group
    .replace(/\.k8s\.io$/, '')
    .split(/[.-]/)
    .filter(Boolean)
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
}

/** Tag of operations as Kubernetes publishes them: core_v1, apps_v1, rbacAuthorization_v1. */
export function operationTag(group: string, version: string): string {
  const g = goGroupName(group);
  return `${g.charAt(0).toLowerCase()}${g.slice(1)}_${version}`;
}

export interface ComponentNames {
  item: string;
  list: string;
  status: string;
  deleteOptions: string;
  patch: string;
  scale?: string;
}

/** Paths and operations of one resource. */
export function resourcePaths(d: ResourceDescriptor, names: ComponentNames): PathSpec[] {
  const prefix = d.group ? `/apis/${d.group}/${d.version}` : `/api/${d.version}`;
  const gv = `${goGroupName(d.group)}${d.version.charAt(0).toUpperCase()}${d.version.slice(1)}`;
  const gvk = { group: d.group, version: d.version, kind: d.kind };
  const tag = operationTag(d.group, d.version);
  const can = (verb: string) => d.verbs.includes(verb);
  const ns = d.namespaced ? 'Namespaced' : '';
  const builtinTypes = d.strategicMergePatch
    ? ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']
    : ['application/json', 'application/yaml'];
  const patchTypes = [
    PATCH_CONTENT_TYPES.json,
    PATCH_CONTENT_TYPES.merge,
    ...(d.strategicMergePatch ? [PATCH_CONTENT_TYPES.strategic] : []),
    PATCH_CONTENT_TYPES.apply,
  ];
  const namePath = pathParam('name', `name of the ${d.kind}`);
  const nsPath = pathParam('namespace', 'object name and auth scope, such as for teams and projects');
  const out: PathSpec[] = [];
  const op = (o: Omit<OperationSpec, 'tag' | 'produces'> & { produces?: string[] }): OperationSpec => ({
    tag,
    produces: builtinTypes,
    ...o,
  });
  const collection = d.namespaced ? `${prefix}/namespaces/{namespace}/${d.resource}` : `${prefix}/${d.resource}`;
  const collectionParams = d.namespaced ? [nsPath, PARAMS.pretty] : [PARAMS.pretty];
  const item = `${collection}/{name}`;
  const itemParams = d.namespaced ? [namePath, nsPath, PARAMS.pretty] : [namePath, PARAMS.pretty];

  // Collection across namespaces (namespaced kinds only): list/watch.
  if (d.namespaced && can('list')) {
    out.push({
      path: `${prefix}/${d.resource}`,
      pathParams: [PARAMS.pretty],
      ops: [
        op({
          method: 'get',
          operationId: `list${gv}${d.kind}ForAllNamespaces`,
          description: `list or watch objects of kind ${d.kind}`,
          action: 'list',
          gvk,
          params: LIST_PARAMS,
          responses: [{ code: '200', description: 'OK', component: names.list }],
          watchable: true,
        }),
      ],
    });
  }

  const collectionOps: OperationSpec[] = [];
  if (can('list')) {
    collectionOps.push(
      op({
        method: 'get',
        operationId: `list${gv}${ns}${d.kind}`,
        description: `list or watch objects of kind ${d.kind}`,
        action: 'list',
        gvk,
        params: LIST_PARAMS,
        responses: [{ code: '200', description: 'OK', component: names.list }],
        watchable: true,
      }),
    );
  }
  if (can('create')) {
    collectionOps.push(
      op({
        method: 'post',
        operationId: `create${gv}${ns}${d.kind}`,
        description: `create a ${d.kind}`,
        action: 'post',
        gvk,
        params: WRITE_PARAMS,
        body: { component: names.item, required: true },
        responses: [
          { code: '200', description: 'OK', component: names.item },
          { code: '201', description: 'Created', component: names.item },
          { code: '202', description: 'Accepted', component: names.item },
        ],
      }),
    );
  }
  if (can('deletecollection')) {
    collectionOps.push(
      op({
        method: 'delete',
        operationId: `delete${gv}Collection${ns}${d.kind}`,
        description: `delete collection of ${d.kind}`,
        action: 'deletecollection',
        gvk,
        params: DELETECOLLECTION_PARAMS,
        body: { component: names.deleteOptions, required: false },
        responses: [{ code: '200', description: 'OK', component: names.status }],
      }),
    );
  }
  if (collectionOps.length) out.push({ path: collection, pathParams: collectionParams, ops: collectionOps });

  const itemOps: OperationSpec[] = [];
  if (can('get')) {
    itemOps.push(
      op({
        method: 'get',
        operationId: `read${gv}${ns}${d.kind}`,
        description: `read the specified ${d.kind}`,
        action: 'get',
        gvk,
        params: [],
        responses: [{ code: '200', description: 'OK', component: names.item }],
      }),
    );
  }
  if (can('update')) {
    itemOps.push(
      op({
        method: 'put',
        operationId: `replace${gv}${ns}${d.kind}`,
        description: `replace the specified ${d.kind}`,
        action: 'put',
        gvk,
        params: WRITE_PARAMS,
        body: { component: names.item, required: true },
        responses: [
          { code: '200', description: 'OK', component: names.item },
          { code: '201', description: 'Created', component: names.item },
        ],
      }),
    );
  }
  if (can('delete')) {
    itemOps.push(
      op({
        method: 'delete',
        operationId: `delete${gv}${ns}${d.kind}`,
        description: `delete a ${d.kind}`,
        action: 'delete',
        gvk,
        params: DELETE_PARAMS,
        body: { component: names.deleteOptions, required: false },
        responses: [
          { code: '200', description: 'OK', component: names.status },
          { code: '202', description: 'Accepted', component: names.status },
        ],
      }),
    );
  }
  if (can('patch')) {
    itemOps.push(
      op({
        method: 'patch',
        operationId: `patch${gv}${ns}${d.kind}`,
        description: `partially update the specified ${d.kind}`,
        action: 'patch',
        gvk,
        params: PATCH_PARAMS,
        body: { component: names.patch, required: true, patchTypes },
        responses: [
          { code: '200', description: 'OK', component: names.item },
          { code: '201', description: 'Created', component: names.item },
        ],
      }),
    );
  }
  if (itemOps.length) out.push({ path: item, pathParams: itemParams, ops: itemOps });

  const sub = (suffix: 'status' | 'scale', component: string, subGVK: OperationSpec['gvk']): void => {
    const Suffix = suffix === 'status' ? 'Status' : 'Scale';
    const what = suffix === 'status' ? `status of the specified ${d.kind}` : `scale of the specified ${d.kind}`;
    const ops: OperationSpec[] = [];
    if (can('get')) {
      ops.push(
        op({
          method: 'get',
          operationId: `read${gv}${ns}${d.kind}${Suffix}`,
          description: `read ${what}`,
          action: 'get',
          gvk: subGVK,
          params: [],
          responses: [{ code: '200', description: 'OK', component }],
        }),
      );
    }
    if (can('update')) {
      ops.push(
        op({
          method: 'put',
          operationId: `replace${gv}${ns}${d.kind}${Suffix}`,
          description: `replace ${what}`,
          action: 'put',
          gvk: subGVK,
          params: WRITE_PARAMS,
          body: { component, required: true },
          responses: [
            { code: '200', description: 'OK', component },
            { code: '201', description: 'Created', component },
          ],
        }),
      );
    }
    if (can('patch')) {
      ops.push(
        op({
          method: 'patch',
          operationId: `patch${gv}${ns}${d.kind}${Suffix}`,
          description: `partially update ${what}`,
          action: 'patch',
          gvk: subGVK,
          params: PATCH_PARAMS,
          body: { component: names.patch, required: true, patchTypes },
          responses: [
            { code: '200', description: 'OK', component },
            { code: '201', description: 'Created', component },
          ],
        }),
      );
    }
    if (ops.length) out.push({ path: `${item}/${suffix}`, pathParams: itemParams, ops });
  };
  if (d.subresources.status) sub('status', names.item, gvk);
  if (d.subresources.scale && names.scale) sub('scale', names.scale, { group: 'autoscaling', version: 'v1', kind: 'Scale' });
  return out;
}
