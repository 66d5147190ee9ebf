import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  JsonPathError,
  evaluateJsonPath,
  findJsonPathResults,
  getFieldByPath,
  hasFieldByPath,
  isValidJsonPath,
  printJsonPath,
  removeFieldByPath,
  setFieldByPath,
  splitSimplePath,
} from './index.js';

const obj = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'web',
    labels: { app: 'web', 'app.kubernetes.io/name': 'web-app' },
    annotations: { 'example.com/a.b': 'dotted' },
  },
  spec: { replicas: 3, paused: false, selector: null, template: { spec: { containers: [{ name: 'a', image: 'nginx' }, { name: 'b', image: 'redis' }] } } },
  status: {
    replicas: 2,
    conditions: [
      { type: 'Available', status: 'True', count: 1 },
      { type: 'Ready', status: 'False', count: 5 },
      { type: 'Progressing', status: 'True', count: 10 },
    ],
  },
};

type Case = { path: string; want: unknown[] };

const cases: Case[] = [
  { path: '.spec.replicas', want: [3] },
  { path: '{.spec.replicas}', want: [3] },
  { path: '$.spec.replicas', want: [3] },
  { path: '{$.spec.replicas}', want: [3] },
  { path: 'spec.replicas', want: [3] },
  { path: '.spec.paused', want: [false] },
  { path: '.spec.selector', want: [null] },
  { path: '.spec.missing', want: [] },
  { path: '.spec.replicas.deeper', want: [] },
  { path: '.metadata.labels.app', want: ['web'] },
  { path: '.metadata.labels.app\\.kubernetes\\.io/name', want: ['web-app'] },
  { path: ".metadata.labels['app.kubernetes.io/name']", want: ['web-app'] },
  { path: '.metadata.labels["app.kubernetes.io/name"]', want: ['web-app'] },
  { path: ".metadata.annotations['example.com/a.b']", want: ['dotted'] },
  { path: '.status.conditions[0].type', want: ['Available'] },
  { path: '.status.conditions[-1].type', want: ['Progressing'] },
  { path: '.status.conditions[5].type', want: [] },
  { path: '.status.conditions[*].type', want: ['Available', 'Ready', 'Progressing'] },
  { path: '.status.conditions[0:2].type', want: ['Available', 'Ready'] },
  { path: '.status.conditions[::2].type', want: ['Available', 'Progressing'] },
  { path: '.status.conditions[0,2].type', want: ['Available', 'Progressing'] },
  { path: '.status.conditions[?(@.type=="Ready")].status', want: ['False'] },
  { path: ".status.conditions[?(@.type == 'Ready')].status", want: ['False'] },
  { path: '.status.conditions[?(@.status!="True")].type', want: ['Ready'] },
  { path: '.status.conditions[?(@.count>1)].type', want: ['Ready', 'Progressing'] },
  { path: '.status.conditions[?(@.count<=5)].type', want: ['Available', 'Ready'] },
  { path: '.status.conditions[?(@.missing)].type', want: [] },
  { path: '.status.conditions[?(@.count)].type', want: ['Available', 'Ready', 'Progressing'] },
  { path: '.spec.template.spec.containers[*].image', want: ['nginx', 'redis'] },
  { path: '..image', want: ['nginx', 'redis'] },
  { path: '.metadata.labels.*', want: ['web', 'web-app'] },
  { path: '.metadata.labels[*]', want: ['web', 'web-app'] },
  { path: "['spec']['replicas']", want: [3] },
  { path: '.metadata', want: [obj.metadata] },
];

test('evaluateJsonPath table', () => {
  for (const c of cases) assert.deepEqual(evaluateJsonPath(obj, c.path), c.want, c.path);
});

test('templates and printing', () => {
  assert.deepEqual(findJsonPathResults(obj, '{.metadata.name} {.status.conditions[*].type}'), [['web'], ['Available', 'Ready', 'Progressing']]);
  assert.equal(printJsonPath(obj, 'name={.metadata.name} types={.status.conditions[*].type}'), 'name=web types=Available Ready Progressing');
  assert.equal(printJsonPath(obj, '{.spec.template.spec.containers[0]}'), '{"name":"a","image":"nginx"}');
});

test('syntax errors', () => {
  for (const bad of ['.a[', '.a[?(@.x=="y"]', '.a[x]', '{.a', '.a[1:2:0]', ".a['x"]) {
    assert.throws(() => evaluateJsonPath(obj, bad), JsonPathError, bad);
    assert.equal(isValidJsonPath(bad), false, bad);
  }
  assert.equal(isValidJsonPath('.status.conditions[?(@.type=="Ready")].status'), true);
});

test('simple dotted paths', () => {
  assert.deepEqual(splitSimplePath('.spec.replicas'), ['spec', 'replicas']);
  assert.deepEqual(splitSimplePath('spec.replicas'), ['spec', 'replicas']);
  assert.deepEqual(splitSimplePath('.metadata.labels.a\\.b'), ['metadata', 'labels', 'a.b']);
  assert.deepEqual(splitSimplePath('.'), []);
  assert.equal(getFieldByPath(obj, '.spec.replicas'), 3);
  assert.equal(getFieldByPath(obj, '.status.replicas'), 2);
  assert.equal(getFieldByPath(obj, '.spec.nope.deeper'), undefined);
  assert.equal(getFieldByPath(obj, '.spec.replicas.deeper'), undefined);
  assert.equal(hasFieldByPath(obj, '.spec.selector'), true);
  assert.equal(hasFieldByPath(obj, '.spec.nope'), false);

  const o: Record<string, any> = { spec: { replicas: 1 } };
  setFieldByPath(o, '.spec.replicas', 5);
  setFieldByPath(o, '.status.scale.replicas', 2);
  assert.deepEqual(o, { spec: { replicas: 5 }, status: { scale: { replicas: 2 } } });
  assert.throws(() => setFieldByPath(o, '.spec.replicas.x', 1), /is not a map/);
  assert.throws(() => setFieldByPath(o, '.', 1), JsonPathError);
  assert.equal(removeFieldByPath(o, '.status.scale.replicas'), true);
  assert.equal(removeFieldByPath(o, '.status.scale.replicas'), false);
  assert.deepEqual(o, { spec: { replicas: 5 }, status: { scale: {} } });
});
