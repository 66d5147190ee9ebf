import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ParsedCSR } from '../../pki/index.js';
import { awaitsApproval, recognize, validateAgentCSR, withApproval, type CSRSpec } from './recognizer.js';

const req = (o: Partial<ParsedCSR> = {}): ParsedCSR => ({
  commonName: 'system:karmada:agent:member1',
  organizations: ['system:karmada:agents'],
  dnsNames: [],
  ipAddresses: [],
  emailAddresses: [],
  uris: [],
  ...o,
});
const USAGES = ['digital signature', 'key encipherment', 'client auth'];
const spec = (o: Partial<CSRSpec> = {}): CSRSpec => ({ signerName: 'kubernetes.io/kube-apiserver-client', usages: USAGES, username: 'system:bootstrap:abcdef', ...o });

describe('agent CSR recognizers', () => {
  it('validateAgentCSR says what is wrong, as upstream', () => {
    const cases: [string, ParsedCSR, string[], string | undefined][] = [
      ['valid', req(), USAGES, undefined],
      ['valid without key encipherment', req(), ['client auth', 'digital signature'], undefined],
      ['usages in any order', req(), ['client auth', 'key encipherment', 'digital signature'], undefined],
      ['wrong O', req({ organizations: ['system:nodes'] }), USAGES, 'subject organization is not system:karmada:agents'],
      ['extra O', req({ organizations: ['system:karmada:agents', 'system:masters'] }), USAGES, 'subject organization is not system:karmada:agents'],
      ['no O', req({ organizations: [] }), USAGES, 'subject organization is not system:karmada:agents'],
      ['DNS SAN', req({ dnsNames: ['x'] }), USAGES, 'DNS subjectAltNames are not allowed'],
      ['email SAN', req({ emailAddresses: ['a@b'] }), USAGES, 'email subjectAltNames are not allowed'],
      ['IP SAN', req({ ipAddresses: ['10.0.0.1'] }), USAGES, 'IP subjectAltNames are not allowed'],
      ['URI SAN', req({ uris: ['spiffe://x'] }), USAGES, 'URI subjectAltNames are not allowed'],
      ['wrong CN', req({ commonName: 'system:node:member1' }), USAGES, 'subject common name does not begin with system:karmada:agent: prefix'],
      ['server auth', req(), [...USAGES, 'server auth'], 'usages did not match [client auth digital signature key encipherment]'],
      ['no client auth', req(), ['digital signature', 'key encipherment'], 'usages did not match [client auth digital signature key encipherment]'],
    ];
    for (const [name, r, usages, want] of cases) assert.equal(validateAgentCSR(r, usages), want, name);
  });

  it('a bootstrap request is a new agent (clusteragent); the CN as requester is a renewal (selfclusteragent first)', () => {
    assert.deepEqual(recognize(spec(), req()).map((r) => r.permission.subresource), ['clusteragent']);
    assert.deepEqual(
      recognize(spec({ username: 'system:karmada:agent:member1' }), req()).map((r) => r.permission.subresource),
      ['selfclusteragent', 'clusteragent'],
    );
    const [self] = recognize(spec({ username: 'system:karmada:agent:member1' }), req());
    assert.deepEqual(self!.permission, { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', verb: 'create', subresource: 'selfclusteragent', version: '*' });
    assert.deepEqual(recognize(spec({ signerName: 'kubernetes.io/kube-apiserver-client-kubelet' }), req()), []);
    assert.deepEqual(recognize(spec(), req({ commonName: 'admin' })), []);
  });

  it('only undecided requests without a certificate await approval; approval appends the condition', () => {
    assert.equal(awaitsApproval(undefined), true);
    assert.equal(awaitsApproval({ conditions: [{ type: 'Failed', status: 'True' }] }), true);
    assert.equal(awaitsApproval({ conditions: [{ type: 'Approved', status: 'True' }] }), false);
    assert.equal(awaitsApproval({ conditions: [{ type: 'Denied', status: 'True' }] }), false);
    assert.equal(awaitsApproval({ certificate: 'x' }), false);
    assert.deepEqual(withApproval({ conditions: [{ type: 'X', status: 'True' }] }, 'ok').conditions, [
      { type: 'X', status: 'True' },
      { type: 'Approved', status: 'True', reason: 'AutoApproved', message: 'ok' },
    ]);
  });
});
