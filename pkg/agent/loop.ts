// The agent's periodic loops (registration, lease, cluster status, certificate rotation) share one
// shape: run a step, wait, repeat until stopped. A failing step is retried with exponential backoff and
// jitter (so a hundred agents coming back together do not hit the control plane in step), and a failure
// is logged when it starts, when its message changes and when it ends, not on every retry.

import type { Logger } from 'pino';
import { Backoff, sleep, type BackoffOptions } from '../runtime/backoff.js';
import { errText } from '../runtime/informer.js';

export interface LoopOptions {
  /** Name in the logs, e.g. "lease". */
  name: string;
  logger: Logger;
  /** Delay between successful steps; a step may return its own delay instead. */
  intervalMs: number;
  /** Retry delays after a failed step (default 500 ms doubling to 30 s, 50% jitter). */
  backoff?: BackoffOptions;
  /** Spread of the first step (random delay in [0, initialJitterMs)); default none. */
  initialJitterMs?: number;
}

/** What a step may answer: 'done' ends the loop, a number is the delay before the next step. */
export type StepResult = void | number | 'done';

/** Tracks a repeated failure so it is logged on change only (start, new message, recovery). */
export class FailureLog {
  private last: string | undefined;
  private count = 0;

  constructor(
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  failed(err: unknown, extra: Record<string, unknown> = {}): void {
    const text = errText(err);
    this.count++;
    if (text === this.last) {
      this.logger.debug({ ...extra, err: text, failures: this.count }, `${this.what} still failing`);
      return;
    }
    this.last = text;
    this.logger.warn({ ...extra, err: text, failures: this.count }, `${this.what} failed; retrying with backoff`);
  }

  succeeded(extra: Record<string, unknown> = {}): void {
    if (this.last === undefined) return;
    this.logger.info({ ...extra, failures: this.count }, `${this.what} works again`);
    this.last = undefined;
    this.count = 0;
  }

  get failing(): boolean {
    return this.last !== undefined;
  }
}

/** Runs step until the signal aborts (or step answers 'done'); never throws. */
export async function runLoop(opts: LoopOptions, step: (signal: AbortSignal) => Promise<StepResult>, signal: AbortSignal): Promise<void> {
  const backoff = new Backoff({ initialMs: 500, maxMs: 30_000, jitter: 0.5, ...opts.backoff });
  const failures = new FailureLog(opts.logger, opts.name);
  if (opts.initialJitterMs) await sleep(Math.random() * opts.initialJitterMs, signal);
  while (!signal.aborted) {
    let delay: number;
    try {
      const r = await step(signal);
      if (r === 'done') return;
      failures.succeeded();
      backoff.reset();
      delay = typeof r === 'number' ? r : opts.intervalMs;
    } catch (err) {
      if (signal.aborted) return;
      failures.failed(err);
      delay = backoff.next();
    }
    await sleep(delay, signal);
  }
}
