// `karmada server` and `karmada local-up`: the whole control plane in one process on one machine.
//   server:   karmada-apiserver (embedded SQLite in DATA_DIR) + the karmada-controller-manager controllers
//             + karmada-scheduler.
//   local-up: the same, plus N kube-sim members (member1..N, data in DATA_DIR/members/) joined in Push mode
//             with karmadactl's join code, and M more registered in Pull mode with karmadactl's register
//             code (bootstrap token, CSRs) each with an in-process karmada-agent (its offline store in
//             DATA_DIR/members/<name>/agent), then DATA_DIR/karmada.config and DATA_DIR/members.config.
// Everything started is stopped again by stop(), in reverse order. Restarting on the same data dir reuses
// the control plane's store and the members' stores and PKI: members already joined are kept (their
// apiEndpoint is updated when their port changed).

import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Cluster } from '../apis/cluster/v1alpha1/index.js';
import { KUBECONFIG_CONTEXT, runApiServer } from '../apiserver/run.js';
import { DEFAULT_LEADER_ELECTION, DEFAULT_SETTINGS, runControllerManager, selectControllers } from '../controllers/manager.js';
import { DEFAULT_SCHEDULER_LEADER_ELECTION, runScheduler } from '../scheduler/scheduler.js';
import { CommandError, describeError, type IO } from '../karmadactl/util/factory.js';
import { runJoin } from '../karmadactl/join/join.js';
import { runRegister } from '../karmadactl/register/register.js';
import { createBootstrapToken } from '../karmadactl/token/token.js';
import { runAgent } from '../agent/agent.js';
import { caCertHash, writeKubeconfig } from '../pki/index.js';
import { sleep } from '../runtime/backoff.js';
import { ObjectClient } from '../runtime/client.js';
import { RestClient } from '../runtime/rest.js';
import { mergeKubeconfigs, SimCluster, simPKI } from '../sim/cluster.js';
import { CLUSTERS, ensureClusterAPI } from '../util/clusterapi.js';

export interface ServerOptions {
  dataDir: string;
  port: number;
  /** How often cluster status is collected (default 5 s). */
  statusFrequencyMs?: number;
  logger: Logger;
  /** Progress lines for the user (stdout). */
  progress: (line: string) => void;
}

export interface LocalUpOptions extends ServerOptions {
  members: number;
  /** Pull members after the Push ones (member<N+1>..), each with its karmada-agent. */
  pullMembers?: number;
  /** KubeEdge edge nodes of each Pull member (kube-sim --edge-nodes). */
  edgeNodes?: number;
  nodes: number;
  /** First member port (member i gets base+i-1); undefined: free ports. */
  memberBasePort?: number;
  /** How long to wait for every Cluster to be Ready (default 120 s). */
  readyTimeoutMs?: number;
}

export const MEMBER_PREFIX = 'member';

/** What one process started; stop() undoes it (idempotent). */
export class Stack {
  private readonly stops: { what: string; fn: () => Promise<void> | void }[] = [];
  private stopping: Promise<void> | undefined;
  readonly abort = new AbortController();

  constructor(private readonly logger: Logger) {}

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  push(what: string, fn: () => Promise<void> | void): void {
    this.stops.push({ what, fn });
  }

  /** Throws when a stop was requested, so a start sequence ends early. */
  check(): void {
    if (this.signal.aborted) throw new StoppedError();
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.abort.abort();
      for (const { what, fn } of this.stops.reverse()) {
        try {
          await fn();
        } catch (err) {
          this.logger.warn({ what, err: describeError(err) }, 'error while stopping');
        }
      }
    })();
    return this.stopping;
  }
}

export class StoppedError extends Error {
  constructor() {
    super('stopped');
  }
}

export const karmadaKubeconfigPath = (dataDir: string) => path.join(dataDir, 'karmada.config');
export const membersKubeconfigPath = (dataDir: string) => path.join(dataDir, 'members.config');

/** karmada-apiserver + controllers on the stack; returns a client of the control plane (closed by the stack). */
export async function startServer(stack: Stack, opts: ServerOptions): Promise<ObjectClient> {
  const client = await startApiServer(stack, opts);
  stack.check();
  startControllers(stack, opts);
  startScheduler(stack, opts);
  return client;
}

/** karmada-apiserver on the stack (admin kubeconfig DATA_DIR/karmada.config); returns a client of it. */
export async function startApiServer(stack: Stack, opts: ServerOptions): Promise<ObjectClient> {
  const { logger, progress } = opts;
  mkdirSync(opts.dataDir, { recursive: true });
  const kubeconfig = karmadaKubeconfigPath(opts.dataDir);
  progress(`starting karmada-apiserver on https://127.0.0.1:${opts.port} (data in ${opts.dataDir})...`);
  const api = await runApiServer({
    dataDir: opts.dataDir,
    port: opts.port,
    bindAddress: '127.0.0.1',
    advertiseAddress: '127.0.0.1',
    kubeconfigOut: kubeconfig,
    // `karmadactl register` authenticates with bootstrap tokens (karmadactl init enables them too)
    enableBootstrapTokenAuth: true,
    logger: logger.child({ component: 'karmada-apiserver' }),
  });
  stack.push('karmada-apiserver', () => api.stop());
  stack.check();
  const client = new ObjectClient(RestClient.fromFile(kubeconfig, KUBECONFIG_CONTEXT, { userAgent: 'karmada' }));
  stack.push('karmada client', () => client.close());
  await ensureClusterAPI(client);
  return client;
}

/** The karmada-controller-manager controllers, in-process (as the binary wires them, without leader election). */
export function startControllers(stack: Stack, opts: ServerOptions): void {
  const { logger, progress } = opts;
  const kubeconfig = karmadaKubeconfigPath(opts.dataDir);
  const controllers = selectControllers(['*']);
  progress(`starting karmada-controller-manager controllers (${controllers.map((c) => c.name).join(', ')})...`);
  const cmClient = new ObjectClient(RestClient.fromFile(kubeconfig, KUBECONFIG_CONTEXT, { userAgent: 'karmada-controller-manager' }));
  const cmStop = new AbortController();
  const running = runControllerManager(
    {
      client: cmClient,
      controllers,
      logger: logger.child({ component: 'karmada-controller-manager' }),
      // failover on: a local control plane is where users try it (upstream leaves it opt-in)
      settings: { ...DEFAULT_SETTINGS, clusterStatusUpdateFrequencyMs: opts.statusFrequencyMs ?? 5000, enableNoExecuteTaintEviction: true },
      // one process owns this control plane: nothing to elect
      leaderElection: { ...DEFAULT_LEADER_ELECTION, enabled: false },
    },
    cmStop.signal,
  ).catch((err: unknown) => {
    logger.error({ err: describeError(err) }, 'controller manager failed');
    return 'stopped' as const;
  });
  stack.push('karmada-controller-manager', async () => {
    cmStop.abort();
    await running;
    cmClient.close();
  });
}

/** karmada-scheduler in-process (as the binary runs it, without leader election). */
export function startScheduler(stack: Stack, opts: ServerOptions): void {
  const { logger, progress } = opts;
  progress('starting karmada-scheduler...');
  const client = new ObjectClient(RestClient.fromFile(karmadaKubeconfigPath(opts.dataDir), KUBECONFIG_CONTEXT, { userAgent: 'karmada-scheduler' }));
  const stop = new AbortController();
  const running = runScheduler(
    { client, logger: logger.child({ component: 'karmada-scheduler' }), leaderElection: { ...DEFAULT_SCHEDULER_LEADER_ELECTION, enabled: false } },
    stop.signal,
  ).catch((err: unknown) => {
    logger.error({ err: describeError(err) }, 'scheduler failed');
    return 'stopped' as const;
  });
  stack.push('karmada-scheduler', async () => {
    stop.abort();
    await running;
    client.close();
  });
}

/** The kube-sim members: Push ones member1..N, then Pull ones member<N+1>..<N+M> (with edge nodes). */
export async function startSims(stack: Stack, opts: LocalUpOptions): Promise<{ push: SimCluster[]; pull: SimCluster[] }> {
  const { logger, progress } = opts;
  const root = path.join(opts.dataDir, 'members');
  mkdirSync(root, { recursive: true });
  const pullCount = opts.pullMembers ?? 0;
  const names = Array.from({ length: opts.members + pullCount }, (_, i) => `${MEMBER_PREFIX}${i + 1}`);
  // members of one process share a CA (as kube-sim --clusters does): N RSA keys would dominate the start
  const pki = names.length ? await simPKI(path.join(root, 'pki'), '127.0.0.1', logger) : undefined;
  const sims: SimCluster[] = [];
  for (const [i, name] of names.entries()) {
    stack.check();
    const pull = i >= opts.members;
    const edgeNodes = pull ? (opts.edgeNodes ?? 0) : 0;
    progress(`starting ${name} (kube-sim, ${opts.nodes} nodes${edgeNodes ? ` + ${edgeNodes} edge nodes` : ''})...`);
    mkdirSync(path.join(root, name), { recursive: true });
    const m = await SimCluster.start({
      name,
      port: opts.memberBasePort ? opts.memberBasePort + i : 0,
      nodes: opts.nodes,
      edgeNodes,
      pki,
      dataDir: path.join(root, name),
      logger: logger.child({ component: 'kube-sim' }),
    });
    stack.push(name, () => m.stop());
    sims.push(m);
  }
  return { push: sims.slice(0, opts.members), pull: sims.slice(opts.members) };
}

/** Joins the Push members (or brings an earlier registration up to date). */
export async function joinPushMembers(stack: Stack, karmada: ObjectClient, members: SimCluster[], opts: LocalUpOptions): Promise<void> {
  const { logger, progress } = opts;
  const quiet: IO = { out: () => {}, err: (line) => logger.info({ join: line }, 'karmadactl join') };
  const clusters = karmada.resource<Cluster>(CLUSTERS);
  for (const m of members) {
    stack.check();
    const existing = await existingCluster(karmada, m, 'Push', opts);
    if (existing) {
      if (existing.spec?.apiEndpoint !== m.url) await clusters.patch(m.name, { spec: { apiEndpoint: m.url } });
      progress(`${m.name} already joined (${m.url})`);
      continue;
    }
    const kc = new KubeConfig();
    kc.loadFromString(m.kubeconfig);
    await runJoin({ clusterName: m.name, karmada, member: kc, io: quiet });
    progress(`${m.name} registered in Push mode (${m.url})`);
  }
}

/** The Cluster registered for a member started from the same data, if any; refuses a mismatch. */
async function existingCluster(karmada: ObjectClient, m: SimCluster, mode: 'Push' | 'Pull', opts: LocalUpOptions): Promise<Cluster | undefined> {
  const existing = await karmada.resource<Cluster>(CLUSTERS).getOrUndefined(m.name);
  if (!existing) return undefined;
  const id = await m.clusterID();
  if (existing.spec?.id && existing.spec.id !== id) {
    throw new CommandError(
      `cluster ${m.name} is registered with id ${existing.spec.id} but ${path.join(opts.dataDir, 'members', m.name)} holds cluster ${id}: remove ${opts.dataDir} to start afresh`,
    );
  }
  if ((existing.spec?.syncMode ?? 'Push') !== mode) throw new CommandError(`cluster ${m.name} is registered in ${existing.spec?.syncMode} mode, not ${mode}: remove ${opts.dataDir} to start afresh`);
  return existing;
}

/**
 * Registers the Pull members the way a user does (`karmadactl token create` + `karmadactl register`,
 * which needs the agentcsrapproving controller running) and runs a karmada-agent for each, in-process,
 * with its credentials and offline store in DATA_DIR/members/<name>/.
 */
export async function startPullMembers(stack: Stack, karmada: ObjectClient, members: SimCluster[], opts: LocalUpOptions): Promise<void> {
  const { logger, progress } = opts;
  const quiet: IO = { out: () => {}, err: (line) => logger.info({ register: line }, 'karmadactl register') };
  for (const m of members) {
    stack.check();
    const dir = path.join(opts.dataDir, 'members', m.name);
    const memberConfig = path.join(dir, 'kubeconfig');
    const agentConfig = path.join(dir, 'karmada-agent.config');
    await writeKubeconfig(memberConfig, m.kubeconfig);
    const existing = await existingCluster(karmada, m, 'Pull', opts);
    if (existing && existsSync(agentConfig)) {
      progress(`${m.name} already registered (Pull)`);
    } else {
      if (existing) throw new CommandError(`cluster ${m.name} is registered but ${agentConfig} is gone: remove ${opts.dataDir} to start afresh`);
      progress(`registering ${m.name} in Pull mode (bootstrap token, CSRs)...`);
      const token = await createBootstrapToken(karmada, { ttlMs: 3_600_000, description: `karmada local-up: ${m.name}` });
      await runRegister({
        endpoint: `127.0.0.1:${opts.port}`,
        token: token.token,
        caCertHashes: [caCertHashOf(karmada)],
        clusterName: m.name,
        memberKubeconfig: memberConfig,
        agentKubeconfigOut: agentConfig,
        io: quiet,
        logger: logger.child({ component: 'karmadactl-register' }),
      });
    }
    const stop = new AbortController();
    const running = runAgent(
      {
        karmadaKubeconfig: agentConfig,
        clusterName: m.name,
        memberKubeconfig: memberConfig,
        dataDir: path.join(dir, 'agent'),
        clusterStatusUpdateFrequencyMs: opts.statusFrequencyMs ?? 5000,
        logger: logger.child({ component: 'karmada-agent', cluster: m.name }),
      },
      stop.signal,
    ).catch((err: unknown) => logger.error({ cluster: m.name, err: describeError(err) }, 'karmada-agent failed'));
    stack.push(`karmada-agent ${m.name}`, async () => {
      stop.abort();
      await running;
    });
    progress(`${m.name}: karmada-agent started`);
  }
}

/** sha256:<hex> of the CA the client trusts (what `token create --print-register-command` prints). */
function caCertHashOf(client: ObjectClient): string {
  const ca = client.rest.kubeConfig.getCurrentCluster()?.caData;
  if (!ca) throw new Error('the karmada kubeconfig has no certificate-authority-data');
  return caCertHash(Buffer.from(ca, 'base64').toString('utf8'));
}

/** Waits until every member's Cluster reports Ready=True. */
export async function waitReady(stack: Stack, karmada: ObjectClient, members: SimCluster[], opts: LocalUpOptions): Promise<void> {
  const { progress } = opts;
  const clusters = karmada.resource<Cluster>(CLUSTERS);
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 120_000);
  const pending = new Set(members.map((m) => m.name));
  while (pending.size) {
    stack.check();
    for (const name of [...pending]) {
      const c = await clusters.getOrUndefined(name);
      const ready = c?.status?.conditions?.find((x) => x.type === 'Ready');
      if (ready?.status === 'True') {
        pending.delete(name);
        progress(`${name} joined (Ready)`);
      } else if (Date.now() > deadline) {
        throw new CommandError(`cluster ${name} is not Ready after ${Math.round((opts.readyTimeoutMs ?? 120_000) / 1000)}s${ready ? ` (${ready.reason}: ${ready.message})` : ' (no status yet)'}`);
      }
    }
    if (pending.size) await sleep(250, stack.signal);
  }
}

/** The whole local-up sequence; on error everything started is stopped by the caller through the stack. */
export async function localUp(stack: Stack, opts: LocalUpOptions): Promise<void> {
  const dataDir = opts.dataDir;
  // members.config appearing means "ready": drop the one of an earlier run
  rmSync(membersKubeconfigPath(dataDir), { force: true });
  const karmada = await startApiServer(stack, opts);
  // members first: the controllers then see the members' current endpoints from their first status
  // collection (a restart on free ports moves them), instead of reporting them unreachable for a while
  const sims = await startSims(stack, opts);
  await joinPushMembers(stack, karmada, sims.push, opts);
  stack.check();
  startControllers(stack, opts);
  startScheduler(stack, opts);
  // registration needs the controllers: agentcsrapproving approves the agents' CSRs
  await startPullMembers(stack, karmada, sims.pull, opts);
  const members = [...sims.push, ...sims.pull];
  await waitReady(stack, karmada, members, opts);
  stack.check();
  await writeKubeconfig(membersKubeconfigPath(dataDir), mergeKubeconfigs(members.map((m) => m.kubeconfig)));
  opts.progress(readyBanner(dataDir, opts.port, sims.push.map((m) => m.name), sims.pull.map((m) => m.name)));
}

export function readyBanner(dataDir: string, port: number, members: string[], pullMembers: string[] = []): string {
  const k = karmadaKubeconfigPath(dataDir);
  const mc = membersKubeconfigPath(dataDir);
  const lines = [
    '',
    `Karmada is ready: karmada-apiserver https://127.0.0.1:${port}, ${members.length} member(s)${members.length ? `: ${members.join(', ')}` : ''}` +
      (pullMembers.length ? `, ${pullMembers.length} Pull member(s) with karmada-agent: ${pullMembers.join(', ')}.` : '.'),
    '',
    `  export KUBECONFIG=${k}`,
    '  kubectl get clusters',
  ];
  const first = members[0] ?? pullMembers[0];
  if (first) lines.push(`  kubectl --kubeconfig ${mc} --context ${first} get nodes`);
  lines.push('', 'Press Ctrl+C to stop.');
  return lines.join('\n');
}
