// The general estimator (Karmada pkg/estimator/client/general.go): how many replicas a cluster can still take,
// judged from its status.resourceSummary alone.
//  - pods: allocatable.pods − allocated.pods − allocating.pods bounds everything (no summary: 0);
//  - with resource models (spec.resourceModels + status.resourceSummary.allocatableModelings): each node of a
//    grade is taken to have exactly the grade's minimum of every resource; only grades whose minimum covers
//    each request count, each node holding min(110 pods, ⌊min/request⌋ per resource) replicas;
//  - otherwise (or when a requested resource has no model): per requested resource
//    ⌊(allocatable − allocated − allocating)/request⌋, CPU compared in milli-units, others in whole units
//    rounded up as resource.Quantity.Value() does.
// The node claim (node selector, affinity, tolerations) is not considered: the summary has no per-node
// information; karmada-scheduler-estimator does that upstream.
// Parsed quantities are cached per summary/request object, so estimating many bindings over the same
// clusters parses each cluster's summary once.

import type { Cluster, ResourceModel, ResourceSummary } from '../apis/cluster/v1alpha1/index.js';
import { parseQuantity } from '../apis/core/v1/quantity.js';
import type { ResourceList } from '../apis/core/v1/types.js';
import type { ReplicaRequirements } from '../apis/work/v1alpha2/index.js';
import { MAX_INT32, type ReplicaEstimator } from './interface.js';

export const GENERAL_ESTIMATOR = 'general-estimator';

/** Pods a virtual node of a resource-model grade holds (the scheduling simulator's node pod capacity). */
export const MODEL_NODE_MAX_PODS = 110;

const NANO = 1_000_000_000n;
const NANO_PER_MILLI = 1_000_000n;

/** A quantity as Quantity.Value() and MilliValue() see it (both rounded up), plus its exact nano value. */
interface Amount {
  nano: bigint;
  value: number;
  milli: number;
}

function ceilDiv(n: bigint, d: bigint): bigint {
  return n >= 0n ? (n + d - 1n) / d : n / d;
}

function amount(nano: bigint): Amount {
  return { nano, value: Number(ceilDiv(nano, NANO)), milli: Number(ceilDiv(nano, NANO_PER_MILLI)) };
}

function nanoOf(list: ResourceList | undefined, name: string): bigint | undefined {
  const q = list?.[name];
  if (q === undefined) return undefined;
  try {
    return parseQuantity(q);
  } catch {
    return undefined;
  }
}

interface ParsedSummary {
  allowedPods: number;
  /** allocatable − allocated − allocating per resource present in allocatable */
  available: Map<string, Amount>;
}

const summaries = new WeakMap<ResourceSummary, ParsedSummary>();

function parseSummary(s: ResourceSummary): ParsedSummary {
  let parsed = summaries.get(s);
  if (parsed) return parsed;
  const pods = (l: ResourceList | undefined) => Number(ceilDiv(nanoOf(l, 'pods') ?? 0n, NANO));
  const allowed = pods(s.allocatable) - pods(s.allocated) - pods(s.allocating);
  const available = new Map<string, Amount>();
  for (const name of Object.keys(s.allocatable ?? {})) {
    const total = nanoOf(s.allocatable, name);
    if (total === undefined) continue;
    available.set(name, amount(total - (nanoOf(s.allocated, name) ?? 0n) - (nanoOf(s.allocating, name) ?? 0n)));
  }
  parsed = { allowedPods: allowed > 0 ? allowed : 0, available };
  summaries.set(s, parsed);
  return parsed;
}

interface Request extends Amount {
  name: string;
}

const requests = new WeakMap<ResourceList, Request[]>();

/** The requested resources with Value() > 0 (the ones upstream looks at). */
function parseRequests(list: ResourceList | undefined): Request[] {
  if (!list) return [];
  let parsed = requests.get(list);
  if (parsed) return parsed;
  parsed = [];
  for (const name of Object.keys(list)) {
    const nano = nanoOf(list, name);
    if (nano === undefined) continue;
    const a = amount(nano);
    if (a.value > 0) parsed.push({ name, ...a });
  }
  requests.set(list, parsed);
  return parsed;
}

const modelMins = new WeakMap<ResourceModel[], Map<string, bigint[]>>();

/** convertToResourceModelsMinMap: resource → the min of each grade, in model order. */
function parseModels(models: ResourceModel[]): Map<string, bigint[]> {
  let parsed = modelMins.get(models);
  if (parsed) return parsed;
  parsed = new Map();
  for (const m of models) {
    for (const r of m.ranges) {
      let arr = parsed.get(r.name);
      if (!arr) parsed.set(r.name, (arr = []));
      let v = 0n;
      try {
        v = parseQuantity(r.min);
      } catch {
        /* a malformed minimum counts as 0 */
      }
      arr.push(v);
    }
  }
  modelMins.set(models, parsed);
  return parsed;
}

/** getMaximumReplicasBasedOnClusterSummary. */
function replicasBySummary(s: ParsedSummary, reqs: readonly Request[]): number {
  let max = Number.MAX_SAFE_INTEGER;
  for (const r of reqs) {
    const avail = s.available.get(r.name);
    if (!avail || avail.value <= 0) return 0;
    const n = r.name === 'cpu' ? Math.floor(avail.milli / r.milli) : Math.floor(avail.value / r.value);
    if (n < max) max = n;
  }
  return max;
}

/** getMaximumReplicasBasedOnResourceModels; undefined when the models do not cover a requested resource. */
function replicasByModels(cluster: Cluster, reqs: readonly Request[]): number | undefined {
  const models = cluster.spec?.resourceModels ?? [];
  const modelings = cluster.status?.resourceSummary?.allocatableModelings ?? [];
  const mins = parseModels(models);
  let minIndex = 0;
  for (const r of reqs) {
    const arr = mins.get(r.name);
    if (!arr) return undefined;
    // the first grade whose minimum covers the request (a grade below may hold nodes too small for it)
    const idx = arr.findIndex((m) => m >= r.nano);
    if (idx === -1) return 0;
    if (idx > minIndex) minIndex = idx;
  }
  let total = 0;
  for (let i = minIndex; i < models.length; i++) {
    const count = modelings[i]?.count ?? 0;
    if (count <= 0) continue;
    let perNode = MODEL_NODE_MAX_PODS;
    for (const r of reqs) {
      const min = amount(mins.get(r.name)![i] ?? 0n);
      const n = r.name === 'cpu' ? Math.floor(min.milli / r.milli) : Math.floor(min.value / r.value);
      if (n < perNode) perNode = n;
    }
    total += count * perNode;
  }
  return total;
}

export interface GeneralEstimatorOptions {
  /** The CustomizedClusterResourceModeling feature gate (default on). */
  resourceModeling?: boolean;
}

export class GeneralEstimator implements ReplicaEstimator {
  readonly name = GENERAL_ESTIMATOR;

  constructor(private readonly opts: GeneralEstimatorOptions = {}) {}

  maxAvailableReplicas(clusters: readonly Cluster[], requirements: ReplicaRequirements | undefined): number[] {
    return clusters.map((c) => this.maxAvailable(c, requirements));
  }

  /** The estimate for one cluster. */
  maxAvailable(cluster: Cluster, requirements: ReplicaRequirements | undefined): number {
    const summary = cluster.status?.resourceSummary;
    if (!summary) return 0;
    const parsed = parseSummary(summary);
    let max = parsed.allowedPods;
    if (max <= 0) return 0;
    if (!requirements) return Math.min(max, MAX_INT32);
    const reqs = parseRequests(requirements.resourceRequest);
    if (this.opts.resourceModeling !== false && (summary.allocatableModelings?.length ?? 0) > 0) {
      const byModels = replicasByModels(cluster, reqs);
      if (byModels !== undefined) return Math.min(max, byModels, MAX_INT32);
    }
    max = Math.min(max, replicasBySummary(parsed, reqs));
    return Math.min(max, MAX_INT32);
  }
}

export const generalEstimator = new GeneralEstimator();
