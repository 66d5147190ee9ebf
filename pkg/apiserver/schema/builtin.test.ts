import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUILTIN_KINDS, builtinModelName, builtinSchema, isBuiltinDescriptor } from './builtin.js';
import type { JSONSchemaProps } from './types.js';

function at(s: JSONSchemaProps | undefined, path: string): JSONSchemaProps {
  let cur = s;
  for (const seg of path.split('.')) {
    assert.ok(cur, `no schema before ${seg} in ${path}`);
    cur = seg === '[]' ? cur.items : seg === '{}' ? (cur.additionalProperties as JSONSchemaProps) : cur.properties?.[seg];
  }
  assert.ok(cur, `no schema at ${path}`);
  return cur;
}

const deployment = () => builtinSchema({ group: 'apps', version: 'v1', kind: 'Deployment' })!;
const podSpec = 'spec.template.spec';

describe('builtinSchema', () => {
  it('resolves models per group and rejects unknown kinds', () => {
    assert.equal(builtinModelName({ group: '', version: 'v1', kind: 'Pod' }), 'V1Pod');
    assert.equal(builtinModelName({ group: 'apps', version: 'v1', kind: 'Deployment' }), 'V1Deployment');
    assert.equal(
      builtinModelName({ group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler' }),
      'V2HorizontalPodAutoscaler',
    );
    assert.equal(builtinModelName({ group: 'policy', version: 'v1', kind: 'PodDisruptionBudget' }), 'V1PodDisruptionBudget');
    assert.equal(builtinModelName({ group: '', version: 'v1', kind: 'Event' }), 'CoreV1Event');
    assert.equal(builtinModelName({ group: 'events.k8s.io', version: 'v1', kind: 'Event' }), 'EventsV1Event');
    assert.equal(builtinModelName({ group: 'apps', version: 'v1', kind: 'Pod' }), undefined);
    assert.equal(builtinSchema({ group: 'example.com', version: 'v1', kind: 'Widget' }), undefined);
  });

  it('tags the root with its GVK and caches', () => {
    const d = deployment();
    assert.deepEqual(d['x-kubernetes-group-version-kind'], [{ group: 'apps', version: 'v1', kind: 'Deployment' }]);
    assert.equal(builtinSchema({ group: 'apps', version: 'v1', kind: 'Deployment' }), d);
    assert.equal(d.type, 'object');
    assert.deepEqual(Object.keys(d.properties!).sort(), ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
  });

  it('carries strategic merge and list metadata for containers', () => {
    const containers = at(deployment(), `${podSpec}.containers`);
    assert.equal(containers.type, 'array');
    assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
    assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
    assert.equal(containers['x-kubernetes-list-type'], 'map');
    assert.deepEqual(containers['x-kubernetes-list-map-keys'], ['name']);
    assert.equal(at(containers, '[].image').type, 'string');
    assert.deepEqual(at(deployment(), `${podSpec}`).required, ['containers']);
    assert.deepEqual(at(containers, '[]').required, ['name']);

    const ports = at(containers, '[].ports');
    assert.equal(ports['x-kubernetes-patch-merge-key'], 'containerPort');
    assert.deepEqual(ports['x-kubernetes-list-map-keys'], ['containerPort', 'protocol']);
    assert.equal(at(ports, '[].protocol').default, 'TCP');
    assert.equal(at(containers, '[].env')['x-kubernetes-patch-merge-key'], 'name');
    assert.equal(at(containers, '[].volumeMounts')['x-kubernetes-patch-merge-key'], 'mountPath');
    assert.equal(at(containers, '[].volumeDevices')['x-kubernetes-patch-merge-key'], 'devicePath');
    assert.equal(at(containers, '[].args')['x-kubernetes-list-type'], 'atomic');
  });

  it('covers pod spec, metadata, service and node lists', () => {
    const spec = at(deployment(), podSpec);
    assert.equal(at(spec, 'volumes')['x-kubernetes-patch-strategy'], 'merge,retainKeys');
    assert.equal(at(spec, 'initContainers')['x-kubernetes-patch-merge-key'], 'name');
    assert.equal(at(spec, 'ephemeralContainers')['x-kubernetes-patch-merge-key'], 'name');
    assert.equal(at(spec, 'imagePullSecrets')['x-kubernetes-patch-merge-key'], 'name');
    assert.equal(at(spec, 'tolerations')['x-kubernetes-list-type'], 'atomic');
    assert.equal(at(spec, 'tolerations')['x-kubernetes-patch-merge-key'], undefined);
    assert.equal(at(spec, 'hostAliases')['x-kubernetes-patch-merge-key'], 'ip');
    assert.deepEqual(at(spec, 'topologySpreadConstraints')['x-kubernetes-list-map-keys'], ['topologyKey', 'whenUnsatisfiable']);
    assert.equal(at(spec, 'nodeSelector')['x-kubernetes-map-type'], 'atomic');
    assert.equal(at(deployment(), 'spec.strategy')['x-kubernetes-patch-strategy'], 'retainKeys');
    assert.equal(at(deployment(), 'spec.selector')['x-kubernetes-map-type'], 'atomic');

    const meta = at(deployment(), 'metadata');
    assert.equal(at(meta, 'ownerReferences')['x-kubernetes-patch-merge-key'], 'uid');
    assert.deepEqual(at(meta, 'ownerReferences')['x-kubernetes-list-map-keys'], ['uid']);
    assert.equal(at(meta, 'finalizers')['x-kubernetes-list-type'], 'set');
    assert.equal(at(meta, 'finalizers')['x-kubernetes-patch-strategy'], 'merge');
    assert.equal(at(meta, 'labels.{}').type, 'string');
    assert.equal(at(deployment(), 'status.conditions')['x-kubernetes-patch-merge-key'], 'type');

    const svc = builtinSchema({ group: '', version: 'v1', kind: 'Service' })!;
    assert.equal(at(svc, 'spec.ports')['x-kubernetes-patch-merge-key'], 'port');
    assert.deepEqual(at(svc, 'spec.ports')['x-kubernetes-list-map-keys'], ['port', 'protocol']);
    assert.equal(at(svc, 'spec.ports.[].targetPort')['x-kubernetes-int-or-string'], true);

    const node = builtinSchema({ group: '', version: 'v1', kind: 'Node' })!;
    assert.equal(at(node, 'spec.taints')['x-kubernetes-list-type'], 'atomic');
    assert.equal(at(node, 'status.addresses')['x-kubernetes-patch-merge-key'], 'type');

    const role = builtinSchema({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding' })!;
    assert.equal(at(role, 'subjects')['x-kubernetes-list-type'], 'atomic');
    const ing = builtinSchema({ group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' })!;
    assert.equal(at(ing, 'spec.rules')['x-kubernetes-list-type'], 'atomic');
  });

  it('maps numbers, dates, bytes, int-or-string and quantities', () => {
    assert.deepEqual(at(deployment(), 'spec.replicas'), { type: 'integer', format: 'int32' });
    assert.deepEqual(at(deployment(), 'metadata.generation'), { type: 'integer', format: 'int64' });
    assert.deepEqual(at(deployment(), 'metadata.creationTimestamp'), { type: 'string', format: 'date-time' });
    const maxSurge = at(deployment(), 'spec.strategy.rollingUpdate.maxSurge');
    assert.equal(maxSurge['x-kubernetes-int-or-string'], true);
    assert.equal(maxSurge.type, undefined);
    const secret = builtinSchema({ group: '', version: 'v1', kind: 'Secret' })!;
    assert.deepEqual(at(secret, 'data.{}'), { type: 'string', format: 'byte' });
    const limits = at(deployment(), `${podSpec}.containers.[].resources.limits`);
    assert.equal(limits.type, 'object');
    const q = limits.additionalProperties as JSONSchemaProps;
    assert.equal(q['x-kubernetes-quantity'], true);
    assert.deepEqual(
      q.anyOf!.map((s) => s.type),
      ['number', 'string'],
    );
    assert.ok(new RegExp(q.anyOf![1]!.pattern!).test('500m'));
    assert.ok(!new RegExp(q.anyOf![1]!.pattern!).test('lots'));
    const lease = builtinSchema({ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease' })!;
    assert.deepEqual(at(lease, 'spec.renewTime'), { type: 'string', format: 'date-time' });
    const fieldsV1 = at(deployment(), 'metadata.managedFields.[].fieldsV1');
    assert.equal(fieldsV1['x-kubernetes-preserve-unknown-fields'], true);
  });

  it('cuts recursion inside CRD schemas', () => {
    const crd = builtinSchema({ group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition' })!;
    const root = at(crd, 'spec.versions.[].schema.openAPIV3Schema');
    assert.equal(root.type, 'object');
    assert.ok(root.properties?.type, 'JSONSchemaProps expanded once');
    assert.deepEqual(at(root, 'properties.{}'), { type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
    assert.deepEqual(at(root, 'not'), { type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
    assert.deepEqual(at(root, 'allOf.[]'), { type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
    assert.deepEqual(at(root, 'default'), { 'x-kubernetes-preserve-unknown-fields': true });
    assert.ok(root.properties!['x-kubernetes-preserve-unknown-fields'], 'extension fields use their JSON names');
    assert.ok(root.properties!['$ref']);
    assert.doesNotMatch(JSON.stringify(crd), /"\$ref":"/, 'no references anywhere');
  });

  it('keeps required fields Kubernetes enforces, not zero-valued ones or status', () => {
    assert.deepEqual(at(deployment(), 'spec').required, ['selector', 'template']);
    const sts = builtinSchema({ group: 'apps', version: 'v1', kind: 'StatefulSet' })!;
    assert.equal(at(sts, 'status').required, undefined);
    const cr = builtinSchema({ group: 'apps', version: 'v1', kind: 'ControllerRevision' })!;
    assert.equal(cr.required, undefined);
    const hpa = builtinSchema({ group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler' })!;
    assert.deepEqual(at(hpa, 'spec').required, ['scaleTargetRef']);
  });
});

describe('BUILTIN_KINDS', () => {
  const byResource = new Map(BUILTIN_KINDS.map((d) => [`${d.group}/${d.resource}`, d]));

  it('lists the served kinds with names, scope and subresources', () => {
    const expected: [string, string, string[] | undefined, boolean][] = [
      ['/namespaces', 'Namespace', ['ns'], false],
      ['/configmaps', 'ConfigMap', ['cm'], true],
      ['/secrets', 'Secret', undefined, true],
      ['/services', 'Service', ['svc'], true],
      ['/serviceaccounts', 'ServiceAccount', ['sa'], true],
      ['/persistentvolumeclaims', 'PersistentVolumeClaim', ['pvc'], true],
      ['/pods', 'Pod', ['po'], true],
      ['/events', 'Event', ['ev'], true],
      ['/limitranges', 'LimitRange', ['limits'], true],
      ['/resourcequotas', 'ResourceQuota', ['quota'], true],
      ['/nodes', 'Node', ['no'], false],
      ['/endpoints', 'Endpoints', ['ep'], true],
      ['apps/deployments', 'Deployment', ['deploy'], true],
      ['apps/statefulsets', 'StatefulSet', ['sts'], true],
      ['apps/daemonsets', 'DaemonSet', ['ds'], true],
      ['apps/replicasets', 'ReplicaSet', ['rs'], true],
      ['apps/controllerrevisions', 'ControllerRevision', undefined, true],
      ['batch/jobs', 'Job', undefined, true],
      ['batch/cronjobs', 'CronJob', ['cj'], true],
      ['networking.k8s.io/ingresses', 'Ingress', ['ing'], true],
      ['rbac.authorization.k8s.io/roles', 'Role', undefined, true],
      ['rbac.authorization.k8s.io/rolebindings', 'RoleBinding', undefined, true],
      ['rbac.authorization.k8s.io/clusterroles', 'ClusterRole', undefined, false],
      ['rbac.authorization.k8s.io/clusterrolebindings', 'ClusterRoleBinding', undefined, false],
      ['policy/poddisruptionbudgets', 'PodDisruptionBudget', ['pdb'], true],
      ['autoscaling/horizontalpodautoscalers', 'HorizontalPodAutoscaler', ['hpa'], true],
      ['coordination.k8s.io/leases', 'Lease', undefined, true],
      ['apiextensions.k8s.io/customresourcedefinitions', 'CustomResourceDefinition', ['crd', 'crds'], false],
      ['certificates.k8s.io/certificatesigningrequests', 'CertificateSigningRequest', ['csr'], false],
      ['discovery.k8s.io/endpointslices', 'EndpointSlice', undefined, true],
    ];
    assert.equal(BUILTIN_KINDS.length, expected.length);
    for (const [key, kind, shortNames, namespaced] of expected) {
      const d = byResource.get(key);
      assert.ok(d, key);
      assert.equal(d.kind, kind);
      assert.equal(d.listKind, `${kind}List`);
      assert.deepEqual(d.shortNames, shortNames, key);
      assert.equal(d.namespaced, namespaced, key);
      assert.equal(d.strategicMergePatch, true);
      assert.deepEqual(d.verbs, ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
      assert.ok(isBuiltinDescriptor(d));
      assert.deepEqual(d.schema?.['x-kubernetes-group-version-kind'], [{ group: d.group, version: d.version, kind }]);
    }
    assert.equal(byResource.get('autoscaling/horizontalpodautoscalers')!.version, 'v2');
    assert.equal(byResource.get('/endpoints')!.singular, 'endpoints');
    assert.equal(byResource.get('apps/deployments')!.singular, 'deployment');
  });

  it('marks the "all" category as Kubernetes does', () => {
    const all = BUILTIN_KINDS.filter((d) => d.categories?.includes('all')).map((d) => d.resource).sort();
    assert.deepEqual(all, [
      'cronjobs', 'daemonsets', 'deployments', 'horizontalpodautoscalers', 'jobs', 'pods', 'replicasets', 'services',
      'statefulsets',
    ]);
  });

  it('declares status and scale subresources', () => {
    for (const r of ['apps/deployments', 'apps/statefulsets', 'apps/replicasets']) {
      assert.deepEqual(byResource.get(r)!.subresources.scale?.specReplicasPath, '.spec.replicas');
    }
    assert.equal(byResource.get('apps/daemonsets')!.subresources.scale, undefined);
    for (const r of ['/pods', '/services', '/nodes', '/namespaces', 'apps/deployments', 'batch/jobs', 'policy/poddisruptionbudgets']) {
      assert.equal(byResource.get(r)!.subresources.status, true, r);
    }
    for (const r of ['/configmaps', '/secrets', 'rbac.authorization.k8s.io/roles', 'coordination.k8s.io/leases']) {
      assert.equal(byResource.get(r)!.subresources.status, undefined, r);
    }
  });
});
