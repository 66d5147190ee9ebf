import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterPropagationPolicy, PropagationPolicy, ResourceSelector } from '../../apis/policy/v1alpha1/index.js';
import type { KubeObject } from '../../runtime/types.js';
import { decidePolicy, findPreemptor, highestPriorityPolicy } from './match.js';

const deploy = (name: string, labels: Record<string, string> = {}, extra: KubeObject['metadata'] = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default', labels, ...extra },
});

const byKind: ResourceSelector = { apiVersion: 'apps/v1', kind: 'Deployment' };
const byName = (name: string): ResourceSelector => ({ apiVersion: 'apps/v1', kind: 'Deployment', name });
const byLabel = (app: string): ResourceSelector => ({ apiVersion: 'apps/v1', kind: 'Deployment', labelSelector: { matchLabels: { app } } });

function pp(name: string, selectors: ResourceSelector[], spec: Partial<PropagationPolicy['spec']> = {}, meta: KubeObject['metadata'] = {}): PropagationPolicy {
  return {
    metadata: { name, namespace: 'default', labels: { 'propagationpolicy.karmada.io/permanent-id': `id-${name}` }, ...meta },
    spec: { resourceSelectors: selectors.map((s) => ({ namespace: 'default', ...s })), ...spec },
  };
}

function cpp(name: string, selectors: ResourceSelector[], spec: Partial<ClusterPropagationPolicy['spec']> = {}): ClusterPropagationPolicy {
  return { metadata: { name, labels: { 'clusterpropagationpolicy.karmada.io/permanent-id': `cid-${name}` } }, spec: { resourceSelectors: selectors, ...spec } };
}

const ppClaim = (name: string) => ({
  labels: { app: 'web', 'propagationpolicy.karmada.io/permanent-id': `id-${name}` },
  annotations: { 'propagationpolicy.karmada.io/namespace': 'default', 'propagationpolicy.karmada.io/name': name },
});
const cppClaim = (name: string) => ({
  labels: { app: 'web', 'clusterpropagationpolicy.karmada.io/permanent-id': `cid-${name}` },
  annotations: { 'clusterpropagationpolicy.karmada.io/name': name },
});

describe('highestPriorityPolicy', () => {
  const obj = deploy('nginx', { app: 'web' });
  const cases: { name: string; policies: PropagationPolicy[]; want: string | undefined }[] = [
    { name: 'no policy', policies: [], want: undefined },
    { name: 'non-matching selectors only', policies: [pp('a', [byName('other')]), pp('b', [byLabel('db')])], want: undefined },
    { name: 'explicit priority wins over a more precise selector', policies: [pp('by-name', [byName('nginx')]), pp('by-kind', [byKind], { priority: 1 })], want: 'by-kind' },
    { name: 'implicit priority: name beats labelSelector', policies: [pp('a-label', [byLabel('web')]), pp('z-name', [byName('nginx')])], want: 'z-name' },
    { name: 'implicit priority: labelSelector beats kind', policies: [pp('a-kind', [byKind]), pp('b-label', [byLabel('web')])], want: 'b-label' },
    { name: 'the best selector of a policy counts', policies: [pp('a-label', [byLabel('web')]), pp('b-mixed', [byKind, byName('nginx')])], want: 'b-mixed' },
    { name: 'equal priorities: lowest name', policies: [pp('zeta', [byKind]), pp('alpha', [byKind]), pp('mid', [byKind])], want: 'alpha' },
    { name: 'negative priority still matches', policies: [pp('neg', [byKind], { priority: -5 })], want: 'neg' },
    { name: 'higher of two negatives', policies: [pp('neg5', [byKind], { priority: -5 }), pp('neg1', [byKind], { priority: -1 })], want: 'neg1' },
    {
      name: 'a policy being deleted never matches',
      policies: [pp('a', [byKind], { priority: 9 }, { deletionTimestamp: '2026-01-01T00:00:00Z' }), pp('b', [byKind])],
      want: 'b',
    },
    { name: 'labelSelector is ignored when name is set', policies: [pp('n', [{ ...byName('nginx'), labelSelector: { matchLabels: { app: 'db' } } }])], want: 'n' },
    { name: 'selector of another namespace does not match', policies: [pp('other-ns', [{ ...byKind, namespace: 'prod' }])], want: undefined },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.equal(highestPriorityPolicy(c.policies, obj)?.metadata?.name, c.want);
    });
  }
});

describe('findPreemptor', () => {
  const cases: {
    name: string;
    current: { kind: 'PropagationPolicy' | 'ClusterPropagationPolicy'; policy: PropagationPolicy | ClusterPropagationPolicy };
    pps?: PropagationPolicy[];
    cpps?: ClusterPropagationPolicy[];
    want: string | undefined;
  }[] = [
    {
      name: 'higher-priority PP with preemption Always takes over a PP',
      current: { kind: 'PropagationPolicy', policy: pp('low', [byKind], { priority: 1 }) },
      pps: [pp('high', [byName('nginx')], { priority: 5, preemption: 'Always' })],
      want: 'PropagationPolicy/high',
    },
    {
      name: 'preemption Never does not take over',
      current: { kind: 'PropagationPolicy', policy: pp('low', [byKind], { priority: 1 }) },
      pps: [pp('high', [byName('nginx')], { priority: 5, preemption: 'Never' })],
      want: undefined,
    },
    {
      name: 'equal priority does not take over',
      current: { kind: 'PropagationPolicy', policy: pp('low', [byKind], { priority: 5 }) },
      pps: [pp('high', [byName('nginx')], { priority: 5, preemption: 'Always' })],
      want: undefined,
    },
    {
      name: 'only selectors naming the template preempt',
      current: { kind: 'PropagationPolicy', policy: pp('low', [byKind], { priority: 1 }) },
      pps: [pp('high', [byLabel('web')], { priority: 5, preemption: 'Always' })],
      want: undefined,
    },
    {
      name: 'the highest of several preemptors wins',
      current: { kind: 'PropagationPolicy', policy: pp('low', [byKind], { priority: 1 }) },
      pps: [pp('p3', [byName('nginx')], { priority: 3, preemption: 'Always' }), pp('p7', [byName('nginx')], { priority: 7, preemption: 'Always' })],
      want: 'PropagationPolicy/p7',
    },
    {
      name: 'a CPP never preempts a PP',
      current: { kind: 'PropagationPolicy', policy: pp('low', [byKind], { priority: 1 }) },
      cpps: [cpp('c', [{ ...byName('nginx'), namespace: 'default' }], { priority: 100, preemption: 'Always' })],
      want: undefined,
    },
    {
      name: 'a PP preempts a CPP whatever the priorities',
      current: { kind: 'ClusterPropagationPolicy', policy: cpp('c', [byKind], { priority: 100 }) },
      pps: [pp('p', [byName('nginx')], { priority: 0, preemption: 'Always' })],
      want: 'PropagationPolicy/p',
    },
    {
      name: 'a higher-priority CPP preempts a CPP',
      current: { kind: 'ClusterPropagationPolicy', policy: cpp('c-low', [byKind], { priority: 1 }) },
      cpps: [cpp('c-high', [byName('nginx')], { priority: 2, preemption: 'Always' })],
      want: 'ClusterPropagationPolicy/c-high',
    },
    {
      name: 'a lower-priority CPP does not',
      current: { kind: 'ClusterPropagationPolicy', policy: cpp('c-high', [byKind], { priority: 5 }) },
      cpps: [cpp('c-low', [byName('nginx')], { priority: 2, preemption: 'Always' })],
      want: undefined,
    },
    {
      name: 'the claimant does not preempt itself',
      current: { kind: 'PropagationPolicy', policy: pp('self', [byName('nginx')], { priority: 1, preemption: 'Always' }) },
      pps: [pp('self', [byName('nginx')], { priority: 1, preemption: 'Always' })],
      want: undefined,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = findPreemptor(deploy('nginx', { app: 'web' }), c.current, c.pps ?? [], c.cpps ?? []);
      assert.equal(r ? `${r.kind}/${r.policy.metadata?.name}` : undefined, c.want);
    });
  }
});

describe('decidePolicy', () => {
  const target = (d: ReturnType<typeof decidePolicy>) => (d.action === 'apply' ? `${d.target.kind}/${d.target.policy.metadata?.name}` : d.action);

  test('unclaimed: the best PP of the namespace', () => {
    const d = decidePolicy(deploy('nginx', { app: 'web' }), { propagationPolicies: [pp('b', [byKind]), pp('a', [byLabel('web')])], clusterPropagationPolicies: [cpp('c', [byKind], { priority: 9 })] });
    assert.equal(target(d), 'PropagationPolicy/a');
  });

  test('unclaimed: a CPP only when no PP selects the template', () => {
    const d = decidePolicy(deploy('nginx'), { propagationPolicies: [pp('x', [byName('other')])], clusterPropagationPolicies: [cpp('c2', [byKind]), cpp('c1', [byKind])] });
    assert.equal(target(d), 'ClusterPropagationPolicy/c1');
  });

  test('cluster-scoped templates never get a PP', () => {
    const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } };
    const sel = { apiVersion: 'v1', kind: 'Namespace' };
    const d = decidePolicy(ns, { propagationPolicies: [pp('p', [sel])], clusterPropagationPolicies: [cpp('c', [sel])] });
    assert.equal(target(d), 'ClusterPropagationPolicy/c');
  });

  test('claimed: keeps its policy even when a better one appears', () => {
    const claimedBy = pp('mine', [byKind]);
    const d = decidePolicy(deploy('nginx', {}, ppClaim('mine')), {
      propagationPolicies: [claimedBy, pp('better', [byName('nginx')], { priority: 10 })],
      clusterPropagationPolicies: [],
      claimedPolicy: claimedBy,
    });
    assert.equal(target(d), 'PropagationPolicy/mine');
  });

  test('claimed: preemption moves it to a higher-priority policy when enabled', () => {
    const claimedBy = pp('mine', [byKind]);
    const c = { propagationPolicies: [claimedBy, pp('better', [byName('nginx')], { priority: 10, preemption: 'Always' as const })], clusterPropagationPolicies: [], claimedPolicy: claimedBy };
    assert.equal(target(decidePolicy(deploy('nginx', {}, ppClaim('mine')), { ...c, preemption: true })), 'PropagationPolicy/better');
    assert.equal(target(decidePolicy(deploy('nginx', {}, ppClaim('mine')), { ...c, preemption: false })), 'PropagationPolicy/mine');
  });

  test('claimed by a CPP: keeps it; a PP with preemption takes it', () => {
    const claimedBy = cpp('c', [byKind], { priority: 3 });
    const base = { clusterPropagationPolicies: [claimedBy], claimedPolicy: claimedBy, preemption: true };
    assert.equal(target(decidePolicy(deploy('nginx', {}, cppClaim('c')), { ...base, propagationPolicies: [pp('p', [byKind])] })), 'ClusterPropagationPolicy/c');
    const d = decidePolicy(deploy('nginx', {}, cppClaim('c')), { ...base, propagationPolicies: [pp('p', [byName('nginx')], { preemption: 'Always' })] });
    assert.equal(target(d), 'PropagationPolicy/p');
    assert.equal(d.action === 'apply' && d.preempted?.policy.metadata?.name, 'c');
  });

  test('claimed policy gone: the next best policy, or unclaim when none', () => {
    const claimed = deploy('nginx', {}, ppClaim('gone'));
    assert.equal(target(decidePolicy(claimed, { propagationPolicies: [pp('other', [byKind])], clusterPropagationPolicies: [] })), 'PropagationPolicy/other');
    const d = decidePolicy(claimed, { propagationPolicies: [], clusterPropagationPolicies: [] });
    assert.equal(d.action, 'unclaim');
    assert.deepEqual(d.action === 'unclaim' && d.claim, { kind: 'PropagationPolicy', namespace: 'default', name: 'gone', id: 'id-gone' });
  });

  test('claimed policy no longer selects the template: unclaim', () => {
    const changed = pp('mine', [byLabel('db')]);
    const d = decidePolicy(deploy('nginx', {}, ppClaim('mine')), { propagationPolicies: [changed], clusterPropagationPolicies: [], claimedPolicy: changed });
    assert.equal(d.action, 'unclaim');
  });

  test('claimed policy being deleted: leave it to the deletion handling', () => {
    const deleting = pp('mine', [byKind], {}, { deletionTimestamp: '2026-01-01T00:00:00Z' });
    const d = decidePolicy(deploy('nginx', {}, ppClaim('mine')), { propagationPolicies: [deleting, pp('other', [byKind])], clusterPropagationPolicies: [], claimedPolicy: deleting });
    assert.equal(d.action, 'none');
  });

  test('half a claim (annotations without the permanent-id label) is no claim', () => {
    const obj = deploy('nginx', { app: 'web' }, { annotations: ppClaim('x').annotations });
    assert.equal(target(decidePolicy(obj, { propagationPolicies: [], clusterPropagationPolicies: [] })), 'none');
  });
});

describe('policy index', () => {
  test('a template finds every policy that may select it, by name, by one of its labels or by kind', async () => {
    const { candidateIndexValues, selectsIndex } = await import('./policyindex.js');
    const idx = selectsIndex('PropagationPolicy');
    const wanted = new Set(candidateIndexValues('PropagationPolicy', deploy('nginx', { app: 'web', tier: 'front' })));
    const hit = (p: PropagationPolicy) => idx(p).some((v) => wanted.has(v));
    assert.equal(hit(pp('n', [byName('nginx')])), true);
    assert.equal(hit(pp('l', [byLabel('web')])), true);
    assert.equal(hit(pp('k', [byKind])), true);
    assert.equal(hit(pp('e', [{ ...byKind, labelSelector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] } }])), true);
    assert.equal(hit(pp('two', [{ ...byKind, labelSelector: { matchLabels: { tier: 'front', app: 'web' } } }])), true);
    assert.equal(hit(pp('other-name', [byName('other')])), false);
    assert.equal(hit(pp('other-label', [byLabel('db')])), false);
    assert.equal(hit(pp('other-kind', [{ apiVersion: 'apps/v1', kind: 'StatefulSet' }])), false);
    assert.equal(hit({ ...pp('other-ns', [byKind]), metadata: { name: 'x', namespace: 'prod' } }), false);
  });
});
