import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JSONSchemaProps } from './types.js';
import { checkFormat, compilePattern, formatCauses, supportedFormat, validateAgainstSchema } from './validate.js';

const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

function spec(props: Record<string, JSONSchemaProps>, extra: Partial<JSONSchemaProps> = {}): JSONSchemaProps {
  return { type: 'object', properties: { spec: { type: 'object', properties: props, ...extra } } };
}

function run(obj: unknown, schema: JSONSchemaProps, opts?: Parameters<typeof validateAgainstSchema>[2]): string[] {
  return formatCauses(validateAgainstSchema(obj, schema, opts));
}

type Case = { name: string; schema: JSONSchemaProps; obj: unknown; want: string[]; opts?: Parameters<typeof validateAgainstSchema>[2] };

const cases: Case[] = [
  // ---- types
  {
    name: 'integer given a string',
    schema: spec({ replicas: { type: 'integer' } }),
    obj: { spec: { replicas: 'three' } },
    want: ['spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"'],
  },
  { name: 'integer given integer', schema: spec({ replicas: { type: 'integer' } }), obj: { spec: { replicas: 3 } }, want: [] },
  {
    name: 'integer given float',
    schema: spec({ replicas: { type: 'integer' } }),
    obj: { spec: { replicas: 1.5 } },
    want: ['spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number"'],
  },
  { name: 'number accepts integer', schema: spec({ ratio: { type: 'number' } }), obj: { spec: { ratio: 2 } }, want: [] },
  {
    name: 'string given object',
    schema: spec({ s: { type: 'string' } }),
    obj: { spec: { s: { a: 1 } } },
    want: ['spec.s: Invalid value: "object": spec.s in body must be of type string: "object"'],
  },
  {
    name: 'boolean given array',
    schema: spec({ b: { type: 'boolean' } }),
    obj: { spec: { b: [true] } },
    want: ['spec.b: Invalid value: "array": spec.b in body must be of type boolean: "array"'],
  },
  {
    name: 'object given string',
    schema: spec({ o: { type: 'object' } }),
    obj: { spec: { o: 'x' } },
    want: ['spec.o: Invalid value: "string": spec.o in body must be of type object: "string"'],
  },
  {
    name: 'null not nullable',
    schema: spec({ s: { type: 'string' } }),
    obj: { spec: { s: null } },
    want: ['spec.s: Invalid value: "null": spec.s in body must be of type string: "null"'],
  },
  { name: 'null nullable', schema: spec({ s: { type: 'string', nullable: true } }), obj: { spec: { s: null } }, want: [] },
  { name: 'int-or-string int', schema: spec({ p: { 'x-kubernetes-int-or-string': true } }), obj: { spec: { p: 80 } }, want: [] },
  { name: 'int-or-string string', schema: spec({ p: { 'x-kubernetes-int-or-string': true } }), obj: { spec: { p: 'http' } }, want: [] },
  {
    name: 'int-or-string bool',
    schema: spec({ p: { 'x-kubernetes-int-or-string': true } }),
    obj: { spec: { p: true } },
    want: ['spec.p: Invalid value: "boolean": spec.p in body must be of type integer,string: "boolean"'],
  },
  {
    name: 'root type',
    schema: { type: 'object' },
    obj: 'x',
    want: ['<nil>: Invalid value: "string":  in body must be of type object: "string"'],
  },
  // ---- required / properties / additionalProperties
  {
    name: 'required',
    schema: spec({ a: { type: 'string' } }, { required: ['a', 'b'] }),
    obj: { spec: { a: 'x' } },
    want: ['spec.b: Required value'],
  },
  { name: 'required present with null value', schema: spec({ a: { type: 'string', nullable: true } }, { required: ['a'] }), obj: { spec: { a: null } }, want: [] },
  {
    name: 'required at root',
    schema: { type: 'object', required: ['spec'], properties: { spec: { type: 'object' } } },
    obj: {},
    want: ['spec: Required value'],
  },
  {
    name: 'nested array item paths',
    schema: spec({ items: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } } }),
    obj: { spec: { items: [{ name: 'a' }, { name: 7 }, {}] } },
    want: [
      'spec.items[1].name: Invalid value: "integer": spec.items[1].name in body must be of type string: "integer"',
      'spec.items[2].name: Required value',
    ],
  },
  {
    name: 'additionalProperties schema, bracket keys',
    schema: spec({ matchLabels: { type: 'object', additionalProperties: { type: 'string' } } }),
    obj: { spec: { matchLabels: { app: 'web', n: 1 } } },
    want: ['spec.matchLabels[n]: Invalid value: "integer": spec.matchLabels[n] in body must be of type string: "integer"'],
  },
  {
    name: 'additionalProperties schema, dot keys (kube-openapi)',
    schema: spec({ matchLabels: { type: 'object', additionalProperties: { type: 'string' } } }),
    obj: { spec: { matchLabels: { n: 1 } } },
    opts: { mapKeys: 'dot' },
    want: ['spec.matchLabels.n: Invalid value: "integer": spec.matchLabels.n in body must be of type string: "integer"'],
  },
  {
    name: 'additionalProperties false',
    schema: spec({ a: { type: 'string' } }, { additionalProperties: false }),
    obj: { spec: { a: 'x', b: 1 } },
    want: ['spec: Invalid value: "b": spec.b in body is a forbidden property'],
  },
  { name: 'unknown fields are not validation errors', schema: spec({ a: { type: 'string' } }), obj: { spec: { zzz: 1 } }, want: [] },
  {
    name: 'minProperties / maxProperties',
    schema: spec({ m: { type: 'object', minProperties: 2 }, n: { type: 'object', maxProperties: 1 } }),
    obj: { spec: { m: { a: 1 }, n: { a: 1, b: 2 } } },
    want: ['spec.m: Invalid value: 1: spec.m in body should have at least 2 properties', 'spec.n: Too many: 2: must have at most 1 item'],
  },
  // ---- enum
  {
    name: 'enum strings',
    schema: spec({ mode: { type: 'string', enum: ['Always', 'Never'] } }),
    obj: { spec: { mode: 'Sometimes' } },
    want: ['spec.mode: Unsupported value: "Sometimes": supported values: "Always", "Never"'],
  },
  {
    name: 'enum numbers',
    schema: spec({ n: { type: 'integer', enum: [1, 2] } }),
    obj: { spec: { n: 3 } },
    want: ['spec.n: Unsupported value: 3: supported values: "1", "2"'],
  },
  { name: 'nullable enum accepts null', schema: spec({ m: { type: 'string', nullable: true, enum: ['a'] } }), obj: { spec: { m: null } }, want: [] },
  {
    name: 'prefix path for nested errors',
    schema: { type: 'object', properties: { a: { type: 'integer' } }, required: ['b'] },
    obj: { a: 'x' },
    opts: { fieldPath: 'spec.x.default' },
    want: [
      'spec.x.default.a: Invalid value: "string": a in body must be of type integer: "string"',
      'spec.x.default.b: Required value',
    ],
  },
  { name: 'enum ok', schema: spec({ n: { type: 'integer', enum: [1, 2] } }), obj: { spec: { n: 2 } }, want: [] },
  // ---- numbers
  {
    name: 'minimum / maximum',
    schema: spec({ r: { type: 'integer', minimum: 1, maximum: 5 } }),
    obj: { spec: { r: 0 } },
    want: ['spec.r: Invalid value: 0: spec.r in body should be greater than or equal to 1'],
  },
  {
    name: 'maximum',
    schema: spec({ r: { type: 'integer', minimum: 1, maximum: 5 } }),
    obj: { spec: { r: 6 } },
    want: ['spec.r: Invalid value: 6: spec.r in body should be less than or equal to 5'],
  },
  {
    name: 'exclusive bounds',
    schema: spec({ r: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 1, exclusiveMaximum: true } }),
    obj: { spec: { r: 1 } },
    want: ['spec.r: Invalid value: 1: spec.r in body should be less than 1'],
  },
  {
    name: 'exclusive minimum',
    schema: spec({ r: { type: 'number', minimum: 0.5, exclusiveMinimum: true } }),
    obj: { spec: { r: 0.5 } },
    want: ['spec.r: Invalid value: 0.5: spec.r in body should be greater than 0.5'],
  },
  {
    name: 'multipleOf int',
    schema: spec({ r: { type: 'integer', multipleOf: 3 } }),
    obj: { spec: { r: 7 } },
    want: ['spec.r: Invalid value: 7: spec.r in body should be a multiple of 3'],
  },
  { name: 'multipleOf float ok', schema: spec({ r: { type: 'number', multipleOf: 0.1 } }), obj: { spec: { r: 0.3 } }, want: [] },
  {
    name: 'multipleOf float bad',
    schema: spec({ r: { type: 'number', multipleOf: 0.5 } }),
    obj: { spec: { r: 0.7 } },
    want: ['spec.r: Invalid value: 0.7: spec.r in body should be a multiple of 0.5'],
  },
  // ---- strings
  {
    name: 'maxLength',
    schema: spec({ s: { type: 'string', maxLength: 3 } }),
    obj: { spec: { s: 'abcd' } },
    want: ['spec.s: Too long: may not be more than 3 bytes'],
  },
  { name: 'maxLength counts characters', schema: spec({ s: { type: 'string', maxLength: 2 } }), obj: { spec: { s: 'éé' } }, want: [] },
  {
    name: 'minLength',
    schema: spec({ s: { type: 'string', minLength: 3 } }),
    obj: { spec: { s: 'ab' } },
    want: ['spec.s: Invalid value: "ab": spec.s in body should be at least 3 chars long'],
  },
  {
    name: 'pattern',
    schema: spec({ s: { type: 'string', pattern: '^[a-z]+$' } }),
    obj: { spec: { s: 'ABC' } },
    want: ["spec.s: Invalid value: \"ABC\": spec.s in body should match '^[a-z]+$'"],
  },
  {
    name: 'only the first string failure is reported',
    schema: spec({ s: { type: 'string', maxLength: 2, pattern: '^[a-z]+$' } }),
    obj: { spec: { s: 'ABCD' } },
    want: ['spec.s: Too long: may not be more than 2 bytes'],
  },
  // ---- formats
  {
    name: 'date-time',
    schema: spec({ t: { type: 'string', format: 'date-time' } }),
    obj: { spec: { t: 'yesterday' } },
    want: ['spec.t: Invalid value: "yesterday": spec.t in body must be of type date-time: "yesterday"'],
  },
  { name: 'date-time ok', schema: spec({ t: { type: 'string', format: 'date-time' } }), obj: { spec: { t: '2024-02-29T10:00:00Z' } }, want: [] },
  {
    name: 'uuid',
    schema: spec({ u: { type: 'string', format: 'uuid' } }),
    obj: { spec: { u: 'not-a-uuid' } },
    want: ['spec.u: Invalid value: "not-a-uuid": spec.u in body must be of type uuid: "not-a-uuid"'],
  },
  {
    name: 'byte',
    schema: spec({ b: { type: 'string', format: 'byte' } }),
    obj: { spec: { b: 'not base64!' } },
    want: ['spec.b: Invalid value: "not base64!": spec.b in body must be of type byte: "not base64!"'],
  },
  { name: 'int32 format is stripped', schema: spec({ n: { type: 'integer', format: 'int32' } }), obj: { spec: { n: 2 ** 40 } }, want: [] },
  { name: 'unknown format is stripped', schema: spec({ s: { type: 'string', format: 'my-format' } }), obj: { spec: { s: 'x' } }, want: [] },
  // ---- arrays
  {
    name: 'minItems / maxItems',
    schema: spec({ a: { type: 'array', items: { type: 'string' }, minItems: 2 }, b: { type: 'array', items: { type: 'string' }, maxItems: 1 } }),
    obj: { spec: { a: ['x'], b: ['x', 'y'] } },
    want: ['spec.a: Invalid value: 1: spec.a in body should have at least 2 items', 'spec.b: Too many: 2: must have at most 1 item'],
  },
  {
    name: 'uniqueItems',
    schema: spec({ a: { type: 'array', items: { type: 'object' }, uniqueItems: true } }),
    obj: { spec: { a: [{ x: 1 }, { x: 1 }] } },
    want: ['spec.a: Invalid value: "": spec.a in body shouldn\'t contain duplicates'],
  },
  // ---- composition
  {
    name: 'anyOf failure (field <nil> as in kube)',
    schema: spec({ v: { anyOf: [{ type: 'integer' }, { type: 'boolean' }] } }),
    obj: { spec: { v: 'x' } },
    want: [
      '<nil>: Invalid value: "": "spec.v" must validate at least one schema (anyOf)',
      'spec.v: Invalid value: "string": spec.v in body must be of type integer: "string"',
    ],
  },
  {
    name: 'anyOf under a prefix path',
    schema: { anyOf: [{ type: 'integer' }, { type: 'boolean' }] },
    obj: 'x',
    opts: { fieldPath: 'spec.x.default' },
    want: [
      'spec.x.default: Invalid value: "": "" must validate at least one schema (anyOf)',
      'spec.x.default: Invalid value: "string":  in body must be of type integer: "string"',
    ],
  },
  { name: 'anyOf success', schema: spec({ v: { anyOf: [{ type: 'integer' }, { type: 'boolean' }] } }), obj: { spec: { v: true } }, want: [] },
  {
    name: 'oneOf none',
    schema: spec({ v: { oneOf: [{ required: ['a'] }, { required: ['b'] }] } }),
    obj: { spec: { v: {} } },
    want: ['<nil>: Invalid value: "": "spec.v" must validate one and only one schema (oneOf). Found none valid', 'spec.v.a: Required value'],
  },
  {
    name: 'oneOf two',
    schema: spec({ v: { oneOf: [{ required: ['a'] }, { required: ['b'] }] } }),
    obj: { spec: { v: { a: 1, b: 2 } } },
    want: ['<nil>: Invalid value: "": "spec.v" must validate one and only one schema (oneOf). Found 2 valid alternatives'],
  },
  { name: 'oneOf one', schema: spec({ v: { oneOf: [{ required: ['a'] }, { required: ['b'] }] } }), obj: { spec: { v: { a: 1 } } }, want: [] },
  {
    name: 'allOf',
    schema: spec({ v: { type: 'integer', allOf: [{ minimum: 1 }, { maximum: 3 }] } }),
    obj: { spec: { v: 5 } },
    want: ['spec.v: Invalid value: 5: spec.v in body should be less than or equal to 3', '<nil>: Invalid value: "": "spec.v" must validate all the schemas (allOf)'],
  },
  {
    name: 'allOf none validated',
    schema: spec({ v: { type: 'integer', allOf: [{ minimum: 10 }, { maximum: 3 }] } }),
    obj: { spec: { v: 5 } },
    want: [
      'spec.v: Invalid value: 5: spec.v in body should be greater than or equal to 10',
      'spec.v: Invalid value: 5: spec.v in body should be less than or equal to 3',
      '<nil>: Invalid value: "": "spec.v" must validate all the schemas (allOf). None validated',
    ],
  },
  {
    name: 'not',
    schema: spec({ v: { type: 'string', not: { enum: ['forbidden'] } } }),
    obj: { spec: { v: 'forbidden' } },
    want: ['<nil>: Invalid value: "": "spec.v" must not validate the schema (not)'],
  },
  // ---- list types
  {
    name: 'list-type set duplicates',
    schema: spec({ s: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } } }),
    obj: { spec: { s: ['a', 'b', 'a', 'a', 'b'] } },
    want: ['spec.s[2]: Duplicate value: "a"', 'spec.s[4]: Duplicate value: "b"'],
  },
  {
    name: 'list-type set distinguishes types',
    schema: spec({ s: { type: 'array', 'x-kubernetes-list-type': 'set', items: { 'x-kubernetes-int-or-string': true } } }),
    obj: { spec: { s: [1, '1'] } },
    want: [],
  },
  {
    name: 'list-type map duplicates',
    schema: spec({
      ports: {
        type: 'array',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name', 'protocol'],
        items: { type: 'object', properties: { name: { type: 'string' }, protocol: { type: 'string', default: 'TCP' } } },
      },
    }),
    obj: { spec: { ports: [{ name: 'http' }, { name: 'http', protocol: 'TCP' }, { name: 'http', protocol: 'UDP' }] } },
    want: ['spec.ports[1]: Duplicate value: {"name":"http","protocol":"TCP"}'],
  },
  {
    name: 'list-type map items must be objects',
    schema: spec({ ports: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { 'x-kubernetes-preserve-unknown-fields': true } } }),
    obj: { spec: { ports: [{ name: 'a' }, 'x'] } },
    want: ['spec.ports[1]: Invalid value: "x": must be an object for an array of list-type map'],
  },
  {
    name: 'list types under maps use bracket keys',
    schema: spec({ m: { type: 'object', additionalProperties: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } } } }),
    obj: { spec: { m: { k: ['a', 'a'] } } },
    want: ['spec.m[k][1]: Duplicate value: "a"'],
  },
  // ---- embedded resources
  {
    name: 'embedded resource requires apiVersion and kind',
    schema: spec({ tpl: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true } }),
    obj: { spec: { tpl: { metadata: {} } } },
    want: ['spec.tpl.apiVersion: Required value: must not be empty', 'spec.tpl.kind: Required value: must not be empty'],
  },
  {
    name: 'embedded resource values',
    schema: spec({ tpl: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true } }),
    obj: { spec: { tpl: { apiVersion: 'a/b/c', kind: 'Bad_Kind', metadata: { name: 'a/b', namespace: 'NS' } } } },
    want: [
      'spec.tpl.apiVersion: Invalid value: "a/b/c": unexpected GroupVersion string: a/b/c',
      `spec.tpl.kind: Invalid value: "Bad_Kind": may have mixed case, but should otherwise match: ${DNS1035_MSG}`,
      'spec.tpl.metadata.name: Invalid value: "a/b": may not contain \'/\'',
      "spec.tpl.metadata.namespace: Invalid value: \"NS\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ],
  },
  {
    name: 'embedded resource ok without metadata',
    schema: spec({ tpl: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true } }),
    obj: { spec: { tpl: { apiVersion: 'v1', kind: 'Pod' } } },
    want: [],
  },
  {
    name: 'embedded resources inside arrays',
    schema: spec({ objs: { type: 'array', items: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true } } }),
    obj: { spec: { objs: [{ apiVersion: 'v1', kind: 'Pod' }, { kind: 'Pod' }] } },
    want: ['spec.objs[1].apiVersion: Required value: must not be empty'],
  },
];

test('validateAgainstSchema table', () => {
  for (const c of cases) assert.deepEqual(run(c.obj, c.schema, c.opts), c.want, c.name);
});

test('causes carry kube reasons and bare messages', () => {
  const causes = validateAgainstSchema(
    { spec: { replicas: 'x', mode: 'c', name: 'toolong', list: ['a', 'a'] } },
    spec({
      replicas: { type: 'integer' },
      mode: { type: 'string', enum: ['a'] },
      name: { type: 'string', maxLength: 3 },
      list: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
      req: { type: 'string' },
    }, { required: ['req'] }),
  );
  assert.deepEqual(
    causes.map((c) => [c.reason, c.field]),
    [
      ['FieldValueTypeInvalid', 'spec.replicas'],
      ['FieldValueNotSupported', 'spec.mode'],
      ['FieldValueTooLong', 'spec.name'],
      ['FieldValueRequired', 'spec.req'],
      ['FieldValueDuplicate', 'spec.list[1]'],
    ],
  );
  assert.equal(causes[0].message, 'Invalid value: "string": spec.replicas in body must be of type integer: "string"');
});

test('options switch off structural checks', () => {
  const schema = spec({
    s: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
    t: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
  });
  const obj = { spec: { s: ['a', 'a'], t: {} } };
  assert.equal(run(obj, schema).length, 3);
  assert.deepEqual(run(obj, schema, { listTypes: false, embeddedResources: false }), []);
  assert.deepEqual(validateAgainstSchema(obj, undefined), []);
});

test('formats', () => {
  const ok: [string, string][] = [
    ['date-time', '2024-01-02T03:04:05Z'],
    ['date-time', '2024-01-02T03:04:05.123+02:00'],
    ['datetime', '2024-01-02t03:04:05z'],
    ['date', '2024-02-29'],
    ['uuid', '123e4567-e89b-12d3-a456-426614174000'],
    ['uuid4', '123e4567-e89b-42d3-a456-426614174000'],
    ['byte', 'aGVsbG8='],
    ['ipv4', '10.0.0.1'],
    ['ipv6', '::1'],
    ['cidr', '10.0.0.0/8'],
    ['cidr', 'fd00::/64'],
    ['mac', '01:23:45:67:89:ab'],
    ['hostname', 'example.com'],
    ['email', 'a@b.c'],
    ['uri', 'https://example.com/x'],
    ['duration', '1h30m'],
    ['duration', '3 days'],
    ['hexcolor', '#fff'],
    ['rgbcolor', 'rgb(1, 2, 255)'],
    ['ssn', '123-45-6789'],
    ['isbn10', '0321751043'],
    ['isbn13', '978-0321751041'],
    ['creditcard', '4111 1111 1111 1111'],
    ['bsonobjectid', '507f1f77bcf86cd799439011'],
    ['password', 'anything'],
    ['k8s-short-name', 'my-name'],
  ];
  for (const [f, v] of ok) assert.equal(checkFormat(f, v), true, `${f} ${v}`);
  const bad: [string, string][] = [
    ['date-time', '2024-01-02 03:04:05Z'],
    ['date-time', '2024-01-02T25:04:05Z'],
    ['date-time', '2024-01-02T03:04:05'],
    ['date', '2023-02-29'],
    ['date', '2024-13-01'],
    ['uuid', 'xyz'],
    ['uuid4', '123e4567-e89b-12d3-a456-426614174000'],
    ['byte', 'abc'],
    ['ipv4', '1.2.3'],
    ['ipv4', '01.2.3.4'],
    ['ipv6', '1.2.3.4'],
    ['cidr', '10.0.0.0/33'],
    ['cidr', '10.0.0.0'],
    ['mac', '01:23:45'],
    ['hostname', '-bad-.com'],
    ['email', 'nope'],
    ['uri', 'relative/path'],
    ['duration', 'forever'],
    ['hexcolor', '#ffff'],
    ['ssn', '123456789'],
    ['isbn10', '0321751044'],
    ['creditcard', '4111 1111 1111 1112'],
    ['k8s-long-name', 'UPPER'],
  ];
  for (const [f, v] of bad) assert.equal(checkFormat(f, v), false, `${f} ${v}`);
  assert.equal(supportedFormat('int32'), '');
  assert.equal(supportedFormat('double'), '');
  assert.equal(supportedFormat('date-time'), 'date-time');
});

test('Go regular expressions', () => {
  const re = compilePattern('(?i)^abc\\z');
  assert.ok(!(re instanceof Error));
  assert.ok((re as RegExp).test('ABC'));
  const posix = compilePattern('^[[:alpha:]]+$') as RegExp;
  assert.ok(posix.test('abcXYZ') && !posix.test('ab1'));
  assert.ok(compilePattern('([') instanceof Error);
  const r = run({ spec: { s: 'x' } }, spec({ s: { type: 'string', pattern: '([' } }));
  assert.equal(r.length, 1);
  assert.match(r[0], /^spec\.s: Invalid value: "x": spec\.s in body should match '\(\[, but pattern is invalid: /);
});
