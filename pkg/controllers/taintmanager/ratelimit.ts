// Eviction rate limiting, after Kubernetes' node lifecycle controller: evictions take tokens from a
// bucket filled at --cluster-eviction-rate per second; when a large share of the fleet is unhealthy
// (likely a control-plane network problem rather than failing clusters) the rate drops to
// --cluster-secondary-eviction-rate for a large fleet, and to zero for a small one, so a flapping
// network cannot move every workload off every cluster.

export interface EvictionRateOptions {
  /** --cluster-eviction-rate: evictions per second while the fleet is healthy (default 0.5). */
  evictionRate: number;
  /** --cluster-secondary-eviction-rate: evictions per second when the fleet is largely unhealthy (default 0.1). */
  secondaryEvictionRate: number;
  /** --cluster-unhealthy-threshold: share of unhealthy clusters that counts as a disruption (default 0.55). */
  unhealthyClusterThreshold: number;
  /** --cluster-large-threshold: above this many clusters a disrupted fleet still evicts at the secondary rate (default 10). */
  largeClusterThreshold: number;
}

export const DEFAULT_EVICTION_RATE_OPTIONS: EvictionRateOptions = {
  evictionRate: 0.5,
  secondaryEvictionRate: 0.1,
  unhealthyClusterThreshold: 0.55,
  largeClusterThreshold: 10,
};

/** The eviction rate (per second) for a fleet of total clusters of which unhealthy are not Ready. */
export function evictionRateFor(total: number, unhealthy: number, opts: EvictionRateOptions = DEFAULT_EVICTION_RATE_OPTIONS): number {
  if (total === 0 || unhealthy / total < opts.unhealthyClusterThreshold) return opts.evictionRate;
  return total > opts.largeClusterThreshold ? opts.secondaryEvictionRate : 0;
}

/** A token bucket with burst 1 (flowcontrol.NewTokenBucketRateLimiter(qps, 1)); time is passed in. */
export class TokenBucket {
  private tokens: number;
  private last: number | undefined;

  constructor(
    private ratePerSecond: number,
    private readonly burst = 1,
  ) {
    this.tokens = burst;
  }

  get rate(): number {
    return this.ratePerSecond;
  }

  setRate(ratePerSecond: number, now: number): void {
    if (ratePerSecond === this.ratePerSecond) return;
    this.refill(now);
    this.ratePerSecond = ratePerSecond;
  }

  private refill(now: number): void {
    if (this.last !== undefined && now > this.last) this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
  }

  /** Takes a token when one is available; rate 0 accepts nothing, not even a saved token. */
  tryAccept(now: number): boolean {
    this.refill(now);
    if (this.ratePerSecond <= 0) return false;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }

  /** Milliseconds until a token is available (undefined at rate 0: never). */
  waitMs(now: number): number | undefined {
    this.refill(now);
    if (this.ratePerSecond <= 0) return undefined;
    if (this.tokens >= 1) return 0;
    return Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000);
  }
}
