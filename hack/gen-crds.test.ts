import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { crdDrift, expectedCRDFiles } from './gen-crds.js';
import { CRD_KINDS, crdFileName, KARMADA_KINDS } from '../pkg/apis/crd.js';
import { defaultCRD, formatCRDErrors, validateCRD, type CustomResourceDefinition } from '../pkg/apiserver/crd/validation.js';
import { karmadaCRDs } from '../pkg/apiserver/karmada/kinds.js';

const FILES = expectedCRDFiles();

test('crds/ matches what pkg/apis generates (run `npm run gen:crds` after changing a schema)', () => {
  assert.deepEqual(crdDrift(), [], 'crds/ drifted from pkg/apis; run `npm run gen:crds`');
});

test('every Karmada kind but Cluster has exactly one CRD file', () => {
  const files = [...FILES.keys()].sort();
  assert.equal(files.length, KARMADA_KINDS.length - 1);
  assert.ok(!files.some((f) => f.startsWith('cluster.karmada.io_')), 'Cluster is served natively');
  assert.ok(files.includes('policy.karmada.io_propagationpolicies.yaml'));
  assert.ok(files.includes('work.karmada.io_resourcebindings.yaml'));
  assert.equal(karmadaCRDs().length, CRD_KINDS.length);
});

test('every generated CRD passes the checks a kube-apiserver applies (validateCRD)', () => {
  for (const k of CRD_KINDS) {
    const crd = parse(FILES.get(crdFileName(k))!) as CustomResourceDefinition;
    const errs = validateCRD(defaultCRD(structuredClone(crd)));
    assert.deepEqual(formatCRDErrors(errs), [], `${crd.metadata?.name}`);
  }
});

test('generated schemas are structural: inline, no JSON-Schema-only keywords', () => {
  for (const [name, text] of FILES) {
    for (const bad of ['$schema', '$defs', '$ref', 'propertyNames', 'const:', 'additionalProperties: false', 'additionalProperties: {}']) {
      assert.ok(!text.includes(bad), `${name} contains ${bad}`);
    }
  }
});

interface Version {
  name: string;
  additionalPrinterColumns?: { name: string; jsonPath: string; type: string }[];
  subresources?: { status?: object };
  schema: { openAPIV3Schema: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

function crdOf(file: string): { spec: { names: Record<string, unknown>; scope: string; versions: Version[] } } {
  return parse(FILES.get(file)!) as never;
}

test('names, scope, subresources and printer columns are Karmada\'s', () => {
  const pp = crdOf('policy.karmada.io_propagationpolicies.yaml').spec;
  assert.deepEqual(pp.names.shortNames, ['pp']);
  assert.deepEqual(pp.names.categories, ['karmada-io']);
  assert.equal(pp.scope, 'Namespaced');
  assert.deepEqual(pp.versions[0]!.additionalPrinterColumns!.map((c) => c.name), ['CONFLICT-RESOLUTION', 'PRIORITY', 'AGE']);
  assert.equal(pp.versions[0]!.subresources, undefined);

  const cpp = crdOf('policy.karmada.io_clusterpropagationpolicies.yaml').spec;
  assert.equal(cpp.scope, 'Cluster');
  assert.deepEqual(cpp.names.shortNames, ['cpp']);

  const rb = crdOf('work.karmada.io_resourcebindings.yaml').spec;
  assert.deepEqual(rb.names.shortNames, ['rb']);
  assert.equal(rb.versions[0]!.name, 'v1alpha2');
  assert.deepEqual(rb.versions[0]!.subresources, { status: {} });
  assert.deepEqual(
    rb.versions[0]!.additionalPrinterColumns!.map((c) => [c.name, c.jsonPath]),
    [
      ['SCHEDULED', '.status.conditions[?(@.type=="Scheduled")].status'],
      ['FULLYAPPLIED', '.status.conditions[?(@.type=="FullyApplied")].status'],
      ['AGE', '.metadata.creationTimestamp'],
    ],
  );

  const work = crdOf('work.karmada.io_works.yaml').spec;
  assert.deepEqual(work.names.shortNames, ['wk']);
  assert.deepEqual(work.versions[0]!.additionalPrinterColumns!.map((c) => c.name), ['WORKLOAD-KIND', 'APPLIED', 'AVAILABLE', 'AGE']);

  const ric = crdOf('config.karmada.io_resourceinterpretercustomizations.yaml').spec;
  assert.deepEqual(ric.names.shortNames, ['ric']);
  assert.equal(ric.scope, 'Cluster');

  const wr = crdOf('apps.karmada.io_workloadrebalancers.yaml').spec;
  assert.equal(wr.scope, 'Cluster');
  assert.deepEqual(wr.versions[0]!.subresources, { status: {} });
});

test('schema idioms: defaults, enums, int-or-string quantities, preserved free-form values', () => {
  const pp = crdOf('policy.karmada.io_propagationpolicies.yaml').spec.versions[0]!.schema.openAPIV3Schema;
  assert.deepEqual(pp.properties.metadata, { type: 'object' });
  assert.deepEqual(pp.required, ['spec']);
  const spec = pp.properties.spec;
  assert.deepEqual(spec.required, ['resourceSelectors']);
  assert.equal(spec.properties.resourceSelectors.minItems, 1);
  assert.equal(spec.properties.conflictResolution.default, 'Abort');
  assert.deepEqual(spec.properties.conflictResolution.enum, ['Abort', 'Overwrite']);
  assert.equal(spec.properties.schedulerName.default, 'default-scheduler');
  assert.equal(spec.properties.priority.default, 0);
  assert.equal(spec.properties.priority.format, 'int32');
  assert.equal(spec.properties.preemption.default, 'Never');
  const rs = spec.properties.placement.properties.replicaScheduling.properties;
  assert.equal(rs.replicaSchedulingType.default, 'Divided');
  const weight = rs.weightPreference.properties.staticWeightList.items.properties.weight;
  assert.deepEqual([weight.type, weight.format, weight.minimum], ['integer', 'int64', 1]);
  assert.match(spec.properties.placement.description, /rule for select clusters/);

  const frq = crdOf('policy.karmada.io_federatedresourcequotas.yaml').spec.versions[0]!.schema.openAPIV3Schema;
  const q = frq.properties.spec.properties.overall.additionalProperties;
  assert.equal(q['x-kubernetes-int-or-string'], true);
  assert.deepEqual(q.anyOf, [{ type: 'integer' }, { type: 'string' }]);
  assert.ok(q.pattern);

  const work = crdOf('work.karmada.io_works.yaml').spec.versions[0]!.schema.openAPIV3Schema;
  const manifest = work.properties.spec.properties.workload.properties.manifests.items;
  assert.equal(manifest.type, 'object');
  assert.equal(manifest['x-kubernetes-preserve-unknown-fields'], true);

  const op = crdOf('policy.karmada.io_overridepolicies.yaml').spec.versions[0]!.schema.openAPIV3Schema;
  const plaintext = op.properties.spec.properties.overrideRules.items.properties.overriders.properties.plaintext.items;
  assert.equal(plaintext.properties.value['x-kubernetes-preserve-unknown-fields'], true);
  assert.equal(plaintext.properties.value.type, undefined, 'apiextensionsv1.JSON may be any JSON value');
  assert.deepEqual(plaintext.properties.operator.enum, ['add', 'remove', 'replace']);
});
