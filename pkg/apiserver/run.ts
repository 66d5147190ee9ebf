// Wires a karmada-apiserver process together: PKI in the data dir, storage, the HTTP server, and the
// admin kubeconfig written once the server listens (so the file's existence means "ready").

import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { loadOrCreatePKI, buildKubeconfig, writeKubeconfig } from '../pki/index.js';
import { SqliteStorage } from '../storage/sqlite/sqlite.js';
import { EtcdStorage } from '../storage/etcd/etcd.js';
import type { Storage } from '../storage/interface.js';
import { newLogger, levelForVerbosity } from '../util/logger.js';
import { parseTokenAuthFile, tokenAuthenticator, x509Authenticator, type Authenticator } from './auth/authn.js';
import type { AuthorizationMode } from './auth/service.js';
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
  /** Storage to use instead of the embedded SQLite file (tests). */
  storage?: Storage;
  /** Store objects in etcd instead of SQLite (--etcd-servers ...); the data dir then holds only the PKI. */
  etcd?: EtcdRunOptions;
  /** Serve Karmada's APIs (default true; kube-sim turns it off). */
  karmada?: boolean;
  /** --enable-bootstrap-token-auth: authenticate kube-system/bootstrap-token-<id> Secrets. */
  enableBootstrapTokenAuth?: boolean;
  /** --token-auth-file: static bearer tokens (token,user,uid,"group1,group2"). */
  tokenAuthFile?: string;
  /** --service-account-issuer (repeatable): the first signs tokens, all are accepted. */
  serviceAccountIssuers?: string[];
  /** --api-audiences: audiences a service-account token must name (default: the issuer). */
  apiAudiences?: string[];
  /** --authorization-mode: RBAC (default) or AlwaysAllow. */
  authorizationMode?: AuthorizationMode;
  /** --anonymous-auth (default true). */
  anonymousAuth?: boolean;
}

export interface EtcdRunOptions {
  /** Client URLs (--etcd-servers). */
  servers: string[];
  /** PEM files for TLS to etcd (--etcd-cafile, --etcd-certfile, --etcd-keyfile). */
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  /** How long to wait at start for etcd to answer (default 60 s). */
  startupTimeoutMs?: number;
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
  const authenticators: Authenticator[] = [x509Authenticator()];
  if (opts.tokenAuthFile) authenticators.push(tokenAuthenticator(parseTokenAuthFile(readFileSync(opts.tokenAuthFile, 'utf8'), opts.tokenAuthFile)));
  const storage =
    opts.storage ??
    (opts.etcd
      ? await openEtcd(opts.etcd, logger)
      : SqliteStorage.open({ path: path.join(opts.dataDir, 'karmada.db'), logger: logger.child({ component: 'storage' }) }));
  const server = new ApiServer({
    storage,
    logger,
    tls: { key: pki.servingKeyPem, cert: pki.servingCertPem, ca: pki.caCertPem },
    authenticators,
    bindAddress: opts.bindAddress,
    port: opts.port,
    karmada: opts.karmada ?? true,
    authorization: opts.authorizationMode,
    anonymousAuth: opts.anonymousAuth,
    serviceAccount: { keyPem: pki.serviceAccountKeyPem, issuers: opts.serviceAccountIssuers, apiAudiences: opts.apiAudiences },
    bootstrapTokenAuth: opts.enableBootstrapTokenAuth,
    signingCA: pki.ca,
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
  // kube-public/cluster-info: what `karmadactl register` discovers (and verifies with its bootstrap token).
  await server.publishClusterInfo(advertised).catch((err: Error) => logger.warn({ err: err.message }, 'cannot publish kube-public/cluster-info'));
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

/** Connects to etcd, waiting (with backoff) until it answers: replicas may start before their etcd. */
async function openEtcd(o: EtcdRunOptions, logger: Logger): Promise<Storage> {
  const read = (f: string | undefined) => (f ? readFileSync(f) : undefined);
  const storage = EtcdStorage.open({
    endpoints: o.servers,
    tls: { ca: read(o.caFile), cert: read(o.certFile), key: read(o.keyFile) },
    logger: logger.child({ component: 'storage', backend: 'etcd' }),
  });
  const deadline = Date.now() + (o.startupTimeoutMs ?? 60_000);
  for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
    try {
      const revision = await storage.currentRevision();
      logger.info({ endpoints: o.servers, revision }, 'connected to etcd');
      return storage;
    } catch (err) {
      if (Date.now() + delay > deadline) {
        await storage.close();
        throw new Error(`etcd at ${o.servers.join(',')} did not answer: ${(err as Error).message}`);
      }
      logger.warn({ endpoints: o.servers, err: (err as Error).message, retryInMs: delay }, 'waiting for etcd');
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
