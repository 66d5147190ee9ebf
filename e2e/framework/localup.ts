// `karmada local-up` as a child process for process-level tests: the control plane and kube-sim members
// in one process, with kubectl helpers for the control plane and each member.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { DIST, freePort, kubectlFor, tempDir, waitFor } from './process.js';

export interface LocalUp {
  dir: string;
  port: number;
  karmadaConfig: string;
  membersConfig: string;
  /** kubectl against the karmada-apiserver. */
  kubectl: ReturnType<typeof kubectlFor>;
  /** kubectl against one member (its context in members.config). */
  member(name: string): ReturnType<typeof kubectlFor>;
  logs(): string;
  /** Stops the process (SIGTERM) and starts it again on the same data dir and port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startLocalUp(opts: { members?: number; extraArgs?: string[] } = {}): Promise<LocalUp> {
  const dir = tempDir('karmada-e2e');
  const port = await freePort();
  const karmadaConfig = path.join(dir, 'karmada.config');
  const membersConfig = path.join(dir, 'members.config');
  let output = '';
  let proc: ChildProcess;
  let exited: Promise<void>;

  const launch = async () => {
    proc = spawn(
      process.execPath,
      [path.join(DIST, 'cmd/karmada/main.js'), 'local-up', '--data-dir', dir, '--port', String(port), '--members', String(opts.members ?? 2), ...(opts.extraArgs ?? [])],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' } },
    );
    const p = proc;
    p.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    p.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    const readyMarks = output.split('Karmada is ready').length;
    await waitFor(
      'karmada local-up to be ready',
      () => {
        if (p.exitCode !== null) throw new Error(`karmada local-up exited early (${p.exitCode}):\n${output}`);
        return (existsSync(membersConfig) && output.split('Karmada is ready').length > readyMarks) || undefined;
      },
      150_000,
      200,
    );
  };
  const terminate = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(t);
    }
  };

  try {
    await launch();
  } catch (err) {
    proc!.kill('SIGKILL');
    await exited!;
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const memberKubectl = kubectlFor(membersConfig);
  return {
    dir,
    port,
    karmadaConfig,
    membersConfig,
    kubectl: kubectlFor(karmadaConfig),
    member: (name) => (args, o) => memberKubectl(['--context', name, ...args], o),
    logs: () => output,
    async restart() {
      await terminate();
      await launch();
    },
    async stop() {
      await terminate();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
