// kube-public/cluster-info and bootstrap tokens (kubeadm + kube-controller-manager's bootstrapsigner and
// tokencleaner): the server publishes cluster-info (a kubeconfig with the CA and its URL); the signer
// keeps one detached JWS `jws-kubeconfig-<token-id>` per valid signing token so a joining cluster can
// verify cluster-info with its token; the cleaner deletes expired bootstrap-token Secrets.

import type { Logger } from 'pino';
import { stringify } from 'yaml';
import type { StorageWatcher } from '../../storage/interface.js';
import { WorkQueue } from '../../runtime/workqueue.js';
import { BOOTSTRAP_NAMESPACE, BOOTSTRAP_TOKEN_SECRET_TYPE, isExpired, parseBootstrapTokenSecret, type BootstrapToken } from '../auth/bootstraptoken.js';
import { computeDetachedSignature } from '../auth/jwt.js';
import { ApiError } from '../errors.js';
import type { Registry } from '../registry/registry.js';
import type { KubeObject } from '../registry/types.js';
import type { Store } from '../store/store.js';
import { SYSTEM_USER, watchResource } from './common.js';

export const CLUSTER_INFO_NAMESPACE = 'kube-public';
export const CLUSTER_INFO_NAME = 'cluster-info';
export const KUBECONFIG_KEY = 'kubeconfig';
export const JWS_KEY_PREFIX = 'jws-kubeconfig-';
/** Marks a cluster-info this server wrote (and may rewrite when its URL or CA changes). */
export const MANAGED_BY_ANNOTATION = 'karmada.io/managed-by';
const MANAGED_BY = 'karmada-apiserver';
const KEY = 'sign';

/** The kubeconfig kubeadm puts in cluster-info: one nameless cluster, no users or contexts. */
export function clusterInfoKubeconfig(server: string, caPem: string): string {
  return stringify(
    {
      apiVersion: 'v1',
      clusters: [{ cluster: { 'certificate-authority-data': Buffer.from(caPem, 'utf8').toString('base64'), server }, name: '' }],
      contexts: null,
      'current-context': '',
      kind: 'Config',
      preferences: {},
      users: null,
    },
    { lineWidth: 0 },
  );
}

/** Creates kube-public/cluster-info, or refreshes it when this server wrote it and the URL or CA changed. */
export async function publishClusterInfo(store: Store, registry: Registry, server: string, caPem: string): Promise<void> {
  const d = registry.get('', 'v1', 'configmaps')!;
  const kubeconfig = clusterInfoKubeconfig(server, caPem);
  const existing = await store.tryGet(d, CLUSTER_INFO_NAMESPACE, CLUSTER_INFO_NAME);
  if (!existing) {
    try {
      await store.create(
        d,
        CLUSTER_INFO_NAMESPACE,
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: CLUSTER_INFO_NAME, namespace: CLUSTER_INFO_NAMESPACE, annotations: { [MANAGED_BY_ANNOTATION]: MANAGED_BY } },
          data: { [KUBECONFIG_KEY]: kubeconfig },
        },
        { user: SYSTEM_USER },
      );
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 409)) throw err;
    }
    return;
  }
  if (existing.metadata?.annotations?.[MANAGED_BY_ANNOTATION] !== MANAGED_BY) return;
  if ((existing.data as Record<string, string> | undefined)?.[KUBECONFIG_KEY] === kubeconfig) return;
  await store.guaranteedUpdate(d, CLUSTER_INFO_NAMESPACE, CLUSTER_INFO_NAME, { user: SYSTEM_USER }, (cur: KubeObject) => {
    cur.data = { ...((cur.data as Record<string, string>) ?? {}), [KUBECONFIG_KEY]: kubeconfig };
    return cur;
  });
}

/** The data cluster-info should have: its kubeconfig plus one signature per token (bootstrapsigner.signConfigMap). */
export function signedClusterInfoData(data: Record<string, string>, tokens: BootstrapToken[]): Record<string, string> {
  const content = data[KUBECONFIG_KEY]!;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) if (!k.startsWith(JWS_KEY_PREFIX)) out[k] = v;
  for (const t of tokens) out[`${JWS_KEY_PREFIX}${t.id}`] = computeDetachedSignature(content, t.id, t.secret);
  return out;
}

export class BootstrapSigner {
  private readonly queue = new WorkQueue({ baseDelayMs: 100, maxDelayMs: 10_000 });
  private readonly watchers: StorageWatcher[] = [];

  constructor(
    private readonly registry: Registry,
    private readonly store: Store,
    private readonly logger: Logger,
  ) {}

  private get configMaps() {
    return this.registry.get('', 'v1', 'configmaps')!;
  }

  private get secrets() {
    return this.registry.get('', 'v1', 'secrets')!;
  }

  async start(): Promise<void> {
    this.watchers.push(
      await watchResource(this.store, this.configMaps, (_type, obj) => {
        if (obj.metadata?.namespace === CLUSTER_INFO_NAMESPACE && obj.metadata.name === CLUSTER_INFO_NAME) this.queue.add(KEY);
      }),
      await watchResource(this.store, this.secrets, (_type, obj) => {
        if (obj.metadata?.namespace === BOOTSTRAP_NAMESPACE && obj.type === BOOTSTRAP_TOKEN_SECRET_TYPE) this.queue.add(KEY);
      }),
    );
    void this.queue.run(1, () => this.sign(), (_k, err) => this.logger.warn({ err: String(err) }, 'signing cluster-info failed; retrying'));
  }

  stop(): void {
    for (const w of this.watchers.splice(0)) w.close();
    this.queue.shutDown();
  }

  private async sign(): Promise<void> {
    const cm = await this.store.tryGet(this.configMaps, CLUSTER_INFO_NAMESPACE, CLUSTER_INFO_NAME);
    const data = (cm?.data ?? {}) as Record<string, string>;
    if (!cm || typeof data[KUBECONFIG_KEY] !== 'string') return;
    const now = Date.now();
    const { items } = await this.store.list(this.secrets, BOOTSTRAP_NAMESPACE);
    const tokens: BootstrapToken[] = [];
    let nextExpiry = Infinity;
    for (const s of items) {
      const t = parseBootstrapTokenSecret(s);
      if (!t || !t.usages.has('signing') || isExpired(t, now)) continue;
      tokens.push(t);
      if (t.expiration) nextExpiry = Math.min(nextExpiry, t.expiration.getTime());
    }
    // Signatures of tokens that expire must go when they do.
    if (nextExpiry !== Infinity) this.queue.addAfter(KEY, Math.min(nextExpiry - now + 50, 2 ** 31 - 1));
    const want = signedClusterInfoData(data, tokens);
    if (sameData(want, data)) return;
    await this.store
      .guaranteedUpdate(this.configMaps, CLUSTER_INFO_NAMESPACE, CLUSTER_INFO_NAME, { user: SYSTEM_USER }, (cur: KubeObject) => {
        const curData = (cur.data ?? {}) as Record<string, string>;
        if (typeof curData[KUBECONFIG_KEY] !== 'string') return cur;
        cur.data = signedClusterInfoData(curData, tokens);
        return cur;
      })
      .catch((err) => {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      });
  }
}

/** Deletes bootstrap-token Secrets once they expire (tokencleaner). */
export class BootstrapTokenCleaner {
  private readonly queue = new WorkQueue({ baseDelayMs: 100, maxDelayMs: 10_000 });
  private watcher?: StorageWatcher;

  constructor(
    private readonly registry: Registry,
    private readonly store: Store,
    private readonly logger: Logger,
  ) {}

  private get secrets() {
    return this.registry.get('', 'v1', 'secrets')!;
  }

  async start(): Promise<void> {
    this.watcher = await watchResource(this.store, this.secrets, (type, obj) => {
      if (type === 'put' && obj.metadata?.namespace === BOOTSTRAP_NAMESPACE && obj.type === BOOTSTRAP_TOKEN_SECRET_TYPE) this.queue.add(obj.metadata.name!);
    });
    void this.queue.run(1, (name) => this.sync(name), (name, err) => this.logger.warn({ secret: name, err: String(err) }, 'cleaning an expired bootstrap token failed; retrying'));
  }

  stop(): void {
    this.watcher?.close();
    this.queue.shutDown();
  }

  private async sync(name: string): Promise<void> {
    const s = await this.store.tryGet(this.secrets, BOOTSTRAP_NAMESPACE, name);
    if (!s || s.type !== BOOTSTRAP_TOKEN_SECRET_TYPE || s.metadata?.deletionTimestamp) return;
    const raw = (s.data as Record<string, string> | undefined)?.expiration;
    if (!raw) return;
    const at = Date.parse(Buffer.from(raw, 'base64').toString('utf8'));
    if (Number.isNaN(at)) return;
    const left = at - Date.now();
    if (left > 0) {
      this.queue.addAfter(name, Math.min(left + 50, 2 ** 31 - 1));
      return;
    }
    try {
      await this.store.delete(this.secrets, BOOTSTRAP_NAMESPACE, name, { user: SYSTEM_USER, preconditions: { uid: s.metadata!.uid } });
      this.logger.info({ secret: `${BOOTSTRAP_NAMESPACE}/${name}` }, 'deleted expired bootstrap token');
    } catch (err) {
      if (!(err instanceof ApiError && (err.code === 404 || err.code === 409))) throw err;
    }
  }
}

function sameData(a: Record<string, string>, b: Record<string, string>): boolean {
  const ak = Object.keys(a);
  return ak.length === Object.keys(b).length && ak.every((k) => a[k] === b[k]);
}
