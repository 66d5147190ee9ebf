import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LabelAnnotationOverrider } from '../../apis/policy/v1alpha1/index.js';
import type { KubeObject } from '../../runtime/types.js';
import { buildLabelAnnotationPatches, type MetadataMap } from './labelannotationoverrider.js';
import { applyOverrideOptions } from './patch.js';

function deployment(labels?: Record<string, string>, annotations?: Record<string, string>): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx', namespace: 'default', ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) } };
}

function apply(obj: KubeObject, overrider: LabelAnnotationOverrider, field: MetadataMap): KubeObject {
  return applyOverrideOptions(obj, buildLabelAnnotationPatches(obj, overrider, field));
}

describe('labelsOverrider / annotationsOverrider', () => {
  const cases: { name: string; field: MetadataMap; obj: KubeObject; overrider: LabelAnnotationOverrider; want: Record<string, string> | undefined }[] = [
    { name: 'labels add sets a new key', field: 'labels', obj: deployment({ a: '1' }), overrider: { operator: 'add', value: { b: '2' } }, want: { a: '1', b: '2' } },
    { name: 'labels add overwrites an existing key', field: 'labels', obj: deployment({ a: '1' }), overrider: { operator: 'add', value: { a: 'x' } }, want: { a: 'x' } },
    { name: 'labels add creates the map', field: 'labels', obj: deployment(), overrider: { operator: 'add', value: { a: '1', b: '2' } }, want: { a: '1', b: '2' } },
    { name: 'labels add with an empty value changes nothing', field: 'labels', obj: deployment(), overrider: { operator: 'add', value: {} }, want: undefined },
    { name: 'labels remove deletes existing keys, ignores missing ones', field: 'labels', obj: deployment({ a: '1', b: '2' }), overrider: { operator: 'remove', value: { a: '', zz: '' } }, want: { b: '2' } },
    { name: 'labels remove without a map', field: 'labels', obj: deployment(), overrider: { operator: 'remove', value: { a: '' } }, want: undefined },
    { name: 'labels replace changes only existing keys', field: 'labels', obj: deployment({ a: '1' }), overrider: { operator: 'replace', value: { a: '2', b: '3' } }, want: { a: '2' } },
    {
      name: 'annotations add with a key holding a slash',
      field: 'annotations',
      obj: deployment(undefined, { x: 'y' }),
      overrider: { operator: 'add', value: { 'app.kubernetes.io/name': 'web', 'a~b': 'c' } },
      want: { x: 'y', 'app.kubernetes.io/name': 'web', 'a~b': 'c' },
    },
    {
      name: 'annotations remove a key holding a slash',
      field: 'annotations',
      obj: deployment(undefined, { 'app.kubernetes.io/name': 'web', x: 'y' }),
      overrider: { operator: 'remove', value: { 'app.kubernetes.io/name': '' } },
      want: { x: 'y' },
    },
    { name: 'annotations replace', field: 'annotations', obj: deployment({ l: '1' }, { x: 'y' }), overrider: { operator: 'replace', value: { x: 'z' } }, want: { x: 'z' } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const got = apply(c.obj, c.overrider, c.field);
      assert.deepEqual(got.metadata?.[c.field], c.want);
    });
  }

  test('labels overrider leaves annotations alone and the reverse', () => {
    const got = apply(deployment({ a: '1' }, { a: '1' }), { operator: 'add', value: { b: '2' } }, 'annotations');
    assert.deepEqual(got.metadata?.labels, { a: '1' });
    assert.deepEqual(got.metadata?.annotations, { a: '1', b: '2' });
  });

  test('add on an object without metadata creates it', () => {
    const got = apply({ apiVersion: 'v1', kind: 'ConfigMap' }, { operator: 'add', value: { a: '1' } }, 'labels');
    assert.deepEqual(got.metadata, { labels: { a: '1' } });
  });
});
