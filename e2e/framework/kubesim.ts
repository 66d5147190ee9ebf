// Starts the real kube-sim binary (one cluster or several) for process-level tests.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { DIST, freePort, tempDir, waitFor } from './process.js';

export interface KubeSimProcess {
  proc: ChildProcess;
  dir: string;
  kubeconfig: string;
  port: number;
  logs(): string;
  stop(): Promise<void>;
}

/** kube-sim --kubeconfig-out DIR/kubeconfig ...args; resolves once the kubeconfig exists (the cluster is ready). */
export async function startKubeSim(args: string[], opts: { port?: number } = {}): Promise<KubeSimProcess> {
  const dir = tempDir('kube-sim-e2e');
  const kubeconfig = path.join(dir, 'kubeconfig');
  const port = opts.port ?? (await freePort());
  let output = '';
  const proc = spawn(process.execPath, [path.join(DIST, 'cmd/kube-sim/main.js'), '--port', String(port), '--kubeconfig-out', kubeconfig, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
  });
  proc.stdout!.on('data', (b: Buffer) => (output += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (output += b.toString()));
  let exited = false;
  proc.once('exit', () => (exited = true));
  await waitFor(
    'kube-sim to write its kubeconfig',
    () => {
      if (exited) throw new Error(`kube-sim exited early:\n${output}`);
      return existsSync(kubeconfig) || undefined;
    },
    60_000,
  );
  return {
    proc,
    dir,
    kubeconfig,
    port,
    logs: () => output,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
        proc.kill('SIGTERM');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
