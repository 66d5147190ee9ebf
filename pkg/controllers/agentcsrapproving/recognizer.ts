// Which CertificateSigningRequests are karmada-agent requests (Karmada's
// pkg/controllers/certificate/approver): signer kubernetes.io/kube-apiserver-client, subject
// O=system:karmada:agents exactly, CN prefixed system:karmada:agent:, no SANs, and the agent usages.
// A request whose CN is the requesting user is a renewal ("selfclusteragent"); any other is a new agent
// ("clusteragent"). Each kind names the permission a SubjectAccessReview must grant the requester.

import type { ParsedCSR } from '../../pki/index.js';

export const AGENT_CSR_GROUP = 'system:karmada:agents';
export const AGENT_CSR_USER_PREFIX = 'system:karmada:agent:';
export const KUBE_APISERVER_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';

export interface CSRSpec {
  request?: string;
  signerName?: string;
  usages?: string[];
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface CSRCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface CSRStatus {
  certificate?: string;
  conditions?: CSRCondition[];
}

/** authorizationv1.ResourceAttributes the requester must be allowed. */
export interface ResourceAttributes {
  group: string;
  resource: string;
  verb: string;
  subresource: string;
  version: string;
}

export interface CSRRecognizer {
  recognize(spec: CSRSpec, req: ParsedCSR): boolean;
  permission: ResourceAttributes;
  successMessage: string;
}

const REQUIRED_USAGES = ['client auth', 'digital signature', 'key encipherment'];
const REQUIRED_USAGES_NO_KEY_ENCIPHERMENT = ['client auth', 'digital signature'];

function sameSet(a: string[], b: string[]): boolean {
  const s = new Set(a);
  return s.size === b.length && b.every((x) => s.has(x));
}

/** Why a request is not a valid agent request (ValidateAgentCSR), or undefined when it is. */
export function validateAgentCSR(req: ParsedCSR, usages: string[]): string | undefined {
  if (req.organizations.length !== 1 || req.organizations[0] !== AGENT_CSR_GROUP) return `subject organization is not ${AGENT_CSR_GROUP}`;
  if (req.dnsNames.length) return 'DNS subjectAltNames are not allowed';
  if (req.emailAddresses.length) return 'email subjectAltNames are not allowed';
  if (req.ipAddresses.length) return 'IP subjectAltNames are not allowed';
  if (req.uris.length) return 'URI subjectAltNames are not allowed';
  if (!req.commonName.startsWith(AGENT_CSR_USER_PREFIX)) return `subject common name does not begin with ${AGENT_CSR_USER_PREFIX} prefix`;
  if (!sameSet(usages, REQUIRED_USAGES) && !sameSet(usages, REQUIRED_USAGES_NO_KEY_ENCIPHERMENT)) return `usages did not match [${REQUIRED_USAGES.join(' ')}]`;
  return undefined;
}

/** isAgentCSR: an agent request for the kube-apiserver-client signer. */
export function isAgentCSR(spec: CSRSpec, req: ParsedCSR): boolean {
  return spec.signerName === KUBE_APISERVER_CLIENT_SIGNER && validateAgentCSR(req, spec.usages ?? []) === undefined;
}

/** isSelfAgentCSR: an agent request whose CN is the user who created it (certificate rotation). */
export function isSelfAgentCSR(spec: CSRSpec, req: ParsedCSR): boolean {
  return spec.username === req.commonName && isAgentCSR(spec, req);
}

const permission = (subresource: string): ResourceAttributes => ({ group: 'certificates.k8s.io', resource: 'certificatesigningrequests', verb: 'create', subresource, version: '*' });

/** agentCSRRecognizers, in the order upstream tries them. */
export const AGENT_CSR_RECOGNIZERS: readonly CSRRecognizer[] = [
  { recognize: isSelfAgentCSR, permission: permission('selfclusteragent'), successMessage: 'Auto approving self karmada agent certificate after SubjectAccessReview.' },
  { recognize: isAgentCSR, permission: permission('clusteragent'), successMessage: 'Auto approving karmada agent certificate after SubjectAccessReview.' },
];

/** Whether the request still waits for a decision: no certificate, neither Approved nor Denied. */
export function awaitsApproval(status: CSRStatus | undefined): boolean {
  if (status?.certificate) return false;
  // GetCertApprovalCondition looks at the condition types only
  return !(status?.conditions ?? []).some((c) => c.type === 'Approved' || c.type === 'Denied');
}

/** The recognizers that match (usually one: a renewal also matches as a new agent, which upstream tries second). */
export function recognize(spec: CSRSpec, req: ParsedCSR): CSRRecognizer[] {
  return AGENT_CSR_RECOGNIZERS.filter((r) => r.recognize(spec, req));
}

/** The status with the Approved condition appended (appendApprovalCondition). */
export function withApproval(status: CSRStatus | undefined, message: string): CSRStatus {
  return { ...(status ?? {}), conditions: [...(status?.conditions ?? []), { type: 'Approved', status: 'True', reason: 'AutoApproved', message }] };
}
