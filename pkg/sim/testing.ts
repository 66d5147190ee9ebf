// Test helpers for kube-sim suites: an in-process simulated cluster on 127.0.0.1:0 with a temp data dir,
// an HTTPS client with the admin certificate, and shortcuts to read and write objects through the store
// (the same admission chain as the REST API).

import https from 'node:https';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PKI_FILES } from '../pki/index.js';
import type { ResourceDescriptor } from '../apiserver/registry/types.js';
import type { UserInfo } from '../apiserver/store/store.js';
import { SimCluster, type SimClusterOptions } from './cluster.js';
import type { Kinds } from './controller.js';
import type { KubeObject } from './types.js';

export const ADMIN: UserInfo = { name: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };

export interface TestSim {
  cluster: SimCluster;
  kinds: Kinds;
  dataDir: string;
  /** A request with the admin certificate, or with only a bearer token when opts.token is set. */
  call(method: string, urlPath: string, body?: unknown, opts?: { token?: string }): Promise<{ status: number; json: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  create<T extends KubeObject>(d: ResourceDescriptor, obj: T): Promise<T>;
  get<T extends KubeObject>(d: ResourceDescriptor, namespace: string | undefined, name: string): Promise<T | undefined>;
  list<T extends KubeObject>(d: ResourceDescriptor, namespace?: string, labelSelector?: Record<string, string>): Promise<T[]>;
  update<T extends KubeObject>(d: ResourceDescriptor, namespace: string | undefined, name: string, mutate: (o: T) => void): Promise<T>;
  delete(d: ResourceDescriptor, namespace: string | undefined, name: string): Promise<void>;
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

export async function startSim(opts: Partial<SimClusterOptions> = {}): Promise<TestSim> {
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'kube-sim-test-'));
  const cluster = await SimCluster.start({ name: 'sim', nodes: 3, port: 0, podEvictionTimeoutSeconds: 1, jobDurationMs: 200, ...opts, dataDir });
  const pki = path.join(dataDir, 'pki');
  const agent = new https.Agent({
    ca: readFileSync(path.join(pki, PKI_FILES.caCert), 'utf8'),
    cert: readFileSync(path.join(pki, PKI_FILES.adminCert), 'utf8'),
    key: readFileSync(path.join(pki, PKI_FILES.adminKey), 'utf8'),
    keepAlive: true,
  });
  const tokenAgent = new https.Agent({ ca: readFileSync(path.join(pki, PKI_FILES.caCert), 'utf8'), keepAlive: false });
  const store = cluster.server.store;
  const kinds = cluster.context.kinds;
  return {
    cluster,
    kinds,
    dataDir,
    call: (method, urlPath, body, callOpts = {}) =>
      new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
        const req = https.request(
          {
            agent: callOpts.token ? tokenAgent : agent,
            host: '127.0.0.1',
            port: cluster.port,
            method,
            path: urlPath,
            headers: { accept: 'application/json', ...(callOpts.token ? { authorization: `Bearer ${callOpts.token}` } : {}), ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}) },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (text += c));
            res.on('end', () => {
              let json: unknown;
              try {
                json = text ? JSON.parse(text) : undefined;
              } catch {
                json = text;
              }
              resolve({ status: res.statusCode!, json });
            });
          },
        );
        req.on('error', reject);
        req.end(payload);
      }),
    create: async (d, obj) => (await store.create(d, obj.metadata?.namespace ?? (d.namespaced ? 'default' : undefined), obj, { user: ADMIN })) as never,
    get: async (d, ns, name) => (await store.tryGet(d, ns, name)) as never,
    list: async (d, ns, labels) => {
      const r = await store.list(d, ns);
      return r.items.filter((o) => Object.entries(labels ?? {}).every(([k, v]) => o.metadata?.labels?.[k] === v)) as never;
    },
    update: async (d, ns, name, mutate) =>
      (await store.guaranteedUpdate(d, ns, name, { user: ADMIN }, (cur) => {
        mutate(cur as never);
        return cur;
      })) as never,
    delete: async (d, ns, name) => {
      await store.delete(d, ns, name, { user: ADMIN, propagationPolicy: 'Background' });
    },
    async stop(stopOpts = {}) {
      agent.destroy();
      tokenAgent.destroy();
      await cluster.stop();
      if (!stopOpts.keepData && !opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls until fn returns something truthy (controllers are asynchronous). */
export async function eventually<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function deployment(name: string, replicas: number, extra: { image?: string; requests?: Record<string, string>; nodeSelector?: Record<string, string>; strategy?: unknown } = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      ...(extra.strategy ? { strategy: extra.strategy } : {}),
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{ name: 'main', image: extra.image ?? 'nginx:1.27', ...(extra.requests ? { resources: { requests: extra.requests } } : {}) }],
          ...(extra.nodeSelector ? { nodeSelector: extra.nodeSelector } : {}),
        },
      },
    },
  };
}
