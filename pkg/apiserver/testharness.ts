// Test harness for the HTTP-level API server suites: an in-process karmada-apiserver on 127.0.0.1:0
// with a temp data dir, and a tiny HTTPS client authenticated with the admin client certificate.

import { waitFor } from '../util/wait.js';
import https from 'node:https';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { PKI_FILES } from '../pki/index.js';
import { SqliteStorage, type SqliteStorageOptions } from '../storage/sqlite/sqlite.js';
import { runApiServer, type RunningApiServer, type RunOptions } from './run.js';

export interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body (undefined when the body is not JSON). */
  json: any;
  text: string;
}

export interface WatchEvent {
  type: string;
  object: any;
}

export interface WatchStream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  events: WatchEvent[];
  /** Resolves once at least n events have arrived (rejects after timeoutMs or when the stream ends short). */
  waitForCount(n: number, timeoutMs?: number): Promise<WatchEvent[]>;
  /** Resolves with the first event (at or after index `from`) matching pred. */
  waitFor(pred: (e: WatchEvent) => boolean, timeoutMs?: number, from?: number): Promise<WatchEvent>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

export interface TestServer {
  running: RunningApiServer;
  dataDir: string;
  url: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  /** A request without a client certificate. */
  anonymous(method: string, path: string): Promise<Response>;
  /** A caller with other credentials: a client certificate (PEM) and/or a bearer token. */
  as(creds: Credentials): (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Response>;
  watch(path: string, headers?: Record<string, string>): Promise<WatchStream>;
  /** Stops the server; keeps the data dir when keepData (to start again on it). */
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

export interface Credentials {
  certPem?: string;
  keyPem?: string;
  token?: string;
}

export const silentLogger = pino({ level: 'silent' });

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'karmada-apiserver-test-'));
}

export async function startTestServer(
  opts: { dataDir?: string; storage?: Partial<SqliteStorageOptions>; run?: Partial<RunOptions> } = {},
): Promise<TestServer> {
  const dataDir = opts.dataDir ?? tempDataDir();
  const storage = opts.storage
    ? SqliteStorage.open({ path: join(dataDir, 'karmada.db'), logger: silentLogger, compactInterval: 0, ...opts.storage })
    : undefined;
  const running = await runApiServer({ ...opts.run, dataDir, port: 0, bindAddress: '127.0.0.1', logger: silentLogger, storage });
  const pki = join(dataDir, 'pki');
  const ca = readFileSync(join(pki, PKI_FILES.caCert), 'utf8');
  const cert = readFileSync(join(pki, PKI_FILES.adminCert), 'utf8');
  const key = readFileSync(join(pki, PKI_FILES.adminKey), 'utf8');
  const agent = new https.Agent({ ca, cert, key, keepAlive: true, maxSockets: 16 });
  const anonAgent = new https.Agent({ ca, keepAlive: false });
  const base = new URL(running.url);

  const request = (agentToUse: https.Agent, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    new Promise<Response>((resolve, reject) => {
      let payload: Buffer | undefined;
      const h: Record<string, string> = { accept: 'application/json', ...headers };
      if (body !== undefined) {
        payload = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
        h['content-type'] ??= 'application/json';
        h['content-length'] = String(payload.length);
      }
      const req = https.request(
        { agent: agentToUse, hostname: base.hostname, port: base.port, method, path, headers: h },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown;
            try {
              json = text ? JSON.parse(text) : undefined;
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode!, headers: res.headers, json, text });
          });
        },
      );
      // The server may answer (413) before it has read the whole body and then reset the connection.
      req.on('error', reject);
      req.end(payload);
    });

  const watch = (path: string, headers: Record<string, string> = {}) =>
    new Promise<WatchStream>((resolve, reject) => {
      let responded = false;
      const req = https.request(
        { agent, hostname: base.hostname, port: base.port, method: 'GET', path, headers: { accept: 'application/json', ...headers } },
        (res) => {
          responded = true;
          const events: WatchEvent[] = [];
          const listeners = new Set<() => void>();
          let buf = '';
          let done = false;
          const notify = () => {
            for (const l of [...listeners]) l();
          };
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            buf += chunk;
            let nl: number;
            while ((nl = buf.indexOf('\n')) >= 0) {
              const line = buf.slice(0, nl).trim();
              buf = buf.slice(nl + 1);
              if (line) events.push(JSON.parse(line) as WatchEvent);
            }
            notify();
          });
          const ended = new Promise<void>((r) => {
            const end = () => {
              if (done) return;
              done = true;
              const rest = buf.trim();
              if (rest) {
                try {
                  events.push(JSON.parse(rest) as WatchEvent);
                } catch {
                  // a partial line at close
                }
              }
              notify();
              r();
            };
            res.on('end', end);
            res.on('close', end);
            res.on('error', end);
          });
          const until = <T>(check: () => T | undefined, what: string, timeoutMs: number) =>
            new Promise<T>((res2, rej2) => {
              const first = check();
              if (first !== undefined) return res2(first);
              const timer = setTimeout(() => {
                listeners.delete(l);
                rej2(new Error(`timed out waiting for ${what}; events so far: ${JSON.stringify(events.map((e) => [e.type, e.object?.metadata?.name]))}`));
              }, timeoutMs);
              const l = () => {
                const v = check();
                if (v !== undefined) {
                  clearTimeout(timer);
                  listeners.delete(l);
                  res2(v);
                } else if (done) {
                  clearTimeout(timer);
                  listeners.delete(l);
                  rej2(new Error(`watch ended while waiting for ${what}; events: ${JSON.stringify(events.map((e) => [e.type, e.object?.metadata?.name]))}`));
                }
              };
              listeners.add(l);
            });
          resolve({
            status: res.statusCode!,
            headers: res.headers,
            events,
            ended,
            waitForCount: (n, timeoutMs = 10_000) => until(() => (events.length >= n ? events.slice(0, n) : undefined), `${n} events`, timeoutMs),
            waitFor: (pred, timeoutMs = 10_000, from = 0) => until(() => events.slice(from).find(pred), 'a matching event', timeoutMs),
            close: () => req.destroy(),
          });
        },
      );
      // close() destroys the request: only errors before the response matter.
      req.on('error', (err) => {
        if (!responded) reject(err);
      });
      req.end();
    });

  return {
    running,
    dataDir,
    url: running.url,
    call: (method, path, body, headers) => request(agent, method, path, body, headers),
    anonymous: (method, path) => request(anonAgent, method, path),
    as: (creds) => {
      const a = new https.Agent({ ca, cert: creds.certPem, key: creds.keyPem, keepAlive: false });
      const auth: Record<string, string> = creds.token ? { authorization: `Bearer ${creds.token}` } : {};
      return (method, path, body, headers) => request(a, method, path, body, { ...auth, ...headers });
    },
    watch,
    async stop(stopOpts = {}) {
      agent.destroy();
      anonAgent.destroy();
      await running.stop();
      if (!stopOpts.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls fn until it returns something other than undefined/false (generous deadline for controllers). */
export function eventually<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000): Promise<T> {
  return waitFor(what, fn, timeoutMs);
}
