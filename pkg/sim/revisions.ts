// ControllerRevisions for StatefulSets and DaemonSets: each distinct pod template is stored once as
// <owner>-<hash> with an increasing revision number (what `kubectl rollout history` reads), so pods of an
// older revision can still be created from their own template during a partitioned rollout.

import type { ResourceDescriptor } from '../apiserver/registry/types.js';
import type { SimContext } from './controller.js';
import { computeHash } from './hash.js';
import type { Informer } from './informer.js';
import { controllerOf, controllerRef } from './podutil.js';
import type { KubeObject, PodTemplate, Workload } from './types.js';

const FIELD_MANAGER = 'kube-controller-manager';
export const REVISION_HASH_LABEL = 'controller-revision-hash';

export interface ControllerRevision extends KubeObject {
  data?: { spec?: { template?: PodTemplate & { $patch?: string } } };
  revision?: number;
}

export function revisionsByOwner(inf: Informer<ControllerRevision>): Informer<ControllerRevision> {
  return inf.addIndex('controller-uid', (cr) => {
    const uid = controllerOf(cr)?.uid;
    return uid ? [uid] : [];
  });
}

export function templateHashOf(template: PodTemplate | undefined): string {
  return computeHash(template ?? {});
}

export class Revisions {
  readonly informer: Informer<ControllerRevision>;

  constructor(private readonly ctx: SimContext) {
    this.informer = revisionsByOwner(ctx.informers.for<ControllerRevision>(ctx.kinds.controllerRevisions));
  }

  ownedBy(owner: Workload): ControllerRevision[] {
    return this.informer.byIndex('controller-uid', owner.metadata!.uid!).filter((cr) => cr.metadata?.namespace === owner.metadata?.namespace);
  }

  /** The revision for the owner's current template, created when missing. */
  async ensure(owner: Workload, ownerDescriptor: ResourceDescriptor): Promise<{ name: string; hash: string; revision: number }> {
    const hash = templateHashOf(owner.spec?.template);
    const name = `${owner.metadata!.name}-${hash}`;
    const owned = this.ownedBy(owner);
    const existing = owned.find((cr) => cr.metadata?.name === name);
    if (existing) return { name, hash, revision: existing.revision ?? 0 };
    const revision = Math.max(0, ...owned.map((cr) => cr.revision ?? 0)) + 1;
    const selectorLabels = owner.spec?.selector?.matchLabels ?? {};
    const cr: ControllerRevision = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name,
        namespace: owner.metadata!.namespace,
        labels: { ...selectorLabels, [REVISION_HASH_LABEL]: hash },
        ownerReferences: [controllerRef(owner, ownerDescriptor)],
      },
      data: { spec: { template: { ...structuredClone(owner.spec?.template ?? {}), $patch: 'replace' } } },
      revision,
    };
    await this.ctx.client.create(this.ctx.kinds.controllerRevisions, cr, FIELD_MANAGER);
    return { name, hash, revision };
  }

  /** The pod template stored in a revision of the owner (undefined when unknown). */
  template(owner: Workload, revisionName: string): PodTemplate | undefined {
    const cr = this.ownedBy(owner).find((c) => c.metadata?.name === revisionName);
    const t = cr?.data?.spec?.template;
    if (!t) return undefined;
    const { $patch: _p, ...template } = t;
    return template;
  }

  /** Deletes revisions beyond the history limit that no pod uses. */
  async prune(owner: Workload, keep: Set<string>, limit: number): Promise<void> {
    const unused = this.ownedBy(owner)
      .filter((cr) => !keep.has(cr.metadata!.name!))
      .sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
    for (const cr of unused.slice(0, Math.max(0, unused.length - limit))) {
      await this.ctx.client.delete(this.ctx.kinds.controllerRevisions, cr.metadata!.namespace, cr.metadata!.name!, cr.metadata!.uid);
    }
  }
}
