// What kube-controller-manager puts in every namespace: the `default` ServiceAccount (serviceaccount
// controller) and the `kube-root-ca.crt` ConfigMap with the cluster CA (root-ca-cert-publisher).

import { Controller, type SimContext } from './controller.js';
import type { Informer } from './informer.js';
import type { KubeObject } from './types.js';

export class ServiceAccountController extends Controller {
  private readonly namespaces: Informer<KubeObject>;
  private readonly serviceAccounts: Informer<KubeObject>;
  private readonly configMaps: Informer<KubeObject>;

  constructor(ctx: SimContext) {
    super('serviceaccount', ctx, 1);
    this.namespaces = ctx.informers.for(ctx.kinds.namespaces);
    this.serviceAccounts = ctx.informers.for(ctx.kinds.serviceAccounts);
    this.configMaps = ctx.informers.for(ctx.kinds.configMaps);
    this.namespaces.on((type, ns) => {
      if (type === 'put') this.queue.add(ns.metadata!.name!);
    });
    const onChild = (name: string) => (type: string, obj: KubeObject) => {
      if (type === 'delete' && obj.metadata?.name === name) this.queue.add(obj.metadata.namespace!);
    };
    this.serviceAccounts.on(onChild('default'));
    this.configMaps.on(onChild('kube-root-ca.crt'));
  }

  protected async reconcile(namespace: string): Promise<void> {
    const ns = this.namespaces.get(namespace);
    if (!ns || ns.metadata?.deletionTimestamp || (ns.status as { phase?: string } | undefined)?.phase === 'Terminating') return;
    const { client, kinds, caPem } = this.ctx;
    if (!this.serviceAccounts.get(`${namespace}/default`)) {
      await client.create(kinds.serviceAccounts, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace } }, 'kube-controller-manager');
    }
    const cm = this.configMaps.get(`${namespace}/kube-root-ca.crt`);
    if (!cm) {
      await client.create(kinds.configMaps, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'kube-root-ca.crt', namespace, annotations: { 'kubernetes.io/description': 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.' } },
        data: { 'ca.crt': caPem },
      }, 'kube-controller-manager');
    }
  }
}
