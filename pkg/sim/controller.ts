// The plumbing every simulated controller shares: the cluster context (store, descriptors, informers,
// configuration, clock), a client that writes through the store and waits for its own informer to see
// the write, and a controller shell that reconciles keys from a rate-limited work queue.

import type { Logger } from 'pino';
import { ApiError } from '../apiserver/errors.js';
import type { Registry } from '../apiserver/registry/registry.js';
import type { ResourceDescriptor } from '../apiserver/registry/types.js';
import type { Store, UserInfo } from '../apiserver/store/store.js';
import { WorkQueue } from '../runtime/workqueue.js';
import type { InformerFactory } from './informer.js';
import type { KubeObject } from './types.js';

/** What a simulated cluster looks like; set from kube-sim's flags. */
export interface SimConfig {
  clusterName: string;
  nodes: number;
  edgeNodes: number;
  nodeCpu: string;
  nodeMemory: string;
  nodePods: number;
  provider?: string;
  region?: string;
  /** Nodes are spread round-robin over these zones. */
  zones: string[];
  kubernetesVersion: string;
  /** Pods are evicted from an unreachable/not-ready node after this many seconds (default tolerations). */
  podEvictionTimeoutSeconds: number;
  /** Simulated run time of Job pods (ms). */
  jobDurationMs: number;
  /** Delay between a pod's binding and its containers running (ms). */
  podStartupDelayMs: number;
  /** KubeEdge mapper: a Device's status.lastOnlineTime is refreshed at most this often (ms). */
  deviceReportPeriodMs: number;
  /** KubeEdge mapper: time from a new desired twin value to its reported echo (ms). */
  deviceReportDelayMs: number;
}

export interface Kinds {
  namespaces: ResourceDescriptor;
  nodes: ResourceDescriptor;
  pods: ResourceDescriptor;
  services: ResourceDescriptor;
  endpoints: ResourceDescriptor;
  endpointSlices: ResourceDescriptor;
  serviceAccounts: ResourceDescriptor;
  configMaps: ResourceDescriptor;
  persistentVolumeClaims: ResourceDescriptor;
  deployments: ResourceDescriptor;
  replicaSets: ResourceDescriptor;
  statefulSets: ResourceDescriptor;
  daemonSets: ResourceDescriptor;
  jobs: ResourceDescriptor;
  cronJobs: ResourceDescriptor;
  controllerRevisions: ResourceDescriptor;
}

export function resolveKinds(registry: Registry): Kinds {
  const get = (group: string, version: string, resource: string): ResourceDescriptor => {
    const d = registry.get(group, version, resource);
    if (!d) throw new Error(`kube-sim needs ${resource}.${group || 'core'}/${version}, which the API server does not serve`);
    return d;
  };
  return {
    namespaces: get('', 'v1', 'namespaces'),
    nodes: get('', 'v1', 'nodes'),
    pods: get('', 'v1', 'pods'),
    services: get('', 'v1', 'services'),
    endpoints: get('', 'v1', 'endpoints'),
    endpointSlices: get('discovery.k8s.io', 'v1', 'endpointslices'),
    serviceAccounts: get('', 'v1', 'serviceaccounts'),
    configMaps: get('', 'v1', 'configmaps'),
    persistentVolumeClaims: get('', 'v1', 'persistentvolumeclaims'),
    deployments: get('apps', 'v1', 'deployments'),
    replicaSets: get('apps', 'v1', 'replicasets'),
    statefulSets: get('apps', 'v1', 'statefulsets'),
    daemonSets: get('apps', 'v1', 'daemonsets'),
    jobs: get('batch', 'v1', 'jobs'),
    cronJobs: get('batch', 'v1', 'cronjobs'),
    controllerRevisions: get('apps', 'v1', 'controllerrevisions'),
  };
}

export interface SimContext {
  config: SimConfig;
  store: Store;
  kinds: Kinds;
  informers: InformerFactory;
  client: SimClient;
  logger: Logger;
  /** Milliseconds since the epoch (a seam for tests). */
  now(): number;
  /** The cluster CA (for kube-root-ca.crt). */
  caPem: string;
}

export function isNotFound(err: unknown): boolean {
  return err instanceof ApiError && err.code === 404;
}

export function isConflict(err: unknown): boolean {
  return err instanceof ApiError && err.code === 409;
}

/** Writes through the store as a named system component and waits for the informers to see them. */
export class SimClient {
  constructor(
    private readonly store: Store,
    private readonly informers: InformerFactory,
    private readonly user: UserInfo,
  ) {}

  private async synced(d: ResourceDescriptor, obj: KubeObject | undefined): Promise<void> {
    if (obj) await this.informers.peek(d)?.waitFor(obj.metadata?.resourceVersion);
  }

  /** Creates; undefined when an object of that name exists already. */
  async create<T extends KubeObject>(d: ResourceDescriptor, obj: T, fieldManager: string): Promise<T | undefined> {
    try {
      const out = (await this.store.create(d, obj.metadata?.namespace, obj, { user: this.user, fieldManager })) as T;
      await this.synced(d, out);
      return out;
    } catch (err) {
      if (err instanceof ApiError && err.code === 409) return undefined;
      throw err;
    }
  }

  /**
   * Read-modify-write of the object (or of its status). `mutate` changes the current object in place
   * and returns false to skip the write. Undefined when the object is gone or its uid changed.
   */
  async update<T extends KubeObject>(
    d: ResourceDescriptor,
    namespace: string | undefined,
    name: string,
    mutate: (current: T) => boolean | void,
    opts: { status?: boolean; uid?: string; fieldManager: string },
  ): Promise<T | undefined> {
    let skipped = false;
    try {
      const out = (await this.store.guaranteedUpdate(
        d,
        namespace,
        name,
        { user: this.user, subresource: opts.status ? 'status' : undefined, fieldManager: opts.fieldManager },
        (cur) => {
          skipped = (opts.uid !== undefined && cur.metadata?.uid !== opts.uid) || mutate(cur as T) === false;
          return cur;
        },
      )) as T;
      if (skipped && opts.uid !== undefined && out.metadata?.uid !== opts.uid) return undefined;
      await this.synced(d, out);
      return out;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Deletes (background propagation); false when it was gone already (or has another uid). */
  async delete(d: ResourceDescriptor, namespace: string | undefined, name: string, uid?: string): Promise<boolean> {
    try {
      const out = await this.store.delete(d, namespace, name, {
        user: this.user,
        propagationPolicy: 'Background',
        preconditions: uid ? { uid } : undefined,
      });
      await this.synced(d, out);
      return true;
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return false;
      throw err;
    }
  }
}

/**
 * A controller reconciles keys (client-go style): informer handlers enqueue, workers pop a key, read
 * the current state from the informers and write the difference. A failed reconcile is retried with
 * backoff; a reconcile may ask to run again later (minReadySeconds, eviction deadlines, job run time).
 */
export abstract class Controller {
  readonly queue = new WorkQueue({ baseDelayMs: 20, maxDelayMs: 30_000 });
  protected readonly logger: Logger;
  private running?: Promise<void>;
  private readonly soon = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(
    readonly name: string,
    protected readonly ctx: SimContext,
    private readonly workers = 1,
  ) {
    this.logger = ctx.logger.child({ controller: name });
  }

  /** Returns milliseconds after which to reconcile the key again, if any. */
  protected abstract reconcile(key: string): Promise<number | void>;

  /** Runs once informers are synced, before workers start (create initial objects, ...). */
  async prepare(): Promise<void> {}

  /**
   * Enqueues a key at most once per `delayMs` (a burst of pod events becomes one reconcile of their
   * owner instead of one per event).
   */
  protected enqueueSoon(key: string, delayMs = 50): void {
    if (this.soon.has(key)) return;
    const t = setTimeout(() => {
      this.soon.delete(key);
      this.queue.add(key);
    }, delayMs);
    t.unref();
    this.soon.set(key, t);
  }

  start(): void {
    this.running ??= this.queue.run(
      this.workers,
      async (key) => {
        // Storage events are delivered in microtasks: without this a busy controller would never let
        // the event loop serve HTTP (or other clusters of the process).
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (this.stopped) return; // the queue hands out what it holds even after shutDown
        const again = await this.reconcile(key);
        if (typeof again === 'number' && again >= 0) this.queue.addAfter(key, Math.max(again, 1));
      },
      (key, err) => {
        if (this.stopped) return;
        // Conflicts, and writes into a namespace being deleted, resolve themselves: keep them quiet.
        if (isConflict(err) || (err instanceof ApiError && err.code === 403)) this.logger.debug({ key, err: String(err) }, 'retrying');
        else this.logger.warn({ key, err: err instanceof Error ? err.message : String(err) }, 'reconcile failed; retrying');
      },
    );
  }

  /** Stops taking keys; resolves when in-flight reconciles have finished. */
  stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.soon.values()) clearTimeout(t);
    this.soon.clear();
    this.queue.shutDown();
    return this.running ?? Promise.resolve();
  }
}
