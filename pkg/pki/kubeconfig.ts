// kubeconfig files in the exact shape kubectl writes them (`kubectl config view --raw`).

import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

import { stringify } from 'yaml';

export type KubeconfigUser = { clientCertPem: string; clientKeyPem: string } | { token: string };

export interface BuildKubeconfigOptions {
  /** https://host:port */
  server: string;
  caPem: string;
  contextName: string;
  clusterName: string;
  /** users[].name; defaults to contextName. */
  userName?: string;
  user: KubeconfigUser;
  namespace?: string;
  /** clusters[].cluster.tls-server-name, when the server is reached under a name not in its certificate. */
  tlsServerName?: string;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** A single-cluster, single-user kubeconfig (YAML) with embedded CA and credentials. */
export function buildKubeconfig(opts: BuildKubeconfigOptions): string {
  const userName = opts.userName ?? opts.contextName;
  const cluster: Record<string, string> = { 'certificate-authority-data': b64(opts.caPem), server: opts.server };
  if (opts.tlsServerName) cluster['tls-server-name'] = opts.tlsServerName;
  const context: Record<string, string> = { cluster: opts.clusterName };
  if (opts.namespace) context.namespace = opts.namespace;
  context.user = userName;
  const user: Record<string, string> =
    'token' in opts.user
      ? { token: opts.user.token }
      : { 'client-certificate-data': b64(opts.user.clientCertPem), 'client-key-data': b64(opts.user.clientKeyPem) };
  // Keys in kubectl's (alphabetical) order.
  const doc = {
    apiVersion: 'v1',
    clusters: [{ cluster, name: opts.clusterName }],
    contexts: [{ context, name: opts.contextName }],
    'current-context': opts.contextName,
    kind: 'Config',
    preferences: {},
    users: [{ name: userName, user }],
  };
  return stringify(doc, { lineWidth: 0 });
}

/** Writes a kubeconfig with mode 0600 (atomically), creating parent directories (0700) as needed. */
export async function writeKubeconfig(file: string, yaml: string): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await fs.writeFile(tmp, yaml, { mode: 0o600, flag: 'wx' });
    await fs.chmod(tmp, 0o600);
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}
