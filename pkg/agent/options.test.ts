// karmada-agent's flags: defaults, parsing, errors, and the mapping to AgentOptions.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { agentOptionsFromFlags, DEFAULT_AGENT_DATA_DIR, newAgentCommand, type AgentFlags } from './options.js';

const logger = pino({ level: 'silent' });

async function parse(args: string[]): Promise<AgentFlags> {
  let got: AgentFlags | undefined;
  const cmd = newAgentCommand((f) => {
    got = f;
  });
  cmd.exitOverride();
  cmd.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  await cmd.parseAsync(args, { from: 'user' });
  return got!;
}

describe('karmada-agent flags', () => {
  test('defaults as upstream: 10s status, 40s lease renewed at 0.25, 5m cert checks at 0.2, "*" controllers, metrics off', async () => {
    const f = await parse(['--karmada-kubeconfig', 'k.config', '--cluster-name', 'member3']);
    assert.equal(f.dataDir, DEFAULT_AGENT_DATA_DIR);
    assert.equal(f.clusterStatusUpdateFrequency, 10_000);
    assert.equal(f.clusterLeaseDuration, 40_000);
    assert.equal(f.clusterLeaseRenewIntervalFraction, 0.25);
    assert.equal(f.certRotationCheckingInterval, 300_000);
    assert.equal(f.certRotationRemainingTimeThreshold, 0.2);
    assert.deepEqual(f.controllers, ['*']);
    assert.equal(f.enableCertRotation, false);
    assert.equal(f.metricsBindAddress, '0');
    const { options, ignoredControllers } = agentOptionsFromFlags(f, logger);
    assert.deepEqual(options.controllers, ['clusterStatus', 'execution', 'workStatus']);
    assert.deepEqual(ignoredControllers, ['serviceExport', 'endpointsliceCollect']);
    assert.equal(options.leaseDurationSeconds, 40);
    assert.equal(options.memberKubeconfig, undefined);
  });

  test('every flag maps to AgentOptions', async () => {
    const f = await parse([
      '--karmada-kubeconfig=k.config',
      '--karmada-context=ctx',
      '--cluster-name=edge1',
      '--kubeconfig=m.config',
      '--context=m',
      '--data-dir=/tmp/agent',
      '--cluster-api-endpoint=https://1.2.3.4:6443',
      '--cluster-provider=sim',
      '--cluster-region=r',
      '--cluster-zones=a, b',
      '--cluster-status-update-frequency=2s',
      '--cluster-lease-duration=20s',
      '--cluster-lease-renew-interval-fraction=0.5',
      '--controllers=*',
      '--controllers=-workStatus',
      '--enable-cert-rotation',
      '--cert-rotation-checking-interval=1m',
      '--cert-rotation-remaining-time-threshold=0.5',
      '--concurrent-work-syncs=8',
      '-v',
      '4',
    ]);
    const { options } = agentOptionsFromFlags(f, logger);
    assert.equal(options.karmadaKubeconfig, 'k.config');
    assert.equal(options.karmadaContext, 'ctx');
    assert.equal(options.clusterName, 'edge1');
    assert.equal(options.memberKubeconfig, 'm.config');
    assert.equal(options.memberContext, 'm');
    assert.equal(options.dataDir, '/tmp/agent');
    assert.equal(options.clusterAPIEndpoint, 'https://1.2.3.4:6443');
    assert.equal(options.provider, 'sim');
    assert.equal(options.region, 'r');
    assert.deepEqual(options.zones, ['a', 'b']);
    assert.equal(options.clusterStatusUpdateFrequencyMs, 2000);
    assert.equal(options.leaseDurationSeconds, 20);
    assert.equal(options.leaseRenewIntervalFraction, 0.5);
    assert.deepEqual(options.controllers, ['clusterStatus', 'execution', 'certRotation']);
    assert.equal(options.certRotationCheckingIntervalMs, 60_000);
    assert.equal(options.certRotationRemainingTimeThreshold, 0.5);
    assert.equal(options.concurrentWorkSyncs, 8);
    assert.equal(f.v, 4);
  });

  test('bad values are refused with the flag and a valid example', async () => {
    await assert.rejects(parse(['--cluster-status-update-frequency', 'often']), /invalid --cluster-status-update-frequency "often": use a duration/);
    await assert.rejects(parse(['--cluster-lease-renew-interval-fraction', '2']), /between 0 and 1/);
  });

  test('missing required flags say what to pass', async () => {
    const noKubeconfig = await parse(['--cluster-name', 'm']);
    assert.throws(() => agentOptionsFromFlags(noKubeconfig, logger), /--karmada-kubeconfig is required/);
    const noName = await parse(['--karmada-kubeconfig', 'k']);
    assert.throws(() => agentOptionsFromFlags(noName, logger), /--cluster-name is required/);
    const f = await parse(['--karmada-kubeconfig', 'k', '--cluster-name', 'm', '--controllers', 'nope']);
    assert.throws(() => agentOptionsFromFlags(f, logger), /"nope" is not in the list of known agent controllers/);
  });
});
