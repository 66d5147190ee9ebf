// Benchmark: N Deployments, each with its own PropagationPolicy (static weights 1:1 over the members), to M
// kube-sim clusters, with every component in its own process as in production: karmada-apiserver,
// karmada-controller-manager, karmada-scheduler and one kube-sim process holding the members.
//
//   node dist/hack/bench/propagation.js [--deployments 1000] [--members 2] [--nodes 0 (auto)]
//                                       [--concurrency 16] [--keep]
//
// Reports, from the first create: time until every Work is Applied and until every template's status is
// aggregated (readyReplicas = replicas, observedGeneration = generation), per-object latency p50/p99 of
// both (object create → its last Work Applied / its status aggregated), and peak RSS (VmHWM) of each
// process. Linux (/proc) only.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateWorkName } from '../../pkg/apis/work/v1alpha2/wellknown.js';
import { ObjectClient } from '../../pkg/runtime/client.js';
import { gvr } from '../../pkg/runtime/gvr.js';
import { Informer } from '../../pkg/runtime/informer.js';
import { RestClient } from '../../pkg/runtime/rest.js';
import type { KubeObject } from '../../pkg/runtime/types.js';
import { WORKS } from '../../pkg/util/clusterapi.js';

const args = process.argv.slice(2);
const flag = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : dflt;
};
const N = Number(flag('deployments', '1000'));
const M = Number(flag('members', '2'));
const CONCURRENCY = Number(flag('concurrency', '16'));
const REPLICAS = M; // one pod per member
// kube-sim nodes hold 110 pods each; leave headroom
const NODES = Number(flag('nodes', '0')) || Math.max(3, Math.ceil((N * 1.3) / 110));
const KEEP = args.includes('--keep');
const NAMESPACE = 'bench';
const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DEPLOYMENTS = gvr('apps', 'v1', 'deployments');
const POLICIES = gvr('policy.karmada.io', 'v1alpha1', 'propagationpolicies');

const log = (msg: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

interface Proc {
  name: string;
  proc: ChildProcess;
  output: () => string;
}

function start(name: string, main: string, argv: string[]): Proc {
  let out = '';
  const proc = spawn(process.execPath, [path.join(DIST, main), ...argv], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' } });
  const keep = (b: Buffer) => {
    out += b.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  proc.once('exit', (code, signal) => {
    if (!stopping) log(`${name} exited (${code ?? signal}):\n${out.slice(-3000)}`);
  });
  return { name, proc, output: () => out };
}

let stopping = false;

function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime + stime in USER_HZ ticks
  } catch {
    return 0;
  }
}

function peakRssMiB(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    return Math.round(Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}

async function waitFile(file: string, what: string, p: Proc, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (p.proc.exitCode !== null) throw new Error(`${p.name} exited before ${what}:\n${p.output().slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function runToEnd(main: string, argv: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [path.join(DIST, main), ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (b: Buffer) => (out += b.toString()));
    p.stderr.on('data', (b: Buffer) => (out += b.toString()));
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${main} ${argv.join(' ')} failed (${code}):\n${out}`))));
  });
}

async function pool(count: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await fn(next++);
    }),
  );
}

function pct(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

const fmtS = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-propagation-'));
  const procs: Proc[] = [];
  const stopAll = async () => {
    stopping = true;
    await Promise.all(
      procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.proc.exitCode !== null || p.proc.signalCode !== null) return resolve();
            p.proc.once('exit', () => resolve());
            p.proc.kill('SIGTERM');
            setTimeout(() => p.proc.kill('SIGKILL'), 10_000).unref();
          }),
      ),
    );
    if (!KEEP) rmSync(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    log(`${N} Deployments × ${M} members (${NODES} nodes each), data in ${dir}`);
    const karmadaConfig = path.join(dir, 'karmada.config');
    const api = start('karmada-apiserver', 'cmd/karmada-apiserver/main.js', ['--data-dir', path.join(dir, 'karmada'), '--secure-port', '0', '--kubeconfig-out', karmadaConfig]);
    procs.push(api);
    const memberDir = path.join(dir, 'members');
    const sim = start('kube-sim', 'cmd/kube-sim/main.js', ['--clusters', String(M), '--nodes', String(NODES), '--data-dir', memberDir, '--kubeconfig-dir', memberDir, '--kubeconfig-out', path.join(dir, 'members.config')]);
    procs.push(sim);
    await waitFile(karmadaConfig, 'the karmada kubeconfig', api);
    await waitFile(path.join(dir, 'members.config'), 'the members', sim, 300_000);
    log('control plane and members up; joining');
    for (let i = 1; i <= M; i++) {
      await runToEnd('cmd/karmadactl/main.js', ['join', `member${i}`, '--kubeconfig', karmadaConfig, '--cluster-kubeconfig', path.join(memberDir, `member${i}.config`)]);
    }
    const cm = start('karmada-controller-manager', 'cmd/karmada-controller-manager/main.js', ['--kubeconfig', karmadaConfig, '--leader-elect=false', '--cluster-status-update-frequency', '5s']);
    const sched = start('karmada-scheduler', 'cmd/karmada-scheduler/main.js', ['--kubeconfig', karmadaConfig, '--leader-elect=false']);
    procs.push(cm, sched);

    const client = new ObjectClient(RestClient.fromFile(karmadaConfig));
    const clusters = client.resource(gvr('cluster.karmada.io', 'v1alpha1', 'clusters', false));
    for (const deadline = Date.now() + 120_000; ; ) {
      const list = await clusters.list();
      const ready = list.items.filter((c) => (c.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'));
      if (ready.length === M) break;
      if (Date.now() > deadline) throw new Error(`only ${ready.length}/${M} clusters Ready after 120 s`);
      await new Promise((r) => setTimeout(r, 500));
    }
    log('members Ready; creating objects');
    await client.resource(gvr('', 'v1', 'namespaces', false)).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });

    const created = new Map<string, number>();
    const appliedWorks = new Map<string, Set<string>>();
    const appliedAt = new Map<string, number>();
    const statusAt = new Map<string, number>();
    const workToName = new Map<string, string>();
    for (let i = 0; i < N; i++) workToName.set(generateWorkName('Deployment', `nginx-${i}`, NAMESPACE), `nginx-${i}`);

    const works = new Informer<KubeObject>({ client, gvr: WORKS });
    const onWork = (w: KubeObject) => {
      const name = workToName.get(w.metadata?.name ?? '');
      if (!name || appliedAt.has(name)) return;
      const applied = ((w as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions ?? []).some((c) => c.type === 'Applied' && c.status === 'True');
      if (!applied) return;
      const set = appliedWorks.get(name) ?? new Set<string>();
      set.add(w.metadata!.namespace!);
      appliedWorks.set(name, set);
      if (set.size === M) appliedAt.set(name, Date.now());
    };
    works.addEventHandler({ onAdd: onWork, onUpdate: (_o, n) => onWork(n) });
    const deployments = new Informer<KubeObject>({ client, gvr: DEPLOYMENTS, namespace: NAMESPACE });
    const onDeploy = (d: KubeObject) => {
      const name = d.metadata?.name ?? '';
      if (statusAt.has(name)) return;
      const st = (d as { status?: { readyReplicas?: number; observedGeneration?: number } }).status;
      if (st?.readyReplicas === REPLICAS && st.observedGeneration === d.metadata?.generation) statusAt.set(name, Date.now());
    };
    deployments.addEventHandler({ onAdd: onDeploy, onUpdate: (_o, n) => onDeploy(n) });
    works.start();
    deployments.start();
    await Promise.all([works.waitForSync(), deployments.waitForSync()]);

    const policies = client.resource(POLICIES);
    const deploys = client.resource(DEPLOYMENTS);
    const weights = Array.from({ length: M }, (_, i) => ({ targetCluster: { clusterNames: [`member${i + 1}`] }, weight: 1 }));
    const cpu0 = new Map(procs.map((p) => [p.name, cpuSeconds(p.proc.pid)]));
    const t0 = Date.now();
    await pool(N, CONCURRENCY, async (i) => {
      const name = `nginx-${i}`;
      await policies.create({
        apiVersion: 'policy.karmada.io/v1alpha1',
        kind: 'PropagationPolicy',
        metadata: { name, namespace: NAMESPACE },
        spec: {
          resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name }],
          placement: { replicaScheduling: { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Weighted', weightPreference: { staticWeightList: weights } } },
        },
      } as KubeObject);
      created.set(name, Date.now());
      await deploys.create({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace: NAMESPACE, labels: { app: name } },
        spec: {
          replicas: REPLICAS,
          selector: { matchLabels: { app: name } },
          template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'nginx', image: 'nginx', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } },
        },
      } as KubeObject);
      created.set(name, Date.now());
    });
    const tCreated = Date.now();
    log(`created ${N} policies and ${N} deployments in ${fmtS(tCreated - t0)}`);

    let lastLog = 0;
    const deadline = Date.now() + Math.max(300_000, N * 200);
    while (appliedAt.size < N || statusAt.size < N) {
      if (Date.now() > deadline) break;
      if (Date.now() - lastLog > 5000) {
        lastLog = Date.now();
        log(`works applied for ${appliedAt.size}/${N}, statuses aggregated ${statusAt.size}/${N}`);
      }
      for (const p of procs) if (p.proc.exitCode !== null) throw new Error(`${p.name} exited during the run`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const lat = (m: Map<string, number>) => [...m.entries()].map(([n, t]) => t - (created.get(n) ?? t0)).sort((a, b) => a - b);
    const appliedLat = lat(appliedAt);
    const statusLat = lat(statusAt);
    const allApplied = appliedAt.size === N ? Math.max(...appliedAt.values()) - t0 : NaN;
    const allStatus = statusAt.size === N ? Math.max(...statusAt.values()) - t0 : NaN;
    const rss = procs.map((p) => [p.name, peakRssMiB(p.proc.pid)] as const);
    const cpu = procs.map((p) => [p.name, cpuSeconds(p.proc.pid) - (cpu0.get(p.name) ?? 0)] as const);
    works.stop();
    deployments.stop();
    client.close();

    const lines = [
      '',
      `propagation: ${N} Deployments × ${M} members (each with its own PropagationPolicy, static weights, ${REPLICAS} replicas)`,
      `  creates (policy + deployment, concurrency ${CONCURRENCY}): ${fmtS(tCreated - t0)}`,
      `  all Works applied:        ${Number.isNaN(allApplied) ? `NOT REACHED (${appliedAt.size}/${N})` : fmtS(allApplied)}   per object p50 ${fmtS(pct(appliedLat, 0.5))}, p99 ${fmtS(pct(appliedLat, 0.99))}`,
      `  all statuses aggregated:  ${Number.isNaN(allStatus) ? `NOT REACHED (${statusAt.size}/${N})` : fmtS(allStatus)}   per object p50 ${fmtS(pct(statusLat, 0.5))}, p99 ${fmtS(pct(statusLat, 0.99))}`,
      `  CPU seconds during the run: ${cpu.map(([n, c]) => `${n} ${c.toFixed(1)}`).join(', ')}`,
      `  peak RSS: ${rss.map(([n, r]) => `${n} ${r} MiB`).join(', ')}`,
      `  control plane (apiserver + controller-manager + scheduler): ${rss.filter(([n]) => n !== 'kube-sim').reduce((s, [, r]) => s + r, 0)} MiB`,
      '',
    ];
    process.stdout.write(lines.join('\n'));
  } finally {
    await stopAll();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
