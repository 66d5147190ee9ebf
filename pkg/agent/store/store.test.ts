// AgentStore: mirrors informers in batches, restores them (also after kill -9), and holds the data dir
// for one process only.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ObjectClient } from '../../runtime/client.js';
import { CONFIGMAPS, NAMESPACES } from '../../runtime/gvr.js';
import { Indexer } from '../../runtime/indexer.js';
import { Informer, type EventHandler } from '../../runtime/informer.js';
import { eventually, startTestApiServer, type TestApiServer } from '../../runtime/testenv.js';
import type { KubeObject } from '../../runtime/types.js';
import { AgentStore } from './store.js';

/** Just what persist() uses of an informer, driven by the test. */
class ScriptedInformer {
  readonly indexer = new Indexer<KubeObject>();
  resourceVersion = '';
  synced = true;
  private readonly handlers = new Set<EventHandler<KubeObject>>();
  hasSynced(): boolean {
    return this.synced;
  }
  addEventHandler(h: EventHandler<KubeObject>): () => void {
    this.handlers.add(h);
    if (this.synced) for (const o of this.indexer.list()) h.onAdd?.(o);
    return () => this.handlers.delete(h);
  }
  upsert(obj: KubeObject): void {
    const old = this.indexer.upsert(obj);
    this.resourceVersion = obj.metadata!.resourceVersion!;
    for (const h of this.handlers) {
      if (old) h.onUpdate?.(old, obj);
      else h.onAdd?.(obj);
    }
  }
  remove(key: string, rv: string): void {
    const old = this.indexer.remove(key)!;
    this.resourceVersion = rv;
    for (const h of this.handlers) h.onDelete?.(old);
  }
  asInformer(): Informer<KubeObject> {
    return this as unknown as Informer<KubeObject>;
  }
}

const obj = (name: string, rv: number, v = String(rv)): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns', resourceVersion: String(rv) }, data: { v } } as KubeObject);

function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'agent-store-'));
}

describe('AgentStore (no server)', () => {
  const dirs: string[] = [];
  const dir = () => {
    const d = tempDir();
    dirs.push(d);
    return d;
  };
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('a burst of 5,000 events is written in one transaction per tick, and restored after close/open', async () => {
    const dataDir = dir();
    const store = AgentStore.open({ dataDir, flushIntervalMs: 50 });
    const inf = new ScriptedInformer();
    store.persist('works', inf.asInformer());
    for (let i = 0; i < 5000; i++) inf.upsert(obj(`o${i}`, i + 1));
    for (let i = 0; i < 5000; i += 2) inf.upsert(obj(`o${i}`, 5001 + i, 'changed'));
    inf.remove('ns/o1', '20000');
    assert.equal(store.stats.transactions, 0, 'nothing written synchronously');
    await eventually('the tick', () => store.stats.transactions > 0);
    assert.equal(store.stats.transactions, 1);
    assert.equal(store.stats.rows, 5000, 'each object written once (5,000 upserts + 1 delete - o1 never stored)');
    store.close();

    const again = AgentStore.open({ dataDir });
    const snap = again.snapshot<KubeObject>('works');
    assert.ok(snap);
    assert.equal(snap.resourceVersion, '20000');
    assert.equal(snap.items.length, 4999);
    const byName = new Map(snap.items.map((o) => [o.metadata!.name!, o]));
    assert.equal((byName.get('o0') as { data: { v: string } }).data.v, 'changed');
    assert.equal((byName.get('o3') as { data: { v: string } }).data.v, '4');
    assert.equal(byName.has('o1'), false);
    assert.equal(again.snapshot('cluster'), undefined, 'an informer never persisted has no snapshot');
    again.close();
  });

  test('objects already stored are not rewritten when a restored informer replays them; stale ones are removed', async () => {
    const dataDir = dir();
    const first = AgentStore.open({ dataDir });
    const inf = new ScriptedInformer();
    first.persist('works', inf.asInformer());
    for (let i = 0; i < 10; i++) inf.upsert(obj(`o${i}`, i + 1));
    first.close();

    const store = AgentStore.open({ dataDir, flushIntervalMs: 10 });
    const snap = store.snapshot<KubeObject>('works')!;
    // the restored informer has lost o9 (deleted while the agent was down) and changed o0
    const restored = new ScriptedInformer();
    for (const o of snap.items.filter((o) => o.metadata!.name !== 'o9')) restored.indexer.upsert(o);
    restored.resourceVersion = snap.resourceVersion;
    store.persist('works', restored.asInformer());
    restored.upsert(obj('o0', 11, 'new'));
    store.flush();
    assert.equal(store.stats.rows, 2, 'only o0 written and o9 deleted');
    const after = store.snapshot<KubeObject>('works')!;
    assert.deepEqual(after.items.map((o) => o.metadata!.name).sort(), ['o0', 'o1', 'o2', 'o3', 'o4', 'o5', 'o6', 'o7', 'o8']);
    assert.equal(after.resourceVersion, '11');
    store.close();
  });

  test('the resourceVersion is saved only once the informer has synced, and persist twice under one name is refused', () => {
    const dataDir = dir();
    const store = AgentStore.open({ dataDir });
    const inf = new ScriptedInformer();
    inf.synced = false;
    const stop = store.persist('cluster', inf.asInformer());
    store.flush();
    assert.equal(store.snapshot('cluster'), undefined);
    assert.throws(() => store.persist('cluster', inf.asInformer()), /already persisted/);
    stop();
    store.persist('cluster', inf.asInformer());
    store.close();
    assert.throws(() => store.snapshot('cluster'), /closed/);
  });

  test('survives kill -9: what was flushed is there; a second process cannot open the data dir meanwhile', async () => {
    const dataDir = dir();
    const storeModule = path.join(path.dirname(fileURLToPath(import.meta.url)), 'store.js');
    const script = `
      const { AgentStore } = await import(${JSON.stringify(storeModule)});
      const store = AgentStore.open({ dataDir: ${JSON.stringify(dataDir)}, flushIntervalMs: 3600000 });
      const handlers = [];
      const inf = { resourceVersion: '', indexer: { keyFunc: (o) => o.metadata.namespace + '/' + o.metadata.name, has: () => true },
        hasSynced: () => true, addEventHandler: (h) => { handlers.push(h); return () => {}; } };
      store.persist('works', inf);
      for (let i = 0; i < 100; i++) {
        const o = { metadata: { name: 'o' + i, namespace: 'ns', resourceVersion: String(i + 1) } };
        inf.resourceVersion = String(i + 1);
        for (const h of handlers) h.onAdd(o);
      }
      store.flush();
      // written after the last flush: lost with the process (the saved resourceVersion stays older)
      for (let i = 100; i < 110; i++) {
        const o = { metadata: { name: 'o' + i, namespace: 'ns', resourceVersion: String(i + 1) } };
        inf.resourceVersion = String(i + 1);
        for (const h of handlers) h.onAdd(o);
      }
      process.stdout.write('flushed\\n');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((r) => child.on('exit', r));
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    await eventually('the child to flush', () => out.includes('flushed'), 20_000);
    assert.throws(() => AgentStore.open({ dataDir }), /locked by another process.*--data-dir/);
    child.kill('SIGKILL');
    await exited;
    const store = AgentStore.open({ dataDir });
    const snap = store.snapshot<KubeObject>('works')!;
    assert.equal(snap.items.length, 100);
    assert.equal(snap.resourceVersion, '100');
    store.close();
  });
});

describe('AgentStore with a real informer', () => {
  let env: TestApiServer;
  let client: ObjectClient;
  let dataDir: string;

  before(async () => {
    env = await startTestApiServer();
    client = env.client();
    await client.resource(NAMESPACES).create({ metadata: { name: 'st' } });
    dataDir = tempDir();
  });
  after(async () => {
    await env?.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('an informer restored from the store resumes with a watch and catches up with what changed while the agent was away', async () => {
    const cms = client.resource(CONFIGMAPS);
    const cm = (name: string, v: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'st' }, data: { v } } as KubeObject);
    await cms.create(cm('a', '1'));
    await cms.create(cm('b', '1'));

    let store = AgentStore.open({ dataDir });
    const first = new Informer({ client, gvr: CONFIGMAPS, namespace: 'st' });
    store.persist('cms', first);
    first.start();
    await first.waitForSync(10_000);
    await cms.create(cm('c', '1'));
    await eventually('c cached', () => first.indexer.has('st/c'));
    await first.stop();
    store.close();

    // while the agent is down
    await cms.patch('a', { data: { v: '2' } }, { namespace: 'st' });
    await cms.delete('b', { namespace: 'st' });

    store = AgentStore.open({ dataDir });
    const snap = store.snapshot<KubeObject>('cms');
    assert.ok(snap, 'a snapshot was saved');
    assert.deepEqual(snap.items.map((o) => o.metadata!.name).sort(), ['a', 'b', 'c']);
    assert.equal(snap.resourceVersion, first.resourceVersion);
    const second = new Informer({ client, gvr: CONFIGMAPS, namespace: 'st', initialState: snap });
    store.persist('cms', second);
    second.start();
    try {
      await eventually('catch-up', () => !second.indexer.has('st/b') && (second.indexer.getByName('a', 'st') as { data?: { v?: string } })?.data?.v === '2');
      assert.equal(second.stats.lists, 0, 'resumed from the saved resourceVersion');
    } finally {
      await second.stop();
    }
    store.flush();
    const saved = store.snapshot<KubeObject>('cms')!;
    assert.deepEqual(saved.items.map((o) => o.metadata!.name).sort(), ['a', 'c']);
    assert.equal(saved.resourceVersion, second.resourceVersion);
    store.close();
  });
});
