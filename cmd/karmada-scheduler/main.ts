#!/usr/bin/env node
// karmada-scheduler: assigns ResourceBindings and ClusterResourceBindings to member clusters.

import { Command, Option } from 'commander';
import { DEFAULT_SCHEDULER_NAME } from '../../pkg/apis/policy/v1alpha1/index.js';
import { ObjectClient } from '../../pkg/runtime/client.js';
import { RestClient } from '../../pkg/runtime/rest.js';
import { IN_TREE_PLUGINS, selectPlugins } from '../../pkg/scheduler/framework/registry.js';
import { DEFAULT_SCHEDULER_LEADER_ELECTION, runScheduler } from '../../pkg/scheduler/scheduler.js';
import { startMetricsServer } from '../../pkg/util/metrics.js';
import { Registry } from 'prom-client';
import { boolArg as bool, durationOption, positiveIntArg as positiveInt } from '../../pkg/util/flags.js';
import { levelForVerbosity, newLogger } from '../../pkg/util/logger.js';

// repeated --plugins flags accumulate; the first one replaces the default
const DEFAULT_PLUGINS: string[] = ['*'];
const LE = DEFAULT_SCHEDULER_LEADER_ELECTION;

interface Flags {
  kubeconfig?: string;
  context?: string;
  plugins: string[];
  schedulerName: string;
  workers: number;
  enableEmptyWorkloadPropagation: boolean;
  leaderElect: boolean;
  leaderElectLeaseDuration: number;
  leaderElectRenewDeadline: number;
  leaderElectRetryPeriod: number;
  leaderElectResourceNamespace: string;
  leaderElectResourceName: string;
  metricsBindAddress: string;
  v: number;
}

const program = new Command('karmada-scheduler')
  .description('Schedules ResourceBindings and ClusterResourceBindings: picks member clusters and divides replicas among them.')
  .option('--kubeconfig <file>', 'kubeconfig of the karmada-apiserver (default: $KUBECONFIG or ~/.kube/config)')
  .option('--context <name>', 'kubeconfig context to use')
  .option(
    '--plugins <list>',
    `scheduler plugins to enable: "*" enables all, "foo" enables foo, "-foo" disables foo (known: ${IN_TREE_PLUGINS.map((p) => p.name).join(', ')})`,
    (v: string, prev: string[]) => (prev === DEFAULT_PLUGINS ? [v] : [...prev, v]),
    DEFAULT_PLUGINS,
  )
  .option('--scheduler-name <name>', 'schedule only bindings whose spec.schedulerName is this (empty counts as default-scheduler)', DEFAULT_SCHEDULER_NAME)
  .option('--workers <n>', 'bindings scheduled concurrently', positiveInt('--workers'), 4)
  .option('--enable-empty-workload-propagation [bool]', 'keep selected clusters that get 0 replicas in the result', bool('--enable-empty-workload-propagation'), false)
  .option('--leader-elect [bool]', 'elect a leader before scheduling (one active replica)', bool('--leader-elect'), LE.enabled)
  .addOption(durationOption('--leader-elect-lease-duration', 'leader lease duration', LE.leaseDurationMs))
  .addOption(durationOption('--leader-elect-renew-deadline', 'how long the leader retries renewing before giving up', LE.renewDeadlineMs))
  .addOption(durationOption('--leader-elect-retry-period', 'interval between acquire/renew attempts', LE.retryPeriodMs))
  .option('--leader-elect-resource-namespace <ns>', 'namespace of the leader Lease', LE.namespace)
  .option('--leader-elect-resource-name <name>', 'name of the leader Lease', LE.name)
  .option('--metrics-bind-address <host:port>', 'serve /metrics, /healthz and /readyz on this address ("0" disables)', '0')
  .addOption(new Option('--v <level>', 'log verbosity (klog-style)').argParser(Number).default(0))
  .addHelpText(
    'after',
    `
Examples:
  karmada-scheduler --kubeconfig karmada.config
  karmada-scheduler --kubeconfig karmada.config --plugins '*,-ClusterLocality' --leader-elect=false
  karmada-scheduler --kubeconfig karmada.config --scheduler-name my-scheduler --leader-elect-resource-name my-scheduler`,
  )
  .action(async (flags: Flags) => {
    selectPlugins(flags.plugins); // reject unknown names before connecting
    const client = new ObjectClient(RestClient.fromFile(flags.kubeconfig, flags.context, { userAgent: 'karmada-scheduler' }));
    const logger = newLogger('karmada-scheduler', levelForVerbosity(flags.v));
    const stop = new AbortController();
    const shutdown = (signal: string) => {
      if (stop.signal.aborted) return;
      logger.info({ signal }, 'shutting down');
      stop.abort();
      setTimeout(() => process.exit(0), 5000).unref();
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    const registry = new Registry();
    const metricsServer = flags.metricsBindAddress && flags.metricsBindAddress !== '0' ? await startMetricsServer({ bindAddress: flags.metricsBindAddress, registry }) : undefined;
    if (metricsServer) logger.info({ address: metricsServer.address }, 'serving /metrics, /healthz and /readyz');
    const outcome = await runScheduler(
      {
        client,
        logger,
        metricsRegistry: registry,
        schedulerName: flags.schedulerName,
        plugins: flags.plugins,
        workers: flags.workers,
        enableEmptyWorkloadPropagation: flags.enableEmptyWorkloadPropagation,
        leaderElection: {
          enabled: flags.leaderElect,
          namespace: flags.leaderElectResourceNamespace,
          name: flags.leaderElectResourceName,
          leaseDurationMs: flags.leaderElectLeaseDuration,
          renewDeadlineMs: flags.leaderElectRenewDeadline,
          retryPeriodMs: flags.leaderElectRetryPeriod,
        },
      },
      stop.signal,
    );
    client.close();
    await metricsServer?.close();
    if (outcome === 'lost') {
      logger.error('leader election lost');
      process.exit(1);
    }
    process.exit(0);
  });

program.parseAsync().catch((err: Error) => {
  process.stderr.write(`karmada-scheduler: ${err.message}\n`);
  process.exit(1);
});
