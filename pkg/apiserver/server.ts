// karmada-apiserver's HTTP layer: TLS, authentication, routing of every /api and /apis path to the
// generic REST handler, discovery, OpenAPI, health and version endpoints.

import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { isStorageError, type Storage } from '../storage/interface.js';
import { ApiError, internalError } from './errors.js';
import { Registry } from './registry/registry.js';
import type { ResourceDescriptor } from './registry/types.js';
import { Store, type UserInfo } from './store/store.js';
import { Admission, type AdmissionPlugin } from './admission/types.js';
import { namespaceLifecycle } from './admission/namespacelifecycle.js';
import { schemaAdmission } from './admission/schema.js';
import { builtinStrategies } from './admission/strategies.js';
import { crdAdmission } from './admission/crd.js';
import type { Authenticator } from './auth/authn.js';
import { AuthService, type AuthorizationMode, type ServiceAccountOptions } from './auth/service.js';
import { certificateSigningRequests } from './admission/certificates.js';
import type { CertificateAuthority } from '../pki/index.js';
import { parseRequestInfo } from './handlers/requestinfo.js';
import { handleResource, type RestContext } from './handlers/rest.js';
import {
  aggregatedDiscovery,
  AGGREGATED_DISCOVERY_CONTENT_TYPE,
  apiGroupDocument,
  apiGroupList,
  apiResourceList,
  apiVersions,
} from './handlers/discovery.js';
import { parseAccept, wantsAggregatedDiscovery } from './handlers/negotiation.js';
import { FieldManager } from './handlers/fieldmanager.js';
import { OpenAPIService } from './handlers/openapi.js';
import { BUILTIN_KINDS } from './schema/builtin.js';
import { decodeKubernetesProtobuf, KUBERNETES_PROTOBUF_CONTENT_TYPE } from './protobuf/index.js';
import { CRDController } from './controllers/crd.js';
import { SYSTEM_USER } from './controllers/common.js';
import { clusterDescriptor, installKarmadaCRDs, karmadaCRDs } from './karmada/kinds.js';
import { karmadaAdmission } from './karmada/admission.js';
import { NamespaceController } from './controllers/namespace.js';
import { GarbageCollector } from './controllers/gc.js';

export const MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024;
export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-karmada-ts',
  gitCommit: '',
  gitTreeState: 'clean',
  buildDate: '2026-11-22T00:00:00Z',
  goVersion: 'node' + process.versions.node,
  compiler: 'tsc',
  platform: `${process.platform}/${process.arch}`,
};

export interface ApiServerOptions {
  storage: Storage;
  logger: Logger;
  tls: { key: string; cert: string; ca: string };
  authenticators: Authenticator[];
  bindAddress?: string;
  port?: number;
  /** Extra admission plugins (Karmada's webhook rules come in later). */
  admissionPlugins?: AdmissionPlugin[];
  /** Extra kinds served natively besides the built-ins. */
  extraKinds?: ResourceDescriptor[];
  /** Run the in-process controllers (CRD establishing, namespace lifecycle, GC). Default true. */
  controllers?: boolean;
  /**
   * Serve Karmada's APIs: Cluster natively, the other Karmada kinds from crds/ (installed at start),
   * and karmada-webhook's defaulting/validation as admission. Off for simulated members.
   */
  karmada?: boolean;
  /** RBAC (default) or AlwaysAllow. */
  authorization?: AuthorizationMode;
  /** Unauthenticated requests act as system:anonymous (default true). */
  anonymousAuth?: boolean;
  /** Service-account tokens (TokenRequest, token Secrets, their authentication). */
  serviceAccount?: ServiceAccountOptions;
  /** Authenticate bootstrap tokens (--enable-bootstrap-token-auth). */
  bootstrapTokenAuth?: boolean;
  /** The cluster CA with its key, to sign approved CSRs (kubernetes.io/kube-apiserver-client). */
  signingCA?: CertificateAuthority;
}

const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version', '/version/']);

export class ApiServer {
  readonly registry = new Registry();
  readonly store: Store;
  readonly app: FastifyInstance<HttpsServer, IncomingMessage, ServerResponse, FastifyBaseLogger>;
  private readonly fieldManager = new FieldManager();
  private readonly openapi: OpenAPIService;
  private readonly crdController: CRDController;
  private readonly namespaceController: NamespaceController;
  private readonly gc: GarbageCollector;
  readonly auth: AuthService;
  private ready = false;
  private serverAddress = '';

  constructor(private readonly opts: ApiServerOptions) {
    for (const d of BUILTIN_KINDS) this.registry.add(d);
    if (opts.karmada) this.registry.add(clusterDescriptor);
    for (const d of opts.extraKinds ?? []) this.registry.add(d);
    const namespaces = () => this.registry.get('', 'v1', 'namespaces')!;
    const admission = new Admission([
      builtinStrategies(),
      crdAdmission(),
      certificateSigningRequests(),
      schemaAdmission(),
      namespaceLifecycle(namespaces),
      ...(opts.karmada ? [karmadaAdmission()] : []),
      ...(opts.admissionPlugins ?? []),
    ]);
    this.store = new Store(opts.storage, admission, opts.logger);
    this.openapi = new OpenAPIService(this.registry);
    this.crdController = new CRDController(this.registry, this.store, opts.logger.child({ controller: 'crd' }));
    this.namespaceController = new NamespaceController(this.registry, this.store, opts.logger.child({ controller: 'namespace' }));
    this.gc = new GarbageCollector(this.registry, this.store, opts.logger.child({ controller: 'garbage-collector' }));
    this.auth = new AuthService(this.registry, this.store, opts.logger.child({ component: 'auth' }), {
      authenticators: opts.authenticators,
      authorization: opts.authorization,
      anonymousAuth: opts.anonymousAuth,
      serviceAccount: opts.serviceAccount,
      bootstrapTokenAuth: opts.bootstrapTokenAuth,
      signingCA: opts.signingCA,
      caPem: opts.tls.ca,
      karmada: opts.karmada,
      controllers: opts.controllers,
      publicPaths: PUBLIC_PATHS,
    });
    this.app = this.buildApp();
  }

  private buildApp(): FastifyInstance<HttpsServer, IncomingMessage, ServerResponse, FastifyBaseLogger> {
    const app = Fastify({
      https: {
        key: this.opts.tls.key,
        cert: this.opts.tls.cert,
        ca: this.opts.tls.ca,
        requestCert: true,
        rejectUnauthorized: false,
      },
      bodyLimit: MAX_REQUEST_BODY_BYTES,
      // Per-request logs would drown the useful ones; errors are logged by the error handler.
      loggerInstance: this.opts.logger.child({ component: 'http' }, { level: 'warn' }),
      routerOptions: { maxParamLength: 4096 },
      return503OnClosing: true,
      // Watches and long lists must not be cut by server-side timeouts.
      connectionTimeout: 0,
      keepAliveTimeout: 75_000,
    });
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    // kubectl's typed clients (create configmap/namespace/deployment, ...) send Kubernetes protobuf:
    // decode it to the JSON object the handlers work with.
    app.addContentTypeParser(KUBERNETES_PROTOBUF_CONTENT_TYPE, { parseAs: 'buffer' }, (req, body, done) => {
      try {
        const { object } = decodeKubernetesProtobuf(body as Buffer);
        req.headers['content-type'] = 'application/json';
        done(null, JSON.stringify(object));
      } catch (err) {
        done(err as Error, undefined);
      }
    });

    app.decorateRequest('user', undefined);
    // Authentication, impersonation and authorization (RBAC) of every request, watches included.
    app.addHook('onRequest', async (req) => {
      (req as FastifyRequest & { user?: UserInfo }).user = await this.auth.check(req.raw, req.method, req.url);
    });

    app.setErrorHandler((err: Error & { code?: string; statusCode?: number }, req, reply) => {
      if (err instanceof ApiError) return sendError(reply, err);
      if (isStorageError(err, 'Unavailable')) {
        void reply.header('Retry-After', '1');
        return sendError(reply, new ApiError(504, 'Timeout', `${err.message}; retry the request`, { retryAfterSeconds: 1 }));
      }
      if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        return sendError(reply, new ApiError(413, 'RequestEntityTooLarge', `the request body is larger than the ${MAX_REQUEST_BODY_BYTES} byte limit`));
      }
      if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || err.statusCode === 415) {
        return sendError(reply, new ApiError(415, 'UnsupportedMediaType', err.message));
      }
      if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
        return sendError(reply, new ApiError(err.statusCode, 'BadRequest', err.message));
      }
      this.opts.logger.error({ err, url: req.url, method: req.method }, 'request failed');
      return sendError(reply, internalError(err));
    });

    const health = async (_req: FastifyRequest, reply: FastifyReply) => {
      if (!this.ready) return reply.code(500).type('text/plain').send('[-]storage not ready\nhealthz check failed');
      return reply.type('text/plain').send('ok');
    };
    for (const p of ['/healthz', '/livez', '/readyz']) {
      app.get(p, health);
      app.get(`${p}/*`, health);
    }
    app.get('/version', async () => SERVER_VERSION);
    app.get('/openapi/v2', async (req, reply) => {
      const accept = req.headers.accept ?? '';
      if (accept && !/application\/json|\*\/\*/.test(accept)) {
        return sendError(reply, new ApiError(406, 'NotAcceptable', 'only application/json is served for /openapi/v2'));
      }
      return reply.type('application/json').send(this.openapi.v2());
    });
    app.get('/openapi/v3', async (_req, reply) => reply.type('application/json').send(this.openapi.v3Index()));
    app.get('/openapi/v3/*', async (req, reply) => {
      const gvPath = (req.params as { '*': string })['*'];
      const doc = this.openapi.v3(gvPath);
      if (!doc) return sendError(reply, new ApiError(404, 'NotFound', `no OpenAPI document for ${gvPath}`));
      return reply.type('application/json').header('Cache-Control', 'public, immutable').send(doc);
    });

    const ctx: RestContext = { registry: this.registry, store: this.store, fieldManager: this.fieldManager, createHandlers: this.auth.createHandlers };
    const dispatch = async (req: FastifyRequest, reply: FastifyReply) => {
      const user = (req as FastifyRequest & { user?: UserInfo }).user!;
      const info = parseRequestInfo(req.method, req.url);
      if (info.isResourceRequest) return handleResource(ctx, info, user, req, reply);
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      const accept = parseAccept(req.headers.accept);
      const aggregated = wantsAggregatedDiscovery(accept);
      // header() rather than type(): the aggregated discovery media type must go out verbatim.
      const json = (body: unknown, contentType = 'application/json') => reply.code(200).header('content-type', contentType).send(JSON.stringify(body));
      const path = info.path.replace(/\/+$/, '');
      if (path === '/api') {
        if (aggregated) return json(aggregatedDiscovery(this.registry, true, aggregated), AGGREGATED_DISCOVERY_CONTENT_TYPE(aggregated));
        return json(apiVersions(this.serverAddress));
      }
      if (path === '/apis') {
        if (aggregated) return json(aggregatedDiscovery(this.registry, false, aggregated), AGGREGATED_DISCOVERY_CONTENT_TYPE(aggregated));
        return json(apiGroupList(this.registry));
      }
      const parts = path.split('/').filter(Boolean);
      if (parts[0] === 'api' && parts.length === 2) {
        const doc = apiResourceList(this.registry, '', parts[1]!);
        if (doc) return json(doc);
      }
      if (parts[0] === 'apis' && parts.length === 2) {
        const doc = apiGroupDocument(this.registry, parts[1]!);
        if (doc) return json(doc);
      }
      if (parts[0] === 'apis' && parts.length === 3) {
        const doc = apiResourceList(this.registry, parts[1]!, parts[2]!);
        if (doc) return json(doc);
      }
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    };
    app.all('/api', dispatch);
    app.all('/api/*', dispatch);
    app.all('/apis', dispatch);
    app.all('/apis/*', dispatch);
    app.setNotFoundHandler((_req, reply) => sendError(reply, new ApiError(404, 'NotFound', 'the server could not find the requested resource')));
    return app as unknown as FastifyInstance<HttpsServer, IncomingMessage, ServerResponse, FastifyBaseLogger>;
  }

  /** Starts controllers and listens; resolves with the bound URL. */
  async start(): Promise<string> {
    await this.crdController.start();
    if (this.opts.controllers !== false) {
      await this.namespaceController.start();
      await this.gc.start();
    }
    await ensureSystemNamespaces(this);
    await this.auth.start();
    if (this.opts.karmada) await this.installKarmadaAPIs();
    const address = await this.app.listen({ host: this.opts.bindAddress ?? '127.0.0.1', port: this.opts.port ?? 5443 });
    const addr = this.app.server.address() as AddressInfo;
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    this.serverAddress = `${host}:${addr.port}`;
    this.ready = true;
    this.opts.logger.info({ address }, 'karmada-apiserver serving');
    return `https://${this.serverAddress}`;
  }

  /** Installs (or upgrades) the Karmada CRDs and waits until every one of them is served. */
  private async installKarmadaAPIs(): Promise<void> {
    const crds = this.registry.get('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
    await installKarmadaCRDs(this.store, crds, SYSTEM_USER);
    const wanted = karmadaCRDs().map((c) => c.spec as { group: string; names: { plural: string }; versions: { name: string }[] });
    const deadline = Date.now() + 30_000;
    while (!wanted.every((w) => this.registry.get(w.group, w.versions[0]!.name, w.names.plural))) {
      if (Date.now() > deadline) throw new Error('the Karmada CRDs were installed but are not served after 30s');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Publishes kube-public/cluster-info (CA and URL) for clients reaching this server at serverUrl. */
  async publishClusterInfo(serverUrl: string): Promise<void> {
    await this.auth.publishClusterInfo(serverUrl);
  }

  get port(): number {
    return (this.app.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.ready = false;
    this.crdController.stop();
    this.namespaceController.stop();
    this.gc.stop();
    this.auth.stop();
    this.store.stop();
    // Close idle keep-alive and streaming watch connections so close() does not wait on them.
    this.app.server.closeAllConnections?.();
    await this.app.close();
  }
}


async function ensureSystemNamespaces(server: ApiServer): Promise<void> {
  const d = server.registry.get('', 'v1', 'namespaces')!;
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    if (await server.store.tryGet(d, undefined, name)) continue;
    try {
      await server.store.create(d, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { user: SYSTEM_USER });
    } catch (err) {
      // Another replica sharing the storage may have created it first.
      if (!(err instanceof ApiError && err.code === 409)) throw err;
    }
  }
}

export function sendError(reply: FastifyReply, err: ApiError): FastifyReply {
  return reply.code(err.code).type('application/json').send(JSON.stringify(err.toStatus()));
}
