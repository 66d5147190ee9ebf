// Writes a binding's aggregated status onto its resource template's /status (Karmada
// pkg/controllers/status/common.go updateResourceStatus): the template is read live from the apiserver
// (the cache may lag and every stale write would be a conflict), the interpreter's AggregateStatus
// folds the member statuses into it, and /status is written only when it changed.
// A memo of what was last written per template spares the GET when nothing the result depends on has
// moved: the aggregated status, the template's resourceVersion recorded in the binding, and the template
// generation the Works were rendered from. A restart starts with an empty memo and recomputes.

import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Work } from '../../apis/work/v1alpha1/index.js';
import { RESOURCE_TEMPLATE_GENERATION_ANNOTATION, type AggregatedStatusItem, type ObjectReference } from '../../apis/work/v1alpha2/index.js';
import type { ResourceInterpreter } from '../../resourceinterpreter/interface.js';
import type { ObjectClient } from '../../runtime/client.js';
import { isConflict, isNotFound } from '../../runtime/rest.js';
import type { RESTMapper } from '../../runtime/restmapper.js';
import type { KubeObject } from '../../runtime/types.js';
import { deepEqual } from '../../util/deepequal.js';
import { getManifestIndex } from './aggregate.js';

/**
 * skipped: nothing to do for this kind (no interpreter hook, not served, no status subresource, template
 * gone or replaced); memo: unchanged since the last write (no request made); unchanged: read, nothing to
 * write; updated: /status written; conflict: the template changed under us (requeue).
 */
export type TemplateStatusOutcome = 'skipped' | 'memo' | 'unchanged' | 'updated' | 'conflict';

export interface TemplateStatusWriterOptions {
  client: ObjectClient;
  restMapper: RESTMapper;
  interpreter?: ResourceInterpreter;
  logger: Logger;
}

/** The template generations the Works' manifests were rendered from (sorted, joined). */
export function renderedTemplateGeneration(works: readonly Work[], ref: ObjectReference): string {
  const gens = new Set<string>();
  for (const w of works) {
    const i = getManifestIndex(w, ref);
    if (i < 0) continue;
    const md = (w.spec?.workload?.manifests?.[i]?.metadata ?? {}) as { annotations?: Record<string, string> };
    const g = md.annotations?.[RESOURCE_TEMPLATE_GENERATION_ANNOTATION];
    if (g) gens.add(g);
  }
  return [...gens].sort().join(',');
}

export class TemplateStatusWriter {
  /** template uid (or binding key when the binding has none) -> fingerprint of the last result */
  private readonly memo = new Map<string, string>();
  /** binding key -> memo key, to forget a deleted binding's entry */
  private readonly memoKeyOfBinding = new Map<string, string>();

  constructor(private readonly opts: TemplateStatusWriterOptions) {}

  /** Drops what is remembered for a binding (deleted, or to force a fresh read). */
  forget(bindingKey: string): void {
    const k = this.memoKeyOfBinding.get(bindingKey);
    if (k !== undefined) this.memo.delete(k);
    this.memoKeyOfBinding.delete(bindingKey);
  }

  get memoSize(): number {
    return this.memo.size;
  }

  /**
   * Aggregates items onto the template ref points at. Throws when the interpreter fails or the write is
   * refused for another reason than a conflict.
   */
  async sync(bindingKey: string, ref: ObjectReference, items: AggregatedStatusItem[], renderedGeneration = ''): Promise<TemplateStatusOutcome> {
    const interpreter = this.opts.interpreter;
    if (!interpreter || !interpreter.hookEnabled({ apiVersion: ref.apiVersion, kind: ref.kind }, 'AggregateStatus')) return 'skipped';

    const memoKey = ref.uid || `binding:${bindingKey}`;
    const fingerprint = createHash('sha1')
      .update(JSON.stringify(items))
      .update(`\u0000${ref.resourceVersion ?? ''}\u0000${renderedGeneration}`)
      .digest('base64');
    if (this.memo.get(memoKey) === fingerprint) return 'memo';

    const mapping = await this.opts.restMapper.mapping(ref.apiVersion, ref.kind);
    if (!mapping) {
      this.opts.logger.debug({ apiVersion: ref.apiVersion, kind: ref.kind }, 'template kind not served; not aggregating its status');
      return 'skipped';
    }
    // Kinds without a status subresource (ConfigMap, Secret, ...) have nothing to aggregate onto.
    if (!mapping.subresources.includes('status')) return 'skipped';

    const resource = this.opts.client.resource(mapping);
    let template: KubeObject;
    try {
      template = await resource.get(ref.name, { namespace: mapping.namespaced ? ref.namespace : undefined });
    } catch (err) {
      // the template is gone and the binding will be garbage collected with it
      if (isNotFound(err)) return 'skipped';
      throw err;
    }
    // a template deleted and re-created under the same name belongs to a new binding generation
    if (ref.uid && template.metadata?.uid !== ref.uid) return 'skipped';

    const aggregated = await interpreter.aggregateStatus(template, items);
    if (deepEqual(template.status, aggregated.status)) {
      this.remember(bindingKey, memoKey, fingerprint);
      return 'unchanged';
    }
    const desired: KubeObject = { ...template, status: aggregated.status };
    try {
      await resource.updateStatus(desired, { namespace: mapping.namespaced ? ref.namespace : undefined });
    } catch (err) {
      if (isConflict(err)) return 'conflict';
      if (isNotFound(err)) return 'skipped';
      throw err;
    }
    this.remember(bindingKey, memoKey, fingerprint);
    return 'updated';
  }

  private remember(bindingKey: string, memoKey: string, fingerprint: string): void {
    const prev = this.memoKeyOfBinding.get(bindingKey);
    if (prev !== undefined && prev !== memoKey) this.memo.delete(prev);
    this.memoKeyOfBinding.set(bindingKey, memoKey);
    this.memo.set(memoKey, fingerprint);
  }
}
