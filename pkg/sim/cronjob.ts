// The CronJob controller: creates a Job <cronjob>-<scheduled time in minutes> at each scheduled time (UTC;
// five-field cron syntax with ranges, steps, lists, names and @hourly/@daily/... macros), honours suspend,
// startingDeadlineSeconds, concurrencyPolicy (Allow, Forbid, Replace) and the history limits, and reports
// status.active, lastScheduleTime and lastSuccessfulTime. One timer per CronJob: its next scheduled time.

import type { AdmissionAttributes, AdmissionPlugin } from '../apiserver/admission/types.js';
import { Controller, type SimContext } from './controller.js';
import type { Informer } from './informer.js';
import type { Job } from './job.js';
import { controllerOf, controllerRef, keyOf, parseTime, timestamp } from './podutil.js';
import type { Condition, KubeObject, ObjectMeta } from './types.js';

const FIELD_MANAGER = 'kube-controller-manager';
export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
const MAX_MISSED = 1000;

interface CronJobSpec {
  schedule?: string;
  timeZone?: string;
  suspend?: boolean;
  startingDeadlineSeconds?: number;
  concurrencyPolicy?: 'Allow' | 'Forbid' | 'Replace';
  successfulJobsHistoryLimit?: number;
  failedJobsHistoryLimit?: number;
  jobTemplate?: { metadata?: ObjectMeta; spec?: Record<string, unknown> };
}

export type CronJob = KubeObject & { spec?: CronJobSpec; status?: Record<string, unknown> };

// ---- schedules -------------------------------------------------------------------------------

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

export interface Schedule {
  minutes: Set<number>;
  hours: Set<number>;
  daysOfMonth: Set<number>;
  months: Set<number>;
  daysOfWeek: Set<number>;
  /** Both day fields restricted: a day matches either (cron's rule). */
  dayOr: boolean;
}

function parseField(field: string, min: number, max: number, names?: string[]): Set<number> {
  const out = new Set<number>();
  const value = (s: string): number => {
    const i = names?.indexOf(s.toLowerCase()) ?? -1;
    const n = i >= 0 ? i + (names === MONTHS ? 1 : 0) : Number(s);
    if (!Number.isInteger(n)) throw new Error(`invalid value "${s}"`);
    return n;
  };
  for (const part of field.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`invalid step in "${part}"`);
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') [lo, hi] = [min, max];
    else if (range!.includes('-')) {
      const [a, b] = range!.split('-');
      [lo, hi] = [value(a!), value(b!)];
    } else {
      lo = value(range!);
      hi = stepText === undefined ? lo : max;
    }
    if (lo < min || hi > max || lo > hi) throw new Error(`"${part}" is out of range ${min}-${max}`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  if (names === DAYS && out.delete(7)) out.add(0); // 7 is Sunday too
  return out;
}

/** Parses a five-field cron expression (or macro); throws with what is wrong. */
export function parseSchedule(expr: string): Schedule {
  let text = expr.trim();
  if (/^(CRON_)?TZ=/.test(text)) text = text.slice(text.indexOf(' ') + 1).trim();
  text = MACROS[text.toLowerCase()] ?? text;
  const fields = text.split(/\s+/);
  if (fields.length !== 5) throw new Error(`expected exactly 5 fields, found ${fields.length}: "${expr}"`);
  const [mi, h, dom, mo, dow] = fields as [string, string, string, string, string];
  return {
    minutes: parseField(mi, 0, 59),
    hours: parseField(h, 0, 23),
    daysOfMonth: parseField(dom, 1, 31),
    months: parseField(mo, 1, 12, MONTHS),
    daysOfWeek: parseField(dow, 0, 7, DAYS),
    dayOr: !/^[*?]/.test(dom) && !/^[*?]/.test(dow),
  };
}

function dayMatches(s: Schedule, d: Date): boolean {
  const dom = s.daysOfMonth.has(d.getUTCDate());
  const dow = s.daysOfWeek.has(d.getUTCDay());
  return s.dayOr ? dom || dow : dom && dow;
}

/** The first scheduled time strictly after `after` (ms, UTC), or undefined within ~5 years. */
export function nextTime(s: Schedule, after: number): number | undefined {
  const d = new Date(Math.floor(after / 60_000) * 60_000 + 60_000);
  const limit = after + 5 * 366 * 24 * 3600 * 1000;
  while (d.getTime() <= limit) {
    if (!s.months.has(d.getUTCMonth() + 1)) {
      d.setUTCMonth(d.getUTCMonth() + 1, 1);
      d.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!dayMatches(s, d)) {
      d.setUTCDate(d.getUTCDate() + 1);
      d.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!s.hours.has(d.getUTCHours())) {
      d.setUTCHours(d.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (!s.minutes.has(d.getUTCMinutes())) {
      d.setUTCMinutes(d.getUTCMinutes() + 1, 0, 0);
      continue;
    }
    return d.getTime();
  }
  return undefined;
}

/** The latest scheduled time in (since, now], and the next one after now. */
export function mostRecentSchedule(s: Schedule, since: number, now: number): { last?: number; next?: number } {
  let last: number | undefined;
  let t = nextTime(s, since);
  for (let i = 0; t !== undefined && t <= now; i++) {
    last = t;
    // Far behind (a long-stopped simulation): jump close to now instead of walking every slot.
    t = i >= MAX_MISSED ? nextTime(s, Math.max(t, now - 60_000)) : nextTime(s, t);
  }
  return { last, next: t };
}

// ---- admission and controller ----------------------------------------------------------------

/** SetDefaults_CronJob. */
export function cronJobDefaults(): AdmissionPlugin {
  return {
    name: 'CronJobDefaults',
    admit(a: AdmissionAttributes) {
      const d = a.descriptor;
      if (d.group !== 'batch' || d.kind !== 'CronJob' || !a.object || a.subresource || a.operation === 'DELETE') return;
      const spec = (a.object.spec ??= {}) as CronJobSpec;
      spec.concurrencyPolicy ??= 'Allow';
      spec.suspend ??= false;
      spec.successfulJobsHistoryLimit ??= 3;
      spec.failedJobsHistoryLimit ??= 1;
    },
  };
}

const finished = (j: Job) =>
  ((j.status?.conditions as Condition[] | undefined) ?? []).find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');

export class CronJobController extends Controller {
  private readonly cronJobs: Informer<CronJob>;
  private readonly jobs: Informer<Job>;

  constructor(ctx: SimContext) {
    super('cronjob', ctx, 1);
    this.cronJobs = ctx.informers.for<CronJob>(ctx.kinds.cronJobs);
    this.jobs = ctx.informers.for<Job>(ctx.kinds.jobs).addIndex('controller-uid', (j) => {
      const uid = controllerOf(j)?.uid;
      return uid ? [uid] : [];
    });
    this.cronJobs.on((type, cj) => {
      if (type === 'put') this.queue.add(keyOf(cj));
    });
    this.jobs.on((_type, job) => {
      const ref = controllerOf(job);
      if (ref?.kind === 'CronJob') this.enqueueSoon(`${job.metadata!.namespace}/${ref.name}`);
    });
  }

  protected async reconcile(key: string): Promise<number | void> {
    const cj = this.cronJobs.get(key);
    if (!cj || cj.metadata?.deletionTimestamp) return;
    const { client, kinds } = this.ctx;
    const m = cj.metadata!;
    const spec = cj.spec ?? {};
    const now = this.ctx.now();
    let schedule: Schedule;
    try {
      schedule = parseSchedule(spec.schedule ?? '');
    } catch (err) {
      this.logger.info({ cronjob: key, err: (err as Error).message }, 'unparseable schedule');
      return;
    }
    const owned = this.jobs.byIndex('controller-uid', m.uid!).filter((j) => j.metadata?.namespace === m.namespace && !j.metadata?.deletionTimestamp);
    let active = owned.filter((j) => !finished(j));
    const status: Record<string, unknown> = { ...(cj.status ?? {}) };

    const since = Math.max(parseTime(status.lastScheduleTime) ?? 0, parseTime(m.creationTimestamp) ?? now);
    const { last, next } = mostRecentSchedule(schedule, since, now);
    const deadline = spec.startingDeadlineSeconds;
    if (last !== undefined && !spec.suspend && (deadline === undefined || now - last <= deadline * 1000)) {
      const policy = spec.concurrencyPolicy ?? 'Allow';
      if (policy === 'Forbid' && active.length) {
        // Skipped this time; the slot is retried until the deadline passes (as upstream).
      } else {
        if (policy === 'Replace') {
          for (const j of active) await client.delete(kinds.jobs, j.metadata!.namespace, j.metadata!.name!, j.metadata!.uid);
          active = [];
        }
        const jobName = `${m.name}-${Math.floor(last / 60_000)}`;
        const tm = spec.jobTemplate?.metadata ?? {};
        const job: Job = {
          apiVersion: 'batch/v1',
          kind: 'Job',
          metadata: {
            name: jobName,
            namespace: m.namespace,
            labels: { ...(tm.labels ?? {}) },
            annotations: { ...(tm.annotations ?? {}), [SCHEDULED_TIMESTAMP_ANNOTATION]: timestamp(last) },
            ownerReferences: [controllerRef(cj, kinds.cronJobs)],
          },
          spec: structuredClone(spec.jobTemplate?.spec ?? {}) as Job['spec'],
        };
        const made = this.jobs.get(`${m.namespace}/${jobName}`) ?? (await client.create(kinds.jobs, job, FIELD_MANAGER));
        if (made && !active.some((j) => j.metadata?.uid === made.metadata?.uid) && !finished(made)) active.push(made);
        status.lastScheduleTime = timestamp(last);
      }
    } else if (last !== undefined && !spec.suspend) {
      status.lastScheduleTime = timestamp(last); // missed beyond startingDeadlineSeconds
    }

    // History limits, oldest first.
    const done = owned.filter((j) => finished(j));
    const byTime = (a: Job, b: Job) => (parseTime(a.status?.startTime) ?? 0) - (parseTime(b.status?.startTime) ?? 0);
    const succeeded = done.filter((j) => finished(j)!.type === 'Complete').sort(byTime);
    const failed = done.filter((j) => finished(j)!.type === 'Failed').sort(byTime);
    for (const [list, limit] of [[succeeded, spec.successfulJobsHistoryLimit ?? 3], [failed, spec.failedJobsHistoryLimit ?? 1]] as const) {
      for (const j of list.slice(0, Math.max(0, list.length - limit))) await client.delete(kinds.jobs, j.metadata!.namespace, j.metadata!.name!, j.metadata!.uid);
    }
    const lastSuccess = Math.max(0, ...succeeded.map((j) => parseTime(j.status?.completionTime) ?? 0));
    if (lastSuccess) status.lastSuccessfulTime = timestamp(lastSuccess);
    if (active.length) {
      status.active = active.map((j) => ({ apiVersion: 'batch/v1', kind: 'Job', name: j.metadata!.name, namespace: j.metadata!.namespace, resourceVersion: j.metadata!.resourceVersion, uid: j.metadata!.uid }));
    } else delete status.active;
    if (JSON.stringify(status) !== JSON.stringify(cj.status ?? {})) {
      await client.update<CronJob>(kinds.cronJobs, m.namespace, m.name!, (cur) => void (cur.status = status), { status: true, uid: m.uid, fieldManager: FIELD_MANAGER });
    }
    return next === undefined ? undefined : next - now + 50;
  }
}
