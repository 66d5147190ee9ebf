// Service-account token Secrets (kube-controller-manager's tokens controller): a Secret of type
// kubernetes.io/service-account-token annotated kubernetes.io/service-account.name gets data.token (a
// legacy, non-expiring JWT), data.ca.crt and data.namespace, and the service-account.uid annotation.
// A token Secret whose ServiceAccount is gone (or was re-created with another uid) is deleted.

import type { Logger } from 'pino';
import type { StorageWatcher } from '../../storage/interface.js';
import { WorkQueue } from '../../runtime/workqueue.js';
import type { ServiceAccountTokenIssuer } from '../auth/serviceaccount.js';
import { parseJWT } from '../auth/jwt.js';
import { ApiError } from '../errors.js';
import type { Registry } from '../registry/registry.js';
import type { KubeObject } from '../registry/types.js';
import type { Store } from '../store/store.js';
import { SYSTEM_USER, watchResource } from './common.js';

export const SA_TOKEN_SECRET_TYPE = 'kubernetes.io/service-account-token';
export const SA_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
export const SA_UID_ANNOTATION = 'kubernetes.io/service-account.uid';

/** How long a new token Secret may wait for its ServiceAccount to appear before it is deleted. */
const MISSING_SA_GRACE_MS = 5_000;

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: unknown) => (typeof s === 'string' ? Buffer.from(s, 'base64').toString('utf8') : '');

export class ServiceAccountTokenController {
  private readonly queue = new WorkQueue({ baseDelayMs: 100, maxDelayMs: 10_000 });
  private readonly watchers: StorageWatcher[] = [];

  constructor(
    private readonly registry: Registry,
    private readonly store: Store,
    private readonly issuer: ServiceAccountTokenIssuer,
    private readonly caPem: string,
    private readonly logger: Logger,
  ) {}

  private get secrets() {
    return this.registry.get('', 'v1', 'secrets')!;
  }

  private get serviceAccounts() {
    return this.registry.get('', 'v1', 'serviceaccounts')!;
  }

  async start(): Promise<void> {
    this.watchers.push(
      await watchResource(this.store, this.secrets, (type, obj) => {
        if (type === 'put' && obj.type === SA_TOKEN_SECRET_TYPE) this.queue.add(`secret/${obj.metadata!.namespace}/${obj.metadata!.name}`);
      }),
      await watchResource(this.store, this.serviceAccounts, (type, obj) => {
        if (type === 'delete') this.queue.add(`serviceaccount/${obj.metadata!.namespace}/${obj.metadata!.name}`);
      }),
    );
    void this.queue.run(2, (key) => this.sync(key), (key, err) => this.logger.warn({ key, err: String(err) }, 'service account token sync failed; retrying'));
  }

  stop(): void {
    for (const w of this.watchers.splice(0)) w.close();
    this.queue.shutDown();
  }

  private async sync(key: string): Promise<void> {
    const [kind, namespace, name] = key.split('/') as [string, string, string];
    if (kind === 'secret') return this.syncSecret(namespace, name);
    return this.syncDeletedServiceAccount(namespace, name);
  }

  private async syncDeletedServiceAccount(namespace: string, name: string): Promise<void> {
    if (await this.store.tryGet(this.serviceAccounts, namespace, name)) return; // re-created meanwhile: its secrets are checked by uid
    const { items } = await this.store.list(this.secrets, namespace);
    for (const s of items) {
      if (s.type === SA_TOKEN_SECRET_TYPE && s.metadata?.annotations?.[SA_NAME_ANNOTATION] === name) await this.deleteSecret(s);
    }
  }

  private async deleteSecret(s: KubeObject): Promise<void> {
    try {
      await this.store.delete(this.secrets, s.metadata!.namespace, s.metadata!.name!, { user: SYSTEM_USER, preconditions: { uid: s.metadata!.uid } });
      this.logger.info({ secret: `${s.metadata!.namespace}/${s.metadata!.name}` }, 'deleted the token secret of a missing service account');
    } catch (err) {
      if (!(err instanceof ApiError && (err.code === 404 || err.code === 409))) throw err;
    }
  }

  private async syncSecret(namespace: string, name: string): Promise<void> {
    const secret = await this.store.tryGet(this.secrets, namespace, name);
    if (!secret || secret.type !== SA_TOKEN_SECRET_TYPE || secret.metadata?.deletionTimestamp) return;
    const saName = secret.metadata?.annotations?.[SA_NAME_ANNOTATION];
    if (!saName) return;
    const sa = await this.store.tryGet(this.serviceAccounts, namespace, saName);
    const wantUid = secret.metadata?.annotations?.[SA_UID_ANNOTATION];
    if (!sa && !wantUid && Date.now() - Date.parse(secret.metadata?.creationTimestamp ?? '') < MISSING_SA_GRACE_MS) {
      // Created together with its ServiceAccount (kubectl apply -f of both, Secret first): look again.
      this.queue.addAfter(`secret/${namespace}/${name}`, 500);
      return;
    }
    if (!sa || sa.metadata?.deletionTimestamp || (wantUid && wantUid !== sa.metadata?.uid)) {
      await this.deleteSecret(secret);
      return;
    }
    const uid = sa.metadata!.uid!;
    if (this.complete(secret, uid)) return;
    await this.store
      .guaranteedUpdate(this.secrets, namespace, name, { user: SYSTEM_USER }, (cur: KubeObject) => {
        if (this.complete(cur, uid)) return cur;
        const annotations = (cur.metadata!.annotations ??= {});
        annotations[SA_UID_ANNOTATION] = uid;
        const data = ((cur.data ??= {}) as Record<string, string>);
        if (!this.tokenMatches(data.token, namespace, saName, uid, name)) {
          data.token = b64(this.issuer.issueLegacy({ namespace, name: saName, uid, secretName: name }));
        }
        data['ca.crt'] = b64(this.caPem);
        data.namespace = b64(namespace);
        return cur;
      })
      .catch((err) => {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      });
  }

  private complete(secret: KubeObject, uid: string): boolean {
    const data = (secret.data ?? {}) as Record<string, string>;
    const m = secret.metadata!;
    return (
      m.annotations?.[SA_UID_ANNOTATION] === uid &&
      this.tokenMatches(data.token, m.namespace!, m.annotations?.[SA_NAME_ANNOTATION] ?? '', uid, m.name!) &&
      unb64(data['ca.crt']) === this.caPem &&
      unb64(data.namespace) === m.namespace
    );
  }

  /** The stored token is a legacy token of this issuer for exactly this ServiceAccount and Secret. */
  private tokenMatches(token: string | undefined, namespace: string, saName: string, uid: string, secretName: string): boolean {
    const jwt = token ? parseJWT(unb64(token)) : undefined;
    if (!jwt || jwt.header.kid !== this.issuer.keyId) return false;
    const c = jwt.claims;
    return (
      c['kubernetes.io/serviceaccount/namespace'] === namespace &&
      c['kubernetes.io/serviceaccount/service-account.name'] === saName &&
      c['kubernetes.io/serviceaccount/service-account.uid'] === uid &&
      c['kubernetes.io/serviceaccount/secret.name'] === secretName
    );
  }
}
