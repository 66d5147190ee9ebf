// Test helpers for the member-side controllers: a small fake ResourceInterpreter, a control plane with
// kube-sim members joined as Push clusters (Cluster + credentials Secret built from the member's admin
// kubeconfig), and Work builders.

import { KubeConfig } from '@kubernetes/client-node';
import type { Cluster } from '../../apis/cluster/v1alpha1/index.js';
import type { Work } from '../../apis/work/v1alpha1/index.js';
import { MANAGED_BY_KARMADA_LABEL, WORK_NAME_ANNOTATION, WORK_NAMESPACE_ANNOTATION, type AggregatedStatusItem } from '../../apis/work/v1alpha2/index.js';
import type { InterpreterOperation, ObjectGVK, ResourceInterpreter } from '../../resourceinterpreter/interface.js';
import { ObjectClient } from '../../runtime/client.js';
import { NAMESPACES, SECRETS } from '../../runtime/gvr.js';
import { isAlreadyExists, RestClient } from '../../runtime/rest.js';
import { startTestApiServer, type TestApiServer } from '../../runtime/testenv.js';
import { metaTime, type KubeObject } from '../../runtime/types.js';
import { SimCluster } from '../../sim/cluster.js';
import { CLUSTERS, ensureClusterAPI, WORKS } from '../../util/clusterapi.js';

/** Retain keeps a Service's clusterIP(s); status/health for Deployments; every call is recorded. */
export class FakeInterpreter implements ResourceInterpreter {
  readonly retainCalls: { desired: KubeObject; observed: KubeObject }[] = [];

  hookEnabled(gvk: ObjectGVK, op: InterpreterOperation): boolean {
    if (op === 'Retain') return gvk.kind === 'Service';
    if (op === 'InterpretHealth') return gvk.kind === 'Deployment';
    return op === 'InterpretStatus';
  }
  async getReplicas(): Promise<{ replicas: number }> {
    return { replicas: 0 };
  }
  async reviseReplica(obj: KubeObject): Promise<KubeObject> {
    return obj;
  }
  async retain(desired: KubeObject, observed: KubeObject): Promise<KubeObject> {
    this.retainCalls.push({ desired, observed });
    if (desired.kind !== 'Service') return desired;
    const out = structuredClone(desired) as KubeObject & { spec?: Record<string, unknown> };
    const os = (observed.spec ?? {}) as Record<string, unknown>;
    out.spec = { ...(out.spec ?? {}) };
    if (os.clusterIP) out.spec.clusterIP = os.clusterIP;
    if (os.clusterIPs) out.spec.clusterIPs = os.clusterIPs;
    return out;
  }
  async reflectStatus(observed: KubeObject): Promise<Record<string, unknown> | undefined> {
    const s = observed.status as Record<string, unknown> | undefined;
    if (observed.kind !== 'Deployment' || !s) return undefined;
    const pick = ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'observedGeneration'];
    return Object.fromEntries(pick.filter((k) => s[k] !== undefined).map((k) => [k, s[k]]));
  }
  async interpretHealth(observed: KubeObject): Promise<boolean> {
    const spec = observed.spec as { replicas?: number } | undefined;
    const s = (observed.status ?? {}) as { readyReplicas?: number; observedGeneration?: number };
    return (s.observedGeneration ?? 0) >= (observed.metadata?.generation ?? 0) && (s.readyReplicas ?? 0) >= (spec?.replicas ?? 1);
  }
  async aggregateStatus(obj: KubeObject, _items: AggregatedStatusItem[]): Promise<KubeObject> {
    return obj;
  }
  async getDependencies(): Promise<[]> {
    return [];
  }
}

export interface MemberEnv {
  cp: TestApiServer;
  karmada: ObjectClient;
  sims: Map<string, SimCluster>;
  /** Admin client of a member. */
  member(name: string): ObjectClient;
  /** Sets the Cluster's Ready condition. */
  setReady(name: string, ready: boolean): Promise<void>;
  cleanup(): Promise<void>;
}

/** A control plane and kube-sim members registered as Ready Push clusters. */
export async function startMemberEnv(names: string[]): Promise<MemberEnv> {
  const cp = await startTestApiServer();
  const karmada = cp.client();
  await ensureClusterAPI(karmada);
  const sims = new Map<string, SimCluster>();
  const clients = new Map<string, ObjectClient>();
  const ensureNs = async (c: ObjectClient, name: string) => {
    try {
      await c.resource(NAMESPACES).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  };
  await ensureNs(karmada, 'karmada-cluster');
  const setReady = async (name: string, ready: boolean) => {
    const c = await karmada.resource<Cluster>(CLUSTERS).get(name);
    const cond = { type: 'Ready', status: ready ? 'True' : 'False', reason: ready ? 'ClusterReady' : 'ClusterNotReady', message: ready ? 'cluster is healthy and ready to accept workloads' : 'down', lastTransitionTime: metaTime() } as const;
    await karmada.resource<Cluster>(CLUSTERS).updateStatus({ ...c, status: { ...(c.status ?? {}), conditions: [cond] } });
  };
  for (const name of names) {
    const sim = await SimCluster.start({ name, nodes: 2, port: 0 });
    sims.set(name, sim);
    const kc = new KubeConfig();
    kc.loadFromString(sim.kubeconfig);
    clients.set(name, new ObjectClient(new RestClient(kc)));
    const user = kc.getCurrentUser()!;
    await karmada.resource(SECRETS).create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace: 'karmada-cluster' },
      data: { caBundle: kc.getCurrentCluster()!.caData!, 'tls.crt': user.certData!, 'tls.key': user.keyData! },
    } as KubeObject);
    await karmada.resource<Cluster>(CLUSTERS).create({
      apiVersion: 'cluster.karmada.io/v1alpha1',
      kind: 'Cluster',
      metadata: { name },
      spec: { syncMode: 'Push', apiEndpoint: sim.url, secretRef: { namespace: 'karmada-cluster', name } },
    });
    await setReady(name, true);
    await ensureNs(karmada, `karmada-es-${name}`);
  }
  return {
    cp,
    karmada,
    sims,
    member: (name) => clients.get(name)!,
    setReady,
    async cleanup() {
      for (const c of clients.values()) c.close();
      for (const s of sims.values()) await s.stop();
      await cp.cleanup();
    },
  };
}

/** A manifest as the binding controller renders it: managed label and the Work's annotations. */
export function managedManifest(obj: KubeObject, cluster: string, workName: string, extraAnnotations: Record<string, string> = {}): KubeObject {
  const out = structuredClone(obj);
  const md = (out.metadata ??= {});
  md.labels = { ...(md.labels ?? {}), [MANAGED_BY_KARMADA_LABEL]: 'true' };
  md.annotations = { ...(md.annotations ?? {}), [WORK_NAMESPACE_ANNOTATION]: `karmada-es-${cluster}`, [WORK_NAME_ANNOTATION]: workName, ...extraAnnotations };
  return out;
}

export function newWork(cluster: string, name: string, manifests: KubeObject[], spec: { suspendDispatching?: boolean; preserveResourcesOnDeletion?: boolean } = {}): Work {
  return {
    apiVersion: 'work.karmada.io/v1alpha1',
    kind: 'Work',
    metadata: { name, namespace: `karmada-es-${cluster}`, finalizers: ['karmada.io/execution-controller'] },
    spec: { workload: { manifests: manifests.map((m) => managedManifest(m, cluster, name)) }, ...spec },
  };
}

export { WORKS };
