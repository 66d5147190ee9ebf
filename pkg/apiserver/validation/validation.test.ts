import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FieldPath,
  causeToString,
  duplicate,
  forbidden,
  formatBadValue,
  goFloat,
  goQuote,
  invalid,
  notSupported,
  required,
  tooLong,
  tooMany,
  typeInvalid,
} from './field.js';
import {
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  isValidPathSegmentName,
  nameIsDNSSubdomain,
} from './names.js';
import {
  validateAnnotations,
  validateImmutableMeta,
  validateLabelSelector,
  validateLabels,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from './objectmeta.js';

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const QNAME_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

test('field paths print like field.Path', () => {
  const cases: [FieldPath, string][] = [
    [FieldPath.of('spec'), 'spec'],
    [FieldPath.of('spec', 'replicas'), 'spec.replicas'],
    [FieldPath.of('spec').child('containers').index(0).child('image'), 'spec.containers[0].image'],
    [FieldPath.of('metadata').child('labels').key('app'), 'metadata.labels[app]'],
    [FieldPath.of('spec').child('scale.specReplicasPath'), 'spec.scale.specReplicasPath'],
  ];
  for (const [p, want] of cases) assert.equal(p.toString(), want);
});

test('error bodies match field.Error.ErrorBody', () => {
  const cases: [ReturnType<typeof invalid>, string][] = [
    [invalid('spec.x', 'abc', 'bad'), 'spec.x: Invalid value: "abc": bad'],
    [invalid('spec.x', 5, 'bad'), 'spec.x: Invalid value: 5: bad'],
    [invalid('spec.x', 1.5, 'bad'), 'spec.x: Invalid value: 1.5: bad'],
    [invalid('spec.x', true, 'bad'), 'spec.x: Invalid value: true: bad'],
    [invalid('spec.x', null, 'bad'), 'spec.x: Invalid value: null: bad'],
    [invalid('spec.x', { b: 1, a: 'x' }, 'bad'), 'spec.x: Invalid value: {"a":"x","b":1}: bad'],
    [invalid('spec.x', ['a', 'b'], 'bad'), 'spec.x: Invalid value: ["a","b"]: bad'],
    [typeInvalid('spec.x', 'string', 'd'), 'spec.x: Invalid value: "string": d'],
    [required('spec.x'), 'spec.x: Required value'],
    [required('spec.x', 'must be set'), 'spec.x: Required value: must be set'],
    [forbidden('spec.x', 'nope'), 'spec.x: Forbidden: nope'],
    [notSupported('spec.x', 'c', ['a', 'b']), 'spec.x: Unsupported value: "c": supported values: "a", "b"'],
    [duplicate('spec.x[1]', 'a'), 'spec.x[1]: Duplicate value: "a"'],
    [tooLong('spec.x', 'abcdef', 5), 'spec.x: Too long: may not be more than 5 bytes'],
    [tooLong('spec.x', 'ab', 1), 'spec.x: Too long: may not be more than 1 byte'],
    [tooMany('spec.x', 4, 3), 'spec.x: Too many: 4: must have at most 3 items'],
    [invalid(undefined, '', 'root'), '<nil>: Invalid value: "": root'],
  ];
  for (const [c, want] of cases) assert.equal(causeToString(c), want);
  assert.equal(invalid('a', 'x', 'd').reason, 'FieldValueInvalid');
  assert.equal(typeInvalid('a', 'x', 'd').reason, 'FieldValueTypeInvalid');
  assert.equal(tooMany('a', 1, 0).reason, 'FieldValueTooMany');
});

test('Go formatting helpers', () => {
  assert.equal(goQuote('a"b\\c\n\t\x01'), '"a\\"b\\\\c\\n\\t\\x01"');
  assert.equal(goQuote('héllo'), '"héllo"');
  assert.equal(goFloat(3), '3');
  assert.equal(goFloat(0.5), '0.5');
  assert.equal(goFloat(0.00001), '1e-05');
  assert.equal(goFloat(1e21), '1e+21');
  assert.equal(formatBadValue('<a&b>'), '"<a&b>"');
  assert.equal(formatBadValue({ s: '<a>' }), '{"s":"\\u003ca\\u003e"}');
});

test('DNS-1123 subdomain', () => {
  const cases: [string, string[]][] = [
    ['example.com', []],
    ['a', []],
    ['a-b.c-d', []],
    ['Abc', [SUBDOMAIN_MSG]],
    ['-abc', [SUBDOMAIN_MSG]],
    ['abc-', [SUBDOMAIN_MSG]],
    ['a_b', [SUBDOMAIN_MSG]],
    ['', [SUBDOMAIN_MSG]],
    ['a'.repeat(253), []],
    ['a'.repeat(254), ['must be no more than 253 characters']],
  ];
  for (const [v, want] of cases) assert.deepEqual(isDNS1123Subdomain(v), want, v);
});

test('DNS-1123 label and DNS-1035 label', () => {
  assert.deepEqual(isDNS1123Label('my-name'), []);
  assert.deepEqual(isDNS1123Label('123-abc'), []);
  assert.deepEqual(isDNS1123Label('a.b'), ['must not contain dots']);
  assert.deepEqual(isDNS1123Label('A'), [LABEL_MSG]);
  assert.deepEqual(isDNS1123Label('a'.repeat(64)), ['must be no more than 63 characters']);
  assert.deepEqual(isDNS1035Label('abc-123'), []);
  assert.deepEqual(isDNS1035Label('1abc'), [DNS1035_MSG]);
  assert.deepEqual(isDNS1035Label('V1'), [DNS1035_MSG]);
});

test('qualified names and label values', () => {
  assert.deepEqual(isQualifiedName('app'), []);
  assert.deepEqual(isQualifiedName('example.com/MyName'), []);
  assert.deepEqual(isQualifiedName('app.kubernetes.io/name'), []);
  assert.deepEqual(isQualifiedName('x y'), [QNAME_MSG]);
  assert.deepEqual(isQualifiedName('/name'), ['prefix part must be non-empty']);
  assert.deepEqual(isQualifiedName('Example.com/name'), [`prefix part ${SUBDOMAIN_MSG}`]);
  assert.deepEqual(isQualifiedName('example.com/'), ['name part must be non-empty', QNAME_MSG]);
  assert.equal(isQualifiedName('a/b/c').length, 1);
  assert.match(isQualifiedName('a/b/c')[0], /^a qualified name must consist of .* with an optional DNS subdomain prefix and '\/' \(e\.g\. 'example\.com\/MyName'\)$/);
  assert.deepEqual(isQualifiedName('a'.repeat(64)), ['name part must be no more than 63 characters']);
  assert.deepEqual(isValidLabelValue(''), []);
  assert.deepEqual(isValidLabelValue('my_value'), []);
  assert.deepEqual(isValidLabelValue('-x'), [LABEL_VALUE_MSG]);
  assert.deepEqual(isValidLabelValue('a'.repeat(64)), ['must be no more than 63 characters']);
  assert.deepEqual(isValidPathSegmentName('..'), ["may not be '..'"]);
  assert.deepEqual(isValidPathSegmentName('a/b%c'), ["may not contain '/'", "may not contain '%'"]);
});

test('generateName is validated with a masked trailing dash', () => {
  assert.deepEqual(nameIsDNSSubdomain('web-', true), []);
  assert.deepEqual(nameIsDNSSubdomain('web-', false), [SUBDOMAIN_MSG]);
});

test('validateObjectMeta table', () => {
  type Case = { name: string; meta: Record<string, unknown>; opts: Parameters<typeof validateObjectMeta>[1]; want: string[] };
  const cases: Case[] = [
    { name: 'valid namespaced', meta: { name: 'web', namespace: 'default' }, opts: { namespaced: true }, want: [] },
    {
      name: 'missing name',
      meta: { namespace: 'default' },
      opts: { namespaced: true },
      want: ['metadata.name: Required value: name or generateName is required'],
    },
    { name: 'generateName only', meta: { generateName: 'web-', namespace: 'ns' }, opts: { namespaced: true }, want: [] },
    {
      name: 'generateName not allowed to stand in',
      meta: { generateName: 'web-', namespace: 'ns' },
      opts: { namespaced: true, allowGenerateName: false },
      want: ['metadata.name: Required value: name or generateName is required'],
    },
    {
      name: 'bad subdomain name',
      meta: { name: 'Web', namespace: 'default' },
      opts: { namespaced: true },
      want: [`metadata.name: Invalid value: "Web": ${SUBDOMAIN_MSG}`],
    },
    {
      name: 'namespace names are labels',
      meta: { name: 'a.b' },
      opts: { namespaced: false, nameValidator: 'DNS1123Label' },
      want: ['metadata.name: Invalid value: "a.b": must not contain dots'],
    },
    {
      name: 'service names are DNS-1035',
      meta: { name: '1svc', namespace: 'default' },
      opts: { namespaced: true, nameValidator: 'DNS1035Label' },
      want: [`metadata.name: Invalid value: "1svc": ${DNS1035_MSG}`],
    },
    {
      name: 'too long name',
      meta: { name: 'a'.repeat(254) },
      opts: { namespaced: false },
      want: [`metadata.name: Invalid value: "${'a'.repeat(254)}": must be no more than 253 characters`],
    },
    { name: 'namespace required', meta: { name: 'a' }, opts: { namespaced: true }, want: ['metadata.namespace: Required value'] },
    {
      name: 'bad namespace',
      meta: { name: 'a', namespace: 'Bad_NS' },
      opts: { namespaced: true },
      want: [`metadata.namespace: Invalid value: "Bad_NS": ${LABEL_MSG}`],
    },
    {
      name: 'cluster scoped with namespace',
      meta: { name: 'a', namespace: 'default' },
      opts: { namespaced: false },
      want: ['metadata.namespace: Forbidden: not allowed on this type'],
    },
    {
      name: 'labels',
      meta: { name: 'a', labels: { 'x y': 'ok', good: 'bad value' } },
      opts: { namespaced: false },
      want: [`metadata.labels: Invalid value: "x y": ${QNAME_MSG}`, `metadata.labels: Invalid value: "bad value": ${LABEL_VALUE_MSG}`],
    },
    {
      name: 'annotation key is case-insensitive qualified name',
      meta: { name: 'a', annotations: { 'Example.com/Key': 'v', 'bad key': 'v' } },
      opts: { namespaced: false },
      want: [`metadata.annotations: Invalid value: "bad key": ${QNAME_MSG}`],
    },
    {
      name: 'negative generation',
      meta: { name: 'a', generation: -1 },
      opts: { namespaced: false },
      want: ['metadata.generation: Invalid value: -1: must be greater than or equal to 0'],
    },
    {
      name: 'finalizers',
      meta: { name: 'a', finalizers: ['example.com/ok', 'not valid'] },
      opts: { namespaced: false },
      want: [`metadata.finalizers: Invalid value: "not valid": ${QNAME_MSG}`],
    },
    {
      name: 'orphan and foreground',
      meta: { name: 'a', finalizers: ['orphan', 'foregroundDeletion'] },
      opts: { namespaced: false },
      want: ['metadata.finalizers: Invalid value: ["orphan","foregroundDeletion"]: finalizer orphan and foregroundDeletion cannot be both set'],
    },
    {
      name: 'owner references',
      meta: { name: 'a', ownerReferences: [{ apiVersion: '', kind: 'X', name: 'n', uid: '' }] },
      opts: { namespaced: false },
      want: [
        'metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty',
        'metadata.ownerReferences.uid: Invalid value: "": must not be empty',
      ],
    },
    {
      name: 'managed fields',
      meta: { name: 'a', managedFields: [{ manager: 'kubectl', operation: 'Patch', fieldsType: 'FieldsV2' }] },
      opts: { namespaced: false },
      want: [
        'metadata.managedFields[0].operation: Invalid value: "Patch": must be `Apply` or `Update`',
        'metadata.managedFields[0].fieldsType: Invalid value: "FieldsV2": must be `FieldsV1`',
      ],
    },
    {
      name: 'custom path and name function',
      meta: { name: 'x' },
      opts: { namespaced: false, fieldPath: 'spec.template.metadata', nameValidator: () => ['nope'] },
      want: ['spec.template.metadata.name: Invalid value: "x": nope'],
    },
  ];
  for (const c of cases) {
    assert.deepEqual(validateObjectMeta(c.meta, c.opts).map(causeToString), c.want, c.name);
  }
});

test('annotations total size limit', () => {
  const big = { a: 'x'.repeat(256 * 1024) };
  assert.deepEqual(validateAnnotations(big).map(causeToString), ['metadata.annotations: Too long: may not be more than 262144 bytes']);
  assert.deepEqual(validateAnnotations({ a: 'x'.repeat(256 * 1024 - 1) }), []);
});

test('validateLabels path and values', () => {
  assert.deepEqual(validateLabels({ app: 'web' }), []);
  assert.deepEqual(validateLabels({ app: 'a'.repeat(64) }, 'spec.selector.matchLabels').map(causeToString), [
    `spec.selector.matchLabels: Invalid value: "${'a'.repeat(64)}": must be no more than 63 characters`,
  ]);
});

test('validateLabelSelector', () => {
  const errs = validateLabelSelector({
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'tier', operator: 'In', values: [] },
      { key: 'env', operator: 'Exists', values: ['x'] },
      { key: 'bad key', operator: 'Equals' },
      { key: 'ok', operator: 'NotIn', values: ['-bad'] },
    ],
  }).map(causeToString);
  assert.deepEqual(errs, [
    "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
    'spec.selector.matchExpressions[2].operator: Invalid value: "Equals": not a valid selector operator',
    `spec.selector.matchExpressions[2].key: Invalid value: "bad key": ${QNAME_MSG}`,
    `spec.selector.matchExpressions[3].values[0]: Invalid value: "-bad": ${LABEL_VALUE_MSG}`,
  ]);
  assert.deepEqual(validateLabelSelector(undefined), []);
});

test('validateImmutableMeta', () => {
  const old = { name: 'a', namespace: 'ns', uid: 'u1', creationTimestamp: '2024-01-01T00:00:00Z', generation: 3, resourceVersion: '5' };
  assert.deepEqual(validateImmutableMeta({ ...old }, old), []);
  const errs = validateImmutableMeta({ ...old, name: 'b', namespace: 'other', uid: 'u2', creationTimestamp: '2025-01-01T00:00:00Z', generation: 2 }, old).map(causeToString);
  assert.deepEqual(errs, [
    'metadata.generation: Invalid value: 2: must not be decremented',
    'metadata.name: Invalid value: "b": field is immutable',
    'metadata.namespace: Invalid value: "other": field is immutable',
    'metadata.uid: Invalid value: "u2": field is immutable',
    'metadata.creationTimestamp: Invalid value: "2025-01-01T00:00:00Z": field is immutable',
  ]);
  const deleting = { ...old, deletionTimestamp: '2024-02-01T00:00:00Z', finalizers: ['a'] };
  assert.deepEqual(validateImmutableMeta({ ...deleting, finalizers: ['a', 'b', 'c'] }, deleting).map(causeToString), [
    'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"b", "c"}',
  ]);
  assert.deepEqual(validateImmutableMeta({ ...old, resourceVersion: '' }, old, { requireResourceVersion: true }).map(causeToString), [
    'metadata.resourceVersion: Invalid value: "": must be specified for an update',
  ]);
  assert.deepEqual(validateObjectMetaUpdate({ ...old, labels: { 'a b': 'c' } }, old).map((c) => c.field), ['metadata.labels']);
});
