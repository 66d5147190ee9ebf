// A small HTTP client for Kubernetes API servers built on a client-node KubeConfig: credentials and TLS
// settings come from the kubeconfig (certificates, tokens, exec/OIDC plugins, proxies), connections
// are kept alive and reused (client-node makes a new agent per request), errors are StatusErrors that
// carry the server's metav1.Status.

import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import type { Status } from './types.js';

export class StatusError extends Error {
  /** HTTP status code (0 when the server could not be reached). */
  readonly code: number;
  readonly reason: string;
  readonly status: Status;
  constructor(code: number, status: Status, fallbackMessage?: string) {
    super(status.message || fallbackMessage || `${code} ${http.STATUS_CODES[code] ?? 'error'}`);
    this.name = 'StatusError';
    this.code = code;
    this.reason = status.reason ?? '';
    this.status = status;
  }
}

/** HTTP status code of an API error, or undefined for other errors (network, parsing). */
export function errorCode(err: unknown): number | undefined {
  if (err instanceof StatusError) return err.code;
  const c = (err as { code?: unknown; statusCode?: unknown } | null)?.statusCode ?? (err as { code?: unknown } | null)?.code;
  return typeof c === 'number' ? c : undefined;
}
export const isNotFound = (err: unknown): boolean => errorCode(err) === 404;
export const isAlreadyExists = (err: unknown): boolean => errorCode(err) === 409 && (err as StatusError).reason === 'AlreadyExists';
export const isConflict = (err: unknown): boolean => errorCode(err) === 409 && (err as StatusError).reason !== 'AlreadyExists';
export const isGone = (err: unknown): boolean => errorCode(err) === 410;
export const isForbidden = (err: unknown): boolean => errorCode(err) === 403;
export const isUnauthorized = (err: unknown): boolean => errorCode(err) === 401;
export const isMethodNotAllowed = (err: unknown): boolean => errorCode(err) === 405;
/** The error means the request never got an HTTP answer (connection refused/reset, DNS, TLS, timeout). */
export function isNetworkError(err: unknown): boolean {
  return !(err instanceof StatusError) && err instanceof Error;
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  method?: string;
  /** Absolute path on the server, e.g. /api/v1/namespaces. */
  path: string;
  query?: Query;
  /** Objects are sent as JSON; strings and Buffers as they are. */
  body?: unknown;
  contentType?: string;
  accept?: string;
  headers?: Record<string, string>;
  /** Idle timeout of the request in ms (default: the client's, 30 s). 0 disables it. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface RestClientOptions {
  userAgent?: string;
  /** Default request timeout in ms (30 000). */
  timeoutMs?: number;
  /** How long resolved credentials (tokens from plugins) are reused before asking the kubeconfig again (10 000 ms). */
  credentialTtlMs?: number;
}

interface Prepared {
  headers: Record<string, string>;
  agent: http.Agent;
  expires: number;
}

export class RestClient {
  readonly server: string;
  private readonly userAgent: string;
  private readonly timeoutMs: number;
  private readonly credentialTtlMs: number;
  private agent: http.Agent | undefined;
  private prepared: Prepared | undefined;
  private preparing: Promise<Prepared> | undefined;
  private closed = false;
  private kc: KubeConfig;
  /** Bumped by reloadCredentials so that a preparation started before it is not kept. */
  private generation = 0;
  /** Connection pools of earlier credentials whose requests and watches are still finishing. */
  private readonly retired = new Set<http.Agent>();

  constructor(kubeConfig: KubeConfig, opts: RestClientOptions = {}) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error(`kubeconfig has no cluster for context "${kubeConfig.getCurrentContext()}"`);
    this.kc = kubeConfig;
    this.server = cluster.server.replace(/\/+$/, '');
    this.userAgent = opts.userAgent ?? 'karmada-ts';
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.credentialTtlMs = opts.credentialTtlMs ?? 10_000;
  }

  /** Loads a kubeconfig file (or the default chain: $KUBECONFIG, ~/.kube/config, in-cluster) and selects a context. */
  static loadKubeConfig(file?: string, context?: string): KubeConfig {
    const kc = new KubeConfig();
    if (file) kc.loadFromFile(file);
    else kc.loadFromDefault();
    if (context) {
      if (!kc.getContextObject(context)) throw new Error(`context "${context}" not found in ${file ?? 'the kubeconfig'}`);
      kc.setCurrentContext(context);
    }
    if (!kc.getCurrentCluster()) throw new Error(`no cluster for context "${kc.getCurrentContext()}" in ${file ?? 'the kubeconfig'}`);
    return kc;
  }

  static fromFile(file?: string, context?: string, opts?: RestClientOptions): RestClient {
    return new RestClient(RestClient.loadKubeConfig(file, context), opts);
  }

  /** The kubeconfig in use (replaced by reloadCredentials). */
  get kubeConfig(): KubeConfig {
    return this.kc;
  }

  /**
   * Switches to the credentials (client certificate, token, CA) of another kubeconfig for the same
   * server, e.g. after a certificate rotation: new requests use a new connection pool; requests and
   * watches under way finish on their old connections.
   */
  reloadCredentials(kubeConfig: KubeConfig): void {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error(`kubeconfig has no cluster for context "${kubeConfig.getCurrentContext()}"`);
    const server = cluster.server.replace(/\/+$/, '');
    if (server !== this.server) throw new Error(`the new kubeconfig points at ${server}, not ${this.server}; build a new client for another server`);
    const old = this.agent;
    this.kc = kubeConfig;
    this.generation++;
    this.agent = undefined;
    this.prepared = undefined;
    this.preparing = undefined;
    // idle sockets of the old pool close now, busy ones as soon as their request or watch is done
    if (old && old !== http.globalAgent && old !== https.globalAgent) {
      old.on('free', (socket: { destroy(): void }) => socket.destroy());
      for (const sockets of Object.values(old.freeSockets)) for (const s of sockets ?? []) s.destroy();
      this.retired.add(old);
    }
  }

  private async prepare(): Promise<Prepared> {
    if (this.prepared && this.prepared.expires > Date.now()) return this.prepared;
    if (this.preparing) return this.preparing;
    const generation = this.generation;
    const kc = this.kc;
    const preparing = (async () => {
      const opts: https.RequestOptions = {};
      await kc.applyToHTTPSOptions(opts);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(opts.headers ?? {})) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
      if (opts.auth) headers.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
      // credentials were reloaded meanwhile: prepare again with the new ones
      if (generation !== this.generation) return this.prepare();
      if (!this.agent) {
        const cluster = kc.getCurrentCluster()!;
        if (cluster.proxyUrl) {
          // client-node builds the right proxy agent (http/https/socks) for us
          this.agent = opts.agent as http.Agent;
        } else if (this.server.startsWith('http:')) {
          this.agent = new http.Agent({ keepAlive: true });
        } else {
          this.agent = new https.Agent({
            keepAlive: true,
            ca: opts.ca,
            cert: opts.cert,
            key: opts.key,
            pfx: opts.pfx,
            passphrase: opts.passphrase,
            servername: opts.servername,
            ...(opts.rejectUnauthorized !== undefined ? { rejectUnauthorized: opts.rejectUnauthorized } : {}),
          });
        }
      }
      this.prepared = { headers, agent: this.agent, expires: Date.now() + this.credentialTtlMs };
      return this.prepared;
    })().finally(() => {
      if (this.preparing === preparing) this.preparing = undefined;
    });
    this.preparing = preparing;
    return preparing;
  }

  /** Sends a request and resolves with the response head; the caller consumes the body. */
  async send(opts: RequestOptions & { stream?: boolean }): Promise<{ response: IncomingMessage; abort: () => void }> {
    if (this.closed) throw new Error('client is closed');
    const { headers, agent } = await this.prepare();
    const url = new URL(this.server + opts.path);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    let body: string | Buffer | undefined;
    let contentType = opts.contentType;
    if (opts.body !== undefined) {
      if (typeof opts.body === 'string' || Buffer.isBuffer(opts.body)) body = opts.body;
      else {
        body = JSON.stringify(opts.body);
        contentType ??= 'application/json';
      }
    }
    const reqHeaders: Record<string, string | number> = {
      ...headers,
      Accept: opts.accept ?? 'application/json',
      'User-Agent': this.userAgent,
      ...(opts.headers ?? {}),
    };
    if (body !== undefined) {
      reqHeaders['Content-Type'] = contentType ?? 'application/json';
      reqHeaders['Content-Length'] = Buffer.byteLength(body);
    }
    const lib = url.protocol === 'http:' ? http : https;
    return new Promise((resolve, reject) => {
      const req = lib.request(url, { method: opts.method ?? 'GET', headers: reqHeaders, agent }, (response) => {
        if (opts.stream) response.socket?.setKeepAlive?.(true, 15_000);
        resolve({ response, abort: () => req.destroy() });
      });
      req.on('error', reject);
      const timeout = opts.timeoutMs ?? (opts.stream ? 0 : this.timeoutMs);
      if (timeout > 0) req.setTimeout(timeout, () => req.destroy(new Error(`${opts.method ?? 'GET'} ${url.pathname}: no answer from ${this.server} within ${timeout} ms`)));
      const signal = opts.signal;
      if (signal) {
        const onAbort = () => req.destroy(new Error('aborted'));
        if (signal.aborted) onAbort();
        else {
          signal.addEventListener('abort', onAbort, { once: true });
          req.once('close', () => signal.removeEventListener('abort', onAbort));
        }
      }
      req.end(body);
    });
  }

  /** Any HTTP answer (no error for 4xx/5xx); network failures reject. */
  async raw(opts: RequestOptions): Promise<RawResponse> {
    const { response } = await this.send(opts);
    const chunks: Buffer[] = [];
    const timeout = opts.timeoutMs ?? this.timeoutMs;
    await new Promise<void>((resolve, reject) => {
      const t = timeout > 0 ? setTimeout(() => response.destroy(new Error(`reading ${opts.path} from ${this.server} timed out`)), timeout) : undefined;
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => {
        if (t) clearTimeout(t);
        resolve();
      });
      response.on('error', (err) => {
        if (t) clearTimeout(t);
        reject(err);
      });
    });
    return { status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') };
  }

  /** JSON request; non-2xx answers reject with a StatusError. */
  async request<T = unknown>(opts: RequestOptions): Promise<T> {
    const r = await this.raw(opts);
    if (r.status < 200 || r.status >= 300) throw statusErrorFrom(r, `${opts.method ?? 'GET'} ${opts.path}`);
    if (!r.body) return undefined as T;
    try {
      return JSON.parse(r.body) as T;
    } catch {
      return r.body as T;
    }
  }

  /** Closes kept-alive connections; the client cannot be used afterwards. */
  close(): void {
    this.closed = true;
    this.agent?.destroy();
    for (const a of this.retired) a.destroy();
    this.retired.clear();
  }
}

export function statusErrorFrom(r: RawResponse, what: string): StatusError {
  let status: Status = {};
  try {
    const parsed = JSON.parse(r.body) as Status;
    if (parsed && typeof parsed === 'object') status = parsed;
  } catch {
    // not JSON
  }
  const text = r.body.trim().slice(0, 300);
  return new StatusError(r.status, status, `${what}: ${r.status} ${http.STATUS_CODES[r.status] ?? ''}${text ? `: ${text}` : ''}`.trim());
}
