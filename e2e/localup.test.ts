// `karmada local-up` as a user runs it: one process with the control plane and two kube-sim members,
// checked with real kubectl through the kubeconfigs it writes; SIGTERM stops it cleanly and frees the ports.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { parse } from 'yaml';
import { DIST, freePort, kubectlFor, run, tempDir, waitFor } from './framework/process.js';

const KARMADA = path.join(DIST, 'cmd/karmada/main.js');

/** Whether 127.0.0.1:port can be bound (i.e. nobody listens on it any more). */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** Rows of kubectl's column output keyed by header. */
function table(stdout: string): Record<string, string>[] {
  const lines = stdout.trim().split('\n').filter(Boolean);
  const header = lines[0]?.split(/\s{2,}/) ?? [];
  return lines.slice(1).map((l) => Object.fromEntries(l.split(/\s{2,}/).map((v, i) => [header[i] ?? `col${i}`, v])));
}

describe('karmada local-up', () => {
  const dir = tempDir('karmada-local-up');
  let proc: ChildProcess | undefined;
  let stdout = '';
  let stderr = '';
  let exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;

  after(async () => {
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await exit;
    }
    if (process.exitCode) process.stderr.write(`--- karmada local-up output ---\n${stdout}\n${stderr.slice(-5000)}\n`);
    rmSync(dir, { recursive: true, force: true });
  });

  test('bad flags are a one-line error', async () => {
    const r = await run(process.execPath, [KARMADA, 'local-up', '--members', 'two']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /^karmada local-up: invalid --members "two"/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });

  test('starts the control plane and two Ready members, and stops on SIGTERM', { timeout: 180_000 }, async () => {
    const port = await freePort();
    const p = spawn(process.execPath, [KARMADA, 'local-up', '--data-dir', dir, '--port', String(port), '--members', '2'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    });
    proc = p;
    p.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
    p.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    exit = new Promise((resolve) => p.once('exit', (code, signal) => resolve({ code, signal })));

    const karmadaConfig = path.join(dir, 'karmada.config');
    const membersConfig = path.join(dir, 'members.config');
    await waitFor(
      'members.config and the ready banner',
      () => {
        if (p.exitCode !== null) throw new Error(`karmada local-up exited early (${p.exitCode}):\n${stdout}\n${stderr}`);
        return (existsSync(membersConfig) && /Karmada is ready/.test(stdout)) || undefined;
      },
      120_000,
      200,
    );
    assert.match(stdout, /starting karmada-apiserver/);
    assert.match(stdout, /member1 joined \(Ready\)/);
    assert.match(stdout, /member2 joined \(Ready\)/);
    assert.ok(stdout.includes(`export KUBECONFIG=${karmadaConfig}`), stdout);
    assert.ok(stdout.includes(`kubectl --kubeconfig ${membersConfig} --context member1 get nodes`), stdout);

    const clusters = await kubectlFor(karmadaConfig)(['get', 'clusters']);
    const rows = table(clusters.stdout);
    assert.deepEqual(rows.map((r) => [r.NAME, r.MODE, r.READY]), [
      ['member1', 'Push', 'True'],
      ['member2', 'Push', 'True'],
    ]);
    const ctx = await kubectlFor(karmadaConfig)(['config', 'current-context']);
    assert.equal(ctx.stdout.trim(), 'karmada-apiserver');

    const nodes = table((await kubectlFor(membersConfig)(['--context', 'member2', 'get', 'nodes'])).stdout);
    assert.equal(nodes.length, 3);
    for (const n of nodes) {
      assert.match(n.NAME!, /^member2-node-\d$/);
      assert.equal(n.STATUS, 'Ready');
    }
    const contexts = (await kubectlFor(membersConfig)(['config', 'get-contexts', '-o', 'name'])).stdout.trim().split('\n').sort();
    assert.deepEqual(contexts, ['member1', 'member2']);

    // every port the process listens on: the apiserver's and the members'
    const kc = parse(readFileSync(membersConfig, 'utf8')) as { clusters: { cluster: { server: string } }[] };
    const ports = [port, ...kc.clusters.map((c) => Number(new URL(c.cluster.server).port))];
    assert.equal(ports.length, 3);

    const stopped = Date.now();
    p.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([exit, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 20_000)))]);
    clearTimeout(timer);
    assert.notEqual(result, 'timeout', 'exits within 20 s of SIGTERM');
    assert.deepEqual(result, { code: 0, signal: null }, stderr.slice(-3000));
    assert.ok(Date.now() - stopped < 20_000);
    for (const port of ports) assert.equal(await portFree(port), true, `port ${port} released`);
  });
});
