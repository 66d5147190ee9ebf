// karmadactl as a process: `token create --print-register-command`, then the printed command, as a user runs them.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startRegisterEnv, type RegisterTestEnv } from './testing.js';

const run = promisify(execFile);
const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../cmd/karmadactl/main.js');

async function karmadactl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [MAIN, ...args], { timeout: 120_000, env: { ...process.env, KUBECONFIG: '' } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('karmadactl token and register commands', () => {
  let env: RegisterTestEnv;
  before(async () => {
    env = await startRegisterEnv('member9');
  });
  after(async () => {
    await env?.cleanup();
  });

  it('the printed register command brings the member in; token list/delete; unregister; unjoin refuses it', async () => {
    assert.ok(existsSync(MAIN), MAIN);
    const created = await karmadactl(['--kubeconfig', env.kubeconfig, 'token', 'create', '--print-register-command', '--description', 'cli test']);
    assert.equal(created.code, 0, created.stderr);
    const line = created.stdout.trim();
    const m = /^karmadactl register (\S+) --token ([a-z0-9]{6})\.([a-z0-9]{16}) --discovery-token-ca-cert-hash (sha256:[0-9a-f]{64})$/.exec(line);
    assert.ok(m, line);
    assert.equal(m[1], env.endpoint);
    assert.equal(m[4], env.caHash);

    const listed = await karmadactl(['--kubeconfig', env.kubeconfig, 'token', 'list']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^TOKEN\s+TTL\s+EXPIRES\s+USAGES\s+DESCRIPTION\s+EXTRA GROUPS/);
    assert.match(listed.stdout, new RegExp(`${m[2]}\\.${m[3]}\\s+23h\\s+\\S+\\s+authentication,signing\\s+cli test\\s+system:bootstrappers:karmada:default-cluster-token`));

    const args = line.split(' ').slice(1);
    const wrongHash = await karmadactl([...args.slice(0, -1), `sha256:${'0'.repeat(64)}`, '--kubeconfig', env.memberKubeconfig]);
    assert.equal(wrongHash.code, 1);
    assert.match(wrongHash.stderr, /^error: couldn't validate the identity of the API Server: none of the pinned hashes matches the CA of/m);

    // register's --kubeconfig is the member's, as upstream
    const out = path.join(env.dir, 'member9-agent.config');
    const reg = await karmadactl([...args, '--kubeconfig', env.memberKubeconfig, '--agent-kubeconfig-out', out, '--discovery-timeout', '60s']);
    assert.equal(reg.code, 0, reg.stderr);
    assert.match(reg.stdout, /cluster\(member9\) is joined successfully/);
    assert.match(reg.stdout, new RegExp(`karmada-agent --karmada-kubeconfig ${out} --cluster-name member9 --kubeconfig ${env.memberKubeconfig} --data-dir \\S+`));
    assert.match(reg.stderr, /\[preflight\] All pre-flight checks were passed/);
    assert.ok(existsSync(out));

    // the same token again: preflight stops it, with a non-zero exit and the reason
    const again = await karmadactl([...args, '--kubeconfig', env.memberKubeconfig, '--cluster-name', 'member9b']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^error: \[preflight\] .*karmada-kubeconfig Secret already exists.*registered already as member9: run karmadactl unregister member9 /m);

    const del = await karmadactl(['--kubeconfig', env.kubeconfig, 'token', 'delete', m[2]!]);
    assert.equal(del.code, 0, del.stderr);
    assert.equal(del.stdout.trim(), `bootstrap token "${m[2]}" deleted`);

    // the agent would register the Cluster; unjoin refuses it, unregister removes it
    await env.karmada.resource({ group: 'cluster.karmada.io', version: 'v1alpha1', resource: 'clusters', namespaced: false }).create({
      apiVersion: 'cluster.karmada.io/v1alpha1',
      kind: 'Cluster',
      metadata: { name: 'member9' },
      spec: { syncMode: 'Pull' },
    });
    const unjoin = await karmadactl(['--kubeconfig', env.kubeconfig, 'unjoin', 'member9']);
    assert.equal(unjoin.code, 1);
    assert.match(unjoin.stderr, /error: cluster member9 is a Pull cluster; use karmadactl unregister/);
    const unreg = await karmadactl(['--kubeconfig', env.kubeconfig, 'unregister', 'member9', '--cluster-kubeconfig', env.memberKubeconfig, '--wait', '20s']);
    assert.equal(unreg.code, 0, unreg.stderr);
    assert.match(unreg.stdout, /cluster\(member9\) is unregistered successfully/);
    assert.equal((await env.member.call('GET', '/apis/apps/v1/namespaces/karmada-system/deployments/karmada-agent')).status, 404);
  });
});
