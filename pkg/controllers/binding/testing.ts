// Small fakes for the binding controller's tests: an interpreter that knows Deployments and Jobs, and an
// override manager that only understands labelsOverrider (enough to see overrides reach Works).

import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import type { DependentObjectReference, InterpreterOperation, ObjectGVK, ReplicaInterpretation, ResourceInterpreter } from '../../resourceinterpreter/interface.js';
import type { ObjectClient } from '../../runtime/client.js';
import type { SharedInformerFactory } from '../../runtime/factory.js';
import type { KubeObject } from '../../runtime/types.js';
import { WORKS } from '../../util/clusterapi.js';
import type { AggregatedStatusItem } from '../../apis/work/v1alpha2/index.js';
import { clusterMatches, resourceMatches } from '../../util/selector.js';
import type { ApplyOverridePolicies, OverridePolicySet } from './overrides.js';

// loosely typed on purpose: the fakes poke at arbitrary object shapes
type Obj = Record<string, any>;

export class FakeInterpreter implements ResourceInterpreter {
  readonly revised: { name: string; replicas: number }[] = [];

  hookEnabled(gvk: ObjectGVK, op: InterpreterOperation): boolean {
    if (op === 'ReviseReplica') return gvk.kind === 'Deployment' || gvk.kind === 'Job';
    if (op === 'InterpretDependency') return gvk.kind === 'Deployment';
    return false;
  }
  async getReplicas(obj: KubeObject): Promise<ReplicaInterpretation> {
    return { replicas: (obj as Obj).spec?.replicas ?? 0 };
  }
  async reviseReplica(obj: KubeObject, replicas: number): Promise<KubeObject> {
    const c = structuredClone(obj) as Obj;
    c.spec ??= {};
    if (c.kind === 'Job') c.spec.parallelism = replicas;
    else c.spec.replicas = replicas;
    this.revised.push({ name: c.metadata?.name, replicas });
    return c;
  }
  async retain(desired: KubeObject): Promise<KubeObject> {
    return desired;
  }
  async reflectStatus(): Promise<Record<string, unknown> | undefined> {
    return undefined;
  }
  async interpretHealth(): Promise<boolean> {
    return true;
  }
  async aggregateStatus(obj: KubeObject, _items: AggregatedStatusItem[]): Promise<KubeObject> {
    return obj;
  }
  /** ConfigMaps named by volumes and envFrom of the pod template. */
  async getDependencies(obj: KubeObject): Promise<DependentObjectReference[]> {
    const pod = (obj as Obj).spec?.template?.spec ?? {};
    const names = new Set<string>();
    for (const v of pod.volumes ?? []) if (v.configMap?.name) names.add(v.configMap.name);
    for (const c of pod.containers ?? []) for (const e of c.envFrom ?? []) if (e.configMapRef?.name) names.add(e.configMapRef.name);
    return [...names].map((name) => ({ apiVersion: 'v1', kind: 'ConfigMap', namespace: obj.metadata?.namespace, name }));
  }
}

/** labelsOverrider "add" only; a plaintext overrider on path /fail throws (to test error handling). */
export const fakeApplyOverrides: ApplyOverridePolicies = (obj: KubeObject, cluster: Cluster, policies: OverridePolicySet) => {
  const out = structuredClone(obj) as Obj;
  const applied: { policyName: string; overriders: unknown }[] = [];
  const appliedCluster: { policyName: string; overriders: unknown }[] = [];
  const apply = (p: Obj, into: typeof applied) => {
    const selectors = p.spec?.resourceSelectors ?? [];
    if (selectors.length && !selectors.some((rs: Obj) => resourceMatches(out, rs as never))) return;
    if (p.metadata?.namespace && p.metadata.namespace !== out.metadata?.namespace) return;
    for (const rule of p.spec?.overrideRules ?? []) {
      if (!clusterMatches(cluster, rule.targetCluster)) continue;
      if ((rule.overriders?.plaintext ?? []).some((x: Obj) => x.path === '/fail')) throw new Error(`overridepolicy ${p.metadata?.name}: cannot apply plaintext overrider at /fail`);
      for (const l of rule.overriders?.labelsOverrider ?? []) {
        out.metadata ??= {};
        out.metadata.labels = { ...(out.metadata.labels ?? {}), ...l.value };
      }
      into.push({ policyName: p.metadata?.name, overriders: rule.overriders });
    }
  };
  for (const p of policies.clusterOverridePolicies) apply(p as Obj, appliedCluster);
  for (const p of policies.overridePolicies) apply(p as Obj, applied);
  return {
    object: out,
    appliedClusterOverrides: appliedCluster.length ? JSON.stringify(appliedCluster) : undefined,
    appliedOverrides: applied.length ? JSON.stringify(applied) : undefined,
  };
};

/** What the execution controller does for a Work being deleted: clean up, then drop its finalizer. */
export function releaseDeletedWorks(client: ObjectClient, factory: SharedInformerFactory): void {
  const release = (w: KubeObject) => {
    if (!w.metadata?.deletionTimestamp || !w.metadata.finalizers?.length) return;
    void client
      .resource(WORKS)
      .patch(w.metadata.name!, { metadata: { finalizers: null } }, { namespace: w.metadata.namespace })
      .catch(() => undefined);
  };
  factory.informerFor(WORKS).addEventHandler({ onAdd: release, onUpdate: (_o, n) => release(n) });
}
