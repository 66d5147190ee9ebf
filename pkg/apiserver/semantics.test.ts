// HTTP-level Kubernetes API semantics against an in-process karmada-apiserver: error codes and Status
// reasons, metadata bookkeeping, subresources, dryRun, finalizers, selectors, paging and Table output.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type Response, type TestServer } from './testharness.js';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(async () => {
  await s?.stop();
});

const CM = '/api/v1/namespaces/default/configmaps';
const DEPLOY = '/apis/apps/v1/namespaces/default/deployments';

function cm(name: string, extra: Record<string, unknown> = {}, meta: Record<string, unknown> = {}) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...meta }, data: { k: 'v' }, ...extra };
}

function deployment(name: string, replicas = 1) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } },
    },
  };
}

async function ensureNamespace(name: string): Promise<void> {
  const r = await s.call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  assert.equal(r.status, 201, r.text);
}

function assertStatus(r: Response, code: number, reason: string): void {
  assert.equal(r.status, code, `expected ${code} ${reason}, got ${r.status}: ${r.text}`);
  assert.equal(r.json?.kind, 'Status', r.text);
  assert.equal(r.json.apiVersion, 'v1');
  assert.equal(r.json.status, 'Failure');
  assert.equal(r.json.code, code);
  assert.equal(r.json.reason, reason);
  assert.equal(typeof r.json.message, 'string');
}

/** Names and resourceVersions of a list: what "nothing was stored" compares. */
async function snapshot(path: string): Promise<string[]> {
  const r = await s.call('GET', path);
  assert.equal(r.status, 200, r.text);
  return (r.json.items as { metadata: { name: string; resourceVersion: string } }[]).map((i) => `${i.metadata.name}@${i.metadata.resourceVersion}`).sort();
}

describe('authentication and public endpoints', () => {
  test('requests without a client certificate get 401 Unauthorized', async () => {
    for (const path of ['/api/v1/namespaces', '/api', '/apis/apps/v1/deployments', '/openapi/v3']) {
      const r = await s.anonymous('GET', path);
      assertStatus(r, 401, 'Unauthorized');
    }
  });

  test('/healthz, /livez, /readyz and /version answer without credentials', async () => {
    for (const path of ['/healthz', '/livez', '/readyz']) {
      const r = await s.anonymous('GET', path);
      assert.equal(r.status, 200, path);
      assert.equal(r.text, 'ok');
    }
    const v = await s.anonymous('GET', '/version');
    assert.equal(v.status, 200);
    assert.equal(v.json.major, '1');
    assert.match(v.json.gitVersion, /^v1\.\d+\.\d+/);
  });
});

describe('error responses', () => {
  test('404 for an unknown resource, group, version and a missing object', async () => {
    assertStatus(await s.call('GET', '/api/v1/namespaces/default/widgets'), 404, 'NotFound');
    assertStatus(await s.call('GET', '/apis/nope.example.com/v1/things'), 404, 'NotFound');
    assertStatus(await s.call('GET', '/apis/apps/v7/deployments'), 404, 'NotFound');
    assertStatus(await s.call('GET', '/no/such/path'), 404, 'NotFound');
    // Cluster-scoped resources have no namespaced paths.
    assertStatus(await s.call('GET', '/api/v1/namespaces/default/namespaces'), 404, 'NotFound');
    assertStatus(await s.call('GET', '/api/v1/namespaces/default/namespaces/default'), 404, 'NotFound');
    assertStatus(await s.call('POST', '/api/v1/namespaces/default/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sneaky' } }), 404, 'NotFound');
    assertStatus(await s.call('GET', '/apis/apiextensions.k8s.io/v1/namespaces/default/customresourcedefinitions'), 404, 'NotFound');
    assertStatus(await s.call('GET', '/api/v1/namespaces/sneaky'), 404, 'NotFound');

    const r = await s.call('GET', `${CM}/does-not-exist`);
    assertStatus(r, 404, 'NotFound');
    assert.equal(r.json.message, 'configmaps "does-not-exist" not found');
    assert.equal(r.json.details.name, 'does-not-exist');
    assert.equal(r.json.details.kind, 'configmaps');

    const g = await s.call('GET', `${DEPLOY}/nope`);
    assertStatus(g, 404, 'NotFound');
    assert.equal(g.json.message, 'deployments.apps "nope" not found');
    assert.deepEqual([g.json.details.name, g.json.details.group, g.json.details.kind], ['nope', 'apps', 'deployments']);

    // Updates, patches and deletes of missing objects are 404 too.
    assertStatus(await s.call('PUT', `${CM}/ghost`, cm('ghost')), 404, 'NotFound');
    assertStatus(await s.call('PATCH', `${CM}/ghost`, { data: { a: 'b' } }, { 'content-type': 'application/merge-patch+json' }), 404, 'NotFound');
    assertStatus(await s.call('DELETE', `${CM}/ghost`), 404, 'NotFound');
  });

  test('rejected writes answer the Kubernetes status and store nothing', async () => {
    await ensureNamespace('errors');
    const base = '/api/v1/namespaces/errors/configmaps';
    const created = await s.call('POST', base, cm('existing'));
    assert.equal(created.status, 201, created.text);
    const before = await snapshot(base);
    const revisionBefore = await s.running.server.store.storage.currentRevision();

    // 405: POST to a named object path; DELETE on a subresource.
    assertStatus(await s.call('POST', `${base}/existing`, cm('existing', { data: { changed: 'yes' } })), 405, 'MethodNotAllowed');
    assertStatus(await s.call('POST', `${base}/brand-new`, cm('brand-new')), 405, 'MethodNotAllowed');

    // 409 AlreadyExists on a duplicate create.
    const dup = await s.call('POST', base, cm('existing', { data: { other: 'x' } }));
    assertStatus(dup, 409, 'AlreadyExists');
    assert.equal(dup.json.message, 'configmaps "existing" already exists');
    assert.equal(dup.json.details.name, 'existing');
    assert.equal(dup.json.details.kind, 'configmaps');

    // 409 Conflict on an update with a stale resourceVersion.
    const cur = (await s.call('GET', `${base}/existing`)).json;
    const staleRV = String(Number(cur.metadata.resourceVersion) - 1);
    const stale = await s.call('PUT', `${base}/existing`, { ...cur, metadata: { ...cur.metadata, resourceVersion: staleRV }, data: { a: 'b' } });
    assertStatus(stale, 409, 'Conflict');
    assert.match(stale.json.message, /the object has been modified; please apply your changes to the latest version and try again/);
    // ... and for a merge patch that pins a resourceVersion.
    const stalePatch = await s.call('PATCH', `${base}/existing`, { metadata: { resourceVersion: staleRV }, data: { a: 'b' } }, { 'content-type': 'application/merge-patch+json' });
    assertStatus(stalePatch, 409, 'Conflict');
    // ... and a delete with a stale resourceVersion precondition.
    const staleDelete = await s.call('DELETE', `${base}/existing`, { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { resourceVersion: staleRV } });
    assertStatus(staleDelete, 409, 'Conflict');

    // 405: PUT and PATCH address one object, not the collection.
    assertStatus(await s.call('PUT', base, cm('existing')), 405, 'MethodNotAllowed');
    assertStatus(await s.call('PATCH', base, { data: { a: 'b' } }, { 'content-type': 'application/merge-patch+json' }), 405, 'MethodNotAllowed');

    // 400: malformed JSON, apiVersion/kind mismatch, name and namespace mismatch.
    assertStatus(await s.call('POST', base, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"broken"'), 400, 'BadRequest');
    assertStatus(await s.call('PUT', `${base}/existing`, '{not json'), 400, 'BadRequest');
    assertStatus(await s.call('PATCH', `${base}/existing`, '{"data":', { 'content-type': 'application/merge-patch+json' }), 400, 'BadRequest');
    assertStatus(await s.call('POST', base, { ...cm('wrong-version'), apiVersion: 'apps/v1' }), 400, 'BadRequest');
    assertStatus(await s.call('POST', base, { ...cm('wrong-kind'), kind: 'Secret' }), 400, 'BadRequest');
    assertStatus(await s.call('PUT', `${base}/existing`, { ...cur, kind: 'Secret' }), 400, 'BadRequest');
    const nameMismatch = await s.call('PUT', `${base}/existing`, { ...cur, metadata: { ...cur.metadata, name: 'other' }, data: { x: 'y' } });
    assertStatus(nameMismatch, 400, 'BadRequest');
    assert.match(nameMismatch.json.message, /does not match the name on the URL/);
    assertStatus(await s.call('POST', base, cm('ns-mismatch', {}, { namespace: 'default' })), 400, 'BadRequest');
    // A patch may not rename the object.
    const rename = await s.call('PATCH', `${base}/existing`, { metadata: { name: 'renamed' } }, { 'content-type': 'application/merge-patch+json' });
    assertStatus(rename, 400, 'BadRequest');
    assert.match(rename.json.message, /the name of the object \(renamed\) does not match the name on the URL \(existing\)/);

    // 413 for a body over 3 MiB.
    const huge = cm('huge', { data: { blob: 'x'.repeat(3 * 1024 * 1024 + 16) } });
    let tooLarge: Response | undefined;
    try {
      tooLarge = await s.call('POST', base, huge);
    } catch (err) {
      // The server may reset the connection after answering before it read the whole body.
      assert.fail(`413 expected, got a connection error: ${String(err)}`);
    }
    assertStatus(tooLarge, 413, 'RequestEntityTooLarge');

    // 415 for an unknown patch content type.
    assertStatus(await s.call('PATCH', `${base}/existing`, { data: { a: 'b' } }, { 'content-type': 'text/plain' }), 415, 'UnsupportedMediaType');
    assertStatus(await s.call('PATCH', `${base}/existing`, { data: { a: 'b' } }, { 'content-type': 'application/x-made-up' }), 415, 'UnsupportedMediaType');

    // 422 Invalid with causes for a bad name.
    const bad = await s.call('POST', base, cm('Foo_Bar'));
    assertStatus(bad, 422, 'Invalid');
    assert.equal(bad.json.details.name, 'Foo_Bar');
    assert.equal(bad.json.details.kind, 'ConfigMap');
    assert.ok(
      bad.json.details.causes.some((c: { field: string; reason: string }) => c.field === 'metadata.name' && c.reason === 'FieldValueInvalid'),
      JSON.stringify(bad.json.details.causes),
    );
    assert.match(bad.json.message, /^ConfigMap "Foo_Bar" is invalid: metadata\.name: Invalid value: "Foo_Bar"/);
    // A bad label value and an invalid workload.
    assertStatus(await s.call('POST', base, cm('bad-label', {}, { labels: { 'a b': 'c' } })), 422, 'Invalid');
    const badDeploy = deployment('bad-deploy', -1);
    const d422 = await s.call('POST', '/apis/apps/v1/namespaces/errors/deployments', badDeploy);
    assertStatus(d422, 422, 'Invalid');
    assert.ok(d422.json.details.causes.some((c: { field: string }) => c.field === 'spec.replicas'), d422.text);

    // A metadata update that breaks validation on an existing object.
    assertStatus(await s.call('PATCH', `${base}/existing`, { metadata: { labels: { '-bad-': 'x' } } }, { 'content-type': 'application/merge-patch+json' }), 422, 'Invalid');

    assert.deepEqual(await snapshot(base), before, 'no rejected write may change the stored objects');
    assert.equal(await s.running.server.store.storage.currentRevision(), revisionBefore, 'no rejected write may reach the storage');
    assertStatus(await s.call('GET', `${base}/brand-new`), 404, 'NotFound');
    assertStatus(await s.call('GET', `${base}/Foo_Bar`), 404, 'NotFound');
    assertStatus(await s.call('GET', `${base}/huge`), 404, 'NotFound');
    const after = (await s.call('GET', `${base}/existing`)).json;
    assert.deepEqual(after.data, { k: 'v' });
  });
});

describe('object metadata', () => {
  test('uid, creationTimestamp, integer resourceVersions monotonic across kinds', async () => {
    const a = await s.call('POST', CM, cm('meta-a'));
    const b = await s.call('POST', '/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'meta-b' }, stringData: { p: 'q' } });
    const c = await s.call('POST', DEPLOY, deployment('meta-c'));
    const d = await s.call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'meta-d' } });
    const rvs: number[] = [];
    const uids = new Set<string>();
    for (const r of [a, b, c, d]) {
      assert.equal(r.status, 201, r.text);
      const m = r.json.metadata;
      assert.match(m.uid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      uids.add(m.uid);
      assert.match(m.creationTimestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      assert.ok(Math.abs(Date.parse(m.creationTimestamp) - Date.now()) < 5 * 60_000);
      assert.match(m.resourceVersion, /^[1-9]\d*$/);
      rvs.push(Number(m.resourceVersion));
      // What GET returns is what create returned.
      const path = r === d ? `/api/v1/namespaces/${m.name}` : r === c ? `${DEPLOY}/${m.name}` : r === b ? `/api/v1/namespaces/default/secrets/${m.name}` : `${CM}/${m.name}`;
      const got = await s.call('GET', path);
      assert.equal(got.json.metadata.resourceVersion, m.resourceVersion);
      assert.equal(got.json.metadata.uid, m.uid);
    }
    assert.equal(uids.size, 4);
    for (let i = 1; i < rvs.length; i++) assert.ok(rvs[i]! > rvs[i - 1]!, `resourceVersions must increase: ${rvs.join(', ')}`);
    assert.equal(b.json.data.p, Buffer.from('q').toString('base64'), 'stringData folded into data');
    assert.equal(b.json.stringData, undefined);

    // A uid in the body is a precondition: a PUT meant for another incarnation of the object fails.
    const forged = await s.call('PUT', `${CM}/meta-a`, { ...a.json, metadata: { ...a.json.metadata, uid: 'forged' }, data: { k: 'v2' } });
    assertStatus(forged, 409, 'Conflict');
    assert.match(forged.json.message, /Precondition failed: UID in precondition: forged/);
    // An update changes resourceVersion upwards and keeps creationTimestamp even when the body lies.
    const put = await s.call('PUT', `${CM}/meta-a`, { ...a.json, metadata: { ...a.json.metadata, creationTimestamp: '2000-01-01T00:00:00Z' }, data: { k: 'v2' } });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.json.metadata.uid, a.json.metadata.uid);
    assert.equal(put.json.metadata.creationTimestamp, a.json.metadata.creationTimestamp);
    assert.ok(Number(put.json.metadata.resourceVersion) > rvs[rvs.length - 1]!);
    // A no-op update does not write.
    const noop = await s.call('PUT', `${CM}/meta-a`, put.json);
    assert.equal(noop.status, 200);
    assert.equal(noop.json.metadata.resourceVersion, put.json.metadata.resourceVersion);
    // resourceVersion may not be set on create.
    assertStatus(await s.call('POST', CM, cm('meta-rv', {}, { resourceVersion: '5' })), 400, 'BadRequest');
  });

  test('immutable ConfigMaps and Secrets keep their data', async () => {
    const c = await s.call('POST', CM, { ...cm('frozen'), immutable: true });
    assert.equal(c.status, 201, c.text);
    const changed = await s.call('PATCH', `${CM}/frozen`, { data: { k: 'other' } }, { 'content-type': 'application/merge-patch+json' });
    assertStatus(changed, 422, 'Invalid');
    assert.deepEqual(changed.json.details.causes, [{ reason: 'FieldValueForbidden', message: 'Forbidden: field is immutable when `immutable` is set', field: 'data' }]);
    assertStatus(await s.call('PATCH', `${CM}/frozen`, { immutable: false }, { 'content-type': 'application/merge-patch+json' }), 422, 'Invalid');
    const labeled = await s.call('PATCH', `${CM}/frozen`, { metadata: { labels: { ok: 'yes' } } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(labeled.status, 200, 'metadata stays mutable');
    assert.deepEqual((await s.call('GET', `${CM}/frozen`)).json.data, { k: 'v' });

    const sec = await s.call('POST', '/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'typed' }, type: 'Opaque', data: {} });
    assert.equal(sec.status, 201, sec.text);
    const retype = await s.call('PATCH', '/api/v1/namespaces/default/secrets/typed', { type: 'kubernetes.io/tls' }, { 'content-type': 'application/merge-patch+json' });
    assertStatus(retype, 422, 'Invalid');
    assert.equal(retype.json.details.causes[0].field, 'type');
  });

  test('generation: 1 on create, bumped on spec change only', async () => {
    const c = await s.call('POST', DEPLOY, deployment('gen-deploy'));
    assert.equal(c.status, 201, c.text);
    assert.equal(c.json.metadata.generation, 1);
    assert.equal(c.json.spec.replicas, 1);

    const labeled = await s.call('PATCH', `${DEPLOY}/gen-deploy`, { metadata: { labels: { x: 'y' } } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(labeled.status, 200, labeled.text);
    assert.equal(labeled.json.metadata.generation, 1, 'label change does not bump generation');
    assert.ok(Number(labeled.json.metadata.resourceVersion) > Number(c.json.metadata.resourceVersion));

    const scaled = await s.call('PATCH', `${DEPLOY}/gen-deploy`, { spec: { replicas: 3 } }, { 'content-type': 'application/strategic-merge-patch+json' });
    assert.equal(scaled.status, 200, scaled.text);
    assert.equal(scaled.json.metadata.generation, 2, 'spec change bumps generation');

    const status = await s.call('PUT', `${DEPLOY}/gen-deploy/status`, { ...scaled.json, status: { replicas: 3, observedGeneration: 2 } });
    assert.equal(status.status, 200, status.text);
    assert.equal(status.json.metadata.generation, 2, 'status update does not bump generation');
    assert.equal(status.json.status.observedGeneration, 2);

    const put = await s.call('PUT', `${DEPLOY}/gen-deploy`, { ...status.json, spec: { ...status.json.spec, replicas: 5 } });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.json.metadata.generation, 3);
    assert.deepEqual(put.json.status, { replicas: 3, observedGeneration: 2 });
  });

  test('status subresource ignores spec changes; the main resource ignores status changes', async () => {
    const c = await s.call('POST', DEPLOY, { ...deployment('sub-deploy', 2), status: { replicas: 99 } });
    assert.equal(c.status, 201, c.text);
    assert.equal(c.json.status, undefined, 'status is dropped on create');

    // PUT /status with a changed spec and labels: only status is taken.
    const body = structuredClone(c.json);
    body.spec.replicas = 7;
    body.metadata.labels = { sneaky: 'yes' };
    body.status = { replicas: 2, readyReplicas: 1 };
    const st = await s.call('PUT', `${DEPLOY}/sub-deploy/status`, body);
    assert.equal(st.status, 200, st.text);
    assert.equal(st.json.spec.replicas, 2);
    assert.equal(st.json.metadata.labels, undefined);
    assert.deepEqual(st.json.status, { replicas: 2, readyReplicas: 1 });
    assert.equal(st.json.metadata.generation, 1);

    // PATCH /status the same way.
    const sp = await s.call('PATCH', `${DEPLOY}/sub-deploy/status`, { spec: { replicas: 8 }, status: { readyReplicas: 2 } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(sp.status, 200, sp.text);
    assert.equal(sp.json.spec.replicas, 2);
    assert.deepEqual(sp.json.status, { replicas: 2, readyReplicas: 2 });

    // The main resource keeps the stored status whatever the body says.
    const main = structuredClone(sp.json);
    main.status = { replicas: 42 };
    main.spec.replicas = 4;
    const mu = await s.call('PUT', `${DEPLOY}/sub-deploy`, main);
    assert.equal(mu.status, 200, mu.text);
    assert.equal(mu.json.spec.replicas, 4);
    assert.deepEqual(mu.json.status, { replicas: 2, readyReplicas: 2 });
    const mp = await s.call('PATCH', `${DEPLOY}/sub-deploy`, { status: { replicas: 43 } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(mp.status, 200, mp.text);
    assert.deepEqual(mp.json.status, { replicas: 2, readyReplicas: 2 });
    assert.equal(mp.json.metadata.resourceVersion, mu.json.metadata.resourceVersion, 'a status-only patch of the main resource writes nothing');

    const got = await s.call('GET', `${DEPLOY}/sub-deploy`);
    assert.equal(got.json.spec.replicas, 4);
    assert.deepEqual(got.json.status, { replicas: 2, readyReplicas: 2 });

    // A kind without a status subresource has no /status.
    assertStatus(await s.call('GET', `${CM}/meta-a/status`), 404, 'NotFound');
  });

  test('scale subresource of a deployment', async () => {
    const c = await s.call('POST', DEPLOY, deployment('scale-deploy', 2));
    assert.equal(c.status, 201, c.text);
    const g = await s.call('GET', `${DEPLOY}/scale-deploy/scale`);
    assert.equal(g.status, 200, g.text);
    assert.equal(g.json.kind, 'Scale');
    assert.equal(g.json.apiVersion, 'autoscaling/v1');
    assert.equal(g.json.spec.replicas, 2);
    const p = await s.call('PATCH', `${DEPLOY}/scale-deploy/scale`, { spec: { replicas: 5 } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.spec.replicas, 5);
    const got = await s.call('GET', `${DEPLOY}/scale-deploy`);
    assert.equal(got.json.spec.replicas, 5);
    assert.equal(got.json.metadata.generation, 2);
    assertStatus(await s.call('PUT', `${DEPLOY}/scale-deploy/scale`, { ...p.json, spec: { replicas: -1 } }), 422, 'Invalid');
  });

  test('generateName picks a unique name', async () => {
    const names = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const r = await s.call('POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' } });
      assert.equal(r.status, 201, r.text);
      assert.match(r.json.metadata.name, /^gen-[a-z0-9]{5}$/);
      assert.equal(r.json.metadata.generateName, 'gen-');
      names.add(r.json.metadata.name);
      assert.equal((await s.call('GET', `${CM}/${r.json.metadata.name}`)).status, 200);
    }
    assert.equal(names.size, 3);
  });
});

describe('server-side apply', () => {
  const APPLY = { 'content-type': 'application/apply-patch+yaml' };
  const yaml = (replicas: number, image = 'nginx:1.27') =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ssa\nspec:\n  replicas: ${replicas}\n  selector:\n    matchLabels: {app: ssa}\n  template:\n    metadata:\n      labels: {app: ssa}\n    spec:\n      containers:\n      - name: c\n        image: ${image}\n`;

  test('apply creates (201), is idempotent, and reports conflicts between managers', async () => {
    assertStatus(await s.call('PATCH', `${DEPLOY}/ssa`, yaml(1), APPLY), 400, 'BadRequest');
    const c = await s.call('PATCH', `${DEPLOY}/ssa?fieldManager=alice`, yaml(2), APPLY);
    assert.equal(c.status, 201, c.text);
    assert.equal(c.json.spec.replicas, 2);
    const mf = c.json.metadata.managedFields.find((m: { manager: string }) => m.manager === 'alice');
    assert.equal(mf.operation, 'Apply');
    assert.ok(mf.fieldsV1['f:spec']['f:replicas']);

    const same = await s.call('PATCH', `${DEPLOY}/ssa?fieldManager=alice`, yaml(2), APPLY);
    assert.equal(same.status, 200, same.text);
    assert.equal(same.json.metadata.resourceVersion, c.json.metadata.resourceVersion, 'a no-op apply writes nothing');

    const conflict = await s.call('PATCH', `${DEPLOY}/ssa?fieldManager=bob`, yaml(3), APPLY);
    assertStatus(conflict, 409, 'Conflict');
    assert.ok(conflict.json.details.causes.some((x: { reason: string; field: string }) => x.reason === 'FieldManagerConflict' && x.field === '.spec.replicas'), conflict.text);
    assert.equal((await s.call('GET', `${DEPLOY}/ssa`)).json.spec.replicas, 2);

    const forced = await s.call('PATCH', `${DEPLOY}/ssa?fieldManager=bob&force=true`, yaml(3), APPLY);
    assert.equal(forced.status, 200, forced.text);
    assert.equal(forced.json.spec.replicas, 3);
    assert.equal(forced.json.metadata.generation, 2);
  });
});

describe('dryRun=All', () => {
  test('create, update, patch and delete store nothing', async () => {
    await ensureNamespace('dryrun');
    const base = '/api/v1/namespaces/dryrun/configmaps';
    const seed = await s.call('POST', base, cm('seed'));
    assert.equal(seed.status, 201);
    const before = await snapshot(base);
    const revisionBefore = await s.running.server.store.storage.currentRevision();

    const c = await s.call('POST', `${base}?dryRun=All`, cm('dry'));
    assert.equal(c.status, 201, c.text);
    assert.equal(c.json.metadata.name, 'dry');
    assert.ok(c.json.metadata.uid);
    assertStatus(await s.call('GET', `${base}/dry`), 404, 'NotFound');
    // dryRun still validates.
    assertStatus(await s.call('POST', `${base}?dryRun=All`, cm('Bad_Name')), 422, 'Invalid');

    const u = await s.call('PUT', `${base}/seed?dryRun=All`, { ...seed.json, data: { k: 'dry' } });
    assert.equal(u.status, 200, u.text);
    assert.equal(u.json.data.k, 'dry');
    const p = await s.call('PATCH', `${base}/seed?dryRun=All`, { data: { k: 'patched' } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.data.k, 'patched');
    const jp = await s.call('PATCH', `${base}/seed?dryRun=All`, [{ op: 'add', path: '/data/extra', value: '1' }], { 'content-type': 'application/json-patch+json' });
    assert.equal(jp.status, 200, jp.text);
    assert.equal(jp.json.data.extra, '1');
    const del = await s.call('DELETE', `${base}/seed?dryRun=All`);
    assert.equal(del.status, 200, del.text);
    const delBody = await s.call('DELETE', `${base}/seed`, { kind: 'DeleteOptions', apiVersion: 'v1', dryRun: ['All'] });
    assert.equal(delBody.status, 200, delBody.text);

    // Finalizer-held delete in dry run.
    const held = await s.call('POST', base, cm('held', {}, { finalizers: ['example.com/hold'] }));
    assert.equal(held.status, 201);
    const heldDel = await s.call('DELETE', `${base}/held?dryRun=All`);
    assert.ok(heldDel.status === 200 || heldDel.status === 202, heldDel.text);
    const heldNow = await s.call('GET', `${base}/held`);
    assert.equal(heldNow.json.metadata.deletionTimestamp, undefined);
    assert.equal(heldNow.json.metadata.resourceVersion, held.json.metadata.resourceVersion);
    await s.call('PATCH', `${base}/held`, { metadata: { finalizers: null } }, { 'content-type': 'application/merge-patch+json' });
    await s.call('DELETE', `${base}/held`);

    const unknown = await s.call('POST', `${base}?dryRun=Some`, cm('dry2'));
    assertStatus(unknown, 400, 'BadRequest');

    assert.deepEqual(await snapshot(base), before);
    const got = await s.call('GET', `${base}/seed`);
    assert.deepEqual(got.json.data, { k: 'v' });
    assert.equal(got.json.metadata.resourceVersion, seed.json.metadata.resourceVersion);
    // Only the held object's own create, patch and delete were written.
    assert.equal(await s.running.server.store.storage.currentRevision(), revisionBefore + 3);
  });
});

describe('finalizers', () => {
  test('DELETE of an object with a finalizer marks it; dropping the finalizer by update removes it', async () => {
    const c = await s.call('POST', CM, cm('fin-update', {}, { finalizers: ['example.com/hold'] }));
    assert.equal(c.status, 201, c.text);
    const del = await s.call('DELETE', `${CM}/fin-update`);
    assert.ok(del.status === 200 || del.status === 202, `${del.status}: ${del.text}`);
    assert.equal(del.json.kind, 'ConfigMap');
    assert.ok(del.json.metadata.deletionTimestamp, 'deletionTimestamp set');
    assert.equal(del.json.metadata.deletionGracePeriodSeconds, 0);
    assert.equal(del.json.metadata.generation, c.json.metadata.generation + 1, 'marking for deletion bumps generation');

    const held = await s.call('GET', `${CM}/fin-update`);
    assert.equal(held.status, 200);
    assert.equal(held.json.metadata.deletionTimestamp, del.json.metadata.deletionTimestamp);
    assert.deepEqual(held.json.metadata.finalizers, ['example.com/hold']);

    // A second DELETE keeps the original deletionTimestamp.
    const again = await s.call('DELETE', `${CM}/fin-update`);
    assert.ok(again.status === 200 || again.status === 202, again.text);
    assert.equal(again.json.metadata.deletionTimestamp, del.json.metadata.deletionTimestamp);
    assert.equal(again.json.metadata.generation, del.json.metadata.generation);

    // deletionTimestamp cannot be cleared by a client; other updates still work while terminating.
    const body = structuredClone(held.json);
    delete body.metadata.deletionTimestamp;
    body.data = { k: 'changed' };
    const upd = await s.call('PUT', `${CM}/fin-update`, body);
    assert.equal(upd.status, 200, upd.text);
    assert.equal(upd.json.metadata.deletionTimestamp, del.json.metadata.deletionTimestamp);

    // Dropping the last finalizer by update completes the deletion.
    const drop = structuredClone(upd.json);
    drop.metadata.finalizers = [];
    const dropped = await s.call('PUT', `${CM}/fin-update`, drop);
    assert.equal(dropped.status, 200, dropped.text);
    assertStatus(await s.call('GET', `${CM}/fin-update`), 404, 'NotFound');
  });

  test('dropping the finalizer by patch removes a terminating object', async () => {
    const c = await s.call('POST', CM, cm('fin-patch', {}, { finalizers: ['example.com/a', 'example.com/b'] }));
    assert.equal(c.status, 201, c.text);
    const del = await s.call('DELETE', `${CM}/fin-patch`);
    assert.ok(del.status === 200 || del.status === 202, del.text);
    const one = await s.call('PATCH', `${CM}/fin-patch`, [{ op: 'remove', path: '/metadata/finalizers/0' }], { 'content-type': 'application/json-patch+json' });
    assert.equal(one.status, 200, one.text);
    assert.deepEqual(one.json.metadata.finalizers, ['example.com/b']);
    assert.equal((await s.call('GET', `${CM}/fin-patch`)).status, 200, 'still held by the second finalizer');
    const last = await s.call('PATCH', `${CM}/fin-patch`, { metadata: { finalizers: null } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(last.status, 200, last.text);
    assertStatus(await s.call('GET', `${CM}/fin-patch`), 404, 'NotFound');
  });

  test('DELETE without finalizers returns the object and removes it', async () => {
    await s.call('POST', CM, cm('plain-delete'));
    const del = await s.call('DELETE', `${CM}/plain-delete`);
    assert.equal(del.status, 200, del.text);
    assertStatus(await s.call('GET', `${CM}/plain-delete`), 404, 'NotFound');
    // uid precondition mismatch is a 409 Conflict.
    const c = await s.call('POST', CM, cm('precond-delete'));
    const pre = await s.call('DELETE', `${CM}/precond-delete`, { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: 'not-the-uid' } });
    assertStatus(pre, 409, 'Conflict');
    const ok = await s.call('DELETE', `${CM}/precond-delete`, { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: c.json.metadata.uid } });
    assert.equal(ok.status, 200, ok.text);
  });
});

describe('selectors and paging', () => {
  const base = '/api/v1/namespaces/selectors/configmaps';
  const names = async (query: string, path = base) => {
    const r = await s.call('GET', `${path}?${query}`);
    assert.equal(r.status, 200, `${query}: ${r.text}`);
    assert.equal(r.json.kind, 'ConfigMapList');
    return (r.json.items as { metadata: { name: string } }[]).map((i) => i.metadata.name).sort();
  };

  before(async () => {
    await ensureNamespace('selectors');
    await ensureNamespace('selectors-other');
    const labels: Record<string, Record<string, string> | undefined> = {
      a: { env: 'prod', tier: 'web' },
      b: { env: 'dev', tier: 'web' },
      c: { env: 'prod' },
      d: undefined,
    };
    for (const [name, l] of Object.entries(labels)) {
      const r = await s.call('POST', base, cm(name, {}, l ? { labels: l } : {}));
      assert.equal(r.status, 201, r.text);
    }
    const o = await s.call('POST', '/api/v1/namespaces/selectors-other/configmaps', cm('a', {}, { labels: { env: 'prod', tier: 'web' } }));
    assert.equal(o.status, 201, o.text);
  });

  test('label selectors: =, ==, !=, in, notin, exists, !key', async () => {
    const q = (sel: string) => names(`labelSelector=${encodeURIComponent(sel)}`);
    assert.deepEqual(await q('env=prod'), ['a', 'c']);
    assert.deepEqual(await q('env==prod'), ['a', 'c']);
    assert.deepEqual(await q('env!=prod'), ['b', 'd']);
    assert.deepEqual(await q('env in (prod,dev)'), ['a', 'b', 'c']);
    assert.deepEqual(await q('env notin (prod)'), ['b', 'd']);
    assert.deepEqual(await q('tier'), ['a', 'b']);
    assert.deepEqual(await q('!tier'), ['c', 'd']);
    assert.deepEqual(await q('env=prod,tier=web'), ['a']);
    assert.deepEqual(await q('env=prod,!tier'), ['c']);
    assert.deepEqual(await q('env=staging'), []);
    assertStatus(await s.call('GET', `${base}?labelSelector=${encodeURIComponent('env in prod')}`), 400, 'BadRequest');
  });

  test('field selectors: metadata.name and metadata.namespace', async () => {
    assert.deepEqual(await names('fieldSelector=metadata.name%3Db'), ['b']);
    assert.deepEqual(await names('fieldSelector=metadata.name!%3Db'), ['a', 'c', 'd']);
    assert.deepEqual(await names(`fieldSelector=${encodeURIComponent('metadata.name==a')}`, '/api/v1/configmaps'), ['a', 'a']);
    const all = await s.call('GET', `/api/v1/configmaps?fieldSelector=${encodeURIComponent('metadata.namespace=selectors-other')}`);
    assert.equal(all.status, 200);
    assert.deepEqual(all.json.items.map((i: { metadata: { namespace: string; name: string } }) => `${i.metadata.namespace}/${i.metadata.name}`), ['selectors-other/a']);
    assert.deepEqual(await names(`fieldSelector=${encodeURIComponent('metadata.namespace=selectors,metadata.name!=a')}&labelSelector=env`), ['b', 'c']);
    assertStatus(await s.call('GET', `${base}?fieldSelector=${encodeURIComponent('metadata.name')}`), 400, 'BadRequest');
  });

  test('paging with limit/continue: 25 objects, limit 10', async () => {
    await ensureNamespace('paging');
    const path = '/api/v1/namespaces/paging/configmaps';
    const want: string[] = [];
    for (let i = 0; i < 25; i++) {
      const name = `page-${String(i).padStart(2, '0')}`;
      want.push(name);
      const r = await s.call('POST', path, cm(name));
      assert.equal(r.status, 201, r.text);
    }
    const seen: string[] = [];
    const remaining: (number | undefined)[] = [];
    const rvs = new Set<string>();
    let cont: string | undefined;
    let pages = 0;
    do {
      const r = await s.call('GET', `${path}?limit=10${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
      assert.equal(r.status, 200, r.text);
      pages++;
      seen.push(...r.json.items.map((i: { metadata: { name: string } }) => i.metadata.name));
      remaining.push(r.json.metadata.remainingItemCount);
      rvs.add(r.json.metadata.resourceVersion);
      cont = r.json.metadata.continue || undefined;
      // Objects created between pages are not in the snapshot the continue token pins.
      if (pages === 1) assert.equal((await s.call('POST', path, cm('page-00a'))).status, 201);
    } while (cont && pages < 10);
    assert.equal(pages, 3);
    assert.deepEqual(remaining, [15, 5, undefined]);
    assert.equal(rvs.size, 1, 'every page is served at the first page\'s resourceVersion');
    assert.deepEqual(seen, want);
    assert.equal(new Set(seen).size, 25);

    // Paging with a label selector pages over matches only.
    const sel = await s.call('GET', `${base}?limit=1&labelSelector=env%3Dprod`);
    assert.equal(sel.json.items.length, 1);
    assert.equal(sel.json.items[0].metadata.name, 'a');
    assert.equal(sel.json.metadata.remainingItemCount, undefined, 'no (unfiltered, wrong) count when a selector filters');
    const sel2 = await s.call('GET', `${base}?limit=1&labelSelector=env%3Dprod&continue=${encodeURIComponent(sel.json.metadata.continue)}`);
    assert.deepEqual(sel2.json.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['c']);

    assertStatus(await s.call('GET', `${path}?limit=10&continue=garbage`), 400, 'BadRequest');
  });

  test('deletecollection deletes the matching objects only', async () => {
    await ensureNamespace('collection');
    const path = '/api/v1/namespaces/collection/configmaps';
    for (const [name, env] of [['x1', 'prod'], ['x2', 'dev'], ['x3', 'prod']] as const) {
      assert.equal((await s.call('POST', path, cm(name, {}, { labels: { env } }))).status, 201);
    }
    const r = await s.call('DELETE', `${path}?labelSelector=env%3Dprod`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(await names('', path), ['x2']);
    const dry = await s.call('DELETE', `${path}?dryRun=All`);
    assert.equal(dry.status, 200, dry.text);
    assert.deepEqual(await names('', path), ['x2']);
  });

  test('list at resourceVersion=0 and with resourceVersionMatch', async () => {
    const r0 = await s.call('GET', `${base}?resourceVersion=0`);
    assert.equal(r0.status, 200, r0.text);
    assert.deepEqual(r0.json.items.map((i: { metadata: { name: string } }) => i.metadata.name).sort(), ['a', 'b', 'c', 'd']);
    assert.match(r0.json.metadata.resourceVersion, /^\d+$/);
    const latest = await s.call('GET', base);
    const exact = await s.call('GET', `${base}?resourceVersion=${latest.json.metadata.resourceVersion}&resourceVersionMatch=Exact`);
    assert.equal(exact.status, 200, exact.text);
    assert.equal(exact.json.items.length, 4);
    const notOlder = await s.call('GET', `${base}?resourceVersion=${latest.json.metadata.resourceVersion}&resourceVersionMatch=NotOlderThan`);
    assert.equal(notOlder.status, 200, notOlder.text);
    assert.equal(notOlder.json.items.length, 4);
  });

  test('Table output for lists and single objects', async () => {
    const accept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
    const t = await s.call('GET', `${base}?labelSelector=env`, undefined, { accept });
    assert.equal(t.status, 200, t.text);
    assert.equal(t.json.kind, 'Table');
    assert.equal(t.json.apiVersion, 'meta.k8s.io/v1');
    assert.ok(Array.isArray(t.json.columnDefinitions) && t.json.columnDefinitions.length >= 2);
    assert.equal(t.json.columnDefinitions[0].name, 'Name');
    assert.ok(t.json.columnDefinitions.some((c: { name: string }) => c.name === 'Data'));
    assert.deepEqual(t.json.rows.map((r: { cells: unknown[] }) => r.cells[0]), ['a', 'b', 'c']);
    assert.equal(t.json.rows[0].object.kind, 'PartialObjectMetadata');
    assert.ok(t.json.metadata.resourceVersion);

    const one = await s.call('GET', `${DEPLOY}/gen-deploy`, undefined, { accept });
    assert.equal(one.json.kind, 'Table');
    assert.ok(one.json.columnDefinitions.some((c: { name: string }) => c.name === 'Ready'));
    assert.equal(one.json.rows.length, 1);
    assert.equal(one.json.rows[0].cells[0], 'gen-deploy');

    const meta = await s.call('GET', base, undefined, { accept: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io' });
    assert.equal(meta.json.kind, 'PartialObjectMetadataList');
    assert.equal(meta.json.items[0].data, undefined);
  });
});
