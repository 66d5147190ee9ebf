// Namespace lifecycle: when a namespace is deleted, delete everything in it, then drop the
// "kubernetes" finalizer so the namespace itself goes (kube-controller-manager's namespace controller).

import type { Logger } from 'pino';
import type { StorageWatcher } from '../../storage/interface.js';
import { ApiError } from '../errors.js';
import type { Registry } from '../registry/registry.js';
import type { KubeObject } from '../registry/types.js';
import type { Store } from '../store/store.js';
import { WorkQueue } from '../../runtime/workqueue.js';
import { SYSTEM_USER, watchResource } from './common.js';

export const NAMESPACE_FINALIZER = 'kubernetes';
const RECHECK_MS = 500;

export class NamespaceController {
  private readonly queue = new WorkQueue({ baseDelayMs: 100, maxDelayMs: 10_000 });
  private watcher?: StorageWatcher;

  constructor(
    private readonly registry: Registry,
    private readonly store: Store,
    private readonly logger: Logger,
  ) {}

  private get namespaces() {
    return this.registry.get('', 'v1', 'namespaces')!;
  }

  async start(): Promise<void> {
    this.watcher = await watchResource(this.store, this.namespaces, (type, obj) => {
      if (type === 'put' && obj.metadata?.deletionTimestamp) this.queue.add(obj.metadata.name!);
    });
    void this.queue.run(1, (name) => this.sync(name), (name, err) =>
      this.logger.warn({ namespace: name, err: String(err) }, 'namespace cleanup failed; retrying'),
    );
  }

  stop(): void {
    this.watcher?.close();
    this.queue.shutDown();
  }

  private async sync(name: string): Promise<void> {
    const ns = await this.store.tryGet(this.namespaces, undefined, name);
    if (!ns?.metadata?.deletionTimestamp) return;
    let remaining = 0;
    for (const d of this.registry.all()) {
      if (!d.namespaced || !d.verbs.includes('delete')) continue;
      const { items } = await this.store.list(d, name);
      for (const item of items) {
        remaining++;
        if (item.metadata?.deletionTimestamp) continue; // waiting for its own finalizers
        try {
          await this.store.delete(d, name, item.metadata!.name!, { user: SYSTEM_USER, propagationPolicy: 'Background' });
        } catch (err) {
          if (!(err instanceof ApiError && err.code === 404)) throw err;
        }
      }
    }
    if (remaining > 0) {
      // Objects with finalizers of their own take time to go; look again shortly.
      this.queue.addAfter(name, RECHECK_MS);
      return;
    }
    await this.store.guaranteedUpdate(this.namespaces, undefined, name, { user: SYSTEM_USER }, (cur: KubeObject) => {
      const spec = (cur.spec ?? {}) as { finalizers?: string[] };
      cur.spec = { ...spec, finalizers: (spec.finalizers ?? []).filter((f) => f !== NAMESPACE_FINALIZER) };
      return cur;
    }).catch((err) => {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
    });
    this.logger.info({ namespace: name }, 'namespace emptied and finalized');
  }
}
