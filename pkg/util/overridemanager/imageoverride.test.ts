import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageOverrider } from '../../apis/policy/v1alpha1/index.js';
import type { KubeObject } from '../../runtime/types.js';
import { buildImagePatches, overrideImage } from './imageoverride.js';

const SHA = 'sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c';
const IMAGE = 'fictional.registry.example/imagename:v1.0.0';

function podTemplate(containers: object[], initContainers?: object[]) {
  return { metadata: { labels: { app: 'nginx' } }, spec: { containers, ...(initContainers ? { initContainers } : {}) } };
}

function workload(kind: string, apiVersion = 'apps/v1', containers: object[] = [{ name: 'nginx', image: IMAGE }]): KubeObject {
  if (kind === 'Pod') return { apiVersion: 'v1', kind, metadata: { name: 'nginx' }, spec: { containers } };
  if (kind === 'CronJob') return { apiVersion: 'batch/v1', kind, metadata: { name: 'c' }, spec: { jobTemplate: { spec: { template: podTemplate(containers) } } } };
  return { apiVersion, kind, metadata: { name: 'nginx' }, spec: { replicas: 1, template: podTemplate(containers) } };
}

const deployment = () => workload('Deployment');
const job = () => workload('Job', 'batch/v1', [{ name: 'perl', image: 'perl:5.34.0' }]);
const twoContainers = () =>
  workload('Deployment', 'apps/v1', [
    { name: 'nginx', image: IMAGE },
    { name: 'nginx', image: 'registry.k8s.io/nginx-slim:0.8' },
  ]);
const TEMPLATE_IMAGE_0 = '/spec/template/spec/containers/0/image';

function replace(path: string, value: string) {
  return { op: 'replace', path, value };
}

describe('imageOverrider patches (upstream TestParseJSONPatchesByImageOverrider)', () => {
  const cases: { name: string; obj: () => KubeObject; overrider: ImageOverrider; want: object[] }[] = [
    {
      name: 'empty predicate, Job, Registry add',
      obj: job,
      overrider: { component: 'Registry', operator: 'add', value: 'registry.k8s.io' },
      want: [replace(TEMPLATE_IMAGE_0, 'registry.k8s.io/perl:5.34.0')],
    },
    {
      name: 'predicate, Job, Registry add',
      obj: job,
      overrider: { predicate: { path: TEMPLATE_IMAGE_0 }, component: 'Registry', operator: 'add', value: 'registry.k8s.io' },
      want: [replace(TEMPLATE_IMAGE_0, 'registry.k8s.io/perl:5.34.0')],
    },
    {
      name: 'empty predicate, Deployment, Registry add appends to the registry',
      obj: deployment,
      overrider: { component: 'Registry', operator: 'add', value: '.test' },
      want: [replace(TEMPLATE_IMAGE_0, 'fictional.registry.example.test/imagename:v1.0.0')],
    },
    {
      name: 'empty predicate, Deployment, Registry replace',
      obj: deployment,
      overrider: { component: 'Registry', operator: 'replace', value: 'fictional.registry.us' },
      want: [replace(TEMPLATE_IMAGE_0, 'fictional.registry.us/imagename:v1.0.0')],
    },
    {
      name: 'empty predicate, Deployment, Registry remove',
      obj: deployment,
      overrider: { component: 'Registry', operator: 'remove', value: 'fictional.registry.us' },
      want: [replace(TEMPLATE_IMAGE_0, 'imagename:v1.0.0')],
    },
    {
      name: 'empty predicate, Deployment, Repository add',
      obj: deployment,
      overrider: { component: 'Repository', operator: 'add', value: '/nginx' },
      want: [replace(TEMPLATE_IMAGE_0, 'fictional.registry.example/imagename/nginx:v1.0.0')],
    },
    {
      name: 'empty predicate, Deployment, Repository replace',
      obj: deployment,
      overrider: { component: 'Repository', operator: 'replace', value: 'nginx' },
      want: [replace(TEMPLATE_IMAGE_0, 'fictional.registry.example/nginx:v1.0.0')],
    },
    {
      name: 'empty predicate, Deployment, Repository remove',
      obj: deployment,
      overrider: { component: 'Repository', operator: 'remove', value: 'nginx' },
      want: [replace(TEMPLATE_IMAGE_0, 'fictional.registry.example/:v1.0.0')],
    },
    {
      name: 'empty predicate, Deployment, Tag add (tag+digest is neither, so unchanged)',
      obj: deployment,
      overrider: { component: 'Tag', operator: 'add', value: SHA },
      want: [replace(TEMPLATE_IMAGE_0, IMAGE)],
    },
    {
      name: 'empty predicate, Deployment, Tag replace with a digest',
      obj: deployment,
      overrider: { component: 'Tag', operator: 'replace', value: SHA },
      want: [replace(TEMPLATE_IMAGE_0, `fictional.registry.example/imagename@${SHA}`)],
    },
    {
      name: 'empty predicate, Deployment, Tag remove',
      obj: deployment,
      overrider: { component: 'Tag', operator: 'remove', value: SHA },
      want: [replace(TEMPLATE_IMAGE_0, 'fictional.registry.example/imagename')],
    },
    {
      name: 'empty predicate, Pod',
      obj: () => workload('Pod'),
      overrider: { component: 'Repository', operator: 'replace', value: 'nginx' },
      want: [replace('/spec/containers/0/image', 'fictional.registry.example/nginx:v1.0.0')],
    },
    ...['StatefulSet', 'ReplicaSet', 'DaemonSet'].map((kind) => ({
      name: `empty predicate, ${kind}`,
      obj: () => workload(kind),
      overrider: { component: 'Repository', operator: 'replace', value: 'nginx' } as ImageOverrider,
      want: [replace(TEMPLATE_IMAGE_0, 'fictional.registry.example/nginx:v1.0.0')],
    })),
    {
      name: 'empty predicate, more than one container',
      obj: twoContainers,
      overrider: { component: 'Repository', operator: 'replace', value: 'nginx' },
      want: [replace(TEMPLATE_IMAGE_0, 'fictional.registry.example/nginx:v1.0.0'), replace('/spec/template/spec/containers/1/image', 'registry.k8s.io/nginx:0.8')],
    },
    {
      name: 'predicate, one container',
      obj: deployment,
      overrider: { predicate: { path: TEMPLATE_IMAGE_0 }, component: 'Repository', operator: 'replace', value: 'nginx' },
      want: [replace(TEMPLATE_IMAGE_0, 'fictional.registry.example/nginx:v1.0.0')],
    },
    {
      name: 'predicate, more than one container: only that one',
      obj: twoContainers,
      overrider: { predicate: { path: '/spec/template/spec/containers/1/image' }, component: 'Repository', operator: 'replace', value: 'nginx' },
      want: [replace('/spec/template/spec/containers/1/image', 'registry.k8s.io/nginx:0.8')],
    },
    {
      name: 'empty predicate, CronJob',
      obj: () => workload('CronJob'),
      overrider: { component: 'Registry', operator: 'replace', value: 'mirror.io' },
      want: [replace('/spec/jobTemplate/spec/template/spec/containers/0/image', 'mirror.io/imagename:v1.0.0')],
    },
    {
      name: 'empty predicate, init containers too',
      obj: () => ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p' },
        spec: { containers: [{ name: 'a', image: 'nginx' }], initContainers: [{ name: 'b', image: 'busybox:1.36' }] },
      }),
      overrider: { component: 'Registry', operator: 'add', value: 'docker.io' },
      want: [replace('/spec/containers/0/image', 'docker.io/nginx'), replace('/spec/initContainers/0/image', 'docker.io/busybox:1.36')],
    },
    {
      name: 'empty predicate, a kind without a pod spec',
      obj: () => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { image: IMAGE } }),
      overrider: { component: 'Registry', operator: 'replace', value: 'x.io' },
      want: [],
    },
  ];
  for (const c of cases) {
    test(c.name, () => assert.deepEqual(buildImagePatches(c.obj(), c.overrider), c.want));
  }
});

describe('imageOverrider errors', () => {
  test('predicate path that does not exist', () => {
    assert.throws(
      () => buildImagePatches(deployment(), { predicate: { path: '/spec/template/spec/containers/0/img' }, component: 'Tag', operator: 'replace', value: 'v2' }),
      /failed to obtain imageValue with predicate path\(\/spec\/template\/spec\/containers\/0\/img\).*failed to convert path\(img\) to string/,
    );
  });

  test('predicate path through a missing field', () => {
    assert.throws(
      () => buildImagePatches(deployment(), { predicate: { path: '/spec/nothing/containers/0/image' }, component: 'Tag', operator: 'replace', value: 'v2' }),
      /path\(nothing\) of rawObj's type is not/,
    );
  });

  test('predicate path without a leading slash', () => {
    assert.throws(
      () => buildImagePatches(deployment(), { predicate: { path: 'spec/template/spec/containers/0/image' }, component: 'Tag', operator: 'replace', value: 'v2' }),
      /imagePath should be start with \/ character/,
    );
  });

  test('an image that does not parse', () => {
    assert.throws(() => overrideImage('Bad:Image', { component: 'Tag', operator: 'replace', value: 'v2' }), /failed to parse image value\(Bad:Image\)/);
  });
});
