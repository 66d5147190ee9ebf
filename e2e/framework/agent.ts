// The real karmada-agent binary as a child process, for pull-mode tests (kill -9 included).

import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { DIST } from './process.js';

export interface AgentProcess {
  logs(): string;
  /** SIGKILL: no flush, no goodbye — what a power cut does. */
  kill9(): Promise<void>;
  /** Starts it again with the same flags and data dir. */
  start(): void;
  stop(): Promise<void>;
}

export function startAgent(opts: { karmadaKubeconfig: string; clusterName: string; memberKubeconfig: string; dataDir: string; extraArgs?: string[] }): AgentProcess {
  let output = '';
  let proc: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const start = () => {
    const p = spawn(
      process.execPath,
      [
        path.join(DIST, 'cmd/karmada-agent/main.js'),
        '--karmada-kubeconfig', opts.karmadaKubeconfig,
        '--cluster-name', opts.clusterName,
        '--kubeconfig', opts.memberKubeconfig,
        '--data-dir', opts.dataDir,
        ...(opts.extraArgs ?? []),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' } },
    );
    p.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    p.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    proc = p;
  };
  const signal = async (sig: NodeJS.Signals) => {
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill(sig);
    await exited;
  };
  start();
  return {
    logs: () => output,
    kill9: () => signal('SIGKILL'),
    start,
    async stop() {
      const t = setTimeout(() => proc?.kill('SIGKILL'), 15_000);
      await signal('SIGTERM');
      clearTimeout(t);
    },
  };
}
