// karmadactl interpret: validate and try out ResourceInterpreterCustomizations locally before applying
// them to the control plane (Karmada's pkg/karmadactl/interpret): `--check` compiles every rule,
// `--operation` runs one rule against objects read from files, printing the results as YAML.

import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError } from 'commander';
import { parseAllDocuments, stringify } from 'yaml';
import { CUSTOMIZATION_OPERATIONS, type CustomizationRuleName, type ResourceInterpreterCustomization } from '../../apis/config/v1alpha1/index.js';
import type { AggregatedStatusItem } from '../../apis/work/v1alpha2/index.js';
import type { KubeObject } from '../../runtime/types.js';
import { CustomizedInterpreter, RULES, customizationName, findCustomization } from '../../resourceinterpreter/customized/customization.js';
import { kubeLibrary } from '../../resourceinterpreter/customized/kube.js';
import { LuaVM } from '../../resourceinterpreter/customized/luavm.js';
import type { InterpreterOperation } from '../../resourceinterpreter/interface.js';
import { CommandError, stdio, type IO } from '../util/factory.js';

/** Operations in Karmada's rule order (AllResourceInterpreterCustomizationRules). */
export const OPERATIONS: InterpreterOperation[] = ['Retain', 'InterpretReplica', 'ReviseReplica', 'InterpretStatus', 'AggregateStatus', 'InterpretHealth', 'InterpretDependency'];

/** The Lua function each rule must define (componentResource is checked too, though not run here). */
const RULE_FUNCTIONS: Record<CustomizationRuleName, string> = {
  retention: 'Retain',
  replicaResource: 'GetReplicas',
  componentResource: 'GetComponents',
  replicaRevision: 'ReviseReplica',
  statusReflection: 'ReflectStatus',
  statusAggregation: 'AggregateStatus',
  healthInterpretation: 'InterpretHealth',
  dependencyInterpretation: 'GetDependencies',
};

const RIC_API_VERSION = 'config.karmada.io/v1alpha1';
const RIC_KIND = 'ResourceInterpreterCustomization';

export interface InterpretOptions {
  /** Files with ResourceInterpreterCustomizations ("-" reads stdin). */
  filenames: string[];
  operation?: string;
  check?: boolean;
  desiredFile?: string;
  observedFile?: string;
  /** AggregatedStatusItems, one per YAML document or as a list. */
  statusFile?: string;
  desiredReplica?: number;
  timeoutMs?: number;
  io?: IO;
  /** Reads a file (tests); "-" is stdin. */
  readFile?: (path: string) => Promise<string>;
}

async function defaultRead(path: string): Promise<string> {
  if (path !== '-') return readFile(path, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Every YAML/JSON document of a file, flattening `kind: List`. */
async function readDocuments(path: string, read: (p: string) => Promise<string>): Promise<unknown[]> {
  let text: string;
  try {
    text = await read(path);
  } catch (err) {
    throw new CommandError(`cannot read ${path}: ${(err as Error).message}`);
  }
  const docs: unknown[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw new CommandError(`cannot parse ${path}: ${doc.errors[0]!.message.split('\n')[0]}`);
    const v = doc.toJSON() as unknown;
    if (v === null || v === undefined) continue;
    const list = v as { kind?: string; items?: unknown[] };
    if (typeof v === 'object' && !Array.isArray(v) && typeof list.kind === 'string' && list.kind.endsWith('List') && Array.isArray(list.items)) docs.push(...list.items);
    else docs.push(v);
  }
  return docs;
}

async function readCustomizations(filenames: string[], read: (p: string) => Promise<string>): Promise<ResourceInterpreterCustomization[]> {
  if (!filenames.length) throw new CommandError('must specify -f/--filename with the ResourceInterpreterCustomization(s) to interpret');
  const rics: ResourceInterpreterCustomization[] = [];
  for (const f of filenames) {
    for (const doc of await readDocuments(f, read)) {
      const o = doc as KubeObject;
      if (typeof o !== 'object' || o === null || o.apiVersion !== RIC_API_VERSION || o.kind !== RIC_KIND) {
        throw new CommandError(`${f}: not a ResourceInterpreterCustomization, got ${(o as KubeObject)?.apiVersion ?? ''}, Kind=${(o as KubeObject)?.kind ?? ''}`);
      }
      rics.push(o as ResourceInterpreterCustomization);
    }
  }
  if (!rics.length) throw new CommandError(`no ResourceInterpreterCustomization found in ${filenames.join(', ')}`);
  return rics;
}

async function readObject(path: string | undefined, what: string, read: (p: string) => Promise<string>): Promise<KubeObject | undefined> {
  if (!path) return undefined;
  const docs = await readDocuments(path, read);
  if (docs.length !== 1) throw new CommandError(`${what} ${path}: get ${docs.length} objects, expect one`);
  const obj = docs[0];
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new CommandError(`${what} ${path}: not an object`);
  return obj as KubeObject;
}

async function readStatusItems(path: string | undefined, read: (p: string) => Promise<string>): Promise<AggregatedStatusItem[]> {
  if (!path) return [];
  const items: AggregatedStatusItem[] = [];
  for (const doc of await readDocuments(path, read)) {
    for (const item of Array.isArray(doc) ? doc : [doc]) {
      if (typeof item !== 'object' || item === null || typeof (item as AggregatedStatusItem).clusterName !== 'string') {
        throw new CommandError(`status file ${path}: every item must be an AggregatedStatusItem with a clusterName`);
      }
      items.push(item as AggregatedStatusItem);
    }
  }
  return items;
}

/** The operation named case-insensitively, as upstream's Rules.GetByOperation. */
export function parseOperation(op: string): InterpreterOperation {
  const found = OPERATIONS.find((o) => o.toLowerCase() === op.toLowerCase());
  if (!found) throw new CommandError(`operation ${op} is not supported. Use one of: ${OPERATIONS.join(', ')}`);
  return found;
}

/** YAML as sigs.k8s.io/yaml writes it: keys sorted, sequences not indented. */
export function toYaml(v: unknown): string {
  return stringify(v === undefined ? null : v, { sortMapEntries: true, indentSeq: false, lineWidth: 0 });
}

function printResults(io: IO, results: [string, unknown][]): void {
  results.forEach(([name, value], i) => {
    io.out('---');
    io.out(`# [${i + 1}/${results.length}] ${name}:`);
    io.out(toYaml(value).trimEnd());
  });
}

/** --check: compiles every rule of every customization; fails when any rule does not compile. */
async function runCheck(rics: ResourceInterpreterCustomization[], io: IO, timeoutMs?: number): Promise<void> {
  const rules = Object.keys(CUSTOMIZATION_OPERATIONS) as CustomizationRuleName[];
  const width = Math.max(...rules.map((r) => CUSTOMIZATION_OPERATIONS[r].length)) + 1;
  let failed = 0;
  for (const ric of rics) {
    io.out('-----------------------------------');
    io.out(`SOURCE: ${customizationName(ric)}`);
    const { apiVersion, kind } = ric.spec?.target ?? ({} as { apiVersion?: string; kind?: string });
    if (!kind) {
      failed++;
      io.out('target.kind no set');
      continue;
    }
    if (!apiVersion) {
      failed++;
      io.out('target.apiVersion no set');
      continue;
    }
    io.out(`TARGET: ${apiVersion} ${kind}`);
    io.out('RULERS:');
    for (const rule of rules) {
      const label = `    ${`${CUSTOMIZATION_OPERATIONS[rule]}:`.padEnd(width)}   `;
      const script = ric.spec?.customizations?.[rule]?.luaScript ?? '';
      if (!script) {
        io.out(`${label}UNSET`);
        continue;
      }
      const vm = await LuaVM.create({ timeoutMs, libraries: { kube: kubeLibrary } });
      try {
        vm.compile(rule, script, RULE_FUNCTIONS[rule]);
        io.out(`${label}PASS`);
      } catch (err) {
        failed++;
        io.out(`${label}ERROR: ${(err as Error).message.trim()}`);
      } finally {
        vm.close();
      }
    }
  }
  if (failed) throw new CommandError(`${failed} rule(s) failed the check`);
}

/** Runs one rule as Karmada's configurable interpreter would, printing its results. */
async function runExecute(rics: ResourceInterpreterCustomization[], opts: InterpretOptions, io: IO, read: (p: string) => Promise<string>): Promise<void> {
  if (!opts.operation) throw new CommandError('operation is not set for executing: use --operation or --check');
  const operation = parseOperation(opts.operation);
  const desired = await readObject(opts.desiredFile, 'desired file', read);
  const observed = await readObject(opts.observedFile, 'observed file', read);
  const items = await readStatusItems(opts.statusFile, read);
  const oneObject = (): KubeObject => {
    if (!desired && !observed) throw new CommandError('desired-file, observed-file options are not set');
    if (desired && observed) throw new CommandError('you can not specify both desired-file and observed-file options');
    return (desired ?? observed)!;
  };
  const target = operation === 'Retain' ? desired : oneObject();
  if (operation === 'Retain' && !desired) throw new CommandError('desired, desired-file options are not set');
  if (operation === 'Retain' && !observed) throw new CommandError('observed, observed-file options are not set');
  const gvk = { apiVersion: target!.apiVersion ?? '', kind: target!.kind ?? '' };
  const ric = findCustomization(rics, gvk, operation);
  if (!ric) throw new CommandError(`execute ${operation}: rule is not enabled: no customization of ${gvk.apiVersion} ${gvk.kind} defines ${RULES[operation].rule}`);

  const interpreter = new CustomizedInterpreter({ timeoutMs: opts.timeoutMs, print: (line) => io.err(line) });
  try {
    let results: [string, unknown][];
    switch (operation) {
      case 'Retain':
        results = [['retained', await interpreter.retain(ric, desired!, observed!)]];
        break;
      case 'InterpretReplica': {
        const r = await interpreter.getReplicas(ric, target!);
        results = [
          ['replica', r.replicas],
          ['requires', r.requirements ?? null],
        ];
        break;
      }
      case 'ReviseReplica':
        results = [['revised', await interpreter.reviseReplica(ric, target!, opts.desiredReplica ?? 0)]];
        break;
      case 'InterpretStatus':
        results = [['status', (await interpreter.reflectStatus(ric, target!)) ?? null]];
        break;
      case 'AggregateStatus':
        results = [['aggregatedStatus', await interpreter.aggregateStatus(ric, target!, items)]];
        break;
      case 'InterpretHealth':
        results = [['healthy', await interpreter.interpretHealth(ric, target!)]];
        break;
      case 'InterpretDependency':
        results = [['dependencies', await interpreter.getDependencies(ric, target!)]];
        break;
    }
    printResults(io, results);
  } catch (err) {
    if (err instanceof CommandError) throw err;
    throw new CommandError(`execute ${operation}: ${(err as Error).message.replace(/\s*\n\s*/g, ' ')}`);
  } finally {
    interpreter.close();
  }
}

/** karmadactl interpret, callable without a process (tests). */
export async function runInterpret(opts: InterpretOptions): Promise<void> {
  const io = opts.io ?? stdio;
  const read = opts.readFile ?? defaultRead;
  const rics = await readCustomizations(opts.filenames, read);
  if (opts.check) return runCheck(rics, io, opts.timeoutMs);
  return runExecute(rics, opts, io, read);
}

function parseReplica(v: string): number {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError('must be a non-negative integer');
  return Number(v);
}

export function interpretCommand(): Command {
  return new Command('interpret')
    .description('Validate, test and edit interpreter customization before applying it to the control plane.')
    .option('-f, --filename <file...>', 'filename(s) containing the ResourceInterpreterCustomizations ("-" for stdin)')
    .option('--operation <operation>', `the interpret operation to use. One of: (${OPERATIONS.join(',')})`)
    .option('--check', 'validates the given ResourceInterpreterCustomization configuration(s)', false)
    .option('--desired-file <file>', 'filename of the resource to use as desiredObj argument in rule script')
    .option('--observed-file <file>', 'filename of the resource to use as observedObj argument in rule script')
    .option('--status-file <file>', 'filename of the aggregated status items to use as statusItems argument in rule script ("-" for stdin)')
    .option('--desired-replica <n>', 'the desiredReplica argument in rule script', parseReplica, 0)
    .addHelpText(
      'after',
      `
Examples:
  # Check the customizations in file
  karmadactl interpret -f customization.yml --check

  # Execute the retention rule
  karmadactl interpret -f customization.yml --operation retain --desired-file desired.yml --observed-file observed.yml

  # Execute the replicaResource rule
  karmadactl interpret -f customization.yml --operation interpretReplica --observed-file observed.yml

  # Execute the replicaRevision rule
  karmadactl interpret -f customization.yml --operation reviseReplica --observed-file observed.yml --desired-replica 2

  # Execute the statusAggregation rule
  karmadactl interpret -f customization.yml --operation aggregateStatus --observed-file observed.yml --status-file status.yml`,
    )
    .action(async (flags: { filename?: string[]; operation?: string; check: boolean; desiredFile?: string; observedFile?: string; statusFile?: string; desiredReplica: number }) => {
      await runInterpret({
        filenames: flags.filename ?? [],
        operation: flags.operation,
        check: flags.check,
        desiredFile: flags.desiredFile,
        observedFile: flags.observedFile,
        statusFile: flags.statusFile,
        desiredReplica: flags.desiredReplica,
      });
    });
}
