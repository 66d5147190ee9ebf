// What karmada-webhook's mutating handlers do to policies (pkg/webhook/{propagationpolicy,
// clusterpropagationpolicy,overridepolicy}/mutating.go, pkg/util/helper/policy.go). CRD schema defaults
// (priority 0, preemption Never, conflictResolution Abort, schedulerName default-scheduler,
// replicaSchedulingType Divided, ...) are applied by the API server before these run.

import { randomUUID } from 'node:crypto';
import type { ApplicationFailoverBehavior, ClusterPropagationPolicy, Placement, PropagationPolicy, PropagationSpec, ResourceSelector, SpreadConstraint } from './propagation.js';
import { replicaSchedulingType } from './propagation.js';
import type { OverridePolicy } from './override.js';
import {
  CLUSTER_PROPAGATION_POLICY_CONTROLLER_FINALIZER,
  CLUSTER_PROPAGATION_POLICY_PERMANENT_ID_LABEL,
  PROPAGATION_POLICY_CONTROLLER_FINALIZER,
  PROPAGATION_POLICY_PERMANENT_ID_LABEL,
} from './wellknown.js';

/** spreadByField defaults to cluster when neither spreadByField nor spreadByLabel is set; minGroups to 1. */
export function setDefaultSpreadConstraints(constraints: SpreadConstraint[] | undefined): void {
  for (const c of constraints ?? []) {
    if (!c.spreadByLabel && !c.spreadByField) c.spreadByField = 'cluster';
    if (!c.minGroups) c.minGroups = 1;
  }
}

/** Divided without a division preference means Weighted. */
export function setReplicaDivisionPreferenceWeighted(placement: Placement | undefined): void {
  if (!placement?.replicaScheduling || replicaSchedulingType(placement) !== 'Divided') return;
  if (!placement.replicaScheduling.replicaDivisionPreference) placement.replicaScheduling.replicaDivisionPreference = 'Weighted';
}

/** Gracefully purged application failover waits 600s unless told otherwise. */
export function setDefaultGracePeriodSeconds(behavior: ApplicationFailoverBehavior): void {
  const mode = behavior.purgeMode ?? 'Gracefully';
  if ((mode === 'Gracefully' || mode === 'Graciously') && behavior.gracePeriodSeconds === undefined) behavior.gracePeriodSeconds = 600;
}

/** ServiceImport selectors need their derived Services/EndpointSlices: propagateDeps is forced on. */
export function containsServiceImport(selectors: ResourceSelector[] | undefined): boolean {
  return (selectors ?? []).some((s) => s.kind === 'ServiceImport');
}

function defaultPropagationSpec(spec: PropagationSpec): void {
  if (spec.placement) {
    setDefaultSpreadConstraints(spec.placement.spreadConstraints);
    setReplicaDivisionPreferenceWeighted(spec.placement);
  }
  if (containsServiceImport(spec.resourceSelectors)) spec.propagateDeps = true;
  if (spec.failover?.application) setDefaultGracePeriodSeconds(spec.failover.application);
}

export interface PolicyDefaultingOptions {
  operation: 'CREATE' | 'UPDATE';
  /** Namespace of the request (a PropagationPolicy's own namespace). */
  namespace?: string;
  /** UUID source for permanent ids (tests pass a fixed one). */
  newUID?: () => string;
}

function addFinalizer(meta: { finalizers?: string[] }, finalizer: string): void {
  const f = meta.finalizers ?? [];
  if (!f.includes(finalizer)) meta.finalizers = [...f, finalizer];
}

function claimIdentity(policy: { metadata?: { labels?: Record<string, string>; finalizers?: string[] } }, label: string, finalizer: string, opts: PolicyDefaultingOptions): void {
  if (opts.operation !== 'CREATE') return;
  const meta = (policy.metadata ??= {});
  meta.labels = { ...(meta.labels ?? {}), [label]: (opts.newUID ?? randomUUID)() };
  addFinalizer(meta, finalizer);
}

/**
 * PropagationPolicy mutation: resource selectors inherit the policy's namespace, spread constraints and
 * division preference defaults, propagateDeps for ServiceImport, failover grace period; on create a fresh
 * permanent-id label and the propagation-policy-controller finalizer.
 */
export function defaultPropagationPolicy(policy: PropagationPolicy, opts: PolicyDefaultingOptions): void {
  const ns = opts.namespace ?? policy.metadata?.namespace ?? '';
  for (const s of policy.spec?.resourceSelectors ?? []) if (!s.namespace) s.namespace = ns;
  if (policy.spec) defaultPropagationSpec(policy.spec);
  claimIdentity(policy, PROPAGATION_POLICY_PERMANENT_ID_LABEL, PROPAGATION_POLICY_CONTROLLER_FINALIZER, opts);
}

/** ClusterPropagationPolicy mutation: as PropagationPolicy without the namespace inheritance. */
export function defaultClusterPropagationPolicy(policy: ClusterPropagationPolicy, opts: PolicyDefaultingOptions): void {
  if (policy.spec) defaultPropagationSpec(policy.spec);
  claimIdentity(policy, CLUSTER_PROPAGATION_POLICY_PERMANENT_ID_LABEL, CLUSTER_PROPAGATION_POLICY_CONTROLLER_FINALIZER, opts);
}

/** OverridePolicy mutation: resource selectors inherit the policy's namespace. */
export function defaultOverridePolicy(policy: OverridePolicy, namespace?: string): void {
  const ns = namespace ?? policy.metadata?.namespace ?? '';
  for (const s of policy.spec?.resourceSelectors ?? []) if (!s.namespace) s.namespace = ns;
}
