// karmadactl cordon/uncordon: mark a cluster unschedulable with the NoSchedule taint
// cluster.karmada.io/unschedulable (the scheduler skips clusters that carry it), or remove it.

import { Command } from 'commander';
import { TAINT_CLUSTER_UNSCHEDULABLE } from '../../apis/cluster/v1alpha1/index.js';
import type { Taint } from '../../apis/core/v1/types.js';
import type { ObjectClient } from '../../runtime/client.js';
import { updateClusterTaints } from '../util/cluster.js';
import { karmadaClient, stdio, type GlobalFlags, type IO } from '../util/factory.js';

export const UNSCHEDULABLE_TAINT: Taint = { key: TAINT_CLUSTER_UNSCHEDULABLE, effect: 'NoSchedule' };

const isUnschedulable = (t: Taint) => t.key === UNSCHEDULABLE_TAINT.key && t.effect === UNSCHEDULABLE_TAINT.effect;

/** The taints after (un)cordoning; undefined when already in that state. */
export function cordonTaints(taints: readonly Taint[], cordon: boolean): Taint[] | undefined {
  const has = taints.some(isUnschedulable);
  if (cordon === has) return undefined;
  return cordon ? [...taints, { ...UNSCHEDULABLE_TAINT }] : taints.filter((t) => !isUnschedulable(t));
}

export async function runCordon(client: ObjectClient, name: string, cordon: boolean, opts: { dryRun?: boolean; io?: IO } = {}): Promise<void> {
  const io = opts.io ?? stdio;
  const changed = await updateClusterTaints(client, name, (taints) => cordonTaints(taints, cordon), opts.dryRun);
  const verb = cordon ? 'cordoned' : 'uncordoned';
  io.out(`cluster/${name} ${changed ? verb : `already ${verb}`}${opts.dryRun ? ' (dry run)' : ''}`);
}

function command(cordon: boolean): Command {
  const name = cordon ? 'cordon' : 'uncordon';
  return new Command(name)
    .description(cordon ? 'Mark cluster as unschedulable.' : 'Mark cluster as schedulable.')
    .argument('<cluster>', 'cluster name')
    .option('--dry-run', 'show the result without changing the cluster', false)
    .addHelpText('after', `\nExamples:\n  karmadactl ${name} member1`)
    .action(async (cluster: string, flags: { dryRun: boolean }, cmd: Command) => {
      const client = karmadaClient(cmd.optsWithGlobals() as GlobalFlags);
      try {
        await runCordon(client, cluster, cordon, { dryRun: flags.dryRun });
      } finally {
        client.close();
      }
    });
}

export const cordonCommand = () => command(true);
export const uncordonCommand = () => command(false);
