// In-process karmada-apiserver for unit tests of the runtime and controllers: a temp data dir, a
// random port, an admin kubeconfig, and a storage that survives server restarts (so tests can stop
// the server, change or compact its storage through a second server, and start it again on the same
// port, as a real outage looks to clients).

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { runApiServer, type RunningApiServer } from '../apiserver/run.js';
import type { Storage } from '../storage/interface.js';
import { SqliteStorage } from '../storage/sqlite/sqlite.js';
import { ObjectClient } from './client.js';
import { RestClient } from './rest.js';

export interface TestApiServer {
  dataDir: string;
  kubeconfig: string;
  port: number;
  storage: SqliteStorage;
  client(): ObjectClient;
  /** Stops the server (clients see connection errors); storage stays open. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** Runs fn against a second server on another port sharing the storage (e.g. to write while "down"). */
  withSideServer<T>(fn: (client: ObjectClient) => Promise<T>): Promise<T>;
  cleanup(): Promise<void>;
}

export async function startTestApiServer(): Promise<TestApiServer> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'runtime-test-'));
  const kubeconfig = path.join(dataDir, 'karmada.config');
  const storage = SqliteStorage.open({ path: path.join(dataDir, 'karmada.db'), compactInterval: 0 });
  // runApiServer closes its storage on stop: hand it a view whose close() is a no-op
  const shared: Storage = new Proxy(storage, {
    get(target, prop, receiver) {
      if (prop === 'close') return async () => undefined;
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  const logger = pino({ level: 'silent' });
  let server: RunningApiServer | undefined = await runApiServer({ dataDir, port: 0, bindAddress: '127.0.0.1', kubeconfigOut: kubeconfig, logger, storage: shared });
  const port = server.server.port;
  const clients: ObjectClient[] = [];
  const env: TestApiServer = {
    dataDir,
    kubeconfig,
    port,
    storage,
    client() {
      const c = new ObjectClient(RestClient.fromFile(kubeconfig));
      clients.push(c);
      return c;
    },
    async stop() {
      await server?.stop();
      server = undefined;
    },
    async start() {
      if (server) return;
      server = await runApiServer({ dataDir, port, bindAddress: '127.0.0.1', logger, storage: shared });
    },
    async withSideServer(fn) {
      const side = path.join(dataDir, 'side.config');
      const s = await runApiServer({ dataDir, port: 0, bindAddress: '127.0.0.1', kubeconfigOut: side, logger, storage: shared });
      const c = new ObjectClient(RestClient.fromFile(side));
      try {
        return await fn(c);
      } finally {
        c.close();
        await s.stop();
      }
    },
    async cleanup() {
      for (const c of clients) c.close();
      await server?.stop();
      server = undefined;
      await storage.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return env;
}

/** Polls until fn returns a truthy value (returned), failing after timeoutMs with the last error. */
export async function eventually<T>(what: string, fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 20_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
