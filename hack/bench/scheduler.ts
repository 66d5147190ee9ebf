// Benchmark: karmada-scheduler.
//
//   node dist/hack/bench/scheduler.js [--n 10000] [--clusters 100] [--e2e-n 2000] [--workers 4] [--skip-e2e]
//
// 1. The pure decision, schedule(binding, clusters), for --n bindings over --clusters synthetic Clusters with
//    resource summaries, per strategy (Duplicated, static weights, dynamic weight, Aggregated, spread by
//    region): bindings/s and per-binding latency p50/p99.
// 2. End to end against an in-process karmada-apiserver (startTestApiServer): the same clusters, a Scheduler
//    with --workers workers, --e2e-n bindings created 32 at a time; latency from the create call to the
//    Scheduled=True condition seen by a separate watcher, and bindings/s. The server, the watcher and the
//    scheduler share this process's cores, so the figures are a lower bound.
// Figures only: nothing is asserted about time.

import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import type { Cluster } from '../../pkg/apis/cluster/v1alpha1/index.js';
import type { Placement } from '../../pkg/apis/policy/v1alpha1/index.js';
import { SharedInformerFactory } from '../../pkg/runtime/factory.js';
import { NAMESPACES } from '../../pkg/runtime/gvr.js';
import { startTestApiServer } from '../../pkg/runtime/testenv.js';
import { CLUSTERS } from '../../pkg/util/clusterapi.js';
import { schedule, type SchedulableBinding } from '../../pkg/scheduler/core/genericscheduler.js';
import { RESOURCE_BINDINGS, Scheduler, type Binding } from '../../pkg/scheduler/scheduler.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '10000' },
    clusters: { type: 'string', default: '100' },
    'e2e-n': { type: 'string', default: '2000' },
    workers: { type: 'string', default: '4' },
    'skip-e2e': { type: 'boolean', default: false },
  },
  strict: true,
});
const N = Number(values.n);
const NUM_CLUSTERS = Number(values.clusters);
const E2E_N = Number(values['e2e-n']);
const WORKERS = Number(values.workers);

/** A small seeded generator, so every run schedules the same inputs. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const REGIONS = ['us-east', 'us-west', 'eu-west', 'eu-central', 'ap-south', 'ap-east', 'sa-east', 'af-south', 'me-central', 'ca-central'];

function syntheticClusters(n: number): Cluster[] {
  const r = rng(42);
  return Array.from({ length: n }, (_, i) => {
    const nodes = 5 + Math.floor(r() * 50);
    const cpu = nodes * 16;
    const memGi = nodes * 64;
    const usedCpu = Math.floor(cpu * r() * 0.7);
    const usedMemGi = Math.floor(memGi * r() * 0.7);
    const region = REGIONS[i % REGIONS.length]!;
    return {
      apiVersion: 'cluster.karmada.io/v1alpha1',
      kind: 'Cluster',
      metadata: { name: `member${String(i + 1).padStart(3, '0')}`, labels: { tier: i % 3 === 0 ? 'gold' : 'silver', region } },
      spec: { syncMode: 'Push', provider: i % 2 ? 'aws' : 'gcp', region, zones: [`${region}-${1 + (i % 3)}`] },
      status: {
        apiEnablements: [{ groupVersion: 'apps/v1', resources: [{ name: 'deployments', kind: 'Deployment' }] }],
        conditions: [{ type: 'Ready', status: 'True', reason: 'ClusterReady', message: 'ready', lastTransitionTime: '2026-01-01T00:00:00Z' }],
        resourceSummary: {
          allocatable: { cpu: String(cpu), memory: `${memGi}Gi`, pods: String(nodes * 110) },
          allocated: { cpu: String(usedCpu), memory: `${usedMemGi}Gi`, pods: String(Math.floor(nodes * 40 * r())) },
          allocating: { cpu: '0', memory: '0', pods: '0' },
        },
      },
    };
  });
}

const STRATEGIES: Record<string, Placement> = {
  Duplicated: { clusterAffinity: { labelSelector: { matchLabels: { tier: 'gold' } } } },
  StaticWeight: {
    replicaScheduling: {
      replicaSchedulingType: 'Divided',
      replicaDivisionPreference: 'Weighted',
      weightPreference: { staticWeightList: REGIONS.map((region, i) => ({ targetCluster: { labelSelector: { matchLabels: { region } } }, weight: 1 + (i % 4) })) },
    },
  },
  DynamicWeight: { replicaScheduling: { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Weighted', weightPreference: { dynamicWeight: 'AvailableReplicas' } } },
  Aggregated: { replicaScheduling: { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Aggregated' } },
  SpreadByRegion: {
    replicaScheduling: { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Weighted', weightPreference: { dynamicWeight: 'AvailableReplicas' } },
    spreadConstraints: [
      { spreadByField: 'region', minGroups: 2, maxGroups: 3 },
      { spreadByField: 'cluster', minGroups: 3, maxGroups: 6 },
    ],
  },
};

function syntheticBinding(i: number, placement: Placement, r: () => number): SchedulableBinding & Binding {
  const name = `app${i}`;
  return {
    apiVersion: 'work.karmada.io/v1alpha2',
    kind: 'ResourceBinding',
    metadata: { name: `${name}-deployment`, namespace: 'default' },
    spec: {
      resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name, uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` },
      replicas: 1 + Math.floor(r() * 20),
      replicaRequirements: { resourceRequest: { cpu: `${100 * (1 + Math.floor(r() * 10))}m`, memory: `${128 * (1 + Math.floor(r() * 8))}Mi` } },
      placement,
    },
  };
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const ms = (v: number) => (v < 1 ? `${(v * 1000).toFixed(0)}µs` : `${v.toFixed(2)}ms`);

function benchPure(): void {
  const clusters = syntheticClusters(NUM_CLUSTERS);
  process.stdout.write(`\n== pure decision: ${N} bindings per strategy over ${NUM_CLUSTERS} clusters ==\n`);
  process.stdout.write(`${'strategy'.padEnd(16)}${'bindings/s'.padStart(12)}${'p50'.padStart(10)}${'p99'.padStart(10)}${'failed'.padStart(8)}\n`);
  for (const [strategy, placement] of Object.entries(STRATEGIES)) {
    const r = rng(7);
    const bindings = Array.from({ length: N }, (_, i) => syntheticBinding(i, placement, r));
    // warm-up (JIT, parsed-summary caches)
    for (let i = 0; i < Math.min(200, N); i++) {
      try {
        schedule(bindings[i]!, clusters);
      } catch {
        /* counted below */
      }
    }
    const lat: number[] = [];
    let failed = 0;
    const t0 = performance.now();
    for (const b of bindings) {
      const s = performance.now();
      try {
        schedule(b, clusters);
      } catch {
        failed++;
      }
      lat.push(performance.now() - s);
    }
    const total = performance.now() - t0;
    lat.sort((a, b) => a - b);
    process.stdout.write(`${strategy.padEnd(16)}${((N / total) * 1000).toFixed(0).padStart(12)}${ms(pct(lat, 50)).padStart(10)}${ms(pct(lat, 99)).padStart(10)}${String(failed).padStart(8)}\n`);
  }
}

async function benchE2E(): Promise<void> {
  process.stdout.write(`\n== end to end: ${E2E_N} bindings, ${NUM_CLUSTERS} clusters, ${WORKERS} workers, in-process karmada-apiserver ==\n`);
  const env = await startTestApiServer();
  const client = env.client();
  const logger = pino({ level: 'silent' });
  const stop = new AbortController();
  let schedulerFactory: SharedInformerFactory | undefined;
  let watcherFactory: SharedInformerFactory | undefined;
  let running: Promise<void> | undefined;
  try {
    await client.resource(NAMESPACES).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }).catch(() => undefined);
    const clusters = syntheticClusters(NUM_CLUSTERS);
    await pool(clusters, 16, async (c) => {
      const created = await client.resource<Cluster>(CLUSTERS).create({ apiVersion: c.apiVersion, kind: c.kind, metadata: c.metadata, spec: c.spec });
      await client.resource<Cluster>(CLUSTERS).updateStatus({ ...created, status: c.status });
    });

    // the watcher: when each binding is first seen Scheduled=True
    const seen = new Map<string, number>();
    let done: () => void = () => undefined;
    const allDone = new Promise<void>((resolve) => (done = resolve));
    watcherFactory = new SharedInformerFactory(env.client(), { logger });
    const watch = watcherFactory.informerFor<Binding>(RESOURCE_BINDINGS, { namespace: 'default' });
    const check = (b: Binding) => {
      const name = b.metadata?.name ?? '';
      if (seen.has(name)) return;
      if (b.status?.conditions?.some((c) => c.type === 'Scheduled' && c.status === 'True')) {
        seen.set(name, performance.now());
        if (seen.size === E2E_N) done();
      }
    };
    watch.addEventHandler({ onAdd: check, onUpdate: (_o, b) => check(b) });
    watcherFactory.start();
    await watcherFactory.waitForSync();

    schedulerFactory = new SharedInformerFactory(env.client(), { logger });
    const scheduler = new Scheduler({ client: env.client(), informers: schedulerFactory, logger, workers: WORKERS });
    schedulerFactory.start();
    running = scheduler.run(stop.signal);
    await schedulerFactory.waitForSync();

    const strategies = Object.values(STRATEGIES);
    const r = rng(11);
    const bindings = Array.from({ length: E2E_N }, (_, i) => syntheticBinding(i, strategies[i % strategies.length]!, r));
    const created = new Map<string, number>();
    const t0 = performance.now();
    await pool(bindings, 32, async (b) => {
      created.set(b.metadata!.name!, performance.now());
      await client.resource<Binding>(RESOURCE_BINDINGS).create(b);
    });
    const createdIn = performance.now() - t0;
    const timeout = setTimeout(done, 300_000);
    await allDone;
    clearTimeout(timeout);
    const end = Math.max(...seen.values());
    const lat = [...seen].map(([name, at]) => at - created.get(name)!).sort((a, b) => a - b);
    process.stdout.write(`created ${E2E_N} bindings in ${(createdIn / 1000).toFixed(1)}s; scheduled ${seen.size}/${E2E_N}\n`);
    process.stdout.write(`throughput: ${((seen.size / (end - t0)) * 1000).toFixed(0)} bindings/s (first create to last Scheduled=True: ${((end - t0) / 1000).toFixed(1)}s)\n`);
    process.stdout.write(`create → Scheduled=True latency: p50 ${ms(pct(lat, 50))}, p99 ${ms(pct(lat, 99))}, max ${ms(lat[lat.length - 1] ?? NaN)}\n`);
    process.stdout.write(`scheduler queue at the end: ${JSON.stringify(scheduler.queue.pending)}\n`);
  } finally {
    stop.abort();
    await running;
    await schedulerFactory?.stop();
    await watcherFactory?.stop();
    await env.cleanup();
  }
}

async function pool<T>(items: readonly T[], concurrency: number, f: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await f(items[next++]!);
    }),
  );
}

benchPure();
if (!values['skip-e2e']) await benchE2E();
