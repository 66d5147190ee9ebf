// Benchmark: a real karmada-apiserver process (embedded SQLite) driven over HTTPS with the admin client certificate.
//
//   npm run bench:apiserver -- [--n 5000] [--concurrency 32] [--watchers 100] [--list-size 10000]
//                              [--watch-writes 2000] [--gets 5000] [--keep] [--server-cpu-prof <dir>] [--etcd]
//
// With --etcd the same phases run twice in one invocation, first on SQLite, then on a fresh etcd started
// for the run (/usr/bin/etcd, `--etcd-servers`), and a side-by-side table with the etcd/SQLite ratio ends
// the report.
//
// Phases: creates/s, updates/s, GET latency (concurrency 1 and 16), full list of --list-size objects
// (consistent read and resourceVersion=0 from the cache) and watch fan-out to --watchers watchers.
// The load generator runs in this process and shares the machine's cores with the server, so figures
// are a lower bound for what the server does alone. This is a benchmark, not a test: missing a target
// prints a warning, it does not fail.

import { spawn, type ChildProcess } from 'node:child_process';
import https from 'node:https';
import os from 'node:os';
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import YAML from 'yaml';
import { freePort, tempDir, waitFor } from '../../e2e/framework/process.js';
import { startEtcd, type EtcdProcess } from '../../pkg/storage/etcd/testing.js';

// ---------------------------------------------------------------------------------------------------------
// Options

interface Options {
  n: number;
  concurrency: number;
  watchers: number;
  listSize: number;
  watchWrites: number;
  gets: number;
  keep: boolean;
  serverCpuProf?: string;
  etcd: boolean;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      n: { type: 'string', default: '5000' },
      concurrency: { type: 'string', default: '32' },
      watchers: { type: 'string', default: '100' },
      'list-size': { type: 'string', default: '10000' },
      'watch-writes': { type: 'string', default: '2000' },
      gets: { type: 'string', default: '5000' },
      keep: { type: 'boolean', default: false },
      'server-cpu-prof': { type: 'string' },
      etcd: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      `Usage: node dist/hack/bench/apiserver.js [options]
  --n <N>                 ConfigMaps to create and then update (default 5000)
  --concurrency <C>       in-flight requests for creates/updates (default 32)
  --gets <N>              GETs per latency run (default 5000)
  --list-size <N>         objects in the listed namespace (default 10000)
  --watchers <W>          concurrent watches for the fan-out phase (default 100)
  --watch-writes <M>      writes (half creates, half merge patches) during the fan-out phase (default 2000)
  --keep                  keep the server's data directory
  --server-cpu-prof <dir> run the server with --cpu-prof, writing the .cpuprofile into <dir>
  --etcd                  also run every phase against etcd (started for the run from /usr/bin/etcd) and
                          print SQLite and etcd side by side
`,
    );
    process.exit(0);
  }
  const int = (name: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got "${v}"`);
    return n;
  };
  return {
    n: int('n', values.n, 1),
    concurrency: int('concurrency', values.concurrency, 1),
    watchers: int('watchers', values.watchers, 0),
    listSize: int('list-size', values['list-size'], 0),
    watchWrites: int('watch-writes', values['watch-writes'], 2),
    gets: int('gets', values.gets, 1),
    keep: values.keep ?? false,
    serverCpuProf: values['server-cpu-prof'],
    etcd: values.etcd ?? false,
  };
}

const TARGETS = {
  createsPerSec: 2000,
  getP99Ms: 5,
  watchEventsPerSec: 50_000,
};

// ---------------------------------------------------------------------------------------------------------
// Progress output

const t0 = performance.now();
function progress(msg: string): void {
  process.stdout.write(`[bench +${((performance.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${msg}\n`);
}

// ---------------------------------------------------------------------------------------------------------
// HTTPS client

interface TlsMaterial {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

function loadKubeconfig(file: string): TlsMaterial {
  const doc = YAML.parse(readFileSync(file, 'utf8')) as {
    clusters: { cluster: Record<string, string> }[];
    users: { user: Record<string, string> }[];
  };
  const b64 = (s: string | undefined, what: string) => {
    if (!s) throw new Error(`kubeconfig ${file} has no ${what}`);
    return Buffer.from(s, 'base64');
  };
  return {
    ca: b64(doc.clusters?.[0]?.cluster?.['certificate-authority-data'], 'certificate-authority-data'),
    cert: b64(doc.users?.[0]?.user?.['client-certificate-data'], 'client-certificate-data'),
    key: b64(doc.users?.[0]?.user?.['client-key-data'], 'client-key-data'),
  };
}

interface Response {
  status: number;
  body: string;
  bytes: number;
  ms: number;
}

class Client {
  readonly agent: https.Agent;
  constructor(
    readonly port: number,
    readonly tls: TlsMaterial,
    maxSockets: number,
  ) {
    this.agent = new https.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, ...tls });
  }

  request(method: string, urlPath: string, body?: unknown, contentType = 'application/json'): Promise<Response> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const headers: Record<string, string | number> = { Accept: 'application/json' };
    if (payload !== undefined) {
      headers['Content-Type'] = contentType;
      headers['Content-Length'] = Buffer.byteLength(payload);
    }
    return new Promise((resolve, reject) => {
      const start = performance.now();
      const req = https.request({ agent: this.agent, host: '127.0.0.1', port: this.port, method, path: urlPath, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const ms = performance.now() - start;
          const buf = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, body: buf.toString('utf8'), bytes: buf.length, ms });
        });
        res.on('error', reject);
      });
      req.setTimeout(120_000, () => req.destroy(new Error(`${method} ${urlPath} timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  async json<T = Record<string, any>>(method: string, urlPath: string, body?: unknown, contentType?: string, okStatuses = [200, 201]): Promise<T> {
    const r = await this.request(method, urlPath, body, contentType);
    if (!okStatuses.includes(r.status)) throw new Error(`${method} ${urlPath}: HTTP ${r.status}: ${r.body.slice(0, 500)}`);
    return JSON.parse(r.body) as T;
  }

  close(): void {
    this.agent.destroy();
  }
}

// ---------------------------------------------------------------------------------------------------------
// Helpers

/** Runs fn(0..count-1) with at most `concurrency` in flight; returns wall time in ms. */
async function pool(count: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const start = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return performance.now() - start;
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function latencyStats(ms: number[]): { p50: number; p90: number; p99: number; max: number; mean: number } {
  const s = [...ms].sort((a, b) => a - b);
  return {
    p50: percentile(s, 0.5),
    p90: percentile(s, 0.9),
    p99: percentile(s, 0.99),
    max: s[s.length - 1] ?? NaN,
    mean: s.reduce((a, b) => a + b, 0) / (s.length || 1),
  };
}

const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 0.5);
const round = (x: number, d = 2) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);

/** CPU seconds (user+system) consumed so far by a process, from /proc (Linux only). */
function procCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime in USER_HZ (100 on Linux)
  } catch {
    return undefined;
  }
}

interface CpuSample {
  wall: number;
  server?: number;
  client: NodeJS.CpuUsage;
}
interface CpuUse {
  /** CPU time the server used in the phase (ms); unaffected by other processes competing for the cores. */
  serverMs?: number;
  serverPct?: number;
  clientPct: number;
}

function cpuSample(server: ServerProcess): CpuSample {
  return { wall: performance.now(), server: procCpuSeconds(server.proc.pid), client: process.cpuUsage() };
}
function cpuSince(server: ServerProcess, s: CpuSample): CpuUse {
  const now = cpuSample(server);
  const wallS = (now.wall - s.wall) / 1000;
  const c = process.cpuUsage(s.client);
  return {
    serverMs: now.server !== undefined && s.server !== undefined ? round((now.server - s.server) * 1000, 0) : undefined,
    serverPct: now.server !== undefined && s.server !== undefined ? round(((now.server - s.server) / wallS) * 100, 0) : undefined,
    clientPct: round(((c.user + c.system) / 1e6 / wallS) * 100, 0),
  };
}
const cpuText = (c: CpuUse) => `cpu: server ${c.serverPct ?? '?'}%, load generator ${c.clientPct}% (100% = one core)`;

function configMap(name: string, i: number): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, labels: { app: 'bench' } },
    data: { index: String(i), greeting: 'hello from the karmada-apiserver benchmark', mode: 'create' },
  };
}

async function ensureNamespace(c: Client, name: string): Promise<void> {
  const r = await c.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  if (r.status !== 201 && r.status !== 409) throw new Error(`create namespace ${name}: HTTP ${r.status}: ${r.body.slice(0, 300)}`);
}

class ErrorCounter {
  count = 0;
  samples: string[] = [];
  add(what: string): void {
    this.count++;
    if (this.samples.length < 5) this.samples.push(what);
  }
  check(phase: string, total: number): void {
    if (this.count === 0) return;
    progress(`WARNING: ${phase}: ${this.count}/${total} requests failed, e.g.:\n    ${this.samples.join('\n    ')}`);
    if (this.count > total / 10) throw new Error(`${phase}: too many failed requests (${this.count}/${total})`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Phases

interface WriteResult {
  perSec: number;
  ms: number;
  errors: number;
  latency: ReturnType<typeof latencyStats>;
  cpu: CpuUse;
}

async function createMany(c: Client, server: ServerProcess, ns: string, count: number, concurrency: number, rvs?: (string | undefined)[]): Promise<WriteResult> {
  const lat: number[] = [];
  const errors = new ErrorCounter();
  const cpu0 = cpuSample(server);
  const ms = await pool(count, concurrency, async (i) => {
    const r = await c.request('POST', `/api/v1/namespaces/${ns}/configmaps`, configMap(`bench-${i}`, i));
    lat.push(r.ms);
    if (r.status !== 201) return errors.add(`POST bench-${i}: HTTP ${r.status} ${r.body.slice(0, 200)}`);
    if (rvs) rvs[i] = (JSON.parse(r.body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  });
  const cpu = cpuSince(server, cpu0);
  errors.check(`create in ${ns}`, count);
  return { perSec: (count / ms) * 1000, ms, errors: errors.count, latency: latencyStats(lat), cpu };
}

async function updateMany(c: Client, server: ServerProcess, ns: string, rvs: (string | undefined)[], concurrency: number): Promise<WriteResult> {
  const lat: number[] = [];
  const errors = new ErrorCounter();
  const cpu0 = cpuSample(server);
  const ms = await pool(rvs.length, concurrency, async (i) => {
    if (rvs[i] === undefined) return; // its create failed
    const obj = configMap(`bench-${i}`, i) as { metadata: Record<string, unknown>; data: Record<string, string> };
    obj.metadata.resourceVersion = rvs[i];
    obj.data.mode = 'update';
    const r = await c.request('PUT', `/api/v1/namespaces/${ns}/configmaps/bench-${i}`, obj);
    lat.push(r.ms);
    if (r.status !== 200) errors.add(`PUT bench-${i}: HTTP ${r.status} ${r.body.slice(0, 200)}`);
  });
  const cpu = cpuSince(server, cpu0);
  errors.check(`update in ${ns}`, rvs.length);
  return { perSec: (rvs.length / ms) * 1000, ms, errors: errors.count, latency: latencyStats(lat), cpu };
}

interface GetResult {
  concurrency: number;
  requests: number;
  perSec: number;
  latency: ReturnType<typeof latencyStats>;
  cpu: CpuUse;
}

async function getMany(c: Client, server: ServerProcess, ns: string, objects: number, requests: number, concurrency: number): Promise<GetResult> {
  const lat: number[] = [];
  const errors = new ErrorCounter();
  const cpu0 = cpuSample(server);
  const ms = await pool(requests, concurrency, async (i) => {
    const k = (i * 7919) % objects; // spread over all objects, deterministic
    const r = await c.request('GET', `/api/v1/namespaces/${ns}/configmaps/bench-${k}`);
    lat.push(r.ms);
    if (r.status !== 200) errors.add(`GET bench-${k}: HTTP ${r.status} ${r.body.slice(0, 200)}`);
  });
  const cpu = cpuSince(server, cpu0);
  errors.check(`get (concurrency ${concurrency})`, requests);
  return { concurrency, requests, perSec: (requests / ms) * 1000, latency: latencyStats(lat), cpu };
}

interface ListResult {
  items: number;
  bytes: number;
  consistentMs: number[];
  cachedMs: number[];
  consistentMedianMs: number;
  cachedMedianMs: number;
  cachedBytes: number;
  populate?: WriteResult;
}

async function listPhase(c: Client, server: ServerProcess, size: number, concurrency: number): Promise<ListResult> {
  const ns = 'bench-list';
  await ensureNamespace(c, ns);
  progress(`list: creating ${size} ConfigMaps in namespace ${ns} (concurrency ${concurrency})`);
  const populate = size > 0 ? await createMany(c, server, ns, size, concurrency) : undefined;
  if (populate) progress(`list: created ${size} in ${(populate.ms / 1000).toFixed(1)}s (${populate.perSec.toFixed(0)}/s, ${cpuText(populate.cpu)})`);

  const url = `/api/v1/namespaces/${ns}/configmaps`;
  const time = async (q: string): Promise<{ ms: number[]; bytes: number; items: number }> => {
    const ms: number[] = [];
    let bytes = 0;
    let items = 0;
    for (let k = 0; k < 5; k++) {
      const r = await c.request('GET', url + q);
      if (r.status !== 200) throw new Error(`GET ${url}${q}: HTTP ${r.status}: ${r.body.slice(0, 300)}`);
      ms.push(r.ms);
      if (k === 0) {
        bytes = r.bytes;
        items = (JSON.parse(r.body) as { items: unknown[] }).items.length;
      }
    }
    return { ms, bytes, items };
  };
  progress(`list: GET ${url} (consistent read) x5`);
  const consistent = await time('');
  progress(`list: GET ${url}?resourceVersion=0 (watch cache) x5`);
  const cached = await time('?resourceVersion=0');
  if (consistent.items !== size) progress(`WARNING: list returned ${consistent.items} items, expected ${size}`);
  if (cached.items !== size) progress(`WARNING: list with resourceVersion=0 returned ${cached.items} items, expected ${size}`);
  return {
    items: consistent.items,
    bytes: consistent.bytes,
    consistentMs: consistent.ms.map((x) => round(x)),
    cachedMs: cached.ms.map((x) => round(x)),
    consistentMedianMs: median(consistent.ms),
    cachedMedianMs: median(cached.ms),
    cachedBytes: cached.bytes,
    populate,
  };
}

interface WatchResult {
  watchers: number;
  writes: number;
  expectedEvents: number;
  deliveredEvents: number;
  eventsPerSec: number;
  wallMs: number;
  writesMs: number;
  writesPerSec: number;
  /** Time from the last write's response to the last event received. */
  drainMs: number;
  complete: boolean;
  incompleteWatchers: number;
  outOfOrder: number;
  cpu: CpuUse;
  /** Fresh watchers started at the same resourceVersion after the writes: pure replay/fan-out rate. */
  replay?: { eventsPerSec: number; wallMs: number; deliveredEvents: number; complete: boolean; cpu: CpuUse };
}

/** A set of watch streams on one URL from one resourceVersion, each expecting `added` ADDED + `modified` MODIFIED events. */
class WatchGroup {
  readonly streams: { added: number; modified: number; other: number; lastRV: number; outOfOrder: number; doneAt?: number; req?: ReturnType<typeof https.request> }[] = [];
  delivered = 0;
  completed = 0;
  lastEventAt = 0;
  readonly errors: string[] = [];
  private readonly agent: https.Agent;
  private onAllDone: () => void = () => {};
  readonly allDone = new Promise<void>((r) => (this.onAllDone = r));

  constructor(
    private readonly port: number,
    tls: TlsMaterial,
    private readonly path: string,
    private readonly added: number,
    private readonly modified: number,
  ) {
    // One TLS connection per watch (that's what separate informers/clients do).
    this.agent = new https.Agent({ keepAlive: false, maxSockets: Infinity, ...tls });
  }

  /** Opens `count` watches (16 handshakes at a time); resolves when every stream got its response headers. */
  async open(count: number): Promise<void> {
    for (let i = 0; i < count; i++) this.streams.push({ added: 0, modified: 0, other: 0, lastRV: 0, outOfOrder: 0 });
    await pool(count, 16, (i) => this.openOne(this.streams[i]));
  }

  private openOne(w: WatchGroup['streams'][number]): Promise<void> {
    const expected = this.added + this.modified;
    return new Promise<void>((resolve, reject) => {
      const req = https.request({ agent: this.agent, host: '127.0.0.1', port: this.port, method: 'GET', path: this.path, headers: { Accept: 'application/json' } }, (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`watch ${this.path}: HTTP ${res.statusCode}`));
          res.resume();
          return;
        }
        res.setEncoding('utf8');
        let buf = '';
        res.on('data', (chunk: string) => {
          buf += chunk;
          let start = 0;
          for (let nl = buf.indexOf('\n', start); nl >= 0; nl = buf.indexOf('\n', start)) {
            const line = buf.slice(start, nl);
            start = nl + 1;
            if (!line) continue;
            const ev = JSON.parse(line) as { type: string; object: { metadata?: { resourceVersion?: string } } };
            if (ev.type === 'ADDED') w.added++;
            else if (ev.type === 'MODIFIED') w.modified++;
            else {
              w.other++;
              if (ev.type === 'ERROR' && this.errors.length < 5) this.errors.push(line.slice(0, 300));
              continue;
            }
            const rv = Number(ev.object.metadata?.resourceVersion);
            if (!(rv > w.lastRV)) w.outOfOrder++;
            w.lastRV = rv;
            this.delivered++;
            if (w.added + w.modified === expected) {
              this.lastEventAt = w.doneAt = performance.now();
              if (++this.completed === this.streams.length) this.onAllDone();
            }
          }
          buf = start === buf.length ? '' : buf.slice(start);
        });
        res.on('error', () => {});
        resolve();
      });
      req.on('error', (err) => {
        if (w.doneAt === undefined && this.errors.length < 5) this.errors.push(String(err));
        reject(err);
      });
      req.end();
      w.req = req;
    });
  }

  /** Waits until every stream got all its events or timeoutMs passed; true when complete. */
  async wait(timeoutMs: number): Promise<boolean> {
    if (this.streams.length === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([this.allDone.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs)))]);
    clearTimeout(timer);
    return done;
  }

  incomplete() {
    return this.streams.filter((w) => w.added !== this.added || w.modified !== this.modified);
  }

  outOfOrder(): number {
    return this.streams.reduce((a, w) => a + w.outOfOrder, 0);
  }

  /** Prints warnings about missing, extra or out-of-order events. */
  report(label: string): void {
    const incomplete = this.incomplete();
    if (incomplete.length) {
      const ex = incomplete[0];
      progress(
        `WARNING: ${label}: ${incomplete.length}/${this.streams.length} watchers did not receive exactly ${this.added} ADDED + ${this.modified} MODIFIED ` +
          `(e.g. got ${ex.added} ADDED + ${ex.modified} MODIFIED + ${ex.other} other)`,
      );
    }
    const ooo = this.outOfOrder();
    if (ooo) progress(`WARNING: ${label}: ${ooo} events arrived with a non-increasing resourceVersion`);
    if (this.errors.length) progress(`WARNING: ${label}: errors: ${this.errors.join(' | ')}`);
  }

  close(): void {
    for (const w of this.streams) w.req?.destroy();
    this.agent.destroy();
  }
}

async function watchPhase(c: Client, server: ServerProcess, tls: TlsMaterial, watchers: number, writes: number, concurrency: number): Promise<WatchResult> {
  const ns = 'bench-watch';
  await ensureNamespace(c, ns);
  const url = `/api/v1/namespaces/${ns}/configmaps`;
  const list = await c.json<{ metadata: { resourceVersion: string } }>('GET', url);
  const startRV = list.metadata.resourceVersion;
  const creates = Math.ceil(writes / 2);
  const patches = writes - creates;
  const watchPath = `${url}?watch=true&resourceVersion=${startRV}`;
  const timeoutMs = 60_000;

  progress(`watch: opening ${watchers} watches on ${url} from resourceVersion ${startRV}`);
  const live = new WatchGroup(c.port, tls, watchPath, creates, patches);
  let result: WatchResult;
  try {
    await live.open(watchers);
    await new Promise((r) => setTimeout(r, 200));

    progress(`watch: writing ${creates} creates + ${patches} merge patches (concurrency ${concurrency}), expecting ${watchers * writes} events`);
    const cpu0 = cpuSample(server);
    const start = performance.now();
    const wErrors = new ErrorCounter();
    await pool(creates, concurrency, async (i) => {
      const r = await c.request('POST', url, configMap(`bench-${i}`, i));
      if (r.status !== 201) wErrors.add(`POST bench-${i}: HTTP ${r.status} ${r.body.slice(0, 200)}`);
    });
    await pool(patches, concurrency, async (i) => {
      const r = await c.request('PATCH', `${url}/bench-${i}`, { data: { mode: 'patched' } }, 'application/merge-patch+json');
      if (r.status !== 200) wErrors.add(`PATCH bench-${i}: HTTP ${r.status} ${r.body.slice(0, 200)}`);
    });
    const writesDone = performance.now();
    wErrors.check('watch writes', writes);

    const complete = await live.wait(timeoutMs);
    const cpu = cpuSince(server, cpu0);
    if (!complete) progress(`WARNING: watch: not all watchers received ${writes} events within ${timeoutMs / 1000}s after the last write`);
    live.report('watch');
    const end = live.lastEventAt || performance.now();
    const wallMs = end - start;
    result = {
      watchers,
      writes,
      expectedEvents: watchers * writes,
      deliveredEvents: live.delivered,
      eventsPerSec: (live.delivered / wallMs) * 1000,
      wallMs,
      writesMs: writesDone - start,
      writesPerSec: (writes / (writesDone - start)) * 1000,
      drainMs: Math.max(0, end - writesDone),
      complete: complete && live.incomplete().length === 0 && live.outOfOrder() === 0,
      incompleteWatchers: live.incomplete().length,
      outOfOrder: live.outOfOrder(),
      cpu,
    };
  } finally {
    live.close();
  }
  progress(
    `watch: ${result.deliveredEvents}/${result.expectedEvents} events in ${(result.wallMs / 1000).toFixed(2)}s = ${result.eventsPerSec.toFixed(0)} events/s ` +
      `(writes ${result.writesPerSec.toFixed(0)}/s, drain after last write ${result.drainMs.toFixed(0)} ms, ${cpuText(result.cpu)})`,
  );

  // The live figure is bounded by the write rate (events/s <= watchers x writes/s). Replaying the same
  // history to fresh watchers, with no writes in flight, shows how fast the server can fan events out.
  progress(`watch replay: opening ${watchers} new watches from resourceVersion ${startRV} (history of ${writes} events, no writes)`);
  const replay = new WatchGroup(c.port, tls, watchPath, creates, patches);
  try {
    const cpu0 = cpuSample(server);
    const start = performance.now();
    await replay.open(watchers);
    const complete = await replay.wait(timeoutMs);
    const cpu = cpuSince(server, cpu0);
    replay.report('watch replay');
    const wallMs = (replay.lastEventAt || performance.now()) - start;
    result.replay = {
      eventsPerSec: (replay.delivered / wallMs) * 1000,
      wallMs,
      deliveredEvents: replay.delivered,
      complete: complete && replay.incomplete().length === 0 && replay.outOfOrder() === 0,
      cpu,
    };
    progress(
      `watch replay: ${replay.delivered}/${watchers * writes} events in ${(wallMs / 1000).toFixed(2)}s (including ${watchers} TLS handshakes) = ` +
        `${result.replay.eventsPerSec.toFixed(0)} events/s (${cpuText(cpu)})`,
    );
  } catch (err) {
    progress(`WARNING: watch replay failed: ${String(err)}`);
  } finally {
    replay.close();
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------------
// Server process

interface ServerProcess {
  proc: ChildProcess;
  port: number;
  dataDir: string;
  kubeconfig: string;
  logs(): string;
  /** SIGTERM, wait for exit (SIGKILL after 15 s), remove the data dir unless kept. */
  stop(): Promise<void>;
}

/**
 * Like startApiServer() in e2e/framework/process.ts, plus node flags for the server (--cpu-prof is not
 * allowed in NODE_OPTIONS) and clean-up of the data dir when the start fails.
 */
async function startServer(mainJs: string, nodeArgs: string[], keep: boolean, serverArgs: string[] = []): Promise<ServerProcess> {
  const dataDir = tempDir('karmada-apiserver-bench');
  const kubeconfig = path.join(dataDir, 'karmada.config');
  const port = await freePort();
  let output = '';
  const proc = spawn(
    process.execPath,
    [...nodeArgs, mainJs, '--data-dir', dataDir, '--secure-port', String(port), '--bind-address', '127.0.0.1', '--kubeconfig-out', kubeconfig, ...serverArgs],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' } },
  );
  const append = (b: Buffer) => {
    output += b.toString();
    if (output.length > 65536) output = output.slice(-32768);
  };
  proc.stdout!.on('data', append);
  proc.stderr!.on('data', append);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    }
    if (!keep) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      'karmada-apiserver to write its kubeconfig',
      () => {
        if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`karmada-apiserver exited early:\n${output}`);
        return existsSync(kubeconfig) || undefined;
      },
      60_000,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { proc, port, dataDir, kubeconfig, logs: () => output, stop };
}

// ---------------------------------------------------------------------------------------------------------
// Report

function table(rows: string[][]): string {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length)));
  const fmt = (r: string[]) => r.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]))).join('  ');
  const sep = widths.map((w) => '-'.repeat(w)).join('  ');
  return [fmt(rows[0]), sep, ...rows.slice(1).map(fmt)].join('\n');
}

const verdict = (ok: boolean) => (ok ? 'OK' : 'MISSED');

// ---------------------------------------------------------------------------------------------------------
// Main

async function main(): Promise<void> {
  // A closed stdout (e.g. piped into head) must not skip stopping the server.
  process.stdout.on('error', () => {});
  const opts = parseOptions();
  const cpus = os.cpus().length;
  const backends: Backend[] = opts.etcd ? ['sqlite', 'etcd'] : ['sqlite'];
  progress(
    `karmada-apiserver benchmark (${backends.map((b) => BACKEND_TEXT[b]).join(', then ')}): n=${opts.n} concurrency=${opts.concurrency} gets=${opts.gets} ` +
      `list-size=${opts.listSize} watchers=${opts.watchers} watch-writes=${opts.watchWrites}`,
  );
  progress(`note: the load generator and the server share this machine's ${cpus} CPU core(s) (${os.cpus()[0]?.model ?? 'unknown CPU'}); figures are lower bounds`);
  const loadAtStart = os.loadavg()[0];
  if (loadAtStart > cpus / 4) progress(`WARNING: 1-minute load average is already ${loadAtStart.toFixed(2)} before starting: other processes compete for the CPU, figures will be noisy`);

  const mainJs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../cmd/karmada-apiserver/main.js');
  if (!existsSync(mainJs)) throw new Error(`${mainJs} not found: build first (npx tsc -p tsconfig.json)`);

  const nodeArgs: string[] = [];
  if (opts.serverCpuProf) {
    const dir = path.resolve(opts.serverCpuProf);
    mkdirSync(dir, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
    progress(`server CPU profile will be written to ${dir} when it exits`);
  }
  const onSignal = (sig: NodeJS.Signals) => {
    progress(`${sig}: stopping`);
    void Promise.allSettled([...cleanups].map((c) => c())).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const results = new Map<Backend, Figure[]>();
  for (const backend of backends) {
    let etcd: EtcdProcess | undefined;
    const serverArgs: string[] = [];
    if (backend === 'etcd') {
      progress('[etcd] starting etcd (/usr/bin/etcd) with a fresh data dir ...');
      etcd = await startEtcd();
      const stopEtcd = () => etcd!.stop();
      cleanups.add(stopEtcd);
      progress(`[etcd] etcd pid ${etcd.proc.pid} healthy at ${etcd.endpoint} (data dir ${etcd.dataDir})`);
      serverArgs.push('--etcd-servers', etcd.endpoint);
    }
    try {
      const figures = await runBackend(backend, opts, mainJs, nodeArgs, cpus, serverArgs);
      if (figures) results.set(backend, figures);
    } finally {
      if (etcd) {
        progress('[etcd] stopping etcd');
        await etcd.stop();
      }
    }
  }

  const sqlite = results.get('sqlite');
  const etcdFigures = results.get('etcd');
  if (sqlite && etcdFigures) {
    const fmt = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 'n/a' : v >= 100 ? v.toFixed(0) : v.toFixed(2));
    const rows: string[][] = [['metric', 'SQLite', 'etcd', 'etcd/SQLite', 'better']];
    for (const f of sqlite) {
      const e = etcdFigures.find((x) => x.metric === f.metric);
      const ratio = e && Number.isFinite(e.value) && Number.isFinite(f.value) && f.value !== 0 ? `${(e.value / f.value).toFixed(2)}x` : 'n/a';
      rows.push([f.metric, fmt(f.value), fmt(e?.value), ratio, f.better]);
    }
    process.stdout.write(
      `\nkarmada-apiserver benchmark — SQLite vs etcd side by side (same phases, same machine, one run; ` +
        `etcd fsyncs its WAL on every commit, SQLite runs WAL with synchronous=NORMAL)\n\n`,
    );
    process.stdout.write(table(rows) + '\n\n');
    process.stdout.write(JSON.stringify({ bench: 'karmada-apiserver', comparison: Object.fromEntries(sqlite.map((f) => [f.metric, { sqlite: round(f.value), etcd: round(etcdFigures.find((x) => x.metric === f.metric)?.value ?? NaN) }])) }) + '\n');
  }
}

type Backend = 'sqlite' | 'etcd';
const BACKEND_TEXT: Record<Backend, string> = { sqlite: 'embedded SQLite backend', etcd: 'etcd backend' };

/** One comparable figure of a run. */
interface Figure {
  metric: string;
  value: number;
  better: 'higher' | 'lower';
}

/** Stops what is running (servers, etcd) when the bench is interrupted. */
const cleanups = new Set<() => Promise<void>>();

/** Starts a server on the given backend, runs every phase, prints its report; the figures to compare, or undefined when it failed. */
async function runBackend(backend: Backend, opts: Options, mainJs: string, nodeArgs: string[], cpus: number, serverArgs: string[]): Promise<Figure[] | undefined> {
  const loadBefore = os.loadavg()[0];
  progress(`[${backend}] starting karmada-apiserver on 127.0.0.1 ...`);
  const server = await startServer(mainJs, nodeArgs, opts.keep, serverArgs);
  progress(`karmada-apiserver pid ${server.proc.pid} ready at https://127.0.0.1:${server.port} (data dir ${server.dataDir})`);

  let client: Client | undefined;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    client?.close();
    await server.stop();
    if (opts.keep) progress(`kept data dir ${server.dataDir}`);
  };
  cleanups.add(stop);

  try {
    const tls = loadKubeconfig(server.kubeconfig);
    client = new Client(server.port, tls, Math.max(32, opts.concurrency));
    const c = client;
    await c.json('GET', '/api/v1/namespaces/default');

    // Warm-up: let both processes JIT the hot paths before timing.
    progress('warm-up: 500 creates + 500 GETs in namespace bench-warmup');
    await ensureNamespace(c, 'bench-warmup');
    await createMany(c, server, 'bench-warmup', 500, opts.concurrency);
    await getMany(c, server, 'bench-warmup', 500, 500, 8);

    progress(`creates: POST ${opts.n} ConfigMaps in namespace default (concurrency ${opts.concurrency})`);
    const rvs: (string | undefined)[] = new Array(opts.n);
    const creates = await createMany(c, server, 'default', opts.n, opts.concurrency, rvs);
    progress(`creates: ${creates.perSec.toFixed(0)}/s, p50 ${creates.latency.p50.toFixed(2)} ms, p99 ${creates.latency.p99.toFixed(2)} ms (${cpuText(creates.cpu)})`);

    progress(`updates: PUT ${opts.n} ConfigMaps with the resourceVersion from the create (concurrency ${opts.concurrency})`);
    const updates = await updateMany(c, server, 'default', rvs, opts.concurrency);
    progress(`updates: ${updates.perSec.toFixed(0)}/s, p50 ${updates.latency.p50.toFixed(2)} ms, p99 ${updates.latency.p99.toFixed(2)} ms (${cpuText(updates.cpu)})`);

    const gets: GetResult[] = [];
    for (const gc of [1, 16]) {
      progress(`get: ${opts.gets} GETs of single ConfigMaps at concurrency ${gc}`);
      const g = await getMany(c, server, 'default', opts.n, opts.gets, gc);
      gets.push(g);
      progress(`get c=${gc}: ${g.perSec.toFixed(0)}/s, p50 ${g.latency.p50.toFixed(2)} ms, p99 ${g.latency.p99.toFixed(2)} ms (${cpuText(g.cpu)})`);
    }

    const list = await listPhase(c, server, opts.listSize, opts.concurrency);
    progress(
      `list: ${list.items} items, ${(list.bytes / 1e6).toFixed(2)} MB; consistent median ${list.consistentMedianMs.toFixed(1)} ms ` +
        `[${list.consistentMs.join(', ')}], rv=0 median ${list.cachedMedianMs.toFixed(1)} ms [${list.cachedMs.join(', ')}]`,
    );

    let watch: WatchResult | undefined;
    if (opts.watchers > 0) {
      watch = await watchPhase(c, server, tls, opts.watchers, opts.watchWrites, opts.concurrency);
    }

    // ----- report -----
    const g1 = gets[0];
    const g16 = gets[1];
    const rows: string[][] = [['metric', 'value', 'target', 'status', 'cpu server/client %', 'server cpu/op']];
    const perOp = (u: CpuUse, ops: number) => (u.serverMs !== undefined && ops > 0 ? (u.serverMs * 1000) / ops : undefined);
    const cpuCell = (u: CpuUse, ops: number, unit = 'op') => {
      const us = perOp(u, ops);
      return [`${u.serverPct ?? '?'}/${u.clientPct}`, us === undefined ? '?' : `${us.toFixed(us < 100 ? 1 : 0)} us/${unit}`];
    };
    rows.push([`creates/s (C=${opts.concurrency}, N=${opts.n})`, creates.perSec.toFixed(0), `>= ${TARGETS.createsPerSec}`, verdict(creates.perSec >= TARGETS.createsPerSec), ...cpuCell(creates.cpu, opts.n)]);
    rows.push(['  create latency p50 / p99 (ms)', `${creates.latency.p50.toFixed(2)} / ${creates.latency.p99.toFixed(2)}`, '', '', '']);
    rows.push([`updates/s (PUT, C=${opts.concurrency})`, updates.perSec.toFixed(0), '', '', ...cpuCell(updates.cpu, opts.n)]);
    rows.push(['  update latency p50 / p99 (ms)', `${updates.latency.p50.toFixed(2)} / ${updates.latency.p99.toFixed(2)}`, '', '', '']);
    for (const g of [g1, g16]) {
      rows.push([`get p50 (ms, C=${g.concurrency})`, g.latency.p50.toFixed(2), '', '', ...cpuCell(g.cpu, g.requests)]);
      rows.push([`get p99 (ms, C=${g.concurrency})`, g.latency.p99.toFixed(2), `< ${TARGETS.getP99Ms}`, verdict(g.latency.p99 < TARGETS.getP99Ms), '']);
      rows.push([`  gets/s (C=${g.concurrency})`, g.perSec.toFixed(0), '', '', '']);
    }
    if (list.populate) rows.push([`creates/s into bench-list (${opts.listSize})`, list.populate.perSec.toFixed(0), `>= ${TARGETS.createsPerSec}`, verdict(list.populate.perSec >= TARGETS.createsPerSec), ...cpuCell(list.populate.cpu, opts.listSize)]);
    rows.push([`list ${list.items} consistent, median of 5 (ms)`, list.consistentMedianMs.toFixed(1), '', '', '']);
    rows.push([`list ${list.items} rv=0 (cache), median of 5 (ms)`, list.cachedMedianMs.toFixed(1), '', '', '']);
    rows.push(['list response size (MB)', (list.bytes / 1e6).toFixed(2), '', '', '']);
    if (watch) {
      rows.push([`watch fan-out events/s (${watch.watchers} watchers)`, watch.eventsPerSec.toFixed(0), `>= ${TARGETS.watchEventsPerSec}`, verdict(watch.eventsPerSec >= TARGETS.watchEventsPerSec && watch.complete), ...cpuCell(watch.cpu, watch.deliveredEvents, 'event')]);
      rows.push(['  events delivered / expected', `${watch.deliveredEvents} / ${watch.expectedEvents}`, 'all', verdict(watch.complete), '']);
      rows.push(['  wall, first write -> last event (s)', (watch.wallMs / 1000).toFixed(2), '', '', '']);
      rows.push([`  writes/s during fan-out (${watch.writes})`, watch.writesPerSec.toFixed(0), '', '', '']);
      rows.push(['  drain after last write (ms)', watch.drainMs.toFixed(0), '', '', '']);
      if (watch.replay) {
        rows.push([`watch replay events/s (${watch.watchers} new watchers)`, watch.replay.eventsPerSec.toFixed(0), '', watch.replay.complete ? '' : 'INCOMPLETE', ...cpuCell(watch.replay.cpu, watch.replay.deliveredEvents, 'event')]);
      }
    }
    const loadAfter = os.loadavg()[0];
    process.stdout.write(
      `\nkarmada-apiserver benchmark — ${BACKEND_TEXT[backend]}, ${cpus} CPU core(s) shared by server and load generator` +
        ` (1-min load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after; the bench itself adds ~1-2)\n\n`,
    );
    process.stdout.write(table(rows) + '\n');
    process.stdout.write(
      `\n"server cpu/op" is the server process's CPU time (from /proc) divided by the operations of the phase; it does not\n` +
        `depend on other processes competing for the cores: 1e6 / (us/op) is roughly what one dedicated core could sustain.\n` +
        `The fan-out row's cost per event includes the writes that produced the events.\n\n`,
    );

    const summary = {
      bench: 'karmada-apiserver',
      backend,
      cpus,
      node: process.version,
      sharedCores: true,
      loadAvg1m: { before: round(loadBefore), after: round(loadAfter) },
      options: { n: opts.n, concurrency: opts.concurrency, gets: opts.gets, listSize: opts.listSize, watchers: opts.watchers, watchWrites: opts.watchWrites },
      createsPerSec: round(creates.perSec, 0),
      createLatencyMs: { p50: round(creates.latency.p50), p99: round(creates.latency.p99) },
      updatesPerSec: round(updates.perSec, 0),
      updateLatencyMs: { p50: round(updates.latency.p50), p99: round(updates.latency.p99) },
      get: gets.map((g) => ({ concurrency: g.concurrency, perSec: round(g.perSec, 0), p50Ms: round(g.latency.p50), p99Ms: round(g.latency.p99) })),
      list: {
        items: list.items,
        bytes: list.bytes,
        consistentMedianMs: round(list.consistentMedianMs, 1),
        cachedMedianMs: round(list.cachedMedianMs, 1),
        populatePerSec: list.populate ? round(list.populate.perSec, 0) : undefined,
      },
      watch: watch && {
        watchers: watch.watchers,
        writes: watch.writes,
        expectedEvents: watch.expectedEvents,
        deliveredEvents: watch.deliveredEvents,
        eventsPerSec: round(watch.eventsPerSec, 0),
        wallMs: round(watch.wallMs, 0),
        drainMs: round(watch.drainMs, 0),
        complete: watch.complete,
        replayEventsPerSec: watch.replay ? round(watch.replay.eventsPerSec, 0) : undefined,
        replayComplete: watch.replay?.complete,
      },
      serverCpuUsPerOp: {
        create: round(perOp(creates.cpu, opts.n) ?? NaN, 1),
        update: round(perOp(updates.cpu, opts.n) ?? NaN, 1),
        getC1: round(perOp(g1.cpu, g1.requests) ?? NaN, 1),
        getC16: round(perOp(g16.cpu, g16.requests) ?? NaN, 1),
        watchEvent: watch ? round(perOp(watch.cpu, watch.deliveredEvents) ?? NaN, 2) : undefined,
        replayEvent: watch?.replay ? round(perOp(watch.replay.cpu, watch.replay.deliveredEvents) ?? NaN, 2) : undefined,
      },
      cpuPct: {
        creates: creates.cpu,
        updates: updates.cpu,
        getC1: g1.cpu,
        getC16: g16.cpu,
        watch: watch?.cpu,
      },
      targets: TARGETS,
      pass: {
        creates: creates.perSec >= TARGETS.createsPerSec,
        getP99: gets.every((g) => g.latency.p99 < TARGETS.getP99Ms),
        watchFanOut: watch ? watch.complete && watch.eventsPerSec >= TARGETS.watchEventsPerSec : undefined,
      },
    };
    progress(`[${backend}] stopping karmada-apiserver`);
    await stop();
    cleanups.delete(stop);
    process.stdout.write(JSON.stringify(summary) + '\n');
    const figures: Figure[] = [
      { metric: `creates/s (C=${opts.concurrency})`, value: creates.perSec, better: 'higher' },
      { metric: 'create latency p99 (ms)', value: creates.latency.p99, better: 'lower' },
      { metric: `updates/s (C=${opts.concurrency})`, value: updates.perSec, better: 'higher' },
      { metric: 'update latency p99 (ms)', value: updates.latency.p99, better: 'lower' },
      ...gets.flatMap((g): Figure[] => [
        { metric: `get p50 (ms, C=${g.concurrency})`, value: g.latency.p50, better: 'lower' },
        { metric: `get p99 (ms, C=${g.concurrency})`, value: g.latency.p99, better: 'lower' },
        { metric: `gets/s (C=${g.concurrency})`, value: g.perSec, better: 'higher' },
      ]),
      ...(list.populate ? [{ metric: `creates/s into bench-list (${opts.listSize})`, value: list.populate.perSec, better: 'higher' } as Figure] : []),
      { metric: `list ${list.items} consistent, median (ms)`, value: list.consistentMedianMs, better: 'lower' },
      { metric: `list ${list.items} rv=0 (cache), median (ms)`, value: list.cachedMedianMs, better: 'lower' },
      ...(watch
        ? [
            { metric: `watch fan-out events/s (${watch.watchers} watchers)`, value: watch.complete ? watch.eventsPerSec : NaN, better: 'higher' } as Figure,
            { metric: `writes/s during fan-out`, value: watch.writesPerSec, better: 'higher' } as Figure,
            ...(watch.replay ? [{ metric: 'watch replay events/s', value: watch.replay.complete ? watch.replay.eventsPerSec : NaN, better: 'higher' } as Figure] : []),
          ]
        : []),
      { metric: 'server cpu per create (us)', value: perOp(creates.cpu, opts.n) ?? NaN, better: 'lower' },
      { metric: 'server cpu per update (us)', value: perOp(updates.cpu, opts.n) ?? NaN, better: 'lower' },
      { metric: 'server cpu per get, C=16 (us)', value: perOp(g16.cpu, g16.requests) ?? NaN, better: 'lower' },
    ];
    return figures;
  } catch (err) {
    cleanups.delete(stop);
    if (stopping) return undefined; // interrupted: the signal handler stops the server and exits
    progress(`[${backend}] benchmark failed: ${(err as Error).stack ?? String(err)}`);
    const logs = server.logs();
    if (logs) process.stderr.write(`--- karmada-apiserver output (last 4 KB) ---\n${logs.slice(-4096)}\n`);
    await stop();
    process.exitCode = 1;
    return undefined;
  }
}

main().catch((err: Error) => {
  process.stderr.write(`bench: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
