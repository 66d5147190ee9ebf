import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResourceDescriptor } from '../registry/types.js';
import { BUILTIN_KINDS, STANDARD_VERBS } from '../schema/builtin.js';
import type { JSONSchemaProps } from '../schema/types.js';
import { openapiV2, openapiV3GroupVersion, openapiV3GroupVersionJSON, openapiV3Index, type OpenAPIV3Document } from './index.js';

function crontab(extra: Record<string, JSONSchemaProps> = {}): ResourceDescriptor {
  return {
    group: 'stable.example.com',
    version: 'v1',
    resource: 'crontabs',
    singular: 'crontab',
    kind: 'CronTab',
    listKind: 'CronTabList',
    namespaced: true,
    shortNames: ['ct'],
    verbs: [...STANDARD_VERBS],
    subresources: { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
    strategicMergePatch: false,
    crd: { name: 'crontabs.stable.example.com', uid: 'u', preserveUnknownFields: false },
    schema: {
      type: 'object',
      description: 'A cron tab',
      properties: {
        metadata: { type: 'object' },
        spec: {
          type: 'object',
          properties: { cronSpec: { type: 'string', description: 'the schedule' }, replicas: { type: 'integer' }, ...extra },
        },
        status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      },
    },
  };
}

const all = (c = crontab()) => [...BUILTIN_KINDS, c];

type Json = Record<string, unknown>;

/** kubectl's cli-runtime supportsQueryParamV3: the PATCH op carrying the GVK must list the param. */
function supportsQueryParamV3(doc: OpenAPIV3Document, gvk: Json, param: string): boolean {
  for (const path of Object.values(doc.paths)) {
    const op = path.patch as Json | undefined;
    if (!op) continue;
    const ext = op['x-kubernetes-group-version-kind'] as Json | undefined;
    if (!ext || ext.group !== gvk.group || ext.version !== gvk.version || ext.kind !== gvk.kind) continue;
    return ((op.parameters as Json[] | undefined) ?? []).some((p) => p.name === param);
  }
  return false;
}

function resolve(doc: OpenAPIV3Document, s: JSONSchemaProps): JSONSchemaProps {
  if (s.$ref) {
    const r = doc.components.schemas[s.$ref.replace('#/components/schemas/', '')];
    assert.ok(r, `unresolved ${s.$ref}`);
    return r;
  }
  return s;
}

/** What kubectl's PatchMetaFromOpenAPIV3 reads: patch metadata on the property, then allOf[0]/$ref. */
function patchMetaV3(doc: OpenAPIV3Document, root: JSONSchemaProps, path: string[]): { key?: unknown; strategy?: unknown } {
  let s = root;
  let meta: { key?: unknown; strategy?: unknown } = {};
  for (const seg of path) {
    const prop = s.properties?.[seg];
    assert.ok(prop, `unable to find api field "${seg}"`);
    meta = { key: prop['x-kubernetes-patch-merge-key'], strategy: prop['x-kubernetes-patch-strategy'] };
    let next = prop.items ?? prop;
    if (next.allOf?.length) next = next.allOf[0]!;
    s = resolve(doc, next);
  }
  return meta;
}

/** Every $ref points into the document. */
function assertRefsResolve(node: unknown, has: (name: string) => boolean, prefix: string): void {
  if (Array.isArray(node)) return node.forEach((n) => assertRefsResolve(n, has, prefix));
  if (!node || typeof node !== 'object') return;
  for (const [k, v] of Object.entries(node)) {
    // (JSONSchemaProps has a property named "$ref" whose schema is an object.)
    if (k === '$ref' && typeof v === 'string') {
      assert.ok(v.startsWith(prefix) && has(v.slice(prefix.length)), `dangling ${v}`);
    } else assertRefsResolve(v, has, prefix);
  }
}

describe('openapi v3', () => {
  it('lists every group-version in the discovery document', () => {
    const idx = openapiV3Index(all());
    for (const gv of ['api/v1', 'apis/apps/v1', 'apis/batch/v1', 'apis/autoscaling/v2', 'apis/stable.example.com/v1']) {
      assert.match(idx.paths[gv]!.serverRelativeURL, new RegExp(`^/openapi/v3/${gv}\\?hash=[0-9A-F]{128}$`));
    }
  });

  it('changes the hash of a group-version when its content changes, only that one', () => {
    const before = openapiV3Index(all());
    const after = openapiV3Index(all(crontab({ schedule: { type: 'string' } })));
    assert.notEqual(before.paths['apis/stable.example.com/v1'], undefined);
    assert.notEqual(
      before.paths['apis/stable.example.com/v1']!.serverRelativeURL,
      after.paths['apis/stable.example.com/v1']!.serverRelativeURL,
    );
    assert.equal(before.paths['apis/apps/v1']!.serverRelativeURL, after.paths['apis/apps/v1']!.serverRelativeURL);
    const again = openapiV3Index(all());
    assert.deepEqual(again, before);
    const r = openapiV3GroupVersionJSON(all(), 'apps', 'v1')!;
    assert.ok(before.paths['apis/apps/v1']!.serverRelativeURL.endsWith(r.hash));
    assert.equal(JSON.stringify(openapiV3GroupVersion(all(), 'apps', 'v1')), r.json);
  });

  it('advertises fieldValidation on the Deployment PATCH (kubectl --validate=strict)', () => {
    const doc = openapiV3GroupVersion(all(), 'apps', 'v1')!;
    assert.ok(supportsQueryParamV3(doc, { group: 'apps', version: 'v1', kind: 'Deployment' }, 'fieldValidation'));
    const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']!.patch as Json;
    const names = (patch.parameters as Json[]).map((p) => p.name);
    for (const n of ['dryRun', 'fieldManager', 'fieldValidation', 'force']) assert.ok(names.includes(n), n);
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', kind: 'Deployment', version: 'v1' });
    assert.equal(patch['x-kubernetes-action'], 'patch');
    assert.equal(patch.operationId, 'patchAppsV1NamespacedDeployment');
    const types = Object.keys(((patch.requestBody as Json).content as Json) ?? {});
    assert.deepEqual(types.sort(), [
      'application/apply-patch+yaml',
      'application/json-patch+json',
      'application/merge-patch+json',
      'application/strategic-merge-patch+json',
    ]);
    const post = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments']!.post as Json;
    assert.ok((post.parameters as Json[]).some((p) => p.name === 'fieldValidation'));
    const scale = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale']!.patch as Json;
    assert.deepEqual(scale['x-kubernetes-group-version-kind'], { group: 'autoscaling', kind: 'Scale', version: 'v1' });
    assert.ok(doc.components.schemas['io.k8s.api.autoscaling.v1.Scale']);
  });

  it('publishes Kubernetes-named components with GVKs and resolvable references', () => {
    const doc = openapiV3GroupVersion(all(), 'apps', 'v1')!;
    const dep = doc.components.schemas['io.k8s.api.apps.v1.Deployment']!;
    assert.deepEqual(dep['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
    assert.deepEqual(doc.components.schemas['io.k8s.api.apps.v1.DeploymentList']!['x-kubernetes-group-version-kind'], [
      { group: 'apps', kind: 'DeploymentList', version: 'v1' },
    ]);
    assert.deepEqual(dep.properties!.metadata!.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }]);
    for (const n of ['ObjectMeta', 'ListMeta', 'Status', 'DeleteOptions', 'Patch', 'OwnerReference', 'ManagedFieldsEntry']) {
      assert.ok(doc.components.schemas[`io.k8s.apimachinery.pkg.apis.meta.v1.${n}`], n);
    }
    assert.ok(doc.components.schemas['io.k8s.api.core.v1.PodSpec']);
    assert.ok(doc.components.schemas['io.k8s.api.core.v1.PodSpec']!.description);
    assertRefsResolve(doc, (n) => n in doc.components.schemas, '#/components/schemas/');
    const core = openapiV3GroupVersion(all(), '', 'v1')!;
    assert.deepEqual(core.components.schemas['io.k8s.api.core.v1.Pod']!['x-kubernetes-group-version-kind'], [
      { group: '', kind: 'Pod', version: 'v1' },
    ]);
    assert.ok(core.paths['/api/v1/namespaces/{namespace}/pods/{name}/status']);
    assert.ok(core.paths['/api/v1/nodes/{name}']);
    assert.equal(core.paths['/api/v1/namespaces/{namespace}/nodes'], undefined);
  });

  it('lets kubectl compute strategic merge patches from components', () => {
    const doc = openapiV3GroupVersion(all(), 'apps', 'v1')!;
    const dep = doc.components.schemas['io.k8s.api.apps.v1.Deployment']!;
    assert.deepEqual(patchMetaV3(doc, dep, ['spec', 'template', 'spec', 'containers']), { key: 'name', strategy: 'merge' });
    assert.deepEqual(patchMetaV3(doc, dep, ['spec', 'template', 'spec', 'containers', 'ports']), {
      key: 'containerPort',
      strategy: 'merge',
    });
    assert.deepEqual(patchMetaV3(doc, dep, ['spec', 'template', 'spec', 'volumes']), { key: 'name', strategy: 'merge,retainKeys' });
    assert.deepEqual(patchMetaV3(doc, dep, ['spec', 'strategy']), { key: undefined, strategy: 'retainKeys' });
    assert.deepEqual(patchMetaV3(doc, dep, ['metadata', 'ownerReferences']), { key: 'uid', strategy: 'merge' });
    const containers = resolve(doc, { $ref: '#/components/schemas/io.k8s.api.core.v1.PodSpec' }).properties!.containers!;
    assert.deepEqual(containers['x-kubernetes-list-map-keys'], ['name']);
    assert.equal(containers['x-kubernetes-list-type'], 'map');
  });

  it('supports kubectl explain lookups (GVK from paths, then fields through refs)', () => {
    const doc = openapiV3GroupVersion(all(), 'apps', 'v1')!;
    // explain's template: search the resource's paths for an operation carrying the GVK.
    const pathOps = doc.paths['/apis/apps/v1/deployments']!;
    const gvk = (pathOps.get as Json)['x-kubernetes-group-version-kind'];
    const schema = Object.values(doc.components.schemas).find((s) =>
      (s['x-kubernetes-group-version-kind'] ?? []).some((g) => JSON.stringify(g) === JSON.stringify(gvk)),
    );
    assert.ok(schema);
    const containers = patchMetaV3(doc, schema, ['spec', 'template', 'spec', 'containers']);
    assert.equal(containers.key, 'name');
    const maxSurge = resolve(doc, { $ref: '#/components/schemas/io.k8s.api.apps.v1.RollingUpdateDeployment' }).properties!.maxSurge!;
    assert.deepEqual(maxSurge.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString' }]);
  });

  it('names CRD components by reversed group and publishes their schema', () => {
    const doc = openapiV3GroupVersion(all(), 'stable.example.com', 'v1')!;
    const ct = doc.components.schemas['com.example.stable.v1.CronTab']!;
    assert.ok(ct);
    assert.deepEqual(ct['x-kubernetes-group-version-kind'], [{ group: 'stable.example.com', kind: 'CronTab', version: 'v1' }]);
    assert.equal(ct.description, 'A cron tab');
    assert.equal(ct.properties!.spec!.properties!.cronSpec!.description, 'the schedule');
    assert.deepEqual(ct.properties!.metadata!.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }]);
    assert.ok(doc.components.schemas['com.example.stable.v1.CronTabList']);
    assert.ok(doc.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
    assert.ok(supportsQueryParamV3(doc, { group: 'stable.example.com', version: 'v1', kind: 'CronTab' }, 'fieldValidation'));
    const patch = doc.paths['/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}']!.patch as Json;
    const types = Object.keys((patch.requestBody as Json).content as Json);
    assert.ok(!types.includes('application/strategic-merge-patch+json'));
    assert.ok(types.includes('application/apply-patch+yaml'));
    assert.equal(patch.operationId, 'patchStableExampleComV1NamespacedCronTab');
    assertRefsResolve(doc, (n) => n in doc.components.schemas, '#/components/schemas/');
    assert.equal(openapiV3GroupVersion(all(), 'stable.example.com', 'v2'), undefined);
  });
});

describe('openapi v2', () => {
  const doc = openapiV2(all());

  it('has definitions and paths with GVK extensions', () => {
    assert.equal(doc.swagger, '2.0');
    assert.deepEqual(doc.definitions['io.k8s.api.apps.v1.Deployment']!['x-kubernetes-group-version-kind'], [
      { group: 'apps', kind: 'Deployment', version: 'v1' },
    ]);
    assert.ok(doc.definitions['com.example.stable.v1.CronTab']);
    const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']!.patch as Json;
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', kind: 'Deployment', version: 'v1' });
    assert.ok((patch.consumes as string[]).includes('application/strategic-merge-patch+json'));
    assert.ok((patch.parameters as Json[]).some((p) => p.name === 'fieldValidation' && p.in === 'query'));
    assert.ok((patch.parameters as Json[]).some((p) => p.in === 'body'));
    const crPatch = doc.paths['/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}']!.patch as Json;
    assert.ok(!(crPatch.consumes as string[]).includes('application/strategic-merge-patch+json'));
    const spec = doc.definitions['io.k8s.api.core.v1.PodSpec']!;
    const containers = (spec.properties as Record<string, Json>).containers!;
    assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
    assert.deepEqual(containers.items, { $ref: '#/definitions/io.k8s.api.core.v1.Container' });
    assert.deepEqual(doc.definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString']!.format, 'int-or-string');
  });

  it('only uses what swagger 2.0 and kubectl’s parser accept', () => {
    assertRefsResolve(doc, (n) => n in doc.definitions, '#/definitions/');
    const walk = (s: unknown, where: string): void => {
      if (!s || typeof s !== 'object') return;
      const o = s as Json;
      for (const k of ['oneOf', 'anyOf', 'not', 'nullable', 'allOf']) assert.ok(!(k in o), `${k} at ${where}`);
      if (o.type === 'array') assert.ok(o.items, `array without items at ${where}`);
      if (o.type !== undefined) {
        assert.ok(['object', 'array', 'string', 'integer', 'number', 'boolean'].includes(o.type as string), where);
      }
      for (const [k, v] of Object.entries((o.properties as Json) ?? {})) walk(v, `${where}.${k}`);
      if (o.items) walk(o.items, `${where}[]`);
      if (o.additionalProperties && typeof o.additionalProperties === 'object') walk(o.additionalProperties, `${where}{}`);
    };
    for (const [name, def] of Object.entries(doc.definitions)) walk(def, name);
  });
});
