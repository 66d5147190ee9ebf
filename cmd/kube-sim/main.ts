#!/usr/bin/env node
// kube-sim: a simulated member cluster (API server + simulated nodes, scheduler, kubelets and workload
// controllers), or several of them in one process.

import { Command, Option } from 'commander';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mergeKubeconfigs, SimCluster, DEFAULT_KUBERNETES_VERSION, simPKI, type SimClusterOptions } from '../../pkg/sim/cluster.js';
import { writeKubeconfig } from '../../pkg/pki/index.js';
import { parseDuration } from '../../pkg/sim/podutil.js';
import { parseQuantity } from '../../pkg/sim/quantity.js';
import { newLogger, levelForVerbosity } from '../../pkg/util/logger.js';

interface Flags {
  name?: string;
  port: number;
  bindAddress: string;
  nodes: number;
  nodeCpu: string;
  nodeMemory: string;
  nodePods: number;
  provider?: string;
  region?: string;
  zone?: string;
  edgeNodes: number;
  dataDir?: string;
  kubeconfigOut?: string;
  kubeconfigDir?: string;
  kubernetesVersion: string;
  podEvictionTimeout: string;
  jobDuration: string;
  podStartupDelay: string;
  deviceReportPeriod: string;
  deviceReportDelay: string;
  clusters?: number;
  namePrefix: string;
  basePort?: number;
  startConcurrency: number;
  v: number;
}

const int = (what: string, min: number, max = Number.MAX_SAFE_INTEGER) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`invalid ${what} "${v}": use a whole number from ${min} to ${max}`);
  return n;
};

function durationMs(flag: string, v: string): number {
  const ms = parseDuration(v, Number.NaN);
  if (ms === undefined || Number.isNaN(ms)) throw new Error(`invalid ${flag} "${v}": use a duration such as 500ms, 30s, 2m`);
  return ms;
}

const program = new Command('kube-sim')
  .description(
    "A simulated Kubernetes member cluster for tests, demos and scale runs (as kwok and fake-kubelet serve Karmada's tests): " +
      "the project's API server plus simulated nodes, scheduler, kubelets and Deployment, ReplicaSet, StatefulSet, DaemonSet, " +
      'Job, Service and Endpoints/EndpointSlice controllers.',
  )
  .option('--name <name>', 'cluster name: kubeconfig context, cluster and user name; node names are <name>-node-<i>')
  .option('--port <port>', 'HTTPS port of the API server (0 picks a free one)', int('port', 0, 65535), 0)
  .option('--bind-address <ip>', 'address to listen on', '127.0.0.1')
  .option('--nodes <n>', 'number of simulated nodes', int('--nodes', 0), 3)
  .option('--node-cpu <quantity>', 'cpu capacity of each node', '8')
  .option('--node-memory <quantity>', 'memory capacity of each node', '32Gi')
  .option('--node-pods <n>', 'pod capacity of each node', int('--node-pods', 1), 110)
  .option('--provider <name>', 'cloud provider (node label kube-sim.karmada.io/provider and spec.providerID)')
  .option('--region <region>', 'topology.kubernetes.io/region of the nodes')
  .option('--zone <zones>', 'topology.kubernetes.io/zone of the nodes; comma-separated zones are used round-robin')
  .option(
    '--edge-nodes <n>',
    'additional KubeEdge edge nodes (<name>-edge-node-<i>, labelled node-role.kubernetes.io/edge=""); with N > 0 the cluster also serves the devices.kubeedge.io/v1beta1 Device and DeviceModel CRDs and runs a simulated device mapper',
    int('--edge-nodes', 0),
    0,
  )
  .option('--device-report-period <duration>', 'how often the simulated mapper refreshes an online Device\'s status.lastOnlineTime', '30s')
  .option('--device-report-delay <duration>', 'time from a new desired twin value to the simulated mapper reporting it', '0s')
  .option('--data-dir <dir>', 'directory for the PKI and the SQLite store (default: a temp dir removed on exit); with --clusters, one sub-directory per cluster and a shared DIR/pki')
  .option('--kubeconfig-out <file>', 'write an admin kubeconfig (server https://127.0.0.1:PORT, context named after the cluster) once the cluster is ready; with --clusters, one file with a context per cluster')
  .option('--kubeconfig-dir <dir>', 'also write <dir>/<name>.config for each cluster')
  .option('--kubernetes-version <version>', 'Kubernetes version reported by /version and the nodes', DEFAULT_KUBERNETES_VERSION)
  .option('--pod-eviction-timeout <duration>', 'how long pods stay on an unreachable/not-ready node before eviction (their default toleration)', '30s')
  .option('--job-duration <duration>', 'simulated run time of Job pods', '1s')
  .option('--pod-startup-delay <duration>', 'time from binding to running containers', '0s')
  .option('--clusters <n>', 'run N clusters in this process: <name-prefix>1..N on ports <base-port>..<base-port>+N-1', int('--clusters', 1, 1000))
  .option('--name-prefix <prefix>', 'cluster name prefix with --clusters', 'member')
  .option('--base-port <port>', 'first port with --clusters (0: free ports)', int('--base-port', 0, 65535))
  .option('--start-concurrency <n>', 'clusters started at the same time with --clusters', int('--start-concurrency', 1, 64), 4)
  .addOption(new Option('--v <level>', 'log verbosity (klog-style)').argParser(Number).default(0))
  .addHelpText(
    'after',
    `
Failure injection (through the API, as a test would do it):
  kubectl annotate node NODE kube-sim.karmada.io/fail=true       # node unreachable: Ready=Unknown (NodeStatusUnknown,
                                                                 # "Kubelet stopped posting node status."), taints
                                                                 # node.kubernetes.io/unreachable:NoSchedule,NoExecute
  kubectl annotate node NODE kube-sim.karmada.io/fail=NotReady   # Ready=False, node.kubernetes.io/not-ready taints
  kubectl annotate node NODE kube-sim.karmada.io/fail-           # heal: Ready=True, taints removed
  Pods on a failed node turn not ready and are deleted after --pod-eviction-timeout (pods that tolerate the
  taint forever, such as DaemonSet pods, stay); their controllers recreate them on other nodes. Any NoExecute
  taint (kubectl taint node NODE k=v:NoExecute) evicts the pods that do not tolerate it.

Pod behaviour:
  Pods of Jobs run for --job-duration and succeed. Annotations on a pod (template) change that:
  kube-sim.karmada.io/run-duration=5s|never   how long the containers run
  kube-sim.karmada.io/exit-code=1              exit code when they finish (Failed; restartPolicy Always restarts)
  Nodes created through the API (kubectl apply -f node.yaml) become Ready with the default capacity.

KubeEdge (--edge-nodes N > 0):
  Devices whose spec.nodeName is an edge node get a status from the simulated mapper: state "online" while
  the node is Ready (status.lastOnlineTime refreshed every --device-report-period; status.twins[] echo each
  property's desired value as reported after --device-report-delay, with observedDesired), "offline" while
  it is failed (annotate the edge node as above; twins keep their last values), "unknown" without a
  nodeName or on a non-edge node.
  kubectl get devices,devicemodels -A

Examples:
  kube-sim --name member1 --port 6443 --nodes 3 --kubeconfig-out member1.config
  kubectl --kubeconfig member1.config get nodes
  kube-sim --name member3 --nodes 2 --edge-nodes 2 --kubeconfig-out member3.config
  kube-sim --clusters 20 --nodes 100 --base-port 7001 --kubeconfig-out members.config`,
  )
  .action(async (flags: Flags) => {
    parseQuantity(flags.nodeCpu);
    parseQuantity(flags.nodeMemory);
    const logger = newLogger('kube-sim', flags.v ? levelForVerbosity(flags.v) : process.env.LOG_LEVEL ?? 'info');
    const common: Omit<SimClusterOptions, 'name'> = {
      bindAddress: flags.bindAddress,
      nodes: flags.nodes,
      nodeCpu: flags.nodeCpu,
      nodeMemory: flags.nodeMemory,
      nodePods: flags.nodePods,
      provider: flags.provider,
      region: flags.region,
      zones: flags.zone ? flags.zone.split(',').map((z) => z.trim()).filter(Boolean) : [],
      edgeNodes: flags.edgeNodes,
      kubernetesVersion: flags.kubernetesVersion,
      podEvictionTimeoutSeconds: Math.ceil(durationMs('--pod-eviction-timeout', flags.podEvictionTimeout) / 1000),
      jobDurationMs: durationMs('--job-duration', flags.jobDuration),
      podStartupDelayMs: durationMs('--pod-startup-delay', flags.podStartupDelay),
      deviceReportPeriodMs: durationMs('--device-report-period', flags.deviceReportPeriod),
      deviceReportDelayMs: durationMs('--device-report-delay', flags.deviceReportDelay),
      logger,
    };
    const multi = flags.clusters !== undefined;
    if (!multi && !flags.name) throw new Error('--name is required (or --clusters N to run several clusters)');
    const names = multi ? Array.from({ length: flags.clusters! }, (_, i) => `${flags.namePrefix}${i + 1}`) : [flags.name!];
    const basePort = multi ? (flags.basePort ?? flags.port) : flags.port;
    const dataDir = flags.dataDir ? path.resolve(flags.dataDir) : undefined;
    if (dataDir) mkdirSync(dataDir, { recursive: true });

    // Clusters of one process share a CA and certificates (DATA_DIR/pki): creating 20 PKIs (RSA keys)
    // would dominate the start time. Each cluster keeps its own store and kube-system UID (cluster ID).
    let sharedPKIDir: string | undefined;
    if (multi) sharedPKIDir = dataDir ? path.join(dataDir, 'pki') : mkdtempSync(path.join(tmpdir(), 'kube-sim-pki-'));
    const pki = sharedPKIDir ? await simPKI(sharedPKIDir, flags.bindAddress, logger) : undefined;
    const clusters: SimCluster[] = [];
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      Promise.allSettled(clusters.map((c) => c.stop())).then(
        () => {
          if (sharedPKIDir && !dataDir) rmSync(sharedPKIDir, { recursive: true, force: true });
          process.exit(0);
        },
        () => process.exit(1),
      );
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));

    const started = Date.now();
    // A few clusters start at once: PKI generation and the stores' writes overlap well on two cores.
    const slots: (SimCluster | undefined)[] = new Array(names.length);
    let next = 0;
    const worker = async () => {
      while (next < names.length && !stopping) {
        const i = next++;
        const name = names[i]!;
        const cluster = await SimCluster.start({
          ...common,
          name,
          port: basePort ? basePort + i : 0,
          dataDir: dataDir ? (multi ? path.join(dataDir, name) : dataDir) : undefined,
          kubeconfigOut: !multi && flags.kubeconfigOut ? path.resolve(flags.kubeconfigOut) : undefined,
          pki,
        });
        slots[i] = cluster;
        clusters.push(cluster);
        if (flags.kubeconfigDir) await writeKubeconfig(path.join(path.resolve(flags.kubeconfigDir), `${name}.config`), cluster.kubeconfig);
      }
    };
    await Promise.all(Array.from({ length: Math.min(flags.startConcurrency, names.length) }, worker));
    if (stopping) return;
    const ordered = slots.filter((c): c is SimCluster => !!c);
    if (multi && flags.kubeconfigOut) await writeKubeconfig(path.resolve(flags.kubeconfigOut), mergeKubeconfigs(ordered.map((c) => c.kubeconfig)));
    for (const c of ordered) process.stdout.write(`${c.name} ${c.url}\n`);
    logger.info({ clusters: clusters.length, ms: Date.now() - started }, 'kube-sim ready');
  });

program.parseAsync().catch((err: Error) => {
  process.stderr.write(`kube-sim: ${err.message}\n`);
  process.exit(1);
});
