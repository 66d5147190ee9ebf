// The resource detector (Karmada pkg/detector): watches every propagatable kind ("resource templates")
// and the (Cluster)PropagationPolicies, claims each template for the policy that selects it and keeps its
// ResourceBinding / ClusterResourceBinding in line with template and policy.
//
// Plumbing only: handlers enqueue keys; a template reconcile reads the caches, asks decidePolicy
// (match.ts) which policy applies, and writes the claim (claim.ts) and the binding (binding.ts). A policy
// reconcile requeues the templates a policy may select or claims, and on deletion unclaims them before
// releasing the policy's finalizer (handlePolicyDeletion).

import { randomUUID } from 'node:crypto';
import { pino, type Logger } from 'pino';
import type { ClusterPropagationPolicy, OverridePolicy, PropagationPolicy } from '../../apis/policy/v1alpha1/index.js';
import {
  CLUSTER_PROPAGATION_POLICY_CONTROLLER_FINALIZER,
  CLUSTER_PROPAGATION_POLICY_PERMANENT_ID_LABEL,
  PROPAGATION_POLICY_CONTROLLER_FINALIZER,
  PROPAGATION_POLICY_PERMANENT_ID_LABEL,
} from '../../apis/policy/v1alpha1/index.js';
import {
  API_VERSION as WORK_V1ALPHA2,
  CLUSTER_RESOURCE_BINDING_PERMANENT_ID_LABEL,
  generateBindingName,
  RESOURCE_BINDING_PERMANENT_ID_LABEL,
  type ResourceBinding,
} from '../../apis/work/v1alpha2/index.js';
import type { ResourceInterpreter } from '../../resourceinterpreter/interface.js';
import type { ObjectClient } from '../../runtime/client.js';
import { Controller, type ReconcileResult, type Runnable } from '../../runtime/controller.js';
import { EventRecorder } from '../../runtime/events.js';
import type { SharedInformerFactory } from '../../runtime/factory.js';
import { apiVersionOf, CUSTOMRESOURCEDEFINITIONS, gvr, gvrString, type GVR } from '../../runtime/gvr.js';
import { indexByLabel, indexByNamespace, NAMESPACE_INDEX } from '../../runtime/indexer.js';
import { errText, type Informer } from '../../runtime/informer.js';
import { errorCode, isAlreadyExists, isConflict, isNotFound } from '../../runtime/rest.js';
import { RESTMapper } from '../../runtime/restmapper.js';
import type { KubeObject } from '../../runtime/types.js';
import { deepEqual } from '../../util/deepequal.js';
import { bindingChanged, buildBinding, bindingKindFor, controllerOf, mergeBinding, unclaimBinding } from './binding.js';
import {
  claimChange,
  claimOf,
  claimPatch,
  cleanupChange,
  isEmptyChange,
  needCleanupClaimMetadata,
  pendingChange,
  policyID,
  readClaim,
  type Claim,
  type ClaimKind,
} from './claim.js';
import { eventFilter, propagatable, resourceChangeByKarmada, skippedNamespaceRegexps, specificationChanged } from './filter.js';
import {
  CLUSTER_OVERRIDE_POLICIES,
  CLUSTER_PROPAGATION_POLICIES,
  CLUSTER_RESOURCE_BINDINGS,
  OVERRIDE_POLICIES,
  PRIORITY_CLASSES,
  PROPAGATION_POLICIES,
  RESOURCE_BINDINGS,
  RESOURCE_INTERPRETER_CUSTOMIZATIONS,
} from './gvrs.js';
import { parsePolicyKey, parseTemplateKey, policyKey, templateKey } from './keys.js';
import { candidateIndexValues, DEPENDS_INDEX, dependsIndex, SELECTS_INDEX, selectsIndex } from './policyindex.js';
import { decidePolicy, describeClaim, describePolicy, type AnyPolicy, type PolicyDecision, type PolicyRef } from './match.js';
import { selectTemplateResources, SkippedResourceConfig } from './resources.js';

export const RESOURCE_DETECTOR_NAME = 'resource-detector';

/** Karmada's event reasons (pkg/events). */
export const EVENT_REASON_APPLY_POLICY_SUCCEED = 'ApplyPolicySucceed';
export const EVENT_REASON_APPLY_POLICY_FAILED = 'ApplyPolicyFailed';
export const EVENT_REASON_PREEMPT_POLICY_SUCCEED = 'PreemptPolicySucceed';
export const EVENT_REASON_GET_REPLICAS_FAILED = 'GetReplicasFailed';

/** Template indexes: the permanent id of the claiming policy. */
const PP_ID_INDEX = 'detector.pp-id';
const CPP_ID_INDEX = 'detector.cpp-id';

export interface ResourceDetectorOptions {
  client: ObjectClient;
  informers: SharedInformerFactory;
  logger?: Logger;
  /** Replicas and requirements of workloads (InterpretReplica); without it bindings carry no replicas. */
  interpreter?: ResourceInterpreter;
  restMapper?: RESTMapper;
  recorder?: EventRecorder;
  /** --concurrent-resource-template-syncs (default 5). */
  workers?: number;
  /** --concurrent-propagation-policy-syncs (default 2). */
  policyWorkers?: number;
  /** --skipped-propagating-apis, e.g. "apps/v1/ReplicaSet;batch". */
  skippedPropagatingAPIs?: string;
  /** --skipped-propagating-namespaces (default kube-.*). */
  skippedPropagatingNamespaces?: string[];
  /** How often served resources are rediscovered (default 30 s; a CRD event also triggers it). */
  discoveryPeriodMs?: number;
  /** Honour preemption: Always (Karmada's PropagationPolicyPreemption feature gate; default on). */
  policyPreemption?: boolean;
}

interface TemplateKind {
  apiVersion: string;
  kind: string;
  gvr: GVR;
  informer: Informer<KubeObject>;
  /** When the detector started watching the kind. */
  since: number;
}

function withTypeMeta(obj: KubeObject, apiVersion: string, kind: string): KubeObject {
  return obj.apiVersion === apiVersion && obj.kind === kind ? obj : { ...obj, apiVersion, kind };
}

class RequeueError extends Error {}

export class ResourceDetector implements Runnable {
  readonly name = RESOURCE_DETECTOR_NAME;
  private readonly log: Logger;
  private readonly recorder: EventRecorder;
  private readonly restMapper: RESTMapper;
  private readonly skippedAPIs: SkippedResourceConfig;
  private readonly skippedNamespaces: RegExp[];
  private readonly preemption: boolean;
  private readonly pp: Informer<PropagationPolicy>;
  private readonly cpp: Informer<ClusterPropagationPolicy>;
  private readonly op: Informer<OverridePolicy>;
  private readonly cop: Informer<KubeObject>;
  private readonly rb: Informer<ResourceBinding>;
  private readonly crb: Informer<ResourceBinding>;
  private readonly crds: Informer<KubeObject>;
  /** "apiVersion|kind" → the template informer of that kind. */
  private readonly kinds = new Map<string, TemplateKind>();
  /** Template keys with a pending change made by someone other than Karmada (Lazy activation). */
  private readonly userChanged = new Set<string>();
  readonly templates: Controller;
  readonly policies: Controller;
  private discovering: Promise<void> | undefined;
  private discoverAgain = false;
  private discovered = false;
  private stopped = false;
  private rediscoverTimer: NodeJS.Timeout | undefined;
  /** Template scopes (kind, namespace) to requeue, collected from policy changes. */
  private readonly pendingScopes = new Map<string, { tk: TemplateKind; namespace: string; userChange: boolean }>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: ResourceDetectorOptions) {
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ controller: this.name });
    this.recorder = opts.recorder ?? new EventRecorder({ client: opts.client, component: RESOURCE_DETECTOR_NAME, logger: opts.logger });
    this.restMapper = opts.restMapper ?? new RESTMapper(opts.client);
    this.skippedAPIs = new SkippedResourceConfig().parse(opts.skippedPropagatingAPIs);
    this.skippedNamespaces = skippedNamespaceRegexps(opts.skippedPropagatingNamespaces);
    this.preemption = opts.policyPreemption ?? true;

    const inf = opts.informers;
    this.pp = inf.informerFor<PropagationPolicy>(PROPAGATION_POLICIES, {
      indexers: { [SELECTS_INDEX]: selectsIndex('PropagationPolicy'), [DEPENDS_INDEX]: dependsIndex('PropagationPolicy') },
    });
    this.cpp = inf.informerFor<ClusterPropagationPolicy>(CLUSTER_PROPAGATION_POLICIES, {
      indexers: { [SELECTS_INDEX]: selectsIndex('ClusterPropagationPolicy'), [DEPENDS_INDEX]: dependsIndex('ClusterPropagationPolicy') },
    });
    this.op = inf.informerFor<OverridePolicy>(OVERRIDE_POLICIES);
    this.cop = inf.informerFor(CLUSTER_OVERRIDE_POLICIES);
    this.rb = inf.informerFor<ResourceBinding>(RESOURCE_BINDINGS);
    this.crb = inf.informerFor<ResourceBinding>(CLUSTER_RESOURCE_BINDINGS);
    this.crds = inf.informerFor(CUSTOMRESOURCEDEFINITIONS);

    const ignore = { mapKeys: () => [] as string[] };
    this.templates = new Controller({
      name: this.name,
      workers: opts.workers ?? 5,
      logger: opts.logger,
      reconcile: (key) => this.reconcileTemplate(key),
    })
      // the caches a template reconcile reads must be synced before its workers start
      .watch(this.pp, ignore)
      .watch(this.cpp, ignore)
      .watch(this.op, ignore)
      .watch(this.cop, ignore)
      .watch(this.rb, ignore)
      .watch(this.crb, ignore);

    const policyKeyOf = (kind: ClaimKind) => (p: KubeObject) => [policyKey(kind, p.metadata?.namespace, p.metadata?.name ?? '')];
    const policyChanged = (a: KubeObject, b: KubeObject) =>
      a.metadata?.generation !== b.metadata?.generation ||
      a.metadata?.deletionTimestamp !== b.metadata?.deletionTimestamp ||
      !deepEqual(a.metadata?.labels, b.metadata?.labels) ||
      !deepEqual(a.metadata?.finalizers, b.metadata?.finalizers);
    this.policies = new Controller({
      name: `${this.name}-policy`,
      workers: opts.policyWorkers ?? 2,
      logger: opts.logger,
      reconcile: (key) => this.reconcilePolicy(key),
    })
      .watch(this.pp, { mapKeys: policyKeyOf('PropagationPolicy'), update: policyChanged, delete: () => false })
      .watch(this.cpp, { mapKeys: policyKeyOf('ClusterPropagationPolicy'), update: policyChanged, delete: () => false })
      // a dependent override appearing releases the policies waiting for it
      .watch(this.op, { mapKeys: (o) => this.policiesDependingOn('PropagationPolicy', o), update: () => false, delete: () => false })
      .watch(this.cop, { mapKeys: (o) => this.policiesDependingOn('ClusterPropagationPolicy', o), update: () => false, delete: () => false });

    // a policy gone for good: its templates look for another policy (and drop a claim nobody holds)
    this.pp.addEventHandler({ onDelete: (p) => this.enqueueAffectedTemplates('PropagationPolicy', p) });
    this.cpp.addEventHandler({ onDelete: (p) => this.enqueueAffectedTemplates('ClusterPropagationPolicy', p) });
    // a binding deleted by hand comes back
    const onBindingDelete = (b: ResourceBinding) => {
      const r = b.spec?.resource;
      if (r?.apiVersion && r.kind && r.name) this.enqueueTemplateKey(templateKey({ apiVersion: r.apiVersion, kind: r.kind, namespace: r.namespace ?? '', name: r.name }), true);
    };
    this.rb.addEventHandler({ onDelete: onBindingDelete });
    this.crb.addEventHandler({ onDelete: onBindingDelete });
    // new CRDs become watchable template kinds without waiting for the periodic discovery
    this.crds.addEventHandler({ onAdd: () => this.scheduleDiscovery(), onUpdate: () => this.scheduleDiscovery() });
    // a ResourceInterpreterCustomization changes what the interpreter says of its kind (replicas,
    // requirements): re-evaluate that kind's templates, whatever order the user applied things in
    // (upstream waits for the next template change)
    const customizations = inf.informerFor(RESOURCE_INTERPRETER_CUSTOMIZATIONS);
    const onCustomization = (ric: KubeObject) => this.requeueKind((ric as { spec?: { target?: { apiVersion?: string; kind?: string } } }).spec?.target);
    customizations.addEventHandler({
      onAdd: onCustomization,
      onUpdate: (oldRic, newRic) => {
        if (oldRic.metadata?.generation === newRic.metadata?.generation) return;
        onCustomization(oldRic);
        onCustomization(newRic);
      },
      onDelete: onCustomization,
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    this.crds.start();
    void this.discover();
    const period = setInterval(() => void this.discover(), this.opts.discoveryPeriodMs ?? 30_000);
    period.unref();
    try {
      await Promise.all([this.templates.run(signal), this.policies.run(signal)]);
    } finally {
      this.stopped = true;
      clearInterval(period);
      if (this.rediscoverTimer) clearTimeout(this.rediscoverTimer);
      if (this.flushTimer) clearTimeout(this.flushTimer);
    }
  }

  // ---- discovery ----------------------------------------------------------------------------------

  private scheduleDiscovery(): void {
    if (this.rediscoverTimer) return;
    this.rediscoverTimer = setTimeout(() => {
      this.rediscoverTimer = undefined;
      void this.discover();
    }, 300);
    this.rediscoverTimer.unref();
  }

  /** discoverResources: an informer (shared through the factory) per template kind not watched yet. */
  discover(): Promise<void> {
    if (this.discovering) {
      // a CRD may have appeared after the running discovery read the server: look once more after it
      this.discoverAgain = true;
      return this.discovering;
    }
    this.discovering = (async () => {
      do {
        this.discoverAgain = false;
        try {
          const resources = selectTemplateResources(await this.restMapper.refresh(), this.skippedAPIs);
          for (const r of resources) this.watchKind(r.group, r.version, r.resource, r.kind, r.namespaced);
          this.discovered = true;
        } catch (err) {
          this.log.warn({ err: errText(err) }, 'resource discovery failed; retrying at the next period');
        }
      } while (this.discoverAgain && !this.stopped);
      this.discovering = undefined;
    })();
    return this.discovering;
  }

  private watchKind(group: string, version: string, resource: string, kind: string, namespaced: boolean): void {
    const apiVersion = apiVersionOf({ group, version });
    const id = `${apiVersion}|${kind}`;
    if (this.kinds.has(id) || this.stopped) return;
    const g = gvr(group, version, resource, namespaced);
    const informer = this.opts.informers.informerFor(g, {
      indexers: {
        [NAMESPACE_INDEX]: indexByNamespace,
        [PP_ID_INDEX]: indexByLabel(PROPAGATION_POLICY_PERMANENT_ID_LABEL),
        [CPP_ID_INDEX]: indexByLabel(CLUSTER_PROPAGATION_POLICY_PERMANENT_ID_LABEL),
      },
    });
    const tk: TemplateKind = { apiVersion, kind, gvr: g, informer, since: Date.now() };
    this.kinds.set(id, tk);
    informer.addEventHandler({
      onAdd: (obj) => this.enqueueTemplateObject(tk, obj, true),
      onUpdate: (oldObj, newObj) => {
        // status writes and server bookkeeping are not changes of the template
        if (!specificationChanged(oldObj, newObj)) return;
        this.enqueueTemplateObject(tk, newObj, !resourceChangeByKarmada(oldObj, newObj));
      },
      // a deleted template's binding goes with it (owner reference): nothing to do
    });
    informer.start();
    this.log.info({ resource: gvrString(g), kind }, 'watching resource templates');
  }

  /** Every template of apiVersion/kind, as if Karmada had changed them (Lazy policies wait). */
  private requeueKind(target: { apiVersion?: string; kind?: string } | undefined): void {
    const tk = target?.apiVersion && target.kind ? this.kinds.get(`${target.apiVersion}|${target.kind}`) : undefined;
    if (!tk) return;
    for (const obj of tk.informer.indexer.list()) this.enqueueTemplateObject(tk, obj, false);
  }

  private enqueueTemplateKey(key: string, userChange: boolean): void {
    if (userChange) this.userChanged.add(key);
    this.templates.enqueue(key);
  }

  // ---- template reconcile -------------------------------------------------------------------------

  private async reconcileTemplate(key: string): Promise<ReconcileResult> {
    const userChange = this.userChanged.delete(key);
    try {
      const r = await this.syncTemplate(key, !userChange);
      if (r.requeue && userChange) this.userChanged.add(key);
      return r;
    } catch (err) {
      if (userChange) this.userChanged.add(key);
      if (err instanceof RequeueError || isConflict(err)) return { requeue: true };
      throw err;
    }
  }

  private templateOf(key: string): { tk: TemplateKind; obj: KubeObject } | undefined {
    const ref = parseTemplateKey(key);
    const tk = ref && this.kinds.get(`${ref.apiVersion}|${ref.kind}`);
    const cached = ref && tk?.informer.indexer.get(ref.objectKey);
    if (!tk || !cached) return undefined;
    return { tk, obj: withTypeMeta(cached, tk.apiVersion, tk.kind) };
  }

  private claimedPolicy(claim: Claim | undefined): AnyPolicy | undefined {
    if (!claim) return undefined;
    return claim.kind === 'PropagationPolicy' ? this.pp.indexer.getByName(claim.name, claim.namespace) : this.cpp.indexer.getByName(claim.name);
  }

  /** The policies whose selectors may select the template (see policyindex.ts). */
  private candidates<P extends AnyPolicy>(informer: Informer<P>, kind: ClaimKind, obj: KubeObject): P[] {
    let first: P[] | undefined;
    let all: Set<P> | undefined;
    for (const v of candidateIndexValues(kind, obj)) {
      const found = informer.indexer.byIndex(SELECTS_INDEX, v);
      if (!found.length) continue;
      if (!first) {
        first = found;
        continue;
      }
      all ??= new Set(first);
      for (const p of found) all.add(p);
    }
    return all ? [...all] : (first ?? []);
  }

  /** The decision for a template from the caches. */
  decide(obj: KubeObject): PolicyDecision {
    return decidePolicy(obj, {
      propagationPolicies: obj.metadata?.namespace ? this.candidates(this.pp, 'PropagationPolicy', obj) : [],
      clusterPropagationPolicies: this.candidates(this.cpp, 'ClusterPropagationPolicy', obj),
      claimedPolicy: this.claimedPolicy(readClaim(obj)),
      preemption: this.preemption,
    });
  }

  private async syncTemplate(key: string, changeByKarmada: boolean): Promise<ReconcileResult> {
    const found = this.templateOf(key);
    if (!found) return {};
    const { tk, obj } = found;
    if (!eventFilter(obj, this.skippedNamespaces) || !propagatable(obj)) return {};
    const d = this.decide(obj);
    switch (d.action) {
      case 'none':
        this.log.debug({ key, reason: d.reason }, 'nothing to propagate');
        return {};
      case 'unclaim':
        this.log.info({ key, claim: describeClaim(d.claim) }, 'the claiming policy no longer selects the template; unclaiming');
        await this.unclaim(tk, obj, d.claim);
        return {};
      case 'apply':
        return this.applyPolicy(tk, obj, d.target, d.preempted, changeByKarmada);
    }
  }

  /** Names of the dependentOverrides of the policy that do not exist yet. */
  private missingDependentOverrides(ref: PolicyRef): string[] {
    const names = ref.policy.spec?.dependentOverrides ?? [];
    const ns = ref.policy.metadata?.namespace;
    return names.filter((n) => (ref.kind === 'PropagationPolicy' ? !this.op.indexer.getByName(n, ns) : !this.cop.indexer.getByName(n)));
  }

  /** ApplyPolicy / ApplyClusterPolicy: claim the template, then create or update its binding. */
  private async applyPolicy(tk: TemplateKind, obj: KubeObject, target: PolicyRef, preempted: PolicyRef | undefined, changeByKarmada: boolean): Promise<ReconcileResult> {
    const what = describePolicy(target);
    const missing = this.missingDependentOverrides(target);
    if (missing.length) {
      this.log.info({ policy: what, missing }, 'waiting for dependent overrides to be present');
      return { requeue: true };
    }
    const claim = claimOf(target.policy, target.kind);
    const failed = (err: unknown) => {
      if (!(err instanceof RequeueError) && !isConflict(err)) {
        this.recorder.emit(obj, 'Warning', EVENT_REASON_APPLY_POLICY_FAILED, `Apply ${policyWord(target.kind)}(${policyName(target)}) failed: ${errText(err)}`);
      }
      return err;
    };
    if (!claim.id) {
      throw failed(new Error(`${what} has no ${target.kind === 'PropagationPolicy' ? PROPAGATION_POLICY_PERMANENT_ID_LABEL : CLUSTER_PROPAGATION_POLICY_PERMANENT_ID_LABEL} label; karmada-webhook sets it on create: re-create the policy through the karmada-apiserver`));
    }
    let template = obj;
    try {
      const change = pendingChange(obj, claimChange(claim));
      if (!isEmptyChange(change)) {
        template = await this.patchTemplate(tk, obj, claimPatch(obj, change));
        if (preempted) {
          this.recorder.emit(template, 'Normal', EVENT_REASON_PREEMPT_POLICY_SUCCEED, `${what} preempted ${describePolicy(preempted)} successfully`);
        }
      }
      // a Lazy policy changes bindings only when the template itself changes
      if (changeByKarmada && target.policy.spec?.activationPreference === 'Lazy') return {};

      const desired = buildBinding({
        template,
        claim,
        spec: target.policy.spec,
        ...(await this.replicasOf(template)),
        schedulePriority: bindingKindFor(template) === 'ResourceBinding' ? await this.schedulePriorityOf(target.policy) : undefined,
      });
      const result = await this.writeBinding(template, desired, target.policy.spec?.suspension);
      if (result !== 'unchanged') {
        this.log.info({ binding: `${desired.kind} ${desired.metadata?.namespace ?? ''}/${desired.metadata?.name}`, policy: what, result }, 'applied policy');
        this.recorder.emit(template, 'Normal', EVENT_REASON_APPLY_POLICY_SUCCEED, `Apply ${policyWord(target.kind)}(${policyName(target)}) succeed`);
      }
      return {};
    } catch (err) {
      throw failed(err);
    }
  }

  private async patchTemplate(tk: TemplateKind, obj: KubeObject, patch: Record<string, unknown>): Promise<KubeObject> {
    try {
      const out = await this.opts.client.resource(tk.gvr).patch(obj.metadata?.name ?? '', patch, { namespace: obj.metadata?.namespace, type: 'merge' });
      return withTypeMeta(out, tk.apiVersion, tk.kind);
    } catch (err) {
      // changed or gone meanwhile: the informer brings the news, retry then
      if (isConflict(err) || isNotFound(err)) throw new RequeueError(errText(err));
      throw err;
    }
  }

  /** applyReplicaInterpretation. */
  private async replicasOf(template: KubeObject): Promise<{ replicas?: number; replicaRequirements?: ResourceBinding['spec']['replicaRequirements'] }> {
    const interpreter = this.opts.interpreter;
    if (!interpreter?.hookEnabled({ apiVersion: template.apiVersion ?? '', kind: template.kind ?? '' }, 'InterpretReplica')) return {};
    try {
      const r = await interpreter.getReplicas(template);
      return { replicas: r.replicas, replicaRequirements: r.requirements };
    } catch (err) {
      this.recorder.emit(template, 'Warning', EVENT_REASON_GET_REPLICAS_FAILED, errText(err));
      throw new Error(`cannot interpret the replicas of ${template.kind} ${template.metadata?.namespace ?? ''}/${template.metadata?.name}: ${errText(err)}`);
    }
  }

  /** spec.schedulePriority → the binding's priority (only KubePriorityClass is implemented upstream). */
  private async schedulePriorityOf(policy: AnyPolicy): Promise<number | undefined> {
    const sp = policy.spec?.schedulePriority;
    if (!sp) return undefined;
    if (sp.priorityClassSource !== 'KubePriorityClass') {
      throw new Error(`priority class source ${String(sp.priorityClassSource)} is not supported; use KubePriorityClass`);
    }
    const pc = await this.opts.client.resource(PRIORITY_CLASSES).getOrUndefined(sp.priorityClassName);
    if (!pc) throw new Error(`PriorityClass ${sp.priorityClassName} named by spec.schedulePriority does not exist; create it or change the policy`);
    return Number((pc as { value?: number }).value ?? 0);
  }

  /** CreateOrUpdate of the binding; never touches spec.clusters or status. */
  private async writeBinding(template: KubeObject, desired: ResourceBinding, suspension: AnyPolicy['spec']['suspension']): Promise<'created' | 'updated' | 'unchanged'> {
    const crb = desired.kind === 'ClusterResourceBinding';
    const resource = this.opts.client.resource<ResourceBinding>(crb ? CLUSTER_RESOURCE_BINDINGS : RESOURCE_BINDINGS);
    const cached = (crb ? this.crb : this.rb).indexer.getByName(desired.metadata?.name ?? '', desired.metadata?.namespace);
    if (!cached) {
      const body = desired;
      const idLabel = crb ? CLUSTER_RESOURCE_BINDING_PERMANENT_ID_LABEL : RESOURCE_BINDING_PERMANENT_ID_LABEL;
      body.metadata!.labels = { ...(body.metadata!.labels ?? {}), [idLabel]: randomUUID() };
      try {
        await resource.create(body);
        return 'created';
      } catch (err) {
        if (isAlreadyExists(err)) throw new RequeueError(`${desired.kind} ${desired.metadata?.name} exists but is not in the cache yet`);
        throw err;
      }
    }
    const existing = withTypeMeta(cached, desired.apiVersion ?? '', desired.kind ?? '') as ResourceBinding;
    const owner = controllerOf(existing);
    if (owner && owner.uid !== template.metadata?.uid) {
      // karmada-io/karmada#2090: a binding left by an earlier object of the same name
      throw new Error(
        `${desired.kind} ${desired.metadata?.name} belongs to an earlier ${owner.kind} with uid ${owner.uid}; it is retried once the garbage collector has deleted that binding`,
      );
    }
    const merged = mergeBinding(existing, desired, suspension);
    if (!bindingChanged(existing, merged)) return 'unchanged';
    try {
      await resource.update(merged);
    } catch (err) {
      if (isNotFound(err)) throw new RequeueError(errText(err));
      throw err;
    }
    return 'updated';
  }

  /** Removes a claim from the binding, then from the template (handleResourceTemplateAndBindingCleanup). */
  private async unclaim(tk: TemplateKind, obj: KubeObject, claim: Claim): Promise<void> {
    const crb = bindingKindFor(obj) === 'ClusterResourceBinding';
    const name = generateBindingName(obj.kind ?? '', obj.metadata?.name ?? '');
    const cached = (crb ? this.crb : this.rb).indexer.getByName(name, obj.metadata?.namespace);
    if (cached) {
      const next = unclaimBinding(withTypeMeta(cached, WORK_V1ALPHA2, crb ? 'ClusterResourceBinding' : 'ResourceBinding') as ResourceBinding, claim);
      if (next) {
        try {
          await this.opts.client.resource<ResourceBinding>(crb ? CLUSTER_RESOURCE_BINDINGS : RESOURCE_BINDINGS).update(next);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
    }
    if (!needCleanupClaimMetadata(obj, claim.kind, claim.id)) return;
    const change = pendingChange(obj, cleanupChange(claim.kind));
    if (!isEmptyChange(change)) await this.patchTemplate(tk, obj, claimPatch(obj, change));
  }

  // ---- policy reconcile ---------------------------------------------------------------------------

  private async reconcilePolicy(key: string): Promise<ReconcileResult> {
    const ref = parsePolicyKey(key);
    if (!ref) return {};
    const informer = ref.kind === 'PropagationPolicy' ? this.pp : this.cpp;
    const policy = informer.indexer.get(ref.objectKey) as AnyPolicy | undefined;
    if (!policy) return {};
    if (policy.metadata?.deletionTimestamp) return this.handlePolicyDeletion(ref.kind, policy);
    this.enqueueAffectedTemplates(ref.kind, policy);
    return {};
  }

  /**
   * handlePolicyDeletion: the claim is removed from every template the policy claims and from their
   * bindings (which stay, with their placement, until the template goes or another policy claims it);
   * the templates then look for another policy; last, the policy's finalizer is released.
   */
  private async handlePolicyDeletion(kind: ClaimKind, policy: AnyPolicy): Promise<ReconcileResult> {
    const finalizer = kind === 'PropagationPolicy' ? PROPAGATION_POLICY_CONTROLLER_FINALIZER : CLUSTER_PROPAGATION_POLICY_CONTROLLER_FINALIZER;
    const finalizers = policy.metadata?.finalizers ?? [];
    if (!finalizers.includes(finalizer)) return {};
    // the claimed templates are found in the template caches: wait until they are all filled
    if (!this.templatesSynced()) return { requeueAfterMs: 200 };
    const claim = claimOf(policy, kind);
    const claimed = claim.id ? this.claimedTemplates(kind, claim.id) : [];
    const errors: string[] = [];
    let requeue = false;
    for (const { tk, obj } of claimed) {
      try {
        await this.unclaim(tk, obj, claim);
      } catch (err) {
        if (err instanceof RequeueError || isConflict(err)) requeue = true;
        else errors.push(`${obj.kind} ${obj.metadata?.namespace ?? ''}/${obj.metadata?.name}: ${errText(err)}`);
      }
    }
    if (errors.length) throw new Error(`cannot unclaim the templates of ${describeClaim(claim)}: ${errors.join('; ')}`);
    if (requeue) return { requeue: true };
    const resource = this.opts.client.resource(kind === 'PropagationPolicy' ? PROPAGATION_POLICIES : CLUSTER_PROPAGATION_POLICIES);
    try {
      await resource.patch(
        policy.metadata?.name ?? '',
        [
          { op: 'test', path: '/metadata/resourceVersion', value: policy.metadata?.resourceVersion },
          { op: 'replace', path: '/metadata/finalizers', value: finalizers.filter((f) => f !== finalizer) },
        ],
        { namespace: policy.metadata?.namespace, type: 'json' },
      );
    } catch (err) {
      if (isNotFound(err)) return {};
      // 422: the resourceVersion test failed (the policy changed meanwhile)
      if (isConflict(err) || errorCode(err) === 422) return { requeue: true };
      throw err;
    }
    this.log.info({ policy: describeClaim(claim), unclaimed: claimed.length }, 'released deleted policy');
    // another policy may select them now
    for (const { tk, obj } of claimed) this.enqueueTemplateKey(this.keyOf(tk, obj), true);
    return {};
  }

  /**
   * Discovery ran and every template informer has its first list (one that cannot list for a minute,
   * e.g. of a CRD deleted right after discovery, does not hold policy deletion up forever).
   */
  private templatesSynced(): boolean {
    const now = Date.now();
    return this.discovered && [...this.kinds.values()].every((tk) => tk.informer.hasSynced() || now - tk.since > 60_000);
  }

  private keyOf(tk: TemplateKind, obj: KubeObject): string {
    return templateKey({ apiVersion: tk.apiVersion, kind: tk.kind, namespace: obj.metadata?.namespace ?? '', name: obj.metadata?.name ?? '' });
  }

  /** Templates (of every watched kind) carrying the policy's permanent id. */
  private claimedTemplates(kind: ClaimKind, id: string): { tk: TemplateKind; obj: KubeObject }[] {
    const index = kind === 'PropagationPolicy' ? PP_ID_INDEX : CPP_ID_INDEX;
    const out: { tk: TemplateKind; obj: KubeObject }[] = [];
    for (const tk of this.kinds.values()) {
      for (const obj of tk.informer.indexer.byIndex(index, id)) out.push({ tk, obj: withTypeMeta(obj, tk.apiVersion, tk.kind) });
    }
    return out;
  }

  /**
   * Requeues every template the policy's selectors may select and every template it claims (policy
   * add/update/delete). Lookups go through the caches' indexes, never the server. Selectors naming an
   * object enqueue it at once; the others mark a (kind, namespace) scope that is enqueued once for all
   * the policies seen in the same moment (thousands of policies over one kind cost one pass, not one
   * each).
   */
  private enqueueAffectedTemplates(kind: ClaimKind, policy: AnyPolicy): void {
    // HandlePropagationPolicyCreationOrUpdate enqueues with ResourceChangeByKarmada for Lazy policies
    const userChange = policy.spec?.activationPreference !== 'Lazy';
    const policyNs = policy.metadata?.namespace ?? '';
    for (const rs of policy.spec?.resourceSelectors ?? []) {
      const tk = this.kinds.get(`${rs.apiVersion}|${rs.kind}`);
      if (!tk) continue;
      const clusterScoped = tk.gvr.namespaced === false;
      let ns = rs.namespace ?? '';
      if (kind === 'PropagationPolicy') {
        if (clusterScoped || (ns && ns !== policyNs)) continue; // a PP never selects outside its namespace
        ns = policyNs;
      }
      if (clusterScoped) ns = '';
      if (rs.name && (ns || clusterScoped)) {
        const o = tk.informer.indexer.getByName(rs.name, ns || undefined);
        if (o) this.enqueueTemplateObject(tk, o, userChange);
      } else {
        this.enqueueScope(tk, ns, userChange);
      }
    }
    const id = policyID(policy, kind);
    if (id) for (const { tk, obj } of this.claimedTemplates(kind, id)) this.enqueueTemplateKey(this.keyOf(tk, obj), userChange);
  }

  private enqueueTemplateObject(tk: TemplateKind, obj: KubeObject, userChange: boolean): void {
    if (eventFilter(withTypeMeta(obj, tk.apiVersion, tk.kind), this.skippedNamespaces)) this.enqueueTemplateKey(this.keyOf(tk, obj), userChange);
  }

  /** Marks every template of a kind (in one namespace, or all when namespace is '') for a requeue. */
  private enqueueScope(tk: TemplateKind, namespace: string, userChange: boolean): void {
    const id = `${tk.apiVersion}|${tk.kind}|${namespace}`;
    const cur = this.pendingScopes.get(id);
    if (cur) cur.userChange ||= userChange;
    else this.pendingScopes.set(id, { tk, namespace, userChange });
    if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => this.flushScopes(), 20);
      this.flushTimer.unref();
    }
  }

  private flushScopes(): void {
    this.flushTimer = undefined;
    const scopes = [...this.pendingScopes.values()];
    this.pendingScopes.clear();
    for (const { tk, namespace, userChange } of scopes) {
      const objs = namespace ? tk.informer.indexer.byIndex(NAMESPACE_INDEX, namespace) : tk.informer.indexer.list();
      for (const o of objs) this.enqueueTemplateObject(tk, o, userChange);
    }
  }

  /** Policies whose dependentOverrides name this (Cluster)OverridePolicy. */
  private policiesDependingOn(kind: ClaimKind, override: KubeObject): string[] {
    const name = override.metadata?.name ?? '';
    const informer: Informer<AnyPolicy> = kind === 'PropagationPolicy' ? this.pp : this.cpp;
    const value = kind === 'PropagationPolicy' ? `${override.metadata?.namespace ?? ''}/${name}` : name;
    return informer.indexer.byIndex(DEPENDS_INDEX, value).map((p) => policyKey(kind, p.metadata?.namespace, p.metadata?.name ?? ''));
  }
}

function policyWord(kind: ClaimKind): string {
  return kind === 'PropagationPolicy' ? 'policy' : 'cluster policy';
}

function policyName(ref: PolicyRef): string {
  return ref.kind === 'PropagationPolicy' ? `${ref.policy.metadata?.namespace}/${ref.policy.metadata?.name}` : (ref.policy.metadata?.name ?? '');
}
