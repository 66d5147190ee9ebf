// An optional extension of the watch contract: progress notifications.
//
// A watcher of one prefix sees nothing while other prefixes are written, so on its own it cannot tell
// that it is up to date with a revision written elsewhere (etcd solves this with progress notify). A
// backend that can, calls onProgress(revision) on a live watch to say "every event of this watch with a
// revision <= revision has been delivered". The watch cache uses it to answer waitUntilFresh for
// revisions of other resources. Backends that cannot simply never call it; handlers that do not define
// it are never called. Plain WatchHandlers objects are valid ProgressWatchHandlers.

import type { Logger } from 'pino';
import type { StorageWatchEvent, WatchHandlers } from './interface.js';

export interface ProgressWatchHandlers extends WatchHandlers {
  /** All events with revision <= revision have been passed to onEvents (none are pending). */
  onProgress?(revision: number): void;
}

/** Calls a watcher's onEvents; a throwing handler is logged and does not end the watch (backends share this). */
export function deliverEvents(log: Logger, w: { handlers: ProgressWatchHandlers; prefix: string }, events: StorageWatchEvent[]): void {
  try {
    w.handlers.onEvents(events);
  } catch (err) {
    log.error({ err, prefix: w.prefix }, 'watch handler onEvents threw; the watch continues');
  }
}

/** Calls a watcher's onProgress when it has one, with the same protection as deliverEvents. */
export function deliverProgress(log: Logger, w: { handlers: ProgressWatchHandlers; prefix: string }, revision: number): void {
  if (!w.handlers.onProgress) return;
  try {
    w.handlers.onProgress(revision);
  } catch (err) {
    log.error({ err, prefix: w.prefix }, 'watch handler onProgress threw; the watch continues');
  }
}
