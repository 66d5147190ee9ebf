// RBAC rule matching (rbac.RuleAllows) and the Forbidden message, without a server.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { attributesFor, forbidden, type AuthzAttributes } from './authz.js';
import { parseRequestInfo } from '../handlers/requestinfo.js';
import { ruleAllows } from './rbac.js';
import { parseTokenAuthFile } from './authn.js';

const alice = { name: 'alice', groups: ['dev', 'system:authenticated'] };
const attrs = (method: string, url: string): AuthzAttributes => attributesFor(alice, method, url, parseRequestInfo(method, url));

describe('rule matching', () => {
  test('verbs, groups, resources, subresources and names', () => {
    const get = attrs('GET', '/api/v1/namespaces/default/configmaps/a');
    assert.ok(ruleAllows(get, { verbs: ['get'], apiGroups: [''], resources: ['configmaps'] }));
    assert.ok(ruleAllows(get, { verbs: ['*'], apiGroups: ['*'], resources: ['*'] }));
    assert.ok(!ruleAllows(get, { verbs: ['list'], apiGroups: [''], resources: ['configmaps'] }));
    assert.ok(!ruleAllows(get, { verbs: ['get'], apiGroups: ['apps'], resources: ['configmaps'] }));
    assert.ok(ruleAllows(get, { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] }));
    assert.ok(!ruleAllows(get, { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['b'] }));
    const status = attrs('PUT', '/apis/apps/v1/namespaces/default/deployments/web/status');
    assert.equal(status.verb, 'update');
    assert.ok(!ruleAllows(status, { verbs: ['update'], apiGroups: ['apps'], resources: ['deployments'] }));
    assert.ok(ruleAllows(status, { verbs: ['update'], apiGroups: ['apps'], resources: ['deployments/status'] }));
    assert.ok(ruleAllows(status, { verbs: ['update'], apiGroups: ['apps'], resources: ['*/status'] }));
    assert.ok(!ruleAllows(status, { verbs: ['update'], apiGroups: ['apps'], resources: ['*/scale'] }));
    // a create has no name: a rule limited to names does not allow it
    const create = attrs('POST', '/api/v1/namespaces/default/configmaps');
    assert.ok(!ruleAllows(create, { verbs: ['create'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] }));
  });

  test('a list or watch selecting one name is authorized for that name', () => {
    const w = attrs('GET', '/api/v1/namespaces/default/configmaps?watch=true&fieldSelector=metadata.name%3Da');
    assert.equal(w.verb, 'watch');
    assert.equal(w.name, 'a');
    assert.ok(ruleAllows(w, { verbs: ['watch'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] }));
    assert.equal(attrs('GET', '/api/v1/namespaces/default/configmaps').name, '');
  });

  test('non-resource URLs: exact and trailing-star prefixes', () => {
    const api = attrs('GET', '/apis/apps');
    assert.equal(api.isResourceRequest, false);
    assert.ok(ruleAllows(api, { verbs: ['get'], nonResourceURLs: ['/apis', '/apis/*'] }));
    assert.ok(!ruleAllows(api, { verbs: ['get'], nonResourceURLs: ['/api', '/api/*'] }));
    assert.ok(!ruleAllows(api, { verbs: ['post'], nonResourceURLs: ['*'] }));
    assert.ok(ruleAllows(attrs('GET', '/healthz'), { verbs: ['get'], nonResourceURLs: ['/healthz'] }));
  });
});

describe('Forbidden status', () => {
  test('is worded like kube-apiserver', () => {
    const e = forbidden(attrs('GET', '/api/v1/namespaces/default/configmaps')).toStatus();
    assert.equal(e.message, 'configmaps is forbidden: User "alice" cannot list resource "configmaps" in API group "" in the namespace "default"');
    assert.deepEqual(e.details, { group: '', kind: 'configmaps' });
    const named = forbidden(attrs('GET', '/apis/apps/v1/namespaces/x/deployments/web/scale')).toStatus();
    assert.equal(named.message, 'deployments.apps "web" is forbidden: User "alice" cannot get resource "deployments/scale" in API group "apps" in the namespace "x"');
    assert.deepEqual(named.details, { group: 'apps', kind: 'deployments', name: 'web' });
    assert.equal(
      forbidden(attrs('GET', '/apis/rbac.authorization.k8s.io/v1/clusterroles')).message,
      'clusterroles.rbac.authorization.k8s.io is forbidden: User "alice" cannot list resource "clusterroles" in API group "rbac.authorization.k8s.io" at the cluster scope',
    );
    assert.equal(forbidden(attrs('GET', '/openapi/v2')).message, 'forbidden: User "alice" cannot get path "/openapi/v2"');
  });
});

describe('token auth file', () => {
  test('parses kube-apiserver CSV lines', () => {
    const m = parseTokenAuthFile('# comment\n\ntok1,alice,1001,"dev,ops"\ntok2, bob ,1002\n');
    assert.deepEqual(m.get('tok1'), { name: 'alice', uid: '1001', groups: ['dev', 'ops'] });
    assert.deepEqual(m.get('tok2'), { name: 'bob', uid: '1002', groups: [] });
    assert.throws(() => parseTokenAuthFile('tok,alice\n', 'tokens.csv'), /tokens.csv, line 1: needs at least 3 columns/);
  });
});
