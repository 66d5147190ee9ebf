#!/usr/bin/env node
// karmada-apiserver: the Kubernetes-compatible API server of the control plane.

import { Command, Option } from 'commander';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { runApiServer } from '../../pkg/apiserver/run.js';

const program = new Command('karmada-apiserver')
  .description('Kubernetes-compatible API server for the Karmada control plane (embedded SQLite by default).')
  .option('--data-dir <dir>', 'directory for the SQLite database and PKI', 'karmada-data')
  .option('--secure-port <port>', 'HTTPS port', (v) => parsePort(v), 5443)
  .option('--bind-address <ip>', 'address to listen on', '127.0.0.1')
  .option('--kubeconfig-out <file>', 'write an admin kubeconfig (context "karmada-apiserver") to this file')
  .option('--advertise-address <host>', 'host name or IP clients use to reach this server (added to the serving certificate)')
  .option('--tls-san <names>', 'extra comma-separated DNS names/IPs for the serving certificate', '')
  .addOption(new Option('--v <level>', 'log verbosity (klog-style)').argParser(Number).default(0))
  .addHelpText(
    'after',
    `
Examples:
  # Serve on https://127.0.0.1:5443 and write an admin kubeconfig
  karmada-apiserver --data-dir ./data --kubeconfig-out ./data/karmada.config
  kubectl --kubeconfig ./data/karmada.config get ns`,
  )
  .action(async (opts: { dataDir: string; securePort: number; bindAddress: string; kubeconfigOut?: string; advertiseAddress?: string; tlsSan: string; v: number }) => {
    mkdirSync(opts.dataDir, { recursive: true });
    const server = await runApiServer({
      dataDir: path.resolve(opts.dataDir),
      port: opts.securePort,
      bindAddress: opts.bindAddress,
      kubeconfigOut: opts.kubeconfigOut ? path.resolve(opts.kubeconfigOut) : undefined,
      advertiseAddress: opts.advertiseAddress,
      extraSANs: opts.tlsSan.split(',').map((s) => s.trim()).filter(Boolean),
      verbosity: opts.v,
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

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`invalid port "${v}": use a number from 0 to 65535`);
  return n;
}

program.parseAsync().catch((err: Error) => {
  process.stderr.write(`karmada-apiserver: ${err.message}\n`);
  process.exit(1);
});
