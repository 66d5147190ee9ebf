import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { validateCRDSchema } from '../apiserver/crd/validation.js';
import { FieldPath } from '../apiserver/validation/field.js';
import { kindSchema, validateKindShape } from '../apis/validate.js';
import { kubeEdgeCRDs, kubeEdgeCRDsYAML, SAMPLE_CRDS_PATH } from './crds.js';
import { deviceKind, deviceModelKind, KUBEEDGE_DEVICE_KINDS } from './device.js';

const samples = (file: string) => parseAllDocuments(readFileSync(SAMPLE_CRDS_PATH.replace(/crds\.yaml$/, file), 'utf8')).map((d) => d.toJS());

describe('KubeEdge device CRDs', () => {
  it('samples/edge/crds.yaml is the generated YAML (regenerate: node <outDir>/pkg/edge/crds.js)', () => {
    assert.equal(readFileSync(SAMPLE_CRDS_PATH, 'utf8'), kubeEdgeCRDsYAML());
    const docs = parseAllDocuments(readFileSync(SAMPLE_CRDS_PATH, 'utf8')).map((d) => d.toJS());
    assert.deepEqual(docs.map((d) => d.metadata.name), ['devicemodels.devices.kubeedge.io', 'devices.devices.kubeedge.io']);
  });

  it('are namespaced v1beta1 with valid structural schemas; only Device has a status subresource', () => {
    for (const k of KUBEEDGE_DEVICE_KINDS) assert.deepEqual(validateCRDSchema(kindSchema(k), FieldPath.of('schema'), k.statusSubresource), [], k.kind);
    const [model, device] = kubeEdgeCRDs() as { spec: { scope: string; versions: { name: string; subresources?: unknown; schema: { openAPIV3Schema: any } }[] } }[]; // eslint-disable-line @typescript-eslint/no-explicit-any
    for (const crd of [model!, device!]) {
      assert.equal(crd.spec.scope, 'Namespaced');
      assert.equal(crd.spec.versions[0]!.name, 'v1beta1');
    }
    assert.deepEqual(device!.spec.versions[0]!.subresources, { status: {} });
    assert.equal(model!.spec.versions[0]!.subresources, undefined);
    // KubeEdge's free-form config (CustomizedValue) keeps whatever a mapper needs.
    const spec = device!.spec.versions[0]!.schema.openAPIV3Schema.properties.spec.properties;
    assert.equal(spec.protocol.properties.configData['x-kubernetes-preserve-unknown-fields'], true);
    assert.equal(spec.properties.items.properties.visitors.properties.configData['x-kubernetes-preserve-unknown-fields'], true);
    const twin = device!.spec.versions[0]!.schema.openAPIV3Schema.properties.status.properties.twins.items.properties;
    assert.deepEqual(Object.keys(twin).sort(), ['observedDesired', 'propertyName', 'reported']);
    assert.deepEqual(twin.reported.required, ['value']);
  });

  it('accept the samples and reject what KubeEdge rejects', () => {
    const [model] = samples('devicemodel.yaml');
    const [device] = samples('device.yaml');
    assert.deepEqual(validateKindShape(deviceModelKind, model), []);
    assert.deepEqual(validateKindShape(deviceKind, device), []);
    assert.equal(device.spec.nodeName, 'member3-edge-node-0');
    const withStatus = {
      ...device,
      status: { state: 'online', lastOnlineTime: '2025-01-01T00:00:00Z', twins: [{ propertyName: 'threshold', reported: { value: '30', metadata: { timestamp: '1735689600000', type: 'int' } }, observedDesired: { value: '30' } }] },
    };
    assert.deepEqual(validateKindShape(deviceKind, withStatus), []);
    const noValue = { ...device, status: { twins: [{ propertyName: 'threshold', reported: { metadata: {} } }] } };
    assert.notDeepEqual(validateKindShape(deviceKind, noValue), []);
    const badType = { ...model, spec: { properties: [{ name: 't', type: 'LONG' }] } };
    assert.notDeepEqual(validateKindShape(deviceModelKind, badType), []);
  });
});
