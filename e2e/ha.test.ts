// High availability: two karmada-apiserver processes on one etcd, sharing their PKI through one data dir.
//
//  - a write through one server is visible through the other, in gets, lists and watches;
//  - SIGKILL of one server in the middle of a stream of writes leaves the other's clients unaffected (a
//    kubectl watch keeps receiving events), a raw watch resumed on the survivor from the last
//    resourceVersion seen on the dead server misses nothing, and a client-node informer re-created
//    against the survivor converges on the final state;
//  - SIGKILL of a server in the middle of 1,000 writes loses no acknowledged write (checked in etcd
//    directly and through both servers after the restart).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { Etcd3 } from 'etcd3';
import { kubectlFor, startApiServer, tempDir, waitFor, type ApiServerProcess } from './framework/process.js';
import { startEtcd, type EtcdProcess } from '../pkg/storage/etcd/testing.js';

type Api = k8s.CoreV1Api;

function clientFor(server: ApiServerProcess): { kc: k8s.KubeConfig; api: Api } {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(server.kubeconfig);
  return { kc, api: kc.makeApiClient(k8s.CoreV1Api) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retries a call while it fails with a transient error (server gone, 5xx); `ok` codes count as success. */
async function retrying<T>(fn: () => Promise<T>, ok: number[] = [], attempts = 200): Promise<T | undefined> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      const code = (err as { code?: number }).code;
      if (code !== undefined && ok.includes(code)) return undefined;
      if (i >= attempts) throw err;
      await sleep(50);
    }
  }
}

describe('two karmada-apiservers on one etcd', () => {
  let etcd: EtcdProcess;
  let dataDir: string;
  let a: ApiServerProcess;
  let b: ApiServerProcess;

  before(async () => {
    etcd = await startEtcd();
    dataDir = tempDir('karmada-ha');
    const args = ['--etcd-servers', etcd.endpoint];
    // Started together: both create the PKI, system namespaces and Karmada CRDs at the same time.
    [a, b] = await Promise.all([
      startApiServer({ dataDir, extraArgs: args, kubeconfigName: 'a.config' }),
      startApiServer({ dataDir, extraArgs: args, kubeconfigName: 'b.config' }),
    ]);
  });

  after(async () => {
    await a?.cleanup();
    await b?.cleanup();
    await etcd?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('both serve one state: a write through one is visible through the other (get, list, watch)', async () => {
    assert.ok(!existsSync(path.join(dataDir, 'karmada.db')), 'SQLite is not opened with --etcd-servers');
    assert.notEqual(a.kubeconfig, b.kubeconfig);
    const ka = kubectlFor(a.kubeconfig);
    const kb = kubectlFor(b.kubeconfig);
    await ka(['create', 'namespace', 'ha-basic']);

    // a watch on B, opened before the write through A
    const { kc: kcb } = clientFor(b);
    const seen: { type: string; name: string; rv: string }[] = [];
    const watch = await new k8s.Watch(kcb).watch(
      '/api/v1/namespaces/ha-basic/configmaps',
      {},
      (type, obj: k8s.V1ConfigMap) => seen.push({ type, name: obj.metadata!.name!, rv: obj.metadata!.resourceVersion! }),
      () => undefined,
    );
    try {
      await ka(['-n', 'ha-basic', 'create', 'configmap', 'one', '--from-literal=k=v1']);
      const got = JSON.parse((await kb(['-n', 'ha-basic', 'get', 'configmap', 'one', '-o', 'json'])).stdout) as k8s.V1ConfigMap;
      assert.equal(got.data?.k, 'v1');
      await kb(['-n', 'ha-basic', 'patch', 'configmap', 'one', '--type=merge', '-p', '{"data":{"k":"v2"}}']);
      const viaA = JSON.parse((await ka(['-n', 'ha-basic', 'get', 'configmap', 'one', '-o', 'json'])).stdout) as k8s.V1ConfigMap;
      assert.equal(viaA.data?.k, 'v2');
      await waitFor('the watch on B to see both writes', () => (seen.length >= 2 ? true : undefined), 10_000);
      assert.deepEqual(seen.map((e) => e.type), ['ADDED', 'MODIFIED']);
      assert.equal(seen[1]!.rv, viaA.metadata!.resourceVersion, 'one resourceVersion space: etcd revisions');

      // Karmada's CRD-served kinds work through both (each replica installed and serves the CRDs)
      const policy = {
        apiVersion: 'policy.karmada.io/v1alpha1',
        kind: 'PropagationPolicy',
        metadata: { name: 'pp', namespace: 'ha-basic' },
        spec: { resourceSelectors: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'one' }], placement: { clusterAffinity: { clusterNames: ['member1'] } } },
      };
      await kb(['apply', '-f', '-'], { input: JSON.stringify(policy) });
      const pp = JSON.parse((await ka(['-n', 'ha-basic', 'get', 'propagationpolicy', 'pp', '-o', 'json'])).stdout) as { spec: { placement: unknown } };
      assert.deepEqual(pp.spec.placement, policy.spec.placement);
      // a consistent list on A reflects a write just made through B
      await kb(['-n', 'ha-basic', 'create', 'configmap', 'two']);
      const names = (await ka(['-n', 'ha-basic', 'get', 'configmaps', '-o', 'name'])).stdout.trim().split('\n');
      assert.ok(names.includes('configmap/two'), names.join(','));
    } finally {
      watch.abort();
    }
    // both replicas run the namespace controller: deleting through one finishes, seen by the other
    // (a namespace without Karmada policies: those carry finalizers of karmada-controller-manager)
    await ka(['create', 'namespace', 'ha-nsdel']);
    await ka(['-n', 'ha-nsdel', 'create', 'configmap', 'c1']);
    await kb(['delete', 'namespace', 'ha-nsdel', '--timeout=30s']);
    const gone = await ka(['get', 'namespace', 'ha-nsdel'], { allowFail: true });
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /NotFound|not found/);
  });

  test('SIGKILL of one server mid-stream: the survivor\'s watches go on; watches and informers move over without loss', async () => {
    const NS = 'ha-failover';
    const victim = a;
    const survivor = b;
    const { kc: kcVictim, api: apiVictim } = clientFor(victim);
    const { kc: kcSurvivor, api: apiSurvivor } = clientFor(survivor);
    await apiSurvivor.createNamespace({ body: { metadata: { name: NS } } });

    // kubectl watching through the survivor for the whole test
    const kubectlWatch = spawn('kubectl', ['--kubeconfig', survivor.kubeconfig, '-n', NS, 'get', 'configmaps', '--watch', '--output-watch-events', '-o', 'jsonpath={.type} {.object.metadata.name}{"\\n"}'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let kubectlOut = '';
    let kubectlErr = '';
    kubectlWatch.stdout.on('data', (d: Buffer) => (kubectlOut += d.toString()));
    kubectlWatch.stderr.on('data', (d: Buffer) => (kubectlErr += d.toString()));
    const kubectlLines = () => kubectlOut.split('\n').filter(Boolean);

    // a raw watch through the victim, remembering the last resourceVersion it delivered
    const viaVictim: { type: string; name: string; rv: number; v: string }[] = [];
    let victimWatchEnded = false;
    await new k8s.Watch(kcVictim).watch(
      `/api/v1/namespaces/${NS}/configmaps`,
      {},
      (type, obj: k8s.V1ConfigMap) => viaVictim.push({ type, name: obj.metadata!.name!, rv: Number(obj.metadata!.resourceVersion), v: obj.data?.v ?? '' }),
      () => (victimWatchEnded = true),
    );

    // an informer through the victim
    const state = new Map<string, string>();
    const wire = (inf: k8s.Informer<k8s.V1ConfigMap>) => {
      const put = (o: k8s.V1ConfigMap) => state.set(o.metadata!.name!, o.data?.v ?? '');
      inf.on('add', put);
      inf.on('update', put);
      inf.on('delete', (o: k8s.V1ConfigMap) => state.delete(o.metadata!.name!));
    };
    const victimInformer = k8s.makeInformer(kcVictim, `/api/v1/namespaces/${NS}/configmaps`, () => apiVictim.listNamespacedConfigMap({ namespace: NS }));
    wire(victimInformer);
    await victimInformer.start();

    await waitFor('kubectl watch to start', async () => {
      await apiSurvivor.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'probe' }, data: { v: 'p' } } }).catch(() => undefined);
      return kubectlLines().some((l) => l.endsWith(' probe')) || undefined;
    });

    // writers alternate between the servers; after the kill, writes through the victim go to the survivor
    const N = 300;
    let killed = false;
    const expected = new Map<string, string>([['probe', 'p']]);
    const write = async (i: number) => {
      const name = `cm-${i}`;
      const api = () => (i % 2 === 0 && !killed ? apiVictim : apiSurvivor);
      await retrying(() => api().createNamespacedConfigMap({ namespace: NS, body: { metadata: { name }, data: { v: '0' } } }), [409]);
      await retrying(async () => {
        const cur = await api().readNamespacedConfigMap({ name, namespace: NS });
        cur.data = { v: '1' };
        return api().replaceNamespacedConfigMap({ name, namespace: NS, body: cur });
      });
      if (i % 7 === 0) {
        await retrying(() => api().deleteNamespacedConfigMap({ name, namespace: NS }), [404]);
      } else {
        expected.set(name, '1');
      }
    };
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < N; i = next++) {
        await write(i);
        if (i === N / 2 && !killed) {
          killed = true;
          await victim.kill();
        }
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    assert.ok(killed);
    const linesAtEnd = kubectlLines().length;

    // the survivor's kubectl watch went on through the kill and saw the last writes
    await waitFor('kubectl watch on the survivor to see the last objects', () => {
      const lines = kubectlLines();
      return [...expected.keys()].every((n) => lines.some((l) => l.endsWith(` ${n}`))) || undefined;
    }, 20_000);
    assert.equal(kubectlWatch.exitCode, null, `kubectl watch is still running (stderr: ${kubectlErr})`);
    assert.ok(linesAtEnd > N / 2, `kubectl saw ${linesAtEnd} events`);

    // the raw watch through the victim ended; resumed on the survivor from its last resourceVersion it
    // misses nothing: the union is exactly the history of the namespace since the watch started
    await waitFor('the watch through the victim to end', () => victimWatchEnded || undefined, 10_000);
    const lastRV = viaVictim.length ? viaVictim[viaVictim.length - 1]!.rv : 0;
    assert.ok(lastRV > 0, 'the victim delivered events before it died');
    const resumed: typeof viaVictim = [];
    const resumedWatch = await new k8s.Watch(kcSurvivor).watch(
      `/api/v1/namespaces/${NS}/configmaps`,
      { resourceVersion: String(lastRV) },
      (type, obj: k8s.V1ConfigMap) => resumed.push({ type, name: obj.metadata!.name!, rv: Number(obj.metadata!.resourceVersion), v: obj.data?.v ?? '' }),
      () => undefined,
    );
    try {
      const final = new Map<string, string>();
      await waitFor('the resumed watch to reach the final state', () => {
        final.clear();
        for (const e of [...viaVictim, ...resumed]) {
          if (e.type === 'DELETED') final.delete(e.name);
          else final.set(e.name, e.v);
        }
        return final.size === expected.size && [...expected].every(([k, v]) => final.get(k) === v) ? true : undefined;
      }, 20_000);
      const rvs = [...viaVictim, ...resumed].map((e) => e.rv);
      for (let i = 1; i < rvs.length; i++) assert.ok(rvs[i]! > rvs[i - 1]!, `no duplicate or reordered event at ${i}: ${rvs[i - 1]} then ${rvs[i]}`);
    } finally {
      resumedWatch.abort();
    }

    // the informer through the victim stopped; re-created with the survivor's kubeconfig it converges
    await victimInformer.stop().catch(() => undefined);
    const informer = k8s.makeInformer(kcSurvivor, `/api/v1/namespaces/${NS}/configmaps`, () => apiSurvivor.listNamespacedConfigMap({ namespace: NS }));
    // A new informer starts from its own list: it never reports deletions the dead one missed, so the
    // view under test is the new informer's alone.
    state.clear();
    wire(informer);
    await informer.start();
    try {
      await waitFor('the informer on the survivor to converge', () =>
        state.size === expected.size && [...expected].every(([k, v]) => state.get(k) === v) ? true : undefined,
      20_000);
      // and it keeps following: a write after the move arrives
      await apiSurvivor.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'after-move' }, data: { v: 'x' } } });
      await waitFor('the informer to see a write after the move', () => (state.get('after-move') === 'x' ? true : undefined), 10_000);
    } finally {
      await informer.stop();
      kubectlWatch.kill();
    }

    await victim.restart();
    const back = JSON.parse((await kubectlFor(victim.kubeconfig)(['-n', NS, 'get', 'configmap', 'after-move', '-o', 'json'])).stdout) as k8s.V1ConfigMap;
    assert.equal(back.data?.v, 'x', 'the restarted server serves the writes made while it was down');
  });

  test('SIGKILL in the middle of 1,000 writes loses no acknowledged write', async () => {
    const NS = 'ha-durability';
    const TOTAL = 1000;
    const victim = a;
    const { api } = clientFor(victim);
    await retrying(() => api.createNamespace({ body: { metadata: { name: NS } } }), [409]);

    const acked = new Map<string, string>(); // name -> resourceVersion acknowledged by the server
    let attempted = 0;
    let killing: Promise<void> | undefined;
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < TOTAL; i = next++) {
        const name = `d-${i}`;
        attempted++;
        try {
          const created = await api.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name }, data: { i: String(i) } } });
          acked.set(name, created.metadata!.resourceVersion!);
        } catch {
          // not acknowledged (the server died under the request, or was down): may or may not exist
        }
        if (acked.size >= TOTAL / 2 && !killing) killing = victim.kill();
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    await killing;
    assert.ok(acked.size >= TOTAL / 2 && acked.size < TOTAL, `killed mid-way: ${acked.size}/${attempted} acknowledged`);

    // every acknowledged write is in etcd, at the acknowledged revision
    const client = new Etcd3({ hosts: etcd.endpoint });
    try {
      const stored = await client.getAll().prefix(`/registry/core/configmaps/${NS}/`).exec();
      const byName = new Map(stored.kvs.map((kv) => [kv.key.toString().split('/').pop()!, kv]));
      for (const [name, rv] of acked) {
        const kv = byName.get(name);
        assert.ok(kv, `acknowledged ${name} (rv ${rv}) is in etcd`);
        assert.equal(kv.mod_revision, rv, `${name} is stored at the acknowledged revision`);
        const obj = JSON.parse(kv.value.toString()) as k8s.V1ConfigMap;
        assert.equal(obj.metadata?.name, name);
        assert.equal(obj.data?.i, name.slice(2));
      }
    } finally {
      client.close();
    }

    // and served by both servers after the restart, at the same resourceVersions
    await victim.restart();
    for (const server of [victim, b]) {
      const list = await clientFor(server).api.listNamespacedConfigMap({ namespace: NS });
      const rvs = new Map(list.items.map((cm) => [cm.metadata!.name!, cm.metadata!.resourceVersion!]));
      for (const [name, rv] of acked) assert.equal(rvs.get(name), rv, `${name} via the server on port ${server.port}`);
      const one = [...acked.keys()][0]!;
      const got = await clientFor(server).api.readNamespacedConfigMap({ name: one, namespace: NS });
      assert.equal(got.metadata!.resourceVersion, acked.get(one));
    }
  });

  test('etcd down: both servers answer 503/504 instead of crashing, and recover when etcd is back', async () => {
    const ka = kubectlFor(a.kubeconfig);
    const kb = kubectlFor(b.kubeconfig);
    await ka(['create', 'namespace', 'ha-outage']);
    await ka(['-n', 'ha-outage', 'create', 'configmap', 'before']);
    // a watch through B across the outage
    const { kc: kcb } = clientFor(b);
    const seen: string[] = [];
    let ended = false;
    const watch = await new k8s.Watch(kcb).watch('/api/v1/namespaces/ha-outage/configmaps', { resourceVersion: '0' }, (type, obj: k8s.V1ConfigMap) => seen.push(`${type} ${obj.metadata!.name}`), () => (ended = true));
    try {
      await waitFor('the watch to replay the first object', () => (seen.includes('ADDED before') ? true : undefined), 10_000);
      await etcd.kill();
      // (client-node: kubectl would honour Retry-After and retry for ~10 s per call)
      for (const server of [a, b]) {
        const { api } = clientFor(server);
        const status = async (p: Promise<unknown>) => p.then(() => 200, (err: { code?: number }) => err.code ?? 0);
        const read = await status(api.readNamespacedConfigMap({ name: 'before', namespace: 'ha-outage' }));
        assert.ok(read === 503 || read === 504, `a consistent read answers 503/504 while etcd is down, got ${read}`);
        const list = await status(api.listNamespacedConfigMap({ namespace: 'ha-outage' }));
        assert.ok(list === 503 || list === 504, `a consistent list answers 503/504 while etcd is down, got ${list}`);
        const write = await status(api.createNamespacedConfigMap({ namespace: 'ha-outage', body: { metadata: { name: 'during' } } }));
        assert.ok(write === 503 || write === 504, `a write answers 503/504 while etcd is down, got ${write}`);
        // the watch cache still serves resourceVersion=0 lists
        const cached = await api.listNamespacedConfigMap({ namespace: 'ha-outage', resourceVersion: '0' });
        assert.ok(cached.items.some((cm) => cm.metadata?.name === 'before'));
      }
      assert.equal(a.proc.exitCode, null, 'server A is still running');
      assert.equal(b.proc.exitCode, null, 'server B is still running');
      await etcd.restart();
      await waitFor('writes to work again', async () => (await ka(['-n', 'ha-outage', 'create', 'configmap', 'after'], { allowFail: true })).code === 0 || undefined, 30_000, 200);
      const got = await kb(['-n', 'ha-outage', 'get', 'configmap', 'after', '-o', 'name']);
      assert.equal(got.stdout.trim(), 'configmap/after');
      // the watch through B went on across the outage: B's etcd watch resumed from its last revision
      await waitFor('the watch on B to see the write after the outage', () => (seen.includes('ADDED after') ? true : undefined), 20_000);
      assert.equal(ended, false, 'the watch did not end');
      assert.deepEqual(seen, ['ADDED before', 'ADDED after']);
    } finally {
      watch.abort();
    }
  });
});
