// Push-mode cluster lifecycle with real processes: karmada-apiserver, two kube-sim members,
// karmada-controller-manager, karmadactl and kubectl.
//   join -> Ready with version, mode, node and resource summaries -> a member goes down: Ready=False and
//   the not-ready NoSchedule taint within the thresholds -> it comes back: Ready, taint gone ->
//   cordon/uncordon/taint -> unjoin cleans up the control plane and the members.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Cluster } from '../pkg/apis/cluster/v1alpha1/index.js';
import { ObjectClient } from '../pkg/runtime/client.js';
import { RestClient } from '../pkg/runtime/rest.js';
import { CLUSTERS, ensureClusterAPI } from '../pkg/util/clusterapi.js';
import { DIST, freePort, kubectlFor, run, startApiServer, tempDir, waitFor, type ApiServerProcess, type CommandResult } from './framework/process.js';

interface Proc {
  proc: ChildProcess;
  logs(): string;
  stop(): Promise<void>;
}

function launch(args: string[], readyFile?: string): Promise<Proc> {
  let output = '';
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' } });
  proc.stdout!.on('data', (b: Buffer) => (output += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (output += b.toString()));
  let exited = false;
  proc.once('exit', () => (exited = true));
  const handle: Proc = {
    proc,
    logs: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
  if (!readyFile) return Promise.resolve(handle);
  return waitFor(`${path.basename(args[0]!)} to be ready`, () => {
    if (exited) throw new Error(`process exited early:\n${output}`);
    return existsSync(readyFile) || undefined;
  }).then(() => handle);
}

interface Member {
  name: string;
  port: number;
  dataDir: string;
  kubeconfig: string;
  proc?: Proc;
  start(): Promise<void>;
}

function member(name: string, port: number, root: string): Member {
  const m: Member = {
    name,
    port,
    dataDir: path.join(root, name),
    kubeconfig: path.join(root, `${name}.config`),
    async start() {
      rmSync(m.kubeconfig, { force: true });
      m.proc = await launch([path.join(DIST, 'cmd/kube-sim/main.js'), '--name', name, '--port', String(port), '--nodes', '3', '--node-cpu', '8', '--node-memory', '32Gi', '--data-dir', m.dataDir, '--kubeconfig-out', m.kubeconfig], m.kubeconfig);
    },
  };
  return m;
}

const karmadactl = (kubeconfig: string, args: string[]): Promise<CommandResult> => run(process.execPath, [path.join(DIST, 'cmd/karmadactl/main.js'), '--kubeconfig', kubeconfig, ...args], { timeoutMs: 120_000 });

/** Parses kubectl's column output into objects keyed by header. */
function table(stdout: string): Record<string, string>[] {
  const lines = stdout.trim().split('\n').filter(Boolean);
  if (!lines.length) return [];
  const header = lines[0]!.split(/\s{2,}/);
  return lines.slice(1).map((l) => Object.fromEntries(l.split(/\s{2,}/).map((v, i) => [header[i] ?? `col${i}`, v])));
}


// kube-sim is part of this build: a missing binary is a failure, not a reason to skip.
describe('cluster lifecycle (processes)', () => {
  let server: ApiServerProcess;
  let client: ObjectClient;
  let cm: Proc;
  let root: string;
  const members: Member[] = [];
  let kubectl: ReturnType<typeof kubectlFor>;
  let clusterAPI: 'native' | 'crd';

  before(async () => {
    root = tempDir('cluster-lifecycle');
    server = await startApiServer();
    client = new ObjectClient(RestClient.fromFile(server.kubeconfig));
    clusterAPI = await ensureClusterAPI(client);
    kubectl = kubectlFor(server.kubeconfig);
    for (const name of ['member1', 'member2']) {
      const m = member(name, await freePort(), root);
      await m.start();
      members.push(m);
    }
    cm = await launch([
      path.join(DIST, 'cmd/karmada-controller-manager/main.js'),
      '--kubeconfig',
      server.kubeconfig,
      '--cluster-status-update-frequency',
      '1s',
      '--cluster-success-threshold',
      '3s',
      '--cluster-failure-threshold',
      '3s',
    ]);
  });

  after(async () => {
    const failed = process.exitCode || process.env.E2E_DUMP_LOGS;
    if (failed && cm) process.stderr.write(`--- controller-manager logs ---\n${cm.logs().slice(-5000)}\n`);
    await cm?.stop();
    for (const m of members) await m.proc?.stop();
    client?.close();
    await server?.cleanup();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const getCluster = (name: string) => client.resource<Cluster>(CLUSTERS).getOrUndefined(name);
  const readyOf = (c: Cluster | undefined) => c?.status?.conditions?.find((x) => x.type === 'Ready')?.status;
  const taints = (c: Cluster | undefined) => (c?.spec?.taints ?? []).map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`);

  test('karmadactl join registers both members; kubectl shows them Ready with version and mode', async () => {
    for (const m of members) {
      const r = await karmadactl(server.kubeconfig, ['join', m.name, '--cluster-kubeconfig', m.kubeconfig, '--cluster-provider', 'kube-sim', '--cluster-region', 'r1']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), `cluster(${m.name}) is joined successfully`);
    }
    const again = await karmadactl(server.kubeconfig, ['join', 'member1', '--cluster-kubeconfig', members[0]!.kubeconfig]);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /^error: cluster "member1" already exists/);
    assert.equal(again.stderr.trim().split('\n').length, 1, 'one-line error');

    const rows = await waitFor(
      'both clusters Ready in kubectl get clusters',
      async () => {
        const r = await kubectl(['get', 'clusters']);
        const t = table(r.stdout);
        return t.length === 2 && t.every((row) => row.READY === 'True' && row.VERSION && row.MODE === 'Push') ? t : undefined;
      },
      60_000,
      250,
    );
    assert.deepEqual(
      rows.map((r) => r.NAME),
      ['member1', 'member2'],
    );
    assert.match(rows[0]!.VERSION!, /^v1\./);
    const ours = await karmadactl(server.kubeconfig, ['get', 'clusters']);
    assert.equal(ours.code, 0, ours.stderr);
    assert.deepEqual(Object.keys(table(ours.stdout)[0]!), ['NAME', 'VERSION', 'MODE', 'READY', 'AGE']);

    const c = await waitFor('summaries', async () => {
      const c = await getCluster('member1');
      return c?.status?.nodeSummary?.readyNum === 3 && c.status.resourceSummary?.allocatable ? c : undefined;
    });
    assert.deepEqual(c.status?.nodeSummary, { totalNum: 3, readyNum: 3 });
    assert.equal(c.status?.resourceSummary?.allocatable?.cpu, '24');
    assert.equal(c.status?.resourceSummary?.allocatable?.memory, '96Gi');
    assert.ok(c.status?.resourceSummary?.allocated?.pods !== undefined);
    assert.ok(c.status?.apiEnablements?.some((e) => e.groupVersion === 'apps/v1'));
    assert.equal(c.spec?.provider, 'kube-sim');
    assert.equal(c.spec?.region, 'r1');
    assert.ok(c.spec?.id);
    const es = await kubectl(['get', 'namespace', 'karmada-es-member1', '-o', 'name']);
    assert.equal(es.stdout.trim(), 'namespace/karmada-es-member1');
  });

  test('a stopped member turns Ready=False with the not-ready taint after the failure threshold, and recovers', async () => {
    const m = members[0]!;
    const stoppedAt = Date.now();
    await m.proc!.stop();
    const down = await waitFor(
      'member1 not ready and tainted',
      async () => {
        const c = await getCluster('member1');
        return readyOf(c) === 'False' && taints(c).includes('cluster.karmada.io/not-ready:NoSchedule') ? c : undefined;
      },
      30_000,
      200,
    );
    const took = Date.now() - stoppedAt;
    assert.ok(took >= 2500, `reported after the 3s failure threshold (took ${took} ms)`);
    assert.equal(down.status?.conditions?.find((x) => x.type === 'Ready')?.reason, 'ClusterNotReachable');
    assert.equal(readyOf(await getCluster('member2')), 'True', 'the other member is unaffected');
    const r = await kubectl(['get', 'clusters', 'member1']);
    assert.equal(table(r.stdout)[0]!.READY, 'False');

    await m.start();
    await waitFor(
      'member1 ready again without taint',
      async () => {
        const c = await getCluster('member1');
        return readyOf(c) === 'True' && !taints(c).some((t) => t.startsWith('cluster.karmada.io/not-ready')) ? c : undefined;
      },
      30_000,
      200,
    );
  });

  test('cordon, uncordon and taint', async () => {
    let r = await karmadactl(server.kubeconfig, ['cordon', 'member2']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'cluster/member2 cordoned');
    assert.ok(taints(await getCluster('member2')).includes('cluster.karmada.io/unschedulable:NoSchedule'));
    r = await karmadactl(server.kubeconfig, ['cordon', 'member2']);
    assert.equal(r.stdout.trim(), 'cluster/member2 already cordoned');
    r = await karmadactl(server.kubeconfig, ['uncordon', 'member2']);
    assert.equal(r.stdout.trim(), 'cluster/member2 uncordoned');
    assert.deepEqual(taints(await getCluster('member2')), []);

    r = await karmadactl(server.kubeconfig, ['taint', 'clusters', 'member2', 'dedicated=special-user:NoSchedule', 'gpu:NoExecute']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'cluster/member2 tainted');
    let c = await getCluster('member2');
    assert.deepEqual(taints(c).sort(), ['dedicated=special-user:NoSchedule', 'gpu:NoExecute']);
    assert.ok(c?.spec?.taints?.find((t) => t.key === 'gpu')?.timeAdded, 'NoExecute taints get timeAdded');
    r = await karmadactl(server.kubeconfig, ['taint', 'clusters', 'member2', 'dedicated=other:NoSchedule']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /--overwrite is false/);
    r = await karmadactl(server.kubeconfig, ['taint', 'clusters', 'member2', 'dedicated:NoSchedule-', 'gpu-']);
    assert.equal(r.stdout.trim(), 'cluster/member2 untainted');
    c = await getCluster('member2');
    assert.deepEqual(taints(c), []);

    for (const bad of [
      ['taint', 'clusters', 'member2', 'x=y:Sometimes'],
      ['taint', 'nodes', 'member2', 'x=y:NoSchedule'],
      ['cordon', 'nope'],
      ['taint', 'clusters', 'member2', 'missing-'],
    ]) {
      r = await karmadactl(server.kubeconfig, bad);
      assert.notEqual(r.code, 0, `${bad.join(' ')} should fail`);
      assert.match(r.stderr, /^error: /, bad.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line for ${bad.join(' ')}: ${r.stderr}`);
    }
  });

  test('a deleted PropagationPolicy is released by the controller manager', async () => {
    const policy = `apiVersion: policy.karmada.io/v1alpha1\nkind: PropagationPolicy\nmetadata:\n  name: short-lived\nspec:\n  resourceSelectors:\n    - apiVersion: apps/v1\n      kind: Deployment\n      name: web\n`;
    await kubectl(['apply', '-f', '-'], { input: policy });
    const finalizers = (await kubectl(['get', 'pp', 'short-lived', '-o', 'jsonpath={.metadata.finalizers}'])).stdout;
    assert.match(finalizers, /karmada.io\/propagation-policy-controller/);
    const r = await kubectl(['delete', 'pp', 'short-lived', '--timeout=30s']);
    assert.match(r.stdout, /deleted/);
    const gone = await kubectl(['get', 'pp', 'short-lived'], { allowFail: true });
    assert.notEqual(gone.code, 0);
  });

  test('unjoin cleans up the control plane and the members', async () => {
    for (const m of members) {
      const r = await karmadactl(server.kubeconfig, ['unjoin', m.name, '--cluster-kubeconfig', m.kubeconfig, '--wait', '60s']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), `cluster(${m.name}) is unjoined successfully`);
      assert.equal(await getCluster(m.name), undefined);
      const secrets = await kubectl(['get', 'secrets', '-n', 'karmada-cluster', '-o', 'name'], { allowFail: true });
      assert.doesNotMatch(secrets.stdout, new RegExp(`secret/${m.name}(-impersonator)?\\b`));
      const ns = await kubectl(['get', 'namespace', `karmada-es-${m.name}`], { allowFail: true });
      assert.notEqual(ns.code, 0, `execution namespace of ${m.name} is gone`);
      const mk = kubectlFor(m.kubeconfig);
      const sa = await mk(['get', 'serviceaccount', `karmada-${m.name}`, '-n', 'karmada-cluster'], { allowFail: true });
      assert.notEqual(sa.code, 0, 'member service account is gone');
      const role = await mk(['get', 'clusterrole', `karmada-controller-manager:karmada-${m.name}`], { allowFail: true });
      assert.notEqual(role.code, 0, 'member cluster role is gone');
      const binding = await mk(['get', 'clusterrolebinding', `karmada-controller-manager:karmada-${m.name}`], { allowFail: true });
      assert.notEqual(binding.code, 0, 'member cluster role binding is gone');
    }
    const r = await karmadactl(server.kubeconfig, ['unjoin', 'member1']);
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr.trim(), 'error: cluster "member1" not found');
    const left = await kubectl(['get', 'clusters', '-o', 'name']);
    assert.equal(left.stdout.trim(), '');
    process.stderr.write(`# cluster API served ${clusterAPI === 'native' ? 'natively by karmada-apiserver' : 'through the CRD stand-in'}\n`);
  });
});
