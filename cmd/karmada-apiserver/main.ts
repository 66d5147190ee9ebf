#!/usr/bin/env node
// karmada-apiserver: the Kubernetes-compatible API server of the control plane.

import { Command, Option } from 'commander';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { runApiServer } from '../../pkg/apiserver/run.js';

const program = new Command('karmada-apiserver')
  .description('Kubernetes-compatible API server for the Karmada control plane (embedded SQLite by default).')
  .option('--data-dir <dir>', 'directory for the SQLite database and PKI (only the PKI with --etcd-servers)', 'karmada-data')
  .option('--etcd-servers <urls>', 'store objects in etcd (v3 API) at these comma-separated client URLs instead of SQLite')
  .option('--etcd-cafile <file>', 'CA certificate (PEM) to verify etcd\'s serving certificate (https etcd URLs)')
  .option('--etcd-certfile <file>', 'client certificate (PEM) for etcd')
  .option('--etcd-keyfile <file>', 'client key (PEM) for etcd')
  .option('--secure-port <port>', 'HTTPS port', (v) => parsePort(v), 5443)
  .option('--bind-address <ip>', 'address to listen on', '127.0.0.1')
  .option('--kubeconfig-out <file>', 'write an admin kubeconfig (context "karmada-apiserver") to this file')
  .option('--advertise-address <host>', 'host name or IP clients use to reach this server (added to the serving certificate)')
  .option('--tls-san <names>', 'extra comma-separated DNS names/IPs for the serving certificate', '')
  .option('--enable-bootstrap-token-auth', 'authenticate bootstrap tokens (Secrets kube-system/bootstrap-token-<id>)', false)
  .option('--token-auth-file <file>', 'static bearer tokens, CSV lines: token,user,uid,"group1,group2"')
  .option('--service-account-issuer <url>', 'issuer of service-account tokens (repeatable; the first signs new tokens)', collect, [] as string[])
  .option('--api-audiences <list>', 'comma-separated audiences a service-account token must carry (default: the issuer)', '')
  .addOption(new Option('--authorization-mode <mode>', 'authorization mode').choices(['RBAC', 'AlwaysAllow']).default('RBAC'))
  .option('--anonymous-auth <bool>', 'treat requests without credentials as system:anonymous (RBAC decides what it may do)', parseBool, true)
  .addOption(new Option('--v <level>', 'log verbosity (klog-style)').argParser(Number).default(0))
  .addHelpText(
    'after',
    `
Examples:
  # Serve on https://127.0.0.1:5443 and write an admin kubeconfig
  karmada-apiserver --data-dir ./data --kubeconfig-out ./data/karmada.config
  kubectl --kubeconfig ./data/karmada.config get ns

  # Two replicas on one etcd, sharing the PKI through the data dir
  karmada-apiserver --etcd-servers http://127.0.0.1:2379 --data-dir ./data --secure-port 5443 --kubeconfig-out ./data/a.config
  karmada-apiserver --etcd-servers http://127.0.0.1:2379 --data-dir ./data --secure-port 5444 --kubeconfig-out ./data/b.config`,
  )
  .action(async (opts: {
    dataDir: string;
    etcdServers?: string;
    etcdCafile?: string;
    etcdCertfile?: string;
    etcdKeyfile?: string;
    securePort: number;
    bindAddress: string;
    kubeconfigOut?: string;
    advertiseAddress?: string;
    tlsSan: string;
    v: number;
    enableBootstrapTokenAuth: boolean;
    tokenAuthFile?: string;
    serviceAccountIssuer: string[];
    apiAudiences: string;
    authorizationMode: 'RBAC' | 'AlwaysAllow';
    anonymousAuth: boolean;
  }) => {
    mkdirSync(opts.dataDir, { recursive: true });
    const server = await runApiServer({
      dataDir: path.resolve(opts.dataDir),
      port: opts.securePort,
      bindAddress: opts.bindAddress,
      kubeconfigOut: opts.kubeconfigOut ? path.resolve(opts.kubeconfigOut) : undefined,
      advertiseAddress: opts.advertiseAddress,
      extraSANs: opts.tlsSan.split(',').map((s) => s.trim()).filter(Boolean),
      verbosity: opts.v,
      etcd: opts.etcdServers
        ? {
            servers: opts.etcdServers.split(',').map((s) => s.trim()).filter(Boolean),
            caFile: opts.etcdCafile ? path.resolve(opts.etcdCafile) : undefined,
            certFile: opts.etcdCertfile ? path.resolve(opts.etcdCertfile) : undefined,
            keyFile: opts.etcdKeyfile ? path.resolve(opts.etcdKeyfile) : undefined,
          }
        : undefined,
      enableBootstrapTokenAuth: opts.enableBootstrapTokenAuth,
      tokenAuthFile: opts.tokenAuthFile ? path.resolve(opts.tokenAuthFile) : undefined,
      serviceAccountIssuers: opts.serviceAccountIssuer,
      apiAudiences: opts.apiAudiences.split(',').map((s) => s.trim()).filter(Boolean),
      authorizationMode: opts.authorizationMode,
      anonymousAuth: opts.anonymousAuth,
    });
    const shutdown = (signal: string) => {
      server.logger.info({ signal }, 'shutting down');
      server.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  });

function collect(v: string, acc: string[]): string[] {
  return [...acc, v];
}

function parseBool(v: string): boolean {
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new Error(`invalid boolean "${v}": use true or false`);
}

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`invalid port "${v}": use a number from 0 to 65535`);
  return n;
}

program.parseAsync().catch((err: Error) => {
  process.stderr.write(`karmada-apiserver: ${err.message}\n`);
  process.exit(1);
});
