// Durable, coalesced Work status reports: KubeEdge's reliable cloud-edge messaging, with Kubernetes API
// semantics instead of a message bus.
//
// Why: a karmada-agent behind a link that drops for minutes must not fail its reconciles (and stall
// its member) because the control plane is unreachable, nor lose what it observed meanwhile. So the
// execution and work status controllers write through this outbox: a write lands in the agent store at
// once and is delivered when the control plane answers, surviving agent restarts and kill -9 (at worst
// the last store tick is lost, and the controllers, comparing against the Work they cache, report again).
//
// Why coalesce: status is state, not a log of events. Only the newest value of each top-level status key
// matters (conditions and manifestStatuses are always written as full lists), so one row per Work
// holds the merge of every write since the last delivery: an hour offline costs one patch per Work, not
// one per change. Each row carries the sequence of its newest write; a delivery removes the row only if
// that sequence is unchanged, so a write that raced with a delivery is delivered too.
//
// Why the uid: a report is about one incarnation of a Work. If the Work was deleted and re-created while
// the agent was offline, the Works informer (resumed on reconnection) shows the new uid and the old
// report is dropped instead of being written onto the new Work. (A merge patch cannot carry a uid
// precondition for a status write: kube's status strategies discard metadata.)
//
// Why this retry shape: after a failure one delivery probes, with exponential backoff and jitter, and
// new writes do not wake it early; a hundred agents coming back together do not storm the control plane.
// An event from the Works informer (the connection is back) shortens the wait to a random second.

import { pino, type Logger } from 'pino';
import type { Work } from '../../apis/work/v1alpha1/index.js';
import type { WorkStatusPatch, WorkStatusWriter } from '../../controllers/execution/statuswriter.js';
import { Backoff, sleep, type BackoffOptions } from '../../runtime/backoff.js';
import type { ObjectClient } from '../../runtime/client.js';
import { errText, type Informer } from '../../runtime/informer.js';
import { errorCode, isNotFound, StatusError } from '../../runtime/rest.js';
import { WORKS } from '../../util/clusterapi.js';
import { deepEqual } from '../../util/deepequal.js';
import type { AgentStore, OutboxRow } from './store.js';

export interface StatusOutboxOptions {
  store: AgentStore;
  /** Client of the control plane (the agent's identity). */
  client: ObjectClient;
  logger?: Logger;
  /** The agent's Works informer: reports for a Work re-created with another uid are dropped before sending. */
  works?: Informer<Work>;
  /** Deliveries in flight at once (default 8). */
  concurrency?: number;
  /** Retry delays after a failed delivery (default 500 ms doubling to 30 s, 50% jitter). */
  backoff?: BackoffOptions;
}

/** 'stale': dropped without asking the server (says nothing about the connection). */
type Outcome = 'delivered' | 'dropped' | 'stale' | { retryInMs: number };

export class StatusOutbox {
  private readonly store: AgentStore;
  private readonly log: Logger;
  /** In first-write order (a coalesced write keeps its place): Map iteration is oldest first. */
  private readonly entries = new Map<string, OutboxRow>();
  private readonly inflight = new Set<string>();
  private readonly backoff: Backoff;
  private readonly concurrency: number;
  private seq = 0;
  private lastAttemptFailed = false;
  private wake: (() => void) | undefined;
  private cutRetry: (() => void) | undefined;
  private running = false;

  constructor(private readonly opts: StatusOutboxOptions) {
    this.store = opts.store;
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'status-outbox' });
    this.backoff = new Backoff({ initialMs: 500, maxMs: 30_000, jitter: 0.5, ...opts.backoff });
    this.concurrency = Math.max(1, opts.concurrency ?? 8);
    for (const row of this.store.outboxRows()) {
      this.entries.set(row.key, row);
      this.seq = Math.max(this.seq, row.seq);
    }
    if (this.entries.size) this.log.info({ pending: this.entries.size }, 'status reports from an earlier run are waiting for delivery');
  }

  /** Persists and returns at once; delivery is asynchronous. Resolves false when the Work is known to be gone. */
  readonly write: WorkStatusWriter = async (work: Work, patch: WorkStatusPatch): Promise<boolean> => {
    const namespace = work.metadata?.namespace ?? '';
    const name = work.metadata?.name ?? '';
    const uid = work.metadata?.uid ?? '';
    const key = `${namespace}/${name}`;
    const works = this.opts.works;
    if (works?.hasSynced()) {
      const cur = works.indexer.getByName(name, namespace);
      if (!cur || (uid && cur.metadata?.uid && cur.metadata.uid !== uid)) return false;
    }
    const status: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(patch)) if (v !== undefined) status[k] = v;
    const prev = this.entries.get(key);
    const same = prev && prev.uid === uid;
    const merged = same ? { ...prev.status, ...status } : status;
    if (same && deepEqual(merged, prev.status)) return true;
    const seq = ++this.seq;
    const row: OutboxRow = { key, namespace, name, uid, seq, firstSeq: same ? prev.firstSeq : seq, status: structuredClone(merged) };
    // a report for another incarnation of the Work replaces the old one and queues behind the others
    if (prev && !same) this.entries.delete(key);
    this.entries.set(key, row);
    this.store.putOutboxRow(row);
    // wakes an idle loop only: a loop backing off after a failure waits its delay out regardless
    this.wake?.();
    return true;
  };

  /** Reports waiting for delivery. */
  pending(): number {
    return this.entries.size;
  }

  /** Delivers while the control plane answers, backing off with jitter while it does not; until signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.running) throw new Error('StatusOutbox.run is already running; run it once');
    this.running = true;
    const unsubscribe = this.opts.works?.addEventHandler({ onAdd: () => this.connected(), onUpdate: () => this.connected(), onDelete: () => this.connected() });
    const onStop = () => this.wake?.();
    signal.addEventListener('abort', onStop, { once: true });
    const active = new Set<Promise<void>>();
    let retryAt = 0;
    try {
      while (!signal.aborted) {
        if (retryAt > Date.now()) {
          if (active.size) {
            await Promise.race(active);
            continue;
          }
          await this.waitForRetry(retryAt - Date.now(), signal);
          retryAt = 0;
          continue;
        }
        // after a failure one delivery probes the way; full concurrency once one succeeds
        const limit = this.lastAttemptFailed ? 1 : this.concurrency;
        const row = active.size < limit ? this.nextRow() : undefined;
        if (!row) {
          if (signal.aborted) break;
          const woken = new Promise<void>((resolve) => (this.wake = resolve));
          await Promise.race([...active, woken]);
          this.wake = undefined;
          continue;
        }
        this.inflight.add(row.key);
        const p: Promise<void> = this.deliver(row)
          .then((outcome) => {
            if (outcome === 'stale') this.remove(row);
            else if (outcome === 'delivered' || outcome === 'dropped') {
              this.lastAttemptFailed = false;
              this.backoff.reset();
              this.remove(row);
            } else {
              this.lastAttemptFailed = true;
              retryAt = Math.max(retryAt, Date.now() + outcome.retryInMs);
            }
          })
          .finally(() => {
            this.inflight.delete(row.key);
            active.delete(p);
          });
        active.add(p);
      }
    } finally {
      await Promise.allSettled(active);
      signal.removeEventListener('abort', onStop);
      unsubscribe?.();
      this.running = false;
      this.wake = undefined;
    }
  }

  /** The oldest row not being delivered. */
  private nextRow(): OutboxRow | undefined {
    for (const row of this.entries.values()) if (!this.inflight.has(row.key)) return row;
    return undefined;
  }

  /** Removes a delivered (or dropped) row unless a newer write replaced it meanwhile. */
  private remove(sent: OutboxRow): void {
    const cur = this.entries.get(sent.key);
    if (!cur || cur.seq !== sent.seq) return;
    this.entries.delete(sent.key);
    if (!this.store.isClosed) this.store.deleteOutboxRow(sent.key);
  }

  private async deliver(row: OutboxRow): Promise<Outcome> {
    const cur = this.opts.works?.indexer.getByName(row.name, row.namespace);
    if (cur?.metadata?.uid && row.uid && cur.metadata.uid !== row.uid) {
      this.log.info({ work: row.key, uid: row.uid, currentUid: cur.metadata.uid }, 'dropping the status report of a work that was re-created');
      return 'stale';
    }
    try {
      await this.opts.client.resource<Work>(WORKS).patchStatus(row.name, { status: row.status }, { namespace: row.namespace });
      return 'delivered';
    } catch (err) {
      if (isNotFound(err)) {
        this.log.debug({ work: row.key }, 'work is gone; dropping its status report');
        return 'dropped';
      }
      const code = errorCode(err);
      // unreachable, overloaded or throttled: retry later; 401 too (the agent's certificate may be rotating)
      if (!(err instanceof StatusError) || code === undefined || code === 0 || code === 429 || code === 401 || code >= 500) {
        const retryAfterMs = ((err as StatusError).status?.details?.retryAfterSeconds ?? 0) * 1000;
        const retryInMs = Math.max(this.backoff.next(), retryAfterMs);
        this.log.debug({ work: row.key, err: errText(err), retryInMs }, 'status report not delivered; retrying');
        return { retryInMs };
      }
      this.log.warn({ work: row.key, code, err: errText(err) }, 'status report refused; dropping it');
      return 'dropped';
    }
  }

  /** Waits out a backoff; cut short by stop or by connected(). */
  private async waitForRetry(ms: number, signal: AbortSignal): Promise<void> {
    const cut = new AbortController();
    const onStop = () => cut.abort();
    signal.addEventListener('abort', onStop, { once: true });
    this.cutRetry = () => {
      // a random delay, so agents reconnected together do not probe together
      const early = Math.random() * 1000;
      if (early < ms) setTimeout(() => cut.abort(), early).unref();
    };
    try {
      await sleep(ms, cut.signal);
    } finally {
      this.cutRetry = undefined;
      signal.removeEventListener('abort', onStop);
    }
  }

  /** The Works informer received something: the control plane is reachable again. */
  private connected(): void {
    if (!this.lastAttemptFailed) return;
    const cut = this.cutRetry;
    this.cutRetry = undefined;
    cut?.();
  }
}
