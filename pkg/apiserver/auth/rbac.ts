// RBAC (plugin/pkg/auth/authorizer/rbac): Roles, ClusterRoles and their bindings, kept in memory from
// the watch cache and indexed by subject, so a decision is a few map lookups and rule matches.
// Aggregated ClusterRoles are not expanded (their stored rules count).

import type { Logger } from 'pino';
import type { StorageWatcher } from '../../storage/interface.js';
import { decode, listPrefix } from '../store/keys.js';
import type { Registry } from '../registry/registry.js';
import type { KubeObject, ResourceDescriptor } from '../registry/types.js';
import type { Store, UserInfo } from '../store/store.js';
import { isPrivileged, type Authorizer, type AuthzAttributes, type Decision } from './authz.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

export interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
}

export interface RoleRef {
  apiGroup?: string;
  kind: string;
  name: string;
}

interface BindingEntry {
  kind: 'ClusterRoleBinding' | 'RoleBinding';
  namespace?: string;
  name: string;
  roleRef: RoleRef;
  /** Subject key ('u:<user>' or 'g:<group>') -> how to describe it in a reason. */
  subjects: Map<string, string>;
}

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return (rule.verbs ?? []).some((v) => v === '*' || v === verb);
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return (rule.apiGroups ?? []).some((g) => g === '*' || g === group);
}

export function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  for (const r of rule.resources ?? []) {
    if (r === '*' || r === combined) return true;
    if (!subresource) continue;
    if (r.length === subresource.length + 2 && r.startsWith('*/') && r.endsWith(subresource)) return true;
  }
  return false;
}

export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(name);
}

export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) {
    if (u === '*' || u === path) return true;
    if (u.endsWith('*') && path.startsWith(u.replace(/\*+$/, ''))) return true;
  }
  return false;
}

/** rbac.RuleAllows. */
export function ruleAllows(a: Pick<AuthzAttributes, 'verb' | 'isResourceRequest' | 'apiGroup' | 'resource' | 'subresource' | 'name' | 'path'>, rule: PolicyRule): boolean {
  if (a.isResourceRequest) {
    const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    return verbMatches(rule, a.verb) && apiGroupMatches(rule, a.apiGroup) && resourceMatches(rule, combined, a.subresource) && resourceNameMatches(rule, a.name);
  }
  return verbMatches(rule, a.verb) && nonResourceURLMatches(rule, a.path);
}

/** The keys under which bindings of a user are indexed: the user name and each group. */
export function subjectKeys(user: UserInfo): string[] {
  return [`u:${user.name}`, ...user.groups.map((g) => `g:${g}`)];
}

/** Index key of a binding subject; service accounts match by their user name. Undefined when it cannot match anyone. */
function subjectKey(s: Subject, bindingNamespace: string | undefined): { key: string; describe: string } | undefined {
  switch (s.kind) {
    case 'User':
      return { key: `u:${s.name}`, describe: `User ${JSON.stringify(s.name)}` };
    case 'Group':
      return { key: `g:${s.name}`, describe: `Group ${JSON.stringify(s.name)}` };
    case 'ServiceAccount': {
      const ns = s.namespace || bindingNamespace;
      if (!ns || !s.name) return undefined;
      return { key: `u:system:serviceaccount:${ns}:${s.name}`, describe: `ServiceAccount ${JSON.stringify(`${s.name}/${ns}`)}` };
    }
    default:
      return undefined;
  }
}

/** Rules granted to a user in a namespace ('' = cluster-wide only), as SelfSubjectRulesReview reports. */
export interface RulesResult {
  rules: PolicyRule[];
}

export class RBACAuthorizer implements Authorizer {
  private readonly clusterRoles = new Map<string, PolicyRule[]>();
  private readonly roles = new Map<string, PolicyRule[]>(); // ns/name
  private readonly bindings = new Map<string, BindingEntry>(); // kind/ns/name
  /** subject key -> binding keys of ClusterRoleBindings. */
  private readonly clusterIndex = new Map<string, Set<string>>();
  /** namespace -> subject key -> binding keys of RoleBindings. */
  private readonly namespaceIndex = new Map<string, Map<string, Set<string>>>();
  private readonly watchers: StorageWatcher[] = [];

  constructor(
    private readonly registry: Registry,
    private readonly store: Store,
    private readonly logger: Logger,
  ) {}

  private descriptor(resource: string): ResourceDescriptor {
    return this.registry.get(RBAC_GROUP, 'v1', resource)!;
  }

  /** Loads the RBAC objects from the watch cache and follows their changes. */
  async start(): Promise<void> {
    await this.follow(this.descriptor('clusterroles'), () => this.clusterRoles.clear(), (type, obj) => {
      const name = obj.metadata!.name!;
      if (type === 'delete') this.clusterRoles.delete(name);
      else this.clusterRoles.set(name, rulesOf(obj));
    });
    await this.follow(this.descriptor('roles'), () => this.roles.clear(), (type, obj) => {
      const key = `${obj.metadata!.namespace}/${obj.metadata!.name}`;
      if (type === 'delete') this.roles.delete(key);
      else this.roles.set(key, rulesOf(obj));
    });
    await this.follow(this.descriptor('clusterrolebindings'), () => this.dropBindings('ClusterRoleBinding'), (type, obj) => this.onBinding('ClusterRoleBinding', type, obj));
    await this.follow(this.descriptor('rolebindings'), () => this.dropBindings('RoleBinding'), (type, obj) => this.onBinding('RoleBinding', type, obj));
  }

  /**
   * Lists from the watch cache, then applies its events. If the watch ends (the cache fell behind),
   * it starts over from a fresh list, replacing what it knew, so nothing deleted meanwhile lingers.
   */
  private async follow(d: ResourceDescriptor, reset: () => void, apply: (type: 'put' | 'delete', obj: KubeObject) => void): Promise<void> {
    let current: StorageWatcher | undefined;
    let stopped = false;
    const begin = async (): Promise<void> => {
      const cacher = await this.store.cacher(d);
      const prefix = listPrefix(d);
      const snapshot = cacher.list(prefix, {});
      // Synchronous from here: no request sees a half-built state.
      reset();
      for (const kv of snapshot.kvs) apply('put', decode(kv));
      if (stopped) return;
      current = cacher.watch(prefix, snapshot.revision, {
        onEvents: (events) => {
          for (const ev of events) apply(ev.type, decode(ev.kv));
        },
        onError: () => {
          if (stopped) return;
          this.logger.warn({ resource: d.resource }, 'RBAC watch ended; re-listing');
          setTimeout(() => void begin().catch((err) => this.logger.error({ err: String(err) }, 'RBAC re-list failed')), 1000).unref();
        },
      });
    };
    await begin();
    this.watchers.push({
      close() {
        stopped = true;
        current?.close();
      },
    });
  }

  private dropBindings(kind: BindingEntry['kind']): void {
    for (const [key, b] of this.bindings) {
      if (b.kind !== kind) continue;
      for (const s of b.subjects.keys()) this.indexFor(b.namespace, false)?.get(s)?.delete(key);
      this.bindings.delete(key);
    }
  }

  stop(): void {
    for (const w of this.watchers.splice(0)) w.close();
  }

  /** Resolves once every RBAC cache has caught up with the storage's current revision. */
  async waitFresh(timeoutMs = 2000): Promise<void> {
    const rev = await this.store.storage.currentRevision();
    await Promise.all(
      ['clusterroles', 'roles', 'clusterrolebindings', 'rolebindings'].map(async (r) => (await this.store.cacher(this.descriptor(r))).waitUntilFresh(rev, { timeoutMs })),
    );
  }

  private onBinding(kind: BindingEntry['kind'], type: 'put' | 'delete', obj: KubeObject): void {
    const ns = kind === 'RoleBinding' ? obj.metadata!.namespace : undefined;
    const key = `${kind}/${ns ?? ''}/${obj.metadata!.name}`;
    const old = this.bindings.get(key);
    if (old) {
      for (const s of old.subjects.keys()) this.indexFor(ns, false)?.get(s)?.delete(key);
      this.bindings.delete(key);
    }
    if (type === 'delete') return;
    const roleRef = obj.roleRef as RoleRef | undefined;
    if (!roleRef?.name || !roleRef.kind) return;
    const subjects = new Map<string, string>();
    for (const s of (obj.subjects as Subject[] | undefined) ?? []) {
      const k = subjectKey(s, ns);
      if (k) subjects.set(k.key, k.describe);
    }
    const entry: BindingEntry = { kind, namespace: ns, name: obj.metadata!.name!, roleRef, subjects };
    this.bindings.set(key, entry);
    const index = this.indexFor(ns, true)!;
    for (const s of subjects.keys()) {
      let set = index.get(s);
      if (!set) index.set(s, (set = new Set()));
      set.add(key);
    }
  }

  private indexFor(namespace: string | undefined, create: boolean): Map<string, Set<string>> | undefined {
    if (namespace === undefined) return this.clusterIndex;
    let m = this.namespaceIndex.get(namespace);
    if (!m && create) this.namespaceIndex.set(namespace, (m = new Map()));
    return m;
  }

  private roleRules(b: BindingEntry): PolicyRule[] | undefined {
    if (b.roleRef.kind === 'ClusterRole') return this.clusterRoles.get(b.roleRef.name);
    if (b.roleRef.kind === 'Role' && b.namespace) return this.roles.get(`${b.namespace}/${b.roleRef.name}`);
    return undefined;
  }

  /** Bindings that apply to a user for a namespace ('' = cluster-wide only). */
  private *applicable(user: UserInfo, namespace: string): Generator<{ b: BindingEntry; subject: string }> {
    const keys = subjectKeys(user);
    const seen = new Set<string>();
    const scopes = [this.clusterIndex, ...(namespace ? [this.namespaceIndex.get(namespace)] : [])];
    for (const index of scopes) {
      if (!index) continue;
      for (const k of keys) {
        for (const bk of index.get(k) ?? []) {
          if (seen.has(bk)) continue;
          seen.add(bk);
          const b = this.bindings.get(bk);
          if (b) yield { b, subject: b.subjects.get(k)! };
        }
      }
    }
  }

  authorize(a: AuthzAttributes): Decision {
    if (isPrivileged(a.user)) return { allowed: true };
    for (const { b, subject } of this.applicable(a.user, a.isResourceRequest ? a.namespace : '')) {
      const rules = this.roleRules(b);
      if (!rules?.some((r) => ruleAllows(a, r))) continue;
      const binding = b.namespace ? `${b.kind} ${JSON.stringify(`${b.name}/${b.namespace}`)}` : `${b.kind} ${JSON.stringify(b.name)}`;
      return { allowed: true, reason: `RBAC: allowed by ${binding} of ${b.roleRef.kind} ${JSON.stringify(b.roleRef.name)} to ${subject}` };
    }
    return { allowed: false };
  }

  /** Every rule granted to the user in a namespace (cluster-wide grants included). */
  rulesFor(user: UserInfo, namespace: string): PolicyRule[] {
    if (isPrivileged(user)) {
      return [
        { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
        { verbs: ['*'], nonResourceURLs: ['*'] },
      ];
    }
    const out: PolicyRule[] = [];
    for (const { b } of this.applicable(user, namespace)) out.push(...(this.roleRules(b) ?? []));
    return out;
  }
}

function rulesOf(obj: KubeObject): PolicyRule[] {
  const rules = obj.rules;
  return Array.isArray(rules) ? (rules as PolicyRule[]) : [];
}
