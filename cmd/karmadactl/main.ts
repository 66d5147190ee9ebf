#!/usr/bin/env node
// karmadactl: the command-line client of the Karmada control plane.

import { Command, CommanderError } from 'commander';
import { cordonCommand, uncordonCommand } from '../../pkg/karmadactl/cordon/cordon.js';
import { getCommand } from '../../pkg/karmadactl/get/get.js';
import { interpretCommand } from '../../pkg/karmadactl/interpret/interpret.js';
import { joinCommand } from '../../pkg/karmadactl/join/join.js';
import { registerCommand } from '../../pkg/karmadactl/register/register.js';
import { taintCommand } from '../../pkg/karmadactl/taint/taint.js';
import { tokenCommand } from '../../pkg/karmadactl/token/token.js';
import { unjoinCommand } from '../../pkg/karmadactl/unjoin/unjoin.js';
import { unregisterCommand } from '../../pkg/karmadactl/unregister/unregister.js';
import { describeError } from '../../pkg/karmadactl/util/factory.js';

const program = new Command('karmadactl')
  .description('karmadactl controls a Karmada control plane.')
  .option('--kubeconfig <file>', 'path to the kubeconfig of the karmada control plane (default: $KUBECONFIG or ~/.kube/config)')
  .option('--context <name>', 'the kubeconfig context to use')
  .showSuggestionAfterError(true)
  .exitOverride()
  .configureOutput({ outputError: (str, write) => write(str.startsWith('error: ') ? str : `error: ${str.charAt(0).toLowerCase()}${str.slice(1)}`) });

for (const make of [getCommand, joinCommand, unjoinCommand, tokenCommand, registerCommand, unregisterCommand, cordonCommand, uncordonCommand, taintCommand, interpretCommand]) {
  program.addCommand(make().exitOverride().configureOutput({ outputError: (str, write) => write(str) }));
}

program.parseAsync().catch((err: unknown) => {
  if (err instanceof CommanderError) {
    // help and version exit 0; usage errors were already printed by commander
    process.exit(err.exitCode);
  }
  process.stderr.write(`error: ${describeError(err).replace(/\n/g, ' ')}\n`);
  process.exit(1);
});
