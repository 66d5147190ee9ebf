// The watch endpoint: a chunked stream of {"type","object"} lines served from the watch cache.
// Each event is encoded once and shared by every watcher that wants the same representation, which is
// what keeps fan-out to many watchers cheap.

import type { ServerResponse } from 'node:http';
import type { StorageWatchEvent, StorageWatcher } from '../../storage/interface.js';
import type { Cacher } from '../../storage/cacher/cacher.js';
import { ApiError } from '../errors.js';
import { apiVersionOf, type KubeObject, type ResourceDescriptor } from '../registry/types.js';
import { matchesFields, matchesLabels, type FieldRequirement, type LabelSelector } from '../selectors.js';
import { decode } from '../store/keys.js';

export interface WatchRequest {
  descriptor: ResourceDescriptor;
  cacher: Cacher;
  prefix: string;
  /** Deliver events after this revision; undefined = send current state first (rv unset or "0"). */
  afterRevision?: number;
  sendInitialEvents: boolean;
  allowBookmarks: boolean;
  labelSelector: LabelSelector;
  fieldSelector: FieldRequirement[];
  timeoutSeconds: number;
  /** Converts an object to the representation the client asked for (Table rows, metadata only). */
  transform?: (obj: KubeObject) => unknown;
  bookmarkIntervalMs?: number;
}

type WatchType = 'ADDED' | 'MODIFIED' | 'DELETED';

// Encoded lines per storage event and watch type, shared across watchers of the plain representation.
const encodedCache = new WeakMap<StorageWatchEvent, Partial<Record<WatchType, string>>>();

export function serveWatch(res: ServerResponse, w: WatchRequest): void {
  const filtered = w.labelSelector.length > 0 || w.fieldSelector.length > 0;
  const matches = (o: KubeObject) =>
    (!w.labelSelector.length || matchesLabels(w.labelSelector, o.metadata?.labels)) &&
    (!w.fieldSelector.length || matchesFields(w.fieldSelector, o));

  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  res.flushHeaders();

  let closed = false;
  let watcher: StorageWatcher | undefined;
  let bookmarkTimer: NodeJS.Timeout | undefined;
  let lastRevision = 0;
  const finish = () => {
    if (closed) return;
    closed = true;
    watcher?.close();
    if (bookmarkTimer) clearInterval(bookmarkTimer);
    clearTimeout(timeout);
    res.end();
  };
  const timeout = setTimeout(finish, w.timeoutSeconds * 1000);
  res.on('close', finish);

  // Lines produced while handling one batch of storage events go out in a single socket write.
  let pending: string[] | undefined;
  const write = (line: string) => {
    if (closed) return;
    if (pending) pending.push(line);
    else res.write(line);
  };
  const line = (type: WatchType | 'BOOKMARK' | 'ERROR', obj: unknown) => `{"type":"${type}","object":${JSON.stringify(obj)}}\n`;
  const bookmark = (rv: number, initialEventsEnd = false) => {
    const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
    if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    write(line('BOOKMARK', { kind: w.descriptor.kind, apiVersion: apiVersionOf(w.descriptor), metadata }));
  };

  const emit = (type: WatchType, ev: StorageWatchEvent, obj?: KubeObject, value = ev.kv.value) => {
    if (w.transform) {
      write(line(type, w.transform(obj ?? decodeEventObject(ev))));
      return;
    }
    let cached = encodedCache.get(ev);
    if (!cached) encodedCache.set(ev, (cached = {}));
    let s = cached[type];
    if (s === undefined) {
      s = `{"type":"${type}","object":${withResourceVersion(value, ev.kv.modRevision)}}\n`;
      cached[type] = s;
    }
    write(s);
  };

  const onEvents = (events: StorageWatchEvent[]) => {
    pending = [];
    try {
      deliver(events);
    } finally {
      const lines = pending;
      pending = undefined;
      if (lines.length && !closed) res.write(lines.length === 1 ? lines[0]! : lines.join(''));
    }
  };
  const deliver = (events: StorageWatchEvent[]) => {
    for (const ev of events) {
      lastRevision = ev.kv.modRevision;
      if (!filtered) {
        emit(ev.type === 'delete' ? 'DELETED' : ev.prevKv ? 'MODIFIED' : 'ADDED', ev);
        continue;
      }
      // With selectors an object can move into or out of the watched set.
      const cur = ev.type === 'put' ? decodeEventObject(ev) : undefined;
      const prev = ev.type === 'delete' ? decodeEventObject(ev) : ev.prevKv ? decode(ev.prevKv) : undefined;
      const curMatch = cur !== undefined && matches(cur);
      const prevMatch = prev !== undefined && matches(prev);
      if (ev.type === 'delete') {
        if (prevMatch) emit('DELETED', ev, prev);
      } else if (curMatch) {
        emit(prevMatch ? 'MODIFIED' : 'ADDED', ev, cur);
      } else if (prevMatch) {
        // Like Kubernetes' cacheWatcher: the last state that matched, at the event's resourceVersion.
        const last = { ...prev!, metadata: { ...prev!.metadata, resourceVersion: String(ev.kv.modRevision) } };
        emit('DELETED', ev, last, ev.prevKv!.value);
      }
    }
  };
  const onError = (err: Error & { code?: string; revision?: number }) => {
    // The cache restarting (or the server stopping) ends the stream cleanly; clients re-watch.
    if (err.code === 'Unavailable') return finish();
    const status =
      err.code === 'Compacted'
        ? new ApiError(410, 'Expired', `too old resource version: ${w.afterRevision ?? 0} (${err.revision ?? 0})`).toStatus()
        : new ApiError(500, 'InternalError', `watch failed: ${err.message}`).toStatus();
    write(line('ERROR', status));
    finish();
  };

  let from = w.afterRevision;
  if (from === undefined || w.sendInitialEvents) {
    const snapshot = w.cacher.list(w.prefix, {});
    for (const kv of snapshot.kvs) {
      const obj = decode(kv);
      if (!filtered || matches(obj)) write(line('ADDED', w.transform ? w.transform(obj) : obj));
    }
    from = snapshot.revision;
    if (w.sendInitialEvents && w.allowBookmarks) bookmark(from, true);
  }
  lastRevision = from;
  watcher = w.cacher.watch(w.prefix, from, { onEvents, onError });
  if (w.allowBookmarks) {
    bookmarkTimer = setInterval(() => bookmark(Math.max(lastRevision, w.cacher.currentRevision)), w.bookmarkIntervalMs ?? 30_000);
    bookmarkTimer.unref();
  }
}

function decodeEventObject(ev: StorageWatchEvent): KubeObject {
  return decode(ev.kv);
}

/**
 * Inserts metadata.resourceVersion into a stored object's JSON without a parse/serialize round trip
 * when metadata is the first nested object (how the store writes objects); otherwise re-encodes.
 */
export function withResourceVersion(value: string, rv: number): string {
  const i = value.indexOf('"metadata":{');
  if (i > 0 && value.lastIndexOf('{', i) === 0 && value.lastIndexOf('[', i) === -1) {
    const at = i + '"metadata":{'.length;
    const sep = value[at] === '}' ? '' : ',';
    return `${value.slice(0, at)}"resourceVersion":"${rv}"${sep}${value.slice(at)}`;
  }
  const obj = JSON.parse(value) as KubeObject;
  (obj.metadata ??= {}).resourceVersion = String(rv);
  return JSON.stringify(obj);
}
