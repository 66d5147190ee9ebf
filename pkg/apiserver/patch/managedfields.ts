// metadata.managedFields: decoding into per-manager field sets, encoding back (sorted as
// kube-apiserver sorts them), manager identity, and capping the number of Update entries.

import type { ManagedFieldsEntry } from '../registry/types.js';
import { FieldSet, field, type Path } from './fieldpath.js';
import { isObject } from './util.js';

export type Operation = 'Apply' | 'Update';

export interface ManagerEntry {
  manager: string;
  operation: Operation;
  apiVersion: string;
  subresource: string;
  time?: string;
  set: FieldSet;
}

export type Managers = Map<string, ManagerEntry>;

/**
 * A manager's identity, as Kubernetes' BuildManagerIdentifier encodes it: the entry without
 * fields and time, and without apiVersion for appliers (so one applier has one entry whatever
 * version it applies).
 */
export function managerId(e: { manager: string; operation: Operation; apiVersion?: string; subresource?: string }): string {
  const o: Record<string, string> = {};
  if (e.manager) o.manager = e.manager;
  o.operation = e.operation;
  if (e.operation !== 'Apply' && e.apiVersion) o.apiVersion = e.apiVersion;
  if (e.subresource) o.subresource = e.subresource;
  return JSON.stringify(o);
}

export class ManagedFieldsDecodeError extends Error {}

export function decodeManagedFields(entries: unknown): Managers {
  const out: Managers = new Map();
  if (entries === undefined || entries === null) return out;
  if (!Array.isArray(entries)) throw new ManagedFieldsDecodeError('managedFields must be a list');
  for (const raw of entries) {
    if (!isObject(raw)) throw new ManagedFieldsDecodeError('managedFields entry must be an object');
    const operation = raw.operation;
    if (operation !== 'Apply' && operation !== 'Update') {
      throw new ManagedFieldsDecodeError(`invalid operation ${JSON.stringify(operation)} in managedFields entry`);
    }
    if (raw.fieldsType !== undefined && raw.fieldsType !== 'FieldsV1') {
      throw new ManagedFieldsDecodeError(`invalid fieldsType ${JSON.stringify(raw.fieldsType)} in managedFields entry`);
    }
    let set: FieldSet;
    try {
      set = FieldSet.fromFieldsV1(raw.fieldsV1);
    } catch (e) {
      throw new ManagedFieldsDecodeError(`error decoding fieldsV1: ${(e as Error).message}`);
    }
    const entry: ManagerEntry = {
      manager: typeof raw.manager === 'string' ? raw.manager : '',
      operation,
      apiVersion: typeof raw.apiVersion === 'string' ? raw.apiVersion : '',
      subresource: typeof raw.subresource === 'string' ? raw.subresource : '',
      time: typeof raw.time === 'string' ? raw.time : undefined,
      set,
    };
    out.set(managerId(entry), entry);
  }
  return out;
}

/** Decodes, answering an empty set of managers for anything malformed. */
export function decodeOrEmpty(entries: unknown): Managers {
  try {
    return decodeManagedFields(entries);
  } catch {
    return new Map();
  }
}

function seconds(t: string | undefined): number {
  if (!t) return 0;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** managedFields entries in Kubernetes' order: Apply before Update, then by time, manager, version. */
export function encodeManagedFields(managers: Managers): ManagedFieldsEntry[] {
  const entries = [...managers.values()].filter((e) => !e.set.isEmpty());
  entries.sort(
    (p, q) =>
      cmpStr(p.operation, q.operation) ||
      seconds(p.time) - seconds(q.time) ||
      cmpStr(p.manager, q.manager) ||
      cmpStr(p.apiVersion, q.apiVersion) ||
      cmpStr(p.subresource, q.subresource),
  );
  return entries.map((e) => {
    const out: ManagedFieldsEntry = {};
    if (e.manager) out.manager = e.manager;
    out.operation = e.operation;
    if (e.apiVersion) out.apiVersion = e.apiVersion;
    if (e.time) out.time = e.time;
    out.fieldsType = 'FieldsV1';
    out.fieldsV1 = e.set.toFieldsV1();
    if (e.subresource) out.subresource = e.subresource;
    return out;
  });
}

/** Fields managedFields never tracks (Kubernetes' stripMeta). Removed as exact paths, not subtrees. */
export const STRIPPED_FIELDS: FieldSet = FieldSet.of(
  ...(
    [
      ['apiVersion'],
      ['kind'],
      ['metadata'],
      ['metadata', 'name'],
      ['metadata', 'namespace'],
      ['metadata', 'creationTimestamp'],
      ['metadata', 'selfLink'],
      ['metadata', 'uid'],
      ['metadata', 'clusterName'],
      ['metadata', 'generation'],
      ['metadata', 'managedFields'],
      ['metadata', 'resourceVersion'],
    ] as string[][]
  ).map((p): Path => p.map(field)),
);

export const DEFAULT_MAX_UPDATE_MANAGERS = 10;
const ANCIENT_CHANGES = 'ancient-changes';

/**
 * Merges the oldest Update entries into per-version "ancient-changes" buckets while there are
 * more than max of them (Kubernetes' capManagersManager).
 */
export function capUpdateManagers(managers: Managers, max = DEFAULT_MAX_UPDATE_MANAGERS): void {
  const updaters = [...managers.entries()].filter(([, e]) => e.operation === 'Update').map(([id]) => id);
  if (updaters.length <= max) return;
  updaters.sort((a, b) => seconds(managers.get(a)!.time) - seconds(managers.get(b)!.time) || cmpStr(a, b));
  const firstByVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > max; i++) {
    const id = updaters[i];
    const e = managers.get(id)!;
    const version = e.apiVersion;
    const bucketId = managerId({ manager: ANCIENT_CHANGES, operation: 'Update', apiVersion: version });
    const first = firstByVersion.get(version);
    if (first === undefined) {
      firstByVersion.set(version, id);
      continue;
    }
    if (!managers.has(bucketId)) {
      const f = managers.get(first)!;
      managers.delete(first);
      managers.set(bucketId, { ...f, manager: ANCIENT_CHANGES, operation: 'Update', subresource: '' });
    }
    const bucket = managers.get(bucketId)!;
    managers.set(bucketId, { ...bucket, set: bucket.set.union(e.set), apiVersion: version, time: e.time });
    managers.delete(id);
    length--;
  }
}
