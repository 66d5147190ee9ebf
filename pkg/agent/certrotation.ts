// The agent's client certificate rotation (Karmada's cert_rotation_controller, controller "certRotation",
// opt-in): when the certificate in the karmada kubeconfig has no more than --cert-rotation-remaining-time-
// threshold of its lifetime left, the agent makes a new key, asks the control plane for a certificate
// with a CSR (CN system:karmada:agent:<cluster>, O system:karmada:agents, signer
// kubernetes.io/kube-apiserver-client, same lifetime as the old one), waits until it is approved (the
// agentcsrapproving controller approves an agent renewing its own identity) and issued, then writes the
// new kubeconfig atomically (and into the member's karmada-system/karmada-kubeconfig Secret when the agent
// runs from it) and switches its live clients to the new credentials.

import { randomBytes } from 'node:crypto';
import { KubeConfig } from '@kubernetes/client-node';
import { pino, type Logger } from 'pino';
import { parse, stringify } from 'yaml';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { certificateInfo, createCSR, writeKubeconfig } from '../pki/index.js';
import { sleep } from '../runtime/backoff.js';
import type { ObjectClient } from '../runtime/client.js';
import { gvr, SECRETS } from '../runtime/gvr.js';
import { errText } from '../runtime/informer.js';
import { isForbidden, isNotFound, RestClient } from '../runtime/rest.js';
import type { KubeObject } from '../runtime/types.js';

export const CERTIFICATE_SIGNING_REQUESTS = gvr('certificates.k8s.io', 'v1', 'certificatesigningrequests', false);
export const AGENT_CSR_SIGNER_NAME = 'kubernetes.io/kube-apiserver-client';
export const AGENT_USER_PREFIX = 'system:karmada:agent:';
export const AGENT_GROUP = 'system:karmada:agents';
/** Where `karmadactl register` puts the agent's kubeconfig in the member (upstream's defaults). */
export const KARMADA_KUBECONFIG_SECRET = { namespace: 'karmada-system', name: 'karmada-kubeconfig', field: 'karmada-kubeconfig' } as const;

export const DEFAULT_CERT_ROTATION_CHECKING_INTERVAL_MS = 5 * 60_000;
export const DEFAULT_CERT_ROTATION_REMAINING_TIME_THRESHOLD = 0.2;

export interface CSR extends KubeObject {
  spec?: { request?: string; signerName?: string; usages?: string[]; expirationSeconds?: number; username?: string };
  status?: { certificate?: string; conditions?: { type: string; status?: string; reason?: string; message?: string }[] };
}

/** Whether a certificate valid from notBefore to notAfter has at most `threshold` of its lifetime left. */
export function shouldRotateCert(validity: { notBefore: Date; notAfter: Date }, threshold: number, now: Date): boolean {
  const total = validity.notAfter.getTime() - validity.notBefore.getTime();
  if (total <= 0) return true;
  const remaining = validity.notAfter.getTime() - now.getTime();
  return remaining / total <= threshold;
}

/** The CSR object asking for the agent's renewed certificate. */
export function agentCSR(clusterName: string, csrPem: string, expirationSeconds: number): CSR {
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name: `${clusterName}-${randomBytes(4).toString('hex').slice(0, 5)}` },
    spec: {
      request: Buffer.from(csrPem).toString('base64'),
      signerName: AGENT_CSR_SIGNER_NAME,
      expirationSeconds: Math.max(600, Math.round(expirationSeconds)),
      usages: ['digital signature', 'key encipherment', 'client auth'],
    },
  };
}

interface KubeconfigDoc {
  'current-context'?: string;
  contexts?: { name: string; context?: { user?: string } }[];
  users?: { name: string; user?: Record<string, unknown> }[];
}

/** The user entry of the kubeconfig's context (or current context). */
function userOf(doc: KubeconfigDoc, context: string | undefined): Record<string, unknown> {
  const ctxName = context ?? doc['current-context'];
  const ctx = doc.contexts?.find((c) => c.name === ctxName);
  if (!ctx) throw new Error(`context "${ctxName ?? ''}" not found in the karmada kubeconfig`);
  const user = doc.users?.find((u) => u.name === ctx.context?.user);
  if (!user) throw new Error(`user "${ctx.context?.user ?? ''}" of context "${ctxName}" not found in the karmada kubeconfig`);
  return (user.user ??= {});
}

/** The client certificate (PEM) of the kubeconfig's user, or undefined when it authenticates otherwise. */
export function clientCertificateOf(kubeconfigYaml: string, context: string | undefined, baseDir = '.'): string | undefined {
  const user = userOf(parse(kubeconfigYaml) as KubeconfigDoc, context);
  const data = user['client-certificate-data'];
  if (typeof data === 'string' && data) return Buffer.from(data, 'base64').toString('utf8');
  const file = user['client-certificate'];
  if (typeof file === 'string' && file) return readFileSync(path.resolve(baseDir, file), 'utf8');
  return undefined;
}

/** The kubeconfig with the user's client certificate and key replaced by embedded new ones (pure). */
export function withClientCertificate(kubeconfigYaml: string, context: string | undefined, certPem: string, keyPem: string): string {
  const doc = parse(kubeconfigYaml) as KubeconfigDoc;
  const user = userOf(doc, context);
  delete user['client-certificate'];
  delete user['client-key'];
  user['client-certificate-data'] = Buffer.from(certPem).toString('base64');
  user['client-key-data'] = Buffer.from(keyPem).toString('base64');
  return stringify(doc, { lineWidth: 0 });
}

export interface CertRotationOptions {
  /** The control plane, with the current credentials. */
  client: ObjectClient;
  clusterName: string;
  /** The --karmada-kubeconfig file (rewritten with the new certificate). */
  kubeconfigPath: string;
  context?: string;
  /** Rotate when remaining/total lifetime ≤ this (default 0.2). */
  remainingTimeThreshold?: number;
  /** The member, to update the karmada-kubeconfig Secret the agent Deployment mounts. */
  memberClient?: ObjectClient;
  /** How long to wait for the certificate to be issued (default 5 min) and how often to look (1 s). */
  waitTimeoutMs?: number;
  pollIntervalMs?: number;
  logger?: Logger;
  now?: () => Date;
  signal?: AbortSignal;
}

export interface RotationResult {
  rotated: boolean;
  /** The kubeconfig with the new credentials (selected context) when rotated. */
  kubeConfig?: KubeConfig;
  notAfter?: Date;
}

/** Waits until the CSR carries a certificate; throws when it is denied or failed, or on timeout. */
async function waitForCertificate(client: ObjectClient, name: string, opts: CertRotationOptions): Promise<string> {
  const csrs = client.resource<CSR>(CERTIFICATE_SIGNING_REQUESTS);
  const deadline = Date.now() + (opts.waitTimeoutMs ?? 5 * 60_000);
  let lastErr: unknown;
  while (Date.now() < deadline && !opts.signal?.aborted) {
    try {
      const csr = await csrs.get(name);
      const bad = csr.status?.conditions?.find((c) => (c.type === 'Denied' || c.type === 'Failed') && c.status !== 'False');
      if (bad) throw new Error(`certificate signing request ${name} was ${bad.type.toLowerCase()}: ${bad.reason ?? ''} ${bad.message ?? ''}`.trim());
      if (csr.status?.certificate) return Buffer.from(csr.status.certificate, 'base64').toString('utf8');
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('certificate signing request')) throw err;
      lastErr = err;
    }
    await sleep(opts.pollIntervalMs ?? 1000, opts.signal);
  }
  throw new Error(
    `certificate signing request ${name} was not approved and issued in time${lastErr ? ` (last error: ${errText(lastErr)})` : ''}; ` +
      `approve it with "kubectl certificate approve ${name}" against the karmada-apiserver, or check that the agentcsrapproving controller runs`,
  );
}

/** Updates the member's karmada-kubeconfig Secret when it exists (the agent runs from it in a Deployment). */
async function updateKubeconfigSecret(member: ObjectClient, yaml: string, log: Logger): Promise<void> {
  const { namespace, name, field } = KARMADA_KUBECONFIG_SECRET;
  const secrets = member.resource<KubeObject & { data?: Record<string, string> }>(SECRETS);
  try {
    const cur = await secrets.get(name, { namespace });
    if (!cur.data?.[field]) return;
    await secrets.patch(name, { data: { [field]: Buffer.from(yaml).toString('base64') } }, { namespace });
    log.info({ secret: `${namespace}/${name}` }, 'updated the karmada kubeconfig secret in the member with the new certificate');
  } catch (err) {
    if (isNotFound(err) || isForbidden(err)) return; // not deployed from the Secret (e.g. a process beside kube-sim)
    throw err;
  }
}

/** One check, and a rotation when due. */
export async function rotateCertificateIfNeeded(opts: CertRotationOptions): Promise<RotationResult> {
  const log = (opts.logger ?? pino({ level: 'silent' })).child({ controller: 'certRotation' });
  const now = opts.now?.() ?? new Date();
  const yaml = readFileSync(opts.kubeconfigPath, 'utf8');
  const certPem = clientCertificateOf(yaml, opts.context, path.dirname(path.resolve(opts.kubeconfigPath)));
  if (!certPem) {
    log.debug('the karmada kubeconfig has no client certificate; nothing to rotate');
    return { rotated: false };
  }
  const info = certificateInfo(certPem);
  const threshold = opts.remainingTimeThreshold ?? DEFAULT_CERT_ROTATION_REMAINING_TIME_THRESHOLD;
  if (!shouldRotateCert(info, threshold, now)) {
    log.debug({ notAfter: info.notAfter.toISOString() }, 'the agent certificate has more than the threshold of its lifetime left');
    return { rotated: false };
  }
  log.info({ notAfter: info.notAfter.toISOString(), threshold }, 'the agent certificate is due for rotation; requesting a new one');
  const { csrPem, keyPem } = await createCSR({ commonName: `${AGENT_USER_PREFIX}${opts.clusterName}`, organizations: [AGENT_GROUP] });
  const lifetimeSeconds = (info.notAfter.getTime() - info.notBefore.getTime()) / 1000;
  const csr = await opts.client.resource<CSR>(CERTIFICATE_SIGNING_REQUESTS).create(agentCSR(opts.clusterName, csrPem, lifetimeSeconds));
  const csrName = csr.metadata!.name!;
  log.info({ csr: csrName }, 'waiting for the client certificate to be issued');
  const newCert = await waitForCertificate(opts.client, csrName, opts);
  const next = withClientCertificate(yaml, opts.context, newCert, keyPem);
  let kc: KubeConfig;
  try {
    await writeKubeconfig(opts.kubeconfigPath, next);
    // read back from the file: relative paths in it (e.g. certificate-authority) resolve against its folder
    kc = RestClient.loadKubeConfig(opts.kubeconfigPath, opts.context);
  } catch (err) {
    // e.g. a read-only Secret mount: the Secret update below refreshes it
    log.warn({ file: opts.kubeconfigPath, err: errText(err) }, 'cannot write the new karmada kubeconfig file; using the new certificate in memory');
    kc = new KubeConfig();
    kc.loadFromString(next);
    if (opts.context) kc.setCurrentContext(opts.context);
  }
  if (opts.memberClient) await updateKubeconfigSecret(opts.memberClient, next, log);
  const notAfter = certificateInfo(newCert).notAfter;
  log.info({ csr: csrName, notAfter: notAfter.toISOString() }, 'the agent certificate has been rotated');
  return { rotated: true, kubeConfig: kc, notAfter };
}
