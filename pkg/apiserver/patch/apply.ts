// Server-side apply (application/apply-patch+yaml) and managedFields bookkeeping for other writes,
// following k8s.io/apimachinery/pkg/util/managedfields and sigs.k8s.io/structured-merge-diff:
//
// Apply: the applied configuration is merged into the live object; its field set becomes the
// applier's entry; fields the applier owned before and no longer applies are removed unless some
// manager still owns them; a field owned by another manager that the apply changes is a conflict
// (409 unless force, which moves ownership to the applier).
//
// Update (create/update/patch/subresource writes): the fields that changed move to the writing
// manager, as an Update entry for its apiVersion.

import type { JSONSchemaProps } from '../schema/types.js';
import type { KubeObject } from '../registry/types.js';
import { PatchError, badRequest } from './errors.js';
import { FieldSet, pathString, type Path } from './fieldpath.js';
import {
  STRIPPED_FIELDS,
  capUpdateManagers,
  decodeManagedFields,
  decodeOrEmpty,
  encodeManagedFields,
  managerId,
  ManagedFieldsDecodeError,
  type ManagerEntry,
  type Managers,
  type Operation,
} from './managedfields.js';
import { rootSchema } from './schemanav.js';
import { compare, merge, removeItems, toFieldSet, type Comparison } from './typed.js';
import { deepClone, deepEqual, isObject, stableStringify, type JSONObject } from './util.js';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
/** Manager that owns every field of an object that had no managedFields when first applied to. */
export const BEFORE_FIRST_APPLY_MANAGER = 'before-first-apply';
/** kubectl's default server-side apply manager; Kubernetes special-cases it for CSA -> SSA upgrades. */
export const KUBECTL_SSA_MANAGER = 'kubectl';

export interface Conflict {
  /** The conflicting manager's name, e.g. "kubectl-client-side-apply". */
  manager: string;
  operation: Operation;
  /** The conflicting entry's apiVersion (Update entries only). */
  apiVersion?: string;
  subresource?: string;
  /** The field as Kubernetes prints it: `.spec.replicas`, `.spec.containers[name="nginx"].image`. */
  field: string;
}

export interface ServerSideApplyOptions {
  /** The stored object, or undefined when the apply creates it. */
  live: KubeObject | undefined;
  /** The applied configuration (the request body). */
  applied: KubeObject;
  manager: string;
  force: boolean;
  /** Root schema of the kind (undefined: untyped, maps granular and lists atomic). */
  schema: JSONSchemaProps | undefined;
  /** apiVersion of the endpoint, e.g. "apps/v1". */
  apiVersion: string;
  /** When given, the applied kind must match (Kubernetes answers 400 "invalid object type"). */
  kind?: string;
  /** RFC 3339 time for the applier's managedFields entry. */
  now: string;
  /** "status" etc. when applying to a subresource. */
  subresource?: string;
  /**
   * Paths the strategy resets and nobody can own here, e.g. [['status']] on the main resource of a
   * kind with a status subresource, or [['spec'], ['metadata']] on /status.
   */
  ignoredFields?: string[][];
}

export interface ServerSideApplyResult {
  /** The object to persist (managedFields set), or the unchanged live object when conflicts is set. */
  object: KubeObject;
  /** Set when the apply conflicts and force is false: answer 409 with conflictMessage(conflicts). */
  conflicts?: Conflict[];
  /** Whether the object (ignoring managedFields) differs from live. */
  changed: boolean;
}

export interface UpdateManagedFieldsOptions {
  /** The stored object before the write (undefined on create). */
  old: KubeObject | undefined;
  /** The object about to be stored. */
  updated: KubeObject;
  manager: string;
  schema: JSONSchemaProps | undefined;
  apiVersion: string;
  now: string;
  subresource?: string;
  ignoredFields?: string[][];
}

function ignoredSet(paths: string[][] | undefined): FieldSet {
  return FieldSet.fromFieldNames(paths ?? []);
}

function withoutManagedFields(obj: KubeObject): KubeObject {
  const o = deepClone(obj);
  if (isObject(o.metadata)) delete (o.metadata as JSONObject).managedFields;
  return o;
}

function filterManaged(set: FieldSet, ignored: FieldSet): FieldSet {
  return set.difference(STRIPPED_FIELDS).recursiveDifference(ignored);
}

function filterComparison(c: Comparison, ignored: FieldSet): Comparison {
  return {
    added: c.added.recursiveDifference(ignored),
    modified: c.modified.recursiveDifference(ignored),
    removed: c.removed.recursiveDifference(ignored),
  };
}

function setManagedFields(obj: KubeObject, managers: Managers): void {
  const entries = encodeManagedFields(managers);
  if (entries.length === 0) {
    if (isObject(obj.metadata)) delete obj.metadata.managedFields;
    return;
  }
  if (!isObject(obj.metadata)) obj.metadata = {};
  obj.metadata!.managedFields = entries;
}

interface InternalConflict {
  id: string;
  entry: ManagerEntry;
  path: Path;
}

function toConflicts(list: InternalConflict[]): Conflict[] {
  return list.map(({ entry, path }) => {
    const c: Conflict = { manager: entry.manager, operation: entry.operation, field: pathString(path) };
    if (entry.operation === 'Update' && entry.apiVersion) c.apiVersion = entry.apiVersion;
    if (entry.subresource) c.subresource = entry.subresource;
    return c;
  });
}

/**
 * Ownership changes of a write from oldObj to newObj for every manager but `self`: fields the
 * write changed or added leave their owners (conflicts, returned when !force), removed fields
 * leave everyone. Mutates managers only when there is no blocking conflict.
 */
function updateOwnership(
  managers: Managers,
  self: string,
  cmp: Comparison,
  force: boolean,
): InternalConflict[] | undefined {
  const changed = cmp.modified.union(cmp.added);
  const conflicts = new Map<string, FieldSet>();
  for (const [id, e] of managers) {
    if (id === self) continue;
    const cs = e.set.intersection(changed);
    if (!cs.isEmpty()) conflicts.set(id, cs);
  }
  if (!force && conflicts.size > 0) {
    const out: InternalConflict[] = [];
    for (const id of [...conflicts.keys()].sort()) {
      const entry = managers.get(id)!;
      for (const path of conflicts.get(id)!.paths()) out.push({ id, entry, path });
    }
    return out;
  }
  for (const [id, cs] of conflicts) {
    const e = managers.get(id)!;
    managers.set(id, { ...e, set: e.set.difference(cs) });
  }
  if (!cmp.removed.isEmpty()) {
    for (const [id, e] of managers) {
      if (id === self) continue;
      managers.set(id, { ...e, set: e.set.difference(cmp.removed) });
    }
  }
  for (const [id, e] of [...managers]) if (e.set.isEmpty()) managers.delete(id);
  return undefined;
}

interface ApplyCoreResult {
  object?: KubeObject;
  managers?: Managers;
  conflicts?: InternalConflict[];
}

function applyCore(
  base: KubeObject,
  applied: KubeObject,
  managersIn: Managers,
  self: ManagerEntry,
  force: boolean,
  root: JSONSchemaProps,
  ignored: FieldSet,
): ApplyCoreResult {
  const managers: Managers = new Map(managersIn);
  const id = managerId(self);
  let merged = merge(base, applied, root) as KubeObject;

  const last = managers.get(id);
  const newSet = filterManaged(toFieldSet(applied, root), ignored);
  managers.set(id, { ...self, time: last?.time, set: newSet });

  // Prune: what the applier owned last time and no manager (the applier's new set included) owns now.
  if (last && !last.set.isEmpty()) {
    let owned = new FieldSet();
    for (const e of managers.values()) owned = owned.union(e.set);
    const toRemove = last.set
      .ensureNamedFieldsAreMembers(root)
      .difference(owned.ensureNamedFieldsAreMembers(root))
      .difference(STRIPPED_FIELDS);
    if (!toRemove.isEmpty()) merged = removeItems(merged, toRemove, root) as KubeObject;
  }

  const cmp = filterComparison(compare(base, merged, root), ignored);
  const conflicts = updateOwnership(managers, id, cmp, force);
  if (conflicts) return { conflicts };
  const mine = managers.get(id);
  if (mine && mine.set.isEmpty()) managers.delete(id);
  return { object: merged, managers };
}

/** Fields of the last-applied annotation whose values the live object still has (Kubernetes' lastAppliedManager). */
function allowedConflictsFromLastApplied(live: KubeObject, apiVersion: string, root: JSONSchemaProps): FieldSet | undefined {
  const raw = (live.metadata?.annotations as Record<string, unknown> | undefined)?.[LAST_APPLIED_ANNOTATION];
  if (typeof raw !== 'string' || raw === '') return undefined;
  let lastApplied: unknown;
  try {
    lastApplied = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!isObject(lastApplied) || lastApplied.apiVersion !== apiVersion) return undefined;
  const set = toFieldSet(lastApplied, root);
  const cmp = compare(lastApplied, live, root);
  return set.difference(cmp.modified).difference(cmp.added).difference(cmp.removed);
}

/** The last-applied annotation value server-side apply writes: the applied object without it, as JSON. */
function buildLastApplied(applied: KubeObject): string {
  const obj = deepClone(applied);
  const ann = obj.metadata?.annotations;
  if (isObject(ann)) delete (ann as JSONObject)[LAST_APPLIED_ANNOTATION];
  return `${stableStringify(obj)}\n`;
}

function parseGroupVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/**
 * Server-side apply. Throws PatchError (400) for an applied object Kubernetes rejects outright
 * (wrong apiVersion or kind, managedFields set). Conflicts come back in the result.
 */
export function serverSideApply(opts: ServerSideApplyOptions): ServerSideApplyResult {
  const { live, applied, manager, force, apiVersion, now } = opts;
  const subresource = opts.subresource ?? '';
  const root = rootSchema(opts.schema);
  const ignored = ignoredSet(opts.ignoredFields);

  if (!isObject(applied)) throw badRequest('apply patch must be a JSON or YAML object');
  const appliedVersion = typeof applied.apiVersion === 'string' ? applied.apiVersion : '';
  if (opts.kind !== undefined && (appliedVersion !== apiVersion || applied.kind !== opts.kind)) {
    const gv = parseGroupVersion(appliedVersion);
    throw badRequest(`invalid object type: ${gv.group}/${gv.version}, Kind=${typeof applied.kind === 'string' ? applied.kind : ''}`);
  }
  if (appliedVersion !== apiVersion) {
    throw badRequest(
      `Incorrect version specified in apply patch. Specified patch version: ${appliedVersion}, expected: ${apiVersion}`,
    );
  }
  const meta = applied.metadata;
  if (isObject(meta) && meta.managedFields !== undefined && meta.managedFields !== null) {
    throw badRequest('metadata.managedFields must be nil');
  }

  const base: KubeObject = live ? withoutManagedFields(live) : {};
  let managers: Managers;
  try {
    managers = live ? decodeManagedFields(live.metadata?.managedFields) : new Map();
  } catch (e) {
    if (e instanceof ManagedFieldsDecodeError) throw new PatchError(`failed to decode managed fields: ${e.message}`, 500, 'InternalError');
    throw e;
  }

  // An object that predates field management: everything it has belongs to "before-first-apply".
  if (live && managers.size === 0) {
    const set = filterManaged(compare({}, base, root).added, ignored);
    if (!set.isEmpty()) {
      const bfa: ManagerEntry = { manager: BEFORE_FIRST_APPLY_MANAGER, operation: 'Update', apiVersion, subresource: '', time: now, set };
      managers.set(managerId(bfa), bfa);
    }
  }

  const self: ManagerEntry = { manager, operation: 'Apply', apiVersion, subresource, set: new FieldSet() };
  let r = applyCore(base, applied, managers, self, force, root, ignored);

  // Upgrading from client-side apply: kubectl's own conflicts on fields whose last-applied values
  // are still live are forced through.
  if (r.conflicts && manager === KUBECTL_SSA_MANAGER && live) {
    const allowed = allowedConflictsFromLastApplied(base, apiVersion, root);
    if (allowed) {
      const remaining = r.conflicts.filter((c) => !allowed.has(c.path));
      r = remaining.length === 0 ? applyCore(base, applied, managers, self, true, root, ignored) : { conflicts: remaining };
    }
  }

  if (r.conflicts) return { object: deepClone(live ?? {}), conflicts: toConflicts(r.conflicts), changed: false };

  const object = r.object!;
  const out = r.managers!;
  const changed = !deepEqual(object, base);
  const id = managerId(self);
  const mine = out.get(id);
  if (mine && (changed || !mine.time)) out.set(id, { ...mine, time: now });

  // Keep the client-side apply annotation in step when kubectl applies server-side.
  if (manager === KUBECTL_SSA_MANAGER) {
    const ann = object.metadata?.annotations as Record<string, unknown> | undefined;
    if (isObject(ann) && typeof ann[LAST_APPLIED_ANNOTATION] === 'string' && ann[LAST_APPLIED_ANNOTATION] !== '') {
      ann[LAST_APPLIED_ANNOTATION] = buildLastApplied(applied);
    }
  }

  setManagedFields(object, out);
  return { object, changed };
}

function isResetManagedFields(mf: unknown): boolean {
  if (!Array.isArray(mf)) return false;
  if (mf.length === 0) return true;
  return mf.length === 1 && isObject(mf[0]) && Object.keys(mf[0]).length === 0;
}

/**
 * managedFields for a non-apply write (create, update, patch): fields the write changed move to
 * `manager` as an Update entry. A request that sets metadata.managedFields itself (not on a
 * subresource) replaces the tracked entries (`[]` or `[{}]` resets them). Returns a copy of
 * `updated` with metadata.managedFields set.
 */
export function updateManagedFieldsForUpdate(opts: UpdateManagedFieldsOptions): KubeObject {
  const { old, updated, manager, apiVersion, now } = opts;
  const subresource = opts.subresource ?? '';
  const root = rootSchema(opts.schema);
  const ignored = ignoredSet(opts.ignoredFields);

  let managers: Managers;
  const requested = updated.metadata?.managedFields;
  if (subresource) {
    managers = decodeOrEmpty(old?.metadata?.managedFields);
  } else if (isResetManagedFields(requested)) {
    managers = new Map();
  } else {
    let fromRequest: Managers | undefined;
    try {
      fromRequest = decodeManagedFields(requested);
    } catch {
      fromRequest = undefined;
    }
    managers = fromRequest && fromRequest.size > 0 ? fromRequest : decodeOrEmpty(old?.metadata?.managedFields);
  }

  const newObj = withoutManagedFields(updated);
  const oldObj: KubeObject = old ? withoutManagedFields(old) : {};
  const cmp = filterComparison(compare(oldObj, newObj, root), ignored);

  updateOwnership(managers, '', cmp, true);

  const selfSet = filterManaged(cmp.modified.union(cmp.added), ignored);
  if (!selfSet.isEmpty()) {
    const id = managerId({ manager, operation: 'Update', apiVersion, subresource });
    const prev = managers.get(id);
    managers.set(id, {
      manager,
      operation: 'Update',
      apiVersion,
      subresource,
      time: now,
      set: prev ? prev.set.union(selfSet) : selfSet,
    });
  }
  capUpdateManagers(managers);
  setManagedFields(newObj, managers);
  return newObj;
}

/** Kubernetes' message for an apply conflict (the 409 Status message). */
export function conflictMessage(conflicts: Conflict[]): string {
  if (conflicts.length === 1) {
    return `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0])}: ${conflicts[0].field}`;
  }
  const byManager = new Map<string, { c: Conflict; fields: string[] }>();
  for (const c of conflicts) {
    const id = managerId({ manager: c.manager, operation: c.operation, apiVersion: c.apiVersion, subresource: c.subresource });
    const g = byManager.get(id) ?? { c, fields: [] };
    g.fields.push(c.field);
    byManager.set(id, g);
  }
  const lines: string[] = [];
  for (const id of [...byManager.keys()].sort()) {
    const g = byManager.get(id)!;
    lines.push(`conflicts with ${printManager(g.c)}:`);
    for (const f of g.fields) lines.push(`- ${f}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}

/** The Status causes Kubernetes attaches to an apply conflict. */
export function conflictCauses(conflicts: Conflict[]): { reason: string; message: string; field: string }[] {
  return conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${printManager(c)}`, field: c.field }));
}

function printManager(c: Conflict): string {
  let s = JSON.stringify(c.manager);
  if (c.subresource) s += ` with subresource ${JSON.stringify(c.subresource)}`;
  if (c.operation === 'Update') s += ` using ${c.apiVersion ?? ''}`;
  return s;
}

/** Metadata the server owns; a handler may drop these from an applied configuration before merging. */
export const SYSTEM_METADATA_FIELDS = [
  'managedFields',
  'resourceVersion',
  'uid',
  'creationTimestamp',
  'generation',
  'selfLink',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
] as const;

/**
 * A copy of obj without the server-owned metadata above (and without status when asked), for a
 * handler that wants to apply only what a client may set.
 */
export function stripSystemFields<T extends KubeObject>(obj: T, opts: { status?: boolean } = {}): T {
  const o = deepClone(obj);
  if (isObject(o.metadata)) {
    for (const f of SYSTEM_METADATA_FIELDS) delete (o.metadata as JSONObject)[f];
  }
  if (opts.status) delete (o as JSONObject).status;
  return o;
}
