#!/usr/bin/env node
// karmada: the all-in-one binary for one machine.
//   karmada server    karmada-apiserver + karmada-controller-manager controllers + karmada-scheduler in one process
//   karmada local-up  the same plus simulated members (Push, and Pull with karmada-agents), Ready, with kubeconfigs (npm start)

import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { describeError } from '../../pkg/karmadactl/util/factory.js';
import { karmadaKubeconfigPath, localUp, Stack, startServer, StoppedError } from '../../pkg/localup/localup.js';
import { levelForVerbosity, newLogger } from '../../pkg/util/logger.js';

const int = (flag: string, min: number, max = Number.MAX_SAFE_INTEGER) => (v: string) => {
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isInteger(n) || n < min || n > max) throw new Error(`invalid ${flag} "${v}": use a whole number from ${min} to ${max}`);
  return n;
};

interface CommonFlags {
  dataDir: string;
  port: number;
  v: number;
}

interface LocalUpFlags extends CommonFlags {
  members: number;
  pullMembers: number;
  edgeNodes: number;
  nodes: number;
  memberBasePort?: number;
}

const out = (line: string) => process.stdout.write(line.endsWith('\n') ? line : `${line}\n`);

function common(cmd: Command): Command {
  return cmd
    .option('--data-dir <dir>', 'directory for the PKI, the SQLite store and the kubeconfigs', '.karmada')
    .option('--port <port>', 'HTTPS port of the karmada-apiserver on 127.0.0.1', int('--port', 1, 65535), 5443)
    .addOption(new Option('--v <level>', 'log verbosity (klog-style); logs go to stderr (default level: warn, or $LOG_LEVEL)').argParser(int('--v', 0, 10)).default(0));
}

/** Runs `start` in the foreground until SIGINT/SIGTERM; everything on the stack is stopped on the way out. */
async function foreground(name: string, flags: CommonFlags, start: (stack: Stack, dataDir: string, logger: ReturnType<typeof newLogger>) => Promise<void>): Promise<void> {
  const logger = newLogger(`karmada-${name}`, flags.v ? levelForVerbosity(flags.v) : (process.env.LOG_LEVEL ?? 'warn'));
  const stack = new Stack(logger);
  let signalled = false;
  const shutdown = (signal: string) => {
    if (signalled) return;
    signalled = true;
    out(`${signal}: stopping...`);
    setTimeout(() => {
      process.stderr.write(`karmada ${name}: did not stop within 15s, exiting\n`);
      process.exit(1);
    }, 15_000).unref();
    stack.stop().then(
      () => {
        out('stopped');
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  try {
    await start(stack, path.resolve(flags.dataDir), logger);
  } catch (err) {
    if (err instanceof StoppedError || signalled) return; // the signal handler exits
    await stack.stop();
    throw err;
  }
}

const program = new Command('karmada')
  .description('Karmada on one machine: the control plane (and simulated members) in one process.')
  .showSuggestionAfterError(false)
  .exitOverride()
  .configureOutput({ outputError: (str, write) => write(`karmada: ${str.replace(/^error: /, '').split('\n')[0]}\n`) });

program.addCommand(
  common(new Command('server'))
    .description('Run karmada-apiserver, the karmada-controller-manager controllers and karmada-scheduler in one process.')
    .showSuggestionAfterError(false)
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(`karmada server: ${str.replace(/^error: /, '').split('\n')[0]}\n`) })
    .action(async (flags: CommonFlags) => {
      await foreground('server', flags, async (stack, dataDir, logger) => {
        await startServer(stack, { dataDir, port: flags.port, logger, progress: out });
        out(`\nKarmada control plane is ready on https://127.0.0.1:${flags.port}.\n\n  export KUBECONFIG=${karmadaKubeconfigPath(dataDir)}\n  kubectl get clusters\n\nPress Ctrl+C to stop.`);
      });
    }),
);

program.addCommand(
  common(new Command('local-up'))
    .description('Run the control plane and simulated member clusters (kube-sim), join them (Push) or register them with their agents (Pull) and wait until they are Ready.')
    .option('--members <n>', 'Push members member1..N', int('--members', 0, 100), 2)
    .option('--pull-members <n>', 'Pull members after the Push ones, registered with a bootstrap token and run by a karmada-agent each', int('--pull-members', 0, 100), 0)
    .option('--edge-nodes <n>', 'KubeEdge edge nodes (and the Device CRDs) in each Pull member', int('--edge-nodes', 0, 1000), 0)
    .option('--nodes <n>', 'simulated nodes per member', int('--nodes', 0, 10_000), 3)
    .option('--member-base-port <port>', 'port of member1 (member i: base+i-1; default: free ports)', int('--member-base-port', 1, 65535))
    .showSuggestionAfterError(false)
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(`karmada local-up: ${str.replace(/^error: /, '').split('\n')[0]}\n`) })
    .addHelpText(
      'after',
      `
Writes DATA_DIR/karmada.config (context karmada-apiserver) and DATA_DIR/members.config (a context per
member, named after it) and runs in the foreground until Ctrl+C. Restarting with the same data dir keeps
the control plane's objects and the members already joined.`,
    )
    .action(async (flags: LocalUpFlags) => {
      await foreground('local-up', flags, async (stack, dataDir, logger) => {
        await localUp(stack, {
          dataDir,
          port: flags.port,
          members: flags.members,
          pullMembers: flags.pullMembers,
          edgeNodes: flags.edgeNodes,
          nodes: flags.nodes,
          memberBasePort: flags.memberBasePort,
          logger,
          progress: out,
        });
      });
    }),
);

program.parseAsync().catch((err: unknown) => {
  if (err instanceof CommanderError) process.exit(err.exitCode); // already printed (help/version exit 0)
  const sub = process.argv[2] === 'server' || process.argv[2] === 'local-up' ? ` ${process.argv[2]}` : '';
  process.stderr.write(`karmada${sub}: ${describeError(err).replace(/\n/g, ' ')}\n`);
  process.exit(1);
});
