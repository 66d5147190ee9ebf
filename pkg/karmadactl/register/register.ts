// karmadactl register: brings a member cluster into the control plane in Pull mode (Karmada's
// pkg/karmadactl/register). The member only needs to reach the control plane, never the other way round:
//
//  1. preflight: the member has no karmada-agent Secret, ServiceAccount or Deployment yet;
//  2. discovery: kube-public/cluster-info verified with the bootstrap token and the pinned CA hash;
//  3. CSR #1 with the bootstrap token for CN system:karmada:agent:rbac-generator, auto-approved by the
//     agentcsrapproving controller; with that certificate: refuse an existing Cluster, create the agent's
//     ClusterRole/Binding and Roles/RoleBindings (rbac.ts);
//  4. CSR #2 for CN system:karmada:agent:<cluster>: the agent's kubeconfig;
//  5. in the member: namespace, Secret karmada-kubeconfig, ServiceAccount, RBAC, the karmada-agent
//     Deployment, and a wait for its rollout. --agent-kubeconfig-out also writes the agent's kubeconfig
//     locally, to run karmada-agent as a process beside the member (kube-sim).
//
// The agent then registers the Cluster (syncMode Pull) itself. A failure after step 3 deletes what
// register created in the control plane and the member.

import os from 'node:os';
import path from 'node:path';
import { Command, Option } from 'commander';
import { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import { NAMESPACE_KARMADA_CLUSTER, NAMESPACE_KARMADA_SYSTEM, validateClusterName } from '../../apis/cluster/v1alpha1/index.js';
import { buildKubeconfig, writeKubeconfig } from '../../pki/index.js';
import { ObjectClient } from '../../runtime/client.js';
import { NAMESPACES } from '../../runtime/gvr.js';
import { isAlreadyExists, isNotFound, RestClient } from '../../runtime/rest.js';
import type { KubeObject } from '../../runtime/types.js';
import { CLUSTERS } from '../../util/clusterapi.js';
import { parseDuration } from '../../util/duration.js';
import { CommandError, loadKubeConfig, stdio, type GlobalFlags, type IO } from '../util/factory.js';
import { randSuffix, requestCertificate } from './csr.js';
import { parseBootstrapToken, parseCACertHashes, retrieveValidatedConfigInfo } from './discovery.js';
import { DEFAULT_AGENT_IMAGE, memberNamespace, memberObjects, preflight, waitForRollout } from './member.js';
import {
  AGENT_RBAC_GENERATOR,
  agentUserName,
  CERTIFICATESIGNINGREQUESTS,
  CLUSTER_PERMISSION_GROUP,
  describeObject,
  generateRBACResources,
  KARMADA_SYSTEM_LABEL,
  KARMADA_SYSTEM_LABEL_VALUE,
} from './rbac.js';

export interface RegisterOptions {
  /** host:port of the karmada-apiserver. */
  endpoint: string;
  /** Bootstrap token "<id>.<secret>". */
  token: string;
  caCertHashes?: string[];
  unsafeSkipCAVerification?: boolean;
  clusterName: string;
  /** The member's kubeconfig (default: $KUBECONFIG or ~/.kube/config). */
  memberKubeconfig?: string;
  memberContext?: string;
  /** Namespace of the agent in the member (karmada-system). */
  namespace?: string;
  /** Namespace of cluster secrets and Leases in the control plane (karmada-cluster). */
  clusterNamespace?: string;
  provider?: string;
  region?: string;
  zones?: string[];
  agentImage?: string;
  agentReplicas?: number;
  certExpirationSeconds?: number;
  /** Also write the agent's kubeconfig here (0600). */
  agentKubeconfigOut?: string;
  /** Discovery, each CSR and the rollout may each take this long (default 5 min). */
  discoveryTimeoutMs?: number;
  io: IO;
  logger?: Logger;
}

export interface RegisterResult {
  clusterName: string;
  /** The agent's kubeconfig (YAML) for the control plane. */
  agentKubeconfig: string;
}

export const DEFAULT_DISCOVERY_TIMEOUT_MS = 5 * 60_000;
export const DEFAULT_CERT_EXPIRATION_SECONDS = 86400 * 365;
/** The rbac-generator certificate is only used during register. */
const RBAC_GENERATOR_EXPIRATION_SECONDS = 3600;
/** register's kubeconfig names (CreateBasic: cluster "karmada-apiserver", context "<user>@<cluster>"). */
const KARMADA_KUBECONFIG_CLUSTER = 'karmada-apiserver';
const TOKEN_USER = 'tls-bootstrap-token-user';

/** A client for the control plane at server, trusting caPem, with a token or a client certificate. */
function karmadaClientWith(server: string, caPem: string, user: { token: string } | { certPem: string; keyPem: string }, userName: string): ObjectClient {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: KARMADA_KUBECONFIG_CLUSTER, server, caData: Buffer.from(caPem).toString('base64'), skipTLSVerify: false }],
    users: [
      'token' in user
        ? { name: userName, token: user.token }
        : { name: userName, certData: Buffer.from(user.certPem).toString('base64'), keyData: Buffer.from(user.keyPem).toString('base64') },
    ],
    contexts: [{ name: `${userName}@${KARMADA_KUBECONFIG_CLUSTER}`, cluster: KARMADA_KUBECONFIG_CLUSTER, user: userName }],
    currentContext: `${userName}@${KARMADA_KUBECONFIG_CLUSTER}`,
  });
  return new ObjectClient(new RestClient(kc, { userAgent: 'karmadactl', timeoutMs: 15_000 }));
}

/** The kubeconfig file the member's kubeconfig came from (for the printed karmada-agent command). */
function memberKubeconfigPath(file: string | undefined): string {
  if (file) return path.resolve(file);
  const env = process.env.KUBECONFIG?.split(path.delimiter).find(Boolean);
  return env ? path.resolve(env) : path.join(os.homedir(), '.kube', 'config');
}

interface Created {
  client: ObjectClient;
  what: string;
  remove(): Promise<unknown>;
}

/** Deletes what was created, newest first; reports but does not throw. */
async function rollback(created: Created[], io: IO): Promise<void> {
  if (!created.length) return;
  io.err('karmadactl register failed and started deleting the created resources');
  for (const c of created.reverse()) {
    try {
      await c.remove();
    } catch (err) {
      if (!isNotFound(err)) io.err(`warning: cannot delete ${c.what}: ${(err as Error).message}; delete it by hand`);
    }
  }
}

/** Creates obj unless it exists; records it for rollback when created. */
async function ensureCreated(client: ObjectClient, res: { gvr: Parameters<ObjectClient['resource']>[0]; object: KubeObject }, what: string, created: Created[]): Promise<boolean> {
  const r = client.resource(res.gvr);
  try {
    await r.create(res.object);
  } catch (err) {
    if (isAlreadyExists(err)) return false;
    throw new CommandError(`cannot create ${what}: ${(err as Error).message}`);
  }
  const name = res.object.metadata!.name!;
  const namespace = res.object.metadata?.namespace;
  created.push({ client, what, remove: () => r.delete(name, { namespace, propagationPolicy: 'Background' }) });
  return true;
}

export async function runRegister(opts: RegisterOptions): Promise<RegisterResult> {
  const io = opts.io;
  const name = opts.clusterName;
  const nameErrors = validateClusterName(name);
  if (nameErrors.length) throw new CommandError(`invalid cluster name "${name}": ${nameErrors.join('; ')}`);
  if (!opts.token) throw new CommandError('--token is required: get one with karmadactl token create');
  const token = parseBootstrapToken(opts.token);
  const pins = parseCACertHashes(opts.caCertHashes ?? []);
  if (!pins.length && !opts.unsafeSkipCAVerification) {
    throw new CommandError('need to verify the control plane CA: pass --discovery-token-ca-cert-hash sha256:<hex> (karmadactl token create --print-register-command prints it), or set --discovery-token-unsafe-skip-ca-verification');
  }
  if (!/^[^\s/]+:\d+$/.test(opts.endpoint) && !/^\[[0-9a-fA-F:.]+\]:\d+$/.test(opts.endpoint)) {
    throw new CommandError(`the karmada-apiserver endpoint "${opts.endpoint}" must be host:port (e.g. 10.0.0.1:5443)`);
  }
  const namespace = opts.namespace || NAMESPACE_KARMADA_SYSTEM;
  const clusterNamespace = opts.clusterNamespace || NAMESPACE_KARMADA_CLUSTER;
  const timeoutMs = opts.discoveryTimeoutMs ?? DEFAULT_DISCOVERY_TIMEOUT_MS;
  const certExpirationSeconds = opts.certExpirationSeconds ?? DEFAULT_CERT_EXPIRATION_SECONDS;
  if (certExpirationSeconds < 600) throw new CommandError(`--cert-expiration-seconds ${certExpirationSeconds} is too short: certificates live at least 600 seconds`);
  const replicas = opts.agentReplicas ?? 1;
  const server = `https://${opts.endpoint}`;
  const progress = (line: string) => {
    io.err(line);
    opts.logger?.debug({ cluster: name }, line);
  };

  const memberKc = loadKubeConfig(opts.memberKubeconfig, opts.memberContext, 'member cluster');
  const memberEndpoint = memberKc.getCurrentCluster()!.server;
  const member = new ObjectClient(new RestClient(memberKc, { userAgent: 'karmadactl', timeoutMs: 15_000 }));
  const clients: ObjectClient[] = [member];
  const created: Created[] = [];
  let rbacGenerator: ObjectClient | undefined;
  let generatorCSR: string | undefined;
  try {
    progress('[preflight] Running pre-flight checks');
    let checked: Awaited<ReturnType<typeof preflight>>;
    try {
      checked = await preflight(member, namespace);
    } catch (err) {
      throw new CommandError(`[preflight] cannot reach the member cluster at ${memberEndpoint}: ${(err as Error).message}`);
    }
    if (checked.errors.length) {
      throw new CommandError(
        `[preflight] Some fatal errors occurred: ${checked.errors.join('; ')}; the member looks registered already${checked.registeredAs ? ` as ${checked.registeredAs}` : ''}: run karmadactl unregister ${checked.registeredAs ?? '<cluster name>'} --cluster-kubeconfig <member kubeconfig> first`,
      );
    }
    progress('[preflight] All pre-flight checks were passed');

    progress('[karmada-agent-start] Waiting to perform the TLS Bootstrap');
    let info;
    try {
      info = await retrieveValidatedConfigInfo({ endpoint: opts.endpoint, token, caCertHashes: pins, timeoutMs, progress });
    } catch (err) {
      if (err instanceof CommandError) throw new CommandError(`couldn't validate the identity of the API Server: ${err.message}`);
      throw err;
    }
    const bootstrap = karmadaClientWith(server, info.caPem, { token: opts.token }, TOKEN_USER);
    clients.push(bootstrap);
    const who = `the bootstrap token ${token.id}`;

    // CSR #1: a short-lived identity allowed to create the agent's RBAC
    generatorCSR = `agent-rbac-generator-${name}${randSuffix(5)}`;
    const generatorCert = await requestCertificate(bootstrap, {
      name: generatorCSR,
      commonName: AGENT_RBAC_GENERATOR,
      organizations: [CLUSTER_PERMISSION_GROUP],
      expirationSeconds: Math.min(certExpirationSeconds, RBAC_GENERATOR_EXPIRATION_SECONDS),
      timeoutMs,
      progress,
      who,
    });
    rbacGenerator = karmadaClientWith(server, info.caPem, generatorCert, 'rbac-generator');
    clients.push(rbacGenerator);

    progress('[karmada-agent-start] Waiting to check cluster exists');
    if (await rbacGenerator.resource<Cluster>(CLUSTERS).getOrUndefined(name)) {
      throw new CommandError(`failed to register as cluster with name ${name} already exists; pick another --cluster-name, or remove it first (karmadactl unregister ${name})`);
    }

    progress('[karmada-agent-start] Assign the necessary RBAC permissions to the agent');
    const rbac = generateRBACResources(name, clusterNamespace);
    for (const ns of [...new Set(rbac.map((r) => r.object.metadata?.namespace).filter((n): n is string => !!n))]) {
      // namespaces stay on rollback: the rbac-generator may not delete namespaces
      try {
        await rbacGenerator.resource(NAMESPACES).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { [KARMADA_SYSTEM_LABEL]: KARMADA_SYSTEM_LABEL_VALUE } } });
      } catch (err) {
        if (!isAlreadyExists(err)) throw new CommandError(`cannot create namespace ${ns} in the control plane: ${(err as Error).message}`);
      }
    }
    for (const r of rbac) await ensureCreated(rbacGenerator, r, `${describeObject(r)} in the control plane`, created);

    // CSR #2: the agent's own identity
    progress('[karmada-agent-start] Waiting to construct karmada-agent kubeconfig');
    const agentCert = await requestCertificate(bootstrap, {
      name: `${name}-${randSuffix(5)}`,
      commonName: agentUserName(name),
      organizations: [CLUSTER_PERMISSION_GROUP],
      expirationSeconds: certExpirationSeconds,
      timeoutMs,
      progress,
      who,
    });
    const agentKubeconfig = buildKubeconfig({
      server,
      caPem: info.caPem,
      clusterName: KARMADA_KUBECONFIG_CLUSTER,
      contextName: `${name}@${KARMADA_KUBECONFIG_CLUSTER}`,
      userName: name,
      user: { clientCertPem: agentCert.certPem, clientKeyPem: agentCert.keyPem },
    });

    // member side
    const nsCreated = await ensureCreated(member, { gvr: NAMESPACES, object: memberNamespace(namespace) }, `namespace ${namespace} in the member`, created);
    if (!nsCreated) progress(`[karmada-agent-start] namespace ${namespace} exists in the member; using it`);
    progress('[karmada-agent-start] Waiting the necessary secret and RBAC');
    const objects = memberObjects({
      namespace,
      clusterName: name,
      memberEndpoint,
      image: opts.agentImage || DEFAULT_AGENT_IMAGE,
      replicas,
      provider: opts.provider,
      region: opts.region,
      zones: opts.zones,
      agentKubeconfig,
    });
    for (const o of objects) {
      const what = `${o.object.kind} ${o.object.metadata?.namespace ? `${o.object.metadata.namespace}/` : ''}${o.object.metadata?.name} in the member`;
      if (!(await ensureCreated(member, o, what, created)) && o.object.kind !== 'ClusterRole' && o.object.kind !== 'ClusterRoleBinding') {
        throw new CommandError(`${what} already exists; run karmadactl unregister ${name} --cluster-kubeconfig <member kubeconfig> first`);
      }
    }
    progress('[karmada-agent-start] Waiting karmada-agent Deployment');
    await waitForRollout(member, namespace, timeoutMs, progress);

    if (opts.agentKubeconfigOut) {
      await writeKubeconfig(opts.agentKubeconfigOut, agentKubeconfig);
      const out = path.resolve(opts.agentKubeconfigOut);
      const dataDir = path.join(path.dirname(out), `${name}-agent-data`);
      io.out(`the karmada-agent kubeconfig of cluster ${name} is written to ${out}`);
      io.out('to run the agent as a process beside the member instead of the Deployment (scale that to 0, or register with --karmada-agent-replicas 0):');
      io.out(
        `  karmada-agent --karmada-kubeconfig ${out} --cluster-name ${name} --kubeconfig ${memberKubeconfigPath(opts.memberKubeconfig)}${opts.memberContext ? ` --context ${opts.memberContext}` : ''} --data-dir ${dataDir}`,
      );
    }
    created.length = 0; // success: nothing to roll back
    io.out(`cluster(${name}) is joined successfully`);
    return { clusterName: name, agentKubeconfig };
  } catch (err) {
    await rollback(created, io);
    throw err;
  } finally {
    if (rbacGenerator && generatorCSR) {
      await rbacGenerator
        .resource(CERTIFICATESIGNINGREQUESTS)
        .deleteIfExists(generatorCSR)
        .catch((err: Error) => opts.logger?.warn({ csr: generatorCSR, err: err.message }, 'cannot delete the rbac-generator CSR'));
    }
    for (const c of clients) c.close();
  }
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

interface RegisterFlags {
  kubeconfig?: string;
  context?: string;
  namespace: string;
  clusterName?: string;
  clusterNamespace: string;
  clusterProvider?: string;
  clusterRegion?: string;
  clusterZones?: string[];
  token?: string;
  discoveryTokenCaCertHash?: string[];
  discoveryTokenUnsafeSkipCaVerification: boolean;
  discoveryTimeout: string;
  karmadaAgentImage: string;
  karmadaAgentReplicas: string;
  certExpirationSeconds: string;
  agentKubeconfigOut?: string;
}

function nonNegativeInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new CommandError(`${flag} must be a non-negative integer, got "${value}"`);
  return n;
}

/**
 * The member's kubeconfig and context: like upstream, register's --kubeconfig/--context name the MEMBER.
 * karmadactl's global options of the same names are parsed first wherever they appear, so they are read
 * from there when the subcommand did not see them.
 */
export function memberKubeconfigFlags(flags: { kubeconfig?: string; context?: string }, globals: GlobalFlags): { kubeconfig?: string; context?: string } {
  return { kubeconfig: flags.kubeconfig ?? globals.kubeconfig, context: flags.context ?? globals.context };
}

export function registerCommand(): Command {
  return new Command('register')
    .description('Register a cluster to the Karmada control plane with Pull mode.')
    .argument('<karmada-apiserver-endpoint>', 'host:port of the karmada-apiserver')
    .option('--kubeconfig <file>', 'path to the kubeconfig file of the member cluster')
    .option('--context <name>', 'name of the cluster context in the member kubeconfig')
    .option('-n, --namespace <ns>', 'namespace the karmada-agent component is deployed in', NAMESPACE_KARMADA_SYSTEM)
    .option('--cluster-name <name>', 'name of the member cluster in the control plane (default: the cluster of the current context)')
    .option('--cluster-namespace <ns>', 'namespace in the control plane where member cluster secrets are stored', NAMESPACE_KARMADA_CLUSTER)
    .option('--cluster-provider <name>', 'provider of the joining cluster')
    .option('--cluster-region <name>', 'region of the joining cluster')
    .option('--cluster-zones <zones>', 'zones of the joining cluster (comma-separated or repeated)', collect)
    .option('--token <token>', 'bootstrap token used to validate cluster information fetched from the API server and to request certificates')
    .option('--discovery-token-ca-cert-hash <hash>', 'validate that the root CA public key matches this hash (format "sha256:<hex>"; repeatable)', collect)
    .option('--discovery-token-unsafe-skip-ca-verification', 'allow registering without --discovery-token-ca-cert-hash pinning', false)
    .option('--discovery-timeout <duration>', 'how long discovery, each certificate request and the agent rollout may take', '5m0s')
    .option('--karmada-agent-image <image>', 'karmada-agent image', DEFAULT_AGENT_IMAGE)
    .option('--karmada-agent-replicas <n>', 'karmada-agent replicas (0: run the agent as a process, see --agent-kubeconfig-out)', '1')
    .option('--cert-expiration-seconds <n>', 'expiration of the agent certificate in seconds', String(DEFAULT_CERT_EXPIRATION_SECONDS))
    .addOption(new Option('--agent-kubeconfig-out <file>', "also write the agent's kubeconfig to this file (0600) and print how to run karmada-agent with it"))
    .addHelpText(
      'after',
      `
Examples:
  # Register a cluster into the control plane with Pull mode; the token and hash come from
  # 'karmadactl token create --print-register-command'. Without --cluster-name the cluster of the
  # current context of the member kubeconfig is used.
  karmadactl register 10.10.0.1:5443 --cluster-name member3 --token <token> --discovery-token-ca-cert-hash <hash> --kubeconfig member3.config`,
    )
    .action(async (endpoint: string, flags: RegisterFlags, cmd: Command) => {
      const { kubeconfig, context } = memberKubeconfigFlags(flags, cmd.parent?.opts() as GlobalFlags);
      let timeoutMs: number;
      try {
        timeoutMs = parseDuration(flags.discoveryTimeout);
      } catch (err) {
        throw new CommandError(`--discovery-timeout: ${(err as Error).message}`);
      }
      let clusterName = flags.clusterName;
      if (!clusterName) {
        const kc = loadKubeConfig(kubeconfig, context, 'member cluster');
        clusterName = kc.getContextObject(kc.getCurrentContext())?.cluster ?? '';
      }
      await runRegister({
        endpoint,
        token: flags.token ?? '',
        caCertHashes: flags.discoveryTokenCaCertHash,
        unsafeSkipCAVerification: flags.discoveryTokenUnsafeSkipCaVerification,
        clusterName,
        memberKubeconfig: kubeconfig,
        memberContext: context,
        namespace: flags.namespace,
        clusterNamespace: flags.clusterNamespace,
        provider: flags.clusterProvider,
        region: flags.clusterRegion,
        zones: flags.clusterZones?.flatMap((z) => z.split(',')).map((z) => z.trim()).filter(Boolean),
        agentImage: flags.karmadaAgentImage,
        agentReplicas: nonNegativeInt('--karmada-agent-replicas', flags.karmadaAgentReplicas),
        certExpirationSeconds: nonNegativeInt('--cert-expiration-seconds', flags.certExpirationSeconds),
        agentKubeconfigOut: flags.agentKubeconfigOut,
        discoveryTimeoutMs: timeoutMs,
        io: stdio,
      });
    });
}
