#!/usr/bin/env node
// karmada-controller-manager: runs the control plane's controllers against a karmada-apiserver.

import { Command, Option } from 'commander';
import { CONTROLLERS, DEFAULT_LEADER_ELECTION, DEFAULT_SETTINGS, runControllerManager, selectControllers } from '../../pkg/controllers/manager.js';
import { ObjectClient } from '../../pkg/runtime/client.js';
import { RestClient } from '../../pkg/runtime/rest.js';
import { boolArg as bool, durationOption, positiveIntArg as positiveInt } from '../../pkg/util/flags.js';
import { formatDuration } from '../../pkg/util/duration.js';
import { levelForVerbosity, newLogger } from '../../pkg/util/logger.js';

// repeated --controllers flags accumulate; the first one replaces the default
const DEFAULT_CONTROLLERS: string[] = ['*'];

interface Flags {
  kubeconfig?: string;
  context?: string;
  controllers: string[];
  clusterStatusUpdateFrequency: number;
  clusterMonitorPeriod: number;
  clusterMonitorGracePeriod: number;
  clusterStartupGracePeriod: number;
  clusterSuccessThreshold: number;
  clusterFailureThreshold: number;
  concurrentClusterSyncs: number;
  enableClusterResourceModeling: boolean;
  enableNoExecuteTaintEviction: boolean;
  noExecuteTaintEvictionPurgeMode: 'Gracefully' | 'Directly';
  gracefulEvictionTimeout: number;
  leaderElect: boolean;
  leaderElectLeaseDuration: number;
  leaderElectRenewDeadline: number;
  leaderElectRetryPeriod: number;
  leaderElectResourceNamespace: string;
  leaderElectResourceName: string;
  v: number;
}

const program = new Command('karmada-controller-manager')
  .description('Runs the Karmada controllers (cluster lifecycle, cluster status, ...) against a karmada-apiserver.')
  .option('--kubeconfig <file>', 'kubeconfig of the karmada-apiserver (default: $KUBECONFIG or ~/.kube/config)')
  .option('--context <name>', 'kubeconfig context to use')
  .option(
    '--controllers <list>',
    `controllers to enable: "*" enables all on-by-default controllers, "foo" enables foo, "-foo" disables foo (known: ${CONTROLLERS.map((c) => c.name).join(', ')})`,
    (v: string, prev: string[]) => (prev === DEFAULT_CONTROLLERS ? [v] : [...prev, v]),
    DEFAULT_CONTROLLERS,
  )
  .addOption(durationOption('--cluster-status-update-frequency', 'how often cluster status is collected and reported', DEFAULT_SETTINGS.clusterStatusUpdateFrequencyMs))
  .addOption(durationOption('--cluster-monitor-period', 'how often Pull clusters are checked for missed heartbeats', DEFAULT_SETTINGS.clusterMonitorPeriodMs))
  .addOption(durationOption('--cluster-monitor-grace-period', 'how long a Pull cluster may go without heartbeat before it is Ready=Unknown', DEFAULT_SETTINGS.clusterMonitorGracePeriodMs))
  .addOption(durationOption('--cluster-startup-grace-period', 'grace period for a cluster that never reported Ready', DEFAULT_SETTINGS.clusterStartupGracePeriodMs))
  .addOption(durationOption('--cluster-success-threshold', 'how long a cluster must be healthy before it is reported Ready again', DEFAULT_SETTINGS.clusterSuccessThresholdMs))
  .addOption(durationOption('--cluster-failure-threshold', 'how long a cluster must be unhealthy before it is reported not Ready', DEFAULT_SETTINGS.clusterFailureThresholdMs))
  .option('--concurrent-cluster-syncs <n>', 'clusters reconciled concurrently per controller', positiveInt('--concurrent-cluster-syncs'), DEFAULT_SETTINGS.concurrentClusterSyncs)
  .option('--enable-cluster-resource-modeling [bool]', 'collect node and resource summaries of members', bool('--enable-cluster-resource-modeling'), DEFAULT_SETTINGS.enableClusterResourceModeling)
  .option('--enable-no-execute-taint-eviction [bool]', 'evict workloads from clusters with NoExecute taints they do not tolerate (failover)', bool('--enable-no-execute-taint-eviction'), DEFAULT_SETTINGS.enableNoExecuteTaintEviction)
  .addOption(
    new Option('--no-execute-taint-eviction-purge-mode <mode>', 'how evicted workloads leave the tainted cluster: Gracefully (after they are healthy elsewhere) or Directly')
      .choices(['Gracefully', 'Directly'])
      .default(DEFAULT_SETTINGS.noExecuteTaintEvictionPurgeMode),
  )
  .addOption(durationOption('--graceful-eviction-timeout', 'how long a graceful eviction keeps the old cluster\'s workload at most', DEFAULT_SETTINGS.gracefulEvictionTimeoutMs))
  .option('--leader-elect [bool]', 'elect a leader before running controllers (one active replica)', bool('--leader-elect'), DEFAULT_LEADER_ELECTION.enabled)
  .addOption(durationOption('--leader-elect-lease-duration', 'leader lease duration', DEFAULT_LEADER_ELECTION.leaseDurationMs))
  .addOption(durationOption('--leader-elect-renew-deadline', 'how long the leader retries renewing before giving up', DEFAULT_LEADER_ELECTION.renewDeadlineMs))
  .addOption(durationOption('--leader-elect-retry-period', 'interval between acquire/renew attempts', DEFAULT_LEADER_ELECTION.retryPeriodMs))
  .option('--leader-elect-resource-namespace <ns>', 'namespace of the leader Lease', DEFAULT_LEADER_ELECTION.namespace)
  .option('--leader-elect-resource-name <name>', 'name of the leader Lease', DEFAULT_LEADER_ELECTION.name)
  .addOption(new Option('--v <level>', 'log verbosity (klog-style)').argParser(Number).default(0))
  .addHelpText(
    'after',
    `
Defaults: status every ${formatDuration(DEFAULT_SETTINGS.clusterStatusUpdateFrequencyMs)}, success/failure thresholds ${formatDuration(DEFAULT_SETTINGS.clusterSuccessThresholdMs)}/${formatDuration(DEFAULT_SETTINGS.clusterFailureThresholdMs)}.

Examples:
  karmada-controller-manager --kubeconfig karmada.config
  karmada-controller-manager --kubeconfig karmada.config --controllers '*,-clusterStatus' --leader-elect=false
  karmada-controller-manager --kubeconfig karmada.config --cluster-status-update-frequency 1s --cluster-failure-threshold 3s`,
  )
  .action(async (flags: Flags) => {
    const controllers = selectControllers(flags.controllers);
    const client = new ObjectClient(RestClient.fromFile(flags.kubeconfig, flags.context, { userAgent: 'karmada-controller-manager' }));
    const logger = newLogger('karmada-controller-manager', levelForVerbosity(flags.v));
    const stop = new AbortController();
    const shutdown = (signal: string) => {
      if (stop.signal.aborted) return;
      logger.info({ signal }, 'shutting down');
      stop.abort();
      setTimeout(() => process.exit(0), 5000).unref();
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    const outcome = await runControllerManager(
      {
        client,
        controllers,
        logger,
        settings: {
          clusterStatusUpdateFrequencyMs: flags.clusterStatusUpdateFrequency,
          clusterMonitorPeriodMs: flags.clusterMonitorPeriod,
          clusterMonitorGracePeriodMs: flags.clusterMonitorGracePeriod,
          clusterStartupGracePeriodMs: flags.clusterStartupGracePeriod,
          clusterSuccessThresholdMs: flags.clusterSuccessThreshold,
          clusterFailureThresholdMs: flags.clusterFailureThreshold,
          concurrentClusterSyncs: flags.concurrentClusterSyncs,
          enableClusterResourceModeling: flags.enableClusterResourceModeling,
          enableNoExecuteTaintEviction: flags.enableNoExecuteTaintEviction,
          noExecuteTaintEvictionPurgeMode: flags.noExecuteTaintEvictionPurgeMode,
          gracefulEvictionTimeoutMs: flags.gracefulEvictionTimeout,
        },
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
    if (outcome === 'lost') {
      logger.error('leader election lost');
      process.exit(1);
    }
    process.exit(0);
  });

program.parseAsync().catch((err: Error) => {
  process.stderr.write(`karmada-controller-manager: ${err.message}\n`);
  process.exit(1);
});
