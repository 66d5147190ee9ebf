// A simulated member cluster: the project's API server (same REST, watch, discovery, GC and namespace
// lifecycle as karmada-apiserver) serving the kinds a member serves, on its own PKI and SQLite store, plus
// the simulated nodes and controllers of pkg/sim. Several clusters can share one process: nothing here is
// global, and idle clusters run no timers of their own.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { parse, stringify } from 'yaml';
import { x509Authenticator } from '../apiserver/auth/authn.js';
import { ApiServer } from '../apiserver/server.js';
import type { UserInfo } from '../apiserver/store/store.js';
import { buildKubeconfig, loadOrCreatePKI, writeKubeconfig, type PKI } from '../pki/index.js';
import type { Storage } from '../storage/interface.js';
import { SqliteStorage } from '../storage/sqlite/sqlite.js';
import { Controller, resolveKinds, SimClient, type SimConfig, type SimContext } from './controller.js';
import { CronJobController, cronJobDefaults } from './cronjob.js';
import { DaemonSetController, daemonSetDefaults } from './daemonset.js';
import { DeploymentController } from './deployment.js';
import { EndpointsController } from './endpoints.js';
import { InformerFactory } from './informer.js';
import { JobController, jobAdmission } from './job.js';
import { DeviceMapperController, installKubeEdgeCRDs, type EdgeKinds } from './kubeedge.js';
import { KubeletController } from './kubelet.js';
import { defaultTolerationSeconds, NodeController } from './nodes.js';
import { ReplicaSetController } from './replicaset.js';
import { SchedulerController } from './scheduler.js';
import { ServiceAccountController } from './serviceaccounts.js';
import { ensureKubernetesService, LoadBalancerController, serviceAllocation, serviceImmutability } from './services.js';
import { StatefulSetController } from './statefulset.js';

export const DEFAULT_KUBERNETES_VERSION = 'v1.31.0';

export interface SimClusterOptions extends Partial<Omit<SimConfig, 'clusterName'>> {
  name: string;
  /** 0 picks a free port. */
  port?: number;
  bindAddress?: string;
  /** Where the PKI and the SQLite store live; a temp dir (removed on stop) when absent. */
  dataDir?: string;
  kubeconfigOut?: string;
  logger?: Logger;
  /** Storage instead of SQLite in the data dir (tests). */
  storage?: Storage;
  /** A PKI to use instead of DATA_DIR/pki (clusters of one process may share a CA: see simPKI). */
  pki?: PKI;
  /** The simulation's clock (tests move it forward); default Date.now. */
  now?: () => number;
}

const CONTROLLER_USER: UserInfo = { name: 'system:kube-controller-manager', groups: ['system:masters', 'system:authenticated'] };

export function simConfig(opts: SimClusterOptions): SimConfig {
  return {
    clusterName: opts.name,
    nodes: opts.nodes ?? 3,
    edgeNodes: opts.edgeNodes ?? 0,
    nodeCpu: opts.nodeCpu ?? '8',
    nodeMemory: opts.nodeMemory ?? '32Gi',
    nodePods: opts.nodePods ?? 110,
    provider: opts.provider,
    region: opts.region,
    zones: opts.zones ?? [],
    kubernetesVersion: opts.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION,
    podEvictionTimeoutSeconds: opts.podEvictionTimeoutSeconds ?? 30,
    jobDurationMs: opts.jobDurationMs ?? 1000,
    podStartupDelayMs: opts.podStartupDelayMs ?? 0,
    deviceReportPeriodMs: opts.deviceReportPeriodMs ?? 30_000,
    deviceReportDelayMs: opts.deviceReportDelayMs ?? 0,
  };
}

/** /version of a cluster running `version` (v1.31.0 → gitVersion v1.31.0+kube-sim, like k3s's +k3s1). */
export function versionInfo(version: string): Record<string, string> {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  const gitVersion = /[-+]/.test(version) ? version : `${version.startsWith('v') ? version : `v${version}`}+kube-sim`;
  return {
    major: m?.[1] ?? '1',
    minor: m?.[2] ?? '31',
    gitVersion,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2024-08-13T07:28:49Z',
    goVersion: 'go1.22.5',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

/** The PKI of a simulated cluster (kubeadm's names: CA "kubernetes", admin "kubernetes-admin"). */
export function simPKI(dir: string, bindAddress: string, logger?: Logger): Promise<PKI> {
  const hosts = ['localhost', '127.0.0.1', '::1', bindAddress].filter((h) => h !== '0.0.0.0' && h !== '::');
  return loadOrCreatePKI(dir, {
    hosts: [...new Set(hosts)],
    caCommonName: 'kubernetes',
    servingCommonName: 'kube-apiserver',
    adminCommonName: 'kubernetes-admin',
    logger: logger?.child({ component: 'pki' }),
  });
}

export class SimCluster {
  private constructor(
    readonly name: string,
    readonly server: ApiServer,
    readonly context: SimContext,
    private readonly controllers: Controller[],
    private readonly storage: Storage,
    private readonly ownsStorage: boolean,
    readonly dataDir: string,
    private readonly tempDir: boolean,
    /** https://127.0.0.1:PORT (or the bind address when it is a specific one). */
    readonly url: string,
    /** Admin kubeconfig (YAML), context and cluster named after the cluster. */
    readonly kubeconfig: string,
    readonly logger: Logger,
  ) {}

  get port(): number {
    return this.server.port;
  }

  static async start(opts: SimClusterOptions): Promise<SimCluster> {
    const started = Date.now();
    const config = simConfig(opts);
    const logger = (opts.logger ?? pino({ level: 'warn' })).child({ cluster: opts.name });
    const tempDir = !opts.dataDir;
    const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), `kube-sim-${opts.name}-`));
    mkdirSync(dataDir, { recursive: true });
    const bindAddress = opts.bindAddress ?? '127.0.0.1';
    const pki = opts.pki ?? (await simPKI(path.join(dataDir, 'pki'), bindAddress, logger));
    const storage = opts.storage ?? SqliteStorage.open({ path: path.join(dataDir, 'state.db'), logger: logger.child({ component: 'storage' }) });
    const server = new ApiServer({
      storage,
      logger,
      tls: { key: pki.servingKeyPem, cert: pki.servingCertPem, ca: pki.caCertPem },
      authenticators: [x509Authenticator()],
      bindAddress,
      port: opts.port ?? 0,
      // Token Secrets, TokenRequest and their authentication: what `karmadactl join` and agents rely on.
      serviceAccount: { keyPem: pki.serviceAccountKeyPem },
      signingCA: pki.ca,
      admissionPlugins: [serviceAllocation(), serviceImmutability(), jobAdmission(), cronJobDefaults(), daemonSetDefaults(), defaultTolerationSeconds(config.podEvictionTimeoutSeconds)],
    });
    // /version reports the simulated Kubernetes version (the route itself reports the server build).
    const version = JSON.stringify(versionInfo(config.kubernetesVersion));
    server.app.addHook('onRequest', async (req, reply) => {
      const p = req.url.split('?')[0];
      if (req.method === 'GET' && (p === '/version' || p === '/version/')) return reply.type('application/json').send(version);
    });

    let url: string;
    try {
      url = await server.start();
    } catch (err) {
      if (!opts.storage) await storage.close();
      if (tempDir) rmSync(dataDir, { recursive: true, force: true });
      throw err;
    }
    // A KubeEdge cluster serves the device CRDs from the start, as keadm installs them with cloudcore.
    let edgeKinds: EdgeKinds | undefined;
    try {
      if (config.edgeNodes > 0) edgeKinds = await installKubeEdgeCRDs(server.registry, server.store, CONTROLLER_USER);
    } catch (err) {
      await server.stop();
      if (!opts.storage) await storage.close();
      if (tempDir) rmSync(dataDir, { recursive: true, force: true });
      throw err;
    }
    const informers = new InformerFactory(server.store, logger);
    const ctx: SimContext = {
      config,
      store: server.store,
      kinds: resolveKinds(server.registry),
      informers,
      client: new SimClient(server.store, informers, CONTROLLER_USER),
      logger,
      now: opts.now ?? (() => Date.now()),
      caPem: pki.caCertPem,
    };
    const controllers: Controller[] = [
      new NodeController(ctx),
      new SchedulerController(ctx),
      new KubeletController(ctx),
      new ReplicaSetController(ctx),
      new DeploymentController(ctx),
      new StatefulSetController(ctx),
      new DaemonSetController(ctx),
      new JobController(ctx),
      new CronJobController(ctx),
      new EndpointsController(ctx),
      new LoadBalancerController(ctx),
      new ServiceAccountController(ctx),
    ];
    if (edgeKinds) controllers.push(new DeviceMapperController(ctx, edgeKinds));
    await informers.start();
    for (const c of controllers) await c.prepare();
    for (const c of controllers) c.start();

    const port = server.port;
    const host = bindAddress === '0.0.0.0' || bindAddress === '::' ? '127.0.0.1' : bindAddress.includes(':') ? `[${bindAddress}]` : bindAddress;
    const publicURL = `https://${host}:${port}`;
    await ensureKubernetesService(ctx, host.replace(/^\[|\]$/g, ''), port);
    const kubeconfig = buildKubeconfig({
      server: publicURL,
      caPem: pki.caCertPem,
      contextName: opts.name,
      clusterName: opts.name,
      userName: opts.name,
      user: { clientCertPem: pki.adminCertPem, clientKeyPem: pki.adminKeyPem },
    });
    const cluster = new SimCluster(opts.name, server, ctx, controllers, storage, !opts.storage, dataDir, tempDir, publicURL, kubeconfig, logger);
    if (opts.kubeconfigOut) await writeKubeconfig(opts.kubeconfigOut, kubeconfig);
    logger.info({ url, nodes: config.nodes, edgeNodes: config.edgeNodes, ms: Date.now() - started }, 'kube-sim cluster ready');
    return cluster;
  }

  /** The kube-system namespace UID: Karmada's cluster ID, stable for a data dir. */
  async clusterID(): Promise<string> {
    const ns = await this.server.store.get(this.context.kinds.namespaces, undefined, 'kube-system');
    return ns.metadata!.uid!;
  }

  async stop(): Promise<void> {
    const draining = Promise.all(this.controllers.map((c) => c.stop()));
    // Stopped informers release reconciles waiting for their writes to be observed.
    this.context.informers.stop();
    await draining;
    await this.server.stop();
    if (this.ownsStorage) await this.storage.close();
    if (this.tempDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** One kubeconfig with every cluster's context (kubectl config view --flatten of the separate files). */
export function mergeKubeconfigs(yamls: string[]): string {
  const docs = yamls.map((y) => parse(y) as { clusters: unknown[]; contexts: unknown[]; users: unknown[]; 'current-context': string });
  const merged = {
    apiVersion: 'v1',
    clusters: docs.flatMap((d) => d.clusters),
    contexts: docs.flatMap((d) => d.contexts),
    'current-context': docs[0]?.['current-context'] ?? '',
    kind: 'Config',
    preferences: {},
    users: docs.flatMap((d) => d.users),
  };
  return stringify(merged, { lineWidth: 0 });
}
