// ResourceInterpreterCustomizations (declarative/configurable.go): which customization handles an
// operation for a kind, and running its Lua rule. One VM per customization compiles each rule once;
// a changed customization gets a fresh VM, a VM whose script ran away (timeout, memory) is thrown
// away, and at most maxVMs VMs are kept (least recently used ones are closed).

import type { Logger } from 'pino';
import type { CustomizationRuleName, ResourceInterpreterCustomization } from '../../apis/config/v1alpha1/index.js';
import type { AggregatedStatusItem, ReplicaRequirements } from '../../apis/work/v1alpha2/index.js';
import type { KubeObject } from '../../runtime/types.js';
import type { DependentObjectReference, InterpreterOperation, ObjectGVK, ReplicaInterpretation } from '../interface.js';
import { sortDependencies } from '../native/podtemplate.js';
import { EMPTY_TABLE, resolveEmptyTables } from './convert.js';
import { kubeLibrary } from './kube.js';
import { LuaVM, isLuaRuntimeFailure, resetLuaRuntime, type LuaFunctionRef, type LuaVMOptions } from './luavm.js';

/** The customization rule and Lua function of each operation. */
export const RULES: Record<InterpreterOperation, { rule: CustomizationRuleName; fn: string }> = {
  Retain: { rule: 'retention', fn: 'Retain' },
  InterpretReplica: { rule: 'replicaResource', fn: 'GetReplicas' },
  ReviseReplica: { rule: 'replicaRevision', fn: 'ReviseReplica' },
  InterpretStatus: { rule: 'statusReflection', fn: 'ReflectStatus' },
  AggregateStatus: { rule: 'statusAggregation', fn: 'AggregateStatus' },
  InterpretHealth: { rule: 'healthInterpretation', fn: 'InterpretHealth' },
  InterpretDependency: { rule: 'dependencyInterpretation', fn: 'GetDependencies' },
};

export const DEFAULT_MAX_VMS = 64;

export function customizationName(ric: ResourceInterpreterCustomization): string {
  return ric.metadata?.name || `${ric.spec?.target?.apiVersion ?? ''}/${ric.spec?.target?.kind ?? ''}`;
}

export function ruleScript(ric: ResourceInterpreterCustomization, operation: InterpreterOperation): string {
  return ric.spec?.customizations?.[RULES[operation].rule]?.luaScript ?? '';
}

/** The customization of the kind that defines the operation (by name when several would; validation forbids that). */
export function findCustomization(rics: readonly ResourceInterpreterCustomization[], gvk: ObjectGVK, operation: InterpreterOperation): ResourceInterpreterCustomization | undefined {
  let found: ResourceInterpreterCustomization | undefined;
  for (const ric of rics) {
    if (ric.spec?.target?.apiVersion !== gvk.apiVersion || ric.spec?.target?.kind !== gvk.kind) continue;
    if (!ruleScript(ric, operation)) continue;
    if (!found || customizationName(ric) < customizationName(found)) found = ric;
  }
  return found;
}

export interface CustomizedInterpreterOptions {
  timeoutMs?: number;
  memoryLimitBytes?: number;
  /** How many customizations keep a VM (default 64). */
  maxVMs?: number;
  logger?: Logger;
  /** Where scripts' print() goes. */
  print?: (line: string) => void;
}

interface VMEntry {
  fingerprint: string;
  vm: Promise<LuaVM>;
  functions: Map<CustomizationRuleName, LuaFunctionRef>;
}

function luaTypeName(v: unknown): string {
  if (v === undefined) return 'nil';
  if (v === EMPTY_TABLE || typeof v === 'object') return 'table';
  return typeof v;
}

const isObject = (v: unknown): v is Record<string, unknown> => v === EMPTY_TABLE || (typeof v === 'object' && v !== null && !Array.isArray(v));

export class CustomizedInterpreter {
  private readonly vms = new Map<string, VMEntry>();
  private readonly maxVMs: number;
  private readonly vmOptions: LuaVMOptions;

  constructor(private readonly opts: CustomizedInterpreterOptions = {}) {
    this.maxVMs = Math.max(1, opts.maxVMs ?? DEFAULT_MAX_VMS);
    this.vmOptions = { timeoutMs: opts.timeoutMs, memoryLimitBytes: opts.memoryLimitBytes, libraries: { kube: kubeLibrary }, print: opts.print };
  }

  /** GetReplicas(desiredObj) → replica, requirement. */
  async getReplicas(ric: ResourceInterpreterCustomization, obj: KubeObject): Promise<ReplicaInterpretation> {
    const [replica, requirement] = await this.run(ric, 'InterpretReplica', [obj], 2, (results) => {
      const [r, req] = results;
      if (typeof r !== 'number') throw new Error(`expect the returned replica type is number but got ${luaTypeName(r)}`);
      if (req !== undefined && !isObject(req)) throw new Error(`expect the returned requires type is table but got ${luaTypeName(req)}`);
      return [Math.trunc(r), req === undefined ? undefined : resolveEmptyTables(req, [], 'object')];
    });
    return requirement === undefined ? { replicas: replica as number } : { replicas: replica as number, requirements: requirement as ReplicaRequirements };
  }

  /** ReviseReplica(desiredObj, desiredReplica) → desiredObj. */
  async reviseReplica(ric: ResourceInterpreterCustomization, obj: KubeObject, replicas: number): Promise<KubeObject> {
    return this.runObject(ric, 'ReviseReplica', [obj, replicas], [obj]);
  }

  /** Retain(desiredObj, observedObj) → desiredObj. */
  async retain(ric: ResourceInterpreterCustomization, desired: KubeObject, observed: KubeObject): Promise<KubeObject> {
    return this.runObject(ric, 'Retain', [desired, observed], [desired, observed]);
  }

  /** AggregateStatus(desiredObj, statusItems) → desiredObj. */
  async aggregateStatus(ric: ResourceInterpreterCustomization, obj: KubeObject, items: AggregatedStatusItem[]): Promise<KubeObject> {
    // a member's status fields land under the template's status
    const references = [obj, ...items.map((i) => ({ status: i.status }))];
    return this.runObject(ric, 'AggregateStatus', [obj, items], references);
  }

  /** ReflectStatus(observedObj) → status (nil: nothing to report). */
  async reflectStatus(ric: ResourceInterpreterCustomization, observed: KubeObject): Promise<Record<string, unknown> | undefined> {
    const [status] = await this.run(ric, 'InterpretStatus', [observed], 1, ([s]) => {
      if (s === undefined) return [undefined];
      if (!isObject(s)) throw new Error(`expect the returned status type is table but got ${luaTypeName(s)}`);
      return [resolveEmptyTables(s, [observed['status'] ?? {}], 'object')];
    });
    return status as Record<string, unknown> | undefined;
  }

  /** InterpretHealth(observedObj) → bool. */
  async interpretHealth(ric: ResourceInterpreterCustomization, observed: KubeObject): Promise<boolean> {
    const [healthy] = await this.run(ric, 'InterpretHealth', [observed], 1, ([h]) => {
      if (typeof h !== 'boolean') throw new Error(`expect the returned health type is boolean but got ${luaTypeName(h)}`);
      return [h];
    });
    return healthy as boolean;
  }

  /** GetDependencies(desiredObj) → a list of {apiVersion, kind, namespace, name | labelSelector}. */
  async getDependencies(ric: ResourceInterpreterCustomization, obj: KubeObject): Promise<DependentObjectReference[]> {
    const [deps] = await this.run(ric, 'InterpretDependency', [obj], 1, ([d]) => {
      if (d === undefined) return [[]];
      const list = resolveEmptyTables(d, [], 'array');
      if (!Array.isArray(list)) throw new Error(`expect the returned dependencies to be a list of tables but got a table with keys ${Object.keys(list as object).join(', ')}`);
      return [list.map((dep, i) => validDependency(dep, i))];
    });
    return sortDependencies(deps as DependentObjectReference[]);
  }

  /** Closes every VM. */
  close(): void {
    for (const name of [...this.vms.keys()]) this.drop(name);
  }

  private async runObject(ric: ResourceInterpreterCustomization, operation: InterpreterOperation, args: unknown[], references: unknown[]): Promise<KubeObject> {
    const [obj] = await this.run(ric, operation, args, 1, ([o]) => {
      if (!isObject(o)) throw new Error(`expect the returned object type is table but got ${luaTypeName(o)}`);
      return [resolveEmptyTables(o, references, 'object')];
    });
    return obj as KubeObject;
  }

  /** Compiles (once) and calls the rule's function; every failure names the customization and the function. */
  private async run(ric: ResourceInterpreterCustomization, operation: InterpreterOperation, args: unknown[], nresults: number, check: (results: unknown[]) => unknown[]): Promise<unknown[]> {
    const name = customizationName(ric);
    const { rule, fn } = RULES[operation];
    const script = ruleScript(ric, operation);
    try {
      if (!script) throw new Error(`no ${rule} rule`);
      for (let attempt = 0; ; attempt++) {
        const entry = this.entry(ric);
        const vm = await entry.vm;
        // a concurrent call may have closed this VM after a runaway script; take a fresh one
        if (vm.isClosed && attempt === 0) {
          this.drop(name, entry);
          continue;
        }
        try {
          let ref = entry.functions.get(rule);
          if (ref === undefined) {
            ref = vm.compile(rule, script, fn);
            entry.functions.set(rule, ref);
          }
          return check(vm.call(ref, args, nresults));
        } finally {
          if (vm.poisoned) {
            this.opts.logger?.warn({ customization: name, function: fn }, 'discarding the Lua VM of a customization whose script ran out of time or memory');
            this.drop(name, entry);
          }
        }
      }
    } catch (err) {
      if (isLuaRuntimeFailure(err)) {
        // the shared WebAssembly instance is unusable: start over with a fresh one
        this.opts.logger?.error({ err, customization: name }, 'the Lua runtime failed; restarting it');
        this.close();
        resetLuaRuntime();
      }
      throw new Error(`ResourceInterpreterCustomization ${name}: ${fn}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private entry(ric: ResourceInterpreterCustomization): VMEntry {
    const name = customizationName(ric);
    // objects from the API server change resourceVersion with every change; files have none
    const { uid, resourceVersion } = ric.metadata ?? {};
    const fingerprint = uid && resourceVersion ? `${uid}/${resourceVersion}` : JSON.stringify([ric.spec?.target, ric.spec?.customizations]);
    let entry = this.vms.get(name);
    if (entry && entry.fingerprint !== fingerprint) {
      this.drop(name, entry);
      entry = undefined;
    }
    if (entry) {
      // most recently used last
      this.vms.delete(name);
      this.vms.set(name, entry);
      return entry;
    }
    const created: VMEntry = { fingerprint, vm: LuaVM.create(this.vmOptions), functions: new Map() };
    created.vm.catch(() => this.vms.get(name) === created && this.vms.delete(name));
    this.vms.set(name, created);
    this.opts.logger?.debug({ customization: name }, 'created a Lua VM for a customization');
    while (this.vms.size > this.maxVMs) this.drop(this.vms.keys().next().value as string);
    return created;
  }

  private drop(name: string, entry = this.vms.get(name)): void {
    if (!entry) return;
    if (this.vms.get(name) === entry) this.vms.delete(name);
    entry.vm.then((vm) => vm.close()).catch(() => undefined);
  }
}

function validDependency(dep: unknown, i: number): DependentObjectReference {
  if (typeof dep !== 'object' || dep === null || Array.isArray(dep)) throw new Error(`dependency ${i + 1} is not a table`);
  const d = dep as Record<string, unknown>;
  if (typeof d['apiVersion'] !== 'string' || !d['apiVersion']) throw new Error(`dependency ${i + 1} has no apiVersion`);
  if (typeof d['kind'] !== 'string' || !d['kind']) throw new Error(`dependency ${i + 1} has no kind`);
  if (!d['name'] && !d['labelSelector']) throw new Error(`dependency ${i + 1} (${d['kind']}) has neither name nor labelSelector`);
  return d as unknown as DependentObjectReference;
}
