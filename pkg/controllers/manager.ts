// karmada-controller-manager's assembly: the registry of controllers, --controllers selection (Karmada's
// semantics: "*" = every controller on by default, "foo" enables, "-foo" disables), one shared informer
// factory, and optional leader election on the Lease karmada-system/karmada-controller-manager.
// A new controller is one entry in CONTROLLERS.

import type { Logger } from 'pino';
import { NAMESPACE_KARMADA_SYSTEM } from '../apis/cluster/v1alpha1/index.js';
import { ObjectClient } from '../runtime/client.js';
import type { Runnable } from '../runtime/controller.js';
import { SharedInformerFactory } from '../runtime/factory.js';
import { errText } from '../runtime/informer.js';
import { runElected, type LeaderElectionSettings } from '../runtime/component.js';
import { ClusterController } from './cluster/controller.js';
import { ClusterStatusController } from './clusterstatus/controller.js';
import { BindingController } from './binding/controller.js';
import { BindingStatusController } from './bindingstatus/controller.js';
import { DependenciesDistributor } from './dependencies/controller.js';
import { ResourceDetector } from './detector/detector.js';
import { ExecutionController } from './execution/controller.js';
import { NamespaceSyncController } from './namespace/controller.js';
import { WorkloadRebalancerController } from './workloadrebalancer/controller.js';
import { ApplicationFailoverController } from './applicationfailover/controller.js';
import { GracefulEvictionController } from './gracefuleviction/controller.js';
import { NoExecuteTaintManager } from './taintmanager/controller.js';
import { ClusterTaintPolicyController } from './clustertaintpolicy/controller.js';
import { WorkStatusController } from './workstatus/controller.js';
import { AgentCSRApprovingController } from './agentcsrapproving/controller.js';
import { newInformerBackedInterpreter } from '../resourceinterpreter/index.js';
import type { ResourceInterpreter } from '../resourceinterpreter/interface.js';
import { RESTMapper } from '../runtime/restmapper.js';

export interface ControllerManagerSettings {
  clusterStatusUpdateFrequencyMs: number;
  clusterMonitorPeriodMs: number;
  clusterMonitorGracePeriodMs: number;
  clusterStartupGracePeriodMs: number;
  clusterSuccessThresholdMs: number;
  clusterFailureThresholdMs: number;
  concurrentClusterSyncs: number;
  enableClusterResourceModeling: boolean;
  /** The taint manager evicts workloads from clusters with untolerated NoExecute taints (opt-in, as upstream). */
  enableNoExecuteTaintEviction: boolean;
  noExecuteTaintEvictionPurgeMode: 'Gracefully' | 'Directly';
  gracefulEvictionTimeoutMs: number;
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
  enableNoExecuteTaintEviction: false,
  noExecuteTaintEvictionPurgeMode: 'Gracefully',
  gracefulEvictionTimeoutMs: 600_000,
};

export interface ControllerContext {
  client: ObjectClient;
  informers: SharedInformerFactory;
  logger: Logger;
  settings: ControllerManagerSettings;
  /** Built-ins plus the ResourceInterpreterCustomizations in the control plane. */
  interpreter: ResourceInterpreter;
  /** Discovery of the control plane's resources, shared by every controller. */
  restMapper: RESTMapper;
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
    // upstream runs the detector unconditionally; here it can be disabled like any controller
    name: 'resourceDetector',
    enabledByDefault: true,
    create: (ctx) => new ResourceDetector({ client: ctx.client, informers: ctx.informers, logger: ctx.logger, interpreter: ctx.interpreter, restMapper: ctx.restMapper }),
  },
  {
    name: 'binding',
    enabledByDefault: true,
    create: (ctx) => new BindingController({ client: ctx.client, informers: ctx.informers, logger: ctx.logger, interpreter: ctx.interpreter, restMapper: ctx.restMapper }),
  },
  {
    name: 'execution',
    enabledByDefault: true,
    create: (ctx) => new ExecutionController({ client: ctx.client, informers: ctx.informers, logger: ctx.logger, interpreter: ctx.interpreter }),
  },
  {
    name: 'workStatus',
    enabledByDefault: true,
    create: (ctx) => new WorkStatusController({ client: ctx.client, informers: ctx.informers, logger: ctx.logger, interpreter: ctx.interpreter }),
  },
  {
    name: 'bindingStatus',
    enabledByDefault: true,
    create: (ctx) => new BindingStatusController({ client: ctx.client, informers: ctx.informers, logger: ctx.logger, interpreter: ctx.interpreter, restMapper: ctx.restMapper }),
  },
  {
    name: 'namespace',
    enabledByDefault: true,
    create: (ctx) => new NamespaceSyncController({ client: ctx.client, informers: ctx.informers, logger: ctx.logger }),
  },
  {
    name: 'dependenciesDistributor',
    enabledByDefault: true,
    create: (ctx) => new DependenciesDistributor({ client: ctx.client, informers: ctx.informers, logger: ctx.logger, interpreter: ctx.interpreter, restMapper: ctx.restMapper }),
  },
  {
    name: 'clusterTaintPolicy',
    enabledByDefault: true,
    create: (ctx) => new ClusterTaintPolicyController({ client: ctx.client, informers: ctx.informers, logger: ctx.logger }),
  },
  {
    // registered always; it evicts only with --enable-no-execute-taint-eviction
    name: 'taintManager',
    enabledByDefault: true,
    create: (ctx) =>
      new NoExecuteTaintManager({
        client: ctx.client,
        informers: ctx.informers,
        logger: ctx.logger,
        enableNoExecuteTaintEviction: ctx.settings.enableNoExecuteTaintEviction,
        defaultPurgeMode: ctx.settings.noExecuteTaintEvictionPurgeMode,
      }),
  },
  {
    name: 'gracefulEviction',
    enabledByDefault: true,
    create: (ctx) => new GracefulEvictionController({ client: ctx.client, informers: ctx.informers, logger: ctx.logger, gracefulEvictionTimeoutMs: ctx.settings.gracefulEvictionTimeoutMs }),
  },
  {
    name: 'applicationFailover',
    enabledByDefault: true,
    create: (ctx) => new ApplicationFailoverController({ client: ctx.client, informers: ctx.informers, logger: ctx.logger }),
  },
  {
    // approves the CSRs of `karmadactl register` and of agents renewing their certificates
    name: 'agentcsrapproving',
    enabledByDefault: true,
    create: (ctx) => new AgentCSRApprovingController({ client: ctx.client, informers: ctx.informers, logger: ctx.logger }),
  },
  {
    name: 'workloadRebalancer',
    enabledByDefault: true,
    create: (ctx) => new WorkloadRebalancerController({ client: ctx.client, informers: ctx.informers, logger: ctx.logger }),
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

export type { LeaderElectionSettings };

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
  return runElected(
    opts,
    async (runSignal) => {
      const informers = new SharedInformerFactory(client, { logger });
      const interpreter = newInformerBackedInterpreter(informers, logger.child({ component: 'resource-interpreter' }));
      const ctx: ControllerContext = { client, informers, logger, settings: opts.settings, interpreter, restMapper: new RESTMapper(client) };
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
      interpreter.close();
    },
    signal,
  );
}
