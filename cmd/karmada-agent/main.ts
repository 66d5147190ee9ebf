#!/usr/bin/env node
// karmada-agent: the agent of a Pull-mode member cluster (see pkg/agent/agent.ts).

import { Registry } from 'prom-client';
import { runAgent } from '../../pkg/agent/agent.js';
import { agentOptionsFromFlags, newAgentCommand } from '../../pkg/agent/options.js';
import { levelForVerbosity, newLogger } from '../../pkg/util/logger.js';
import { startMetricsServer } from '../../pkg/util/metrics.js';

const program = newAgentCommand(async (flags) => {
  // --log-level, else -v, else $LOG_LEVEL (tests and scripts), else info
  const logger = newLogger('karmada-agent', flags.logLevel ?? (flags.v ? levelForVerbosity(flags.v) : (process.env.LOG_LEVEL ?? 'info')));
  const { options, ignoredControllers } = agentOptionsFromFlags(flags, logger);
  if (ignoredControllers.length) logger.info({ controllers: ignoredControllers }, 'these upstream agent controllers are not implemented here and do not run');
  const stop = new AbortController();
  const shutdown = (signal: string) => {
    if (stop.signal.aborted) return;
    logger.info({ signal }, 'shutting down');
    stop.abort();
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  let started = false;
  const metricsServer =
    flags.metricsBindAddress && flags.metricsBindAddress !== '0' ? await startMetricsServer({ bindAddress: flags.metricsBindAddress, registry: new Registry(), ready: () => started }) : undefined;
  if (metricsServer) logger.info({ address: metricsServer.address }, 'serving /metrics, /healthz and /readyz');
  await runAgent({ ...options, onStarted: () => (started = true) }, stop.signal);
  await metricsServer?.close();
  process.exit(0);
});

program.parseAsync().catch((err: Error) => {
  process.stderr.write(`karmada-agent: ${err.message}\n`);
  process.exit(1);
});
