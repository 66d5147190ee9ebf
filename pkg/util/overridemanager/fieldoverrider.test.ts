import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../runtime/types.js';
import { applyFieldOverrider } from './fieldoverrider.js';

function configMap(data: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, data };
}

const DB_JSON = '{"db":{"host":"localhost","port":5432},"features":["a","b"]}';
const DB_YAML = 'db:\n  host: localhost\n  port: 5432\nfeatures:\n  - a\n  - b\nlevel: info\n';

describe('fieldOverrider on a ConfigMap key holding JSON', () => {
  const cases: { name: string; ops: { subPath: string; operator: 'add' | 'remove' | 'replace'; value?: unknown }[]; want: string }[] = [
    {
      name: 'replace a nested value (compact, key order kept)',
      ops: [{ subPath: '/db/host', operator: 'replace', value: 'db.member1.svc' }],
      want: '{"db":{"host":"db.member1.svc","port":5432},"features":["a","b"]}',
    },
    {
      name: 'add an object member and a list item',
      ops: [
        { subPath: '/db/tls', operator: 'add', value: { enabled: true } },
        { subPath: '/features/-', operator: 'add', value: 'c' },
      ],
      want: '{"db":{"host":"localhost","port":5432,"tls":{"enabled":true}},"features":["a","b","c"]}',
    },
    { name: 'remove', ops: [{ subPath: '/features', operator: 'remove' }], want: '{"db":{"host":"localhost","port":5432}}' },
    {
      name: 'HTML characters escaped as Go writes them',
      ops: [{ subPath: '/db/host', operator: 'replace', value: '<a&b>' }],
      want: '{"db":{"host":"\\u003ca\\u0026b\\u003e","port":5432},"features":["a","b"]}',
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const got = applyFieldOverrider(configMap({ 'config.json': DB_JSON, other: 'x' }), { fieldPath: '/data/config.json', json: c.ops });
      assert.equal((got.data as Record<string, string>)['config.json'], c.want);
      assert.equal((got.data as Record<string, string>).other, 'x');
    });
  }
});

describe('fieldOverrider on a ConfigMap key holding YAML', () => {
  test('replace and add, written back as YAML with sorted keys', () => {
    const got = applyFieldOverrider(configMap({ 'app.yaml': DB_YAML }), {
      fieldPath: '/data/app.yaml',
      yaml: [
        { subPath: '/db/host', operator: 'replace', value: 'db.member1.svc' },
        { subPath: '/features/-', operator: 'add', value: 'c' },
        { subPath: '/aaa', operator: 'add', value: 'first' },
      ],
    });
    assert.equal((got.data as Record<string, string>)['app.yaml'], 'aaa: first\ndb:\n  host: db.member1.svc\n  port: 5432\nfeatures:\n- a\n- b\n- c\nlevel: info\n');
  });

  test('remove a key', () => {
    const got = applyFieldOverrider(configMap({ 'app.yaml': DB_YAML }), { fieldPath: '/data/app.yaml', yaml: [{ subPath: '/level', operator: 'remove' }] });
    assert.equal((got.data as Record<string, string>)['app.yaml'], 'db:\n  host: localhost\n  port: 5432\nfeatures:\n- a\n- b\n');
  });

  test('YAML 1.1 scalars as go-yaml reads them; strings that look like other types stay quoted', () => {
    const got = applyFieldOverrider(configMap({ 'app.yaml': 'enabled: yes\nstarted: 2024-01-02\nduration: 1:20\n' }), {
      fieldPath: '/data/app.yaml',
      yaml: [{ subPath: '/version', operator: 'add', value: '1.0' }],
    });
    assert.equal((got.data as Record<string, string>)['app.yaml'], 'duration: "1:20"\nenabled: true\nstarted: "2024-01-02"\nversion: "1.0"\n');
  });

  test('a key with a slash in the fieldPath is escaped with ~1', () => {
    const obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { 'a/b.yaml': 'x: 1\n' } };
    const got = applyFieldOverrider(obj, { fieldPath: '/data/a~1b.yaml', yaml: [{ subPath: '/x', operator: 'replace', value: 2 }] });
    assert.equal((got.data as Record<string, string>)['a/b.yaml'], 'x: 2\n');
  });
});

describe('fieldOverrider errors name the fieldPath', () => {
  const cases: { name: string; fieldPath: string; json?: object[]; yaml?: object[]; message: RegExp }[] = [
    { name: 'missing key', fieldPath: '/data/missing.json', json: [{ subPath: '/a', operator: 'add', value: 1 }], message: /fieldPath "\/data\/missing.json": object has no key "missing.json"/ },
    { name: 'not a pointer', fieldPath: 'data/config.json', json: [{ subPath: '/a', operator: 'add', value: 1 }], message: /fieldPath "data\/config.json": JSON pointer .* must be empty or start with a "\/"/ },
    { name: 'not a string', fieldPath: '/metadata', json: [{ subPath: '/a', operator: 'add', value: 1 }], message: /fieldPath "\/metadata": the value is not a string/ },
    { name: 'bad subPath', fieldPath: '/data/config.json', json: [{ subPath: '/nope/deeper', operator: 'replace', value: 1 }], message: /fieldPath "\/data\/config.json": .*\/nope\/deeper/ },
    { name: 'JSON operations on YAML text', fieldPath: '/data/app.yaml', json: [{ subPath: '/a', operator: 'add', value: 1 }], message: /fieldPath "\/data\/app.yaml": the field does not hold valid JSON/ },
    { name: 'invalid YAML', fieldPath: '/data/bad.yaml', yaml: [{ subPath: '/a', operator: 'add', value: 1 }], message: /fieldPath "\/data\/bad.yaml": error converting YAML to JSON/ },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const obj = configMap({ 'config.json': DB_JSON, 'app.yaml': DB_YAML, 'bad.yaml': 'a: [\n' });
      assert.throws(() => applyFieldOverrider(obj, { fieldPath: c.fieldPath, json: c.json as never, yaml: c.yaml as never }), c.message);
    });
  }

  test('the input object is not mutated', () => {
    const obj = configMap({ 'config.json': DB_JSON });
    const before = structuredClone(obj);
    applyFieldOverrider(obj, { fieldPath: '/data/config.json', json: [{ subPath: '/db/host', operator: 'replace', value: 'x' }] });
    assert.deepEqual(obj, before);
  });
});
