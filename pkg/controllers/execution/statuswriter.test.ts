// The hooks a karmada-agent plugs into the execution and work status controllers: a status writer
// (its durable outbox) and its own readiness of the member (the Cluster may read Ready=Unknown while the
// agent's lease lapsed during an outage, yet the member is right there).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { Work } from '../../apis/work/v1alpha1/index.js';
import { SharedInformerFactory } from '../../runtime/factory.js';
import { gvr } from '../../runtime/gvr.js';
import { eventually } from '../../runtime/testenv.js';
import type { KubeObject } from '../../runtime/types.js';
import type { MemberSource } from '../../util/memberinformer/member.js';
import { sharedPushMemberClusters } from '../../util/memberinformer/pushmembers.js';
import { WorkStatusController } from '../workstatus/controller.js';
import { ExecutionController } from './controller.js';
import { directWorkStatusWriter, type WorkStatusPatch, type WorkStatusWriter } from './statuswriter.js';
import { FakeInterpreter, newWork, startMemberEnv, WORKS, type MemberEnv } from './testing.js';

const DEPLOYMENTS = gvr('apps', 'v1', 'deployments');

const deployment = (name: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default' },
  spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: 'nginx:1.27' }] } } },
});

describe('statusWriter and MemberSource.ready hooks', () => {
  let env: MemberEnv;
  let factory: SharedInformerFactory;
  const writes: { work: string; keys: string[] }[] = [];
  const stop = new AbortController();
  let running: Promise<unknown>;

  before(async () => {
    env = await startMemberEnv(['member1']);
    // the Cluster says not Ready; the source knows better
    await env.setReady('member1', false);
    const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
    factory = new SharedInformerFactory(env.karmada, { logger });
    const push = sharedPushMemberClusters({ client: env.karmada, informers: factory, logger });
    const members: MemberSource = Object.assign(Object.create(push) as MemberSource, { ready: () => true });
    const direct = directWorkStatusWriter(env.karmada);
    const statusWriter: WorkStatusWriter = (work, patch) => {
      writes.push({ work: work.metadata!.name!, keys: Object.keys(patch).sort() });
      return direct(work, patch);
    };
    const interpreter = new FakeInterpreter();
    const exec = new ExecutionController({ client: env.karmada, informers: factory, interpreter, logger, members, statusWriter });
    const status = new WorkStatusController({ client: env.karmada, informers: factory, interpreter, logger, members, statusWriter });
    factory.start();
    running = Promise.all([exec.run(stop.signal), status.run(stop.signal)]);
  });
  after(async () => {
    stop.abort();
    await running;
    await factory?.stop();
    await env?.cleanup();
  });

  test('a Work is applied although its Cluster reads not Ready, and both controllers write status through the writer', async () => {
    await env.karmada.resource<Work>(WORKS).create(newWork('member1', 'hooked', [deployment('hooked')]));
    await eventually('the deployment in member1', () => env.member('member1').resource(DEPLOYMENTS).getOrUndefined('hooked', { namespace: 'default' }));
    const w = await eventually('status on the Work', async () => {
      const w = await env.karmada.resource<Work>(WORKS).get('hooked', { namespace: 'karmada-es-member1' });
      return w.status?.conditions?.some((c) => c.type === 'Applied' && c.status === 'True') && w.status.manifestStatuses?.length ? w : undefined;
    });
    assert.equal(w.status?.manifestStatuses?.[0]?.identifier.name, 'hooked');
    assert.ok(writes.some((x) => x.work === 'hooked' && x.keys.join() === 'conditions'), JSON.stringify(writes));
    assert.ok(writes.some((x) => x.work === 'hooked' && x.keys.join() === 'manifestStatuses'), JSON.stringify(writes));
  });

  test('directWorkStatusWriter resolves false for a Work that is gone', async () => {
    const write = directWorkStatusWriter(env.karmada);
    const patch: WorkStatusPatch = { manifestStatuses: null };
    assert.equal(await write({ metadata: { name: 'no-such-work', namespace: 'karmada-es-member1' } } as Work, patch), false);
  });
});
