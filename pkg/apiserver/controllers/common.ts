// Helpers shared by the API server's in-process controllers (CRD establishing, namespace lifecycle,
// garbage collection). They read the watch cache and write through the store like any client would.

import type { StorageWatcher } from '../../storage/interface.js';
import type { KubeObject, ResourceDescriptor } from '../registry/types.js';
import { decode, listPrefix } from '../store/keys.js';
import type { Store, UserInfo } from '../store/store.js';

export const SYSTEM_USER: UserInfo = { name: 'system:apiserver', groups: ['system:masters', 'system:authenticated'] };

export type ObjectHandler = (type: 'put' | 'delete', obj: KubeObject, old?: KubeObject) => void;

/**
 * Replays the current objects of a resource as puts, then streams changes. If the watch ends (the
 * cache fell behind compaction), it re-lists and re-watches: handlers are level-based, so a replay
 * of puts is harmless.
 */
export async function watchResource(store: Store, d: ResourceDescriptor, handler: ObjectHandler): Promise<StorageWatcher> {
  let stopped = false;
  let current: StorageWatcher | undefined;
  const begin = async () => {
    const cacher = await store.cacher(d);
    const prefix = listPrefix(d);
    const snapshot = cacher.list(prefix, {});
    for (const kv of snapshot.kvs) handler('put', decode(kv));
    if (stopped) return;
    current = cacher.watch(prefix, snapshot.revision, {
      onEvents(events) {
        for (const ev of events) handler(ev.type, decode(ev.kv), ev.prevKv ? decode(ev.prevKv) : undefined);
      },
      onError() {
        if (stopped) return;
        setTimeout(() => void begin().catch(() => undefined), 1000).unref();
      },
    });
  };
  await begin();
  return {
    close() {
      stopped = true;
      current?.close();
    },
  };
}

export function namespacedKey(obj: KubeObject): string {
  const m = obj.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name}` : `${m.name}`;
}
