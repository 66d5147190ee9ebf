// Process-level test harness: start real binaries on loopback with free ports, run real kubectl.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const DIST = path.join(REPO_ROOT, 'dist');

/** A free TCP port on 127.0.0.1 (bind to 0, read it, release it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

import { waitFor } from '../../pkg/util/wait.js';

export { waitFor };

export interface ApiServerProcess {
  dataDir: string;
  port: number;
  kubeconfig: string;
  url: string;
  proc: ChildProcess;
  logs(): string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
  /** Start again on the same data dir and port. */
  restart(): Promise<void>;
  cleanup(): Promise<void>;
}

export async function startApiServer(
  opts: {
    dataDir?: string;
    port?: number;
    extraArgs?: string[];
    /** File name of the admin kubeconfig in the data dir (default karmada.config): servers sharing a data dir need distinct ones. */
    kubeconfigName?: string;
  } = {},
): Promise<ApiServerProcess> {
  const dataDir = opts.dataDir ?? tempDir('karmada-apiserver');
  const port = opts.port ?? (await freePort());
  const kubeconfig = path.join(dataDir, opts.kubeconfigName ?? 'karmada.config');
  let output = '';
  const launch = async (): Promise<ChildProcess> => {
    rmSync(kubeconfig, { force: true });
    const proc = spawn(
      process.execPath,
      [path.join(DIST, 'cmd/karmada-apiserver/main.js'), '--data-dir', dataDir, '--secure-port', String(port), '--bind-address', '127.0.0.1', '--kubeconfig-out', kubeconfig, ...(opts.extraArgs ?? [])],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' } },
    );
    proc.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    proc.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    let exited = false;
    proc.once('exit', () => (exited = true));
    await waitFor('karmada-apiserver to write its kubeconfig', () => {
      if (exited) throw new Error(`karmada-apiserver exited early:\n${output}`);
      return existsSync(kubeconfig) || undefined;
    });
    return proc;
  };
  const waitExit = (p: ChildProcess) => new Promise<void>((resolve) => (p.exitCode !== null || p.signalCode !== null ? resolve() : p.once('exit', () => resolve())));
  const handle: ApiServerProcess = {
    dataDir,
    port,
    kubeconfig,
    url: `https://127.0.0.1:${port}`,
    proc: await launch(),
    logs: () => output,
    async stop() {
      handle.proc.kill('SIGTERM');
      await waitExit(handle.proc);
    },
    async kill() {
      handle.proc.kill('SIGKILL');
      await waitExit(handle.proc);
    },
    async restart() {
      handle.proc = await launch();
    },
    async cleanup() {
      if (handle.proc.exitCode === null && handle.proc.signalCode === null) await handle.stop();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, optionally feeding stdin. */
export function run(cmd: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    if (opts.input !== undefined) p.stdin.end(opts.input);
    else p.stdin.end();
  });
}

/** kubectl against a kubeconfig; throws with kubectl's output when it fails unless allowFail. */
export function kubectlFor(kubeconfig: string) {
  return async (args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; allowFail?: boolean } = {}): Promise<CommandResult> => {
    const r = await run('kubectl', ['--kubeconfig', kubeconfig, ...args], { input: opts.input, env: opts.env });
    if (r.code !== 0 && !opts.allowFail) {
      throw new Error(`kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}${r.stdout}`);
    }
    return r;
  };
}
