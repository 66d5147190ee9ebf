// karmadactl unregister: removes a Pull cluster (Karmada's pkg/karmadactl/unregister). In the control plane
// it deletes the cluster's Works (their execution-namespace RBAC goes with the namespace, so Works first,
// while the agent can still clean the member up), then the Cluster (waiting for the cluster controller),
// then what register and the agent created: the agent's ClusterRole/Binding and Roles/RoleBindings, its
// Secrets, Lease and CSRs. In the member it deletes the karmada-agent Deployment, its Secret,
// ServiceAccount and RBAC, and the namespace when register created it. Push clusters go with unjoin.

import { Command } from 'commander';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import { executionNamespace, impersonationSecretName, NAMESPACE_KARMADA_CLUSTER, NAMESPACE_KARMADA_SYSTEM } from '../../apis/cluster/v1alpha1/index.js';
import { parseCSR } from '../../pki/index.js';
import { ObjectClient } from '../../runtime/client.js';
import { CLUSTERROLEBINDINGS, CLUSTERROLES, LEASES, NAMESPACES, SECRETS, SERVICEACCOUNTS, type GVR } from '../../runtime/gvr.js';
import { isNotFound, RestClient } from '../../runtime/rest.js';
import { CLUSTERS, WORKS } from '../../util/clusterapi.js';
import { parseDuration } from '../../util/duration.js';
import { KARMADA_AGENT_NAME, KARMADA_AGENT_SERVICE_ACCOUNT, KARMADA_KUBECONFIG_SECRET } from '../register/member.js';
import { agentUserName, CERTIFICATESIGNINGREQUESTS, DEPLOYMENTS, describeObject, generateRBACResources, KARMADA_SYSTEM_LABEL, KARMADA_SYSTEM_LABEL_VALUE } from '../register/rbac.js';
import { CommandError, karmadaClient, loadKubeConfig, stdio, type GlobalFlags, type IO } from '../util/factory.js';

export interface UnregisterOptions {
  clusterName: string;
  karmada: ObjectClient;
  member: KubeConfig;
  /** Namespace of the agent in the member (karmada-system). */
  namespace?: string;
  clusterNamespace?: string;
  /** How long to wait for the Works and then the Cluster to go (default 60 s). */
  waitMs?: number;
  /** After the wait, remove finalizers instead of failing. */
  force?: boolean;
  io?: IO;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitGone(read: () => Promise<number>, deadline: number): Promise<number> {
  for (;;) {
    const left = await read();
    if (left === 0 || Date.now() >= deadline) return left;
    await sleep(250);
  }
}

async function deleteQuietly(client: ObjectClient, gvr: GVR, name: string, namespace?: string): Promise<boolean> {
  try {
    return await client.resource(gvr).deleteIfExists(name, { namespace, propagationPolicy: 'Background' });
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/** Works of the cluster first (cmdutil.EnsureWorksDeleted). */
async function deleteWorks(opts: UnregisterOptions, io: IO, deadline: number): Promise<void> {
  const ns = executionNamespace(opts.clusterName);
  const works = opts.karmada.resource(WORKS);
  const list = async () => {
    try {
      return (await works.list({ namespace: ns })).items;
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
  };
  const items = await list();
  if (!items.length) return;
  io.err(`deleting ${items.length} Work(s) in ${ns}; waiting for the agent to remove them from the member...`);
  for (const w of items) if (!w.metadata?.deletionTimestamp) await works.deleteIfExists(w.metadata!.name!, { namespace: ns });
  const left = await waitGone(async () => (await list()).length, deadline);
  if (!left) return;
  if (!opts.force) {
    throw new CommandError(`${left} Work(s) in ${ns} were not removed in time (the agent removes their finalizers after cleaning the member): is karmada-agent running? Rerun with --force to remove them anyway`);
  }
  io.err(`warning: --force: removing the finalizers of ${left} Work(s) in ${ns}; their objects may stay in the member`);
  for (const w of await list()) {
    await works.patch(w.metadata!.name!, { metadata: { finalizers: null } }, { namespace: ns }).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
  }
}

async function deleteCluster(opts: UnregisterOptions, io: IO, deadline: number): Promise<void> {
  const clusters = opts.karmada.resource<Cluster>(CLUSTERS);
  await clusters.deleteIfExists(opts.clusterName);
  io.err(`waiting for cluster ${opts.clusterName} to be removed...`);
  const left = await waitGone(async () => ((await clusters.getOrUndefined(opts.clusterName)) ? 1 : 0), deadline);
  if (!left) return;
  if (!opts.force) {
    throw new CommandError(
      `cluster ${opts.clusterName} was not removed in time (karmada-controller-manager removes its finalizer after deleting its execution namespace): check that it is running, or rerun with --force`,
    );
  }
  io.err(`warning: --force: removing the finalizers of cluster ${opts.clusterName}`);
  await clusters.patch(opts.clusterName, { metadata: { finalizers: null } }).catch((err: unknown) => {
    if (!isNotFound(err)) throw err;
  });
  if (await waitGone(async () => ((await clusters.getOrUndefined(opts.clusterName)) ? 1 : 0), Date.now() + 10_000)) {
    throw new CommandError(`cluster ${opts.clusterName} could not be removed`);
  }
}

/** CSRs register and the agent made for this cluster's identity (CN system:karmada:agent:<cluster>). */
async function deleteAgentCSRs(client: ObjectClient, cluster: string): Promise<number> {
  const user = agentUserName(cluster);
  let n = 0;
  for (const csr of (await client.resource(CERTIFICATESIGNINGREQUESTS).listAll()).items) {
    const request = (csr.spec as { request?: string } | undefined)?.request;
    let cn: string | undefined;
    try {
      cn = request ? parseCSR(request).commonName : undefined;
    } catch {
      continue;
    }
    if (cn === user && (await deleteQuietly(client, CERTIFICATESIGNINGREQUESTS, csr.metadata!.name!))) n++;
  }
  return n;
}

export async function runUnregister(opts: UnregisterOptions): Promise<void> {
  const io = opts.io ?? stdio;
  const name = opts.clusterName;
  const clusterNs = opts.clusterNamespace || NAMESPACE_KARMADA_CLUSTER;
  const agentNs = opts.namespace || NAMESPACE_KARMADA_SYSTEM;
  const cluster = await opts.karmada.resource<Cluster>(CLUSTERS).getOrUndefined(name);
  if (cluster && cluster.spec?.syncMode !== 'Pull') {
    throw new CommandError(`cluster ${name} is a ${cluster.spec?.syncMode ?? 'Push'} cluster; use karmadactl unjoin`);
  }
  const deadline = Date.now() + (opts.waitMs ?? 60_000);

  // control plane
  await deleteWorks(opts, io, deadline);
  if (cluster) {
    await deleteCluster(opts, io, deadline);
    io.err(`cluster ${name} is removed from karmada`);
  } else {
    io.err(`warning: cluster ${name} is not registered in karmada (its agent never ran, or it is gone); cleaning up what register created`);
  }
  const removed: string[] = [];
  for (const r of generateRBACResources(name, clusterNs).reverse()) {
    if (await deleteQuietly(opts.karmada, r.gvr, r.object.metadata!.name!, r.object.metadata?.namespace)) removed.push(describeObject(r));
  }
  for (const s of [name, impersonationSecretName(name)]) if (await deleteQuietly(opts.karmada, SECRETS, s, clusterNs)) removed.push(`Secret/${clusterNs}/${s}`);
  if (await deleteQuietly(opts.karmada, LEASES, name, clusterNs)) removed.push(`Lease/${clusterNs}/${name}`);
  const csrs = await deleteAgentCSRs(opts.karmada, name);
  if (csrs) removed.push(`${csrs} CertificateSigningRequest(s)`);
  io.err(removed.length ? `control plane: removed ${removed.join(', ')}` : 'control plane: no agent RBAC, secrets or lease left to remove');

  // member
  const member = new ObjectClient(new RestClient(opts.member, { userAgent: 'karmadactl', timeoutMs: 15_000 }));
  try {
    const gone: string[] = [];
    const objects: [GVR, string, string | undefined, string][] = [
      [DEPLOYMENTS, KARMADA_AGENT_NAME, agentNs, 'Deployment'],
      [SERVICEACCOUNTS, KARMADA_AGENT_SERVICE_ACCOUNT, agentNs, 'ServiceAccount'],
      [CLUSTERROLEBINDINGS, KARMADA_AGENT_NAME, undefined, 'ClusterRoleBinding'],
      [CLUSTERROLES, KARMADA_AGENT_NAME, undefined, 'ClusterRole'],
      [SECRETS, KARMADA_KUBECONFIG_SECRET, agentNs, 'Secret'],
    ];
    for (const [gvr, objName, ns, kind] of objects) if (await deleteQuietly(member, gvr, objName, ns)) gone.push(`${kind}/${ns ? `${ns}/` : ''}${objName}`);
    const ns = await member.resource(NAMESPACES).getOrUndefined(agentNs);
    if (ns?.metadata?.labels?.[KARMADA_SYSTEM_LABEL] === KARMADA_SYSTEM_LABEL_VALUE && (await deleteQuietly(member, NAMESPACES, agentNs))) gone.push(`Namespace/${agentNs}`);
    io.err(gone.length ? `member ${name}: removed ${gone.join(', ')}` : `member ${name}: nothing of karmada-agent left to remove`);
  } catch (err) {
    throw new CommandError(`cluster ${name} was removed from karmada, but cleaning up the member failed: ${(err as Error).message}`);
  } finally {
    member.close();
  }
  io.out(`cluster(${name}) is unregistered successfully`);
}

export function unregisterCommand(): Command {
  return new Command('unregister')
    .description('Remove a cluster registered with Pull mode from the Karmada control plane, and the karmada-agent from the member.')
    .argument('<name>', 'name of the member cluster')
    .requiredOption('--cluster-kubeconfig <file>', 'kubeconfig of the member cluster, to remove what register created there')
    .option('--cluster-context <name>', 'context in --cluster-kubeconfig (default: its current context)')
    .option('-n, --namespace <ns>', 'namespace of the karmada-agent in the member', NAMESPACE_KARMADA_SYSTEM)
    .option('--cluster-namespace <ns>', 'namespace in the control plane where member cluster secrets are stored', NAMESPACE_KARMADA_CLUSTER)
    .option('--wait <duration>', 'how long to wait for the Works and the Cluster to be removed', '60s')
    .option('--force', 'remove finalizers when the Works or the Cluster are not removed in time', false)
    .addHelpText(
      'after',
      `
Examples:
  karmadactl unregister member3 --kubeconfig karmada.config --cluster-kubeconfig member3.config`,
    )
    .action(async (name: string, flags: { clusterKubeconfig: string; clusterContext?: string; namespace: string; clusterNamespace: string; wait: string; force: boolean }, cmd: Command) => {
      let waitMs: number;
      try {
        waitMs = parseDuration(flags.wait);
      } catch (err) {
        throw new CommandError(`--wait: ${(err as Error).message}`);
      }
      if (waitMs <= 0) throw new CommandError(`--wait ${flags.wait} must be a positive duration, e.g. 1m0s`);
      const member = loadKubeConfig(flags.clusterKubeconfig, flags.clusterContext, 'member cluster');
      const karmada = karmadaClient(cmd.optsWithGlobals() as GlobalFlags);
      try {
        await runUnregister({ clusterName: name, karmada, member, namespace: flags.namespace, clusterNamespace: flags.clusterNamespace, waitMs, force: flags.force });
      } finally {
        karmada.close();
      }
    });
}
