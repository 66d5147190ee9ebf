import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseImage, splitHostname } from './imageparser.js';

const DIGEST = 'sha256:50d858e0985ecc7f60418aaf0cc5ab587f42c2570a884095a9e8ccacd0f6545c';

describe('imageparser.Parse (upstream TestParse)', () => {
  const cases: { name: string; image: string; hostname: string; repository: string; tag: string; digest: string }[] = [
    { name: 'simple', image: 'pause', hostname: '', repository: 'pause', tag: '', digest: '' },
    { name: 'repository', image: 'subpath/imagename:v1.0.0', hostname: '', repository: 'subpath/imagename', tag: 'v1.0.0', digest: '' },
    { name: 'normal', image: 'fictional.registry.example/imagename:v1.0.0', hostname: 'fictional.registry.example', repository: 'imagename', tag: 'v1.0.0', digest: '' },
    {
      name: 'hostname with port',
      image: 'fictional.registry.example:10443/subpath/imagename:v1.0.0',
      hostname: 'fictional.registry.example:10443',
      repository: 'subpath/imagename',
      tag: 'v1.0.0',
      digest: '',
    },
    {
      name: 'digest',
      image: `fictional.registry.example:10443/subpath/imagename@${DIGEST}`,
      hostname: 'fictional.registry.example:10443',
      repository: 'subpath/imagename',
      tag: '',
      digest: DIGEST,
    },
    { name: 'localhost registry', image: 'localhost/app:1', hostname: 'localhost', repository: 'app', tag: '1', digest: '' },
    { name: 'IP registry', image: '10.10.10.10:10443/subpath/imagename', hostname: '10.10.10.10:10443', repository: 'subpath/imagename', tag: '', digest: '' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const comp = parseImage(c.image);
      assert.equal(comp.toString(), c.image, 'full name unchanged');
      assert.equal(comp.hostname, c.hostname);
      assert.equal(comp.repository, c.repository);
      assert.equal(comp.tag, c.tag);
      assert.equal(comp.digest, c.digest);
    });
  }

  test('a tag and a digest together keep only the tag, as upstream', () => {
    const comp = parseImage(`nginx:1.25@${DIGEST}`);
    assert.equal(comp.tag, '1.25');
    assert.equal(comp.digest, '');
    assert.equal(comp.toString(), 'nginx:1.25');
  });

  const invalid: [string, RegExp][] = [
    ['', /at least one component/],
    ['Nginx:1.0', /must be lowercase/],
    ['nginx:', /invalid reference format/],
    ['nginx@sha256:abc', /invalid reference format/],
    [`nginx@sha256:${'a'.repeat(63)}`, /invalid checksum digest length/],
    [`nginx@md5:${'a'.repeat(32)}`, /unsupported digest algorithm/],
    [`${'a'.repeat(256)}:v1`, /not be more than 255 characters/],
  ];
  for (const [image, message] of invalid) {
    test(`rejects ${JSON.stringify(image.slice(0, 40))}`, () => {
      assert.throws(() => parseImage(image), message);
    });
  }
});

describe('imageparser.SplitHostname (upstream TestSplitHostname)', () => {
  const cases: [string, string, string][] = [
    ['', '', ''],
    ['imagename', '', 'imagename'],
    ['subpath/imagename', '', 'subpath/imagename'],
    ['fictional.registry.example/subpath/imagename', 'fictional.registry.example', 'subpath/imagename'],
    ['fictional.registry.example:10443/subpath/imagename', 'fictional.registry.example:10443', 'subpath/imagename'],
    ['10.10.10.10:10443/subpath/imagename', '10.10.10.10:10443', 'subpath/imagename'],
  ];
  for (const [input, hostname, repository] of cases) {
    test(JSON.stringify(input), () => assert.deepEqual(splitHostname(input), [hostname, repository]));
  }
});

describe('imageparser.Components setters (upstream examples)', () => {
  test('SetHostname', () => {
    const comp = parseImage('imagename:v1.0.0');
    comp.hostname = 'fictional.registry.example';
    assert.equal(comp.toString(), 'fictional.registry.example/imagename:v1.0.0');
    comp.hostname = 'gcr.io';
    assert.equal(comp.toString(), 'gcr.io/imagename:v1.0.0');
    comp.hostname = '';
    assert.equal(comp.toString(), 'imagename:v1.0.0');
  });

  test('SetRepository', () => {
    const comp = parseImage('gcr.io/kube-apiserver:v1.19.0');
    comp.repository = 'kube-controller-manager';
    assert.equal(comp.toString(), 'gcr.io/kube-controller-manager:v1.19.0');
  });

  test('SetTagOrDigest / RemoveTagOrDigest', () => {
    const comp = parseImage('gcr.io/kube-apiserver');
    comp.setTagOrDigest('v1.19.0');
    assert.equal(comp.toString(), 'gcr.io/kube-apiserver:v1.19.0');
    comp.removeTagOrDigest();
    assert.equal(comp.toString(), 'gcr.io/kube-apiserver');
    comp.setTagOrDigest(DIGEST);
    assert.equal(comp.toString(), `gcr.io/kube-apiserver@${DIGEST}`);
    comp.removeTagOrDigest();
    assert.equal(comp.toString(), 'gcr.io/kube-apiserver');
  });

  test('SetTagOrDigest ignores input that is neither a tag nor a digest', () => {
    const comp = parseImage('gcr.io/kube-apiserver:v1');
    comp.setTagOrDigest('not a tag');
    assert.equal(comp.toString(), 'gcr.io/kube-apiserver:v1');
  });
});
