// karmada-agent (Karmada's cmd/agent/app/agent.go): runs beside a Pull-mode member, connects out to the
// control plane and does for its own cluster what the controller manager does for Push clusters:
//  - registers its Cluster (syncMode Pull, id = UID of the member's kube-system namespace);
//  - renews Lease karmada-cluster/<cluster> and reports cluster status (controller "clusterStatus");
//  - applies the Works of karmada-es-<cluster> to the member and reports their status ("execution",
//    "workStatus": the push controllers, on a MemberSource that serves only this member);
//  - rotates its client certificate through CSRs ("certRotation", opt-in).
// Edge autonomy: its Works, Cluster and interpreter customizations are mirrored into a SQLite store in
// --data-dir and its informers start from that snapshot, so a restarted agent keeps its member right
// while the control plane is unreachable; Work status goes through a durable, coalesced outbox that
// delivers once the control plane answers. Every loop retries with backoff and jitter; nothing waits on
// the control plane before applying what the store holds.

import { setMaxListeners } from 'node:events';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Cluster } from '../apis/cluster/v1alpha1/index.js';
import { executionNamespace } from '../apis/cluster/v1alpha1/index.js';
import type { Work } from '../apis/work/v1alpha1/index.js';
import { ExecutionController } from '../controllers/execution/controller.js';
import { ObjectWatcher } from '../controllers/execution/objectwatcher.js';
import { WorkStatusController } from '../controllers/workstatus/controller.js';
import { DefaultResourceInterpreter, RESOURCE_INTERPRETER_CUSTOMIZATIONS } from '../resourceinterpreter/interpreter.js';
import type { ResourceInterpreter } from '../resourceinterpreter/interface.js';
import type { ResourceInterpreterCustomization } from '../apis/config/v1alpha1/index.js';
import { ObjectClient } from '../runtime/client.js';
import type { Runnable } from '../runtime/controller.js';
import { SharedInformerFactory } from '../runtime/factory.js';
import { indexByNamespace, NAMESPACE_INDEX } from '../runtime/indexer.js';
import { errText } from '../runtime/informer.js';
import { RestClient } from '../runtime/rest.js';
import type { KubeObject } from '../runtime/types.js';
import { CLUSTERS, WORKS } from '../util/clusterapi.js';
import { AgentStore } from './store/store.js';
import { StatusOutbox } from './store/outbox.js';
import { DEFAULT_CERT_ROTATION_CHECKING_INTERVAL_MS, DEFAULT_CERT_ROTATION_REMAINING_TIME_THRESHOLD, rotateCertificateIfNeeded } from './certrotation.js';
import { AgentClusterStatus, type ClusterStatusHook } from './clusterstatus.js';
import { DEFAULT_AGENT_CONTROLLERS, type AgentControllerName } from './controllers.js';
import { DEFAULT_CLUSTER_LEASE_DURATION_SECONDS, DEFAULT_CLUSTER_LEASE_RENEW_INTERVAL_FRACTION, leaseRenewIntervalMs, renewClusterLease } from './lease.js';
import { runLoop } from './loop.js';
import { AgentMemberSource } from './members.js';
import { obtainClusterID, registerClusterInControlPlane } from './register.js';

export const AGENT_USER_AGENT = 'karmada-agent';
/** Longest silence of a control-plane watch before it is rebuilt. */
export const AGENT_WATCHDOG_MS = 90_000;

/** Names of the informers mirrored into the agent store. */
export const STORE_WORKS = 'works';
export const STORE_CLUSTER = 'cluster';
export const STORE_CUSTOMIZATIONS = 'customizations';

export const DEFAULT_AGENT_SETTINGS = {
  clusterStatusUpdateFrequencyMs: 10_000,
  leaseDurationSeconds: DEFAULT_CLUSTER_LEASE_DURATION_SECONDS,
  leaseRenewIntervalFraction: DEFAULT_CLUSTER_LEASE_RENEW_INTERVAL_FRACTION,
  certRotationCheckingIntervalMs: DEFAULT_CERT_ROTATION_CHECKING_INTERVAL_MS,
  certRotationRemainingTimeThreshold: DEFAULT_CERT_ROTATION_REMAINING_TIME_THRESHOLD,
  clusterSuccessThresholdMs: 30_000,
  clusterFailureThresholdMs: 30_000,
  concurrentWorkSyncs: 5,
} as const;

export interface AgentOptions {
  karmadaKubeconfig: string;
  karmadaContext?: string;
  clusterName: string;
  /** The member's kubeconfig (default: $KUBECONFIG, ~/.kube/config, in-cluster). */
  memberKubeconfig?: string;
  memberContext?: string;
  dataDir: string;
  /** The member's API endpoint as the control plane should see it (default: the member kubeconfig's server). */
  clusterAPIEndpoint?: string;
  provider?: string;
  region?: string;
  zones?: string[];
  clusterStatusUpdateFrequencyMs?: number;
  leaseDurationSeconds?: number;
  leaseRenewIntervalFraction?: number;
  certRotationCheckingIntervalMs?: number;
  certRotationRemainingTimeThreshold?: number;
  logger: Logger;
  /** Controllers to run (default clusterStatus, execution, workStatus; see selectAgentControllers). */
  controllers?: readonly AgentControllerName[];
  /** spec.proxyURL of the Cluster (--proxy-server-address); a proxy in the member kubeconfig wins, as upstream. */
  proxyServerAddress?: string;
  clusterSuccessThresholdMs?: number;
  clusterFailureThresholdMs?: number;
  /** Collect nodeSummary/resourceSummary (default true). */
  enableClusterResourceModeling?: boolean;
  /** Works synced concurrently (--concurrent-work-syncs, default 5). */
  concurrentWorkSyncs?: number;
  /** Member-specific cluster status and labels (e.g. KubeEdge edge nodes); see ClusterStatusHook. */
  extraStatus?: ClusterStatusHook;
  /** Interpreter to use (default: built-ins plus the control plane's ResourceInterpreterCustomizations). */
  interpreter?: ResourceInterpreter;
  /** Called when the agent runs (store open, controllers started), e.g. for a readiness probe. */
  onStarted?: () => void;
}

/**
 * Runs the agent until the signal aborts. Rejects only on bad local configuration (kubeconfigs, data
 * dir); network errors are retried for as long as it runs.
 */
export async function runAgent(opts: AgentOptions, signal: AbortSignal): Promise<void> {
  setMaxListeners(0, signal); // every controller, informer and loop listens for the stop
  const clusterName = opts.clusterName;
  if (!clusterName) throw new Error('--cluster-name is required: the name this member is registered under in the control plane');
  const log = opts.logger.child({ cluster: clusterName });
  const workNamespace = executionNamespace(clusterName);
  const controllers = new Set<AgentControllerName>(opts.controllers ?? DEFAULT_AGENT_CONTROLLERS);

  const karmadaRest = RestClient.fromFile(opts.karmadaKubeconfig, opts.karmadaContext, { userAgent: AGENT_USER_AGENT });
  const client = new ObjectClient(karmadaRest);
  const memberKubeConfig = RestClient.loadKubeConfig(opts.memberKubeconfig, opts.memberContext);
  const memberRest = new RestClient(memberKubeConfig, { userAgent: `${AGENT_USER_AGENT}/${clusterName}` });
  const memberClient = new ObjectClient(memberRest);
  const store = AgentStore.open({ dataDir: opts.dataDir, logger: log });

  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    // Informers first, from the store: synced at once when there is a snapshot (a restart while offline).
    // the karmada-apiserver sends a bookmark every 30 s (kube-apiserver about every minute): a watch
    // silent for 90 s sits on a dead (half-open) link and is rebuilt
    const informers = new SharedInformerFactory(client, { logger: log, backoff: { initialMs: 500, maxMs: 30_000, jitter: 0.5 }, watchdogMs: AGENT_WATCHDOG_MS });
    cleanups.push(() => informers.stop());
    const works = informers.informerFor<Work>(WORKS, {
      namespace: workNamespace,
      indexers: { [NAMESPACE_INDEX]: indexByNamespace },
      initialState: store.snapshot<Work>(STORE_WORKS),
    });
    const clusters = informers.informerFor<Cluster>(CLUSTERS, { fieldSelector: `metadata.name=${clusterName}`, initialState: store.snapshot<Cluster>(STORE_CLUSTER) });
    const customizations = informers.informerFor<KubeObject>(RESOURCE_INTERPRETER_CUSTOMIZATIONS, { initialState: store.snapshot<KubeObject>(STORE_CUSTOMIZATIONS) });
    const unpersist = [store.persist(STORE_WORKS, works), store.persist(STORE_CLUSTER, clusters), store.persist(STORE_CUSTOMIZATIONS, customizations)];
    cleanups.push(() => unpersist.forEach((u) => u()));
    const restored = works.hasSynced();
    log.info({ works: works.indexer.list().length, restored, dataDir: opts.dataDir }, restored ? 'resuming from the local store' : 'starting with an empty local store');

    const interpreter =
      opts.interpreter ??
      new DefaultResourceInterpreter({ logger: log.child({ component: 'resource-interpreter' }), customizations: () => customizations.indexer.list() as ResourceInterpreterCustomization[] });
    if (!opts.interpreter) cleanups.push(() => (interpreter as DefaultResourceInterpreter).close());

    const outbox = new StatusOutbox({ store, client, logger: log, works });
    const members = new AgentMemberSource({ clusterName, rest: memberRest, clusters, logger: log });
    const objectWatcher = new ObjectWatcher({ interpreter, logger: log.child({ component: 'object-watcher' }) });
    const workers = opts.concurrentWorkSyncs ?? DEFAULT_AGENT_SETTINGS.concurrentWorkSyncs;
    const runnables: Runnable[] = [];
    if (controllers.has('execution')) {
      runnables.push(new ExecutionController({ client, informers, interpreter, logger: log, members, workNamespace, objectWatcher, statusWriter: outbox.write, recheckOnStatusChange: true, workers }));
    }
    if (controllers.has('workStatus')) {
      runnables.push(new WorkStatusController({ client, informers, interpreter, logger: log, members, workNamespace, statusWriter: outbox.write, recheckOnStatusChange: true, workers }));
    }

    // Loops against the control plane: each retries on its own and none blocks the controllers.
    const loops: Promise<void>[] = [];
    loops.push(outbox.run(signal).catch((err: unknown) => log.error({ err: errText(err) }, 'status outbox stopped')));
    loops.push(registrationLoop(opts, client, memberClient, memberKubeConfig, log, signal));
    if (controllers.has('clusterStatus')) {
      const reporter = new AgentClusterStatus({
        client,
        memberRest,
        clusterName,
        clusters,
        logger: log,
        successThresholdMs: opts.clusterSuccessThresholdMs,
        failureThresholdMs: opts.clusterFailureThresholdMs,
        enableResourceModeling: opts.enableClusterResourceModeling,
        extraStatus: opts.extraStatus,
      });
      cleanups.push(() => reporter.stop());
      const frequency = opts.clusterStatusUpdateFrequencyMs ?? DEFAULT_AGENT_SETTINGS.clusterStatusUpdateFrequencyMs;
      // a random start spreads many agents that (re)start together
      loops.push(
        runLoop({ name: 'cluster status update', logger: log, intervalMs: frequency, initialJitterMs: Math.min(frequency, 1000) }, async () => ((await reporter.sync()) ? undefined : 1000), signal),
      );
      // upstream starts the lease with the cluster status controller
      const leaseDurationSeconds = opts.leaseDurationSeconds ?? DEFAULT_AGENT_SETTINGS.leaseDurationSeconds;
      const renewMs = leaseRenewIntervalMs(leaseDurationSeconds, opts.leaseRenewIntervalFraction ?? DEFAULT_AGENT_SETTINGS.leaseRenewIntervalFraction);
      loops.push(
        runLoop(
          { name: 'cluster lease renewal', logger: log, intervalMs: renewMs, backoff: { initialMs: 200, maxMs: renewMs }, initialJitterMs: Math.min(renewMs, 1000) },
          async () => {
            const cluster = clusters.indexer.get(clusterName);
            if (!cluster) return 500; // not registered yet
            await renewClusterLease(client, { clusterName, leaseDurationSeconds, cluster });
          },
          signal,
        ),
      );
    }
    if (controllers.has('certRotation')) {
      loops.push(
        runLoop(
          { name: 'certificate rotation', logger: log, intervalMs: opts.certRotationCheckingIntervalMs ?? DEFAULT_AGENT_SETTINGS.certRotationCheckingIntervalMs },
          async (loopSignal) => {
            const r = await rotateCertificateIfNeeded({
              client,
              clusterName,
              kubeconfigPath: opts.karmadaKubeconfig,
              context: opts.karmadaContext,
              remainingTimeThreshold: opts.certRotationRemainingTimeThreshold,
              memberClient,
              logger: log,
              signal: loopSignal,
            });
            if (r.kubeConfig) karmadaRest.reloadCredentials(r.kubeConfig);
          },
          signal,
        ),
      );
    }

    informers.start();
    log.info({ controllers: [...controllers], workNamespace }, 'karmada-agent started');
    opts.onStarted?.();
    await Promise.all([
      ...runnables.map((r) => r.run(signal).catch((err: unknown) => log.error({ controller: r.name, err: errText(err) }, 'controller failed'))),
      ...loops,
    ]);
  } finally {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch (err) {
        log.warn({ err: errText(err) }, 'cleanup failed');
      }
    }
    try {
      store.flush();
    } finally {
      store.close();
      client.close();
      memberClient.close();
    }
    log.info('karmada-agent stopped');
  }
}

/** Registers the Cluster once, retrying until the control plane and the member answer. */
function registrationLoop(opts: AgentOptions, client: ObjectClient, member: ObjectClient, memberKubeConfig: KubeConfig, log: Logger, signal: AbortSignal): Promise<void> {
  const memberCluster = memberKubeConfig.getCurrentCluster()!;
  let clusterID: string | undefined;
  return runLoop(
    { name: 'cluster registration', logger: log, intervalMs: 0, backoff: { initialMs: 500, maxMs: 30_000 }, initialJitterMs: 200 },
    async () => {
      clusterID ??= await obtainClusterID(member);
      // a DuplicateClusterError (the member registered under another name) is retried too: the other
      // registration may be removed; the loop warns once with the error's advice
      const cluster = await registerClusterInControlPlane(client, {
        clusterName: opts.clusterName,
        clusterID,
        clusterAPIEndpoint: opts.clusterAPIEndpoint || memberCluster.server,
        proxyServerAddress: memberCluster.proxyUrl || opts.proxyServerAddress,
        provider: opts.provider,
        region: opts.region,
        zones: opts.zones,
        insecureSkipTLSVerification: memberCluster.skipTLSVerify,
      });
      log.info({ id: clusterID, uid: cluster.metadata?.uid, apiEndpoint: cluster.spec?.apiEndpoint }, 'cluster registered in the control plane as a Pull cluster');
      return 'done';
    },
    signal,
  );
}
