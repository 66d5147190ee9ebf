// The scheduling queue (Karmada pkg/scheduler/internal/queue, after kube-scheduler's): binding keys ordered by
// spec.schedulePriority.priority (higher first), then first-in first-out. Next to the active queue:
//  - backoff: keys whose attempt failed (API errors, scheduler errors) come back after 1 s, 2 s, … 10 s;
//  - unschedulable: keys whose clusters could not hold the replicas wait until clusters change
//    (moveAllToActive) or, at the latest, the flush interval (5 min).
// A key is never handed to two workers at once; one added while being worked on comes back when done.

export interface SchedulingQueueOptions {
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long a key may sit in the unschedulable pool without a cluster event (default 5 min). */
  unschedulableFlushMs?: number;
  now?: () => number;
}

interface Entry {
  key: string;
  priority: number;
  seq: number;
}

export class SchedulingQueue {
  private readonly heap: Entry[] = [];
  /** key → its live heap entry (entries no longer in this map are skipped when popped) */
  private readonly active = new Map<string, Entry>();
  private readonly processing = new Set<string>();
  /** keys added while processing, with the priority they were added with */
  private readonly dirty = new Map<string, number>();
  private readonly backoff = new Map<string, { timer: NodeJS.Timeout; priority: number }>();
  private readonly unschedulable = new Map<string, { since: number; priority: number }>();
  private readonly attempts = new Map<string, number>();
  private waiters: (() => void)[] = [];
  private seq = 0;
  private closed = false;
  private readonly flushTimer: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(private readonly opts: SchedulingQueueOptions = {}) {
    this.now = opts.now ?? Date.now;
    const flushMs = opts.unschedulableFlushMs ?? 300_000;
    this.flushTimer = setInterval(() => this.flushUnschedulable(), Math.max(10, Math.min(30_000, flushMs / 2)));
    this.flushTimer.unref();
  }

  /** Queues a key for scheduling now (a watch event: the binding or its clusters changed). */
  add(key: string, priority = 0): void {
    if (this.closed) return;
    if (this.processing.has(key)) {
      this.dirty.set(key, Math.max(priority, this.dirty.get(key) ?? priority));
      return;
    }
    this.cancelWaiting(key);
    const cur = this.active.get(key);
    if (cur && cur.priority >= priority) return;
    // a higher priority than queued: re-insert (the old entry becomes stale), keeping its place among equals
    const entry: Entry = { key, priority, seq: cur?.seq ?? this.seq++ };
    this.active.set(key, entry);
    this.push(entry);
    this.wake();
  }

  /** After a failed attempt: back off exponentially per key before trying again. */
  addBackoff(key: string, priority = 0): void {
    // changed while being worked on: done() retries it at once, which beats waiting
    if (this.closed || this.active.has(key) || this.backoff.has(key) || this.dirty.has(key)) return;
    const n = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, n);
    const delay = Math.min(this.opts.maxBackoffMs ?? 10_000, (this.opts.initialBackoffMs ?? 1000) * 2 ** (n - 1));
    const timer = setTimeout(() => {
      this.backoff.delete(key);
      this.add(key, priority);
    }, delay);
    timer.unref();
    this.backoff.set(key, { timer, priority });
  }

  /** After an attempt that found no room: wait for a cluster change. */
  addUnschedulable(key: string, priority = 0): void {
    if (this.closed || this.active.has(key) || this.backoff.has(key) || this.dirty.has(key)) return;
    this.attempts.set(key, (this.attempts.get(key) ?? 0) + 1);
    this.unschedulable.set(key, { since: this.now(), priority });
  }

  /** Clusters changed: every unschedulable key gets another try. */
  moveAllToActive(): void {
    const keys = [...this.unschedulable];
    this.unschedulable.clear();
    for (const [key, { priority }] of keys) this.add(key, priority);
  }

  /** Success or the key is gone: forget its failures. */
  forget(key: string): void {
    this.attempts.delete(key);
  }

  /** Drops a key wherever it waits (the binding was deleted). */
  delete(key: string): void {
    this.cancelWaiting(key);
    this.active.delete(key);
    this.dirty.delete(key);
    this.attempts.delete(key);
  }

  numAttempts(key: string): number {
    return this.attempts.get(key) ?? 0;
  }

  /** Keys ready to be worked on. */
  get length(): number {
    return this.active.size;
  }

  get pending(): { active: number; backoff: number; unschedulable: number } {
    return { active: this.active.size, backoff: this.backoff.size, unschedulable: this.unschedulable.size };
  }

  /** The next key by priority, then age; undefined once shut down. Call done(key) afterwards. */
  async get(): Promise<string | undefined> {
    for (;;) {
      if (this.closed) return undefined;
      const entry = this.pop();
      if (entry) {
        this.processing.add(entry.key);
        return entry.key;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  done(key: string): void {
    this.processing.delete(key);
    const p = this.dirty.get(key);
    if (p !== undefined) {
      this.dirty.delete(key);
      this.add(key, p);
    }
  }

  shutDown(): void {
    this.closed = true;
    clearInterval(this.flushTimer);
    for (const { timer } of this.backoff.values()) clearTimeout(timer);
    this.backoff.clear();
    this.wake();
  }

  private flushUnschedulable(): void {
    const limit = this.now() - (this.opts.unschedulableFlushMs ?? 300_000);
    for (const [key, { since, priority }] of [...this.unschedulable]) {
      if (since > limit) continue;
      this.unschedulable.delete(key);
      this.add(key, priority);
    }
  }

  private cancelWaiting(key: string): void {
    const b = this.backoff.get(key);
    if (b) {
      clearTimeout(b.timer);
      this.backoff.delete(key);
    }
    this.unschedulable.delete(key);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  // ---- binary heap of entries: priority desc, then seq asc ----

  private before(a: Entry, b: Entry): boolean {
    return a.priority !== b.priority ? a.priority > b.priority : a.seq < b.seq;
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): Entry | undefined {
    const h = this.heap;
    while (h.length) {
      const top = h[0]!;
      const last = h.pop()!;
      if (h.length) {
        h[0] = last;
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          if (l >= h.length) break;
          const r = l + 1;
          const best = r < h.length && this.before(h[r]!, h[l]!) ? r : l;
          if (!this.before(h[best]!, h[i]!)) break;
          [h[i], h[best]] = [h[best]!, h[i]!];
          i = best;
        }
      }
      if (this.active.get(top.key) === top) {
        this.active.delete(top.key);
        return top;
      }
    }
    return undefined;
  }
}
