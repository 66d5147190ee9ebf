// karmada-controller-manager's assembly: the registry of controllers, --controllers selection (Karmada's
// semantics: "*" = every controller on by default, "foo" enables, "-foo" disables), one shared informer
// factory, and optional leader election on the Lease karmada-system/karmada-controller-manager.
// A new controller is one entry in CONTROLLERS.

import type { Logger } from 'pino';
import { NAMESPACE_KARMADA_SYSTEM } from '../apis/cluster/v1alpha1/index.js';
import { ObjectClient } from '../runtime/client.js';
import type { Runnable } from '../runtime/controller.js';
import { SharedInformerFactory } from '../runtime/factory.js';
import { NAMESPACES } from '../runtime/gvr.js';
import { errText } from '../runtime/informer.js';
import { LeaderElector } from '../runtime/leaderelection.js';
import { isAlreadyExists, isForbidden } from '../runtime/rest.js';
import { sleep } from '../runtime/backoff.js';
import { ClusterController } from './cluster/controller.js';
import { ClusterStatusController } from './clusterstatus/controller.js';
import { PolicyDeletionController } from './policydeletion/controller.js';

export interface ControllerManagerSettings {
  clusterStatusUpdateFrequencyMs: number;
  clusterMonitorPeriodMs: number;
  clusterMonitorGracePeriodMs: number;
  clusterStartupGracePeriodMs: number;
  clusterSuccessThresholdMs: number;
  clusterFailureThresholdMs: number;
  concurrentClusterSyncs: number;
  enableClusterResourceModeling: boolean;
}

export const DEFAULT_SETTINGS: ControllerManagerSettings = {
  clusterStatusUpdateFrequencyMs: 10_000,
  clusterMonitorPeriodMs: 5_000,
  clusterMonitorGracePeriodMs: 40_000,
  clusterStartupGracePeriodMs: 60_000,
  clusterSuccessThresholdMs: 30_000,
  clusterFailureThresholdMs: 30_000,
  concurrentClusterSyncs: 5,
  enableClusterResourceModeling: true,
};

export interface ControllerContext {
  client: ObjectClient;
  informers: SharedInformerFactory;
  logger: Logger;
  settings: ControllerManagerSettings;
}

export interface ControllerDescriptor {
  name: string;
  enabledByDefault: boolean;
  create(ctx: ControllerContext): Runnable;
}

export const CONTROLLERS: ControllerDescriptor[] = [
  {
    name: 'cluster',
    enabledByDefault: true,
    create: (ctx) =>
      new ClusterController({
        client: ctx.client,
        informers: ctx.informers,
        logger: ctx.logger,
        monitorPeriodMs: ctx.settings.clusterMonitorPeriodMs,
        monitorGracePeriodMs: ctx.settings.clusterMonitorGracePeriodMs,
        startupGracePeriodMs: ctx.settings.clusterStartupGracePeriodMs,
        workers: ctx.settings.concurrentClusterSyncs,
      }),
  },
  {
    name: 'clusterStatus',
    enabledByDefault: true,
    create: (ctx) =>
      new ClusterStatusController({
        client: ctx.client,
        informers: ctx.informers,
        logger: ctx.logger,
        updateFrequencyMs: ctx.settings.clusterStatusUpdateFrequencyMs,
        successThresholdMs: ctx.settings.clusterSuccessThresholdMs,
        failureThresholdMs: ctx.settings.clusterFailureThresholdMs,
        workers: ctx.settings.concurrentClusterSyncs,
        enableResourceModeling: ctx.settings.enableClusterResourceModeling,
      }),
  },
  {
    name: 'policyDeletion',
    enabledByDefault: true,
    create: (ctx) => new PolicyDeletionController({ client: ctx.client, informers: ctx.informers, logger: ctx.logger }),
  },
];

/** The controllers --controllers selects, in registry order; throws on unknown names. */
export function selectControllers(spec: readonly string[], registry: readonly ControllerDescriptor[] = CONTROLLERS): ControllerDescriptor[] {
  const items = spec.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  const known = new Set(registry.map((c) => c.name));
  for (const item of items) {
    const name = item.startsWith('-') ? item.slice(1) : item;
    if (name !== '*' && !known.has(name)) {
      throw new Error(`"${name}" is not in the list of known controllers (${[...known].join(', ')}); use "*", "name" or "-name"`);
    }
  }
  return registry.filter((c) => {
    if (items.includes(`-${c.name}`)) return false;
    if (items.includes(c.name)) return true;
    return items.includes('*') && c.enabledByDefault;
  });
}

export interface LeaderElectionSettings {
  enabled: boolean;
  namespace: string;
  name: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export const DEFAULT_LEADER_ELECTION: LeaderElectionSettings = {
  enabled: true,
  namespace: NAMESPACE_KARMADA_SYSTEM,
  name: 'karmada-controller-manager',
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
};

export interface ControllerManagerOptions {
  client: ObjectClient;
  controllers: readonly ControllerDescriptor[];
  settings: ControllerManagerSettings;
  leaderElection: LeaderElectionSettings;
  logger: Logger;
}

/**
 * Runs the controllers until the signal aborts. Resolves 'stopped' after a requested stop and 'lost'
 * when leadership was lost (the caller should exit: a fresh process campaigns again).
 */
export async function runControllerManager(opts: ControllerManagerOptions, signal: AbortSignal): Promise<'stopped' | 'lost'> {
  const { client, logger } = opts;
  await waitForServer(client, logger, signal);
  if (signal.aborted) return 'stopped';

  const runAll = async (runSignal: AbortSignal) => {
    const informers = new SharedInformerFactory(client, { logger });
    const ctx: ControllerContext = { client, informers, logger, settings: opts.settings };
    const runnables = opts.controllers.map((d) => d.create(ctx));
    informers.start();
    logger.info({ controllers: runnables.map((r) => r.name) }, 'starting controllers');
    await Promise.all(
      runnables.map((r) =>
        r.run(runSignal).catch((err: unknown) => {
          logger.error({ controller: r.name, err: errText(err) }, 'controller failed');
        }),
      ),
    );
    await informers.stop();
  };

  if (!opts.leaderElection.enabled) {
    await runAll(signal);
    return 'stopped';
  }
  const le = opts.leaderElection;
  await ensureNamespace(client, le.namespace, logger);
  let running: Promise<void> | undefined;
  const elector = new LeaderElector({
    client,
    namespace: le.namespace,
    name: le.name,
    leaseDurationMs: le.leaseDurationMs,
    renewDeadlineMs: le.renewDeadlineMs,
    retryPeriodMs: le.retryPeriodMs,
    logger,
    onStartedLeading: (leaderSignal) => {
      running = runAll(leaderSignal);
    },
    onNewLeader: (id) => logger.info({ leader: id }, 'new leader elected'),
  });
  logger.info({ lease: `${le.namespace}/${le.name}`, identity: elector.identity }, 'attempting to acquire the leader lease');
  await elector.run(signal);
  await running;
  return signal.aborted ? 'stopped' : 'lost';
}

async function waitForServer(client: ObjectClient, logger: Logger, signal: AbortSignal): Promise<void> {
  for (let attempt = 0; !signal.aborted; attempt++) {
    try {
      await client.rest.request({ path: '/version', timeoutMs: 5000 });
      return;
    } catch (err) {
      if (attempt % 10 === 0) logger.warn({ server: client.rest.server, err: errText(err) }, 'waiting for the karmada-apiserver');
      await sleep(Math.min(2000, 200 * (attempt + 1)), signal);
    }
  }
}

async function ensureNamespace(client: ObjectClient, name: string, logger: Logger): Promise<void> {
  try {
    await client.resource(NAMESPACES).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  } catch (err) {
    if (isAlreadyExists(err)) return;
    if (isForbidden(err)) return; // assume it exists; the lease calls will tell otherwise
    logger.warn({ namespace: name, err: errText(err) }, 'cannot create the leader election namespace');
  }
}
