// CertificateSigningRequest strategy (pkg/registry/certificates/certificates/strategy.go): on create the
// server records who asked (spec.username/uid/groups/extra) and clears status; spec never changes after;
// the approval subresource changes only status.conditions, the status subresource everything in status
// except the Approved/Denied conditions; an issued certificate is never replaced.

import * as x509 from '@peculiar/x509';
import { invalid as invalidError } from '../errors.js';
import type { FieldCause, KubeObject } from '../registry/types.js';
import { nowTimestamp } from '../store/store.js';
import { duplicate, forbidden, invalid, notSupported, required } from '../validation/field.js';
import { SUPPORTED_CSR_USAGES } from '../../pki/index.js';
import type { AdmissionAttributes, AdmissionPlugin } from './types.js';

export const CSR_GROUP = 'certificates.k8s.io';
const APPROVAL_TYPES = new Set(['Approved', 'Denied']);
const STICKY_TYPES = new Set(['Approved', 'Denied', 'Failed']);

export interface CSRCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

interface CSRSpec {
  request?: string;
  signerName?: string;
  expirationSeconds?: number;
  usages?: string[];
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

interface CSRStatus {
  conditions?: CSRCondition[];
  certificate?: string;
}

export function csrConditions(obj: KubeObject | undefined): CSRCondition[] {
  const c = (obj?.status as CSRStatus | undefined)?.conditions;
  return Array.isArray(c) ? c : [];
}

export function hasCondition(obj: KubeObject | undefined, type: string): boolean {
  return csrConditions(obj).some((c) => c.type === type && c.status === 'True');
}

function isCSR(a: AdmissionAttributes): boolean {
  return a.descriptor.group === CSR_GROUP && a.descriptor.resource === 'certificatesigningrequests' && !a.descriptor.crd;
}

export function certificateSigningRequests(): AdmissionPlugin {
  return {
    name: 'CertificateSigningRequest',
    admit(a) {
      if (!isCSR(a) || !a.object || a.operation === 'DELETE') return;
      const obj = a.object;
      if (a.operation === 'CREATE') {
        const spec = (obj.spec ??= {}) as CSRSpec;
        spec.username = a.user.name;
        if (a.user.uid) spec.uid = a.user.uid;
        else delete spec.uid;
        spec.groups = [...a.user.groups];
        if (a.user.extra && Object.keys(a.user.extra).length) spec.extra = structuredClone(a.user.extra);
        else delete spec.extra;
        obj.status = {};
        return;
      }
      const old = a.oldObject!;
      obj.spec = structuredClone(old.spec);
      if (a.subresource === 'approval') {
        const conditions = (obj.status as CSRStatus | undefined)?.conditions;
        obj.status = { ...(old.status as CSRStatus | undefined) };
        if (Array.isArray(conditions)) (obj.status as CSRStatus).conditions = conditions;
        else delete (obj.status as CSRStatus).conditions;
      } else if (a.subresource === 'status') {
        // Approval conditions only change through /approval.
        const status = ((obj.status ??= {}) as CSRStatus);
        const kept = csrConditions(obj).filter((c) => !APPROVAL_TYPES.has(c.type));
        const approval = csrConditions(old).filter((c) => APPROVAL_TYPES.has(c.type));
        status.conditions = [...approval, ...kept];
        if (!status.conditions.length) delete status.conditions;
      }
      populateConditionTimestamps(obj, old);
    },
    validate(a) {
      if (!isCSR(a) || !a.object || a.operation === 'DELETE') return;
      const obj = a.object;
      const causes: FieldCause[] = [];
      if (a.operation === 'CREATE') validateSpec(obj.spec as CSRSpec, causes);
      validateConditions(obj, a.operation === 'UPDATE' ? a.oldObject : undefined, causes);
      if (a.operation === 'UPDATE') validateCertificate(obj, a.oldObject!, causes);
      if (causes.length) throw invalidError(CSR_GROUP, 'CertificateSigningRequest', obj.metadata?.name ?? '', causes);
    },
  };
}

function validateSpec(spec: CSRSpec | undefined, causes: FieldCause[]): void {
  const s = spec ?? {};
  if (!s.request) {
    causes.push(required('spec.request'));
  } else {
    try {
      const pem = Buffer.from(s.request, 'base64').toString('utf8');
      if (!pem.includes('CERTIFICATE REQUEST')) throw new Error('no PEM block of type CERTIFICATE REQUEST');
      new x509.Pkcs10CertificateRequest(pem);
    } catch (err) {
      causes.push(invalid('spec.request', '<omitted>', `${(err as Error).message || 'invalid certificate request'}`));
    }
  }
  if (!s.signerName) causes.push(required('spec.signerName'));
  else if (!/^[a-z0-9.-]+\/[A-Za-z0-9._\-/]+$/.test(s.signerName)) {
    causes.push(invalid('spec.signerName', s.signerName, 'must be a fully qualified domain and path of the form \'example.com/signer-name\''));
  }
  if (!Array.isArray(s.usages) || s.usages.length === 0) causes.push(required('spec.usages'));
  else {
    s.usages.forEach((u, i) => {
      if (!SUPPORTED_CSR_USAGES.includes(u)) causes.push(notSupported(`spec.usages[${i}]`, u, SUPPORTED_CSR_USAGES));
    });
  }
  if (s.expirationSeconds !== undefined && s.expirationSeconds !== null) {
    if (typeof s.expirationSeconds !== 'number' || !Number.isInteger(s.expirationSeconds) || s.expirationSeconds < 600) {
      causes.push(invalid('spec.expirationSeconds', s.expirationSeconds, 'may not specify a duration less than 600 seconds (10 minutes)'));
    }
  }
}

function validateConditions(obj: KubeObject, old: KubeObject | undefined, causes: FieldCause[]): void {
  const conditions = csrConditions(obj);
  conditions.forEach((c, i) => {
    if (!c.type) causes.push(required(`status.conditions[${i}].type`));
    if (!['True', 'False', 'Unknown'].includes(c.status)) causes.push(notSupported(`status.conditions[${i}].status`, c.status, ['False', 'True', 'Unknown']));
  });
  for (const t of STICKY_TYPES) {
    if (conditions.filter((c) => c.type === t).length > 1) causes.push(duplicate('status.conditions', t));
  }
  if (hasCondition(obj, 'Approved') && hasCondition(obj, 'Denied')) {
    causes.push(invalid('status.conditions', 'Approved', 'Approved and Denied conditions are mutually exclusive'));
  }
  if (!old) return;
  for (const t of STICKY_TYPES) {
    const had = csrConditions(old).filter((c) => c.type === t).length;
    const has = conditions.filter((c) => c.type === t).length;
    if (has < had) causes.push(forbidden('status.conditions', `updates may not remove a condition of type "${t}"`));
  }
}

function validateCertificate(obj: KubeObject, old: KubeObject, causes: FieldCause[]): void {
  const cert = (obj.status as CSRStatus | undefined)?.certificate;
  const oldCert = (old.status as CSRStatus | undefined)?.certificate;
  if (oldCert && cert !== oldCert) {
    causes.push(forbidden('status.certificate', 'updates may not modify existing certificate content'));
    return;
  }
  if (!cert || cert === oldCert) return;
  if (!hasCondition(obj, 'Approved')) causes.push(forbidden('status.certificate', 'certificate may only be set if the Approved condition is true'));
  if (hasCondition(obj, 'Failed')) causes.push(forbidden('status.certificate', 'certificate may not be set if the Failed condition is true'));
  const pem = Buffer.from(cert, 'base64').toString('utf8');
  if (!/-----BEGIN CERTIFICATE-----/.test(pem)) causes.push(invalid('status.certificate', '<certificate data>', 'must contain at least one CERTIFICATE PEM block'));
}

/** lastUpdateTime defaults to now; lastTransitionTime to the old one when the status did not change. */
function populateConditionTimestamps(obj: KubeObject, old: KubeObject): void {
  const now = nowTimestamp();
  for (const c of csrConditions(obj)) {
    if (!c.lastUpdateTime) c.lastUpdateTime = now;
    if (!c.lastTransitionTime) {
      const prev = csrConditions(old).find((o) => o.type === c.type);
      c.lastTransitionTime = prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : now;
    }
  }
}
