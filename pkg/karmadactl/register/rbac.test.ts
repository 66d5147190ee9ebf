import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { karmadaPolicy } from '../../apiserver/auth/bootstrappolicy.js';
import { ruleAllows, type PolicyRule } from '../../apiserver/auth/rbac.js';
import { agentClusterRoleName, generateRBACResources } from './rbac.js';

describe('agent RBAC', () => {
  it('names and binds the roles as upstream, for the agent user only', () => {
    const objs = generateRBACResources('member3');
    assert.deepEqual(
      objs.map((o) => `${o.object.kind}/${o.object.metadata?.namespace ?? ''}/${o.object.metadata?.name}`),
      [
        'ClusterRole//system:karmada:member3:agent',
        'ClusterRoleBinding//system:karmada:member3:agent',
        'Role/karmada-cluster/system:karmada:member3:agent-secret',
        'RoleBinding/karmada-cluster/system:karmada:member3:agent-secret',
        'Role/karmada-es-member3/system:karmada:member3:agent-work',
        'RoleBinding/karmada-es-member3/system:karmada:member3:agent-work',
      ],
    );
    for (const o of objs.filter((x) => x.object.kind?.endsWith('Binding'))) {
      assert.deepEqual(o.object.subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'system:karmada:agent:member3' }]);
    }
    const cr = objs[0]!.object.rules as PolicyRule[];
    const allows = (verb: string, resource: string, subresource: string, name: string) =>
      cr.some((r) => ruleAllows({ verb, isResourceRequest: true, apiGroup: 'cluster.karmada.io', resource, subresource, name, path: '' }, r));
    assert.equal(allows('update', 'clusters', 'status', 'member3'), true);
    assert.equal(allows('update', 'clusters', 'status', 'member1'), false);
    assert.equal(allows('delete', 'clusters', '', 'member1'), false);
    assert.equal(allows('list', 'clusters', '', 'member3'), true);
    assert.equal(allows('watch', 'clusters', '', ''), false);
    assert.equal(allows('create', 'clusters', '', ''), true);
    assert.equal(agentClusterRoleName('m'), 'system:karmada:m:agent');
  });

  it('the rbac-generator holds every permission it grants (kube-apiserver escalation check)', () => {
    const generator = karmadaPolicy().find((o) => o.kind === 'ClusterRole' && o.metadata?.name === 'system:karmada:agent-rbac-generator')!;
    const held = generator.rules as PolicyRule[];
    for (const o of generateRBACResources('member3')) {
      for (const rule of (o.object.rules as PolicyRule[] | undefined) ?? []) {
        for (const verb of rule.verbs ?? []) {
          for (const group of rule.apiGroups ?? []) {
            for (const res of rule.resources ?? []) {
              const [resource, subresource = ''] = res.split('/');
              for (const name of rule.resourceNames?.length ? rule.resourceNames : ['']) {
                const a = { verb, isResourceRequest: true, apiGroup: group, resource: resource!, subresource, name, path: '' };
                assert.ok(held.some((r) => ruleAllows(a, r)), `${o.object.metadata?.name}: ${verb} ${group}/${res} ${name}`);
              }
            }
          }
        }
      }
    }
  });
});
