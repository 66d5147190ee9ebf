// Cluster reads and conflict-safe writes shared by the cluster commands.

import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import type { Taint } from '../../apis/core/v1/types.js';
import type { ObjectClient } from '../../runtime/client.js';
import { isConflict, isNotFound } from '../../runtime/rest.js';
import { CLUSTERS } from '../../util/clusterapi.js';
import { CommandError } from './factory.js';

export async function getCluster(client: ObjectClient, name: string): Promise<Cluster> {
  try {
    return await client.resource<Cluster>(CLUSTERS).get(name);
  } catch (err) {
    if (isNotFound(err)) throw new CommandError(`cluster "${name}" not found`);
    throw err;
  }
}

/**
 * Reads the cluster, lets change compute new taints (undefined: nothing to do) and writes them with the
 * read resourceVersion, retrying on conflicts. Returns whether it wrote.
 */
export async function updateClusterTaints(client: ObjectClient, name: string, change: (taints: Taint[], cluster: Cluster) => Taint[] | undefined, dryRun = false): Promise<boolean> {
  const clusters = client.resource<Cluster>(CLUSTERS);
  for (let attempt = 0; ; attempt++) {
    const cluster = await getCluster(client, name);
    const next = change([...(cluster.spec?.taints ?? [])], cluster);
    if (!next) return false;
    try {
      await clusters.update({ ...cluster, spec: { ...cluster.spec!, taints: next } }, { dryRun });
      return true;
    } catch (err) {
      if (!isConflict(err) || attempt >= 5) throw err;
    }
  }
}
