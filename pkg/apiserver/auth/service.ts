// Everything about who is calling and what they may do, wired for one ApiServer: the authenticator
// chain (client certificates and static tokens from the options, service-account and bootstrap tokens
// here), impersonation, the authorizer (RBAC over the watch cache), the review/TokenRequest endpoints,
// the bootstrap policy, and the in-process controllers that mint credentials (token Secrets, CSR
// signing, cluster-info signatures, expired-token cleanup).

import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { CertificateAuthority } from '../../pki/index.js';
import { SYSTEM_USER } from '../controllers/common.js';
import { BootstrapSigner, BootstrapTokenCleaner, publishClusterInfo } from '../controllers/bootstrapsigner.js';
import { CSRSigningController } from '../controllers/csrsigning.js';
import { ServiceAccountTokenController } from '../controllers/serviceaccounttokens.js';
import { ApiError } from '../errors.js';
import { parseRequestInfo } from '../handlers/requestinfo.js';
import type { Registry } from '../registry/registry.js';
import { decode, objectKey } from '../store/keys.js';
import type { Store, UserInfo } from '../store/store.js';
import { authenticate, type Authenticator } from './authn.js';
import { alwaysAllow, ANONYMOUS_USER, attributesFor, forbidden, isPrivileged, UNAUTHENTICATED_GROUP, type Authorizer } from './authz.js';
import { BOOTSTRAP_NAMESPACE, bootstrapTokenAuthenticator } from './bootstraptoken.js';
import { ensureBootstrapPolicy, karmadaPolicy, kubernetesPolicy } from './bootstrappolicy.js';
import { impersonate, wantsImpersonation } from './impersonation.js';
import { RBACAuthorizer } from './rbac.js';
import { reviewResources, tokenRequestHandler, type CreateHandler } from './reviews.js';
import {
  bearerToken,
  DEFAULT_SERVICE_ACCOUNT_ISSUER,
  serviceAccountAuthenticator,
  ServiceAccountTokenIssuer,
  type ObjectLookup,
} from './serviceaccount.js';

export type AuthorizationMode = 'RBAC' | 'AlwaysAllow';

export interface ServiceAccountOptions {
  /** PEM private key tokens are signed with (sa.key). */
  keyPem: string;
  /** Extra public keys (PEM) whose tokens are accepted, e.g. of a previous key. */
  extraPublicKeyPems?: string[];
  /** Issuers: the first signs new tokens, all are accepted (default https://kubernetes.default.svc.cluster.local). */
  issuers?: string[];
  /** Audiences a token must carry to authenticate to this server (default: the first issuer). */
  apiAudiences?: string[];
}

export interface AuthOptions {
  /** Authenticators tried first (client certificates, static tokens). */
  authenticators: Authenticator[];
  /** Default RBAC. */
  authorization?: AuthorizationMode;
  /** Requests without credentials act as system:anonymous (default true); denied ones get 401. */
  anonymousAuth?: boolean;
  /** Service-account tokens: TokenRequest, token Secrets and their authentication. */
  serviceAccount?: ServiceAccountOptions;
  /** Authenticate bootstrap tokens (kube-system/bootstrap-token-<id> Secrets). */
  bootstrapTokenAuth?: boolean;
  /** The cluster CA with its key: signs approved CSRs. */
  signingCA?: CertificateAuthority;
  /** The CA bundle clients trust (token Secrets' ca.crt, cluster-info). */
  caPem: string;
  /** Install the Karmada bootstrap-token RBAC too. */
  karmada?: boolean;
  /** Run the credential controllers (default true). */
  controllers?: boolean;
  /** Paths any request may GET (health, version), whatever the credentials. */
  publicPaths: ReadonlySet<string>;
}

interface Runnable {
  start(): Promise<void>;
  stop(): void;
}

const ANONYMOUS: UserInfo = { name: ANONYMOUS_USER, groups: [UNAUTHENTICATED_GROUP] };

function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized', 'Unauthorized');
}

export class AuthService {
  readonly authenticators: Authenticator[];
  readonly authorizer: Authorizer;
  readonly rbac?: RBACAuthorizer;
  readonly issuer?: ServiceAccountTokenIssuer;
  readonly apiAudiences: string[];
  /** POST handlers for the rest handler (reviews, serviceaccounts/token). */
  readonly createHandlers = new Map<string, CreateHandler>();
  private readonly controllers: Runnable[] = [];
  private readonly tokenAuthenticators: Authenticator[] = [];

  constructor(
    private readonly registry: Registry,
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly opts: AuthOptions,
  ) {
    const sa = opts.serviceAccount;
    const issuers = sa?.issuers?.length ? sa.issuers : [DEFAULT_SERVICE_ACCOUNT_ISSUER];
    this.apiAudiences = sa?.apiAudiences?.length ? sa.apiAudiences : [issuers[0]!];
    const own: Authenticator[] = [];
    if (sa) {
      this.issuer = new ServiceAccountTokenIssuer(sa.keyPem, issuers[0]);
      own.push(
        serviceAccountAuthenticator({
          publicKeys: [sa.keyPem, ...(sa.extraPublicKeyPems ?? [])],
          issuers,
          audiences: this.apiAudiences,
          lookup: this.cachedLookup,
        }),
      );
    }
    if (opts.bootstrapTokenAuth) {
      own.push(bootstrapTokenAuthenticator((name) => this.store.tryGet(this.core('secrets'), BOOTSTRAP_NAMESPACE, name)));
    }
    this.authenticators = [...opts.authenticators, ...own];
    this.tokenAuthenticators = this.authenticators;
    if ((opts.authorization ?? 'RBAC') === 'RBAC') {
      this.rbac = new RBACAuthorizer(registry, store, logger.child({ component: 'rbac' }));
      this.authorizer = this.rbac;
    } else {
      this.authorizer = alwaysAllow;
    }
    this.install();
    const log = (c: string) => logger.child({ controller: c });
    if (opts.controllers !== false) {
      if (this.issuer) this.controllers.push(new ServiceAccountTokenController(registry, store, this.issuer, opts.caPem, log('serviceaccount-token')));
      if (opts.signingCA) this.controllers.push(new CSRSigningController(registry, store, opts.signingCA, log('csrsigning')));
      this.controllers.push(new BootstrapSigner(registry, store, log('bootstrapsigner')));
      if (opts.bootstrapTokenAuth) this.controllers.push(new BootstrapTokenCleaner(registry, store, log('tokencleaner')));
    }
  }

  private core(resource: string) {
    return this.registry.get('', 'v1', resource)!;
  }

  /** From the watch cache when there, else from storage (objects created a moment ago). */
  private readonly cachedLookup: ObjectLookup = async (resource, namespace, name) => {
    const d = this.registry.get('', 'v1', resource);
    if (!d || !name) return undefined;
    const kv = (await this.store.cacher(d)).get(objectKey(d, namespace, name));
    return kv ? decode(kv) : this.store.tryGet(d, namespace, name);
  };

  private readonly freshLookup: ObjectLookup = async (resource, namespace, name) => {
    const d = this.registry.get('', 'v1', resource);
    return d && name ? this.store.tryGet(d, namespace, name) : undefined;
  };

  /** Registers the storage-less resources and the handled subresources. */
  private install(): void {
    const reviews = reviewResources({
      authorizer: this.authorizer,
      rulesFor: this.rbac ? (u, ns) => this.rbac!.rulesFor(u, ns) : undefined,
      authenticateToken: (token) => this.authenticateToken(token),
      apiAudiences: this.apiAudiences,
    });
    for (const r of reviews) {
      this.registry.add(r.descriptor);
      this.createHandlers.set(`${r.descriptor.group}/${r.descriptor.resource}`, r.handler);
    }
    this.registry.addSubresource('certificates.k8s.io', 'certificatesigningrequests', { name: 'approval', verbs: ['get', 'patch', 'update'] });
    if (this.issuer) {
      this.registry.addSubresource('', 'serviceaccounts', {
        name: 'token',
        verbs: ['create'],
        kind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' },
      });
      this.createHandlers.set('/serviceaccounts/token', tokenRequestHandler({ issuer: this.issuer, apiAudiences: this.apiAudiences, lookup: this.freshLookup }));
    }
  }

  /** Bootstrap policy, the RBAC cache, the credential controllers. Call after the system namespaces exist. */
  async start(): Promise<void> {
    const policy = [...kubernetesPolicy(), ...(this.opts.karmada ? karmadaPolicy() : [])];
    await ensureBootstrapPolicy(this.store, this.registry, policy, SYSTEM_USER);
    await this.rbac?.start();
    for (const c of this.controllers) await c.start();
  }

  stop(): void {
    this.rbac?.stop();
    for (const c of this.controllers) c.stop();
  }

  /** Writes kube-public/cluster-info for clients that reach this server at `serverUrl`. */
  async publishClusterInfo(serverUrl: string): Promise<void> {
    await publishClusterInfo(this.store, this.registry, serverUrl, this.opts.caPem);
  }

  /** TokenReview: a bearer token as the chain would authenticate it. */
  private async authenticateToken(token: string): Promise<UserInfo | undefined> {
    const fake = { headers: { authorization: `Bearer ${token}` }, socket: {} } as unknown as IncomingMessage;
    return authenticate(this.tokenAuthenticators, fake);
  }

  /**
   * Authenticates, applies impersonation and authorizes one request; returns the user it acts as.
   * Throws 401 (no or bad credentials, or an anonymous request that is not allowed) or 403.
   */
  async check(req: IncomingMessage, method: string, url: string): Promise<UserInfo> {
    const path = url.split('?')[0]!;
    const isPublic = this.opts.publicPaths.has(path) && (method === 'GET' || method === 'HEAD');
    let user = await authenticate(this.authenticators, req);
    let anonymous = false;
    if (!user) {
      if (isPublic) return ANONYMOUS;
      // A credential that does not authenticate is a 401, never a fall-back to anonymous.
      if (bearerToken(req) !== undefined || this.opts.anonymousAuth === false) throw unauthorized();
      user = ANONYMOUS;
      anonymous = true;
    }
    if (wantsImpersonation(req)) {
      try {
        user = impersonate(req, user, this.authorizer);
      } catch (err) {
        if (anonymous && err instanceof ApiError && err.code === 403) throw unauthorized();
        throw err;
      }
    }
    if (isPublic || isPrivileged(user)) return user;
    const attrs = attributesFor(user, method, url, parseRequestInfo(method, url));
    let decision = this.authorizer.authorize(attrs);
    if (!decision.allowed && this.rbac) {
      // A role or binding written a moment ago may not have reached the cache yet.
      await this.rbac.waitFresh().catch(() => undefined);
      decision = this.authorizer.authorize(attrs);
    }
    if (decision.allowed) return user;
    if (anonymous) throw unauthorized();
    throw forbidden(attrs, decision.reason);
  }
}
