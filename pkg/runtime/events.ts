// A small event recorder (client-go's record.EventRecorder): writes core/v1 Events about an object so
// `kubectl describe` tells the story. Repeats of the same (object, type, reason, message) within the
// correlation window bump count/lastTimestamp instead of creating new Events. Failures are logged, never
// thrown: events are best-effort.

import { randomBytes } from 'node:crypto';
import { pino, type Logger } from 'pino';
import type { ObjectClient } from './client.js';
import { EVENTS } from './gvr.js';
import { isNotFound } from './rest.js';
import { metaTime, type KubeObject } from './types.js';

export type EventType = 'Normal' | 'Warning';

interface Recorded {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
  at: number;
}

export interface EventRecorderOptions {
  client: ObjectClient;
  /** source.component, e.g. resource-detector. */
  component: string;
  logger?: Logger;
  /** Repeats within this window are folded into one Event (default 10 min). */
  correlationWindowMs?: number;
  /** Bound on remembered events (default 4096). */
  maxRemembered?: number;
}

export class EventRecorder {
  private readonly seen = new Map<string, Recorded>();
  private readonly log: Logger;

  constructor(private readonly opts: EventRecorderOptions) {
    this.log = opts.logger ?? pino({ level: 'silent' });
  }

  /** Records an event; resolves when written (or given up). */
  async event(obj: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const md = obj.metadata ?? {};
    // Events of cluster-scoped objects live in "default", as in Kubernetes.
    const namespace = md.namespace || 'default';
    const key = [obj.apiVersion, obj.kind, md.namespace ?? '', md.name, md.uid ?? '', type, reason, message].join('\u0000');
    const now = metaTime();
    const prev = this.seen.get(key);
    const events = this.opts.client.resource(EVENTS);
    try {
      if (prev && Date.now() - prev.at < (this.opts.correlationWindowMs ?? 600_000)) {
        prev.count++;
        prev.at = Date.now();
        try {
          await events.patch(prev.name, { count: prev.count, lastTimestamp: now }, { namespace: prev.namespace, type: 'merge' });
          return;
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
      const name = `${md.name}.${Date.now().toString(16)}${randomBytes(2).toString('hex')}`;
      await events.create({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: { apiVersion: obj.apiVersion, kind: obj.kind, namespace: md.namespace, name: md.name, uid: md.uid, resourceVersion: md.resourceVersion },
        type,
        reason,
        message,
        source: { component: this.opts.component },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        reportingComponent: this.opts.component,
      } as KubeObject);
      this.remember(key, { name, namespace, count: 1, firstTimestamp: now, at: Date.now() });
    } catch (err) {
      this.log.debug({ err: String(err), reason, object: `${obj.kind}/${md.namespace ?? ''}/${md.name}` }, 'cannot record event');
    }
  }

  /** Fire-and-forget form for reconcile loops. */
  emit(obj: KubeObject, type: EventType, reason: string, message: string): void {
    void this.event(obj, type, reason, message);
  }

  private remember(key: string, r: Recorded): void {
    this.seen.set(key, r);
    const max = this.opts.maxRemembered ?? 4096;
    if (this.seen.size > max) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }
}
