// karmadactl token create|list|delete (Karmada's pkg/karmadactl/token, kubeadm's `token`): bootstrap
// tokens are Secrets kube-system/bootstrap-token-<id> of type bootstrap.kubernetes.io/token. A member that
// is about to register verifies cluster-info with a "signing" token and authenticates its first CSR
// with an "authentication" one; `--print-register-command` prints the whole `karmadactl register` line.

import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import type { KubeConfig } from '@kubernetes/client-node';
import {
  BOOTSTRAP_DEFAULT_GROUP,
  BOOTSTRAP_NAMESPACE,
  BOOTSTRAP_TOKEN_SECRET_PREFIX,
  BOOTSTRAP_TOKEN_SECRET_TYPE,
  parseBootstrapTokenSecret,
} from '../../apiserver/auth/bootstraptoken.js';
import { KARMADA_DEFAULT_TOKEN_GROUP } from '../../apiserver/auth/bootstrappolicy.js';
import { caCertHash } from '../../pki/index.js';
import type { ObjectClient } from '../../runtime/client.js';
import { SECRETS } from '../../runtime/gvr.js';
import { isAlreadyExists, isNotFound } from '../../runtime/rest.js';
import type { KubeObject } from '../../runtime/types.js';
import { parseDuration } from '../../util/duration.js';
import { formatTable } from '../util/printers.js';
import { CommandError, karmadaClient, loadKubeConfig, stdio, type GlobalFlags, type IO } from '../util/factory.js';

/** kubeadm's defaults for `token create`. */
export const DEFAULT_TOKEN_TTL_MS = 24 * 3_600_000;
export const DEFAULT_USAGES = ['signing', 'authentication'];
export const DEFAULT_GROUPS = [KARMADA_DEFAULT_TOKEN_GROUP];
/** bootstrapapi.KnownTokenUsages. */
export const KNOWN_TOKEN_USAGES = ['signing', 'authentication'];
export const TOKEN_ID_PATTERN = /^[a-z0-9]{6}$/;
export const TOKEN_PATTERN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const GROUP_PATTERN = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;
const CHARSET = '0123456789abcdefghijklmnopqrstuvwxyz';

export interface CreatedToken {
  id: string;
  secret: string;
  /** "<id>.<secret>". */
  token: string;
  /** RFC 3339, absent for a token that never expires. */
  expires?: string;
}

export interface ListedToken {
  token: string;
  expires?: Date;
  usages: string[];
  description: string;
  groups: string[];
}

function randomString(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += CHARSET[randomInt(CHARSET.length)];
  return s;
}

/** Go's time.RFC3339 for a UTC instant (no fractional seconds). */
function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The Secret for a token (bootstraputil / kubeadm's BootstrapToken.ToSecret). */
export function bootstrapTokenSecret(t: { id: string; secret: string; expires?: string; description?: string; usages: string[]; groups: string[] }): KubeObject {
  const data: Record<string, string> = { 'token-id': t.id, 'token-secret': t.secret };
  if (t.description) data.description = t.description;
  if (t.expires) data.expiration = t.expires;
  for (const u of t.usages) data[`usage-bootstrap-${u}`] = 'true';
  if (t.groups.length) data['auth-extra-groups'] = t.groups.join(',');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: BOOTSTRAP_TOKEN_SECRET_TYPE,
    metadata: { name: `${BOOTSTRAP_TOKEN_SECRET_PREFIX}${t.id}`, namespace: BOOTSTRAP_NAMESPACE },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')])),
  };
}

function validateUsagesAndGroups(usages: string[], groups: string[]): void {
  const bad = usages.filter((u) => !KNOWN_TOKEN_USAGES.includes(u));
  if (bad.length) throw new CommandError(`invalid bootstrap token usage(s) ${bad.join(', ')}: valid options are ${KNOWN_TOKEN_USAGES.join(', ')}`);
  for (const g of groups) {
    if (!GROUP_PATTERN.test(g)) throw new CommandError(`invalid extra group "${g}": bootstrap token groups must match ${GROUP_PATTERN.source}`);
  }
  if (groups.length && !usages.includes('authentication')) {
    throw new CommandError('token groups cannot be specified unless --usages includes "authentication"');
  }
}

/** Creates a random bootstrap token Secret (a fresh id on the rare collision). */
export async function createBootstrapToken(
  client: ObjectClient,
  opts: { ttlMs?: number; description?: string; groups?: string[]; usages?: string[] } = {},
): Promise<CreatedToken> {
  const usages = [...new Set(opts.usages ?? DEFAULT_USAGES)];
  const groups = [...new Set(opts.groups ?? DEFAULT_GROUPS)];
  validateUsagesAndGroups(usages, groups);
  const ttlMs = opts.ttlMs ?? DEFAULT_TOKEN_TTL_MS;
  if (ttlMs < 0) throw new CommandError('--ttl must not be negative (0: the token never expires)');
  const secrets = client.resource(SECRETS);
  for (let attempt = 0; ; attempt++) {
    const id = randomString(6);
    const secret = randomString(16);
    const expires = ttlMs > 0 ? rfc3339(new Date(Date.now() + ttlMs)) : undefined;
    try {
      await secrets.create(bootstrapTokenSecret({ id, secret, expires, description: opts.description, usages, groups }));
      return { id, secret, token: `${id}.${secret}`, ...(expires ? { expires } : {}) };
    } catch (err) {
      if (!isAlreadyExists(err) || attempt >= 5) throw err;
    }
  }
}

/** `karmadactl register <host:port> --token <id.secret> --discovery-token-ca-cert-hash sha256:<hex>`. */
export function registerCommandLine(serverHostPort: string, token: string, caCertHash: string): string {
  return `karmadactl register ${serverHostPort} --token ${token} --discovery-token-ca-cert-hash ${caCertHash}`;
}

/** host:port of a kubeconfig cluster's server URL (port 443 when the URL has none). */
export function serverHostPort(server: string): string {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new CommandError(`the kubeconfig's server "${server}" is not a URL`);
  }
  return url.port ? url.host : `${url.host}:${url.protocol === 'http:' ? 80 : 443}`;
}

/** Every CA certificate (PEM) of a bundle. */
export function splitPemCertificates(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
}

/** The register command for the current cluster of the control plane's kubeconfig (tokenutil.GenerateRegisterCommand). */
export function registerCommandFor(kc: KubeConfig, token: string): string {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new CommandError('the karmada kubeconfig has no cluster for its current context');
  let caPem: string | undefined;
  if (cluster.caData) caPem = Buffer.from(cluster.caData, 'base64').toString('utf8');
  else if (cluster.caFile) caPem = readFileSync(cluster.caFile, 'utf8');
  const certs = caPem ? splitPemCertificates(caPem) : [];
  if (!certs.length) {
    throw new CommandError(`the kubeconfig's cluster ${cluster.name} has no certificate-authority-data: cannot compute --discovery-token-ca-cert-hash; use a kubeconfig that pins the control plane's CA`);
  }
  return registerCommandLine(serverHostPort(cluster.server), token, certs.map((c) => caCertHash(c)).join(','));
}

/** The bootstrap tokens in kube-system; malformed token Secrets are reported through warn and skipped. */
export async function listBootstrapTokens(client: ObjectClient, warn: (msg: string) => void = () => {}): Promise<ListedToken[]> {
  const { items } = await client.resource(SECRETS).listAll({ namespace: BOOTSTRAP_NAMESPACE, fieldSelector: `type=${BOOTSTRAP_TOKEN_SECRET_TYPE}` });
  const out: ListedToken[] = [];
  for (const s of items) {
    if (s.type !== BOOTSTRAP_TOKEN_SECRET_TYPE) continue;
    const t = parseBootstrapTokenSecret(s);
    if (!t) {
      warn(`secret ${BOOTSTRAP_NAMESPACE}/${s.metadata?.name} is not a valid bootstrap token; skipping it`);
      continue;
    }
    const raw = (s.data as Record<string, string> | undefined)?.description;
    out.push({
      token: `${t.id}.${t.secret}`,
      expires: t.expiration,
      usages: [...t.usages].sort(),
      description: raw ? Buffer.from(raw, 'base64').toString('utf8') : '',
      groups: t.groups.filter((g) => g !== BOOTSTRAP_DEFAULT_GROUP),
    });
  }
  return out;
}

/** k8s.io/apimachinery duration.ShortHumanDuration. */
export function shortHumanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 365) return `${Math.floor(hours / 24)}d`;
  return `${Math.floor(hours / 24 / 365)}y`;
}

/** kubeadm's `token list` table: TOKEN TTL EXPIRES USAGES DESCRIPTION EXTRA GROUPS. */
export function formatTokenTable(tokens: ListedToken[], now = Date.now()): string {
  const rows = tokens.map((t) => [
    t.token,
    t.expires ? shortHumanDuration(t.expires.getTime() - now) : '<forever>',
    t.expires ? rfc3339(t.expires) : '<never>',
    t.usages.length ? t.usages.join(',') : '<none>',
    t.description || '<none>',
    t.groups.length ? t.groups.join(',') : '<none>',
  ]);
  return formatTable(['TOKEN', 'TTL', 'EXPIRES', 'USAGES', 'DESCRIPTION', 'EXTRA GROUPS'], rows);
}

/** The token id of "<id>" or "<id>.<secret>". */
export function tokenIdOf(idOrToken: string): string {
  if (TOKEN_ID_PATTERN.test(idOrToken)) return idOrToken;
  const m = TOKEN_PATTERN.exec(idOrToken);
  if (!m) throw new CommandError(`given token "${idOrToken}" didn't match pattern ${TOKEN_ID_PATTERN.source} or ${TOKEN_PATTERN.source}`);
  return m[1]!;
}

/** Deletes tokens given by id or full token; every argument is checked before anything is deleted. */
export async function deleteBootstrapTokens(client: ObjectClient, idsOrTokens: string[], io: IO = stdio): Promise<void> {
  if (!idsOrTokens.length) throw new CommandError("missing subcommand; 'token delete' is missing token of form [a-z0-9]{6}");
  const ids = idsOrTokens.map(tokenIdOf);
  for (const id of ids) {
    try {
      await client.resource(SECRETS).delete(`${BOOTSTRAP_TOKEN_SECRET_PREFIX}${id}`, { namespace: BOOTSTRAP_NAMESPACE });
    } catch (err) {
      if (isNotFound(err)) throw new CommandError(`failed to delete bootstrap token "${id}": it does not exist (see karmadactl token list)`);
      throw new CommandError(`failed to delete bootstrap token "${id}": ${(err as Error).message}`);
    }
    io.out(`bootstrap token "${id}" deleted`);
  }
}

function splitList(values: string[]): string[] {
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function tokenCommand(): Command {
  const token = new Command('token')
    .description('Manage bootstrap tokens: Secrets kube-system/bootstrap-token-<id> that let a member cluster verify the control plane and register with Pull mode.')
    .addHelpText(
      'after',
      `
Examples:
  # Create a token and print the full 'karmadactl register' command needed to register a cluster with it
  karmadactl token create --print-register-command`,
    );
  token
    .command('create')
    .description('Create a bootstrap token on the server.')
    .option('--ttl <duration>', "duration before the token is automatically deleted (e.g. 1s, 2m, 3h); '0': never expires", '24h')
    .option('--description <text>', 'a human friendly description of how this token is used')
    .option('--usages <usages>', `ways this token can be used (comma-separated or repeated): ${KNOWN_TOKEN_USAGES.join(',')} (default: ${DEFAULT_USAGES.join(',')})`, collect)
    .option('--groups <groups>', `extra groups this token authenticates as (default: ${DEFAULT_GROUPS.join(',')})`, collect)
    .option('--print-register-command', "print the full 'karmadactl register' command instead of only the token", false)
    .action(async (flags: { ttl: string; description?: string; usages?: string[]; groups?: string[]; printRegisterCommand: boolean }, cmd: Command) => {
      const globals = cmd.optsWithGlobals() as GlobalFlags;
      let ttlMs: number;
      try {
        ttlMs = parseDuration(flags.ttl);
      } catch (err) {
        throw new CommandError(`--ttl: ${(err as Error).message}`);
      }
      const kc = loadKubeConfig(globals.kubeconfig, globals.context, 'karmada');
      const client = karmadaClient(globals);
      try {
        const created = await createBootstrapToken(client, {
          ttlMs,
          description: flags.description,
          usages: flags.usages ? splitList(flags.usages) : undefined,
          groups: flags.groups ? splitList(flags.groups) : undefined,
        });
        stdio.out(flags.printRegisterCommand ? registerCommandFor(kc, created.token) : created.token);
      } finally {
        client.close();
      }
    });
  token
    .command('list')
    .description('List bootstrap tokens on the server.')
    .action(async (_flags: unknown, cmd: Command) => {
      const client = karmadaClient(cmd.optsWithGlobals() as GlobalFlags);
      try {
        const tokens = await listBootstrapTokens(client, (msg) => stdio.err(`warning: ${msg}`));
        process.stdout.write(formatTokenTable(tokens));
      } finally {
        client.close();
      }
    });
  token
    .command('delete')
    .description('Delete bootstrap tokens on the server, given as token ids ([a-z0-9]{6}) or full tokens.')
    .argument('<token...>', 'token ids or tokens to delete')
    .action(async (ids: string[], _flags: unknown, cmd: Command) => {
      const client = karmadaClient(cmd.optsWithGlobals() as GlobalFlags);
      try {
        await deleteBootstrapTokens(client, ids);
      } finally {
        client.close();
      }
    });
  return token;
}
