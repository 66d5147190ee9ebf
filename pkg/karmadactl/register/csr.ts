// One client certificate through the certificates API, as register's constructKubeConfig does it: a fresh
// key, a CertificateSigningRequest for kubernetes.io/kube-apiserver-client, and a wait until it is
// approved (by the agentcsrapproving controller or an admin) and signed.

import { randomInt } from 'node:crypto';
import { createCSR } from '../../pki/index.js';
import type { ObjectClient } from '../../runtime/client.js';
import { isForbidden, isUnauthorized } from '../../runtime/rest.js';
import type { KubeObject } from '../../runtime/types.js';
import { CommandError } from '../util/factory.js';
import { CERTIFICATESIGNINGREQUESTS, KARMADA_SYSTEM_LABEL, KARMADA_SYSTEM_LABEL_VALUE } from './rbac.js';

export const KUBE_APISERVER_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';
export const AGENT_CSR_USAGES = ['digital signature', 'key encipherment', 'client auth'];

export interface CertificateRequest {
  name: string;
  commonName: string;
  organizations: string[];
  expirationSeconds: number;
  timeoutMs: number;
  progress: (line: string) => void;
  pollIntervalMs?: number;
  /** How the requesting credentials are named in errors (e.g. "the bootstrap token abcdef"). */
  who: string;
}

export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
}

const RAND_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** k8s.io/apimachinery/pkg/util/rand.String: n characters without vowels or confusable digits. */
export function randSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += RAND_ALPHABET[randomInt(RAND_ALPHABET.length)];
  return s;
}

interface CSRStatus {
  certificate?: string;
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
}

/** The CertificateSigningRequest object for a PEM request. */
export function certificateSigningRequest(name: string, csrPem: string, expirationSeconds: number): KubeObject {
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name, labels: { [KARMADA_SYSTEM_LABEL]: KARMADA_SYSTEM_LABEL_VALUE } },
    spec: {
      request: Buffer.from(csrPem, 'utf8').toString('base64'),
      signerName: KUBE_APISERVER_CLIENT_SIGNER,
      expirationSeconds,
      usages: AGENT_CSR_USAGES,
    },
  };
}

/** Creates the CSR with `client` and resolves with the issued certificate and its key. */
export async function requestCertificate(client: ObjectClient, req: CertificateRequest): Promise<IssuedCertificate> {
  const { csrPem, keyPem } = await createCSR({ commonName: req.commonName, organizations: req.organizations });
  const csrs = client.resource(CERTIFICATESIGNINGREQUESTS);
  try {
    await csrs.create(certificateSigningRequest(req.name, csrPem, req.expirationSeconds));
  } catch (err) {
    if (isUnauthorized(err)) {
      throw new CommandError(
        `the control plane rejected ${req.who} (401 Unauthorized): the token is unknown or expired, or the server does not enable --enable-bootstrap-token-auth; create one with karmadactl token create`,
      );
    }
    if (isForbidden(err)) {
      throw new CommandError(`${req.who} may not create CertificateSigningRequests (403): ${(err as Error).message}; tokens from karmadactl token create carry the group that may`);
    }
    throw err;
  }
  req.progress(
    `[karmada-agent-start] Waiting for the client certificate of CSR ${req.name} (CN=${req.commonName}) to be issued; approve it with "kubectl certificate approve ${req.name}" on the control plane, or enable the agentcsrapproving controller of karmada-controller-manager`,
  );
  const started = Date.now();
  const deadline = started + req.timeoutMs;
  let nextNote = started + 15_000;
  for (;;) {
    const csr = await csrs.get(req.name);
    const status = (csr.status ?? {}) as CSRStatus;
    if (status.certificate) return { certPem: Buffer.from(status.certificate, 'base64').toString('utf8'), keyPem };
    const bad = status.conditions?.find((c) => (c.type === 'Denied' || c.type === 'Failed') && c.status === 'True');
    if (bad) throw new CommandError(`CSR ${req.name} was ${bad.type === 'Denied' ? 'denied' : 'not signed'}: ${bad.reason ?? ''}${bad.message ? ` ${bad.message}` : ''}`.trim());
    const now = Date.now();
    if (now >= deadline) {
      const approved = status.conditions?.some((c) => c.type === 'Approved' && c.status === 'True');
      throw new CommandError(
        approved
          ? `CSR ${req.name} was approved but no certificate was issued within ${Math.round(req.timeoutMs / 1000)}s: the control plane's CSR signer is not running`
          : `CSR ${req.name} was not approved within ${Math.round(req.timeoutMs / 1000)}s: approve it with "kubectl certificate approve ${req.name}", or enable the agentcsrapproving controller of karmada-controller-manager`,
      );
    }
    if (now >= nextNote) {
      req.progress(`[karmada-agent-start] still waiting for CSR ${req.name} (${Math.round((now - started) / 1000)}s)`);
      nextNote = now + 15_000;
    }
    await new Promise((r) => setTimeout(r, Math.min(req.pollIntervalMs ?? 500, Math.max(0, deadline - now))));
  }
}
