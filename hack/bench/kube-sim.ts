// Benchmark: start and idle cost of many simulated clusters (kube-sim), as one process (--clusters) or as
// one process per cluster, optionally with a Deployment per cluster.
//
//   node dist/hack/bench/kube-sim.js [--clusters 20] [--nodes 100] [--mode single|processes]
//                                    [--settle 30] [--idle 60] [--replicas 0]
//
// Reports: time until every kubeconfig exists (all clusters ready with Ready nodes), RSS after start, CPU
// seconds used over --idle seconds after --settle seconds, and with --replicas R the time until each
// cluster's Deployment of R replicas is available, plus RSS and idle CPU again. Linux (/proc) only.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const args = process.argv.slice(2);
const flag = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : dflt;
};
const clusters = Number(flag('clusters', '20'));
const nodes = Number(flag('nodes', '100'));
const mode = flag('mode', 'single');
const settle = Number(flag('settle', '30'));
const idle = Number(flag('idle', '60'));
const replicas = Number(flag('replicas', '0'));
const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../cmd/kube-sim/main.js');
const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));

const ticksPerSecond = 100; // USER_HZ on Linux
function cpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
  }
  return ticks / ticksPerSecond;
}
function rssMiB(pids: number[]): number {
  let kb = 0;
  for (const pid of pids) kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return Math.round(kb / 1024);
}

interface Context {
  name: string;
  server: string;
  agent: https.Agent;
}

function contexts(kubeconfigs: string[]): Context[] {
  const out: Context[] = [];
  for (const file of kubeconfigs) {
    const kc = parse(readFileSync(file, 'utf8')) as {
      clusters: { name: string; cluster: { server: string; 'certificate-authority-data': string } }[];
      users: { name: string; user: { 'client-certificate-data': string; 'client-key-data': string } }[];
    };
    for (const c of kc.clusters) {
      const u = kc.users.find((x) => x.name === c.name)!.user;
      const b = (s: string) => Buffer.from(s, 'base64').toString('utf8');
      out.push({
        name: c.name,
        server: c.cluster.server,
        agent: new https.Agent({ ca: b(c.cluster['certificate-authority-data']), cert: b(u['client-certificate-data']), key: b(u['client-key-data']), keepAlive: true }),
      });
    }
  }
  return out;
}

function call(ctx: Context, method: string, p: string, body?: unknown): Promise<{ status: number; json: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const url = new URL(p, ctx.server);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = https.request(
      { agent: ctx.agent, hostname: url.hostname, port: url.port, path: url.pathname, method, headers: { accept: 'application/json', ...(payload ? { 'content-type': 'application/json' } : {}) } },
      (res) => {
        let t = '';
        res.on('data', (c: Buffer) => (t += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, json: t ? JSON.parse(t) : undefined }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'kube-sim-bench-'));
  const procs: ChildProcess[] = [];
  const kubeconfigs: string[] = [];
  const started = Date.now();
  const launch = (extra: string[], kc: string) => {
    const p = spawn(process.execPath, [MAIN, '--nodes', String(nodes), '--kubeconfig-out', kc, ...extra], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, LOG_LEVEL: 'warn' } });
    procs.push(p);
    kubeconfigs.push(kc);
  };
  if (mode === 'single') launch(['--clusters', String(clusters)], path.join(dir, 'members.config'));
  else for (let i = 1; i <= clusters; i++) launch(['--name', `member${i}`], path.join(dir, `member${i}.config`));
  try {
    while (!kubeconfigs.every((f) => existsSync(f))) await sleep(0.1);
    const startSeconds = (Date.now() - started) / 1000;
    const pids = procs.map((p) => p.pid!);
    console.log(`mode=${mode} clusters=${clusters} nodes/cluster=${nodes}`);
    console.log(`start: ${startSeconds.toFixed(1)} s until all clusters are ready; RSS ${rssMiB(pids)} MiB`);
    const measureIdle = async (label: string) => {
      await sleep(settle);
      const before = cpuSeconds(pids);
      await sleep(idle);
      const used = cpuSeconds(pids) - before;
      console.log(`${label}: RSS ${rssMiB(pids)} MiB; CPU ${used.toFixed(2)} s over ${idle} s (${((used / idle) * 100).toFixed(2)}% of one core)`);
    };
    await measureIdle('idle');
    if (replicas > 0) {
      const ctxs = contexts(kubeconfigs);
      const t0 = Date.now();
      await Promise.all(
        ctxs.map((ctx) =>
          call(ctx, 'POST', '/apis/apps/v1/namespaces/default/deployments', {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: 'bench' },
            spec: {
              replicas,
              selector: { matchLabels: { app: 'bench' } },
              template: { metadata: { labels: { app: 'bench' } }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } },
            },
          }),
        ),
      );
      for (;;) {
        const ready = await Promise.all(ctxs.map(async (ctx) => (await call(ctx, 'GET', '/apis/apps/v1/namespaces/default/deployments/bench')).json?.status?.availableReplicas === replicas));
        if (ready.every(Boolean)) break;
        await sleep(0.5);
      }
      console.log(`deploy: ${clusters} x ${replicas} replicas available after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      await measureIdle(`idle with ${clusters * replicas} pods`);
      for (const c of ctxs) c.agent.destroy();
    }
  } finally {
    await Promise.all(procs.map((p) => new Promise<void>((r) => (p.exitCode !== null ? r() : (p.once('exit', () => r()), p.kill('SIGTERM'))))));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
