// karmada-agent's command line (Karmada's cmd/agent/app/options): flags, defaults and their mapping to
// AgentOptions. cmd/karmada-agent/main.ts only wires it to runAgent and the process.

import { Command, Option } from 'commander';
import type { Logger } from 'pino';
import { formatDuration } from '../util/duration.js';
import { boolArg as bool, durationOption, positiveIntArg as positiveInt } from '../util/flags.js';
import { DEFAULT_AGENT_SETTINGS, type AgentOptions } from './agent.js';
import { AGENT_CONTROLLERS, selectAgentControllers } from './controllers.js';

export const DEFAULT_AGENT_DATA_DIR = '/var/lib/karmada-agent';

// repeated --controllers flags accumulate; the first one replaces the default
const DEFAULT_CONTROLLERS: string[] = ['*'];

export interface AgentFlags {
  karmadaKubeconfig?: string;
  karmadaContext?: string;
  clusterName?: string;
  kubeconfig?: string;
  context?: string;
  dataDir: string;
  clusterApiEndpoint?: string;
  proxyServerAddress?: string;
  clusterProvider?: string;
  clusterRegion?: string;
  clusterZones?: string[];
  clusterStatusUpdateFrequency: number;
  clusterLeaseDuration: number;
  clusterLeaseRenewIntervalFraction: number;
  clusterSuccessThreshold: number;
  clusterFailureThreshold: number;
  enableClusterResourceModeling: boolean;
  concurrentWorkSyncs: number;
  controllers: string[];
  enableCertRotation: boolean;
  certRotationCheckingInterval: number;
  certRotationRemainingTimeThreshold: number;
  metricsBindAddress: string;
  v: number;
  logLevel?: string;
}

const fraction = (flag: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n >= 1) throw new Error(`invalid ${flag} "${v}": use a number between 0 and 1, e.g. 0.25`);
  return n;
};

const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** The command with every flag; `action` receives the parsed flags. */
export function newAgentCommand(action: (flags: AgentFlags) => Promise<void> | void): Command {
  return new Command('karmada-agent')
    .description(
      'The agent of a Pull-mode member cluster: registers the cluster with the Karmada control plane, applies the Works of its execution namespace to the member, reports cluster and work status, and keeps the member right while the control plane is unreachable.',
    )
    .option('--karmada-kubeconfig <file>', 'kubeconfig of the karmada-apiserver (the agent\'s own credentials; required)')
    .option('--karmada-context <name>', 'context in the karmada kubeconfig to use')
    .option('--cluster-name <name>', 'name of the member cluster the agent serves (required)')
    .option('--kubeconfig <file>', 'kubeconfig of the member cluster (default: in-cluster, $KUBECONFIG, ~/.kube/config)')
    .option('--context <name>', 'context in the member kubeconfig to use')
    .option('--data-dir <dir>', 'directory of the agent\'s local store (desired manifests, pending status reports)', DEFAULT_AGENT_DATA_DIR)
    .option('--cluster-api-endpoint <url>', 'API endpoint of the member cluster as the control plane should reach it (default: the member kubeconfig\'s server)')
    .option('--proxy-server-address <url>', 'proxy the control plane uses to reach the member (spec.proxyURL)')
    .option('--cluster-provider <name>', 'cloud provider of the member cluster (spec.provider)')
    .option('--cluster-region <name>', 'region of the member cluster (spec.region)')
    .option('--cluster-zones <list>', 'comma-separated failure zones of the member cluster (spec.zones)', list)
    .addOption(durationOption('--cluster-status-update-frequency', 'how often cluster status is collected and reported', DEFAULT_AGENT_SETTINGS.clusterStatusUpdateFrequencyMs))
    .addOption(durationOption('--cluster-lease-duration', 'duration of the cluster Lease the agent renews', DEFAULT_AGENT_SETTINGS.leaseDurationSeconds * 1000))
    .option('--cluster-lease-renew-interval-fraction <n>', 'the Lease is renewed every lease duration × this fraction', fraction('--cluster-lease-renew-interval-fraction'), DEFAULT_AGENT_SETTINGS.leaseRenewIntervalFraction)
    .addOption(durationOption('--cluster-success-threshold', 'how long the member must be healthy before it is reported Ready again', DEFAULT_AGENT_SETTINGS.clusterSuccessThresholdMs))
    .addOption(durationOption('--cluster-failure-threshold', 'how long the member must be unhealthy before it is reported not Ready', DEFAULT_AGENT_SETTINGS.clusterFailureThresholdMs))
    .option('--enable-cluster-resource-modeling [bool]', 'collect node and resource summaries of the member', bool('--enable-cluster-resource-modeling'), true)
    .option('--concurrent-work-syncs <n>', 'Works synced concurrently', positiveInt('--concurrent-work-syncs'), DEFAULT_AGENT_SETTINGS.concurrentWorkSyncs)
    .option(
      '--controllers <list>',
      `controllers to enable: "*" enables all on-by-default controllers, "foo" enables foo, "-foo" disables foo (known: ${AGENT_CONTROLLERS.map((c) => c.name).join(', ')}; certRotation is off by default)`,
      (v: string, prev: string[]) => (prev === DEFAULT_CONTROLLERS ? [v] : [...prev, v]),
      DEFAULT_CONTROLLERS,
    )
    .option('--enable-cert-rotation [bool]', 'rotate the agent\'s client certificate through CSRs before it expires (same as adding certRotation to --controllers)', bool('--enable-cert-rotation'), false)
    .addOption(durationOption('--cert-rotation-checking-interval', 'how often the client certificate\'s expiry is checked', DEFAULT_AGENT_SETTINGS.certRotationCheckingIntervalMs))
    .option(
      '--cert-rotation-remaining-time-threshold <n>',
      'rotate when this fraction of the certificate\'s lifetime or less remains',
      fraction('--cert-rotation-remaining-time-threshold'),
      DEFAULT_AGENT_SETTINGS.certRotationRemainingTimeThreshold,
    )
    .option('--metrics-bind-address <host:port>', 'serve /metrics, /healthz and /readyz on this address ("0" disables)', '0')
    .addOption(new Option('-v, --v <level>', 'log verbosity (klog-style: 4 debug, 6 trace)').argParser(Number).default(0))
    .addOption(new Option('--log-level <level>', 'log level (overrides -v)').choices(['trace', 'debug', 'info', 'warn', 'error']))
    .addHelpText(
      'after',
      `
Defaults: status every ${formatDuration(DEFAULT_AGENT_SETTINGS.clusterStatusUpdateFrequencyMs)}, lease ${DEFAULT_AGENT_SETTINGS.leaseDurationSeconds}s renewed every ${formatDuration(DEFAULT_AGENT_SETTINGS.leaseDurationSeconds * 1000 * DEFAULT_AGENT_SETTINGS.leaseRenewIntervalFraction)}.

Examples:
  karmada-agent --karmada-kubeconfig karmada-agent.config --cluster-name member3 --kubeconfig member3.config --data-dir ./member3-agent
  karmada-agent --karmada-kubeconfig /etc/kubeconfig/karmada-kubeconfig --cluster-name edge1 --controllers '*,certRotation'`,
    )
    .action(async (flags: AgentFlags) => action(flags));
}

/** AgentOptions from parsed flags; throws with what to pass when required flags are missing. */
export function agentOptionsFromFlags(flags: AgentFlags, logger: Logger): { options: AgentOptions; ignoredControllers: string[] } {
  if (!flags.karmadaKubeconfig) throw new Error('--karmada-kubeconfig is required: the kubeconfig the agent uses to reach the karmada-apiserver (karmadactl register --agent-kubeconfig-out writes one)');
  if (!flags.clusterName) throw new Error('--cluster-name is required: the name the member is registered under');
  const { enabled, ignored } = selectAgentControllers(flags.controllers, flags.enableCertRotation);
  return {
    ignoredControllers: ignored,
    options: {
      karmadaKubeconfig: flags.karmadaKubeconfig,
      karmadaContext: flags.karmadaContext,
      clusterName: flags.clusterName,
      memberKubeconfig: flags.kubeconfig,
      memberContext: flags.context,
      dataDir: flags.dataDir,
      clusterAPIEndpoint: flags.clusterApiEndpoint,
      proxyServerAddress: flags.proxyServerAddress,
      provider: flags.clusterProvider,
      region: flags.clusterRegion,
      zones: flags.clusterZones,
      clusterStatusUpdateFrequencyMs: flags.clusterStatusUpdateFrequency,
      leaseDurationSeconds: Math.max(1, Math.round(flags.clusterLeaseDuration / 1000)),
      leaseRenewIntervalFraction: flags.clusterLeaseRenewIntervalFraction,
      clusterSuccessThresholdMs: flags.clusterSuccessThreshold,
      clusterFailureThresholdMs: flags.clusterFailureThreshold,
      enableClusterResourceModeling: flags.enableClusterResourceModeling,
      concurrentWorkSyncs: flags.concurrentWorkSyncs,
      controllers: enabled,
      certRotationCheckingIntervalMs: flags.certRotationCheckingInterval,
      certRotationRemainingTimeThreshold: flags.certRotationRemainingTimeThreshold,
      logger,
    },
  };
}
