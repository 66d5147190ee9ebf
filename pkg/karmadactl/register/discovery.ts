// Token-based discovery of the control plane, as kubeadm join and Karmada's register do it
// (retrieveValidatedConfigInfo): fetch kube-public/cluster-info anonymously without trusting the server
// yet, check its detached JWS `jws-kubeconfig-<token-id>` with the token secret (proving the server knows
// the token), check the CA it carries against the pinned public-key hashes, then fetch it again trusting
// only that CA and require the same content. Each failure says which check failed.

import https from 'node:https';
import { parse as parseYaml } from 'yaml';
import { detachedTokenIsValid } from '../../apiserver/auth/jwt.js';
import { CLUSTER_INFO_NAME, CLUSTER_INFO_NAMESPACE, JWS_KEY_PREFIX, KUBECONFIG_KEY } from '../../apiserver/controllers/bootstrapsigner.js';
import { caCertHash } from '../../pki/index.js';
import { CommandError } from '../util/factory.js';
import { splitPemCertificates, TOKEN_PATTERN } from '../token/token.js';

export interface BootstrapTokenParts {
  id: string;
  secret: string;
}

export interface ClusterInfo {
  /** The server URL cluster-info names (often not reachable from the member: register uses its endpoint). */
  server: string;
  /** The CA bundle (PEM) cluster-info carries, now verified. */
  caPem: string;
}

export interface DiscoveryOptions {
  /** host:port of the karmada-apiserver. */
  endpoint: string;
  token: BootstrapTokenParts;
  /** Normalised pins ("sha256:<hex>"); empty only with unsafeSkipCAVerification. */
  caCertHashes: string[];
  /** Overall time for the discovery (register's --discovery-timeout). */
  timeoutMs: number;
  /** How long to wait for a signature for the token id to appear (the signer adds it shortly after the token). */
  signatureWaitMs?: number;
  intervalMs?: number;
  progress?: (line: string) => void;
}

export function parseBootstrapToken(token: string): BootstrapTokenParts {
  const m = TOKEN_PATTERN.exec(token.trim());
  if (!m) throw new CommandError(`the bootstrap token "${token}" was not of the form ${TOKEN_PATTERN.source}; get one with karmadactl token create`);
  return { id: m[1]!, secret: m[2]! };
}

/** pubkeypin.Set.Allow: "sha256:<64 hex digits>" each (comma-separated values allowed); returns them normalised. */
export function parseCACertHashes(hashes: string[]): string[] {
  const out: string[] = [];
  for (const h of hashes.flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean)) {
    const parts = h.split(':');
    if (parts.length !== 2) throw new CommandError(`invalid discovery token CA certificate hash "${h}": expected "format:hex-value"; known format(s) are: sha256`);
    const [format, value] = [parts[0]!.toLowerCase(), parts[1]!.toLowerCase()];
    if (format !== 'sha256') throw new CommandError(`invalid discovery token CA certificate hash "${h}": unknown hash format "${parts[0]}"; known format(s) are: sha256`);
    if (!/^[0-9a-f]{64}$/.test(value)) throw new CommandError(`invalid discovery token CA certificate hash "${h}": a sha256 hash is 64 hex digits`);
    out.push(`sha256:${value}`);
  }
  return [...new Set(out)];
}

/** The kubeconfig in cluster-info once its signature for the token verifies (validateClusterInfoToken). */
export function validateClusterInfoToken(data: Record<string, string> | undefined, token: BootstrapTokenParts): string {
  const kubeconfig = data?.[KUBECONFIG_KEY];
  if (typeof kubeconfig !== 'string' || !kubeconfig) {
    throw new CommandError(`there is no ${KUBECONFIG_KEY} key in the ${CLUSTER_INFO_NAMESPACE}/${CLUSTER_INFO_NAME} ConfigMap; is this a Karmada control plane?`);
  }
  const detached = data?.[`${JWS_KEY_PREFIX}${token.id}`];
  if (!detached) throw new CommandError(`token id ${token.id} is unknown or expired; create one with karmadactl token create`);
  if (!detachedTokenIsValid(detached, kubeconfig, token.id, token.secret)) {
    throw new CommandError(
      `the JWS signature of ${CLUSTER_INFO_NAMESPACE}/${CLUSTER_INFO_NAME} does not verify with token ${token.id}.<secret>: the token secret is wrong (or the server is not the one that issued token id ${token.id}); check --token`,
    );
  }
  return kubeconfig;
}

/** The one cluster of the cluster-info kubeconfig: its server and CA bundle. */
export function parseClusterInfoKubeconfig(kubeconfig: string): ClusterInfo {
  let doc: { clusters?: { cluster?: { server?: string; 'certificate-authority-data'?: string } }[] } | undefined;
  try {
    doc = parseYaml(kubeconfig) as typeof doc;
  } catch (err) {
    throw new CommandError(`couldn't parse the kubeconfig file in the ${CLUSTER_INFO_NAME} ConfigMap: ${(err as Error).message}`);
  }
  const clusters = doc?.clusters ?? [];
  if (clusters.length !== 1) {
    throw new CommandError(`expected the kubeconfig file in the ${CLUSTER_INFO_NAME} ConfigMap to have a single cluster, but it had ${clusters.length}`);
  }
  const c = clusters[0]!.cluster ?? {};
  const caPem = c['certificate-authority-data'] ? Buffer.from(c['certificate-authority-data'], 'base64').toString('utf8') : '';
  if (!splitPemCertificates(caPem).length) throw new CommandError(`the cluster in the ${CLUSTER_INFO_NAME} ConfigMap has no certificate-authority-data`);
  return { server: c.server ?? '', caPem };
}

/** Fails unless some certificate of the CA bundle has one of the pinned public-key hashes (validateClusterCA). */
export function validateClusterCA(caPem: string, pins: string[], server: string): void {
  const got = splitPemCertificates(caPem).map((c) => caCertHash(c));
  if (!got.some((h) => pins.includes(h))) {
    throw new CommandError(`none of the pinned hashes matches the CA of ${server}: got ${got.join(', ')}; check --discovery-token-ca-cert-hash (karmadactl token create --print-register-command prints the right one)`);
  }
}

interface Fetched {
  status: number;
  data?: Record<string, string>;
  message?: string;
}

/** GET kube-public/cluster-info without credentials; TLS verified against caPem, or not at all. */
function fetchClusterInfo(endpoint: string, caPem: string | undefined, timeoutMs: number): Promise<Fetched> {
  const url = new URL(`https://${endpoint}/api/v1/namespaces/${CLUSTER_INFO_NAMESPACE}/configmaps/${CLUSTER_INFO_NAME}`);
  return new Promise((resolve, reject) => {
    const req = https.get(
      url,
      { ...(caPem ? { ca: caPem, rejectUnauthorized: true } : { rejectUnauthorized: false }), headers: { accept: 'application/json', 'user-agent': 'karmadactl' }, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('error', reject);
        res.on('end', () => {
          let json: { data?: Record<string, string>; message?: string } | undefined;
          try {
            json = JSON.parse(body) as typeof json;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, data: json?.data, message: json?.message ?? body.slice(0, 200) });
        });
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${Math.round(timeoutMs / 1000)}s`)));
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Fetches cluster-info until it carries a signature for the token (getClusterInfoFromControlPlane):
 * network errors are retried until the deadline, a missing signature for at most signatureWaitMs.
 */
async function clusterInfoWithSignature(opts: DiscoveryOptions, caPem: string | undefined, deadline: number): Promise<Record<string, string>> {
  const server = `https://${opts.endpoint}`;
  const interval = opts.intervalMs ?? 1000;
  let signatureDeadline: number | undefined;
  let lastNetworkError: unknown;
  let toldMissing = false;
  let toldNetwork = false;
  for (;;) {
    let fetched: Fetched | undefined;
    try {
      fetched = await fetchClusterInfo(opts.endpoint, caPem, Math.max(1000, Math.min(10_000, deadline - Date.now())));
    } catch (err) {
      lastNetworkError = err;
      if (caPem && /certificate|self[- ]signed|altname|verify/i.test((err as Error).message)) {
        throw new CommandError(`the TLS certificate of ${server} does not verify against the pinned CA: ${(err as Error).message}`);
      }
    }
    if (fetched) {
      if (fetched.status === 401 || fetched.status === 403) {
        throw new CommandError(
          `${server} refuses anonymous access to ${CLUSTER_INFO_NAMESPACE}/${CLUSTER_INFO_NAME} (${fetched.status}): ${fetched.message ?? ''}; the control plane must allow it (anonymous auth and the bootstrap-signer-clusterinfo RBAC)`.trim(),
        );
      }
      const data = fetched.data ?? {};
      if (fetched.status === 200 && data[`${JWS_KEY_PREFIX}${opts.token.id}`]) return data;
      // the ConfigMap or its signature is written a moment after the token: wait a little
      signatureDeadline ??= Date.now() + (opts.signatureWaitMs ?? 10_000);
      if (Date.now() >= Math.min(deadline, signatureDeadline)) {
        if (fetched.status === 404) throw new CommandError(`${server} has no ${CLUSTER_INFO_NAMESPACE}/${CLUSTER_INFO_NAME} ConfigMap; is this a Karmada control plane?`);
        if (fetched.status !== 200) throw new CommandError(`reading ${CLUSTER_INFO_NAMESPACE}/${CLUSTER_INFO_NAME} from ${server} failed (${fetched.status}): ${fetched.message ?? ''}`);
        return data; // validateClusterInfoToken says the token is unknown or expired
      }
      if (!toldMissing) {
        toldMissing = true;
        opts.progress?.(`[discovery] ${CLUSTER_INFO_NAMESPACE}/${CLUSTER_INFO_NAME} does not yet contain a JWS signature for token ID "${opts.token.id}", will try again`);
      }
    } else if (Date.now() >= deadline) {
      throw new CommandError(`cannot reach the karmada-apiserver at ${server} within ${Math.round(opts.timeoutMs / 1000)}s: ${(lastNetworkError as Error)?.message ?? 'no answer'}; check the address and that the server is running`);
    } else if (!toldNetwork) {
      toldNetwork = true;
      opts.progress?.(`[discovery] failed to request cluster-info from ${server}, will try again until ${Math.round(opts.timeoutMs / 1000)}s have passed: ${(lastNetworkError as Error).message}`);
    }
    await sleep(Math.max(0, Math.min(interval * (0.85 + Math.random() * 0.3), deadline - Date.now())));
  }
}

/** The verified cluster-info: its server and CA (retrieveValidatedConfigInfo). */
export async function retrieveValidatedConfigInfo(opts: DiscoveryOptions): Promise<ClusterInfo> {
  const deadline = Date.now() + opts.timeoutMs;
  const server = `https://${opts.endpoint}`;
  const insecure = await clusterInfoWithSignature(opts, undefined, deadline);
  const kubeconfig = validateClusterInfoToken(insecure, opts.token);
  const info = parseClusterInfoKubeconfig(kubeconfig);
  if (!opts.caCertHashes.length) {
    opts.progress?.(`[discovery] cluster-info signature and contents are valid and no TLS pinning was specified, will use API Server "${opts.endpoint}"`);
    return info;
  }
  validateClusterCA(info.caPem, opts.caCertHashes, server);
  opts.progress?.(`[discovery] requesting info from "${opts.endpoint}" again to validate TLS against the pinned public key`);
  const secure = await clusterInfoWithSignature(opts, info.caPem, deadline);
  if (secure[KUBECONFIG_KEY] !== kubeconfig) {
    throw new CommandError(`the second kubeconfig from the ${CLUSTER_INFO_NAME} ConfigMap (using validated TLS) was different from the first`);
  }
  opts.progress?.(`[discovery] cluster-info signature and contents are valid and TLS certificate validates against pinned roots, will use API Server "${opts.endpoint}"`);
  return info;
}
