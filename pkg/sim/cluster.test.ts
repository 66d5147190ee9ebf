// A simulated cluster end to end, in process: workloads get pods, pods get nodes and run, status reaches
// what kubectl and Karmada expect; services get IPs; node failure evicts and heals.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FAIL_ANNOTATION, getCondition, isPodReady, TAINT_UNREACHABLE } from './podutil.js';
import { deployment, eventually, startSim, type TestSim } from './testing.js';
import type { Condition, KubeObject, Node, Pod, Workload } from './types.js';

const running = (pods: Pod[]) => pods.filter((p) => p.status?.phase === 'Running' && isPodReady(p) && !p.metadata?.deletionTimestamp);
const cond = (o: KubeObject, type: string) => getCondition((o.status as { conditions?: Condition[] } | undefined)?.conditions, type);

describe('kube-sim cluster', () => {
  let sim: TestSim;
  before(async () => {
    sim = await startSim({ name: 'sim', nodes: 3, zones: ['z1', 'z2'], region: 'r1', provider: 'test' });
  });
  after(async () => {
    await sim?.stop();
  });

  it('registers Ready nodes with labels, capacity and addresses', async () => {
    const nodes = await sim.list<Node>(sim.kinds.nodes);
    assert.deepEqual(nodes.map((n) => n.metadata!.name).sort(), ['sim-node-0', 'sim-node-1', 'sim-node-2']);
    for (const n of nodes) {
      assert.equal(cond(n, 'Ready')?.status, 'True');
      assert.equal(n.metadata!.labels!['kubernetes.io/hostname'], n.metadata!.name);
      assert.equal(n.metadata!.labels!['topology.kubernetes.io/region'], 'r1');
      assert.ok(['z1', 'z2'].includes(n.metadata!.labels!['topology.kubernetes.io/zone']!));
      assert.equal(n.status!.allocatable!.cpu, '8');
      assert.equal(n.status!.allocatable!.pods, '110');
      assert.equal(n.status!.nodeInfo!.kubeletVersion, 'v1.31.0');
      assert.ok(n.status!.addresses!.some((a) => a.type === 'InternalIP'));
    }
  });

  it('gives nodes created through the API a Ready status (kwok-style)', async () => {
    await sim.create(sim.kinds.nodes, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'extra', labels: { role: 'extra' } } });
    const n = await eventually('extra node ready', async () => {
      const n = await sim.get<Node>(sim.kinds.nodes, undefined, 'extra');
      return cond(n ?? {}, 'Ready')?.status === 'True' ? n : undefined;
    });
    assert.equal(n!.status!.allocatable!.pods, '110');
    await sim.delete(sim.kinds.nodes, undefined, 'extra');
  });

  it('serves /version with the simulated Kubernetes version and a stable kube-system UID', async () => {
    const v = await sim.call('GET', '/version');
    assert.equal(v.json.gitVersion, 'v1.31.0+kube-sim');
    assert.equal(v.json.minor, '31');
    const ns = await sim.call('GET', '/api/v1/namespaces/kube-system');
    assert.equal(ns.json.metadata.uid, await sim.cluster.clusterID());
    const sa = await eventually('default service account', () => sim.get(sim.kinds.serviceAccounts, 'default', 'default'));
    assert.ok(sa);
    const readyz = await sim.call('GET', '/readyz');
    assert.equal(readyz.status, 200);
  });

  it('fills service-account token Secrets and authenticates their tokens (what karmadactl join uses)', async () => {
    await sim.create(sim.kinds.serviceAccounts, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'karmada-agent', namespace: 'kube-system' } });
    const secrets = sim.cluster.server.registry.get('', 'v1', 'secrets')!;
    await sim.create(secrets, {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/service-account-token',
      metadata: { name: 'karmada-agent-token', namespace: 'kube-system', annotations: { 'kubernetes.io/service-account.name': 'karmada-agent' } },
    });
    const token = await eventually('token filled', async () => {
      const s = await sim.get(secrets, 'kube-system', 'karmada-agent-token');
      const t = (s?.data as { token?: string } | undefined)?.token;
      return t ? Buffer.from(t, 'base64').toString('utf8') : undefined;
    });
    const review = await sim.call('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, { token });
    if (review.status === 201 || review.status === 200) {
      assert.equal(review.json.status.userInfo.username, 'system:serviceaccount:kube-system:karmada-agent');
    } else {
      // Without SelfSubjectReview: authenticated but not authorized (403), never 401.
      const r = await sim.call('GET', '/api/v1/nodes', undefined, { token });
      assert.equal(r.status, 403, JSON.stringify(r.json));
    }
  });

  it('runs a Deployment: 3 Running pods spread over the nodes, ready status and conditions', async () => {
    await sim.create(sim.kinds.deployments, deployment('web', 3));
    const d = await eventually('deployment web available', async () => {
      const d = await sim.get<Workload>(sim.kinds.deployments, 'default', 'web');
      return d?.status?.readyReplicas === 3 && d.status.availableReplicas === 3 && cond(d, 'Progressing')?.reason === 'NewReplicaSetAvailable' ? d : undefined;
    });
    assert.equal(d.status!.observedGeneration, 1);
    assert.equal(d.status!.updatedReplicas, 3);
    assert.equal(cond(d, 'Available')?.status, 'True');
    assert.equal(cond(d, 'Available')?.reason, 'MinimumReplicasAvailable');
    assert.equal(d.metadata!.annotations!['deployment.kubernetes.io/revision'], '1');
    const pods = running(await sim.list<Pod>(sim.kinds.pods, 'default', { app: 'web' }));
    assert.equal(pods.length, 3);
    assert.equal(new Set(pods.map((p) => p.spec!.nodeName)).size, 3, 'one pod per node');
    const rs = (await sim.list<Workload>(sim.kinds.replicaSets, 'default', { app: 'web' }))[0]!;
    const hash = rs.metadata!.labels!['pod-template-hash']!;
    assert.equal(rs.metadata!.name, `web-${hash}`);
    assert.equal(rs.metadata!.ownerReferences![0]!.controller, true);
    assert.equal(rs.status!.readyReplicas, 3);
    for (const p of pods) {
      assert.match(p.metadata!.name!, new RegExp(`^web-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
      assert.match(p.status!.podIP!, /^10\.244\.\d+\.\d+$/);
      assert.ok(p.status!.hostIP);
      assert.ok(p.status!.startTime);
      const cs = p.status!.containerStatuses![0]!;
      assert.equal(cs.ready, true);
      assert.equal(cs.started, true);
      assert.ok(cs.state!.running);
    }
  });

  it('scales a Deployment up to 5 and down to 1', async () => {
    await sim.update<Workload>(sim.kinds.deployments, 'default', 'web', (d) => void (d.spec!.replicas = 5));
    await eventually('5 ready', async () => (await sim.get<Workload>(sim.kinds.deployments, 'default', 'web'))?.status?.readyReplicas === 5);
    assert.equal(running(await sim.list<Pod>(sim.kinds.pods, 'default', { app: 'web' })).length, 5);
    await sim.update<Workload>(sim.kinds.deployments, 'default', 'web', (d) => void (d.spec!.replicas = 1));
    await eventually('1 pod left', async () => {
      const d = await sim.get<Workload>(sim.kinds.deployments, 'default', 'web');
      const pods = await sim.list<Pod>(sim.kinds.pods, 'default', { app: 'web' });
      return d?.status?.replicas === 1 && d.status.readyReplicas === 1 && pods.length === 1;
    });
  });

  it('rolls out a template change to a new ReplicaSet', async () => {
    await sim.update<Workload>(sim.kinds.deployments, 'default', 'web', (d) => {
      d.spec!.replicas = 4;
      d.spec!.template!.spec!.containers[0]!.image = 'nginx:1.28';
    });
    const d = await eventually('rollout complete', async () => {
      const d = await sim.get<Workload>(sim.kinds.deployments, 'default', 'web');
      const done = d?.status?.observedGeneration === d?.metadata?.generation && d?.status?.updatedReplicas === 4 && d.status.replicas === 4 && d.status.availableReplicas === 4;
      return done && cond(d!, 'Progressing')?.reason === 'NewReplicaSetAvailable' ? d : undefined;
    });
    assert.equal(d!.metadata!.annotations!['deployment.kubernetes.io/revision'], '2');
    const rss = await sim.list<Workload>(sim.kinds.replicaSets, 'default', { app: 'web' });
    assert.equal(rss.length, 2);
    const [newRS] = rss.filter((r) => r.spec!.replicas === 4);
    const [oldRS] = rss.filter((r) => r.spec!.replicas === 0);
    assert.ok(newRS && oldRS);
    assert.equal(newRS.metadata!.annotations!['deployment.kubernetes.io/revision'], '2');
    const pods = await eventually('old pods gone', async () => {
      const pods = await sim.list<Pod>(sim.kinds.pods, 'default', { app: 'web' });
      return pods.length === 4 ? pods : undefined;
    });
    for (const p of pods) assert.equal(p.spec!.containers[0]!.image, 'nginx:1.28');
  });

  it('Recreate strategy replaces all pods at once', async () => {
    await sim.create(sim.kinds.deployments, deployment('rec', 2, { strategy: { type: 'Recreate' } }));
    await eventually('rec ready', async () => (await sim.get<Workload>(sim.kinds.deployments, 'default', 'rec'))?.status?.availableReplicas === 2);
    await sim.update<Workload>(sim.kinds.deployments, 'default', 'rec', (d) => void (d.spec!.template!.spec!.containers[0]!.image = 'nginx:2'));
    await eventually('rec rolled', async () => {
      const d = await sim.get<Workload>(sim.kinds.deployments, 'default', 'rec');
      const pods = await sim.list<Pod>(sim.kinds.pods, 'default', { app: 'rec' });
      return d?.status?.updatedReplicas === 2 && d.status.availableReplicas === 2 && pods.length === 2 && pods.every((p) => p.spec!.containers[0]!.image === 'nginx:2');
    });
  });

  it('leaves pods that do not fit Pending with the scheduler message', async () => {
    await sim.create(sim.kinds.deployments, deployment('big', 1, { requests: { cpu: '100' } }));
    const pod = await eventually('unschedulable pod', async () => {
      const [p] = await sim.list<Pod>(sim.kinds.pods, 'default', { app: 'big' });
      return p && cond(p, 'PodScheduled')?.status === 'False' ? p : undefined;
    });
    assert.equal(pod.status!.phase, 'Pending');
    assert.equal(pod.spec!.nodeName, undefined);
    const c = cond(pod, 'PodScheduled')!;
    assert.equal(c.reason, 'Unschedulable');
    assert.match(c.message!, /^0\/3 nodes are available: 3 Insufficient cpu\. preemption: /);
    const d = await eventually('big unavailable', async () => {
      const d = await sim.get<Workload>(sim.kinds.deployments, 'default', 'big');
      return d?.status?.unavailableReplicas === 1 ? d : undefined;
    });
    assert.equal(cond(d, 'Available')?.status, 'False');

    await sim.create(sim.kinds.deployments, deployment('picky', 1, { nodeSelector: { disk: 'ssd' } }));
    const picky = await eventually('picky unschedulable', async () => {
      const [p] = await sim.list<Pod>(sim.kinds.pods, 'default', { app: 'picky' });
      return p && cond(p, 'PodScheduled')?.status === 'False' ? p : undefined;
    });
    assert.match(cond(picky, 'PodScheduled')!.message!, /^0\/3 nodes are available: 3 node\(s\) didn't match Pod's node affinity\/selector\./);
    // Labelling a node makes room: the pending pod is retried and bound.
    await sim.update<Node>(sim.kinds.nodes, undefined, 'sim-node-1', (n) => void (n.metadata!.labels!.disk = 'ssd'));
    const bound = await eventually('picky bound', async () => {
      const [p] = await sim.list<Pod>(sim.kinds.pods, 'default', { app: 'picky' });
      return p?.status?.phase === 'Running' ? p : undefined;
    });
    assert.equal(bound.spec!.nodeName, 'sim-node-1');
    await sim.delete(sim.kinds.deployments, 'default', 'big');
    await sim.delete(sim.kinds.deployments, 'default', 'picky');
  });

  it('runs a StatefulSet in order and rolls it', async () => {
    await sim.create(sim.kinds.statefulSets, {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'default' },
      spec: {
        serviceName: 'db',
        replicas: 3,
        selector: { matchLabels: { app: 'db' } },
        template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'pg', image: 'postgres:16' }] } },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    });
    const s = await eventually('sts ready', async () => {
      const s = await sim.get<Workload>(sim.kinds.statefulSets, 'default', 'db');
      return s?.status?.readyReplicas === 3 && s.status.availableReplicas === 3 ? s : undefined;
    });
    assert.equal(s.status!.replicas, 3);
    assert.equal(s.status!.currentReplicas, 3);
    assert.equal(s.status!.updatedReplicas, 3);
    assert.equal(s.status!.currentRevision, s.status!.updateRevision);
    assert.equal(s.status!.observedGeneration, 1);
    const pods = await sim.list<Pod>(sim.kinds.pods, 'default', { app: 'db' });
    assert.deepEqual(pods.map((p) => p.metadata!.name).sort(), ['db-0', 'db-1', 'db-2']);
    assert.equal(pods.find((p) => p.metadata!.name === 'db-1')!.spec!.hostname, 'db-1');
    const pvc = await sim.get(sim.kinds.persistentVolumeClaims, 'default', 'data-db-0');
    assert.equal((pvc?.status as { phase?: string } | undefined)?.phase, 'Bound');
    // Ordinal order: db-1 was created after db-0 was running.
    const t = (n: string) => Date.parse(pods.find((p) => p.metadata!.name === n)!.metadata!.creationTimestamp!);
    assert.ok(t('db-0') <= t('db-1') && t('db-1') <= t('db-2'));

    await sim.update<Workload>(sim.kinds.statefulSets, 'default', 'db', (x) => void (x.spec!.template!.spec!.containers[0]!.image = 'postgres:17'));
    const rolled = await eventually('sts rolled', async () => {
      const x = await sim.get<Workload>(sim.kinds.statefulSets, 'default', 'db');
      return x?.status?.observedGeneration === 2 && x.status.updatedReplicas === 3 && x.status.readyReplicas === 3 && x.status.currentRevision === x.status.updateRevision ? x : undefined;
    });
    assert.notEqual(rolled.status!.updateRevision, s.status!.updateRevision);
    for (const p of await sim.list<Pod>(sim.kinds.pods, 'default', { app: 'db' })) assert.equal(p.spec!.containers[0]!.image, 'postgres:17');
    const revisions = await sim.list(sim.kinds.controllerRevisions, 'default', { app: 'db' });
    assert.equal(revisions.length, 2);
  });

  it('runs a DaemonSet pod on every node', async () => {
    await sim.create(sim.kinds.daemonSets, {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: 'default' },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'busybox' }] } } },
    });
    const ds = await eventually('ds ready', async () => {
      const ds = await sim.get<Workload>(sim.kinds.daemonSets, 'default', 'agent');
      return ds?.status?.numberReady === 3 ? ds : undefined;
    });
    assert.equal(ds.status!.desiredNumberScheduled, 3);
    assert.equal(ds.status!.currentNumberScheduled, 3);
    assert.equal(ds.status!.updatedNumberScheduled, 3);
    assert.equal(ds.status!.numberAvailable, 3);
    assert.equal(ds.status!.numberMisscheduled, 0);
    assert.equal((ds.spec as { updateStrategy?: { type?: string } }).updateStrategy?.type, 'RollingUpdate');
    const pods = await sim.list<Pod>(sim.kinds.pods, 'default', { app: 'agent' });
    assert.deepEqual(pods.map((p) => p.spec!.nodeName).sort(), ['sim-node-0', 'sim-node-1', 'sim-node-2']);
  });

  it('runs a Job to completion', async () => {
    await sim.create(sim.kinds.jobs, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'pi', namespace: 'default' },
      spec: { completions: 3, parallelism: 2, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] } } },
    });
    const job = await eventually('job complete', async () => {
      const j = await sim.get<Workload>(sim.kinds.jobs, 'default', 'pi');
      return cond(j ?? {}, 'Complete')?.status === 'True' ? j : undefined;
    });
    assert.equal(job!.status!.succeeded, 3);
    assert.equal(job!.status!.active, undefined);
    assert.ok(job!.status!.startTime && job!.status!.completionTime);
    assert.equal(cond(job!, 'SuccessCriteriaMet')?.status, 'True');
    const uid = job!.metadata!.uid!;
    assert.deepEqual((job!.spec!.selector as { matchLabels: Record<string, string> }).matchLabels, { 'batch.kubernetes.io/controller-uid': uid });
    const pods = await sim.list<Pod>(sim.kinds.pods, 'default', { 'job-name': 'pi' });
    assert.equal(pods.filter((p) => p.status?.phase === 'Succeeded').length, 3);
    assert.equal(pods[0]!.status!.containerStatuses![0]!.state!.terminated!.reason, 'Completed');
  });

  it('allocates cluster IPs and node ports in the create response and keeps them', async () => {
    const res = await sim.call('POST', '/api/v1/namespaces/default/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80 }] },
    });
    assert.equal(res.status, 201, JSON.stringify(res.json));
    const spec = res.json.spec;
    assert.match(spec.clusterIP, /^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/);
    assert.deepEqual(spec.clusterIPs, [spec.clusterIP]);
    assert.ok(spec.ports[0].nodePort >= 30000 && spec.ports[0].nodePort <= 32767);
    assert.equal(spec.ports[0].targetPort, 80);
    assert.equal(spec.ports[0].protocol, 'TCP');
    // A PUT without clusterIP/nodePort (as kubectl replace or Karmada would send) keeps them.
    const put = await sim.call('PUT', '/api/v1/namespaces/default/services/web', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', resourceVersion: res.json.metadata.resourceVersion },
      spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80 }] },
    });
    assert.equal(put.status, 200, JSON.stringify(put.json));
    assert.equal(put.json.spec.clusterIP, spec.clusterIP);
    assert.equal(put.json.spec.ports[0].nodePort, spec.ports[0].nodePort);
    const change = await sim.call('PUT', '/api/v1/namespaces/default/services/web', { ...put.json, spec: { ...put.json.spec, clusterIP: '10.96.0.99', clusterIPs: ['10.96.0.99'] } });
    assert.equal(change.status, 422);
    const headless = await sim.call('POST', '/api/v1/namespaces/default/services', {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'db' }, spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 5432 }] },
    });
    assert.equal(headless.json.spec.clusterIP, 'None');
    // Endpoints and EndpointSlices follow the selected pods.
    const ep = await eventually('endpoints', async () => {
      const ep = await sim.get(sim.kinds.endpoints, 'default', 'web');
      const addrs = (ep?.subsets as { addresses?: unknown[] }[] | undefined)?.[0]?.addresses;
      return addrs?.length === 4 ? ep : undefined;
    });
    assert.ok(ep);
    const slices = await sim.list(sim.kinds.endpointSlices, 'default', { 'kubernetes.io/service-name': 'web' });
    assert.equal(slices.length, 1);
    assert.equal((slices[0]!.endpoints as unknown[]).length, 4);
    const lb = await sim.call('POST', '/api/v1/namespaces/default/services', {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'lb' }, spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80 }] },
    });
    assert.equal(lb.status, 201);
    await eventually('lb ingress', async () => {
      const s = await sim.get(sim.kinds.services, 'default', 'lb');
      return (s?.status as { loadBalancer?: { ingress?: { ip: string }[] } } | undefined)?.loadBalancer?.ingress?.[0]?.ip;
    });
  });

  it('fails a node: NotReady, taints, pods evicted and recreated elsewhere; heals', async () => {
    const before = running(await sim.list<Pod>(sim.kinds.pods, 'default', { app: 'web' }));
    const victim = before[0]!.spec!.nodeName!;
    const onVictim = before.filter((p) => p.spec!.nodeName === victim).map((p) => p.metadata!.name);
    await sim.update<Node>(sim.kinds.nodes, undefined, victim, (n) => void (n.metadata!.annotations![FAIL_ANNOTATION] = 'true'));
    const failed = await eventually('node unknown', async () => {
      const n = await sim.get<Node>(sim.kinds.nodes, undefined, victim);
      return cond(n!, 'Ready')?.status === 'Unknown' && n!.spec?.taints?.length === 2 ? n : undefined;
    });
    assert.equal(cond(failed, 'Ready')!.reason, 'NodeStatusUnknown');
    assert.equal(cond(failed, 'Ready')!.message, 'Kubelet stopped posting node status.');
    assert.deepEqual(failed.spec!.taints!.map((t) => `${t.key}:${t.effect}`).sort(), [`${TAINT_UNREACHABLE}:NoExecute`, `${TAINT_UNREACHABLE}:NoSchedule`]);
    // After the 1 s eviction timeout the web pods are gone from the node and replaced on the others.
    await eventually('web pods moved', async () => {
      const pods = running(await sim.list<Pod>(sim.kinds.pods, 'default', { app: 'web' }));
      return pods.length === 4 && pods.every((p) => p.spec!.nodeName !== victim) && !pods.some((p) => onVictim.includes(p.metadata!.name));
    });
    await eventually('deployment ready again', async () => (await sim.get<Workload>(sim.kinds.deployments, 'default', 'web'))?.status?.readyReplicas === 4);
    // The daemon pod tolerates the taint and stays; it is not ready while the node is down.
    const agents = await sim.list<Pod>(sim.kinds.pods, 'default', { app: 'agent' });
    const agent = agents.find((p) => p.spec!.nodeName === victim)!;
    assert.ok(agent, 'daemon pod stays on the failed node');
    assert.equal(isPodReady(agent), false);
    // StatefulSet pods are evicted too and come back under the same name elsewhere.
    await eventually('sts ready again', async () => {
      const pods = running(await sim.list<Pod>(sim.kinds.pods, 'default', { app: 'db' }));
      return pods.length === 3 && pods.every((p) => p.spec!.nodeName !== victim);
    });

    await sim.update<Node>(sim.kinds.nodes, undefined, victim, (n) => void delete n.metadata!.annotations![FAIL_ANNOTATION]);
    const healed = await eventually('node healed', async () => {
      const n = await sim.get<Node>(sim.kinds.nodes, undefined, victim);
      return cond(n!, 'Ready')?.status === 'True' && !n!.spec?.taints?.length ? n : undefined;
    });
    assert.equal(cond(healed, 'Ready')!.reason, 'KubeletReady');
    await eventually('daemon pod ready again', async () => {
      const ds = await sim.get<Workload>(sim.kinds.daemonSets, 'default', 'agent');
      return ds?.status?.numberReady === 3;
    });
  });
});

describe('kube-sim CronJob', () => {
  it('creates a Job per scheduled time and reports it', async () => {
    // The simulation clock runs 61 s ahead, so the first minute boundary after creation has passed.
    const sim = await startSim({ name: 'cron', nodes: 1, now: () => Date.now() + 61_000 });
    try {
      await sim.create(sim.kinds.cronJobs, {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: { name: 'tick', namespace: 'default' },
        spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } } },
      });
      const cj = await eventually('cronjob ran a job to completion', async () => {
        const cj = await sim.get(sim.kinds.cronJobs, 'default', 'tick');
        const s = cj?.status as { lastScheduleTime?: string; lastSuccessfulTime?: string } | undefined;
        return s?.lastScheduleTime && s.lastSuccessfulTime ? cj : undefined;
      });
      assert.equal((cj.spec as { concurrencyPolicy?: string }).concurrencyPolicy, 'Allow');
      const jobs = await sim.list<Workload>(sim.kinds.jobs, 'default');
      assert.equal(jobs.length, 1);
      assert.match(jobs[0]!.metadata!.name!, /^tick-\d+$/);
      assert.equal(jobs[0]!.metadata!.ownerReferences![0]!.kind, 'CronJob');
    } finally {
      await sim.stop();
    }
  });
});

describe('kube-sim data dir', () => {
  it('keeps the kube-system UID (cluster ID) and nodes across restarts', async () => {
    const first = await startSim({ name: 'keep', nodes: 2 });
    const id = await first.cluster.clusterID();
    const nodeUID = (await first.get(first.kinds.nodes, undefined, 'keep-node-0'))!.metadata!.uid;
    await first.stop({ keepData: true });
    const second = await startSim({ name: 'keep', nodes: 3, dataDir: first.dataDir });
    try {
      assert.equal(await second.cluster.clusterID(), id);
      assert.equal((await second.get(second.kinds.nodes, undefined, 'keep-node-0'))!.metadata!.uid, nodeUID);
      assert.equal((await second.list(second.kinds.nodes)).length, 3);
    } finally {
      await second.stop();
      const { rmSync } = await import('node:fs');
      rmSync(first.dataDir, { recursive: true, force: true });
    }
  });
});
