// Starts a real, single-member etcd for tests (unit, e2e and the benchmark): /usr/bin/etcd (Debian's
// etcd-server) on loopback with free ports and a temporary data dir, stopped by the caller.
//
// A missing binary is an error, not a reason to skip: CI installs etcd-server (see .ci/run).

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** The etcd binary (ETCD_BIN overrides the Debian location). */
export const ETCD_BIN = process.env.ETCD_BIN ?? '/usr/bin/etcd';

export interface EtcdProcess {
  /** Client URL, e.g. http://127.0.0.1:23791. */
  endpoint: string;
  dataDir: string;
  proc: ChildProcess;
  /** etcd's recent output (stderr/stdout). */
  logs(): string;
  /** SIGTERM, wait for exit, remove the data dir (unless it was given). */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit; the data dir is kept, so restart() brings the same member back. */
  kill(): Promise<void>;
  /** Starts etcd again on the same ports and data dir (after kill()); resolves once it is healthy. */
  restart(): Promise<void>;
}

export interface StartEtcdOptions {
  /** Use this data dir (kept on stop) instead of a fresh temporary one (removed on stop). */
  dataDir?: string;
  /** Extra etcd flags, e.g. ['--auto-compaction-retention', '1000', '--auto-compaction-mode', 'revision']. */
  extraArgs?: string[];
  /** How long to wait for /health (default 30 s). */
  timeoutMs?: number;
  /**
   * Serve clients over TLS and require client certificates signed by caFile (PEM file paths). The
   * endpoint is then https://127.0.0.1:<port>.
   */
  tls?: { caFile: string; certFile: string; keyFile: string; clientCertFile: string; clientKeyFile: string };
}

/** A TCP port that was free on 127.0.0.1 a moment ago (bind to 0, read it, release it). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Throws a clear error when the etcd binary is not installed. */
export function requireEtcdBinary(): string {
  if (!existsSync(ETCD_BIN)) {
    throw new Error(
      `etcd is not installed: ${ETCD_BIN} does not exist. The etcd storage tests run against a real etcd; ` +
        `install etcd-server (Debian/Ubuntu: sudo apt-get install etcd-server) or set ETCD_BIN to an etcd 3.4+ binary.`,
    );
  }
  return ETCD_BIN;
}

async function healthy(endpoint: string, tls?: StartEtcdOptions['tls']): Promise<boolean> {
  if (!tls) {
    try {
      const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
      const body = (await res.json()) as { health?: string };
      return res.ok && body.health === 'true';
    } catch {
      return false;
    }
  }
  return new Promise<boolean>((resolve) => {
    const req = https.get(
      `${endpoint}/health`,
      { ca: readFileSync(tls.caFile), cert: readFileSync(tls.clientCertFile), key: readFileSync(tls.clientKeyFile), timeout: 1000 },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(res.statusCode === 200 && /"health":\s*"true"/.test(body)));
        res.on('error', () => resolve(false));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

export async function startEtcd(opts: StartEtcdOptions = {}): Promise<EtcdProcess> {
  const bin = requireEtcdBinary();
  const ownDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'karmada-etcd-'));
  const timeoutMs = opts.timeoutMs ?? 30_000;
  let output = '';
  let clientPort = 0;
  let peerPort = 0;

  const launch = async (): Promise<ChildProcess> => {
    const client = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${clientPort}`;
    const peer = `http://127.0.0.1:${peerPort}`;
    const proc = spawn(
      bin,
      [
        '--name', 'default',
        '--data-dir', dataDir,
        '--listen-client-urls', client,
        '--advertise-client-urls', client,
        '--listen-peer-urls', peer,
        '--initial-advertise-peer-urls', peer,
        '--initial-cluster', `default=${peer}`,
        '--logger', 'zap',
        '--log-level', 'warn',
        ...(opts.tls
          ? ['--cert-file', opts.tls.certFile, '--key-file', opts.tls.keyFile, '--trusted-ca-file', opts.tls.caFile, '--client-cert-auth']
          : []),
        ...(opts.extraArgs ?? []),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const append = (b: Buffer) => {
      output += b.toString();
      if (output.length > 256 * 1024) output = output.slice(-128 * 1024);
    };
    proc.stdout!.on('data', append);
    proc.stderr!.on('data', append);
    let exited = false;
    proc.once('exit', () => (exited = true));
    proc.once('error', (err) => {
      exited = true;
      output += `\nspawn ${bin}: ${err.message}`;
    });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (exited) throw new Error(`etcd exited before becoming healthy:\n${output.slice(-4096)}`);
      if (await healthy(client, opts.tls)) return proc;
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`etcd did not become healthy on ${client} within ${timeoutMs} ms:\n${output.slice(-4096)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  let proc: ChildProcess | undefined;
  // The ports are free when picked but another process may take them before etcd binds: retry.
  for (let attempt = 1; ; attempt++) {
    clientPort = await freeLoopbackPort();
    peerPort = await freeLoopbackPort();
    if (peerPort === clientPort) continue;
    try {
      proc = await launch();
      break;
    } catch (err) {
      const bindFailure = /address already in use|bind:/i.test(output);
      if (!bindFailure || attempt >= 5) {
        if (ownDir) rmSync(dataDir, { recursive: true, force: true });
        throw err;
      }
      output = '';
      // a failed first start may have initialised the member with the old peer URL: start afresh
      if (ownDir) {
        rmSync(dataDir, { recursive: true, force: true });
        mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      }
    }
  }

  // Never outlive the process that started it (a crashed or interrupted test run).
  const onExit = () => {
    try {
      handle.proc.kill('SIGKILL');
    } catch {
      // already gone
    }
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('exit', onExit);

  const waitExit = (p: ChildProcess) =>
    new Promise<void>((resolve) => (p.exitCode !== null || p.signalCode !== null ? resolve() : p.once('exit', () => resolve())));
  const handle: EtcdProcess = {
    endpoint: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${clientPort}`,
    dataDir,
    proc,
    logs: () => output,
    async stop() {
      const p = handle.proc;
      if (p.exitCode === null && p.signalCode === null) {
        p.kill('SIGTERM');
        const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
        await waitExit(p);
        clearTimeout(t);
      }
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
      process.removeListener('exit', onExit);
    },
    async kill() {
      handle.proc.kill('SIGKILL');
      await waitExit(handle.proc);
    },
    async restart() {
      if (handle.proc.exitCode === null && handle.proc.signalCode === null) await handle.kill();
      handle.proc = await launch();
    },
  };
  return handle;
}
