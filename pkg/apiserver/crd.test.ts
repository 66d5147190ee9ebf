// HTTP-level discovery, OpenAPI and CustomResourceDefinition serving: a CRD becomes served, its custom
// objects are validated against the schema and have status/scale subresources, and deleting the CRD
// deletes its objects and stops serving the resource.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startTestServer, type Response, type TestServer } from './testharness.js';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(async () => {
  await s?.stop();
});

const MERGE = { 'content-type': 'application/merge-patch+json' };
const AGGREGATED = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** Type and parameters of a Content-Type header (values unquoted, charset aside). */
function mediaType(header: unknown): { type: string; params: Record<string, string> } {
  const [type, ...params] = String(header).split(';').map((x) => x.trim());
  const p: Record<string, string> = {};
  for (const kv of params) {
    const eq = kv.indexOf('=');
    if (eq > 0) p[kv.slice(0, eq).toLowerCase()] = kv.slice(eq + 1).replace(/^"(.*)"$/, '$1');
  }
  delete p.charset;
  return { type: type!.toLowerCase(), params: p };
}

function assertStatus(r: Response, code: number, reason: string): void {
  assert.equal(r.status, code, `expected ${code} ${reason}, got ${r.status}: ${r.text}`);
  assert.equal(r.json?.kind, 'Status');
  assert.equal(r.json.code, code);
  assert.equal(r.json.reason, reason);
}

describe('discovery and OpenAPI', () => {
  test('/api and /apis', async () => {
    const api = await s.call('GET', '/api');
    assert.equal(api.status, 200, api.text);
    assert.equal(api.json.kind, 'APIVersions');
    assert.deepEqual(api.json.versions, ['v1']);
    assert.ok(api.json.serverAddressByClientCIDRs[0].serverAddress.endsWith(`:${new URL(s.url).port}`));

    const apis = await s.call('GET', '/apis');
    assert.equal(apis.status, 200);
    assert.equal(apis.json.kind, 'APIGroupList');
    const apps = apis.json.groups.find((g: { name: string }) => g.name === 'apps');
    assert.deepEqual(apps.preferredVersion, { groupVersion: 'apps/v1', version: 'v1' });
    assert.ok(apis.json.groups.some((g: { name: string }) => g.name === 'apiextensions.k8s.io'));
    assert.ok(!apis.json.groups.some((g: { name: string }) => g.name === ''), 'the core group is only under /api');

    const group = await s.call('GET', '/apis/apps');
    assert.equal(group.status, 200);
    assert.equal(group.json.kind, 'APIGroup');
    assert.equal(group.json.name, 'apps');
  });

  test('/apis/apps/v1 and /api/v1 resource lists', async () => {
    const r = await s.call('GET', '/apis/apps/v1');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.kind, 'APIResourceList');
    assert.equal(r.json.groupVersion, 'apps/v1');
    const byName = new Map<string, { kind: string; namespaced: boolean; verbs: string[]; group?: string }>(
      r.json.resources.map((x: { name: string }) => [x.name, x]),
    );
    const deployments = byName.get('deployments')!;
    assert.equal(deployments.kind, 'Deployment');
    assert.equal(deployments.namespaced, true);
    for (const v of ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']) assert.ok(deployments.verbs.includes(v), v);
    assert.ok(byName.has('deployments/status'));
    assert.equal(byName.get('deployments/scale')?.kind, 'Scale');
    assert.equal(byName.get('deployments/scale')?.group, 'autoscaling');

    const core = await s.call('GET', '/api/v1');
    assert.equal(core.status, 200);
    const names = core.json.resources.map((x: { name: string }) => x.name);
    for (const n of ['configmaps', 'namespaces', 'namespaces/finalize', 'namespaces/status', 'secrets']) assert.ok(names.includes(n), n);
    assert.equal(core.json.resources.find((x: { name: string }) => x.name === 'namespaces').namespaced, false);

    assertStatus(await s.call('GET', '/apis/apps/v9'), 404, 'NotFound');
    assertStatus(await s.call('GET', '/apis/nope.example.com'), 404, 'NotFound');
    assertStatus(await s.call('POST', '/apis', {}), 405, 'MethodNotAllowed');
  });

  test('aggregated discovery echoes the requested content type', async () => {
    const apis = await s.call('GET', '/apis', undefined, { accept: `${AGGREGATED},application/json` });
    assert.equal(apis.status, 200, apis.text);
    assert.deepEqual(mediaType(apis.headers['content-type']), mediaType(AGGREGATED));
    assert.equal(apis.json.kind, 'APIGroupDiscoveryList');
    assert.equal(apis.json.apiVersion, 'apidiscovery.k8s.io/v2');
    const apps = apis.json.items.find((g: { metadata: { name: string } }) => g.metadata.name === 'apps');
    const deployments = apps.versions[0].resources.find((r: { resource: string }) => r.resource === 'deployments');
    assert.equal(deployments.scope, 'Namespaced');
    assert.deepEqual(deployments.responseKind, { group: 'apps', version: 'v1', kind: 'Deployment' });
    assert.deepEqual(deployments.subresources.map((x: { subresource: string }) => x.subresource).sort(), ['scale', 'status']);

    const api = await s.call('GET', '/api', undefined, { accept: AGGREGATED });
    assert.deepEqual(mediaType(api.headers['content-type']), mediaType(AGGREGATED));
    assert.deepEqual(api.json.items.map((g: { metadata: { name: string } }) => g.metadata.name), ['']);
    assert.ok(api.json.items[0].versions[0].resources.some((r: { resource: string }) => r.resource === 'configmaps'));

    // A plain Accept gets the legacy documents.
    const legacy = await s.call('GET', '/apis', undefined, { accept: 'application/json' });
    assert.match(String(legacy.headers['content-type']), /^application\/json/);
    assert.equal(legacy.json.kind, 'APIGroupList');
  });

  test('/openapi/v3 index and a group-version document', async () => {
    const idx = await s.call('GET', '/openapi/v3');
    assert.equal(idx.status, 200, idx.text);
    for (const p of ['api/v1', 'apis/apps/v1']) assert.ok(idx.json.paths[p]?.serverRelativeURL, p);
    const url = idx.json.paths['apis/apps/v1'].serverRelativeURL as string;
    assert.match(url, /^\/openapi\/v3\/apis\/apps\/v1\?hash=/);
    const doc = await s.call('GET', url);
    assert.equal(doc.status, 200, doc.text.slice(0, 200));
    assert.match(doc.json.openapi, /^3\./);
    assert.ok(doc.json.components.schemas['io.k8s.api.apps.v1.Deployment']);
    assert.ok(Object.keys(doc.json.paths).some((p) => p.startsWith('/apis/apps/v1/namespaces/{namespace}/deployments')));
    assertStatus(await s.call('GET', '/openapi/v3/apis/nope/v1'), 404, 'NotFound');
  });

  test('/version', async () => {
    const v = await s.call('GET', '/version');
    assert.equal(v.status, 200);
    for (const k of ['major', 'minor', 'gitVersion', 'platform']) assert.equal(typeof v.json[k], 'string', k);
  });
});

describe('CustomResourceDefinitions', () => {
  const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
  const WIDGETS = '/apis/example.com/v1/namespaces/default/widgets';
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'] },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  required: ['size'],
                  properties: {
                    size: { type: 'integer', minimum: 1 },
                    color: { type: 'string', enum: ['red', 'blue'] },
                    replicas: { type: 'integer' },
                  },
                },
                status: {
                  type: 'object',
                  properties: { replicas: { type: 'integer' }, selector: { type: 'string' }, phase: { type: 'string' } },
                },
              },
            },
          },
          subresources: {
            status: {},
            scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' },
          },
          additionalPrinterColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }],
        },
      ],
    },
  };
  const widget = (name: string, spec: Record<string, unknown> = { size: 2 }) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name }, spec });

  before(async () => {
    assertStatus(await s.call('GET', WIDGETS), 404, 'NotFound');
    const r = await s.call('POST', CRDS, crd);
    assert.equal(r.status, 201, r.text);
  });

  test('a created CRD is established and served in discovery', async () => {
    const rl = await eventually('widgets in discovery', async () => {
      const r = await s.call('GET', '/apis/example.com/v1');
      return r.status === 200 ? r.json : undefined;
    });
    const w = rl.resources.find((x: { name: string }) => x.name === 'widgets');
    assert.equal(w.kind, 'Widget');
    assert.deepEqual(w.shortNames, ['wd']);
    assert.ok(rl.resources.some((x: { name: string }) => x.name === 'widgets/status'));
    assert.ok(rl.resources.some((x: { name: string }) => x.name === 'widgets/scale'));
    const groups = await s.call('GET', '/apis');
    assert.ok(groups.json.groups.some((g: { name: string }) => g.name === 'example.com'));
    const agg = await s.call('GET', '/apis', undefined, { accept: AGGREGATED });
    assert.ok(agg.json.items.some((g: { metadata: { name: string } }) => g.metadata.name === 'example.com'));

    const established = await eventually('CRD Established', async () => {
      const r = await s.call('GET', `${CRDS}/widgets.example.com`);
      const c = r.json?.status?.conditions?.find((x: { type: string }) => x.type === 'Established');
      return c?.status === 'True' ? r.json : undefined;
    });
    assert.equal(established.status.acceptedNames.kind, 'Widget');
    assert.ok(established.metadata.finalizers.includes('customresourcecleanup.apiextensions.k8s.io'));

    const idx = await eventually('CRD in /openapi/v3', async () => (await s.call('GET', '/openapi/v3')).json.paths['apis/example.com/v1']);
    const doc = await s.call('GET', idx.serverRelativeURL);
    assert.equal(doc.status, 200);
    // Kubernetes names CRD schemas by the reversed group: com.example.v1.Widget.
    assert.ok(doc.json.components.schemas['com.example.v1.Widget'], Object.keys(doc.json.components.schemas).join(','));
  });

  test('custom objects: create, get, list, validation, patch types', async () => {
    await eventually('widgets served', async () => (await s.call('GET', WIDGETS)).status === 200);
    const c = await s.call('POST', WIDGETS, { ...widget('w1', { size: 3, color: 'red' }), status: { phase: 'ignored' } });
    assert.equal(c.status, 201, c.text);
    assert.equal(c.json.metadata.generation, 1);
    assert.equal(c.json.status, undefined, 'status is not set through the main resource');
    const g = await s.call('GET', `${WIDGETS}/w1`);
    assert.equal(g.status, 200);
    assert.deepEqual(g.json.spec, { size: 3, color: 'red' });
    const list = await s.call('GET', WIDGETS);
    assert.equal(list.json.kind, 'WidgetList');
    assert.equal(list.json.apiVersion, 'example.com/v1');
    assert.deepEqual(list.json.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['w1']);
    const all = await s.call('GET', '/apis/example.com/v1/widgets');
    assert.equal(all.json.items.length, 1);

    // Schema violations are 422 Invalid with one cause per problem; nothing is stored.
    const bad = await s.call('POST', WIDGETS, widget('w-bad', { size: 0, color: 'green' }));
    assertStatus(bad, 422, 'Invalid');
    assert.equal(bad.json.details.kind, 'Widget');
    assert.equal(bad.json.details.group, 'example.com');
    const fields = bad.json.details.causes.map((x: { field: string }) => x.field).sort();
    assert.deepEqual(fields, ['spec.color', 'spec.size']);
    assert.ok(bad.json.details.causes.some((x: { reason: string }) => x.reason === 'FieldValueNotSupported'), bad.text);
    const missing = await s.call('POST', WIDGETS, widget('w-missing', { color: 'blue' }));
    assertStatus(missing, 422, 'Invalid');
    assert.ok(missing.json.details.causes.some((x: { field: string; reason: string }) => x.field === 'spec.size' && x.reason === 'FieldValueRequired'), missing.text);
    const wrongType = await s.call('POST', WIDGETS, widget('w-type', { size: 'big' }));
    assertStatus(wrongType, 422, 'Invalid');
    assertStatus(await s.call('GET', `${WIDGETS}/w-bad`), 404, 'NotFound');
    assertStatus(await s.call('PATCH', `${WIDGETS}/w1`, { spec: { size: -5 } }, MERGE), 422, 'Invalid');

    // Strategic merge patch is not supported for custom resources (415); merge and JSON patch are.
    const smp = await s.call('PATCH', `${WIDGETS}/w1`, { spec: { size: 4 } }, { 'content-type': 'application/strategic-merge-patch+json' });
    assertStatus(smp, 415, 'UnsupportedMediaType');
    const mp = await s.call('PATCH', `${WIDGETS}/w1`, { spec: { size: 4 } }, MERGE);
    assert.equal(mp.status, 200, mp.text);
    assert.equal(mp.json.spec.size, 4);
    assert.equal(mp.json.metadata.generation, 2);
    const jp = await s.call('PATCH', `${WIDGETS}/w1`, [{ op: 'replace', path: '/spec/color', value: 'blue' }], { 'content-type': 'application/json-patch+json' });
    assert.equal(jp.status, 200, jp.text);
    assert.equal(jp.json.spec.color, 'blue');

    // Unknown fields are pruned (and rejected with fieldValidation=Strict).
    const pruned = await s.call('POST', WIDGETS, widget('w-prune', { size: 1, extra: 'dropped' }));
    assert.equal(pruned.status, 201, pruned.text);
    assert.deepEqual(pruned.json.spec, { size: 1 });
    assertStatus(await s.call('POST', `${WIDGETS}?fieldValidation=Strict`, widget('w-strict', { size: 1, extra: 'x' })), 400, 'BadRequest');

    // Table output uses the CRD's printer columns.
    const t = await s.call('GET', WIDGETS, undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    assert.equal(t.json.kind, 'Table');
    assert.deepEqual(t.json.columnDefinitions.map((x: { name: string }) => x.name), ['Name', 'Size']);
    assert.deepEqual(t.json.rows.map((r: { cells: unknown[] }) => r.cells), [['w-prune', 1], ['w1', 4]]);
  });

  test('status and scale subresources of a custom resource', async () => {
    const cur = (await s.call('GET', `${WIDGETS}/w1`)).json;
    const body = structuredClone(cur);
    body.spec.size = 99;
    body.status = { replicas: 2, selector: 'app=w1', phase: 'Ready' };
    const st = await s.call('PUT', `${WIDGETS}/w1/status`, body);
    assert.equal(st.status, 200, st.text);
    assert.equal(st.json.spec.size, 4, 'spec changes through /status are ignored');
    assert.deepEqual(st.json.status, { replicas: 2, selector: 'app=w1', phase: 'Ready' });
    assert.equal(st.json.metadata.generation, cur.metadata.generation);
    // Status is validated against the schema too.
    assertStatus(await s.call('PATCH', `${WIDGETS}/w1/status`, { status: { replicas: 'many' } }, MERGE), 422, 'Invalid');

    // The main resource ignores status.
    const main = structuredClone(st.json);
    main.status = { phase: 'Hacked' };
    main.spec.replicas = 1;
    const mu = await s.call('PUT', `${WIDGETS}/w1`, main);
    assert.equal(mu.status, 200, mu.text);
    assert.equal(mu.json.status.phase, 'Ready');
    assert.equal(mu.json.spec.replicas, 1);

    const scale = await s.call('GET', `${WIDGETS}/w1/scale`);
    assert.equal(scale.status, 200, scale.text);
    assert.equal(scale.json.kind, 'Scale');
    assert.equal(scale.json.apiVersion, 'autoscaling/v1');
    assert.equal(scale.json.spec.replicas, 1);
    assert.deepEqual(scale.json.status, { replicas: 2, selector: 'app=w1' });
    const up = await s.call('PUT', `${WIDGETS}/w1/scale`, { ...scale.json, spec: { replicas: 5 } });
    assert.equal(up.status, 200, up.text);
    assert.equal(up.json.spec.replicas, 5);
    assert.equal((await s.call('GET', `${WIDGETS}/w1`)).json.spec.replicas, 5);
    const stale = await s.call('PUT', `${WIDGETS}/w1/scale`, { ...scale.json, spec: { replicas: 6 } });
    assertStatus(stale, 409, 'Conflict');
  });

  test('deleting the CRD deletes its objects and stops serving the resource', async () => {
    // An object with a finalizer is deleted too once its finalizer goes.
    assert.equal((await s.call('POST', WIDGETS, { ...widget('w-held'), metadata: { name: 'w-held', finalizers: ['example.com/hold'] } })).status, 201);
    const del = await s.call('DELETE', `${CRDS}/widgets.example.com`);
    assert.ok(del.status === 200 || del.status === 202, `${del.status}: ${del.text}`);
    assert.ok(del.json.metadata.deletionTimestamp);

    await eventually('w1 deleted', async () => (await s.call('GET', `${WIDGETS}/w1`)).status === 404);
    const held = await s.call('GET', `${WIDGETS}/w-held`);
    assert.equal(held.status, 200);
    assert.ok(held.json.metadata.deletionTimestamp);
    assert.equal((await s.call('GET', `${CRDS}/widgets.example.com`)).status, 200, 'the CRD waits for its objects');
    assert.equal((await s.call('PATCH', `${WIDGETS}/w-held`, { metadata: { finalizers: null } }, MERGE)).status, 200);

    await eventually('CRD gone', async () => (await s.call('GET', `${CRDS}/widgets.example.com`)).status === 404);
    await eventually('widgets no longer served', async () => (await s.call('GET', WIDGETS)).status === 404);
    assertStatus(await s.call('GET', '/apis/example.com/v1'), 404, 'NotFound');
    const groups = await s.call('GET', '/apis');
    assert.ok(!groups.json.groups.some((g: { name: string }) => g.name === 'example.com'));
    assert.equal((await s.call('GET', '/openapi/v3')).json.paths['apis/example.com/v1'], undefined);
    assert.equal(await s.running.server.store.storage.count('/registry/example.com/widgets/'), 0, 'no custom objects left in storage');

    // Re-creating the CRD serves an empty resource.
    const again = await s.call('POST', CRDS, crd);
    assert.equal(again.status, 201, again.text);
    const list = await eventually('widgets served again', async () => {
      const r = await s.call('GET', WIDGETS);
      return r.status === 200 ? r.json : undefined;
    });
    assert.deepEqual(list.items, []);
  });
});
