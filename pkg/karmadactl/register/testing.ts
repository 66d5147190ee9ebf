// Test environment for register/unregister suites: an in-process karmada-apiserver with bootstrap-token
// authentication (its CSR signer and cluster-info signer running), the agentcsrapproving controller, and
// a kube-sim member with its kubeconfig on disk.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { runApiServer, type RunningApiServer } from '../../apiserver/run.js';
import { AgentCSRApprovingController } from '../../controllers/agentcsrapproving/controller.js';
import { caCertHash } from '../../pki/index.js';
import { ObjectClient } from '../../runtime/client.js';
import { SharedInformerFactory } from '../../runtime/factory.js';
import { startSim, type TestSim } from '../../sim/testing.js';
import type { IO } from '../util/factory.js';

export interface RegisterTestEnv {
  dir: string;
  /** Admin kubeconfig of the control plane. */
  kubeconfig: string;
  /** host:port of the control plane. */
  endpoint: string;
  caHash: string;
  karmada: ObjectClient;
  server: RunningApiServer;
  member: TestSim;
  memberKubeconfig: string;
  /** Stops the approver (to test what happens without it). */
  stopApprover(): Promise<void>;
  startApprover(): void;
  cleanup(): Promise<void>;
}

/** An IO that keeps what a command printed. */
export function captureIO(): IO & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l) };
}

export async function startRegisterEnv(memberName = 'member3'): Promise<RegisterTestEnv> {
  const dir = mkdtempSync(path.join(tmpdir(), 'register-test-'));
  const kubeconfig = path.join(dir, 'karmada.config');
  const logger = pino({ level: 'silent' });
  const server = await runApiServer({ dataDir: path.join(dir, 'karmada'), port: 0, bindAddress: '127.0.0.1', kubeconfigOut: kubeconfig, logger, enableBootstrapTokenAuth: true });
  const karmada = ObjectClient.fromFile(kubeconfig);
  const member = await startSim({ name: memberName, nodes: 2 });
  const memberKubeconfig = path.join(dir, `${memberName}.config`);
  writeFileSync(memberKubeconfig, member.cluster.kubeconfig, { mode: 0o600 });

  let approver: { stop: AbortController; informers: SharedInformerFactory; running: Promise<void> } | undefined;
  const startApprover = () => {
    const informers = new SharedInformerFactory(karmada, { logger });
    const c = new AgentCSRApprovingController({ client: karmada, informers, logger });
    const stop = new AbortController();
    informers.start();
    approver = { stop, informers, running: c.run(stop.signal) };
  };
  const stopApprover = async () => {
    if (!approver) return;
    approver.stop.abort();
    await approver.running;
    await approver.informers.stop();
    approver = undefined;
  };
  startApprover();
  return {
    dir,
    kubeconfig,
    endpoint: `127.0.0.1:${server.server.port}`,
    caHash: caCertHash(server.caPem),
    karmada,
    server,
    member,
    memberKubeconfig,
    startApprover,
    stopApprover,
    async cleanup() {
      await stopApprover();
      karmada.close();
      await member.stop();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
