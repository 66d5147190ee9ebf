// karmadactl taint clusters NAME key=value:Effect ... | key:Effect- | key-

import { Command } from 'commander';
import type { ObjectClient } from '../../runtime/client.js';
import { metaTime } from '../../runtime/types.js';
import { updateClusterTaints } from '../util/cluster.js';
import { CommandError, karmadaClient, stdio, type GlobalFlags, type IO } from '../util/factory.js';
import { applyTaints, parseTaints, type TaintResult } from './taints.js';

export async function runTaint(client: ObjectClient, name: string, specs: string[], opts: { overwrite?: boolean; dryRun?: boolean; io?: IO } = {}): Promise<void> {
  const io = opts.io ?? stdio;
  let parsed;
  try {
    parsed = parseTaints(specs);
  } catch (err) {
    throw new CommandError((err as Error).message);
  }
  let result: TaintResult | undefined;
  await updateClusterTaints(
    client,
    name,
    (taints) => {
      try {
        result = applyTaints(taints, parsed, { overwrite: opts.overwrite, now: metaTime(), owner: `cluster ${name}` });
      } catch (err) {
        throw new CommandError((err as Error).message);
      }
      return result.taints;
    },
    opts.dryRun,
  );
  io.out(`cluster/${name} ${result!.operation}${opts.dryRun ? ' (dry run)' : ''}`);
}

export function taintCommand(): Command {
  return new Command('taint')
    .description('Update the taints on one cluster.')
    .argument('<resource>', 'resource type: clusters (or cluster)')
    .argument('<name>', 'cluster name')
    .argument('<taints...>', 'key=value:Effect or key:Effect to add, key:Effect- or key- to remove')
    .option('--overwrite', 'replace a taint with the same key and effect', false)
    .option('--dry-run', 'show the result without changing the cluster', false)
    .addHelpText(
      'after',
      `
Effects: NoSchedule, PreferNoSchedule, NoExecute.

Examples:
  karmadactl taint clusters member1 dedicated=special-user:NoSchedule
  karmadactl taint clusters member1 dedicated:NoSchedule-
  karmadactl taint clusters member1 dedicated-`,
    )
    .action(async (resource: string, name: string, taints: string[], flags: { overwrite: boolean; dryRun: boolean }, cmd: Command) => {
      if (!['cluster', 'clusters', 'cluster.cluster.karmada.io', 'clusters.cluster.karmada.io'].includes(resource)) {
        throw new CommandError(`invalid resource type "${resource}": only clusters can be tainted (karmadactl taint clusters NAME key=value:Effect)`);
      }
      try {
        parseTaints(taints);
      } catch (err) {
        throw new CommandError((err as Error).message);
      }
      const client = karmadaClient(cmd.optsWithGlobals() as GlobalFlags);
      try {
        await runTaint(client, name, taints, { overwrite: flags.overwrite, dryRun: flags.dryRun });
      } finally {
        client.close();
      }
    });
}
