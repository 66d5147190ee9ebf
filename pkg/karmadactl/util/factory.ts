// What every karmadactl command needs: clients for the control plane (global --kubeconfig/--context, as
// kubectl resolves them) and for members (--cluster-kubeconfig/--cluster-context), output streams, and
// one-line errors.

import { KubeConfig } from '@kubernetes/client-node';
import { ObjectClient } from '../../runtime/client.js';
import { RestClient } from '../../runtime/rest.js';
import { StatusError } from '../../runtime/rest.js';

export interface GlobalFlags {
  kubeconfig?: string;
  context?: string;
}

export interface IO {
  out(line: string): void;
  /** Progress and warnings (stderr). */
  err(line: string): void;
}

export const stdio: IO = {
  out: (line) => process.stdout.write(line.endsWith('\n') ? line : `${line}\n`),
  err: (line) => process.stderr.write(line.endsWith('\n') ? line : `${line}\n`),
};

/** A user-facing failure: printed as "error: <message>" with exit code 1. */
export class CommandError extends Error {}

export function loadKubeConfig(file: string | undefined, context: string | undefined, what: string): KubeConfig {
  try {
    return RestClient.loadKubeConfig(file, context);
  } catch (err) {
    throw new CommandError(`cannot load the ${what} kubeconfig${file ? ` ${file}` : ''}: ${(err as Error).message}`);
  }
}

export function karmadaClient(flags: GlobalFlags): ObjectClient {
  return new ObjectClient(new RestClient(loadKubeConfig(flags.kubeconfig, flags.context, 'karmada'), { userAgent: 'karmadactl' }));
}

/** Turns API and network errors into one readable line. */
export function describeError(err: unknown): string {
  if (err instanceof StatusError) return err.message;
  if (err instanceof Error) {
    const code = (err as { code?: string }).code;
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ECONNRESET' || code === 'EHOSTUNREACH') return `unable to connect to the server: ${err.message}`;
    return err.message;
  }
  return String(err);
}
