// A @kubernetes/client-node informer must converge on the server's final state for 1,000 objects
// written by concurrent writers, across a kill -9 and restart of the server in the middle.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { startApiServer, waitFor, type ApiServerProcess } from './framework/process.js';

const NAMESPACE = 'informer-e2e';
const WRITERS = 4;
const OBJECTS_PER_WRITER = 250;

type State = Map<string, string>; // name -> data.v

/** Retries a call while the server is down; treats "already done" answers as success. */
async function retrying<T>(fn: () => Promise<T>, okCodes: number[] = []): Promise<T | undefined> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const code = (err as { code?: number }).code;
      if (code !== undefined && okCodes.includes(code)) return undefined;
      if (attempt > 400) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe('client-node informer against karmada-apiserver', () => {
  let server: ApiServerProcess;
  let kc: k8s.KubeConfig;
  let api: k8s.CoreV1Api;

  before(async () => {
    server = await startApiServer();
    kc = new k8s.KubeConfig();
    kc.loadFromFile(server.kubeconfig);
    api = kc.makeApiClient(k8s.CoreV1Api);
    await api.createNamespace({ body: { metadata: { name: NAMESPACE } } });
  });
  after(async () => {
    await server?.cleanup();
  });

  test('sees every change to 1,000 objects under concurrent writers with a server restart', async () => {
    const seen: State = new Map();
    let events = 0;
    const informer = k8s.makeInformer(kc, `/api/v1/namespaces/${NAMESPACE}/configmaps`, () => api.listNamespacedConfigMap({ namespace: NAMESPACE }));
    const record = (obj: k8s.V1ConfigMap) => {
      events++;
      seen.set(obj.metadata!.name!, obj.data?.v ?? '');
    };
    informer.on('add', record);
    informer.on('update', record);
    informer.on('delete', (obj: k8s.V1ConfigMap) => {
      events++;
      seen.delete(obj.metadata!.name!);
    });
    let stopped = false;
    informer.on('error', () => {
      // client-node's informer stops on errors (e.g. the server going away); restart it as users do.
      if (!stopped) setTimeout(() => void informer.start().catch(() => undefined), 200);
    });
    await informer.start();

    // Each writer creates its objects, updates each a few times and deletes every fifth.
    let written = 0;
    let restarted = false;
    const restartAt = (WRITERS * OBJECTS_PER_WRITER) / 2;
    const restartServer = async () => {
      restarted = true;
      await server.kill();
      await new Promise((r) => setTimeout(r, 300));
      await server.restart();
    };
    const restartDone: Promise<void>[] = [];
    const writer = async (w: number) => {
      for (let i = 0; i < OBJECTS_PER_WRITER; i++) {
        const name = `w${w}-obj${i}`;
        await retrying(() => api.createNamespacedConfigMap({ namespace: NAMESPACE, body: { metadata: { name }, data: { v: '0' } } }), [409]);
        for (let v = 1; v <= 2; v++) {
          await retrying(async () => {
            const cur = await api.readNamespacedConfigMap({ name, namespace: NAMESPACE });
            cur.data = { v: String(v) };
            return api.replaceNamespacedConfigMap({ name, namespace: NAMESPACE, body: cur });
          });
        }
        if (i % 5 === 0) await retrying(() => api.deleteNamespacedConfigMap({ name, namespace: NAMESPACE }), [404]);
        written++;
        if (!restarted && written >= restartAt) restartDone.push(restartServer());
      }
    };
    await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
    await Promise.all(restartDone);
    assert.ok(restarted, 'the server was restarted mid-way');

    // The server's final state is what every writer intended.
    const expected: State = new Map();
    for (let w = 0; w < WRITERS; w++) {
      for (let i = 0; i < OBJECTS_PER_WRITER; i++) if (i % 5 !== 0) expected.set(`w${w}-obj${i}`, '2');
    }
    const list = await api.listNamespacedConfigMap({ namespace: NAMESPACE });
    const actual: State = new Map(list.items.map((cm) => [cm.metadata!.name!, cm.data?.v ?? '']));
    assert.deepEqual([...actual.entries()].sort(), [...expected.entries()].sort());

    // And the informer converges on it.
    await waitFor(
      'the informer to converge on the final state',
      () => (seen.size === expected.size && [...expected].every(([k, v]) => seen.get(k) === v) ? true : undefined),
      60_000,
      100,
    );
    stopped = true;
    await informer.stop();
    assert.ok(events >= expected.size, `informer delivered ${events} events`);
  });
});
