// Karmada's API through real kubectl: the samples apply unchanged, explain works, and broken policies
// are rejected with a message that says what to fix.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { kubectlFor, REPO_ROOT, startApiServer, waitFor, type ApiServerProcess } from './framework/process.js';

const pp = (name: string, spec: string) => `apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata:
  name: ${name}
spec:
  resourceSelectors:
    - apiVersion: apps/v1
      kind: Deployment
      name: nginx
${spec}`;

const INVALID: { name: string; yaml: string; message: RegExp }[] = [
  { name: 'empty resourceSelectors', yaml: pp('bad-1', '').replace(/resourceSelectors:[\s\S]*$/, 'resourceSelectors: []\n'), message: /spec.resourceSelectors/ },
  {
    name: 'clusterAffinity with clusterAffinities',
    yaml: pp('bad-2', '  placement:\n    clusterAffinity:\n      clusterNames: [member1]\n    clusterAffinities:\n      - affinityName: a\n        clusterNames: [member2]\n'),
    message: /cannot co-exist with clusterAffinity/,
  },
  {
    name: 'spreadByField with spreadByLabel',
    yaml: pp('bad-3', '  placement:\n    spreadConstraints:\n      - spreadByField: cluster\n        spreadByLabel: zone\n'),
    message: /spreadByLabel should not co-exist with spreadByField/,
  },
  {
    name: 'maxGroups below minGroups',
    yaml: pp('bad-4', '  placement:\n    spreadConstraints:\n      - spreadByField: cluster\n        maxGroups: 1\n        minGroups: 2\n'),
    message: /maxGroups lower than minGroups/,
  },
  {
    name: 'region spread without cluster spread',
    yaml: pp('bad-5', '  placement:\n    spreadConstraints:\n      - spreadByField: region\n        minGroups: 1\n'),
    message: /cluster spread constraint must be enabled/,
  },
  {
    name: 'static weight 0',
    yaml: pp(
      'bad-6',
      '  placement:\n    replicaScheduling:\n      replicaSchedulingType: Divided\n      replicaDivisionPreference: Weighted\n      weightPreference:\n        staticWeightList:\n          - targetCluster:\n              clusterNames: [member1]\n            weight: 0\n',
    ),
    message: /greater than or equal to 1/,
  },
  {
    name: 'unknown replicaSchedulingType',
    yaml: pp('bad-7', '  placement:\n    replicaScheduling:\n      replicaSchedulingType: Sometimes\n'),
    message: /Unsupported value: "Sometimes"/,
  },
  {
    name: 'ClusterPropagationPolicy on a reserved namespace',
    yaml: `apiVersion: policy.karmada.io/v1alpha1\nkind: ClusterPropagationPolicy\nmetadata:\n  name: bad-8\nspec:\n  resourceSelectors:\n    - apiVersion: v1\n      kind: ConfigMap\n      namespace: karmada-system\n`,
    message: /reserved by Karmada/,
  },
  {
    name: 'plaintext overrider path without a slash',
    yaml: `apiVersion: policy.karmada.io/v1alpha1\nkind: OverridePolicy\nmetadata:\n  name: bad-9\nspec:\n  resourceSelectors:\n    - apiVersion: apps/v1\n      kind: Deployment\n  overrideRules:\n    - overriders:\n        plaintext:\n          - path: spec/replicas\n            operator: replace\n            value: 1\n`,
    message: /must be empty or start with a "\/"/,
  },
  {
    name: 'image overrider on an unknown component',
    yaml: `apiVersion: policy.karmada.io/v1alpha1\nkind: OverridePolicy\nmetadata:\n  name: bad-10\nspec:\n  resourceSelectors:\n    - apiVersion: apps/v1\n      kind: Deployment\n  overrideRules:\n    - overriders:\n        imageOverrider:\n          - component: Digest\n            operator: replace\n            value: x\n`,
    message: /Unsupported value: "Digest"/,
  },
  {
    name: 'Cluster with an unknown syncMode',
    yaml: `apiVersion: cluster.karmada.io/v1alpha1\nkind: Cluster\nmetadata:\n  name: bad-11\nspec:\n  syncMode: Sideways\n`,
    message: /Unsupported value: "Sideways"/,
  },
];

describe('Karmada APIs through kubectl', () => {
  let server: ApiServerProcess;
  let kubectl: ReturnType<typeof kubectlFor>;

  before(async () => {
    server = await startApiServer();
    kubectl = kubectlFor(server.kubeconfig);
  });
  after(async () => {
    await server?.cleanup();
  });

  test('Karmada kinds are discoverable with their short names', async () => {
    const r = await kubectl(['api-resources', '--api-group=policy.karmada.io', '--no-headers']);
    assert.match(r.stdout, /propagationpolicies\s+pp\s+policy.karmada.io\/v1alpha1\s+true\s+PropagationPolicy/);
    const clusters = await kubectl(['api-resources', '--api-group=cluster.karmada.io', '--no-headers']);
    assert.match(clusters.stdout, /clusters\s+cluster.karmada.io\/v1alpha1\s+false\s+Cluster/);
  });

  test('every sample applies unchanged', async () => {
    const samples = path.join(REPO_ROOT, 'samples');
    await kubectl(['apply', '-f', path.join(samples, 'guestbook/guestbooks-crd.yaml')]);
    await waitFor('the Guestbook CRD to be served', async () => ((await kubectl(['get', 'guestbooks'], { allowFail: true })).code === 0 ? true : undefined), 15_000, 100);
    for (const f of ['nginx', 'guestbook', 'overridepolicy.yaml', 'clusterpropagationpolicy.yaml', 'workloadrebalancer.yaml', 'federatedresourcequota.yaml', 'resourceinterpretercustomization.yaml']) {
      const r = await kubectl(['apply', '-f', path.join(samples, f)], { allowFail: true });
      assert.equal(r.code, 0, `${f}: ${r.stderr}`);
    }
    const policy = JSON.parse((await kubectl(['get', 'pp', 'nginx-propagation', '-o', 'json'])).stdout);
    assert.ok(policy.metadata.labels['propagationpolicy.karmada.io/permanent-id'], 'webhook defaulting sets the permanent id');
    const table = (await kubectl(['get', 'pp'])).stdout;
    assert.match(table.split('\n')[0]!, /NAME\s+CONFLICT-RESOLUTION\s+PRIORITY\s+AGE/);
  });

  test('explain shows placement fields with descriptions', async () => {
    const r = await kubectl(['explain', 'propagationpolicy.spec.placement']);
    assert.match(r.stdout, /clusterAffinity\s+<Object>/);
    assert.match(r.stdout, /replicaScheduling\s+<Object>/);
    assert.match(r.stdout, /spreadConstraints\s+<\[\]Object>/);
  });

  for (const c of INVALID) {
    test(`rejects: ${c.name}`, async () => {
      const r = await kubectl(['apply', '-f', '-'], { input: c.yaml, allowFail: true });
      assert.notEqual(r.code, 0, `expected ${c.name} to be rejected`);
      assert.match(r.stderr, c.message);
      const name = /name: (\S+)/.exec(c.yaml)![1]!;
      const kind = /kind: (\S+)/.exec(c.yaml)![1]!;
      const stored = await kubectl(['get', kind.toLowerCase(), name], { allowFail: true });
      assert.notEqual(stored.code, 0, 'nothing stored');
    });
  }
});
