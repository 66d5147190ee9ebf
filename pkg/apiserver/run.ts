// Wires a karmada-apiserver process together: PKI in the data dir, storage, the HTTP server, and the
// admin kubeconfig written once the server listens (so the file's existence means "ready").

import path from 'node:path';
import type { Logger } from 'pino';
import { loadOrCreatePKI, buildKubeconfig, writeKubeconfig } from '../pki/index.js';
import { SqliteStorage } from '../storage/sqlite/sqlite.js';
import type { Storage } from '../storage/interface.js';
import { newLogger, levelForVerbosity } from '../util/logger.js';
import { x509Authenticator } from './auth/authn.js';
import { ApiServer } from './server.js';

export interface RunOptions {
  dataDir: string;
  port: number;
  bindAddress: string;
  kubeconfigOut?: string;
  advertiseAddress?: string;
  extraSANs?: string[];
  verbosity?: number;
  logger?: Logger;
  /** Storage to use instead of the embedded SQLite file (tests, etcd). */
  storage?: Storage;
  /** Serve Karmada's APIs (default true; kube-sim turns it off). */
  karmada?: boolean;
}

export interface RunningApiServer {
  server: ApiServer;
  logger: Logger;
  url: string;
  caPem: string;
  stop(): Promise<void>;
}

export const KUBECONFIG_CONTEXT = 'karmada-apiserver';

export async function runApiServer(opts: RunOptions): Promise<RunningApiServer> {
  const logger = opts.logger ?? newLogger('karmada-apiserver', opts.verbosity ? levelForVerbosity(opts.verbosity) : undefined);
  const hosts = ['localhost', '127.0.0.1', '::1', opts.bindAddress, ...(opts.advertiseAddress ? [opts.advertiseAddress] : []), ...(opts.extraSANs ?? [])]
    .filter((h) => h && h !== '0.0.0.0' && h !== '::');
  const pki = await loadOrCreatePKI(path.join(opts.dataDir, 'pki'), { hosts: [...new Set(hosts)], logger });
  const storage = opts.storage ?? SqliteStorage.open({ path: path.join(opts.dataDir, 'karmada.db'), logger: logger.child({ component: 'storage' }) });
  const server = new ApiServer({
    storage,
    logger,
    tls: { key: pki.servingKeyPem, cert: pki.servingCertPem, ca: pki.caCertPem },
    authenticators: [x509Authenticator()],
    bindAddress: opts.bindAddress,
    port: opts.port,
    karmada: opts.karmada ?? true,
  });
  let url: string;
  try {
    url = await server.start();
  } catch (err) {
    await storage.close();
    throw err;
  }
  const advertised = opts.advertiseAddress
    ? `https://${opts.advertiseAddress.includes(':') ? `[${opts.advertiseAddress}]` : opts.advertiseAddress}:${server.port}`
    : opts.bindAddress === '0.0.0.0' || opts.bindAddress === '::'
      ? `https://127.0.0.1:${server.port}`
      : url;
  if (opts.kubeconfigOut) {
    const yaml = buildKubeconfig({
      server: advertised,
      caPem: pki.caCertPem,
      contextName: KUBECONFIG_CONTEXT,
      clusterName: KUBECONFIG_CONTEXT,
      userName: 'karmada-admin',
      user: { clientCertPem: pki.adminCertPem, clientKeyPem: pki.adminKeyPem },
    });
    await writeKubeconfig(opts.kubeconfigOut, yaml);
    logger.info({ kubeconfig: opts.kubeconfigOut, context: KUBECONFIG_CONTEXT }, 'admin kubeconfig written');
  }
  return {
    server,
    logger,
    url: advertised,
    caPem: pki.caCertPem,
    async stop() {
      await server.stop();
      await storage.close();
    },
  };
}
