// Real kubectl against a real karmada-apiserver process: the commands users type every day.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { kubectlFor, startApiServer, waitFor, type ApiServerProcess, run } from './framework/process.js';

const DEPLOYMENT = (image: string, replicas = 2, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: ${image}
          ports:
            - containerPort: 80
${extra}`;

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  scope: Namespaced
  names:
    plural: crontabs
    singular: crontab
    kind: CronTab
    shortNames: [ct]
  versions:
    - name: v1
      served: true
      storage: true
      subresources:
        status: {}
        scale:
          specReplicasPath: .spec.replicas
          statusReplicasPath: .status.replicas
      additionalPrinterColumns:
        - name: Schedule
          type: string
          jsonPath: .spec.cronSpec
        - name: Age
          type: date
          jsonPath: .metadata.creationTimestamp
      schema:
        openAPIV3Schema:
          type: object
          description: CronTab runs an image on a schedule
          properties:
            spec:
              type: object
              description: Desired schedule and image
              properties:
                cronSpec:
                  type: string
                  description: The cron schedule
                  pattern: '^(\\S+ ){4}\\S+$'
                image:
                  type: string
                replicas:
                  type: integer
                  minimum: 0
                  default: 1
            status:
              type: object
              properties:
                replicas:
                  type: integer
                conditions:
                  type: array
                  items:
                    type: object
                    x-kubernetes-preserve-unknown-fields: true
`;

describe('kubectl against karmada-apiserver', () => {
  let server: ApiServerProcess;
  let kubectl: ReturnType<typeof kubectlFor>;

  before(async () => {
    server = await startApiServer();
    kubectl = kubectlFor(server.kubeconfig);
  });
  after(async () => {
    await server?.cleanup();
  });

  test('the kubeconfig context is karmada-apiserver and anonymous requests get 401', async () => {
    const ctx = await kubectl(['config', 'current-context']);
    assert.equal(ctx.stdout.trim(), 'karmada-apiserver');
    const r = await run('curl', ['-sk', '-o', '/dev/null', '-w', '%{http_code}', `${server.url}/api/v1/namespaces`]);
    if (r.code === 0) assert.equal(r.stdout, '401');
  });

  test('api-resources lists built-in kinds with short names', async () => {
    const r = await kubectl(['api-resources', '--no-headers']);
    const lines = r.stdout.split('\n');
    const find = (name: string) => lines.find((l) => l.split(/\s+/)[0] === name);
    assert.match(find('deployments') ?? '', /deploy\s+apps\/v1\s+true\s+Deployment/);
    assert.match(find('namespaces') ?? '', /ns\s+v1\s+false\s+Namespace/);
    assert.ok(find('customresourcedefinitions'));
    assert.ok(find('leases'));
  });

  test('client-side apply twice with a change merges containers by name', async () => {
    const first = await kubectl(['apply', '-f', '-'], { input: DEPLOYMENT('nginx:1.27') });
    assert.match(first.stdout, /deployment.apps\/web created/);
    const same = await kubectl(['apply', '-f', '-'], { input: DEPLOYMENT('nginx:1.27') });
    assert.match(same.stdout, /deployment.apps\/web unchanged/);
    // Someone else adds a sidecar; the second apply changes the image and must keep the sidecar.
    await kubectl(['patch', 'deployment', 'web', '-p', JSON.stringify({ spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'busybox' }] } } } })]);
    const second = await kubectl(['apply', '-f', '-'], { input: DEPLOYMENT('nginx:1.28', 3) });
    assert.match(second.stdout, /deployment.apps\/web configured/);
    const obj = JSON.parse((await kubectl(['get', 'deploy', 'web', '-o', 'json'])).stdout);
    const containers = obj.spec.template.spec.containers as { name: string; image: string }[];
    assert.deepEqual(containers.map((c) => `${c.name}=${c.image}`).sort(), ['sidecar=busybox', 'web=nginx:1.28']);
    assert.equal(obj.spec.replicas, 3);
    assert.equal(obj.metadata.generation, 3);
  });

  test('get -o yaml, -o json and -o wide', async () => {
    const yaml = (await kubectl(['get', 'deploy', 'web', '-o', 'yaml'])).stdout;
    assert.match(yaml, /kind: Deployment/);
    assert.match(yaml, /resourceVersion: "\d+"/);
    const json = JSON.parse((await kubectl(['get', 'deploy', '-o', 'json'])).stdout);
    assert.equal(json.kind, 'List');
    assert.equal(json.items[0].metadata.name, 'web');
    const wide = (await kubectl(['get', 'deploy', '-o', 'wide'])).stdout;
    assert.match(wide.split('\n')[0]!, /NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR/);
    assert.match(wide, /web\s+0\/3\s+0\s+0\s+\S+\s+sidecar,web\s+busybox,nginx:1.28\s+app=web/);
  });

  test('server-side apply records the manager and reports conflicts unless forced', async () => {
    const cm = (value: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  key: ${value}\n`;
    const r = await kubectl(['apply', '--server-side', '--field-manager=team-a', '-f', '-'], { input: cm('a') });
    assert.match(r.stdout, /configmap\/ssa serverside-applied/);
    const conflict = await kubectl(['apply', '--server-side', '--field-manager=team-b', '-f', '-'], { input: cm('b'), allowFail: true });
    assert.notEqual(conflict.code, 0);
    assert.match(conflict.stderr, /conflict with "team-a"/);
    assert.match(conflict.stderr, /\.data\.key/);
    await kubectl(['apply', '--server-side', '--field-manager=team-b', '--force-conflicts', '-f', '-'], { input: cm('b') });
    const obj = JSON.parse((await kubectl(['get', 'cm', 'ssa', '-o', 'json', '--show-managed-fields'])).stdout);
    assert.equal(obj.data.key, 'b');
    const managers = (obj.metadata.managedFields as { manager: string; operation: string }[]).map((m) => `${m.manager}/${m.operation}`);
    assert.ok(managers.includes('team-b/Apply'), managers.join(','));
  });

  test('patch: strategic, merge and json', async () => {
    await kubectl(['patch', 'deploy', 'web', '-p', JSON.stringify({ spec: { template: { spec: { containers: [{ name: 'web', env: [{ name: 'MODE', value: 'x' }] }] } } } })]);
    await kubectl(['patch', 'deploy', 'web', '--type=merge', '-p', '{"metadata":{"labels":{"merged":"yes"}}}']);
    await kubectl(['patch', 'deploy', 'web', '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":4}]']);
    const obj = JSON.parse((await kubectl(['get', 'deploy', 'web', '-o', 'json'])).stdout);
    const web = obj.spec.template.spec.containers.find((c: { name: string }) => c.name === 'web');
    assert.deepEqual(web.env, [{ name: 'MODE', value: 'x' }]);
    assert.equal(web.image, 'nginx:1.28');
    assert.equal(obj.metadata.labels.merged, 'yes');
    assert.equal(obj.spec.replicas, 4);
    const bad = await kubectl(['patch', 'deploy', 'web', '--type=json', '-p', '[{"op":"test","path":"/spec/replicas","value":99}]'], { allowFail: true });
    assert.notEqual(bad.code, 0);
  });

  test('label, annotate and scale', async () => {
    await kubectl(['label', 'deploy', 'web', 'tier=frontend']);
    await kubectl(['annotate', 'deploy', 'web', 'owner=team-a']);
    const scaled = await kubectl(['scale', 'deploy', 'web', '--replicas=5']);
    assert.match(scaled.stdout, /scaled/);
    const obj = JSON.parse((await kubectl(['get', 'deploy', 'web', '-o', 'json'])).stdout);
    assert.equal(obj.metadata.labels.tier, 'frontend');
    assert.equal(obj.metadata.annotations.owner, 'team-a');
    assert.equal(obj.spec.replicas, 5);
    const selected = await kubectl(['get', 'deploy', '-l', 'tier in (frontend),app!=nope', '-o', 'name']);
    assert.equal(selected.stdout.trim(), 'deployment.apps/web');
    const none = await kubectl(['get', 'deploy', '-l', 'tier=backend', '-o', 'name']);
    assert.equal(none.stdout.trim(), '');
  });

  test('edit through KUBE_EDITOR', async () => {
    const editor = path.join(server.dataDir, 'editor.sh');
    writeFileSync(editor, `#!/bin/sh\nsed -i 's/replicas: 5/replicas: 6/' "$1"\n`);
    chmodSync(editor, 0o755);
    const r = await kubectl(['edit', 'deploy', 'web'], { env: { KUBE_EDITOR: editor, EDITOR: editor } });
    assert.match(r.stdout, /edited/);
    const replicas = (await kubectl(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}'])).stdout;
    assert.equal(replicas, '6');
  });

  test('diff shows a pending change and exits 1, then 0 when in sync', async () => {
    const changed = await kubectl(['diff', '-f', '-'], { input: DEPLOYMENT('nginx:1.29', 6), allowFail: true });
    assert.equal(changed.code, 1, changed.stderr);
    assert.match(changed.stdout, /-\s+image: nginx:1.28/);
    assert.match(changed.stdout, /\+\s+image: nginx:1.29/);
    const live = (await kubectl(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.spec.containers[?(@.name=="web")].image}'])).stdout;
    assert.equal(live, 'nginx:1.28', 'diff must not change the live object');
  });

  test('get -w streams changes', async () => {
    await kubectl(['create', 'configmap', 'watched', '--from-literal=a=1']);
    const proc = spawn('kubectl', ['--kubeconfig', server.kubeconfig, 'get', 'configmap', 'watched', '-w', '--output-watch-events'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (b: Buffer) => (out += b.toString()));
    try {
      await waitFor('initial watch output', () => (out.includes('watched') ? true : undefined), 15_000);
      await kubectl(['label', 'configmap', 'watched', 'x=y']);
      await waitFor('MODIFIED event', () => (/MODIFIED\s+watched/.test(out) ? true : undefined), 15_000);
      await kubectl(['delete', 'configmap', 'watched']);
      await waitFor('DELETED event', () => (/DELETED\s+watched/.test(out) ? true : undefined), 15_000);
    } finally {
      proc.kill();
    }
  });

  test('CRD: create, custom resources, printer columns, defaults, validation, explain, scale', async () => {
    await kubectl(['create', '-f', '-'], { input: CRD });
    const ct = `apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata:\n  name: nightly\nspec:\n  cronSpec: "0 3 * * *"\n  image: backup:1\n`;
    // The CRD is served within a second of being created.
    await waitFor('CronTab to be served', async () => ((await kubectl(['create', '-f', '-'], { input: ct, allowFail: true })).code === 0 ? true : undefined), 10_000, 100);
    const table = (await kubectl(['get', 'ct'])).stdout;
    assert.match(table.split('\n')[0]!, /NAME\s+SCHEDULE\s+AGE/);
    assert.match(table, /nightly\s+0 3 \* \* \*/);
    const obj = JSON.parse((await kubectl(['get', 'crontab', 'nightly', '-o', 'json'])).stdout);
    assert.equal(obj.spec.replicas, 1, 'schema default applied');

    const invalid = await kubectl(['create', '-f', '-'], { input: ct.replace('nightly', 'broken').replace('0 3 * * *', 'bad'), allowFail: true });
    assert.notEqual(invalid.code, 0);
    assert.match(invalid.stderr, /is invalid: spec.cronSpec/);
    const unknown = await kubectl(['create', '-f', '-'], { input: ct.replace('nightly', 'strict') + '  bogus: 1\n', allowFail: true });
    assert.match(unknown.stderr, /unknown field "spec.bogus"/);
    const smp = await kubectl(['patch', 'ct', 'nightly', '-p', '{"spec":{"image":"x"}}'], { allowFail: true });
    assert.notEqual(smp.code, 0, 'strategic merge patch is refused for custom resources');

    const explain = (await kubectl(['explain', 'crontab.spec'])).stdout;
    assert.match(explain, /Desired schedule and image/);
    assert.match(explain, /cronSpec\s+<string>/);

    await kubectl(['scale', 'ct', 'nightly', '--replicas=4']);
    assert.equal((await kubectl(['get', 'ct', 'nightly', '-o', 'jsonpath={.spec.replicas}'])).stdout, '4');
  });

  test('wait --for=condition sees a status change', async () => {
    const waiter = kubectl(['wait', '--for=condition=Ready', 'crontab/nightly', '--timeout=30s'], { allowFail: true });
    await new Promise((r) => setTimeout(r, 500));
    await kubectl(['patch', 'crontab', 'nightly', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { conditions: [{ type: 'Ready', status: 'True' }] } })]);
    const r = await waiter;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /condition met/);
    // The status write did not touch spec or bump generation.
    const obj = JSON.parse((await kubectl(['get', 'ct', 'nightly', '-o', 'json'])).stdout);
    assert.equal(obj.spec.replicas, 4);
  });

  test('delete, and deleting the CRD removes its objects', async () => {
    const r = await kubectl(['delete', 'deploy', 'web']);
    assert.match(r.stdout, /deployment.apps "web" deleted/);
    const deleted = await kubectl(['get', 'deploy', 'web'], { allowFail: true });
    assert.match(deleted.stderr, /NotFound|not found/);
    await kubectl(['delete', 'crd', 'crontabs.stable.example.com']);
    const crds = await kubectl(['get', 'crd', '-o', 'name']);
    assert.doesNotMatch(crds.stdout, /crontabs/);
    assert.match(crds.stdout, /propagationpolicies.policy.karmada.io/, 'the Karmada CRDs stay');
    const gone = await kubectl(['get', 'crontabs'], { allowFail: true });
    assert.notEqual(gone.code, 0);
  });

  test('namespace deletion removes its contents; create in a missing namespace is 404', async () => {
    await kubectl(['create', 'namespace', 'scratch']);
    await kubectl(['create', 'configmap', 'inside', '-n', 'scratch', '--from-literal=a=b']);
    await kubectl(['delete', 'namespace', 'scratch', '--wait=true', '--timeout=30s']);
    const ns = await kubectl(['get', 'ns', 'scratch'], { allowFail: true });
    assert.notEqual(ns.code, 0);
    const create = await kubectl(['create', 'configmap', 'late', '-n', 'scratch', '--from-literal=a=b'], { allowFail: true });
    assert.match(create.stderr, /namespaces "scratch" not found/);
  });

  test('bad input gets a clear error and stores nothing', async () => {
    const badName = await kubectl(['create', 'configmap', 'Not_Valid'], { allowFail: true });
    assert.match(badName.stderr, /Invalid value: "Not_Valid"/);
    const noContainers = await kubectl(['create', '-f', '-', '--validate=false'], {
      input: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: empty\nspec:\n  selector:\n    matchLabels: {a: b}\n  template:\n    metadata:\n      labels: {a: b}\n    spec:\n      containers: []\n',
      allowFail: true,
    });
    assert.match(noContainers.stderr, /spec.template.spec.containers: Required value/);
    const exists = await kubectl(['get', 'deploy', 'empty'], { allowFail: true });
    assert.notEqual(exists.code, 0);
  });
});
