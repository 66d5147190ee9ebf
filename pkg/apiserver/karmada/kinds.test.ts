import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../registry/types.js';
import { clusterDescriptor, crdsDirectory, karmadaCRDs } from './kinds.js';
import { existsSync } from 'node:fs';

test('clusterDescriptor serves cluster.karmada.io/v1alpha1 clusters as Karmada does', () => {
  const d = clusterDescriptor;
  assert.equal(d.group, 'cluster.karmada.io');
  assert.equal(d.version, 'v1alpha1');
  assert.equal(d.resource, 'clusters');
  assert.equal(d.kind, 'Cluster');
  assert.equal(d.listKind, 'ClusterList');
  assert.equal(d.namespaced, false);
  assert.equal(d.shortNames, undefined, 'Karmada defines no short names for clusters');
  assert.deepEqual(d.subresources, { status: true });
  assert.equal(d.strategicMergePatch, false);
  assert.deepEqual(
    d.printerColumns!.map((c) => [c.name, c.jsonPath]),
    [
      ['VERSION', '.status.kubernetesVersion'],
      ['MODE', '.spec.syncMode'],
      ['READY', '.status.conditions[?(@.type=="Ready")].status'],
      ['AGE', '.metadata.creationTimestamp'],
    ],
  );
  const spec = d.schema!.properties!.spec!;
  assert.deepEqual(spec.required, ['syncMode']);
  assert.deepEqual(spec.properties!.syncMode!.enum, ['Push', 'Pull']);
  assert.match(spec.properties!.syncMode!.description!, /Push.*Pull/);
  assert.deepEqual(d.schema!.properties!.metadata, { type: 'object' });
});

test('clusterDescriptor.default applies the create-time defaults: 9 resource-model grades, taint timeAdded, zones', () => {
  const obj: KubeObject = {
    apiVersion: 'cluster.karmada.io/v1alpha1',
    kind: 'Cluster',
    metadata: { name: 'member1' },
    spec: { syncMode: 'Pull', zone: 'z1', taints: [{ key: 'a', effect: 'NoExecute' }, { key: 'b', effect: 'NoSchedule' }] },
  };
  clusterDescriptor.default!(obj);
  const spec = obj.spec as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.equal(spec.resourceModels.length, 9);
  assert.deepEqual(
    spec.resourceModels.map((m: any) => [m.grade, m.ranges[0].min, m.ranges[1].min]), // eslint-disable-line @typescript-eslint/no-explicit-any
    [
      [0, '0', '0'],
      [1, '1', '4Gi'],
      [2, '2', '16Gi'],
      [3, '4', '32Gi'],
      [4, '8', '64Gi'],
      [5, '16', '128Gi'],
      [6, '32', '256Gi'],
      [7, '64', '512Gi'],
      [8, '128', '1Ti'],
    ],
  );
  assert.deepEqual(spec.resourceModels[8].ranges.map((r: { max: string }) => r.max), ['9223372036854775807', '9223372036854775807']);
  assert.match(spec.taints[0].timeAdded, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(spec.taints[1].timeAdded, undefined);
  assert.deepEqual(spec.zones, ['z1']);
  assert.equal(spec.zone, undefined);
  assert.deepEqual(clusterDescriptor.validate!(obj), []);
});

test('clusterDescriptor.default standardizes given models and does not add models on update', () => {
  const given: KubeObject = {
    metadata: { name: 'm' },
    spec: {
      syncMode: 'Push',
      resourceModels: [
        { grade: 1, ranges: [{ name: 'cpu', min: '2', max: '4' }] },
        { grade: 0, ranges: [{ name: 'cpu', min: '1', max: '2' }] },
      ],
    },
  };
  clusterDescriptor.default!(given);
  assert.deepEqual((given.spec as any).resourceModels, [ // eslint-disable-line @typescript-eslint/no-explicit-any
    { grade: 0, ranges: [{ name: 'cpu', min: '0', max: '2' }] },
    { grade: 1, ranges: [{ name: 'cpu', min: '2', max: '9223372036854775807' }] },
  ]);
  assert.deepEqual(clusterDescriptor.validate!(given), []);

  const stored: KubeObject = { metadata: { name: 'm', resourceVersion: '7' }, spec: { syncMode: 'Push' } };
  clusterDescriptor.default!(stored);
  assert.equal((stored.spec as any).resourceModels, undefined); // eslint-disable-line @typescript-eslint/no-explicit-any
});

test('clusterDescriptor.validate reports Karmada cluster rules', () => {
  const causes = clusterDescriptor.validate!({
    metadata: { name: 'Member_1' },
    spec: { syncMode: 'Push', proxyURL: 'ftp://proxy:21', secretRef: { namespace: 'karmada-cluster' }, taints: [{ key: 'a', effect: 'NoSchedule' }, { key: 'a', effect: 'NoSchedule' }] },
  });
  const fields = causes.map((c) => c.field);
  assert.ok(fields.includes('metadata.name'));
  assert.ok(fields.includes('spec.proxyURL'));
  assert.ok(fields.includes('spec.secretRef.name'));
  assert.ok(causes.some((c) => c.field === 'spec.taints[1]' && /unique by key and effect/.test(c.message)));
});

test('karmadaCRDs() loads every CRD in crds/', () => {
  assert.ok(existsSync(crdsDirectory()), crdsDirectory());
  const names = karmadaCRDs().map((c) => c.metadata!.name);
  assert.ok(names.includes('propagationpolicies.policy.karmada.io'));
  assert.ok(names.includes('works.work.karmada.io'));
  assert.ok(!names.some((n) => n!.endsWith('.cluster.karmada.io')));
  for (const crd of karmadaCRDs()) assert.equal(crd.apiVersion, 'apiextensions.k8s.io/v1');
});

test('the published OpenAPI v3 (what kubectl explain reads) carries the field descriptions', async () => {
  const { openapiV3GroupVersion } = await import('../openapi/v3.js');
  const { descriptorsForCRD } = await import('../controllers/crd.js');
  const descriptors = [clusterDescriptor];
  for (const crd of karmadaCRDs()) {
    crd.metadata!.uid = 'uid';
    descriptors.push(...descriptorsForCRD(crd));
  }
  const policy = openapiV3GroupVersion(descriptors, 'policy.karmada.io', 'v1alpha1')!;
  const schemas = (policy as any).components.schemas; // eslint-disable-line @typescript-eslint/no-explicit-any
  const ppName = Object.keys(schemas).find((n) => n.endsWith('.PropagationPolicy'))!;
  const placement = schemas[ppName].properties.spec.properties.placement;
  assert.match(placement.description, /select clusters/);
  assert.match(placement.properties.spreadConstraints.description, /spread/);
  const cluster = openapiV3GroupVersion(descriptors, 'cluster.karmada.io', 'v1alpha1')!;
  const cschemas = (cluster as any).components.schemas; // eslint-disable-line @typescript-eslint/no-explicit-any
  const cName = Object.keys(cschemas).find((n) => n.endsWith('.Cluster'))!;
  assert.match(cschemas[cName].properties.spec.properties.syncMode.description, /Push/);
});
