// The Job controller: runs pods (named <job>-<5 random>, or <job>-<index>-<5 random> for Indexed jobs) up to
// parallelism until `completions` have succeeded (the simulated kubelet finishes Job pods after
// --job-duration), retries failures up to backoffLimit, honours suspend, activeDeadlineSeconds and
// ttlSecondsAfterFinished, and reports status like the real controller: active, ready, succeeded,
// failed, startTime, completionTime, completedIndexes, conditions SuccessCriteriaMet + Complete (or
// FailureTarget + Failed). jobAdmission adds what kube-apiserver defaults on Jobs (selector on the
// controller-uid label, template labels, parallelism/completions/backoffLimit/completionMode).

import type { AdmissionAttributes, AdmissionPlugin } from '../apiserver/admission/types.js';
import { Controller, type SimContext } from './controller.js';
import type { Informer } from './informer.js';
import {
  controllerOf,
  isDeleting,
  isPodReady,
  isPodTerminal,
  keyOf,
  parseTime,
  podFromTemplate,
  timestamp,
} from './podutil.js';
import { OWNER_INDEX, podsByOwner } from './replicaset.js';
import type { Condition, Pod, PodTemplate, Workload } from './types.js';

const FIELD_MANAGER = 'kube-controller-manager';
export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';

interface JobSpec {
  parallelism?: number;
  completions?: number | null;
  backoffLimit?: number;
  completionMode?: 'NonIndexed' | 'Indexed';
  suspend?: boolean;
  manualSelector?: boolean;
  activeDeadlineSeconds?: number;
  ttlSecondsAfterFinished?: number;
  selector?: { matchLabels?: Record<string, string> };
  template?: PodTemplate;
  podReplacementPolicy?: string;
}

export type Job = Workload & { spec?: JobSpec };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** kube-apiserver's Job defaulting (PrepareForCreate + SetDefaults_Job). */
export function jobAdmission(): AdmissionPlugin {
  return {
    name: 'JobDefaults',
    admit(a: AdmissionAttributes) {
      const d = a.descriptor;
      if (d.group !== 'batch' || d.kind !== 'Job' || !a.object || a.subresource) return;
      const job = a.object as Job;
      const spec = (job.spec ??= {}) as JobSpec;
      if (a.operation === 'CREATE') {
        if (spec.completions === undefined && spec.parallelism === undefined) {
          spec.completions = 1;
          spec.parallelism = 1;
        }
        spec.parallelism ??= 1;
        spec.backoffLimit ??= spec.completionMode === 'Indexed' && (spec as Obj).backoffLimitPerIndex !== undefined ? 2147483647 : 6;
        spec.completionMode ??= 'NonIndexed';
        spec.suspend ??= false;
        spec.podReplacementPolicy ??= 'TerminatingOrFailed';
        if (!spec.manualSelector) {
          const uid = job.metadata!.uid!;
          const name = job.metadata!.name!;
          spec.selector = { matchLabels: { [CONTROLLER_UID_LABEL]: uid } };
          const template = (spec.template ??= {});
          const meta = (template.metadata ??= {});
          meta.labels = { ...(meta.labels ?? {}), [CONTROLLER_UID_LABEL]: uid, [JOB_NAME_LABEL]: name, 'controller-uid': uid, 'job-name': name };
        }
      } else if (a.operation === 'UPDATE' && isObj(a.oldObject?.spec)) {
        // selector and template are immutable once set; keep the generated ones when a client omits them.
        const old = a.oldObject.spec as JobSpec;
        if (!spec.selector && old.selector) spec.selector = old.selector;
        if (!spec.manualSelector && old.template?.metadata?.labels && spec.template) {
          const meta = (spec.template.metadata ??= {});
          meta.labels = { ...(meta.labels ?? {}) };
          for (const k of [CONTROLLER_UID_LABEL, JOB_NAME_LABEL, 'controller-uid', 'job-name']) {
            const v = old.template.metadata.labels[k];
            if (v !== undefined && meta.labels[k] === undefined) meta.labels[k] = v;
          }
        }
      }
    },
  };
}

/** "1,3-5,7" from sorted indexes (the completedIndexes format). */
export function formatIndexes(indexes: number[]): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

export function parseIndexes(s: string | undefined): number[] {
  const out: number[] = [];
  for (const part of (s ?? '').split(',').filter(Boolean)) {
    const [a, b] = part.split('-').map(Number);
    for (let i = a!; i <= (b ?? a!); i++) out.push(i);
  }
  return out;
}

const finishedCondition = (job: Job) =>
  (job.status?.conditions as Condition[] | undefined)?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');

export interface JobPlan {
  create: { index?: number }[];
  delete: Pod[];
  status: Obj;
  /** Re-check after (active deadline, TTL). */
  requeueAfterMs?: number;
  /** Delete the Job itself (TTL after finished expired). */
  deleteJob?: boolean;
}

/** One sync of a Job from its pods (pure). */
export function planJob(job: Job, pods: Pod[], now: number): JobPlan {
  const spec = job.spec ?? {};
  const ts = timestamp(now);
  const prev = (job.status ?? {}) as Obj;
  const conds = ((prev.conditions as Condition[] | undefined) ?? []).map((c) => ({ ...c }));
  const plan: JobPlan = { create: [], delete: [], status: {} };
  const indexed = spec.completionMode === 'Indexed';
  const completions = spec.completions ?? undefined;
  const parallelism = spec.parallelism ?? 1;

  const succeededPods = pods.filter((p) => p.status?.phase === 'Succeeded');
  const failedPods = pods.filter((p) => p.status?.phase === 'Failed');
  const active = pods.filter((p) => !isPodTerminal(p) && !isDeleting(p));
  const completedIndexes = indexed
    ? formatIndexes([...parseIndexes(prev.completedIndexes as string | undefined), ...succeededPods.map((p) => Number(p.metadata?.annotations?.[COMPLETION_INDEX])).filter((i) => Number.isInteger(i) && i < (completions ?? 0))])
    : undefined;
  const succeeded = indexed ? parseIndexes(completedIndexes).length : Math.max(Number(prev.succeeded ?? 0), succeededPods.length);
  const failed = Math.max(Number(prev.failed ?? 0), failedPods.length);

  const addCondition = (type: string, status: 'True' | 'False', reason: string, message: string) => {
    const i = conds.findIndex((c) => c.type === type);
    const c: Condition = { type, status, reason, message, lastProbeTime: ts, lastTransitionTime: ts };
    if (i >= 0) {
      if (conds[i]!.status === status && conds[i]!.reason === reason) return;
      conds[i] = c;
    } else conds.push(c);
  };
  const status: Obj = { ...prev };
  const finished = finishedCondition(job);

  if (finished) {
    plan.delete.push(...active);
    // ttlSecondsAfterFinished: the TTL-after-finished controller deletes the Job.
    if (spec.ttlSecondsAfterFinished !== undefined && spec.ttlSecondsAfterFinished !== null) {
      const at = (parseTime(finished.lastTransitionTime) ?? now) + spec.ttlSecondsAfterFinished * 1000;
      if (now >= at) plan.deleteJob = true;
      else plan.requeueAfterMs = at - now;
    }
  } else if (spec.suspend) {
    plan.delete.push(...active);
    addCondition('Suspended', 'True', 'JobSuspended', 'Job suspended');
    delete status.startTime;
  } else {
    if (conds.some((c) => c.type === 'Suspended' && c.status === 'True')) addCondition('Suspended', 'False', 'JobResumed', 'Job resumed');
    status.startTime ??= ts;
    const started = parseTime(status.startTime as string) ?? now;
    const done = completions !== undefined ? succeeded >= completions : succeeded > 0 && active.length === 0;
    const deadline = spec.activeDeadlineSeconds;
    if (done) {
      addCondition('SuccessCriteriaMet', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods');
      addCondition('Complete', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods');
      status.completionTime = ts;
      plan.delete.push(...active);
    } else if (failed > (spec.backoffLimit ?? 6)) {
      addCondition('FailureTarget', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit');
      addCondition('Failed', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit');
      plan.delete.push(...active);
    } else if (deadline !== undefined && now >= started + deadline * 1000) {
      addCondition('FailureTarget', 'True', 'DeadlineExceeded', 'Job was active longer than specified deadline');
      addCondition('Failed', 'True', 'DeadlineExceeded', 'Job was active longer than specified deadline');
      plan.delete.push(...active);
    } else {
      if (deadline !== undefined) plan.requeueAfterMs = started + deadline * 1000 - now;
      if (indexed) {
        const doneSet = new Set(parseIndexes(completedIndexes));
        const running = new Set(active.map((p) => Number(p.metadata?.annotations?.[COMPLETION_INDEX])));
        let room = parallelism - active.length;
        for (let i = 0; i < (completions ?? 0) && room > 0; i++) {
          if (doneSet.has(i) || running.has(i)) continue;
          plan.create.push({ index: i });
          room--;
        }
      } else {
        // With completions: never more active pods than completions still missing. Without: parallelism
        // until the first success.
        const want = completions !== undefined ? Math.min(parallelism, completions - succeeded) : succeeded > 0 ? 0 : parallelism;
        for (let i = active.length; i < want; i++) plan.create.push({});
        if (active.length > want) plan.delete.push(...active.slice(want));
      }
    }
  }
  const stillActive = active.filter((p) => !plan.delete.includes(p));
  status.active = stillActive.length + plan.create.length;
  status.ready = stillActive.filter(isPodReady).length;
  status.succeeded = succeeded;
  status.failed = failed;
  status.terminating = 0;
  status.uncountedTerminatedPods = {};
  if (indexed) status.completedIndexes = completedIndexes ?? '';
  for (const k of ['active', 'succeeded', 'failed']) if (!status[k]) delete status[k];
  if (conds.length) status.conditions = conds;
  plan.status = status;
  return plan;
}

export class JobController extends Controller {
  private readonly jobs: Informer<Job>;
  private readonly pods: Informer<Pod>;

  constructor(ctx: SimContext) {
    super('job', ctx, 2);
    this.jobs = ctx.informers.for<Job>(ctx.kinds.jobs);
    this.pods = podsByOwner(ctx.informers.for<Pod>(ctx.kinds.pods));
    this.jobs.on((type, j) => {
      if (type === 'put') this.queue.add(keyOf(j));
    });
    this.pods.on((_type, pod, old) => {
      for (const p of old && old !== pod ? [pod, old] : [pod]) {
        const ref = controllerOf(p);
        if (ref?.kind === 'Job') this.enqueueSoon(`${p.metadata!.namespace}/${ref.name}`);
      }
    });
  }

  protected async reconcile(key: string): Promise<number | void> {
    const job = this.jobs.get(key);
    if (!job || job.metadata?.deletionTimestamp) return;
    const { client, kinds } = this.ctx;
    const m = job.metadata!;
    const pods = this.pods.byIndex(OWNER_INDEX, m.uid!).filter((p) => p.metadata?.namespace === m.namespace);
    const plan = planJob(job, pods, this.ctx.now());
    if (plan.deleteJob) {
      await client.delete(kinds.jobs, m.namespace, m.name!, m.uid);
      return;
    }
    for (const p of plan.delete) await client.delete(kinds.pods, p.metadata!.namespace, p.metadata!.name!, p.metadata!.uid);
    for (const c of plan.create) {
      const indexed = c.index !== undefined;
      const pod = podFromTemplate(job.spec?.template, job, kinds.jobs, { generateName: indexed ? `${m.name}-${c.index}-` : `${m.name}-` }, indexed
        ? { labels: { [COMPLETION_INDEX]: String(c.index) }, annotations: { [COMPLETION_INDEX]: String(c.index) } }
        : {});
      if (indexed) {
        pod.spec!.hostname = `${m.name}-${c.index}`;
        for (const ct of pod.spec!.containers) ct.env = [...(ct.env ?? []), { name: 'JOB_COMPLETION_INDEX', value: String(c.index) }];
      }
      await client.create(kinds.pods, pod, FIELD_MANAGER);
    }
    if (JSON.stringify(plan.status) !== JSON.stringify(job.status ?? {})) {
      await client.update<Job>(kinds.jobs, m.namespace, m.name!, (cur) => {
        if ((cur.metadata?.generation ?? 1) !== (m.generation ?? 1)) return false;
        cur.status = plan.status;
      }, { status: true, uid: m.uid, fieldManager: FIELD_MANAGER });
    }
    return plan.requeueAfterMs;
  }
}
