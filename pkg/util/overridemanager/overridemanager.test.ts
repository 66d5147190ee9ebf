import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import type { ClusterAffinity, ClusterOverridePolicy, OverridePolicy, Overriders, OverrideSpec } from '../../apis/policy/v1alpha1/index.js';
import type { KubeObject } from '../../runtime/types.js';
import { applyOverridePolicies, getOverridersFromOverridePolicies, OverrideError } from './index.js';

function cluster(name: string, labels: Record<string, string> = {}, spec: Partial<Cluster['spec']> = {}): Cluster {
  return { apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name, labels }, spec: { syncMode: 'Push', ...spec } } as Cluster;
}

function deployment(labels: Record<string, string> = { app: 'nginx' }, ns = 'default'): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx', namespace: ns, labels, annotations: { keep: 'me' } },
    spec: { replicas: 1, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', command: ['nginx'] }] } } },
  };
}

const clusterRole: KubeObject = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'reader', labels: { a: 'b' } }, rules: [] };

function op(name: string, spec: OverrideSpec, namespace = 'default'): OverridePolicy {
  return { apiVersion: 'policy.karmada.io/v1alpha1', kind: 'OverridePolicy', metadata: { name, namespace }, spec };
}

function cop(name: string, spec: OverrideSpec): ClusterOverridePolicy {
  return { apiVersion: 'policy.karmada.io/v1alpha1', kind: 'ClusterOverridePolicy', metadata: { name }, spec };
}

/** Overriders that set annotation "winner" to the value, so the last applied policy shows. */
function setWinner(value: string): Overriders {
  return { annotationsOverrider: [{ operator: 'add', value: { winner: value } }] };
}

const byName = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx' };
const byLabel = { apiVersion: 'apps/v1', kind: 'Deployment', labelSelector: { matchLabels: { app: 'nginx' } } };
const byKind = { apiVersion: 'apps/v1', kind: 'Deployment' };

describe('which policies apply, and in which order', () => {
  const member1 = cluster('member1');

  test('ClusterOverridePolicies first, then OverridePolicies: the OverridePolicy wins', () => {
    const r = applyOverridePolicies(deployment(), member1, {
      clusterOverridePolicies: [cop('z-cop', { resourceSelectors: [byName], overrideRules: [{ overriders: setWinner('cop') }] })],
      overridePolicies: [op('a-op', { resourceSelectors: [byKind], overrideRules: [{ overriders: setWinner('op') }] })],
    });
    assert.equal(r.object.metadata?.annotations?.winner, 'op');
    assert.ok(r.appliedClusterOverrides?.includes('"policyName":"z-cop"'));
    assert.ok(r.appliedOverrides?.includes('"policyName":"a-op"'));
  });

  const orderCases: { name: string; selectors: [string, object[] | undefined][]; winner: string }[] = [
    { name: 'name beats labelSelector beats match-all, whatever the names', selectors: [['a-name', [byName]], ['b-label', [byLabel]], ['c-all', undefined]], winner: 'a-name' },
    { name: 'labelSelector beats match-all (no selectors)', selectors: [['a-label', [byLabel]], ['z-all', []]], winner: 'a-label' },
    { name: 'labelSelector beats a kind-only selector', selectors: [['a-label', [byLabel]], ['z-kind', [byKind]]], winner: 'a-label' },
    { name: 'same priority: applied by name, so the later name wins', selectors: [['b', [byName]], ['a', [byName]]], winner: 'b' },
  ];
  for (const c of orderCases) {
    for (const group of ['ClusterOverridePolicy', 'OverridePolicy'] as const) {
      test(`${group}: ${c.name}`, () => {
        const specs = c.selectors.map(([name, selectors]) => ({ name, spec: { resourceSelectors: selectors as OverrideSpec['resourceSelectors'], overrideRules: [{ overriders: setWinner(name) }] } }));
        const policies =
          group === 'ClusterOverridePolicy'
            ? { clusterOverridePolicies: specs.map((s) => cop(s.name, s.spec)), overridePolicies: [] }
            : { clusterOverridePolicies: [], overridePolicies: specs.map((s) => op(s.name, s.spec)) };
        const r = applyOverridePolicies(deployment(), member1, policies);
        assert.equal(r.object.metadata?.annotations?.winner, c.winner);
      });
    }
  }

  test('a policy whose selectors do not match is not applied', () => {
    const r = applyOverridePolicies(deployment({ app: 'other' }), member1, {
      clusterOverridePolicies: [cop('c', { resourceSelectors: [byLabel], overrideRules: [{ overriders: setWinner('c') }] })],
      overridePolicies: [op('o', { resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'other' }], overrideRules: [{ overriders: setWinner('o') }] })],
    });
    assert.equal(r.object.metadata?.annotations?.winner, undefined);
    assert.equal(r.appliedClusterOverrides, undefined);
    assert.equal(r.appliedOverrides, undefined);
  });

  test('an OverridePolicy in another namespace never applies', () => {
    const r = applyOverridePolicies(deployment(), member1, {
      clusterOverridePolicies: [],
      overridePolicies: [op('elsewhere', { overrideRules: [{ overriders: setWinner('elsewhere') }] }, 'kube-public')],
    });
    assert.equal(r.object.metadata?.annotations?.winner, undefined);
    assert.equal(r.appliedOverrides, undefined);
  });

  test('an OverridePolicy selector without namespace means the policy namespace', () => {
    const r = applyOverridePolicies(deployment(undefined, 'prod'), member1, {
      clusterOverridePolicies: [],
      overridePolicies: [op('p', { resourceSelectors: [byName], overrideRules: [{ overriders: setWinner('p') }] }, 'prod')],
    });
    assert.equal(r.object.metadata?.annotations?.winner, 'p');
  });

  test('a ClusterOverridePolicy selector with a namespace only selects that namespace', () => {
    const policies = { clusterOverridePolicies: [cop('c', { resourceSelectors: [{ ...byName, namespace: 'prod' }], overrideRules: [{ overriders: setWinner('c') }] })], overridePolicies: [] };
    assert.equal(applyOverridePolicies(deployment(undefined, 'default'), member1, policies).object.metadata?.annotations?.winner, undefined);
    assert.equal(applyOverridePolicies(deployment(undefined, 'prod'), member1, policies).object.metadata?.annotations?.winner, 'c');
  });

  test('cluster-scoped objects get only ClusterOverridePolicies', () => {
    const r = applyOverridePolicies(clusterRole, member1, {
      clusterOverridePolicies: [cop('c', { overrideRules: [{ overriders: { labelsOverrider: [{ operator: 'add', value: { from: 'cop' } }] } }] })],
      overridePolicies: [op('o', { overrideRules: [{ overriders: { labelsOverrider: [{ operator: 'add', value: { from: 'op' } }] } }] })],
    });
    assert.deepEqual(r.object.metadata?.labels, { a: 'b', from: 'cop' });
    assert.equal(r.appliedOverrides, undefined);
  });

  test('OverridePolicies are matched against the object as ClusterOverridePolicies left it', () => {
    const r = applyOverridePolicies(deployment({ app: 'nginx' }), member1, {
      clusterOverridePolicies: [cop('c', { overrideRules: [{ overriders: { labelsOverrider: [{ operator: 'add', value: { tier: 'web' } }] } }] })],
      overridePolicies: [op('o', { resourceSelectors: [{ ...byKind, labelSelector: { matchLabels: { tier: 'web' } } }], overrideRules: [{ overriders: setWinner('o') }] })],
    });
    assert.equal(r.object.metadata?.annotations?.winner, 'o');
  });
});

describe('targetCluster filtering of rules', () => {
  const clusters = {
    east: cluster('east', { env: 'prod' }, { provider: 'aws', region: 'us-east-1', zones: ['us-east-1a'] }),
    west: cluster('west', { env: 'dev' }, { provider: 'gcp', region: 'us-west-1', zones: ['us-west-1a'] }),
  };
  const cases: { name: string; target: ClusterAffinity | undefined; applies: string[] }[] = [
    { name: 'nil targetCluster: every cluster', target: undefined, applies: ['east', 'west'] },
    { name: 'clusterNames', target: { clusterNames: ['west'] }, applies: ['west'] },
    { name: 'exclude', target: { exclude: ['west'] }, applies: ['east'] },
    { name: 'labelSelector', target: { labelSelector: { matchLabels: { env: 'prod' } } }, applies: ['east'] },
    { name: 'labelSelector matchExpressions', target: { labelSelector: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] } }, applies: ['west'] },
    { name: 'fieldSelector provider', target: { fieldSelector: { matchExpressions: [{ key: 'provider', operator: 'In', values: ['gcp'] }] } }, applies: ['west'] },
    { name: 'fieldSelector region NotIn', target: { fieldSelector: { matchExpressions: [{ key: 'region', operator: 'NotIn', values: ['us-west-1'] }] } }, applies: ['east'] },
    { name: 'fieldSelector zone', target: { fieldSelector: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['us-east-1a'] }] } }, applies: ['east'] },
    { name: 'clusterNames and labelSelector both must hold', target: { clusterNames: ['east', 'west'], labelSelector: { matchLabels: { env: 'dev' } } }, applies: ['west'] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      for (const [name, cl] of Object.entries(clusters)) {
        const r = applyOverridePolicies(deployment(), cl, {
          clusterOverridePolicies: [],
          overridePolicies: [op('p', { overrideRules: [{ targetCluster: c.target, overriders: setWinner('p') }] })],
        });
        assert.equal(r.object.metadata?.annotations?.winner, c.applies.includes(name) ? 'p' : undefined, `cluster ${name}`);
        assert.equal(r.appliedOverrides !== undefined, c.applies.includes(name), `annotation for cluster ${name}`);
      }
    });
  }

  test('rules apply in order, each only on its clusters', () => {
    const spec: OverrideSpec = {
      overrideRules: [
        { targetCluster: { clusterNames: ['east', 'west'] }, overriders: setWinner('first') },
        { targetCluster: { clusterNames: ['west'] }, overriders: setWinner('second') },
      ],
    };
    const policies = { clusterOverridePolicies: [], overridePolicies: [op('p', spec)] };
    assert.equal(applyOverridePolicies(deployment(), clusters.east, policies).object.metadata?.annotations?.winner, 'first');
    assert.equal(applyOverridePolicies(deployment(), clusters.west, policies).object.metadata?.annotations?.winner, 'second');
  });

  test('deprecated spec.targetCluster + spec.overriders when overrideRules is empty', () => {
    const policies = { clusterOverridePolicies: [cop('old', { targetCluster: { clusterNames: ['east'] }, overriders: setWinner('old') })], overridePolicies: [] };
    const east = applyOverridePolicies(deployment(), clusters.east, policies);
    assert.equal(east.object.metadata?.annotations?.winner, 'old');
    assert.equal(east.appliedClusterOverrides, '[{"policyName":"old","overriders":{"annotationsOverrider":[{"operator":"add","value":{"winner":"old"}}]}}]');
    assert.equal(applyOverridePolicies(deployment(), clusters.west, policies).object.metadata?.annotations?.winner, undefined);
  });
});

describe('getOverridersFromOverridePolicies (upstream TestGetMatchingOverridePolicies)', () => {
  const cluster1 = cluster('cluster1');
  const cluster2 = cluster('cluster2');
  const o1: Overriders = { plaintext: [{ path: '/metadata/annotations', operator: 'add', value: { foo: 'bar' } }] };
  const o2: Overriders = { plaintext: [{ path: '/metadata/annotations', operator: 'add', value: { aaa: 'bbb' } }] };
  const o3: Overriders = { plaintext: [{ path: '/metadata/annotations', operator: 'add', value: { hello: 'world' } }] };
  const policy1 = op('overridePolicy1', {
    resourceSelectors: [byName],
    overrideRules: [
      { targetCluster: { clusterNames: ['cluster1', 'cluster2'] }, overriders: o1 },
      { targetCluster: { clusterNames: ['cluster2'] }, overriders: o2 },
    ],
  });
  const policy2 = op('overridePolicy2', { overrideRules: [{ targetCluster: { clusterNames: ['cluster1', 'cluster2'] }, overriders: o3 }] });
  const policy3 = op('overridePolicy3', { resourceSelectors: [], overrideRules: [{ targetCluster: { clusterNames: ['cluster1', 'cluster2'] }, overriders: o3 }] });
  const old = cop('oldOverridePolicy', { targetCluster: { clusterNames: ['cluster1'] }, overriders: o3 });
  const cases: { name: string; policies: (OverridePolicy | ClusterOverridePolicy)[]; cluster: Cluster; want: [string, Overriders][] }[] = [
    { name: 'OverrideRules test 1', policies: [policy1, policy2], cluster: cluster1, want: [['overridePolicy2', o3], ['overridePolicy1', o1]] },
    { name: 'OverrideRules test 2', policies: [policy1, policy2], cluster: cluster2, want: [['overridePolicy2', o3], ['overridePolicy1', o1], ['overridePolicy1', o2]] },
    { name: 'OverrideRules test 3', policies: [policy3], cluster: cluster2, want: [['overridePolicy3', o3]] },
    { name: 'TargetCluster and Overriders test', policies: [old], cluster: cluster1, want: [['oldOverridePolicy', o3]] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const got = getOverridersFromOverridePolicies(c.policies, deployment(), c.cluster);
      assert.deepEqual(
        got.map((p) => [p.name, p.overriders]),
        c.want,
      );
    });
  }
});

describe('the applied overrides annotations', () => {
  const member = cluster('member1');

  test('upstream shape, sorted by policy name, one item per matching rule, Go field order', () => {
    const r = applyOverridePolicies(deployment(), member, {
      clusterOverridePolicies: [],
      overridePolicies: [
        op('nginx-op', {
          resourceSelectors: [byName],
          overrideRules: [
            {
              overriders: {
                // deliberately not in Go order: the JSON must still be
                labelsOverrider: [{ operator: 'add', value: { z: '1', a: '2' } }],
                plaintext: [{ path: '/spec/replicas', operator: 'replace', value: 3 }],
                imageOverrider: [{ component: 'Registry', operator: 'replace', value: 'mirror.io' }],
              },
            },
            { overriders: { argsOverrider: [{ containerName: 'nginx', operator: 'add', value: ['-g'] }] } },
          ],
        }),
        op('all-op', { overrideRules: [{ overriders: { plaintext: [{ path: '/metadata/annotations/keep', operator: 'remove' }] } }] }),
      ],
    });
    assert.equal(
      r.appliedOverrides,
      '[{"policyName":"all-op","overriders":{"plaintext":[{"path":"/metadata/annotations/keep","operator":"remove","value":null}]}},' +
        '{"policyName":"nginx-op","overriders":{"plaintext":[{"path":"/spec/replicas","operator":"replace","value":3}],"imageOverrider":[{"component":"Registry","operator":"replace","value":"mirror.io"}],"labelsOverrider":[{"operator":"add","value":{"a":"2","z":"1"}}]}},' +
        '{"policyName":"nginx-op","overriders":{"argsOverrider":[{"containerName":"nginx","operator":"add","value":["-g"]}]}}]',
    );
    assert.equal(r.appliedClusterOverrides, undefined);
    const spec = r.object.spec as { replicas: number; template: { spec: { containers: { image: string; args?: string[] }[] } } };
    assert.equal(spec.replicas, 3);
    assert.equal(spec.template.spec.containers[0]!.image, 'mirror.io/nginx:1.25');
    assert.deepEqual(spec.template.spec.containers[0]!.args, ['-g']);
    assert.deepEqual(r.object.metadata?.labels, { app: 'nginx', a: '2', z: '1' });
    assert.equal(r.object.metadata?.annotations?.keep, undefined);
  });

  test('a matching rule with empty overriders still counts as applied', () => {
    const r = applyOverridePolicies(clusterRole, member, { clusterOverridePolicies: [cop('noop', { overrideRules: [{ overriders: {} }] })], overridePolicies: [] });
    assert.equal(r.appliedClusterOverrides, '[{"policyName":"noop","overriders":{}}]');
    assert.deepEqual(r.object, clusterRole);
  });

  test('field overrider operations and HTML characters are encoded as Go encodes them', () => {
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: { 'a.json': '{"x":1}' } };
    const r = applyOverridePolicies(cm, member, {
      clusterOverridePolicies: [
        cop('f', {
          overrideRules: [
            {
              overriders: {
                fieldOverrider: [{ fieldPath: '/data/a.json', json: [{ subPath: '/x', operator: 'replace', value: '<b>' }] }],
              },
            },
          ],
        }),
      ],
      overridePolicies: [],
    });
    assert.equal(r.appliedClusterOverrides, '[{"policyName":"f","overriders":{"fieldOverrider":[{"fieldPath":"/data/a.json","json":[{"subPath":"/x","operator":"replace","value":"\\u003cb\\u003e"}]}]}}]');
    assert.equal((r.object.data as Record<string, string>)['a.json'], '{"x":"\\u003cb\\u003e"}');
  });
});

describe('purity and errors', () => {
  const member = cluster('member1');

  test('the input object and policies are never mutated', () => {
    const obj = deployment();
    const policies = {
      clusterOverridePolicies: [cop('c', { overrideRules: [{ overriders: { labelsOverrider: [{ operator: 'add' as const, value: { x: 'y' } }] } }] })],
      overridePolicies: [op('o', { resourceSelectors: [byName], overrideRules: [{ overriders: { commandOverrider: [{ containerName: 'nginx', operator: 'add' as const, value: ['-t'] }] } }] })],
    };
    const before = structuredClone(obj);
    const policiesBefore = structuredClone(policies);
    const r = applyOverridePolicies(obj, member, policies);
    assert.deepEqual(obj, before);
    assert.deepEqual(policies, policiesBefore);
    assert.notEqual(r.object, obj);
  });

  test('no policies: an equal copy and no annotations', () => {
    const obj = deployment();
    const r = applyOverridePolicies(obj, member, { clusterOverridePolicies: [], overridePolicies: [] });
    assert.deepEqual(r.object, obj);
    assert.notEqual(r.object, obj);
    assert.deepEqual(Object.keys(r), ['object']);
  });

  test('a plaintext overrider on a bad path throws OverrideError naming policy, object, cluster and overrider', () => {
    const policies = { clusterOverridePolicies: [], overridePolicies: [op('bad', { overrideRules: [{ overriders: { plaintext: [{ path: '/spec/nothing/here', operator: 'replace' as const, value: 1 }] } }] })] };
    assert.throws(
      () => applyOverridePolicies(deployment(), member, policies),
      (e: unknown) => {
        assert.ok(e instanceof OverrideError);
        assert.equal(e.policyKind, 'OverridePolicy');
        assert.equal(e.policyName, 'bad');
        assert.equal(e.clusterName, 'member1');
        assert.match(e.message, /OverridePolicy default\/bad to Deployment default\/nginx for cluster member1: plaintext: .*\/spec\/nothing\/here/);
        return true;
      },
    );
  });

  test('a fieldOverrider on a missing field throws naming the fieldPath', () => {
    const policies = {
      clusterOverridePolicies: [cop('cfg', { overrideRules: [{ overriders: { fieldOverrider: [{ fieldPath: '/data/missing.yaml', yaml: [{ subPath: '/a', operator: 'add' as const, value: 1 }] }] } }] })],
      overridePolicies: [],
    };
    assert.throws(() => applyOverridePolicies(deployment(), member, policies), /ClusterOverridePolicy cfg .*fieldOverrider\[0\]: fieldPath "\/data\/missing.yaml"/);
  });

  test('an image overrider with a bad predicate path names the overrider index', () => {
    const policies = {
      clusterOverridePolicies: [],
      overridePolicies: [
        op('img', {
          overrideRules: [
            {
              overriders: {
                imageOverrider: [
                  { component: 'Tag', operator: 'replace', value: 'v2' },
                  { predicate: { path: '/spec/template/spec/containers/5/image' }, component: 'Tag', operator: 'replace', value: 'v2' },
                ],
              },
            },
          ],
        }),
      ],
    };
    assert.throws(() => applyOverridePolicies(deployment(), member, policies), /imageOverrider\[1\]: failed to obtain imageValue with predicate path/);
  });

  test('overriders apply in upstream order: plaintext last sees the image the image overrider wrote', () => {
    const r = applyOverridePolicies(deployment(), member, {
      clusterOverridePolicies: [],
      overridePolicies: [
        op('o', {
          overrideRules: [
            {
              overriders: {
                plaintext: [{ path: '/metadata/annotations/keep', operator: 'replace', value: 'plain' }],
                annotationsOverrider: [{ operator: 'replace', value: { keep: 'annotations' } }],
                imageOverrider: [{ component: 'Tag', operator: 'replace', value: 'v2' }],
              },
            },
          ],
        }),
      ],
    });
    assert.equal(r.object.metadata?.annotations?.keep, 'plain');
    assert.equal((r.object.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]!.image, 'nginx:v2');
  });
});
