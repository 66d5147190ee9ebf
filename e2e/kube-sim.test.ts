// The kube-sim binary with real kubectl: nodes are Ready, `kubectl create deployment` rolls out to Running
// pods, failure injection works through `kubectl annotate`, and one process serves several clusters.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { kubectlFor, waitFor } from './framework/process.js';
import { startKubeSim, type KubeSimProcess } from './framework/kubesim.js';

describe('kube-sim with kubectl', () => {
  let sim: KubeSimProcess;
  let kubectl: ReturnType<typeof kubectlFor>;
  before(async () => {
    sim = await startKubeSim(['--name', 'member1', '--nodes', '3', '--zone', 'z1,z2', '--region', 'r1', '--pod-eviction-timeout', '1s']);
    kubectl = kubectlFor(sim.kubeconfig);
  });
  after(async () => {
    await sim?.stop();
  });

  test('writes a kubeconfig with a context named after the cluster on 127.0.0.1:PORT', () => {
    const kc = parse(readFileSync(sim.kubeconfig, 'utf8')) as { 'current-context': string; clusters: { name: string; cluster: { server: string } }[] };
    assert.equal(kc['current-context'], 'member1');
    assert.equal(kc.clusters[0]!.name, 'member1');
    assert.equal(kc.clusters[0]!.cluster.server, `https://127.0.0.1:${sim.port}`);
  });

  test('kubectl get nodes shows the Ready nodes; version is the simulated one', async () => {
    const r = await kubectl(['get', 'nodes', '--no-headers']);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 3, r.stdout);
    for (const l of lines) assert.match(l, /^member1-node-\d\s+Ready\s+<none>\s+\S+\s+v1\.31\.0$/);
    const v = await kubectl(['version', '-o', 'json']);
    assert.equal(JSON.parse(v.stdout).serverVersion.gitVersion, 'v1.31.0+kube-sim');
    const zones = await kubectl(['get', 'nodes', '-L', 'topology.kubernetes.io/zone', '--no-headers']);
    assert.match(zones.stdout, /z1/);
    assert.match(zones.stdout, /z2/);
  });

  test('kubectl create deployment rolls out to Running pods', async () => {
    const created = await kubectl(['create', 'deployment', 'web', '--image=nginx', '--replicas=2'], { allowFail: true });
    if (created.code !== 0) {
      // Older servers reject kubectl's protobuf body; the YAML path must work regardless.
      await kubectl(['apply', '-f', '-'], {
        input: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: nginx, image: nginx}]}\n',
      });
    }
    const rollout = await kubectl(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    assert.match(rollout.stdout, /successfully rolled out/);
    const pods = await kubectl(['get', 'pods', '-l', 'app=web', '--no-headers']);
    const lines = pods.stdout.trim().split('\n');
    assert.equal(lines.length, 2, pods.stdout);
    for (const l of lines) assert.match(l, /^web-[a-z0-9]+-[a-z0-9]{5}\s+1\/1\s+Running\s+0\s+/);
    const svc = await kubectl(['expose', 'deployment', 'web', '--port=80', '--type=NodePort']);
    assert.match(svc.stdout, /service\/web exposed/);
    const ip = await kubectl(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP} {.spec.ports[0].nodePort}']);
    assert.match(ip.stdout, /^10\.\d+\.\d+\.\d+ 3\d{4}$/);
    await waitFor('endpoints of web', async () => {
      const ep = await kubectl(['get', 'endpoints', 'web', '-o', 'jsonpath={.subsets[0].addresses[*].ip}']);
      return ep.stdout.trim().split(' ').length === 2 || undefined;
    });
  });

  test('kubectl annotate fails and heals a node; pods move', async () => {
    const node = (await kubectl(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0].spec.nodeName}'])).stdout.trim();
    await kubectl(['annotate', 'node', node, 'kube-sim.karmada.io/fail=true']);
    await waitFor('node NotReady', async () => ((await kubectl(['get', 'node', node, '--no-headers'])).stdout.includes('NotReady') ? true : undefined), 15_000);
    await waitFor('web pods off the failed node', async () => {
      const r = await kubectl(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.spec.nodeName} {.status.phase}{"\\n"}{end}']);
      const rows = r.stdout.trim().split('\n').filter(Boolean);
      return rows.length === 2 && rows.every((row) => !row.startsWith(`${node} `) && row.endsWith('Running')) ? true : undefined;
    }, 20_000);
    await kubectl(['rollout', 'status', 'deployment/web', '--timeout=30s']);
    await kubectl(['annotate', 'node', node, 'kube-sim.karmada.io/fail-']);
    await waitFor('node Ready', async () => (/\sReady\s/.test((await kubectl(['get', 'node', node, '--no-headers'])).stdout) ? true : undefined), 15_000);
  });

  test('kubectl apply of a StatefulSet, DaemonSet and Job; rollout status and wait', async () => {
    await kubectl(['apply', '-f', '-'], {
      input: `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: pg, image: postgres:16}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: a, image: busybox}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox}]
`,
    });
    await kubectl(['rollout', 'status', 'statefulset/db', '--timeout=60s']);
    await kubectl(['rollout', 'status', 'daemonset/agent', '--timeout=60s']);
    await kubectl(['wait', '--for=condition=complete', 'job/once', '--timeout=60s']);
    const ds = await kubectl(['get', 'ds', 'agent', '-o', 'jsonpath={.status.numberReady}/{.status.desiredNumberScheduled}']);
    assert.equal(ds.stdout, '3/3');
  });
});

describe('kube-sim --clusters', () => {
  test('serves several clusters from one process with one merged kubeconfig', async () => {
    const sim = await startKubeSim(['--clusters', '2', '--name-prefix', 'edge', '--nodes', '2', '--edge-nodes', '1']);
    try {
      const kubectl = kubectlFor(sim.kubeconfig);
      const contexts = await kubectl(['config', 'get-contexts', '-o', 'name']);
      assert.deepEqual(contexts.stdout.trim().split('\n').sort(), ['edge1', 'edge2']);
      const ids = new Set<string>();
      for (const ctx of ['edge1', 'edge2']) {
        const nodes = await kubectl(['--context', ctx, 'get', 'nodes', '-l', 'node-role.kubernetes.io/edge', '--no-headers']);
        assert.match(nodes.stdout, new RegExp(`^${ctx}-edge-node-0\\s+Ready\\s+agent,edge`));
        ids.add((await kubectl(['--context', ctx, 'get', 'ns', 'kube-system', '-o', 'jsonpath={.metadata.uid}'])).stdout);
      }
      assert.equal(ids.size, 2, 'each cluster has its own kube-system UID');
    } finally {
      await sim.stop();
    }
  });
});
