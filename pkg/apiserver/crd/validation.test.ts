import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JSONSchemaProps } from '../schema/types.js';
import { crdStatusFor, defaultCRD, formatCRDErrors, validateCRD, type CustomResourceDefinition } from './validation.js';

const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const SCHEMA = 'spec.versions[0].schema.openAPIV3Schema';

function base(): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'crontabs.stable.example.com' },
    spec: {
      group: 'stable.example.com',
      scope: 'Namespaced',
      names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', shortNames: ['ct'] },
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
                  properties: {
                    cronSpec: { type: 'string' },
                    replicas: { type: 'integer', default: 1 },
                    ports: {
                      type: 'array',
                      'x-kubernetes-list-type': 'map',
                      'x-kubernetes-list-map-keys': ['name'],
                      items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, port: { type: 'integer' } } },
                    },
                    port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
                  },
                },
                status: { type: 'object', properties: { replicas: { type: 'integer' } } },
              },
            },
          },
          subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
          additionalPrinterColumns: [{ name: 'Spec', type: 'string', jsonPath: '.spec.cronSpec' }],
        },
      ],
    },
  };
}

function validate(mut: (c: CustomResourceDefinition) => void, old?: CustomResourceDefinition): string[] {
  const c = base();
  mut(c);
  defaultCRD(c);
  return formatCRDErrors(validateCRD(c, old));
}

function schemaOf(c: CustomResourceDefinition): JSONSchemaProps {
  return c.spec!.versions![0].schema!.openAPIV3Schema!;
}

test('a valid CRD has no errors', () => {
  assert.deepEqual(validate(() => {}), []);
});

type Case = { name: string; mut: (c: CustomResourceDefinition) => void; want: string[] };

const cases: Case[] = [
  {
    name: 'name must be plural.group',
    mut: (c) => (c.metadata!.name = 'crontab.stable.example.com'),
    want: ['metadata.name: Invalid value: "crontab.stable.example.com": must be spec.names.plural+"."+spec.group'],
  },
  {
    name: 'namespace forbidden',
    mut: (c) => (c.metadata!.namespace = 'default'),
    want: ['metadata.namespace: Forbidden: not allowed on this type'],
  },
  {
    name: 'group without dot',
    mut: (c) => {
      c.spec!.group = 'example';
      c.metadata!.name = 'crontabs.example';
    },
    want: ['spec.group: Invalid value: "example": should be a domain with at least one dot'],
  },
  {
    name: 'group required',
    mut: (c) => {
      c.spec!.group = '';
      c.metadata!.name = 'crontabs.';
    },
    want: [
      "metadata.name: Invalid value: \"crontabs.\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      'spec.group: Required value',
    ],
  },
  { name: 'scope required', mut: (c) => delete c.spec!.scope, want: ['spec.scope: Required value'] },
  {
    name: 'scope enum',
    mut: (c) => (c.spec!.scope = 'Global'),
    want: ['spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"'],
  },
  {
    name: 'plural / kind / listKind / shortNames',
    mut: (c) => {
      c.spec!.names = { plural: 'CronTabs', kind: 'Cron_Tab', shortNames: ['c t'], categories: ['All'] };
      c.metadata!.name = 'CronTabs.stable.example.com';
    },
    want: [
      "metadata.name: Invalid value: \"CronTabs.stable.example.com\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      `spec.names.plural: Invalid value: "CronTabs": ${DNS1035_MSG}`,
      `spec.names.singular: Invalid value: "cron_tab": ${DNS1035_MSG}`,
      `spec.names.kind: Invalid value: "Cron_Tab": may have mixed case, but should otherwise match: ${DNS1035_MSG}`,
      `spec.names.listKind: Invalid value: "Cron_TabList": may have mixed case, but should otherwise match: ${DNS1035_MSG}`,
      `spec.names.shortNames[0]: Invalid value: "c t": ${DNS1035_MSG}`,
      `spec.names.categories[0]: Invalid value: "All": ${DNS1035_MSG}`,
    ],
  },
  {
    name: 'kind required',
    mut: (c) => (c.spec!.names = { plural: 'crontabs' }),
    want: ['spec.names.singular: Required value', 'spec.names.kind: Required value', 'spec.names.listKind: Required value'],
  },
  {
    name: 'kind and listKind equal',
    mut: (c) => (c.spec!.names!.listKind = 'CronTab'),
    want: ['spec.names.listKind: Invalid value: "CronTab": kind and listKind may not be the same'],
  },
  {
    name: 'no versions',
    mut: (c) => (c.spec!.versions = []),
    want: ['spec.versions: Invalid value: []: must have exactly one version marked as storage version'],
  },
  {
    name: 'two storage versions, duplicate names, bad version name',
    mut: (c) => {
      const v = c.spec!.versions![0];
      c.spec!.versions = [v, { ...structuredClone(v) }, { ...structuredClone(v), name: 'V2', storage: false }];
    },
    want: [
      `spec.versions[2].name: Invalid value: "V2": ${DNS1035_MSG}`,
      /^spec\.versions: Invalid value: \[.*\]: must contain unique version names$/.source,
      /^spec\.versions: Invalid value: \[.*\]: must have exactly one version marked as storage version$/.source,
    ],
  },
  {
    name: 'schema required in v1',
    mut: (c) => delete c.spec!.versions![0].schema,
    want: ['spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required'],
  },
  {
    name: 'preserveUnknownFields true',
    mut: (c) => (c.spec!.preserveUnknownFields = true),
    want: ['spec.preserveUnknownFields: Invalid value: true: cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead'],
  },
  {
    name: 'root type must be object',
    mut: (c) => {
      schemaOf(c).type = 'string';
      delete c.spec!.versions![0].subresources;
    },
    want: [`${SCHEMA}.type: Invalid value: "string": must be object at the root`],
  },
  {
    name: 'root type required',
    mut: (c) => delete schemaOf(c).type,
    want: [`${SCHEMA}.type: Required value: must not be empty at the root`],
  },
  {
    name: 'field type required',
    mut: (c) => (schemaOf(c).properties!.spec.properties!.cronSpec = { description: 'no type' }),
    want: [`${SCHEMA}.properties[spec].properties[cronSpec].type: Required value: must not be empty for specified object fields`],
  },
  {
    name: 'item type required and array items required',
    mut: (c) => {
      schemaOf(c).properties!.spec.properties!.a = { type: 'array', items: {} };
      schemaOf(c).properties!.spec.properties!.b = { type: 'array' };
    },
    want: [
      `${SCHEMA}.properties[spec].properties[a].items.type: Required value: must not be empty for specified array items`,
      `${SCHEMA}.properties[spec].properties[b].items: Required value: must be specified`,
    ],
  },
  {
    name: 'preserve-unknown-fields allows an empty type',
    mut: (c) => (schemaOf(c).properties!.spec.properties!.free = { 'x-kubernetes-preserve-unknown-fields': true }),
    want: [],
  },
  {
    name: 'metadata may only restrict name and generateName',
    mut: (c) => (schemaOf(c).properties!.metadata = { type: 'object', properties: { labels: { type: 'object' } } }),
    want: [`${SCHEMA}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`],
  },
  {
    name: 'metadata name restriction is fine',
    mut: (c) => (schemaOf(c).properties!.metadata = { type: 'object', properties: { name: { type: 'string', maxLength: 20 } } }),
    want: [],
  },
  {
    name: 'kind must be string',
    mut: (c) => (schemaOf(c).properties!.kind = { type: 'integer' }),
    want: [`${SCHEMA}.properties[kind].type: Invalid value: "integer": must be string`],
  },
  {
    name: 'additionalProperties at the root and with properties',
    mut: (c) => {
      schemaOf(c).additionalProperties = { type: 'string' };
    },
    want: [
      `${SCHEMA}.additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`,
      `${SCHEMA}.additionalProperties: Forbidden: must not be used at the root`,
    ],
  },
  {
    name: 'value validations must not carry types',
    mut: (c) => (schemaOf(c).properties!.spec.anyOf = [{ type: 'object', required: ['cronSpec'] }, { required: ['replicas'] }]),
    want: [`${SCHEMA}.properties[spec].anyOf[0].type: Forbidden: must be empty to be structural`],
  },
  {
    name: 'value validations must only mention specified properties',
    mut: (c) => (schemaOf(c).properties!.spec.oneOf = [{ properties: { unknown: { minLength: 1 } } }]),
    want: [`${SCHEMA}.properties[spec].properties[unknown]: Required value: because it is defined in ${SCHEMA}.properties[spec].oneOf[0].properties[unknown]`],
  },
  {
    name: 'metadata inside a value validation',
    mut: (c) => (schemaOf(c).allOf = [{ properties: { metadata: { required: ['name'] } } }]),
    want: [
      `${SCHEMA}.allOf[0].properties[metadata]: Forbidden: must not be specified in a nested context`,
      `${SCHEMA}.properties[metadata]: Required value: because it is defined in ${SCHEMA}.allOf[0].properties[metadata]`,
    ],
  },
  {
    name: 'uniqueItems forbidden, $ref forbidden, preserve-unknown-fields false',
    mut: (c) => {
      const p = schemaOf(c).properties!.spec.properties!;
      p.u = { type: 'array', items: { type: 'string' }, uniqueItems: true };
      p.r = { type: 'object', $ref: '#/definitions/x' };
      p.f = { type: 'object', 'x-kubernetes-preserve-unknown-fields': false };
    },
    want: [
      `${SCHEMA}.properties[spec].properties[u].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`,
      `${SCHEMA}.properties[spec].properties[r].$ref: Forbidden: $ref is not supported`,
      `${SCHEMA}.properties[spec].properties[f].x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined`,
    ],
  },
  {
    name: 'list-map keys',
    mut: (c) => {
      const ports = schemaOf(c).properties!.spec.properties!.ports;
      ports['x-kubernetes-list-map-keys'] = ['name', 'port', 'missing'];
    },
    want: [
      `${SCHEMA}.properties[spec].properties[ports].items.properties[port].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property`,
      `${SCHEMA}.properties[spec].properties[ports].x-kubernetes-list-map-keys: Invalid value: ["name","port","missing"]: entries must all be names of item properties`,
    ],
  },
  {
    name: 'list-type on a non-array and unknown list-type',
    mut: (c) => {
      const p = schemaOf(c).properties!.spec.properties!;
      p.s = { type: 'string', 'x-kubernetes-list-type': 'set' };
      p.l = { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'bag' as 'set' };
    },
    want: [
      `${SCHEMA}.properties[spec].properties[s].type: Invalid value: "string": must be array if x-kubernetes-list-type is specified`,
      `${SCHEMA}.properties[spec].properties[l].x-kubernetes-list-type: Unsupported value: "bag": supported values: "atomic", "set", "map"`,
    ],
  },
  {
    name: 'list-type map without keys',
    mut: (c) => delete schemaOf(c).properties!.spec.properties!.ports['x-kubernetes-list-map-keys'],
    want: [`${SCHEMA}.properties[spec].properties[ports].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map`],
  },
  {
    name: 'default must validate',
    mut: (c) => (schemaOf(c).properties!.spec.properties!.replicas.default = 'one'),
    want: [
      `${SCHEMA}.properties[spec].properties[replicas].default: Invalid value: "string":  in body must be of type integer: "string"`,
    ],
  },
  {
    name: 'default must not have unknown fields',
    mut: (c) => (schemaOf(c).properties!.spec.default = { cronSpec: 'x', bogus: 1 }),
    want: [`${SCHEMA}.properties[spec].default: Invalid value: {"bogus":1,"cronSpec":"x"}: must not have unknown fields`],
  },
  {
    name: 'embedded resource schema rules',
    mut: (c) => (schemaOf(c).properties!.spec.properties!.tpl = { 'x-kubernetes-embedded-resource': true }),
    want: [
      `${SCHEMA}.properties[spec].properties[tpl].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields`,
      `${SCHEMA}.properties[spec].properties[tpl].type: Required value: must be object if x-kubernetes-embedded-resource is true`,
    ],
  },
  {
    name: 'invalid pattern',
    mut: (c) => (schemaOf(c).properties!.spec.properties!.cronSpec.pattern = '(['),
    want: [/^spec\.versions\[0\]\.schema\.openAPIV3Schema\.properties\[spec\]\.properties\[cronSpec\]\.pattern: Invalid value: "\(\[": must be a valid regular expression, but isn't: .*$/.source],
  },
  {
    name: 'scale paths',
    mut: (c) => (c.spec!.versions![0].subresources!.scale = { specReplicasPath: 'spec.replicas', statusReplicasPath: '.spec.replicas', labelSelectorPath: '.metadata.x' }),
    want: [
      'spec.versions[0].subresources.scale.specReplicasPath: Invalid value: "spec.replicas": must be a simple json path starting with .',
      'spec.versions[0].subresources.scale.statusReplicasPath: Invalid value: ".spec.replicas": should be a json path under .status',
      'spec.versions[0].subresources.scale.labelSelectorPath: Invalid value: ".metadata.x": should be a json path under either .spec or .status',
    ],
  },
  {
    name: 'scale paths required',
    mut: (c) => (c.spec!.versions![0].subresources!.scale = {}),
    want: ['spec.versions[0].subresources.scale.specReplicasPath: Required value', 'spec.versions[0].subresources.scale.statusReplicasPath: Required value'],
  },
  {
    name: 'printer columns',
    mut: (c) =>
      (c.spec!.versions![0].additionalPrinterColumns = [
        { name: '', type: 'text', format: 'weird', jsonPath: 'spec.x' },
        { name: 'A', jsonPath: '' },
      ]),
    want: [
      'spec.versions[0].additionalPrinterColumns[0].name: Required value',
      'spec.versions[0].additionalPrinterColumns[0].type: Invalid value: "text": must be one of boolean,date,integer,number,string',
      'spec.versions[0].additionalPrinterColumns[0].format: Invalid value: "weird": must be one of byte,date,date-time,double,float,int32,int64,password',
      'spec.versions[0].additionalPrinterColumns[0].JSONPath: Invalid value: "spec.x": must be a simple json path starting with .',
      'spec.versions[0].additionalPrinterColumns[1].type: Required value: must be one of boolean,date,integer,number,string',
      'spec.versions[0].additionalPrinterColumns[1].JSONPath: Required value',
    ],
  },
  {
    name: 'deprecation warning without deprecated',
    mut: (c) => (c.spec!.versions![0].deprecationWarning = 'old'),
    want: ['spec.versions[0].deprecationWarning: Invalid value: "old": can only be set for deprecated versions'],
  },
  {
    name: 'conversion strategy',
    mut: (c) => (c.spec!.conversion = { strategy: 'Magic' }),
    want: ['spec.conversion.strategy: Unsupported value: "Magic": supported values: "None", "Webhook"'],
  },
  {
    name: 'webhook conversion needs a client config and review versions',
    mut: (c) => (c.spec!.conversion = { strategy: 'Webhook' }),
    want: [
      'spec.conversion.webhookClientConfig: Required value: required when strategy is set to Webhook',
      'spec.conversion.conversionReviewVersions: Required value',
    ],
  },
  {
    name: 'webhook url must be https',
    mut: (c) => (c.spec!.conversion = { strategy: 'Webhook', webhook: { clientConfig: { url: 'http://x.example.com/convert' }, conversionReviewVersions: ['v2'] } }),
    want: [
      'spec.conversion.webhookClientConfig.url: Invalid value: "http": \'https\' is the only allowed URL scheme; desired format: https://host[/path]',
      'spec.conversion.conversionReviewVersions: Invalid value: ["v2"]: must include at least one of v1, v1beta1',
    ],
  },
  {
    name: 'webhook service',
    mut: (c) => (c.spec!.conversion = { strategy: 'Webhook', webhook: { clientConfig: { service: { name: 'svc', namespace: 'ns', port: 70000 } }, conversionReviewVersions: ['v1'] } }),
    want: ['spec.conversion.webhookClientConfig.service.port: Invalid value: 70000: port is not valid: must be between 1 and 65535, inclusive'],
  },
  {
    name: 'client config without webhook strategy',
    mut: (c) => (c.spec!.conversion = { strategy: 'None', webhook: { clientConfig: { url: 'https://x' } } }),
    want: ['spec.conversion.webhookClientConfig: Forbidden: should not be set when strategy is not set to Webhook'],
  },
  {
    name: 'stored versions must appear in spec.versions',
    mut: (c) => (c.status = { storedVersions: ['v1beta1', 'v1'] }),
    want: ['status.storedVersions[0]: Invalid value: "v1beta1": must appear in spec.versions'],
  },
];

test('validateCRD table', () => {
  for (const c of cases) {
    const got = validate(c.mut);
    assert.equal(got.length, c.want.length, `${c.name}: ${JSON.stringify(got, null, 1)}`);
    c.want.forEach((w, i) => {
      if (w.startsWith('^')) assert.match(got[i], new RegExp(w), c.name);
      else assert.equal(got[i], w, c.name);
    });
  }
});

test('requireServedVersion option', () => {
  const c = defaultCRD(base());
  c.spec!.versions![0].served = false;
  assert.deepEqual(validateCRD(c), []);
  assert.deepEqual(formatCRDErrors(validateCRD(c, undefined, { requireServedVersion: true })).map((s) => s.replace(/Invalid value: .*: /, '')), [
    'spec.versions: must have at least one version marked as served',
  ]);
});

test('update: immutable group/plural, and scope/kind once established', () => {
  const old = defaultCRD(base());
  old.metadata = { ...old.metadata, uid: 'u', resourceVersion: '1' };
  old.status = crdStatusFor(old, { now: new Date('2024-01-01T00:00:00Z') });
  const errs = validate((c) => {
    c.metadata = { ...old.metadata };
    c.status = structuredClone(old.status);
    c.spec!.scope = 'Cluster';
    c.spec!.names!.kind = 'CronJob';
    c.spec!.names!.listKind = 'CronJobList';
  }, old);
  assert.deepEqual(errs, [
    'spec.scope: Invalid value: "Cluster": field is immutable',
    'spec.names.kind: Invalid value: "CronJob": field is immutable',
  ]);
  const renamed = validate((c) => {
    c.metadata = { ...old.metadata, name: 'other.stable.example.com' };
  }, old);
  assert.deepEqual(renamed, ['metadata.name: Invalid value: "other.stable.example.com": field is immutable']);
  const notEstablished = { ...old, status: {} };
  assert.deepEqual(
    validate((c) => {
      c.metadata = { ...old.metadata };
      c.spec!.scope = 'Cluster';
    }, notEstablished),
    [],
  );
});

test('defaultCRD', () => {
  const c: CustomResourceDefinition = {
    spec: { group: 'a.b', names: { plural: 'foos', kind: 'Foo' }, scope: 'Cluster', versions: [{ name: 'v1', storage: true }] },
    status: {},
  };
  defaultCRD(c);
  assert.deepEqual(c.spec!.names, { plural: 'foos', kind: 'Foo', singular: 'foo', listKind: 'FooList' });
  assert.deepEqual(c.spec!.conversion, { strategy: 'None' });
  assert.equal(c.spec!.versions![0].served, false);
  assert.deepEqual(c.status!.storedVersions, ['v1']);
  const w: CustomResourceDefinition = { spec: { conversion: { strategy: 'Webhook', webhook: { clientConfig: { service: { name: 's', namespace: 'n' } } } } } };
  defaultCRD(w);
  assert.equal(w.spec!.conversion!.webhook!.clientConfig!.service!.port, 443);
});

test('crdStatusFor', () => {
  const c = defaultCRD(base());
  const t1 = new Date('2024-01-01T00:00:00.123Z');
  const s1 = crdStatusFor(c, { now: t1 });
  assert.deepEqual(s1, {
    conditions: [
      { type: 'NamesAccepted', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z', reason: 'NoConflicts', message: 'no conflicts found' },
      { type: 'Established', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' },
    ],
    acceptedNames: { plural: 'crontabs', singular: 'crontab', shortNames: ['ct'], kind: 'CronTab', listKind: 'CronTabList' },
    storedVersions: ['v1'],
  });
  // transition times are kept while the condition status does not change; stored versions accumulate
  c.status = s1;
  c.spec!.versions = [
    { ...c.spec!.versions![0], storage: false },
    { ...structuredClone(c.spec!.versions![0]), name: 'v2', storage: true },
  ];
  const s2 = crdStatusFor(c, { now: new Date('2025-01-01T00:00:00Z') });
  assert.equal(s2.conditions![0].lastTransitionTime, '2024-01-01T00:00:00Z');
  assert.deepEqual(s2.storedVersions, ['v1', 'v2']);
  const s3 = crdStatusFor(c, { now: new Date('2025-01-01T00:00:00Z'), namesConflict: '"crontabs" is already in use' });
  assert.equal(s3.conditions![0].status, 'False');
  assert.equal(s3.conditions![1].reason, 'NotAccepted');
  assert.equal(s3.conditions![1].lastTransitionTime, '2025-01-01T00:00:00Z');
  // the validated result of the status helper is itself valid
  c.status = s2;
  assert.deepEqual(validateCRD(c), []);
});
