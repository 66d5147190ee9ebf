// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection package does it:
// candidates try to acquire the Lease every retryPeriod; the holder renews it every retryPeriod and
// gives up leadership when it could not renew within renewDeadline; others take over once the record
// they observed has not changed for leaseDuration (measured on their own clock, so clock skew between
// machines does not matter). On a clean stop the holder releases the Lease so a successor starts at once.

import os from 'node:os';
import { pino, type Logger } from 'pino';
import { sleep } from './backoff.js';
import { ObjectClient } from './client.js';
import { LEASES } from './gvr.js';
import { errText } from './informer.js';
import { isAlreadyExists, isConflict, isNotFound, RestClient } from './rest.js';
import { microTime, type KubeObject } from './types.js';

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

export interface LeaderElectorOptions {
  client: RestClient | ObjectClient;
  namespace: string;
  name: string;
  /** Unique per candidate (default: hostname_pid_random). */
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Release the Lease when stopped while leading (default true). */
  releaseOnCancel?: boolean;
  /** Called when this candidate becomes leader; the signal aborts when leadership ends. */
  onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  /** Called when leadership ends (lost or released). */
  onStoppedLeading?: () => void;
  /** Called when the observed leader changes (including to this candidate). */
  onNewLeader?: (identity: string) => void;
  logger?: Logger;
  /** Clock, for tests. */
  now?: () => number;
}

export const DEFAULT_LEASE_DURATION_MS = 15_000;
export const DEFAULT_RENEW_DEADLINE_MS = 10_000;
export const DEFAULT_RETRY_PERIOD_MS = 2_000;

export class LeaderElector {
  readonly identity: string;
  private readonly client: ObjectClient;
  private readonly log: Logger;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly now: () => number;
  private observed: LeaseSpec | undefined;
  private observedTime = 0;
  private observedRV: string | undefined;
  private leading = false;
  private reportedLeader = '';

  constructor(private readonly opts: LeaderElectorOptions) {
    this.client = opts.client instanceof ObjectClient ? opts.client : new ObjectClient(opts.client);
    this.identity = opts.identity ?? defaultIdentity();
    this.leaseDurationMs = opts.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? DEFAULT_RENEW_DEADLINE_MS;
    this.retryPeriodMs = opts.retryPeriodMs ?? DEFAULT_RETRY_PERIOD_MS;
    if (this.leaseDurationMs <= this.renewDeadlineMs) throw new Error('leaseDuration must be greater than renewDeadline');
    if (this.renewDeadlineMs <= this.retryPeriodMs * 1.2) throw new Error('renewDeadline must be greater than retryPeriod*1.2');
    this.now = opts.now ?? Date.now;
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ lease: `${opts.namespace}/${opts.name}`, identity: this.identity });
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The holder last observed ('' when none). */
  getLeader(): string {
    return this.observed?.holderIdentity ?? '';
  }

  /**
   * Campaigns until leader, leads until leadership is lost or the signal aborts, then returns.
   * (Like client-go, one run is one term: call run again to campaign again.)
   */
  async run(signal: AbortSignal): Promise<void> {
    // acquire
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew()) break;
      await sleep(jitter(this.retryPeriodMs, 1.2), signal);
    }
    if (signal.aborted) return;
    this.leading = true;
    this.log.info('became leader');
    const term = new AbortController();
    const onAbort = () => term.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    void Promise.resolve()
      .then(() => this.opts.onStartedLeading(term.signal))
      .catch((err: unknown) => this.log.error({ err: errText(err) }, 'onStartedLeading failed'));
    // renew
    let lastRenew = this.now();
    while (!signal.aborted) {
      await sleep(this.retryPeriodMs, signal);
      if (signal.aborted) break;
      let ok = false;
      try {
        ok = await this.tryAcquireOrRenew(this.renewDeadlineMs - (this.now() - lastRenew));
      } catch {
        ok = false;
      }
      if (ok) {
        lastRenew = this.now();
        continue;
      }
      if (this.now() - lastRenew >= this.renewDeadlineMs) {
        this.log.warn('failed to renew the lease within the renew deadline; leadership lost');
        break;
      }
    }
    signal.removeEventListener('abort', onAbort);
    term.abort();
    this.leading = false;
    if (signal.aborted && this.opts.releaseOnCancel !== false) await this.release();
    this.opts.onStoppedLeading?.();
  }

  /** One attempt: create the Lease, take it over when expired/free, or renew it when ours. */
  async tryAcquireOrRenew(timeoutMs?: number): Promise<boolean> {
    const leases = this.client.resource<Lease>(LEASES);
    const nowMs = this.now();
    const now = microTime(new Date(nowMs));
    const desired: LeaseSpec = {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
      acquireTime: now,
      renewTime: now,
      leaseTransitions: 0,
    };
    let cur: Lease | undefined;
    try {
      cur = await this.withTimeout(leases.get(this.opts.name, { namespace: this.opts.namespace }), timeoutMs);
    } catch (err) {
      if (!isNotFound(err)) {
        this.log.debug({ err: errText(err) }, 'cannot read the lease');
        return false;
      }
    }
    if (!cur) {
      try {
        const created = await this.withTimeout(
          leases.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.opts.name, namespace: this.opts.namespace }, spec: desired }),
          timeoutMs,
        );
        this.observe(created, nowMs);
        return true;
      } catch (err) {
        if (!isAlreadyExists(err)) this.log.debug({ err: errText(err) }, 'cannot create the lease');
        return false;
      }
    }
    const spec = cur.spec ?? {};
    if (cur.metadata?.resourceVersion !== this.observedRV) this.observe(cur, nowMs);
    const holder = spec.holderIdentity ?? '';
    const durationMs = (spec.leaseDurationSeconds ?? 0) * 1000 || this.leaseDurationMs;
    if (holder && holder !== this.identity && this.observedTime + durationMs > nowMs) return false; // held by a live leader
    if (holder === this.identity) {
      desired.acquireTime = spec.acquireTime ?? now;
      desired.leaseTransitions = spec.leaseTransitions ?? 0;
    } else {
      desired.leaseTransitions = (spec.leaseTransitions ?? 0) + (holder ? 1 : 0);
    }
    try {
      const updated = await this.withTimeout(leases.update({ ...cur, spec: { ...spec, ...desired } }), timeoutMs);
      this.observe(updated, nowMs);
      return true;
    } catch (err) {
      if (!isConflict(err)) this.log.debug({ err: errText(err) }, 'cannot update the lease');
      return false;
    }
  }

  /** Gives the Lease up (holder cleared, 1 s duration) if we hold it. */
  async release(): Promise<void> {
    const leases = this.client.resource<Lease>(LEASES);
    try {
      const cur = await leases.get(this.opts.name, { namespace: this.opts.namespace });
      if (cur.spec?.holderIdentity !== this.identity) return;
      const now = microTime(new Date(this.now()));
      await leases.update({ ...cur, spec: { ...cur.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now, acquireTime: now } });
      this.log.info('released the lease');
    } catch (err) {
      this.log.warn({ err: errText(err) }, 'failed to release the lease');
    }
  }

  private observe(lease: Lease, nowMs: number): void {
    this.observed = { ...(lease.spec ?? {}) };
    this.observedRV = lease.metadata?.resourceVersion;
    this.observedTime = nowMs;
    const leader = this.observed.holderIdentity ?? '';
    if (leader !== this.reportedLeader) {
      this.reportedLeader = leader;
      if (leader) this.opts.onNewLeader?.(leader);
    }
  }

  private withTimeout<T>(p: Promise<T>, timeoutMs: number | undefined): Promise<T> {
    if (timeoutMs === undefined) return p;
    if (timeoutMs <= 0) {
      p.catch(() => undefined);
      return Promise.reject(new Error('renew deadline passed'));
    }
    return new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('lease request timed out')), timeoutMs);
      p.then(
        (v) => {
          clearTimeout(t);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(t);
          reject(e);
        },
      );
    });
  }
}

function jitter(ms: number, factor: number): number {
  return ms + Math.random() * ms * (factor - 1);
}

function defaultIdentity(): string {
  return `${os.hostname() || 'localhost'}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}
