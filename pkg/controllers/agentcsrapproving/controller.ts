// The agentcsrapproving controller (Karmada's AgentCSRApprovingController): approves the
// CertificateSigningRequests of karmada-agents (recognizer.ts) when a SubjectAccessReview says the
// requester may create certificatesigningrequests/clusteragent (a new agent, e.g. a bootstrap token of
// `karmadactl register`) or certificatesigningrequests/selfclusteragent (an agent renewing its own
// certificate). It writes only the Approved condition through the approval subresource; the CSR signer
// issues the certificate. Requests it does not recognise, or whose requester lacks the permission, are
// left for someone else to decide.

import { pino, type Logger } from 'pino';
import { parseCSR } from '../../pki/index.js';
import type { ObjectClient } from '../../runtime/client.js';
import { Controller, type Runnable } from '../../runtime/controller.js';
import type { SharedInformerFactory } from '../../runtime/factory.js';
import { gvr, resourcePath } from '../../runtime/gvr.js';
import type { Informer } from '../../runtime/informer.js';
import { isNotFound } from '../../runtime/rest.js';
import type { KubeObject } from '../../runtime/types.js';
import { awaitsApproval, KUBE_APISERVER_CLIENT_SIGNER, recognize, withApproval, type CSRSpec, type CSRStatus, type ResourceAttributes } from './recognizer.js';

export const AGENT_CSR_APPROVING_CONTROLLER_NAME = 'agentcsrapproving';
export const CERTIFICATESIGNINGREQUESTS = gvr('certificates.k8s.io', 'v1', 'certificatesigningrequests', false);

export interface AgentCSRApprovingControllerOptions {
  client: ObjectClient;
  informers: SharedInformerFactory;
  logger?: Logger;
  workers?: number;
}

const isClientSignerCSR = (csr: KubeObject) => (csr.spec as CSRSpec | undefined)?.signerName === KUBE_APISERVER_CLIENT_SIGNER;

export class AgentCSRApprovingController implements Runnable {
  readonly name = AGENT_CSR_APPROVING_CONTROLLER_NAME;
  readonly controller: Controller;
  private readonly csrs: Informer<KubeObject>;
  private readonly log: Logger;

  constructor(private readonly opts: AgentCSRApprovingControllerOptions) {
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ controller: this.name });
    this.csrs = opts.informers.informerFor(CERTIFICATESIGNINGREQUESTS);
    this.controller = new Controller({ name: this.name, workers: opts.workers ?? 1, logger: opts.logger, reconcile: (key) => this.reconcile(key) }).watch(this.csrs, {
      // agent certificates come from the kube-apiserver-client signer
      add: isClientSignerCSR,
      update: (_a, b) => isClientSignerCSR(b),
      delete: () => false,
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.controller.run(signal);
  }

  private async reconcile(name: string): Promise<void> {
    const csr = this.csrs.indexer.get(name);
    if (!csr || csr.metadata?.deletionTimestamp) return;
    const spec = (csr.spec ?? {}) as CSRSpec;
    const status = csr.status as CSRStatus | undefined;
    if (!awaitsApproval(status)) return;
    let parsed;
    try {
      parsed = parseCSR(spec.request ?? '');
    } catch (err) {
      // a request that cannot be parsed never becomes one: do not retry
      this.log.warn({ csr: name, err: (err as Error).message }, 'unable to parse csr');
      return;
    }
    const tried: string[] = [];
    for (const r of recognize(spec, parsed)) {
      tried.push(r.permission.subresource);
      if (!(await this.authorize(spec, r.permission))) continue;
      await this.approve(csr, withApproval(status, r.successMessage));
      this.log.info({ csr: name, user: spec.username, commonName: parsed.commonName, as: r.permission.subresource }, 'approved karmada agent certificate signing request');
      return;
    }
    if (tried.length) this.log.warn({ csr: name, user: spec.username, tried }, 'recognized csr but subject access review was not approved');
  }

  /** SubjectAccessReview for the requester of the CSR (its username, uid, groups and extra). */
  private async authorize(spec: CSRSpec, attrs: ResourceAttributes): Promise<boolean> {
    const review = await this.opts.client.rest.request<{ status?: { allowed?: boolean } }>({
      method: 'POST',
      path: '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: { user: spec.username, uid: spec.uid, groups: spec.groups, extra: spec.extra, resourceAttributes: attrs },
      },
    });
    return review?.status?.allowed === true;
  }

  /** PUT .../approval with the read resourceVersion: a conflict is retried from a fresh cache. */
  private async approve(csr: KubeObject, status: CSRStatus): Promise<void> {
    try {
      await this.opts.client.rest.request({
        method: 'PUT',
        path: resourcePath(CERTIFICATESIGNINGREQUESTS, { name: csr.metadata!.name!, subresource: 'approval' }),
        body: { ...csr, status },
      });
    } catch (err) {
      if (isNotFound(err)) return;
      throw new Error(`error updating approval for csr ${csr.metadata?.name}: ${(err as Error).message}`);
    }
  }
}
