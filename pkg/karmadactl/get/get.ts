// karmadactl get: clusters with Karmada's columns (NAME VERSION MODE READY AGE), other resources of the
// control plane through the server's Table output, as kubectl prints them.
// TODO(issue: get across members): -C/--clusters and --operation-scope members|all.

import { Command, Option } from 'commander';
import { stringify } from 'yaml';
import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import type { ObjectClient } from '../../runtime/client.js';
import { resourcePath, type GVR } from '../../runtime/gvr.js';
import { isNotFound } from '../../runtime/rest.js';
import type { KubeObject } from '../../runtime/types.js';
import { CLUSTERS } from '../../util/clusterapi.js';
import { CommandError, karmadaClient, stdio, type GlobalFlags, type IO } from '../util/factory.js';
import { age, formatTable } from '../util/printers.js';

export type OutputFormat = '' | 'wide' | 'yaml' | 'json' | 'name';

const CLUSTER_NAMES = new Set(['cluster', 'clusters', 'cluster.cluster.karmada.io', 'clusters.cluster.karmada.io']);

/** Karmada's cluster columns (wide adds the API endpoint). */
export function clusterRows(clusters: readonly Cluster[], wide: boolean, now = Date.now()): { header: string[]; rows: string[][] } {
  const header = ['NAME', 'VERSION', 'MODE', 'READY', 'AGE', ...(wide ? ['APIENDPOINT'] : [])];
  const rows = clusters.map((c) => {
    const ready = c.status?.conditions?.find((x) => x.type === 'Ready')?.status ?? 'Unknown';
    return [c.metadata?.name ?? '', c.status?.kubernetesVersion || '', c.spec?.syncMode ?? '', ready, age(c.metadata?.creationTimestamp, now), ...(wide ? [c.spec?.apiEndpoint ?? ''] : [])];
  });
  return { header, rows };
}

function printObjects(io: IO, items: KubeObject[], single: boolean, format: OutputFormat): void {
  if (format === 'json' || format === 'yaml') {
    const doc = single ? items[0] : { apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '' } };
    io.out(format === 'json' ? JSON.stringify(doc, null, 4) : stringify(doc).trimEnd());
  }
}

interface ResourceInfo extends GVR {
  kind: string;
}

/** Resolves "deploy", "deployments", "deployments.apps", "Deployment" through discovery. */
export async function resolveResource(client: ObjectClient, arg: string): Promise<ResourceInfo> {
  const [res, ...groupParts] = arg.split('.');
  const group = groupParts.join('.');
  const want = res!.toLowerCase();
  const accept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';
  type Disc = { items?: { metadata?: { name?: string }; versions?: { version: string; resources?: { resource: string; singularResource?: string; shortNames?: string[]; scope?: string; responseKind?: { kind?: string } }[] }[] }[] };
  for (const root of ['/api', '/apis']) {
    const d = await client.rest.request<Disc>({ path: root, accept });
    for (const g of d?.items ?? []) {
      const gname = g.metadata?.name ?? '';
      if (groupParts.length && gname !== group) continue;
      const v = g.versions?.[0]; // preferred version first
      for (const r of v?.resources ?? []) {
        const kind = r.responseKind?.kind ?? '';
        if ([r.resource, r.singularResource, kind.toLowerCase(), ...(r.shortNames ?? [])].includes(want)) {
          return { group: gname, version: v!.version, resource: r.resource, namespaced: r.scope === 'Namespaced', kind };
        }
      }
    }
  }
  throw new CommandError(`the server doesn't have a resource type "${arg}"`);
}

export interface GetOptions {
  names: string[];
  output: OutputFormat;
  namespace?: string;
  allNamespaces?: boolean;
  selector?: string;
  io?: IO;
}

export async function runGet(client: ObjectClient, resource: string, opts: GetOptions): Promise<void> {
  const io = opts.io ?? stdio;
  if (CLUSTER_NAMES.has(resource.toLowerCase())) return getClusters(client, opts, io);
  const info = await resolveResource(client, resource);
  const namespace = info.namespaced ? (opts.allNamespaces ? undefined : opts.namespace || 'default') : undefined;
  const res = client.resource(info);
  if (opts.output === 'json' || opts.output === 'yaml' || opts.output === 'name') {
    const items = opts.names.length
      ? await Promise.all(opts.names.map((n) => res.get(n, { namespace }).catch((err: unknown) => Promise.reject(isNotFound(err) ? new CommandError(`${info.resource} "${n}" not found`) : err))))
      : (await res.list({ namespace, labelSelector: opts.selector })).items.map((o) => ({ apiVersion: info.group ? `${info.group}/${info.version}` : info.version, kind: info.kind, ...o }));
    if (opts.output === 'name') {
      for (const o of items) io.out(`${info.resource}${info.group ? `.${info.group}` : ''}/${o.metadata?.name}`);
      return;
    }
    printObjects(io, items, opts.names.length === 1, opts.output);
    return;
  }
  // server-side Table
  const accept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
  type Table = { columnDefinitions?: { name: string; priority?: number }[]; rows?: { cells: unknown[]; object?: KubeObject }[] };
  const tables: Table[] = [];
  if (opts.names.length) {
    for (const n of opts.names) {
      try {
        tables.push(await client.rest.request<Table>({ path: resourcePath(info, { namespace, name: n }), accept }));
      } catch (err) {
        if (isNotFound(err)) throw new CommandError(`${info.resource}${info.group ? `.${info.group}` : ''} "${n}" not found`);
        throw err;
      }
    }
  } else {
    tables.push(await client.rest.request<Table>({ path: resourcePath(info, { namespace }), accept, query: { labelSelector: opts.selector, includeObject: 'Metadata' } }));
  }
  const cols = tables[0]?.columnDefinitions ?? [];
  const show = cols.map((c, i) => ({ c, i })).filter(({ c }) => opts.output === 'wide' || !c.priority);
  const rows = tables.flatMap((t) => t.rows ?? []);
  if (!rows.length) {
    io.err(namespace ? `No resources found in ${namespace} namespace.` : 'No resources found');
    return;
  }
  const header = [...(opts.allNamespaces && info.namespaced ? ['NAMESPACE'] : []), ...show.map(({ c }) => c.name.toUpperCase())];
  const body = rows.map((r) => [...(opts.allNamespaces && info.namespaced ? [r.object?.metadata?.namespace ?? ''] : []), ...show.map(({ i }) => String(r.cells[i] ?? '<none>'))]);
  io.out(formatTable(header, body).trimEnd());
}

async function getClusters(client: ObjectClient, opts: GetOptions, io: IO): Promise<void> {
  const res = client.resource<Cluster>(CLUSTERS);
  let items: Cluster[];
  if (opts.names.length) {
    items = [];
    for (const n of opts.names) {
      const c = await res.getOrUndefined(n);
      if (!c) throw new CommandError(`clusters.cluster.karmada.io "${n}" not found`);
      items.push({ apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', ...c });
    }
  } else {
    items = (await res.list({ labelSelector: opts.selector })).items.map((c) => ({ apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', ...c }));
    items.sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
  }
  if (opts.output === 'json' || opts.output === 'yaml') return printObjects(io, items, opts.names.length === 1, opts.output);
  if (opts.output === 'name') {
    for (const c of items) io.out(`cluster.cluster.karmada.io/${c.metadata?.name}`);
    return;
  }
  if (!items.length) {
    io.err('No resources found');
    return;
  }
  const { header, rows } = clusterRows(items, opts.output === 'wide');
  io.out(formatTable(header, rows).trimEnd());
}

export function getCommand(): Command {
  return new Command('get')
    .description('Display one or many resources in the Karmada control plane.')
    .argument('<resource>', 'resource type, e.g. clusters, deployments, pp')
    .argument('[names...]', 'names of the objects')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['wide', 'yaml', 'json', 'name']))
    .option('-n, --namespace <ns>', 'namespace of namespaced resources (default: "default")')
    .option('-A, --all-namespaces', 'list across all namespaces', false)
    .option('-l, --selector <selector>', 'label selector')
    .addHelpText(
      'after',
      `
Examples:
  karmadactl get clusters
  karmadactl get clusters member1 -o yaml
  karmadactl get propagationpolicies -A`,
    )
    .action(async (resource: string, names: string[], flags: { output?: OutputFormat; namespace?: string; allNamespaces: boolean; selector?: string }, cmd: Command) => {
      const client = karmadaClient(cmd.optsWithGlobals() as GlobalFlags);
      try {
        await runGet(client, resource, { names, output: flags.output ?? '', namespace: flags.namespace, allNamespaces: flags.allNamespaces, selector: flags.selector });
      } finally {
        client.close();
      }
    });
}
