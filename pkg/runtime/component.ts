// What every control-plane component does before its real work: wait for the API server, then run as
// the elected leader of a Lease (or directly, with leader election off). Shared by
// karmada-controller-manager and karmada-scheduler.

import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import { sleep } from './backoff.js';
import type { ObjectClient } from './client.js';
import { NAMESPACES } from './gvr.js';
import { errText } from './informer.js';
import { LeaderElector } from './leaderelection.js';
import { isAlreadyExists, isForbidden } from './rest.js';

export interface LeaderElectionSettings {
  enabled: boolean;
  namespace: string;
  name: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

/** Polls /version until the server answers or the signal aborts. */
export async function waitForServer(client: ObjectClient, logger: Logger, signal: AbortSignal): Promise<void> {
  for (let attempt = 0; !signal.aborted; attempt++) {
    try {
      await client.rest.request({ path: '/version', timeoutMs: 5000 });
      return;
    } catch (err) {
      if (attempt % 10 === 0) logger.warn({ server: client.rest.server, err: errText(err) }, 'waiting for the karmada-apiserver');
      await sleep(Math.min(2000, 200 * (attempt + 1)), signal);
    }
  }
}

async function ensureNamespace(client: ObjectClient, name: string, logger: Logger): Promise<void> {
  try {
    await client.resource(NAMESPACES).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  } catch (err) {
    if (isAlreadyExists(err) || isForbidden(err)) return; // forbidden: assume it exists; the lease calls will tell
    logger.warn({ namespace: name, err: errText(err) }, 'cannot create the leader election namespace');
  }
}

/**
 * Waits for the server, then runs `run` until the signal aborts: directly, or while holding the Lease.
 * Resolves 'stopped' after a requested stop and 'lost' when leadership was lost (the caller should exit:
 * a fresh process campaigns again).
 */
export async function runElected(
  opts: { client: ObjectClient; logger: Logger; leaderElection: LeaderElectionSettings },
  run: (signal: AbortSignal) => Promise<void>,
  signal: AbortSignal,
): Promise<'stopped' | 'lost'> {
  const { client, logger, leaderElection: le } = opts;
  // every controller, informer and queue listens for the stop: dozens of listeners are expected
  setMaxListeners(0, signal);
  await waitForServer(client, logger, signal);
  if (signal.aborted) return 'stopped';
  if (!le.enabled) {
    await run(signal);
    return 'stopped';
  }
  await ensureNamespace(client, le.namespace, logger);
  let running: Promise<void> | undefined;
  const elector = new LeaderElector({
    client,
    namespace: le.namespace,
    name: le.name,
    leaseDurationMs: le.leaseDurationMs,
    renewDeadlineMs: le.renewDeadlineMs,
    retryPeriodMs: le.retryPeriodMs,
    logger,
    onStartedLeading: (leaderSignal) => {
      setMaxListeners(0, leaderSignal);
      running = run(leaderSignal);
    },
    onNewLeader: (id) => logger.info({ leader: id }, 'new leader elected'),
  });
  logger.info({ lease: `${le.namespace}/${le.name}`, identity: elector.identity }, 'attempting to acquire the leader lease');
  await elector.run(signal);
  await running;
  return signal.aborted ? 'stopped' : 'lost';
}
