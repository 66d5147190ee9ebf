// An optional extension of the watch contract: progress notifications.
//
// A watcher of one prefix sees nothing while other prefixes are written, so on its own it cannot tell
// that it is up to date with a revision written elsewhere (etcd solves this with progress notify). A
// backend that can, calls onProgress(revision) on a live watch to say "every event of this watch with a
// revision <= revision has been delivered". The watch cache uses it to answer waitUntilFresh for
// revisions of other resources. Backends that cannot simply never call it; handlers that do not define
// it are never called. Plain WatchHandlers objects are valid ProgressWatchHandlers.

import type { WatchHandlers } from './interface.js';

export interface ProgressWatchHandlers extends WatchHandlers {
  /** All events with revision <= revision have been passed to onEvents (none are pending). */
  onProgress?(revision: number): void;
}
