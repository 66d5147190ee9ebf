import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CommandArgsOverrider } from '../../apis/policy/v1alpha1/index.js';
import type { KubeObject } from '../../runtime/types.js';
import { buildCommandArgsPatches, type CommandArgsTarget } from './commandargsoverride.js';

function workload(kind: string, containers: object[]): KubeObject {
  const podSpec = { containers };
  if (kind === 'Pod') return { apiVersion: 'v1', kind, metadata: { name: 'nginx' }, spec: podSpec };
  if (kind === 'CronJob') return { apiVersion: 'batch/v1', kind, metadata: { name: 'c' }, spec: { jobTemplate: { spec: { template: { spec: podSpec } } } } };
  return { apiVersion: 'apps/v1', kind, metadata: { name: 'nginx' }, spec: { replicas: 1, template: { spec: podSpec } } };
}

const withCommand = (kind = 'Deployment') => workload(kind, [{ name: 'nginx', image: 'nginx', command: ['nginx', '-v', '-t'] }]);
const withArgs = () => workload('Deployment', [{ name: 'nginx', image: 'nginx', args: ['nginx', '-v', '-t'] }]);
const twoContainers = () =>
  workload('Deployment', [
    { name: 'nginx', command: ['nginx', '-v', '-t'] },
    { name: 'nginx1', command: ['nginx', '-v', '-t'] },
  ]);
const CMD0 = '/spec/template/spec/containers/0/command';
const ARGS0 = '/spec/template/spec/containers/0/args';

describe('command/args overrider patches (upstream TestParseJSONPatchesByCommandOverrider / ArgsOverrider)', () => {
  const cases: { name: string; target: CommandArgsTarget; obj: () => KubeObject; overrider: CommandArgsOverrider; want: object[] }[] = [
    {
      name: 'command add on a Deployment appends',
      target: 'command',
      obj: withCommand,
      overrider: { containerName: 'nginx', operator: 'add', value: ["&& echo 'hello karmada'"] },
      want: [{ op: 'replace', path: CMD0, value: ['nginx', '-v', '-t', "&& echo 'hello karmada'"] }],
    },
    {
      name: 'command remove on a Deployment drops matching values',
      target: 'command',
      obj: withCommand,
      overrider: { containerName: 'nginx', operator: 'remove', value: ['-t'] },
      want: [{ op: 'replace', path: CMD0, value: ['nginx', '-v'] }],
    },
    {
      name: 'command remove with an empty value keeps the command',
      target: 'command',
      obj: withCommand,
      overrider: { containerName: 'nginx', operator: 'remove', value: [] },
      want: [{ op: 'replace', path: CMD0, value: ['nginx', '-v', '-t'] }],
    },
    {
      name: 'only the named container of two',
      target: 'command',
      obj: twoContainers,
      overrider: { containerName: 'nginx', operator: 'add', value: ["echo 'hello karmada'"] },
      want: [{ op: 'replace', path: CMD0, value: ['nginx', '-v', '-t', "echo 'hello karmada'"] }],
    },
    {
      name: 'command add on a Pod',
      target: 'command',
      obj: () => withCommand('Pod'),
      overrider: { containerName: 'nginx', operator: 'add', value: ['x'] },
      want: [{ op: 'replace', path: '/spec/containers/0/command', value: ['nginx', '-v', '-t', 'x'] }],
    },
    ...['StatefulSet', 'ReplicaSet', 'DaemonSet', 'Job'].map((kind) => ({
      name: `command remove on a ${kind}`,
      target: 'command' as const,
      obj: () => withCommand(kind),
      overrider: { containerName: 'nginx', operator: 'remove', value: ['-t'] } as CommandArgsOverrider,
      want: [{ op: 'replace', path: CMD0, value: ['nginx', '-v'] }],
    })),
    {
      name: 'command add on a CronJob',
      target: 'command',
      obj: () => withCommand('CronJob'),
      overrider: { containerName: 'nginx', operator: 'add', value: ['x'] },
      want: [{ op: 'replace', path: '/spec/jobTemplate/spec/template/spec/containers/0/command', value: ['nginx', '-v', '-t', 'x'] }],
    },
    {
      name: 'args add appends',
      target: 'args',
      obj: withArgs,
      overrider: { containerName: 'nginx', operator: 'add', value: ["&& echo 'hello karmada'"] },
      want: [{ op: 'replace', path: ARGS0, value: ['nginx', '-v', '-t', "&& echo 'hello karmada'"] }],
    },
    {
      name: 'args remove',
      target: 'args',
      obj: withArgs,
      overrider: { containerName: 'nginx', operator: 'remove', value: ['-t'] },
      want: [{ op: 'replace', path: ARGS0, value: ['nginx', '-v'] }],
    },
    {
      name: 'args add on a container without args creates them',
      target: 'args',
      obj: withCommand,
      overrider: { containerName: 'nginx', operator: 'add', value: ['-t'] },
      want: [{ op: 'add', path: ARGS0, value: ['-t'] }],
    },
    {
      name: 'no container with that name',
      target: 'command',
      obj: withCommand,
      overrider: { containerName: 'other', operator: 'add', value: ['x'] },
      want: [],
    },
    {
      name: 'a kind without containers',
      target: 'command',
      obj: () => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: {} }),
      overrider: { containerName: 'nginx', operator: 'add', value: ['x'] },
      want: [],
    },
  ];
  for (const c of cases) {
    test(c.name, () => assert.deepEqual(buildCommandArgsPatches(c.target, c.obj(), c.overrider), c.want));
  }

  test('command that is not a list is an error naming the path', () => {
    const obj = workload('Deployment', [{ name: 'nginx', command: 'nginx -t' }]);
    assert.throws(() => buildCommandArgsPatches('command', obj, { containerName: 'nginx', operator: 'add', value: ['x'] }), /\/spec\/template\/spec\/containers\/0\/command is not a list/);
  });
});
