// Garbage collector: deletes dependents whose owners are gone (background), deletes dependents before
// their owner when the owner carries the foregroundDeletion finalizer, and strips owner references
// when the owner was deleted with the orphan policy. It keeps an index of owner UID -> dependents.

import type { Logger } from 'pino';
import type { StorageWatcher } from '../../storage/interface.js';
import { ApiError } from '../errors.js';
import type { Registry } from '../registry/registry.js';
import type { KubeObject, OwnerReference, ResourceDescriptor } from '../registry/types.js';
import { FINALIZER_FOREGROUND, FINALIZER_ORPHAN, type Store } from '../store/store.js';
import { WorkQueue } from '../../runtime/workqueue.js';
import { SYSTEM_USER, watchResource } from './common.js';

interface Node {
  d: ResourceDescriptor;
  namespace?: string;
  name: string;
  uid: string;
  owners: OwnerReference[];
  deleting: boolean;
  finalizers: string[];
}

const RESYNC_MS = 30_000;

export class GarbageCollector {
  private readonly nodes = new Map<string, Node>(); // uid -> node
  private readonly dependents = new Map<string, Set<string>>(); // owner uid -> dependent uids
  private readonly watchers = new Map<string, StorageWatcher>();
  private readonly queue = new WorkQueue({ baseDelayMs: 50, maxDelayMs: 10_000 });
  private resync?: NodeJS.Timeout;
  private readonly onRegistryChange = () => void this.watchAll();

  constructor(
    private readonly registry: Registry,
    private readonly store: Store,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.watchAll();
    this.registry.on('change', this.onRegistryChange);
    void this.queue.run(2, (uid) => this.process(uid), (uid, err) =>
      this.logger.warn({ uid, err: String(err) }, 'garbage collection failed; retrying'),
    );
    this.resync = setInterval(() => {
      for (const [uid, n] of this.nodes) if (n.owners.length || n.deleting) this.queue.add(uid);
    }, RESYNC_MS);
    this.resync.unref();
  }

  stop(): void {
    this.registry.off('change', this.onRegistryChange);
    if (this.resync) clearInterval(this.resync);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    this.queue.shutDown();
  }

  private async watchAll(): Promise<void> {
    const wanted = new Set<string>();
    for (const d of this.registry.all()) {
      if (!d.verbs.includes('watch')) continue;
      const id = `${d.group}/${d.resource}`;
      wanted.add(id);
      if (this.watchers.has(id)) continue;
      this.watchers.set(id, { close() {} });
      try {
        this.watchers.set(id, await watchResource(this.store, d, (type, obj) => this.observe(d, type, obj)));
      } catch (err) {
        this.watchers.delete(id);
        this.logger.warn({ resource: id, err: String(err) }, 'cannot watch resource for garbage collection');
      }
    }
    for (const [id, w] of this.watchers) {
      if (!wanted.has(id)) {
        w.close();
        this.watchers.delete(id);
      }
    }
  }

  private observe(d: ResourceDescriptor, type: 'put' | 'delete', obj: KubeObject): void {
    const m = obj.metadata ?? {};
    const uid = m.uid;
    if (!uid) return;
    const old = this.nodes.get(uid);
    for (const o of old?.owners ?? []) this.dependents.get(o.uid)?.delete(uid);
    if (type === 'delete') {
      this.nodes.delete(uid);
      // Its dependents may now be orphans, and its foreground-deleting owners may be unblocked.
      for (const dep of this.dependents.get(uid) ?? []) this.queue.add(dep);
      for (const o of old?.owners ?? []) if (this.nodes.get(o.uid)?.deleting) this.queue.add(o.uid);
      return;
    }
    const node: Node = {
      d,
      namespace: m.namespace,
      name: m.name!,
      uid,
      owners: m.ownerReferences ?? [],
      deleting: !!m.deletionTimestamp,
      finalizers: m.finalizers ?? [],
    };
    this.nodes.set(uid, node);
    for (const o of node.owners) {
      let set = this.dependents.get(o.uid);
      if (!set) this.dependents.set(o.uid, (set = new Set()));
      set.add(uid);
    }
    if (node.owners.length) this.queue.add(uid);
    if (node.deleting && (node.finalizers.includes(FINALIZER_FOREGROUND) || node.finalizers.includes(FINALIZER_ORPHAN))) {
      this.queue.add(uid);
    }
    // A dependent going away may unblock its foreground-deleting owner.
    for (const o of old?.owners ?? []) if (this.nodes.get(o.uid)?.deleting) this.queue.add(o.uid);
  }

  private async process(uid: string): Promise<void> {
    const node = this.nodes.get(uid);
    if (!node) return;
    if (node.deleting && node.finalizers.includes(FINALIZER_ORPHAN)) await this.orphanDependents(node);
    if (node.deleting && node.finalizers.includes(FINALIZER_FOREGROUND)) await this.deleteDependentsFirst(node);
    if (node.owners.length) await this.attemptToDelete(node);
  }

  /** Owner state as the API sees it: absent, present (same uid) or being deleted in the foreground. */
  private async ownerState(dep: Node, ref: OwnerReference): Promise<'absent' | 'present' | 'foreground' | 'unknown'> {
    const d = this.registry.byKind(ref.apiVersion, ref.kind);
    if (!d) return 'unknown';
    const owner = await this.store.tryGet(d, d.namespaced ? dep.namespace : undefined, ref.name);
    if (!owner || owner.metadata?.uid !== ref.uid) return 'absent';
    if (owner.metadata?.deletionTimestamp && owner.metadata.finalizers?.includes(FINALIZER_FOREGROUND)) return 'foreground';
    return 'present';
  }

  private async attemptToDelete(node: Node): Promise<void> {
    if (node.deleting) return;
    const states = await Promise.all(node.owners.map((ref) => this.ownerState(node, ref)));
    const dangling = node.owners.filter((_, i) => states[i] === 'absent');
    const alive = states.filter((s) => s === 'present' || s === 'unknown').length;
    const foreground = states.some((s, i) => s === 'foreground' && node.owners[i]!.blockOwnerDeletion);
    if (!dangling.length && !foreground) return;
    if (alive === 0) {
      const policy = foreground ? 'Foreground' : 'Background';
      this.logger.debug({ kind: node.d.kind, name: node.name, namespace: node.namespace, policy }, 'deleting dependent');
      await this.store.delete(node.d, node.namespace, node.name, { user: SYSTEM_USER, propagationPolicy: policy, preconditions: { uid: node.uid } }).catch(ignoreGone);
      return;
    }
    // Some owners remain: only drop the references to owners that are gone.
    const gone = new Set(dangling.map((r) => r.uid));
    if (!gone.size) return;
    await this.store
      .guaranteedUpdate(node.d, node.namespace, node.name, { user: SYSTEM_USER }, (cur) => {
        const refs = (cur.metadata!.ownerReferences ?? []).filter((r) => !gone.has(r.uid));
        if (refs.length) cur.metadata!.ownerReferences = refs;
        else delete cur.metadata!.ownerReferences;
        return cur;
      })
      .catch(ignoreGone);
  }

  private async deleteDependentsFirst(owner: Node): Promise<void> {
    const deps = [...(this.dependents.get(owner.uid) ?? [])].map((u) => this.nodes.get(u)).filter((n): n is Node => !!n);
    let blocking = 0;
    for (const dep of deps) {
      const ref = dep.owners.find((r) => r.uid === owner.uid);
      if (ref?.blockOwnerDeletion) blocking++;
      if (!dep.deleting) {
        await this.store
          .delete(dep.d, dep.namespace, dep.name, { user: SYSTEM_USER, propagationPolicy: 'Foreground', preconditions: { uid: dep.uid } })
          .catch(ignoreGone);
      }
    }
    if (blocking > 0) return; // finalizer removed once the blocking dependents are gone (observe re-queues)
    await this.removeFinalizer(owner, FINALIZER_FOREGROUND);
  }

  private async orphanDependents(owner: Node): Promise<void> {
    const deps = [...(this.dependents.get(owner.uid) ?? [])].map((u) => this.nodes.get(u)).filter((n): n is Node => !!n);
    for (const dep of deps) {
      await this.store
        .guaranteedUpdate(dep.d, dep.namespace, dep.name, { user: SYSTEM_USER }, (cur) => {
          const refs = (cur.metadata!.ownerReferences ?? []).filter((r) => r.uid !== owner.uid);
          if (refs.length) cur.metadata!.ownerReferences = refs;
          else delete cur.metadata!.ownerReferences;
          return cur;
        })
        .catch(ignoreGone);
    }
    await this.removeFinalizer(owner, FINALIZER_ORPHAN);
  }

  private async removeFinalizer(node: Node, finalizer: string): Promise<void> {
    await this.store
      .guaranteedUpdate(node.d, node.namespace, node.name, { user: SYSTEM_USER }, (cur) => {
        const f = (cur.metadata!.finalizers ?? []).filter((x) => x !== finalizer);
        if (f.length) cur.metadata!.finalizers = f;
        else delete cur.metadata!.finalizers;
        return cur;
      })
      .catch(ignoreGone);
  }
}

function ignoreGone(err: unknown): void {
  if (err instanceof ApiError && (err.code === 404 || err.code === 409)) return;
  throw err;
}

