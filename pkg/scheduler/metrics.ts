// karmada-scheduler's Prometheus metrics, named as upstream's (pkg/scheduler/metrics): scheduling attempts
// by result, end-to-end and algorithm latency, incoming bindings, and the pending queue depth.

import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export type ScheduleResultLabel = 'scheduled' | 'unschedulable' | 'error';

const LATENCY_BUCKETS = [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384];

export class SchedulerMetrics {
  readonly registry: Registry;
  private readonly attempts: Counter<'result' | 'schedule_type'>;
  private readonly e2e: Histogram<'result' | 'schedule_type'>;
  private readonly algorithm: Histogram<'schedule_step'>;
  private readonly incoming: Counter<'event'>;

  constructor(pending: () => { active: number; backoff: number; unschedulable: number }, registry = new Registry()) {
    this.registry = registry;
    this.attempts = new Counter({
      name: 'karmada_scheduler_schedule_attempts_total',
      help: 'Number of attempts to schedule a binding, by result and schedule type.',
      labelNames: ['result', 'schedule_type'],
      registers: [registry],
    });
    this.e2e = new Histogram({
      name: 'karmada_scheduler_e2e_scheduling_duration_seconds',
      help: 'Scheduling latency in seconds: the algorithm plus writing the result.',
      labelNames: ['result', 'schedule_type'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    });
    this.algorithm = new Histogram({
      name: 'karmada_scheduler_scheduling_algorithm_duration_seconds',
      help: 'Scheduling algorithm latency in seconds (filter, score, select, assign).',
      labelNames: ['schedule_step'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    });
    this.incoming = new Counter({
      name: 'karmada_scheduler_queue_incoming_bindings_total',
      help: 'Number of bindings added to the scheduling queue, by the event that added them.',
      labelNames: ['event'],
      registers: [registry],
    });
    new Gauge({
      name: 'karmada_scheduler_pending_bindings',
      help: 'Bindings waiting in the scheduling queue, by sub-queue (active, backoff, unschedulable).',
      labelNames: ['queue'],
      registers: [registry],
      collect() {
        const p = pending();
        this.set({ queue: 'active' }, p.active);
        this.set({ queue: 'backoff' }, p.backoff);
        this.set({ queue: 'unschedulable' }, p.unschedulable);
      },
    });
  }

  attempt(result: ScheduleResultLabel, scheduleType: string, seconds: number): void {
    this.attempts.inc({ result, schedule_type: scheduleType });
    this.e2e.observe({ result, schedule_type: scheduleType }, seconds);
  }

  algorithmStep(seconds: number): void {
    this.algorithm.observe({ schedule_step: 'Schedule' }, seconds);
  }

  incomingBinding(event: string): void {
    this.incoming.inc({ event });
  }
}
