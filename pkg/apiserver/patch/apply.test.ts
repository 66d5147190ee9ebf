import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, ManagedFieldsEntry } from '../registry/types.js';
import {
  conflictCauses,
  conflictMessage,
  serverSideApply,
  stripSystemFields,
  updateManagedFieldsForUpdate,
  LAST_APPLIED_ANNOTATION,
  type ServerSideApplyOptions,
} from './apply.js';
import { PatchError } from './errors.js';
import { deploymentSchema } from './testschemas.js';
import { stableStringify } from './util.js';

const schema = deploymentSchema();
const T0 = '2024-05-01T10:00:00Z';
const T1 = '2024-05-01T10:05:00Z';
const T2 = '2024-05-01T10:10:00Z';

function config(over: { replicas?: number | null; image?: string; env?: unknown[]; labels?: Record<string, string> | null; args?: string[]; ports?: unknown[] } = {}): KubeObject {
  const container: Record<string, unknown> = { name: 'nginx', image: over.image ?? 'nginx:1.25' };
  if (over.args) container.args = over.args;
  if (over.env) container.env = over.env;
  if (over.ports) container.ports = over.ports;
  const spec: Record<string, unknown> = {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [container] } },
  };
  if (over.replicas !== null) spec.replicas = over.replicas ?? 2;
  const metadata: Record<string, unknown> = { name: 'web', namespace: 'default' };
  if (over.labels !== null) metadata.labels = over.labels ?? { app: 'web' };
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata, spec };
}

function apply(live: KubeObject | undefined, applied: KubeObject, manager: string, extra: Partial<ServerSideApplyOptions> = {}) {
  return serverSideApply({ live, applied, manager, force: false, schema, apiVersion: 'apps/v1', now: T0, ...extra });
}

/** Applies and asserts there was no conflict. */
function applyOk(live: KubeObject | undefined, applied: KubeObject, manager: string, extra: Partial<ServerSideApplyOptions> = {}): KubeObject {
  const r = apply(live, applied, manager, extra);
  assert.equal(r.conflicts, undefined, r.conflicts && conflictMessage(r.conflicts));
  return r.object;
}

function entries(obj: KubeObject): ManagedFieldsEntry[] {
  return obj.metadata?.managedFields ?? [];
}

function entry(obj: KubeObject, manager: string, operation?: 'Apply' | 'Update'): ManagedFieldsEntry | undefined {
  return entries(obj).find((e) => e.manager === manager && (!operation || e.operation === operation));
}

function spec(obj: KubeObject): any {
  return obj.spec as any;
}

test('SSA create: the object is the applied configuration; fieldsV1 as Kubernetes writes it', () => {
  const applied = config({
    args: ['a', 'b'],
    env: [{ name: 'A', value: '1' }],
    ports: [{ containerPort: 80 }],
  });
  const r = apply(undefined, applied, 'kubectl');
  assert.equal(r.conflicts, undefined);
  assert.equal(r.changed, true);
  const { managedFields, ...meta } = r.object.metadata!;
  assert.deepEqual({ ...r.object, metadata: meta }, applied);
  assert.deepEqual(managedFields, [
    {
      manager: 'kubectl',
      operation: 'Apply',
      apiVersion: 'apps/v1',
      time: T0,
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:labels': { 'f:app': {} } },
        'f:spec': {
          'f:replicas': {},
          'f:selector': {},
          'f:template': {
            'f:metadata': { 'f:labels': { 'f:app': {} } },
            'f:spec': {
              'f:containers': {
                'k:{"name":"nginx"}': {
                  '.': {},
                  'f:args': {},
                  'f:env': { 'k:{"name":"A"}': { '.': {}, 'f:name': {}, 'f:value': {} } },
                  'f:image': {},
                  'f:name': {},
                  'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
                },
              },
            },
          },
        },
      },
    },
  ]);
  // Key order matches kube-apiserver's serialization (sorted, "." first).
  const c = (managedFields![0].fieldsV1 as any)['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"nginx"}'];
  assert.deepEqual(Object.keys(c), ['.', 'f:args', 'f:env', 'f:image', 'f:name', 'f:ports']);
});

test('SSA re-apply of the same configuration changes nothing', () => {
  const live = applyOk(undefined, config(), 'kubectl');
  const r = apply(live, config(), 'kubectl', { now: T1 });
  assert.equal(r.changed, false);
  assert.deepEqual(r.object, live);
});

test('SSA re-apply removes the fields the manager stopped applying', () => {
  let live = applyOk(undefined, config({ env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }), 'kubectl');
  // Fields nobody applied (server defaults, status) must survive.
  (spec(live).template.spec.containers[0] as Record<string, unknown>).terminationMessagePath = '/dev/termination-log';
  live.status = { replicas: 2 };

  const r = apply(live, config({ replicas: null, labels: null, image: 'nginx:1.26', env: [{ name: 'B', value: '3' }] }), 'kubectl', { now: T1 });
  assert.equal(r.conflicts, undefined);
  live = r.object;
  assert.equal('replicas' in spec(live), false);
  assert.equal('labels' in live.metadata!, false);
  assert.equal(live.metadata!.name, 'web');
  assert.equal(live.metadata!.namespace, 'default');
  assert.deepEqual(spec(live).template.spec.containers, [
    { name: 'nginx', image: 'nginx:1.26', terminationMessagePath: '/dev/termination-log', env: [{ name: 'B', value: '3' }] },
  ]);
  assert.deepEqual(live.status, { replicas: 2 });
  const fv = entry(live, 'kubectl')!.fieldsV1 as any;
  assert.equal(fv['f:metadata'], undefined);
  assert.equal(fv['f:spec']['f:replicas'], undefined);
  assert.deepEqual(fv['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"nginx"}']['f:env'], {
    'k:{"name":"B"}': { '.': {}, 'f:name': {}, 'f:value': {} },
  });
  assert.equal(entry(live, 'kubectl')!.time, T1);
});

test('SSA re-apply without a container removes the list item', () => {
  const two = config();
  spec(two).template.spec.containers.push({ name: 'sidecar', image: 'proxy:1' });
  let live = applyOk(undefined, two, 'kubectl');
  live = applyOk(live, config(), 'kubectl');
  assert.deepEqual(
    spec(live).template.spec.containers.map((c: { name: string }) => c.name),
    ['nginx'],
  );
});

test('SSA: two managers share a field with the same value; it goes only when both drop it', () => {
  let live = applyOk(undefined, config({ replicas: 3 }), 'alice');
  const bob: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 3 } };
  live = applyOk(live, bob, 'bob', { now: T1 });
  assert.deepEqual(entry(live, 'bob')!.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  assert.ok((entry(live, 'alice')!.fieldsV1 as any)['f:spec']['f:replicas']);

  live = applyOk(live, config({ replicas: null }), 'alice', { now: T2 });
  assert.equal(spec(live).replicas, 3, 'still owned by bob');
  assert.equal((entry(live, 'alice')!.fieldsV1 as any)['f:spec']['f:replicas'], undefined);

  const bobEmpty: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { metadata: { labels: { app: 'web' } } } } };
  live = applyOk(live, bobEmpty, 'bob', { now: T2 });
  assert.equal('replicas' in spec(live), false);
  // Both still share the template label.
  assert.ok(entry(live, 'bob') && entry(live, 'alice'));
});

test('SSA: changing a field another applier owns is a conflict; force takes ownership', () => {
  const live = applyOk(undefined, config({ replicas: 2 }), 'alice');
  const bob: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 5 } };
  const r = apply(live, bob, 'bob', { now: T1 });
  assert.deepEqual(r.conflicts, [{ manager: 'alice', operation: 'Apply', field: '.spec.replicas' }]);
  assert.equal(conflictMessage(r.conflicts!), 'Apply failed with 1 conflict: conflict with "alice": .spec.replicas');
  assert.deepEqual(conflictCauses(r.conflicts!), [{ reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.spec.replicas' }]);
  assert.deepEqual(r.object, live, 'live object is returned unchanged');

  const forced = apply(live, bob, 'bob', { now: T1, force: true });
  assert.equal(forced.conflicts, undefined);
  assert.equal(spec(forced.object).replicas, 5);
  assert.equal((entry(forced.object, 'alice')!.fieldsV1 as any)['f:spec']['f:replicas'], undefined);
  assert.deepEqual(entry(forced.object, 'bob')!.fieldsV1, { 'f:spec': { 'f:replicas': {} } });

  // Alice re-applies her old value: now she conflicts with bob.
  const back = apply(forced.object, config({ replicas: 2 }), 'alice', { now: T2 });
  assert.equal(conflictMessage(back.conflicts!), 'Apply failed with 1 conflict: conflict with "bob": .spec.replicas');
});

test('SSA: conflicts with an Update manager name its apiVersion; several conflicts are grouped', () => {
  // Created by `kubectl create`/client-side apply.
  const created = updateManagedFieldsForUpdate({
    old: undefined,
    updated: config({ replicas: 2 }),
    manager: 'kubectl-client-side-apply',
    schema,
    apiVersion: 'apps/v1',
    now: T0,
  });
  const r = apply(created, config({ replicas: 4, image: 'nginx:2' }), 'mgr', { now: T1 });
  assert.deepEqual(r.conflicts, [
    { manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'apps/v1', field: '.spec.replicas' },
    {
      manager: 'kubectl-client-side-apply',
      operation: 'Update',
      apiVersion: 'apps/v1',
      field: '.spec.template.spec.containers[name="nginx"].image',
    },
  ]);
  assert.equal(
    conflictMessage(r.conflicts!),
    'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:\n' +
      '- .spec.replicas\n' +
      '- .spec.template.spec.containers[name="nginx"].image',
  );
  assert.equal(
    conflictMessage([r.conflicts![0]]),
    'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
  );
  // Applying identical values is no conflict: ownership becomes shared.
  const same = apply(created, config({ replicas: 2 }), 'mgr', { now: T1 });
  assert.equal(same.conflicts, undefined);
  assert.ok(entry(same.object, 'kubectl-client-side-apply', 'Update'));
  assert.ok(entry(same.object, 'mgr', 'Apply'));
});

test('SSA: an atomic list is one field, replaced whole and conflicting whole', () => {
  const live = applyOk(undefined, config({ args: ['a', 'b'] }), 'alice');
  const bob: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { template: { spec: { containers: [{ name: 'nginx', args: ['c'] }] } } },
  };
  const r = apply(live, bob, 'bob');
  assert.deepEqual(
    r.conflicts?.map((c) => c.field),
    ['.spec.template.spec.containers[name="nginx"].args'],
  );
  const forced = applyOk(live, bob, 'bob', { force: true });
  assert.deepEqual(spec(forced).template.spec.containers[0].args, ['c']);
  const bobFields = entry(forced, 'bob')!.fieldsV1 as any;
  assert.deepEqual(bobFields['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"nginx"}'], {
    '.': {},
    'f:args': {},
    'f:name': {},
  });
  const aliceContainer = (entry(forced, 'alice')!.fieldsV1 as any)['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"nginx"}'];
  assert.equal(aliceContainer['f:args'], undefined);
  assert.ok(aliceContainer['f:image']);
});

test('SSA: associative lists merge by key in the applied order, keeping live-only items', () => {
  const live = applyOk(undefined, config({ env: [{ name: 'A', value: '1' }, { name: 'X', value: 'x' }, { name: 'B', value: '1' }] }), 'alice');
  const bob: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { template: { spec: { containers: [{ name: 'nginx', env: [{ name: 'B', value: '1' }, { name: 'A', value: '1' }, { name: 'C', value: '3' }] }] } } },
  };
  const out = applyOk(live, bob, 'bob');
  assert.deepEqual(
    spec(out).template.spec.containers[0].env.map((e: { name: string }) => e.name),
    ['X', 'B', 'A', 'C'],
  );
});

test('SSA: set lists (finalizers) are owned per value', () => {
  const withFinalizers = (names: string[]): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', finalizers: names },
  });
  let live = applyOk(undefined, withFinalizers(['example.com/x']), 'alice');
  assert.deepEqual(entry(live, 'alice')!.fieldsV1, { 'f:metadata': { 'f:finalizers': { 'v:"example.com/x"': {} } } });
  live = applyOk(live, withFinalizers(['example.com/y']), 'bob');
  assert.deepEqual(live.metadata!.finalizers, ['example.com/x', 'example.com/y']);
  live = applyOk(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } }, 'alice');
  assert.deepEqual(live.metadata!.finalizers, ['example.com/y']);
  assert.equal(entry(live, 'alice'), undefined, 'an applier that owns nothing has no entry');
});

test('SSA: ignored (reset) fields are neither owned nor conflicting', () => {
  const applied = { ...config(), status: { replicas: 7 } };
  const live = applyOk(undefined, applied, 'alice', { ignoredFields: [['status']] });
  assert.equal((entry(live, 'alice')!.fieldsV1 as any)['f:status'], undefined);
  const other = applyOk(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, status: { replicas: 1 } }, 'bob', {
    ignoredFields: [['status']],
  });
  assert.deepEqual(other.status, { replicas: 1 }, 'the server resets status itself; apply just merges');
});

test('SSA for a status subresource records the subresource', () => {
  const live = applyOk(undefined, config(), 'alice');
  const out = applyOk(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, status: { replicas: 2 } }, 'controller', {
    subresource: 'status',
    ignoredFields: [['spec'], ['metadata']],
  });
  assert.deepEqual(entry(out, 'controller'), {
    manager: 'controller',
    operation: 'Apply',
    apiVersion: 'apps/v1',
    time: T0,
    fieldsType: 'FieldsV1',
    fieldsV1: { 'f:status': { 'f:replicas': {} } },
    subresource: 'status',
  });
});

test('SSA rejects what kube-apiserver rejects', () => {
  const bad = (applied: KubeObject, extra: Partial<ServerSideApplyOptions>, message: string) =>
    assert.throws(
      () => apply(undefined, applied, 'm', extra),
      (e: unknown) => e instanceof PatchError && e.code === 400 && e.message === message,
    );
  bad({ ...config(), apiVersion: 'apps/v1beta1' }, {}, 'Incorrect version specified in apply patch. Specified patch version: apps/v1beta1, expected: apps/v1');
  bad({ ...config(), kind: 'StatefulSet' }, { kind: 'Deployment' }, 'invalid object type: apps/v1, Kind=StatefulSet');
  bad({ ...config(), metadata: { name: 'web', managedFields: [] } }, {}, 'metadata.managedFields must be nil');
});

test('SSA on an object without managedFields: everything belongs to before-first-apply', () => {
  const { metadata, ...rest } = config({ replicas: 2 });
  const legacy: KubeObject = { ...rest, metadata: { ...metadata, uid: 'u', resourceVersion: '1' } };
  const r = apply(legacy, config({ replicas: 3 }), 'helm');
  assert.equal(
    conflictMessage(r.conflicts!),
    'Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas',
  );
  const same = apply(legacy, config({ replicas: 2 }), 'helm');
  assert.equal(same.conflicts, undefined);
  assert.ok(entry(same.object, 'before-first-apply', 'Update'));
});

test('SSA by kubectl after client-side apply: conflicts on last-applied fields are taken over', () => {
  const csaConfig = config({ replicas: 2 });
  const created = updateManagedFieldsForUpdate({
    old: undefined,
    updated: {
      ...csaConfig,
      metadata: { ...csaConfig.metadata, annotations: { [LAST_APPLIED_ANNOTATION]: `${stableStringify(csaConfig)}\n` } },
    },
    manager: 'kubectl-client-side-apply',
    schema,
    apiVersion: 'apps/v1',
    now: T0,
  });

  const next = config({ replicas: 3, image: 'nginx:1.26' });
  const r = apply(created, next, 'kubectl', { now: T1 });
  assert.equal(r.conflicts, undefined);
  assert.equal(spec(r.object).replicas, 3);
  assert.equal(spec(r.object).template.spec.containers[0].image, 'nginx:1.26');
  assert.equal(r.object.metadata!.annotations![LAST_APPLIED_ANNOTATION], `${stableStringify(next)}\n`);
  const csa = entry(r.object, 'kubectl-client-side-apply', 'Update')!.fieldsV1 as any;
  assert.equal(csa['f:spec']['f:replicas'], undefined);

  // Another manager gets the conflicts.
  assert.ok(apply(created, next, 'other').conflicts);

  // A field edited since the last client-side apply is a real conflict even for kubectl.
  const edited = updateManagedFieldsForUpdate({
    old: created,
    updated: { ...created, spec: { ...spec(created), replicas: 9 } },
    manager: 'kubectl-edit',
    schema,
    apiVersion: 'apps/v1',
    now: T1,
  });
  const r2 = apply(edited, next, 'kubectl', { now: T2 });
  assert.equal(conflictMessage(r2.conflicts!), 'Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas');
});

// ---------------------------------------------------------------------------------------------
// Update (create/update/patch)

test('update: create records every field with "." for new maps and items', () => {
  const obj = updateManagedFieldsForUpdate({
    old: undefined,
    updated: config({ ports: [{ containerPort: 80, protocol: 'TCP' }] }),
    manager: 'kubectl-create',
    schema,
    apiVersion: 'apps/v1',
    now: T0,
  });
  assert.deepEqual(obj.metadata!.managedFields, [
    {
      manager: 'kubectl-create',
      operation: 'Update',
      apiVersion: 'apps/v1',
      time: T0,
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
        'f:spec': {
          '.': {},
          'f:replicas': {},
          'f:selector': {},
          'f:template': {
            '.': {},
            'f:metadata': { '.': {}, 'f:labels': { '.': {}, 'f:app': {} } },
            'f:spec': {
              '.': {},
              'f:containers': {
                '.': {},
                'k:{"name":"nginx"}': {
                  '.': {},
                  'f:image': {},
                  'f:name': {},
                  'f:ports': {
                    '.': {},
                    'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} },
                  },
                },
              },
            },
          },
        },
      },
    },
  ]);
});

test('update: changed fields move to the writing manager, removed fields leave their owners', () => {
  const created = updateManagedFieldsForUpdate({
    old: undefined,
    updated: config({ env: [{ name: 'A', value: '1' }] }),
    manager: 'kubectl-create',
    schema,
    apiVersion: 'apps/v1',
    now: T0,
  });
  const next = structuredClone(created);
  spec(next).replicas = 5;
  delete spec(next).template.spec.containers[0].env;
  const scaled = updateManagedFieldsForUpdate({ old: created, updated: next, manager: 'kubectl-edit', schema, apiVersion: 'apps/v1', now: T1 });
  assert.deepEqual(entry(scaled, 'kubectl-edit'), {
    manager: 'kubectl-edit',
    operation: 'Update',
    apiVersion: 'apps/v1',
    time: T1,
    fieldsType: 'FieldsV1',
    fieldsV1: { 'f:spec': { 'f:replicas': {} } },
  });
  const creator = entry(scaled, 'kubectl-create')!;
  assert.equal(creator.time, T0);
  const cf = creator.fieldsV1 as any;
  assert.equal(cf['f:spec']['f:replicas'], undefined);
  assert.equal(cf['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"nginx"}']['f:env'], undefined);
  // Entries sort by time within an operation.
  assert.deepEqual(
    entries(scaled).map((e) => e.manager),
    ['kubectl-create', 'kubectl-edit'],
  );
});

test('update: a write that changes nothing adds no entry', () => {
  const created = updateManagedFieldsForUpdate({ old: undefined, updated: config(), manager: 'a', schema, apiVersion: 'apps/v1', now: T0 });
  const same = structuredClone(created);
  same.metadata!.resourceVersion = '7';
  const out = updateManagedFieldsForUpdate({ old: created, updated: same, manager: 'b', schema, apiVersion: 'apps/v1', now: T1 });
  assert.deepEqual(out.metadata!.managedFields, created.metadata!.managedFields);
  // No object, no prior fields, no change: no managedFields at all.
  const empty = updateManagedFieldsForUpdate({
    old: { metadata: { name: 'x' } },
    updated: { metadata: { name: 'x' } },
    manager: 'b',
    schema,
    apiVersion: 'v1',
    now: T1,
  });
  assert.equal(empty.metadata!.managedFields, undefined);
});

test('update: managedFields sent by the client replace the stored ones; [{}] resets them', () => {
  const created = updateManagedFieldsForUpdate({ old: undefined, updated: config(), manager: 'a', schema, apiVersion: 'apps/v1', now: T0 });
  // kubectl's CSA->SSA migration rewrites managedFields with a JSON patch.
  const migrated: ManagedFieldsEntry[] = [
    { manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', time: T1, fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
  ];
  const out = updateManagedFieldsForUpdate({
    old: created,
    updated: { ...created, metadata: { ...created.metadata, managedFields: migrated } },
    manager: 'kubectl',
    schema,
    apiVersion: 'apps/v1',
    now: T2,
  });
  assert.deepEqual(out.metadata!.managedFields, migrated);

  const changed = structuredClone(created);
  spec(changed).replicas = 9;
  changed.metadata!.managedFields = [{}];
  const reset = updateManagedFieldsForUpdate({ old: created, updated: changed, manager: 'b', schema, apiVersion: 'apps/v1', now: T2 });
  assert.deepEqual(reset.metadata!.managedFields, [
    { manager: 'b', operation: 'Update', apiVersion: 'apps/v1', time: T2, fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
  ]);

  // Omitting managedFields keeps the stored ones.
  const omitted = structuredClone(created);
  delete omitted.metadata!.managedFields;
  const kept = updateManagedFieldsForUpdate({ old: created, updated: omitted, manager: 'b', schema, apiVersion: 'apps/v1', now: T2 });
  assert.deepEqual(kept.metadata!.managedFields, created.metadata!.managedFields);
});

test('update on a subresource: entry carries the subresource and request managedFields are ignored', () => {
  const created = updateManagedFieldsForUpdate({ old: undefined, updated: config(), manager: 'a', schema, apiVersion: 'apps/v1', now: T0 });
  const next = { ...structuredClone(created), status: { replicas: 2 } } as KubeObject;
  next.metadata!.managedFields = [{}];
  const out = updateManagedFieldsForUpdate({
    old: created,
    updated: next,
    manager: 'kube-controller-manager',
    schema,
    apiVersion: 'apps/v1',
    now: T1,
    subresource: 'status',
    ignoredFields: [['spec'], ['metadata']],
  });
  assert.deepEqual(entry(out, 'kube-controller-manager'), {
    manager: 'kube-controller-manager',
    operation: 'Update',
    apiVersion: 'apps/v1',
    time: T1,
    fieldsType: 'FieldsV1',
    fieldsV1: { 'f:status': { '.': {}, 'f:replicas': {} } },
    subresource: 'status',
  });
  assert.ok(entry(out, 'a'), 'the stored entries survive');
});

test('update: more than ten Update managers are folded into ancient-changes', () => {
  let obj = updateManagedFieldsForUpdate({ old: undefined, updated: { metadata: { name: 'x' } }, manager: 'm0', schema: undefined, apiVersion: 'v1', now: T0 });
  for (let i = 0; i < 11; i++) {
    const next = structuredClone(obj);
    next.metadata!.labels = { ...(next.metadata!.labels ?? {}), [`l${i}`]: 'v' };
    const t = new Date(Date.parse(T0) + (i + 1) * 1000).toISOString().replace('.000Z', 'Z');
    obj = updateManagedFieldsForUpdate({ old: obj, updated: next, manager: `m${i}`, schema: undefined, apiVersion: 'v1', now: t });
  }
  const mf = entries(obj);
  assert.equal(mf.length, 10);
  const ancient = mf.find((e) => e.manager === 'ancient-changes')!;
  assert.deepEqual(ancient.fieldsV1, { 'f:metadata': { 'f:labels': { '.': {}, 'f:l0': {}, 'f:l1': {} } } });
  assert.equal(mf[0].manager, 'ancient-changes');
});

test('stripSystemFields drops server-owned metadata and optionally status', () => {
  const obj: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'x', uid: 'u', resourceVersion: '1', creationTimestamp: 't', generation: 2, managedFields: [], labels: { a: 'b' } },
    data: { k: 'v' },
    status: { s: 1 },
  };
  assert.deepEqual(stripSystemFields(obj, { status: true }), {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'x', labels: { a: 'b' } },
    data: { k: 'v' },
  });
  assert.ok(obj.metadata!.uid, 'input untouched');
});

test('SSA keeps repeated keys of a live list unless the configuration names them', () => {
  const live = updateManagedFieldsForUpdate({
    old: undefined,
    updated: config({ env: [{ name: 'D', value: '1' }, { name: 'D', value: '2' }, { name: 'E', value: '1' }] }),
    manager: 'kubectl-create',
    schema,
    apiVersion: 'apps/v1',
    now: T0,
  });
  const bob: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { template: { spec: { containers: [{ name: 'nginx', env: [{ name: 'F', value: '1' }] }] } } },
  };
  const out = applyOk(live, bob, 'bob');
  assert.deepEqual(spec(out).template.spec.containers[0].env, [
    { name: 'D', value: '1' },
    { name: 'D', value: '2' },
    { name: 'E', value: '1' },
    { name: 'F', value: '1' },
  ]);
});

test('SSA on a CRD whose schema constrains metadata.name still tracks labels and finalizers granularly', () => {
  const crd = {
    type: 'object' as const,
    properties: {
      apiVersion: { type: 'string' as const },
      kind: { type: 'string' as const },
      metadata: { type: 'object' as const, properties: { name: { type: 'string' as const, maxLength: 20 } } },
      spec: { type: 'object' as const, properties: { size: { type: 'integer' as const } } },
    },
  };
  const obj = applyOk(
    undefined,
    { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', labels: { a: 'b' }, finalizers: ['f'] }, spec: { size: 1 } },
    'm',
    { schema: crd, apiVersion: 'example.com/v1' },
  );
  assert.deepEqual(entry(obj, 'm')!.fieldsV1, {
    'f:metadata': { 'f:finalizers': { 'v:"f"': {} }, 'f:labels': { 'f:a': {} } },
    'f:spec': { 'f:size': {} },
  });
});
