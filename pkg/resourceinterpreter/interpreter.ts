// The resource interpreter the controllers use (Karmada's pkg/resourceinterpreter/interpreter.go):
// for each operation a ResourceInterpreterCustomization of the kind that defines it wins, then the
// built-in interpreter of the kind, then the default (no replicas, unchanged copies, whole status,
// healthy, no dependencies). Inputs are never mutated.

import type { Logger } from 'pino';
import { pino } from 'pino';
import type { ResourceInterpreterCustomization } from '../apis/config/v1alpha1/index.js';
import type { AggregatedStatusItem } from '../apis/work/v1alpha2/index.js';
import type { SharedInformerFactory } from '../runtime/factory.js';
import { RESOURCE_INTERPRETER_CUSTOMIZATIONS } from '../util/clusterapi.js';
import type { KubeObject } from '../runtime/types.js';
import { CustomizedInterpreter, findCustomization } from './customized/customization.js';
import type { DependentObjectReference, InterpreterOperation, ObjectGVK, ReplicaInterpretation, ResourceInterpreter } from './interface.js';
import type { AggregateContext } from './native/aggregatestatus.js';
import {
  aggregateStatusInterpreters,
  dependenciesInterpreters,
  healthInterpreters,
  nativeHookEnabled,
  reflectStatusInterpreters,
  reflectWholeStatus,
  replicaInterpreters,
  retainClusterFields,
  retainInterpreters,
  reviseReplicaInterpreters,
} from './native/index.js';
import { clone, gvkKey } from './native/util.js';

/** config.karmada.io/v1alpha1 resourceinterpretercustomizations (cluster-scoped). */
export { RESOURCE_INTERPRETER_CUSTOMIZATIONS };

export interface DefaultResourceInterpreterOptions {
  /** The customizations in force (read on every call, e.g. from an informer's cache). */
  customizations?: () => ResourceInterpreterCustomization[];
  logger?: Logger;
  /** Time limit of one Lua call (default 1000 ms). */
  timeoutMs?: number;
  /** Memory limit of a Lua VM during a call (default 64 MiB). */
  memoryLimitBytes?: number;
  /** How many customizations keep a compiled Lua VM (default 64). */
  maxVMs?: number;
  /** Clock for condition timestamps written by status aggregation (tests). */
  now?: () => Date;
}

const gvkOf = (obj: KubeObject): ObjectGVK => ({ apiVersion: obj.apiVersion ?? '', kind: obj.kind ?? '' });

export class DefaultResourceInterpreter implements ResourceInterpreter {
  private readonly customized: CustomizedInterpreter;
  private readonly customizations: () => ResourceInterpreterCustomization[];
  private readonly log: Logger;

  constructor(private readonly opts: DefaultResourceInterpreterOptions = {}) {
    this.customizations = opts.customizations ?? (() => []);
    this.log = opts.logger ?? pino({ level: 'silent' });
    this.customized = new CustomizedInterpreter({ timeoutMs: opts.timeoutMs, memoryLimitBytes: opts.memoryLimitBytes, maxVMs: opts.maxVMs, logger: this.log });
  }

  hookEnabled(gvk: ObjectGVK, operation: InterpreterOperation): boolean {
    return this.customizationFor(gvk, operation) !== undefined || nativeHookEnabled(gvk, operation);
  }

  async getReplicas(obj: KubeObject): Promise<ReplicaInterpretation> {
    const ric = this.customizationFor(gvkOf(obj), 'InterpretReplica');
    if (ric) return this.customized.getReplicas(ric, obj);
    const native = replicaInterpreters[gvkKey(obj.apiVersion, obj.kind)];
    return native ? native(obj) : { replicas: 0 };
  }

  async reviseReplica(obj: KubeObject, replicas: number): Promise<KubeObject> {
    const ric = this.customizationFor(gvkOf(obj), 'ReviseReplica');
    if (ric) return this.customized.reviseReplica(ric, obj, replicas);
    const native = reviseReplicaInterpreters[gvkKey(obj.apiVersion, obj.kind)];
    return native ? native(obj, replicas) : clone(obj);
  }

  /** The fields every object keeps from the member first, then the kind's own retention. */
  async retain(desired: KubeObject, observed: KubeObject): Promise<KubeObject> {
    const retained = retainClusterFields(desired, observed);
    const ric = this.customizationFor(gvkOf(desired), 'Retain');
    if (ric) return this.customized.retain(ric, retained, observed);
    const native = retainInterpreters[gvkKey(desired.apiVersion, desired.kind)];
    return native ? native(retained, observed) : retained;
  }

  async reflectStatus(observed: KubeObject): Promise<Record<string, unknown> | undefined> {
    const ric = this.customizationFor(gvkOf(observed), 'InterpretStatus');
    if (ric) return this.customized.reflectStatus(ric, observed);
    const native = reflectStatusInterpreters[gvkKey(observed.apiVersion, observed.kind)] ?? reflectWholeStatus;
    return native(observed);
  }

  async interpretHealth(observed: KubeObject): Promise<boolean> {
    const ric = this.customizationFor(gvkOf(observed), 'InterpretHealth');
    if (ric) return this.customized.interpretHealth(ric, observed);
    const native = healthInterpreters[gvkKey(observed.apiVersion, observed.kind)];
    return native ? native(observed) : true;
  }

  async aggregateStatus(obj: KubeObject, items: AggregatedStatusItem[]): Promise<KubeObject> {
    const ric = this.customizationFor(gvkOf(obj), 'AggregateStatus');
    if (ric) return this.customized.aggregateStatus(ric, obj, items);
    const native = aggregateStatusInterpreters[gvkKey(obj.apiVersion, obj.kind)];
    const ctx: AggregateContext = this.opts.now ? { now: this.opts.now() } : {};
    return native ? native(obj, items, ctx) : clone(obj);
  }

  async getDependencies(obj: KubeObject): Promise<DependentObjectReference[]> {
    const ric = this.customizationFor(gvkOf(obj), 'InterpretDependency');
    if (ric) return this.customized.getDependencies(ric, obj);
    const native = dependenciesInterpreters[gvkKey(obj.apiVersion, obj.kind)];
    return native ? native(obj) : [];
  }

  /** Closes the Lua VMs (call when the interpreter is no longer used). */
  close(): void {
    this.customized.close();
  }

  private customizationFor(gvk: ObjectGVK, operation: InterpreterOperation): ResourceInterpreterCustomization | undefined {
    let rics: ResourceInterpreterCustomization[];
    try {
      rics = this.customizations();
    } catch (err) {
      this.log.error({ err }, 'cannot list ResourceInterpreterCustomizations; using the built-in interpreters');
      return undefined;
    }
    return findCustomization(rics, gvk, operation);
  }
}

/**
 * An interpreter whose customizations come from the shared informer on
 * resourceinterpretercustomizations (started with the factory, so changes apply without restarts).
 */
export function newInformerBackedInterpreter(informers: SharedInformerFactory, logger?: Logger, opts: Omit<DefaultResourceInterpreterOptions, 'customizations' | 'logger'> = {}): DefaultResourceInterpreter {
  const informer = informers.informerFor<KubeObject>(RESOURCE_INTERPRETER_CUSTOMIZATIONS);
  return new DefaultResourceInterpreter({
    ...opts,
    logger,
    customizations: () => informer.indexer.list() as ResourceInterpreterCustomization[],
  });
}
