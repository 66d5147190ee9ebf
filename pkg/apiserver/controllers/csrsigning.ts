// CSR signing (kube-controller-manager's csrsigning controller): once a CertificateSigningRequest for a
// signer this server implements is Approved, issue the certificate from the cluster CA and write it to
// status.certificate. Requests the signer cannot honour get a Failed condition instead.

import type { Logger } from 'pino';
import type { StorageWatcher } from '../../storage/interface.js';
import { signCSR, type CertificateAuthority } from '../../pki/index.js';
import { WorkQueue } from '../../runtime/workqueue.js';
import { csrConditions, hasCondition } from '../admission/certificates.js';
import { ApiError } from '../errors.js';
import type { Registry } from '../registry/registry.js';
import type { KubeObject } from '../registry/types.js';
import { nowTimestamp, type Store } from '../store/store.js';
import { SYSTEM_USER, watchResource } from './common.js';

export const KUBE_APISERVER_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';
export const KUBE_APISERVER_CLIENT_KUBELET_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
const MIN_EXPIRATION_SECONDS = 600;

interface Spec {
  request?: string;
  signerName?: string;
  usages?: string[];
  expirationSeconds?: number;
}

/** Usages a client-certificate signer accepts ("client auth" required). */
const CLIENT_USAGES = new Set(['client auth', 'digital signature', 'key encipherment']);

/** Why the signer refuses a request, or undefined when it can sign it. */
export function signerRefusal(spec: Spec): string | undefined {
  const usages = spec.usages ?? [];
  const bad = usages.filter((u) => !CLIENT_USAGES.has(u));
  if (bad.length || !usages.includes('client auth')) {
    return `invalid usage for client certificate: ${bad.length ? bad.join(', ') : 'missing "client auth"'}`;
  }
  return undefined;
}

export class CSRSigningController {
  private readonly queue = new WorkQueue({ baseDelayMs: 200, maxDelayMs: 30_000 });
  private watcher?: StorageWatcher;

  constructor(
    private readonly registry: Registry,
    private readonly store: Store,
    private readonly ca: CertificateAuthority,
    private readonly logger: Logger,
    /** Longest validity handed out (kube-controller-manager's --cluster-signing-duration, default 1 year). */
    private readonly maxDurationSeconds = 365 * 24 * 3600,
  ) {}

  private get csrs() {
    return this.registry.get('certificates.k8s.io', 'v1', 'certificatesigningrequests')!;
  }

  async start(): Promise<void> {
    this.watcher = await watchResource(this.store, this.csrs, (type, obj) => {
      if (type === 'put' && needsSigning(obj)) this.queue.add(obj.metadata!.name!);
    });
    void this.queue.run(2, (name) => this.sync(name), (name, err) =>
      this.logger.warn({ csr: name, err: String(err) }, 'signing a certificate signing request failed; retrying'),
    );
  }

  stop(): void {
    this.watcher?.close();
    this.queue.shutDown();
  }

  private async sync(name: string): Promise<void> {
    const csr = await this.store.tryGet(this.csrs, undefined, name);
    if (!csr || !needsSigning(csr)) return;
    const spec = csr.spec as Spec;
    const refusal = signerRefusal(spec);
    let certificate: string | undefined;
    let failure = refusal;
    if (!failure) {
      try {
        const pem = Buffer.from(spec.request ?? '', 'base64').toString('utf8');
        const expirationSeconds = Math.min(
          this.maxDurationSeconds,
          typeof spec.expirationSeconds === 'number' ? Math.max(MIN_EXPIRATION_SECONDS, spec.expirationSeconds) : this.maxDurationSeconds,
        );
        certificate = await signCSR(this.ca, pem, { usages: spec.usages ?? [], expirationSeconds, days: Math.ceil(this.maxDurationSeconds / 86400) });
      } catch (err) {
        failure = `error signing the certificate: ${(err as Error).message}`;
      }
    }
    try {
      await this.store.guaranteedUpdate(this.csrs, undefined, name, { user: SYSTEM_USER, subresource: 'status' }, (cur: KubeObject) => {
        if (!needsSigning(cur)) return cur;
        const status = ((cur.status ??= {}) as { certificate?: string; conditions?: unknown[] });
        if (failure) {
          const now = nowTimestamp();
          status.conditions = [
            ...csrConditions(cur),
            { type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: failure, lastUpdateTime: now, lastTransitionTime: now },
          ];
        } else {
          status.certificate = Buffer.from(certificate!, 'utf8').toString('base64');
        }
        return cur;
      });
      this.logger.info({ csr: name, failure }, failure ? 'certificate signing request failed' : 'certificate issued');
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
    }
  }
}

/** Approved, not denied or failed, no certificate yet, and a signer this server implements. */
export function needsSigning(csr: KubeObject): boolean {
  const spec = csr.spec as Spec | undefined;
  if (spec?.signerName !== KUBE_APISERVER_CLIENT_SIGNER && spec?.signerName !== KUBE_APISERVER_CLIENT_KUBELET_SIGNER) return false;
  if ((csr.status as { certificate?: string } | undefined)?.certificate) return false;
  return hasCondition(csr, 'Approved') && !hasCondition(csr, 'Denied') && !hasCondition(csr, 'Failed');
}
