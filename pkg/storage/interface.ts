// The storage contract every backend honours (embedded SQLite, etcd). It is deliberately etcd-shaped:
// a flat key space, one global monotonic revision, compare-and-swap on a key's modRevision, watch from a
// revision, and compaction of history. The API server builds Kubernetes semantics (resourceVersion,
// optimistic concurrency, watch resume, 410 Gone) on exactly these primitives.

export interface KeyValue {
  key: string;
  /** Serialized object (JSON). Stored as given; the API server sets metadata.resourceVersion on read. */
  value: string;
  /** Revision of the write that created the key (since its last deletion). */
  createRevision: number;
  /** Revision of the last write to the key. For a delete event, the revision of the deletion. */
  modRevision: number;
}

export type WatchEventType = 'put' | 'delete';

export interface StorageWatchEvent {
  type: WatchEventType;
  /** For `put`: the new value. For `delete`: the last value before deletion, modRevision = deletion revision. */
  kv: KeyValue;
  /** The previous value, when the key existed before this event. */
  prevKv?: KeyValue;
}

export interface ListOptions {
  /** Read as of this revision (0 or undefined = latest). Fails with Compacted if older than the compaction point. */
  revision?: number;
  /** Maximum number of keys returned (0 or undefined = all). */
  limit?: number;
  /** Return keys strictly greater than this key (list paging continues after the last key returned). */
  startAfter?: string;
}

export interface ListResult {
  kvs: KeyValue[];
  /** The revision the list was read at. */
  revision: number;
  /** True when `limit` cut the result short. */
  more: boolean;
  /** Number of keys left after this page (when more is true), for remainingItemCount. */
  remaining?: number;
}

export interface WatchOptions {
  /** Deliver events with revision strictly greater than this. */
  afterRevision: number;
  /** Include prevKv on events (backends may always include it). */
  prevKv?: boolean;
}

export interface StorageWatcher {
  /** Stop the watch; no callbacks are made after close returns. */
  close(): void;
}

export interface WatchHandlers {
  /** Called in revision order. A batch holds events of one or more revisions, never out of order. */
  onEvents(events: StorageWatchEvent[]): void;
  /** Terminal: the watch has ended (Compacted when afterRevision is older than the kept history). */
  onError(err: StorageError): void;
}

export interface Storage {
  readonly name: string;
  get(key: string, revision?: number): Promise<KeyValue | undefined>;
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  count(prefix: string): Promise<number>;
  /** Fails with KeyExists when the key is present. */
  create(key: string, value: string): Promise<KeyValue>;
  /** Compare-and-swap: fails with Conflict unless the key's current modRevision equals expectedModRevision; KeyNotFound if absent. */
  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue>;
  /** Deletes the key (optionally only at expectedModRevision). Returns the deleted value with modRevision = deletion revision. */
  delete(key: string, expectedModRevision?: number): Promise<KeyValue>;
  watch(prefix: string, opts: WatchOptions, handlers: WatchHandlers): StorageWatcher;
  currentRevision(): Promise<number>;
  /** The oldest revision still readable/watchable is compactRevision (history before it is gone). */
  compactRevision(): Promise<number>;
  /** Drop history older than `revision` (latest value of each live key is always kept). */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}

export type StorageErrorCode = 'KeyExists' | 'KeyNotFound' | 'Conflict' | 'Compacted' | 'Unavailable' | 'Internal';

export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    readonly key?: string,
    /** For Compacted: the current compaction revision. For Conflict: the key's current modRevision. */
    readonly revision?: number,
  ) {
    super(message);
    this.name = 'StorageError';
  }
}

export function isStorageError(err: unknown, code?: StorageErrorCode): err is StorageError {
  return err instanceof StorageError && (code === undefined || err.code === code);
}

/** The smallest key greater than every key that starts with prefix (for range reads). */
export function prefixEnd(prefix: string): string {
  return prefix + '\uffff';
}
