// Clients for member clusters built from a Cluster and its credentials Secret (spec.secretRef), the way
// Karmada's util.BuildClusterConfig does: API endpoint, bearer token (data.token), CA (data.caBundle),
// insecureSkipTLSVerification, proxyURL. This project also accepts a client certificate
// (data["tls.crt"], data["tls.key"]) for members that only authenticate certificates.

import { KubeConfig } from '@kubernetes/client-node';
import type { Cluster } from '../apis/cluster/v1alpha1/index.js';
import { SECRET_CA_DATA_KEY, SECRET_TOKEN_KEY } from '../apis/cluster/v1alpha1/index.js';
import { RestClient } from '../runtime/rest.js';
import type { KubeObject } from '../runtime/types.js';

/** Extra Secret keys (not Karmada's): a client certificate and key (base64 PEM, like kubernetes.io/tls). */
export const SECRET_CERT_KEY = 'tls.crt';
export const SECRET_KEY_KEY = 'tls.key';

export interface Secret extends KubeObject {
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

function secretValue(secret: Secret | undefined, key: string): string | undefined {
  const b64 = secret?.data?.[key];
  if (b64) return b64;
  const plain = secret?.stringData?.[key];
  return plain ? Buffer.from(plain).toString('base64') : undefined;
}

/** A kubeconfig (context named after the cluster) reaching the member with the Secret's credentials. */
export function memberKubeConfig(cluster: Cluster, secret: Secret | undefined): KubeConfig {
  const name = cluster.metadata?.name ?? 'member';
  const endpoint = cluster.spec?.apiEndpoint;
  if (!endpoint) throw new Error(`cluster ${name} has no spec.apiEndpoint`);
  const insecure = !!cluster.spec?.insecureSkipTLSVerification;
  const token = secretValue(secret, SECRET_TOKEN_KEY);
  const ca = secretValue(secret, SECRET_CA_DATA_KEY);
  const cert = secretValue(secret, SECRET_CERT_KEY);
  const key = secretValue(secret, SECRET_KEY_KEY);
  if (!token && !(cert && key)) throw new Error(`the credentials secret of cluster ${name} has neither data.${SECRET_TOKEN_KEY} nor data["${SECRET_CERT_KEY}"]/data["${SECRET_KEY_KEY}"]`);
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name,
        server: endpoint,
        skipTLSVerify: insecure,
        ...(!insecure && ca ? { caData: ca } : {}),
        ...(cluster.spec?.proxyURL ? { proxyUrl: cluster.spec.proxyURL } : {}),
      },
    ],
    users: [
      {
        name,
        ...(token ? { token: Buffer.from(token, 'base64').toString('utf8').trim() } : {}),
        ...(cert && key ? { certData: cert, keyData: key } : {}),
      },
    ],
    contexts: [{ name, cluster: name, user: name }],
    currentContext: name,
  });
  return kc;
}

/** What a member client was built from; a change means a new client. */
export function memberClientFingerprint(cluster: Cluster, secret: Secret | undefined): string {
  const s = cluster.spec ?? { syncMode: 'Push' };
  return JSON.stringify([s.apiEndpoint, s.insecureSkipTLSVerification, s.proxyURL, secret?.metadata?.uid, secret?.metadata?.resourceVersion]);
}

/** One kept-alive RestClient per member, rebuilt when its endpoint or credentials change. */
export class MemberClients {
  private readonly clients = new Map<string, { fingerprint: string; rest: RestClient }>();

  constructor(private readonly userAgent = 'karmada-controller-manager') {}

  get(cluster: Cluster, secret: Secret | undefined): { rest: RestClient; changed: boolean } {
    const name = cluster.metadata?.name ?? '';
    const fp = memberClientFingerprint(cluster, secret);
    const cur = this.clients.get(name);
    if (cur && cur.fingerprint === fp) return { rest: cur.rest, changed: false };
    cur?.rest.close();
    const rest = new RestClient(memberKubeConfig(cluster, secret), { userAgent: this.userAgent, timeoutMs: 10_000 });
    this.clients.set(name, { fingerprint: fp, rest });
    return { rest, changed: true };
  }

  remove(name: string): void {
    this.clients.get(name)?.rest.close();
    this.clients.delete(name);
  }

  closeAll(): void {
    for (const c of this.clients.values()) c.rest.close();
    this.clients.clear();
  }
}
