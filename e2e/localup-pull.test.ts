// `karmada local-up --pull-members`: the Pull member is registered with a bootstrap token and CSRs like a
// user's `karmadactl register`, run by an in-process karmada-agent, labelled as a KubeEdge cluster when it
// has edge nodes, and it propagates; a restart on the same data dir keeps the registration.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startLocalUp, type LocalUp } from './framework/localup.js';
import { waitFor } from './framework/process.js';

type Cluster = { metadata?: { labels?: Record<string, string> }; spec?: { syncMode?: string }; status?: { conditions?: { type: string; status: string }[]; edgeNodeSummary?: { totalNum: number; readyNum: number } } };

const MANIFESTS = `apiVersion: v1
kind: ConfigMap
metadata:
  name: edge-config
data: {greeting: hello}
---
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata:
  name: edge-config
spec:
  resourceSelectors:
    - {apiVersion: v1, kind: ConfigMap, name: edge-config}
  placement:
    clusterAffinity:
      labelSelector:
        matchLabels: {cluster.karmada.io/kubeedge: "true"}
`;

describe('karmada local-up --pull-members', { timeout: 400_000 }, () => {
  let env: LocalUp;
  before(async () => {
    env = await startLocalUp({ members: 1, extraArgs: ['--pull-members', '1', '--edge-nodes', '1', '--nodes', '1'] });
  });
  after(async () => {
    await env?.stop();
  });

  const cluster = async (name: string) => JSON.parse((await env.kubectl(['get', 'cluster', name, '-o', 'json'])).stdout) as Cluster;
  const ready = (c: Cluster) => c.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True');

  test('member2 is a Ready Pull cluster, labelled as KubeEdge, with its edge nodes counted', async () => {
    assert.match(env.logs(), /registering member2 in Pull mode/);
    const c = await waitFor('member2 labelled kubeedge', async () => {
      const c = await cluster('member2');
      return c.metadata?.labels?.['cluster.karmada.io/kubeedge'] === 'true' && c;
    }, 60_000, 300);
    assert.equal(c.spec?.syncMode, 'Pull');
    assert.ok(ready(c));
    assert.deepEqual(c.status?.edgeNodeSummary, { totalNum: 1, readyNum: 1 });
    assert.equal((await cluster('member1')).metadata?.labels?.['cluster.karmada.io/kubeedge'], undefined);
  });

  test('a policy selecting edge clusters propagates through the agent', async () => {
    await env.kubectl(['apply', '-f', '-'], { input: MANIFESTS });
    await waitFor('the ConfigMap in member2', async () => (await env.member('member2')(['get', 'configmap', 'edge-config'], { allowFail: true })).code === 0, 60_000, 300);
    const m1 = await env.member('member1')(['get', 'configmap', 'edge-config'], { allowFail: true });
    assert.notEqual(m1.code, 0, 'member1 is not an edge cluster');
  });

  test('a restart on the same data dir keeps the registration', async () => {
    await env.restart();
    assert.match(env.logs(), /member2 already registered \(Pull\)/);
    await waitFor('member2 Ready again', async () => ready(await cluster('member2')), 60_000, 300);
  });
});
