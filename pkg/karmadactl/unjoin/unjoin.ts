// karmadactl unjoin: removes a Push cluster (Karmada's pkg/karmadactl/unjoin): deletes the Cluster and
// waits for karmada-controller-manager to clean up (Works, execution namespace, finalizer), removes
// its Secrets, and, given the member's kubeconfig, the ServiceAccounts, tokens, RBAC and namespace
// join created there.

import { Command, Option } from 'commander';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import { executionNamespace, impersonationSecretName, NAMESPACE_KARMADA_CLUSTER } from '../../apis/cluster/v1alpha1/index.js';
import { ObjectClient } from '../../runtime/client.js';
import { CLUSTERROLEBINDINGS, CLUSTERROLES, NAMESPACES, SECRETS, SERVICEACCOUNTS } from '../../runtime/gvr.js';
import { isNotFound, RestClient } from '../../runtime/rest.js';
import { CLUSTERS, WORKS } from '../../util/clusterapi.js';
import { parseDuration } from '../../util/duration.js';
import { clusterRoleName, IMPERSONATOR_SA, serviceAccountName } from '../join/join.js';
import { CommandError, karmadaClient, loadKubeConfig, stdio, type GlobalFlags, type IO } from '../util/factory.js';

export interface UnjoinOptions {
  clusterName: string;
  karmada: ObjectClient;
  member?: KubeConfig;
  clusterNamespace?: string;
  waitMs?: number;
  force?: boolean;
  dryRun?: boolean;
  io?: IO;
}

async function waitGone(read: () => Promise<unknown>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await read()) === undefined) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function runUnjoin(opts: UnjoinOptions): Promise<void> {
  const io = opts.io ?? stdio;
  const name = opts.clusterName;
  const ns = opts.clusterNamespace || NAMESPACE_KARMADA_CLUSTER;
  const clusters = opts.karmada.resource<Cluster>(CLUSTERS);
  const cluster = await clusters.getOrUndefined(name);
  if (!cluster && !opts.member) throw new CommandError(`cluster "${name}" not found`);
  if (cluster?.spec?.syncMode === 'Pull') throw new CommandError(`cluster ${name} is a Pull cluster; use karmadactl unregister`);
  if (opts.dryRun) {
    io.err(`dry run: would delete cluster ${name}, its secrets${opts.member ? ', and the service accounts, RBAC and namespace join created in the member' : ''}`);
    io.out(`cluster(${name}) is unjoined successfully (dry run)`);
    return;
  }

  if (cluster) {
    await clusters.deleteIfExists(name);
    const waitMs = opts.waitMs ?? 60_000;
    io.err(`waiting up to ${Math.round(waitMs / 1000)}s for cluster ${name} to be removed...`);
    let gone = await waitGone(() => clusters.getOrUndefined(name), waitMs);
    if (!gone) {
      if (!opts.force) {
        throw new CommandError(
          `cluster ${name} was not removed within ${Math.round(waitMs / 1000)}s (karmada-controller-manager removes its finalizer after cleaning up its Works and execution namespace); check that it is running, or rerun with --force`,
        );
      }
      io.err(`warning: cluster ${name} still exists; --force: removing its finalizers and execution namespace`);
      const esNs = executionNamespace(name);
      try {
        const works = opts.karmada.resource(WORKS);
        for (const w of (await works.list({ namespace: esNs })).items) {
          await works.patch(w.metadata!.name!, { metadata: { finalizers: null } }, { namespace: esNs }).catch(() => undefined);
          await works.deleteIfExists(w.metadata!.name!, { namespace: esNs });
        }
      } catch (err) {
        if (!isNotFound(err)) io.err(`warning: cannot clean up the Works of ${name}: ${(err as Error).message}`);
      }
      await opts.karmada.resource(NAMESPACES).deleteIfExists(esNs);
      try {
        await clusters.patch(name, { metadata: { finalizers: null } });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      gone = await waitGone(() => clusters.getOrUndefined(name), 10_000);
      if (!gone) throw new CommandError(`cluster ${name} could not be removed`);
    }
    // Secrets (owned by the Cluster; delete them explicitly in case no garbage collector runs)
    const secrets = opts.karmada.resource(SECRETS);
    const refs = [cluster.spec?.secretRef ?? { namespace: ns, name }, cluster.spec?.impersonatorSecretRef ?? { namespace: ns, name: impersonationSecretName(name) }];
    for (const ref of refs) if (ref?.name) await secrets.deleteIfExists(ref.name, { namespace: ref.namespace || ns });
    io.err(`cluster ${name} and its secrets are removed from karmada`);
  } else {
    io.err(`warning: cluster ${name} is not registered in karmada; cleaning up the member only`);
  }

  if (opts.member) {
    const member = new ObjectClient(new RestClient(opts.member, { userAgent: 'karmadactl', timeoutMs: 15_000 }));
    try {
      const sa = serviceAccountName(name);
      const role = clusterRoleName(name);
      await member.resource(CLUSTERROLEBINDINGS).deleteIfExists(role);
      await member.resource(CLUSTERROLES).deleteIfExists(role);
      for (const account of [sa, IMPERSONATOR_SA]) {
        await member.resource(SECRETS).deleteIfExists(account, { namespace: ns });
        await member.resource(SERVICEACCOUNTS).deleteIfExists(account, { namespace: ns });
      }
      await member.resource(NAMESPACES).deleteIfExists(ns);
      io.err(`member ${name}: removed ${ns}/${sa}, ${ns}/${IMPERSONATOR_SA}, ${role} and namespace ${ns}`);
    } catch (err) {
      throw new CommandError(`cluster ${name} was removed from karmada, but cleaning up the member failed: ${(err as Error).message}`);
    } finally {
      member.close();
    }
  }
  io.out(`cluster(${name}) is unjoined successfully`);
}

export function unjoinCommand(): Command {
  return new Command('unjoin')
    .description('Remove a cluster registered with Push mode from the Karmada control plane.')
    .argument('<name>', 'name of the member cluster')
    .option('--cluster-kubeconfig <file>', 'kubeconfig of the member cluster, to remove what join created there')
    .option('--cluster-context <name>', 'context in --cluster-kubeconfig')
    .option('--cluster-namespace <ns>', 'namespace of the cluster credentials', NAMESPACE_KARMADA_CLUSTER)
    .addOption(new Option('--wait <duration>', 'how long to wait for the cluster to be removed').default('60s'))
    .option('--force', 'remove the cluster even when the controllers did not clean it up in time', false)
    .option('--dry-run', 'print what would be removed, without removing anything', false)
    .addHelpText(
      'after',
      `
Examples:
  karmadactl unjoin member1 --kubeconfig karmada.config --cluster-kubeconfig member1.config`,
    )
    .action(async (name: string, flags: { clusterKubeconfig?: string; clusterContext?: string; clusterNamespace: string; wait: string; force: boolean; dryRun: boolean }, cmd: Command) => {
      const globals = cmd.optsWithGlobals() as GlobalFlags;
      let waitMs: number;
      try {
        waitMs = parseDuration(flags.wait);
      } catch (err) {
        throw new CommandError(`--wait: ${(err as Error).message}`);
      }
      const member = flags.clusterKubeconfig ? loadKubeConfig(flags.clusterKubeconfig, flags.clusterContext, 'member cluster') : undefined;
      const karmada = karmadaClient(globals);
      try {
        await runUnjoin({ clusterName: name, karmada, member, clusterNamespace: flags.clusterNamespace, waitMs, force: flags.force, dryRun: flags.dryRun });
      } finally {
        karmada.close();
      }
    });
}
