import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse, stringify } from 'yaml';
import { SAMPLE_WORKLOAD_RIC_YAML, sampleWorkload } from '../../resourceinterpreter/testing.js';
import { CommandError, type IO } from '../util/factory.js';
import { runInterpret } from './interpret.js';

let dir: string;
const file = (name: string) => join(dir, name);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'interpret-'));
  await writeFile(file('ric.yaml'), SAMPLE_WORKLOAD_RIC_YAML);
  await writeFile(file('desired.yaml'), stringify(sampleWorkload(3)));
  await writeFile(file('observed.yaml'), stringify({ ...sampleWorkload(3), spec: { ...(sampleWorkload(3)['spec'] as object), paused: true }, status: { replicas: 3, readyReplicas: 3 } }));
  await writeFile(
    file('status.yaml'),
    stringify({ clusterName: 'member1', status: { replicas: 2, readyReplicas: 2 }, applied: true }) + '---\n' + stringify({ clusterName: 'member2', status: { replicas: 1, readyReplicas: 0 }, applied: true }),
  );
  await writeFile(
    file('broken.yaml'),
    stringify({
      apiVersion: 'config.karmada.io/v1alpha1',
      kind: 'ResourceInterpreterCustomization',
      metadata: { name: 'broken' },
      spec: { target: { apiVersion: 'apps.example.io/v1', kind: 'Workload' }, customizations: { replicaResource: { luaScript: 'function GetReplicas(obj' }, healthInterpretation: { luaScript: 'function Other() end' } } },
    }),
  );
  await writeFile(file('not-ric.yaml'), stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function capture(): IO & { lines: string[]; errs: string[] } {
  const lines: string[] = [];
  const errs: string[] = [];
  return { lines, errs, out: (l) => lines.push(l), err: (l) => errs.push(l) };
}

/** The documents of the printed output, by their "# [i/n] name:" header. */
function results(io: { lines: string[] }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const chunk of io.lines.join('\n').split(/^---$/m).slice(1)) {
    const [header, ...body] = chunk.trim().split('\n');
    const name = /^# \[\d+\/\d+\] (\w+):$/.exec(header ?? '')?.[1];
    if (name) out[name] = parse(body.join('\n'));
  }
  return out;
}

test('InterpretReplica prints replica and requires', async () => {
  const io = capture();
  await runInterpret({ filenames: [file('ric.yaml')], operation: 'interpretReplica', desiredFile: file('desired.yaml'), io });
  assert.equal(io.lines[0], '---');
  assert.equal(io.lines[1], '# [1/2] replica:');
  assert.equal(io.lines[2], '3');
  assert.deepEqual(results(io), { replica: 3, requires: { resourceRequest: { cpu: '250m', memory: '128Mi' } } });
});

test('every operation runs offline against files', async () => {
  const run = async (operation: string, extra: Record<string, unknown>) => {
    const io = capture();
    await runInterpret({ filenames: [file('ric.yaml')], operation, io, ...extra });
    return results(io);
  };
  const revised = (await run('ReviseReplica', { observedFile: file('observed.yaml'), desiredReplica: 2 }))['revised'] as { spec: { replicas: number } };
  assert.equal(revised.spec.replicas, 2);
  const retained = (await run('Retain', { desiredFile: file('desired.yaml'), observedFile: file('observed.yaml') }))['retained'] as { spec: { paused: boolean } };
  assert.equal(retained.spec.paused, true);
  assert.deepEqual(await run('InterpretStatus', { observedFile: file('observed.yaml') }), { status: { replicas: 3, readyReplicas: 3, generation: 2 } });
  assert.deepEqual(await run('InterpretHealth', { observedFile: file('observed.yaml') }), { healthy: true });
  const aggregated = (await run('AggregateStatus', { desiredFile: file('desired.yaml'), statusFile: file('status.yaml') }))['aggregatedStatus'] as { status: unknown };
  assert.deepEqual(aggregated.status, { replicas: 3, readyReplicas: 2 });
  const deps = (await run('InterpretDependency', { desiredFile: file('desired.yaml') }))['dependencies'] as { kind: string }[];
  assert.deepEqual(
    deps.map((d) => d.kind),
    ['ConfigMap', 'Secret', 'ServiceAccount'],
  );
});

test('--check reports each rule', async () => {
  const io = capture();
  await runInterpret({ filenames: [file('ric.yaml')], check: true, io });
  assert.equal(io.lines[1], 'SOURCE: workload-example');
  assert.equal(io.lines[2], 'TARGET: apps.example.io/v1 Workload');
  assert.match(io.lines.find((l) => l.includes('InterpretReplica:'))!, /PASS$/);
  assert.match(io.lines.find((l) => l.includes('InterpretComponent:'))!, /UNSET$/);

  const bad = capture();
  await assert.rejects(runInterpret({ filenames: [file('broken.yaml')], check: true, io: bad }), (err: unknown) => err instanceof CommandError && err.message === '2 rule(s) failed the check');
  assert.match(bad.lines.find((l) => l.includes('InterpretReplica:'))!, /ERROR: replicaResource:1: .*expected/);
  assert.match(bad.lines.find((l) => l.includes('InterpretHealth:'))!, /ERROR: the script does not define function InterpretHealth/);
});

test('errors are one line', async () => {
  const cases: { name: string; opts: Parameters<typeof runInterpret>[0]; message: RegExp }[] = [
    { name: 'unknown operation', opts: { filenames: [file('ric.yaml')], operation: 'Explode', desiredFile: file('desired.yaml') }, message: /^operation Explode is not supported. Use one of: Retain, InterpretReplica/ },
    { name: 'no operation', opts: { filenames: [file('ric.yaml')] }, message: /operation is not set/ },
    { name: 'no object', opts: { filenames: [file('ric.yaml')], operation: 'InterpretHealth' }, message: /desired-file, observed-file options are not set/ },
    { name: 'missing file', opts: { filenames: [file('nope.yaml')], check: true }, message: /^cannot read .*nope.yaml/ },
    { name: 'not a customization', opts: { filenames: [file('not-ric.yaml')], check: true }, message: /not a ResourceInterpreterCustomization, got v1, Kind=ConfigMap/ },
    {
      name: 'rule not enabled',
      opts: { filenames: [file('broken.yaml')], operation: 'InterpretStatus', observedFile: file('observed.yaml') },
      message: /rule is not enabled: no customization of apps.example.io\/v1 Workload defines statusReflection/,
    },
    {
      name: 'script failure',
      opts: { filenames: [file('broken.yaml')], operation: 'InterpretReplica', observedFile: file('observed.yaml') },
      message: /^execute InterpretReplica: ResourceInterpreterCustomization broken: GetReplicas: replicaResource:1:/,
    },
  ];
  for (const c of cases) {
    await assert.rejects(runInterpret({ ...c.opts, io: capture() }), (err: unknown) => {
      assert.ok(err instanceof CommandError, c.name);
      assert.match(err.message, c.message, c.name);
      assert.ok(!err.message.includes('\n'), `${c.name}: one line`);
      return true;
    });
  }
});
