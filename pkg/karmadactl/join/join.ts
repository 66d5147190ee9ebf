// karmadactl join: registers a member cluster in Push mode (Karmada's pkg/karmadactl/join).
//
// In the member (namespace karmada-cluster by default): ServiceAccount karmada-<name> bound to the
// ClusterRole karmada-controller-manager:karmada-<name> (everything), ServiceAccount karmada-impersonator,
// and a token for each: a kubernetes.io/service-account-token Secret (filled by the member's token
// controller) or, when none fills it within a few seconds, a TokenRequest. Members that cannot issue
// tokens, or that reject them, are reached with the client certificate of the given kubeconfig instead
// (stored as tls.crt/tls.key next to caBundle: this project's extension of Karmada's Secret).
// In the control plane: Secrets karmada-cluster/<name> (caBundle, token) and <name>-impersonator, and the
// Cluster (syncMode Push, apiEndpoint, id = UID of the member's kube-system namespace, secret refs,
// provider/region/zones) that owns both Secrets.

import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { KubeConfig } from '@kubernetes/client-node';
import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import { API_VERSION as CLUSTER_API_VERSION, CLUSTER_NAME_MAX_LENGTH, impersonationSecretName, NAMESPACE_KARMADA_CLUSTER } from '../../apis/cluster/v1alpha1/index.js';
import { ObjectClient } from '../../runtime/client.js';
import { CLUSTERROLEBINDINGS, CLUSTERROLES, NAMESPACES, SECRETS, SERVICEACCOUNTS } from '../../runtime/gvr.js';
import { isAlreadyExists, isMethodNotAllowed, isNotFound, isUnauthorized, RestClient } from '../../runtime/rest.js';
import type { KubeObject } from '../../runtime/types.js';
import { CLUSTERS } from '../../util/clusterapi.js';
import { parseDuration } from '../../util/duration.js';
import { SECRET_CERT_KEY, SECRET_KEY_KEY, type Secret } from '../../util/membercluster.js';
import { CommandError, karmadaClient, loadKubeConfig, stdio, type GlobalFlags, type IO } from '../util/factory.js';

export interface JoinOptions {
  clusterName: string;
  karmada: ObjectClient;
  member: KubeConfig;
  clusterNamespace?: string;
  provider?: string;
  region?: string;
  zones?: string[];
  dryRun?: boolean;
  /** How long to wait for the member's token controller to fill a token Secret (default 3 s). */
  tokenWaitMs?: number;
  /** Wait this long for the Cluster to become Ready (0: do not wait). */
  waitReadyMs?: number;
  io?: IO;
}

export const SA_TOKEN_SECRET_TYPE = 'kubernetes.io/service-account-token';
export const SA_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
export const IMPERSONATOR_SA = 'karmada-impersonator';

export const serviceAccountName = (cluster: string) => `karmada-${cluster}`;
export const clusterRoleName = (cluster: string) => `karmada-controller-manager:karmada-${cluster}`;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function validateClusterName(name: string): void {
  if (!name) throw new CommandError('a cluster name is required: karmadactl join NAME --cluster-kubeconfig FILE');
  if (name.length > CLUSTER_NAME_MAX_LENGTH) throw new CommandError(`cluster name "${name}" is too long: at most ${CLUSTER_NAME_MAX_LENGTH} characters`);
  if (!DNS_LABEL.test(name)) throw new CommandError(`invalid cluster name "${name}": use lower case letters, digits and '-', starting and ending with a letter or digit`);
}

interface Credentials {
  token?: string; // plain
  certData?: string; // base64 PEM
  keyData?: string;
}

/** The member kubeconfig's own client certificate, if it has one (base64 PEM). */
function kubeconfigClientCert(kc: KubeConfig): { certData: string; keyData: string } | undefined {
  const user = kc.getCurrentUser();
  if (!user) return undefined;
  const cert = user.certData ?? (user.certFile ? readFileSync(user.certFile).toString('base64') : undefined);
  const key = user.keyData ?? (user.keyFile ? readFileSync(user.keyFile).toString('base64') : undefined);
  return cert && key ? { certData: cert, keyData: key } : undefined;
}

function kubeconfigCA(kc: KubeConfig): string | undefined {
  const c = kc.getCurrentCluster();
  if (!c) return undefined;
  if (c.caData) return c.caData;
  if (c.caFile) return readFileSync(c.caFile).toString('base64');
  return undefined;
}

async function ensure(res: ReturnType<ObjectClient['resource']>, obj: KubeObject): Promise<'created' | 'exists'> {
  try {
    await res.create(obj);
    return 'created';
  } catch (err) {
    if (isAlreadyExists(err)) return 'exists';
    throw err;
  }
}

/** A token for the ServiceAccount: from its token Secret, else from TokenRequest; undefined with the reason when neither works. */
async function serviceAccountToken(member: ObjectClient, namespace: string, sa: string, waitMs: number): Promise<{ token?: string; why?: string }> {
  const secrets = member.resource<Secret>(SECRETS);
  await ensure(secrets, { apiVersion: 'v1', kind: 'Secret', type: SA_TOKEN_SECRET_TYPE, metadata: { name: sa, namespace, annotations: { [SA_NAME_ANNOTATION]: sa } } });
  const deadline = Date.now() + waitMs;
  for (;;) {
    const s = await secrets.getOrUndefined(sa, { namespace });
    const b64 = s?.data?.token;
    if (b64) return { token: Buffer.from(b64, 'base64').toString('utf8') };
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  try {
    const tr = await member.rest.request<{ status?: { token?: string } }>({
      method: 'POST',
      path: `/api/v1/namespaces/${namespace}/serviceaccounts/${sa}/token`,
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 10 * 365 * 24 * 3600 } },
    });
    if (tr?.status?.token) return { token: tr.status.token };
    return { why: 'the TokenRequest answer had no token' };
  } catch (err) {
    if (isNotFound(err) || isMethodNotAllowed(err)) return { why: `no token controller filled secret ${namespace}/${sa} within ${Math.round(waitMs / 1000)}s and the member does not serve TokenRequest (serviceaccounts/token)` };
    return { why: `TokenRequest for ${namespace}/${sa} failed: ${(err as Error).message}` };
  }
}

/** Whether the member accepts the token (401 means it does not authenticate service account tokens). */
async function memberAcceptsToken(member: KubeConfig, token: string): Promise<boolean> {
  const c = member.getCurrentCluster()!;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'm', server: c.server, skipTLSVerify: c.skipTLSVerify, caData: kubeconfigCA(member), ...(c.proxyUrl ? { proxyUrl: c.proxyUrl } : {}) }],
    users: [{ name: 'sa', token }],
    contexts: [{ name: 'm', cluster: 'm', user: 'sa' }],
    currentContext: 'm',
  });
  const rest = new RestClient(kc, { timeoutMs: 10_000 });
  try {
    await rest.request({ path: '/api/v1/namespaces/kube-system' });
    return true;
  } catch (err) {
    // 401: not authenticated; anything else (403 included) means the token itself was accepted
    return !isUnauthorized(err);
  } finally {
    rest.close();
  }
}

function secretData(creds: Credentials, caBundle: string | undefined): Record<string, string> {
  const data: Record<string, string> = {};
  if (caBundle) data.caBundle = caBundle;
  if (creds.token) data.token = Buffer.from(creds.token).toString('base64');
  if (creds.certData && creds.keyData) {
    data[SECRET_CERT_KEY] = creds.certData;
    data[SECRET_KEY_KEY] = creds.keyData;
  }
  return data;
}

async function createOrUpdateSecret(client: ObjectClient, namespace: string, name: string, data: Record<string, string>): Promise<Secret> {
  const secrets = client.resource<Secret>(SECRETS);
  try {
    return await secrets.create({ apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name, namespace }, data });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    const cur = await secrets.get(name, { namespace });
    return secrets.update({ ...cur, data });
  }
}

export async function runJoin(opts: JoinOptions): Promise<Cluster | undefined> {
  const io = opts.io ?? stdio;
  const name = opts.clusterName;
  validateClusterName(name);
  const ns = opts.clusterNamespace || NAMESPACE_KARMADA_CLUSTER;
  const karmada = opts.karmada;
  const memberCluster = opts.member.getCurrentCluster();
  if (!memberCluster) throw new CommandError('the member kubeconfig has no cluster for its current context');
  const member = new ObjectClient(new RestClient(opts.member, { userAgent: 'karmadactl', timeoutMs: 15_000 }));
  try {
    // control plane checks
    const clusters = karmada.resource<Cluster>(CLUSTERS);
    if (await clusters.getOrUndefined(name)) throw new CommandError(`cluster "${name}" already exists; unjoin it first (karmadactl unjoin ${name})`);

    // member identity
    let id: string;
    try {
      const ks = await member.resource(NAMESPACES).get('kube-system');
      id = ks.metadata?.uid ?? '';
    } catch (err) {
      throw new CommandError(`cannot read namespace kube-system of the member at ${memberCluster.server}: ${(err as Error).message}`);
    }
    const existing = (await clusters.list()).items.find((c) => id && c.spec?.id === id);
    if (existing) throw new CommandError(`the same cluster has been registered with name ${existing.metadata?.name}`);

    const caBundle = kubeconfigCA(opts.member);
    const secretRef = { namespace: ns, name };
    const impersonatorRef = { namespace: ns, name: impersonationSecretName(name) };
    const cluster: Cluster = {
      apiVersion: CLUSTER_API_VERSION,
      kind: 'Cluster',
      metadata: { name },
      spec: {
        id,
        syncMode: 'Push',
        apiEndpoint: memberCluster.server,
        secretRef,
        impersonatorSecretRef: impersonatorRef,
        ...(memberCluster.skipTLSVerify ? { insecureSkipTLSVerification: true } : {}),
        ...(memberCluster.proxyUrl ? { proxyURL: memberCluster.proxyUrl } : {}),
        ...(opts.provider ? { provider: opts.provider } : {}),
        ...(opts.region ? { region: opts.region } : {}),
        ...(opts.zones?.length ? { zones: opts.zones } : {}),
      },
    };
    if (opts.dryRun) {
      io.err(`dry run: would create in the member: namespace ${ns}, serviceaccounts ${serviceAccountName(name)} and ${IMPERSONATOR_SA}, clusterrole/clusterrolebinding ${clusterRoleName(name)}`);
      io.err(`dry run: would create in karmada: secrets ${ns}/${name} and ${ns}/${impersonatorRef.name}, cluster ${name} (apiEndpoint ${memberCluster.server}, id ${id})`);
      io.out(`cluster(${name}) is joined successfully (dry run)`);
      return cluster;
    }

    // member side
    const sa = serviceAccountName(name);
    const role = clusterRoleName(name);
    await ensure(member.resource(NAMESPACES), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await ensure(member.resource(SERVICEACCOUNTS), { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa, namespace: ns } });
    await ensure(member.resource(SERVICEACCOUNTS), { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: IMPERSONATOR_SA, namespace: ns } });
    await ensure(member.resource(CLUSTERROLES), {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: role },
      rules: [
        { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
        { nonResourceURLs: ['*'], verbs: ['get'] },
      ],
    });
    await ensure(member.resource(CLUSTERROLEBINDINGS), {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: role },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
      subjects: [{ kind: 'ServiceAccount', name: sa, namespace: ns }],
    });
    io.err(`member ${name}: service accounts ${ns}/${sa} and ${ns}/${IMPERSONATOR_SA} and RBAC ${role} are in place`);

    const waitMs = opts.tokenWaitMs ?? 3000;
    const clientCert = kubeconfigClientCert(opts.member);
    const credentialsFor = async (account: string): Promise<Credentials> => {
      const { token, why } = await serviceAccountToken(member, ns, account, waitMs);
      if (token) {
        if (await memberAcceptsToken(opts.member, token)) return { token };
        if (clientCert) {
          io.err(`warning: the member rejects the token of ${ns}/${account} (401); also storing the client certificate of the member kubeconfig`);
          return { token, ...clientCert };
        }
        io.err(`warning: the member rejects the token of ${ns}/${account} (401); the control plane may not be able to reach it`);
        return { token };
      }
      if (clientCert) {
        io.err(`warning: ${why}; using the client certificate of the member kubeconfig instead`);
        return { ...clientCert };
      }
      throw new CommandError(
        `cannot obtain a token for service account ${ns}/${account} in the member: ${why}. Run a token controller in the member, or join with a kubeconfig whose user has a client certificate`,
      );
    };
    const [creds, impersonatorCreds] = await Promise.all([credentialsFor(sa), credentialsFor(IMPERSONATOR_SA)]);

    // control plane side
    await ensure(karmada.resource(NAMESPACES), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const secret = await createOrUpdateSecret(karmada, ns, name, secretData(creds, caBundle));
    const impersonatorSecret = await createOrUpdateSecret(karmada, ns, impersonatorRef.name, secretData(impersonatorCreds, caBundle));
    let created: Cluster;
    try {
      created = await clusters.create(cluster);
    } catch (err) {
      if (isAlreadyExists(err)) throw new CommandError(`cluster "${name}" already exists`);
      throw err;
    }
    const ownerReferences = [{ apiVersion: CLUSTER_API_VERSION, kind: 'Cluster', name, uid: created.metadata!.uid!, controller: true, blockOwnerDeletion: true }];
    for (const s of [secret, impersonatorSecret]) {
      await karmada.resource(SECRETS).patch(s.metadata!.name!, { metadata: { ownerReferences } }, { namespace: ns });
    }

    if (opts.waitReadyMs && opts.waitReadyMs > 0) {
      io.err(`waiting up to ${Math.round(opts.waitReadyMs / 1000)}s for cluster ${name} to become Ready...`);
      const deadline = Date.now() + opts.waitReadyMs;
      for (;;) {
        const c = await clusters.getOrUndefined(name);
        const ready = c?.status?.conditions?.find((x) => x.type === 'Ready');
        if (ready?.status === 'True') break;
        if (Date.now() > deadline) {
          throw new CommandError(`cluster ${name} joined but not Ready after ${Math.round(opts.waitReadyMs / 1000)}s${ready ? ` (${ready.reason}: ${ready.message})` : ' (no status yet: is karmada-controller-manager running?)'}`);
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    io.out(`cluster(${name}) is joined successfully`);
    return created;
  } finally {
    member.close();
  }
}

export function joinCommand(): Command {
  return new Command('join')
    .description('Register a cluster to the Karmada control plane with Push mode.')
    .argument('<name>', 'name of the member cluster in Karmada')
    .requiredOption('--cluster-kubeconfig <file>', 'kubeconfig of the member cluster')
    .option('--cluster-context <name>', 'context of the member cluster in --cluster-kubeconfig (default: its current context)')
    .option('--cluster-namespace <ns>', 'namespace in the control plane (and the member) for the cluster credentials', NAMESPACE_KARMADA_CLUSTER)
    .option('--cluster-provider <name>', 'cloud provider of the member cluster')
    .option('--cluster-region <name>', 'region of the member cluster')
    .option('--cluster-zones <zones>', 'comma-separated failure zones of the member cluster')
    .option('--dry-run', 'check and print what would be created, without creating anything', false)
    .addOption(new Option('--wait <duration>', 'wait for the cluster to become Ready (e.g. 60s; needs karmada-controller-manager)').default('0'))
    .addHelpText(
      'after',
      `
Examples:
  # Join cluster "member1" with the credentials of its kubeconfig
  karmadactl join member1 --kubeconfig karmada.config --cluster-kubeconfig member1.config`,
    )
    .action(async (name: string, flags: { clusterKubeconfig: string; clusterContext?: string; clusterNamespace: string; clusterProvider?: string; clusterRegion?: string; clusterZones?: string; dryRun: boolean; wait: string }, cmd: Command) => {
      const globals = cmd.optsWithGlobals() as GlobalFlags;
      let waitReadyMs: number;
      try {
        waitReadyMs = parseDuration(flags.wait);
      } catch (err) {
        throw new CommandError(`--wait: ${(err as Error).message}`);
      }
      validateClusterName(name);
      const member = loadKubeConfig(flags.clusterKubeconfig, flags.clusterContext, 'member cluster');
      const karmada = karmadaClient(globals);
      try {
        await runJoin({
          clusterName: name,
          karmada,
          member,
          clusterNamespace: flags.clusterNamespace,
          provider: flags.clusterProvider,
          region: flags.clusterRegion,
          zones: flags.clusterZones?.split(',').map((z) => z.trim()).filter(Boolean),
          dryRun: flags.dryRun,
          waitReadyMs,
        });
      } finally {
        karmada.close();
      }
    });
}
