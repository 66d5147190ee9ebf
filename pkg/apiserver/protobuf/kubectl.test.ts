// Real kubectl (1.32) sends typed-client request bodies as Kubernetes protobuf. A tiny HTTPS server
// captures them; each must decode to exactly the object kubectl shows for `--dry-run=client -o json`
// (the same typed object, encoded by Go's encoding/json).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { buildKubeconfig, loadOrCreatePKI, writeKubeconfig } from '../../pki/index.js';
import { decodeKubernetesProtobuf, isKubernetesProtobuf } from './index.js';

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: 60_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

interface Captured {
  method: string;
  path: string;
  contentType: string;
  body: Buffer;
}

const resource = (name: string, kind: string, namespaced: boolean, verbs = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']) => ({
  name,
  singularName: kind.toLowerCase(),
  namespaced,
  kind,
  verbs,
});

const GROUPS: Record<string, ReturnType<typeof resource>[]> = {
  v1: [
    resource('pods', 'Pod', true),
    resource('configmaps', 'ConfigMap', true),
    resource('secrets', 'Secret', true),
    resource('namespaces', 'Namespace', false),
    resource('serviceaccounts', 'ServiceAccount', true),
    { ...resource('serviceaccounts/token', 'TokenRequest', true, ['create']), singularName: '' },
    resource('services', 'Service', true),
    resource('resourcequotas', 'ResourceQuota', true),
  ],
  'apps/v1': [resource('deployments', 'Deployment', true)],
  'batch/v1': [resource('jobs', 'Job', true), resource('cronjobs', 'CronJob', true)],
  'rbac.authorization.k8s.io/v1': [
    resource('roles', 'Role', true),
    resource('clusterroles', 'ClusterRole', false),
    resource('rolebindings', 'RoleBinding', true),
    resource('clusterrolebindings', 'ClusterRoleBinding', false),
  ],
  'policy/v1': [resource('poddisruptionbudgets', 'PodDisruptionBudget', true)],
  'networking.k8s.io/v1': [resource('ingresses', 'Ingress', true)],
  'scheduling.k8s.io/v1': [resource('priorityclasses', 'PriorityClass', false)],
  'autoscaling/v1': [resource('horizontalpodautoscalers', 'HorizontalPodAutoscaler', true)],
  'authorization.k8s.io/v1': [
    resource('selfsubjectaccessreviews', 'SelfSubjectAccessReview', false, ['create']),
    resource('selfsubjectrulesreviews', 'SelfSubjectRulesReview', false, ['create']),
  ],
  'authentication.k8s.io/v1': [resource('selfsubjectreviews', 'SelfSubjectReview', false, ['create'])],
};

function discovery(p: string): unknown {
  if (p === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] };
  if (p === '/apis') {
    const groups = Object.keys(GROUPS)
      .filter((gv) => gv.includes('/'))
      .map((gv) => {
        const [name, version] = gv.split('/') as [string, string];
        return { name, versions: [{ groupVersion: gv, version }], preferredVersion: { groupVersion: gv, version } };
      });
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }
  const gv = p === '/api/v1' ? 'v1' : p.startsWith('/apis/') ? p.slice('/apis/'.length) : undefined;
  if (gv && GROUPS[gv]) return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources: GROUPS[gv] };
  return undefined;
}

/** A CronJob whose job template fills most of PodSpec/Container/JobSpec: `kubectl create job --from` copies it. */
const RICH_CRONJOB = {
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'rich', namespace: 'default', uid: '0b7a4f4c-0e1e-4e43-9d4b-2f8f9d2a6c11', resourceVersion: '7', creationTimestamp: '2024-01-02T03:04:05Z' },
  spec: {
    schedule: '*/5 * * * *',
    jobTemplate: {
      metadata: { labels: { app: 'rich', tier: 'batch' }, annotations: { note: 'hello' } },
      spec: {
        parallelism: 2,
        completions: 3,
        completionMode: 'Indexed',
        backoffLimit: 0,
        backoffLimitPerIndex: 1,
        maxFailedIndexes: 2,
        activeDeadlineSeconds: 600,
        ttlSecondsAfterFinished: 100,
        suspend: false,
        podReplacementPolicy: 'Failed',
        podFailurePolicy: {
          rules: [
            { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42, 43] } },
            { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
          ],
        },
        template: {
          metadata: { labels: { app: 'rich' }, annotations: { 'x/y': 'z' } },
          spec: {
            restartPolicy: 'Never',
            terminationGracePeriodSeconds: 0,
            activeDeadlineSeconds: 300,
            dnsPolicy: 'ClusterFirst',
            nodeSelector: { 'kubernetes.io/os': 'linux', disk: 'ssd' },
            serviceAccountName: 'runner',
            automountServiceAccountToken: false,
            hostname: 'h1',
            subdomain: 'sub',
            schedulerName: 'default-scheduler',
            priorityClassName: 'high',
            enableServiceLinks: false,
            imagePullSecrets: [{ name: 'regcred' }],
            securityContext: {
              runAsUser: 1000,
              runAsGroup: 3000,
              runAsNonRoot: true,
              fsGroup: 2000,
              supplementalGroups: [4000, 5000],
              sysctls: [{ name: 'net.ipv4.ip_local_port_range', value: '1024 65535' }],
              seccompProfile: { type: 'RuntimeDefault' },
            },
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }],
                },
                preferredDuringSchedulingIgnoredDuringExecution: [
                  { weight: 10, preference: { matchExpressions: [{ key: 'gpu', operator: 'Exists' }] } },
                ],
              },
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  {
                    weight: 100,
                    podAffinityTerm: {
                      labelSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['rich'] }] },
                      topologyKey: 'kubernetes.io/hostname',
                    },
                  },
                ],
              },
            },
            tolerations: [
              { key: 'dedicated', operator: 'Equal', value: 'batch', effect: 'NoSchedule' },
              { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 },
            ],
            hostAliases: [{ ip: '10.0.0.1', hostnames: ['db.local', 'cache.local'] }],
            dnsConfig: { nameservers: ['1.1.1.1'], searches: ['svc.local'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] },
            topologySpreadConstraints: [
              { maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'rich' } } },
            ],
            initContainers: [
              {
                name: 'init',
                image: 'busybox:1.36',
                command: ['sh', '-c', 'echo init'],
                restartPolicy: 'Always',
                resources: {},
                terminationMessagePath: '/dev/termination-log',
                terminationMessagePolicy: 'File',
                imagePullPolicy: 'IfNotPresent',
              },
            ],
            containers: [
              {
                name: 'main',
                image: 'registry.example.com/app:v1.2.3',
                command: ['/app'],
                args: ['--flag', '--level=3'],
                workingDir: '/work',
                ports: [
                  { name: 'http', containerPort: 8080, protocol: 'TCP' },
                  { name: 'metrics', containerPort: 9090, hostPort: 19090, protocol: 'UDP' },
                ],
                envFrom: [{ configMapRef: { name: 'cm-env' }, prefix: 'CM_' }, { secretRef: { name: 'sec-env', optional: true } }],
                env: [
                  { name: 'PLAIN', value: 'v' },
                  { name: 'EMPTY' },
                  { name: 'FROM_CM', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k', optional: false } } },
                  { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 's', key: 'password' } } },
                  { name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } },
                  { name: 'MEM', valueFrom: { resourceFieldRef: { containerName: 'main', resource: 'limits.memory', divisor: '1Mi' } } },
                ],
                resources: {
                  limits: { cpu: '500m', memory: '128Mi', 'nvidia.com/gpu': '1' },
                  requests: { cpu: '250m', memory: '64Mi' },
                },
                volumeMounts: [
                  { name: 'cache', mountPath: '/cache' },
                  { name: 'config', mountPath: '/etc/config', readOnly: true, subPath: 'app.yaml' },
                  { name: 'token', mountPath: '/var/run/token', readOnly: true },
                ],
                livenessProbe: {
                  httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP', httpHeaders: [{ name: 'X-Probe', value: '1' }] },
                  initialDelaySeconds: 5,
                  periodSeconds: 10,
                  timeoutSeconds: 1,
                  successThreshold: 1,
                  failureThreshold: 3,
                },
                readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 5 },
                startupProbe: { exec: { command: ['cat', '/tmp/ready'] }, failureThreshold: 30, terminationGracePeriodSeconds: 10 },
                lifecycle: { preStop: { exec: { command: ['sleep', '5'] } }, postStart: { httpGet: { path: '/start', port: 8080 } } },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  privileged: false,
                  readOnlyRootFilesystem: true,
                  runAsNonRoot: true,
                  runAsUser: 1000,
                  capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] },
                },
                terminationMessagePath: '/dev/termination-log',
                terminationMessagePolicy: 'FallbackToLogsOnError',
                imagePullPolicy: 'Always',
                stdin: true,
                tty: true,
              },
            ],
            volumes: [
              { name: 'cache', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } },
              { name: 'config', configMap: { name: 'app-config', items: [{ key: 'app.yaml', path: 'app.yaml', mode: 0o400 }], defaultMode: 420, optional: true } },
              { name: 'secret', secret: { secretName: 'app-secret', defaultMode: 256 } },
              { name: 'data', persistentVolumeClaim: { claimName: 'data-pvc', readOnly: true } },
              { name: 'host', hostPath: { path: '/var/log', type: 'DirectoryOrCreate' } },
              {
                name: 'token',
                projected: {
                  defaultMode: 420,
                  sources: [
                    { serviceAccountToken: { audience: 'api', expirationSeconds: 3600, path: 'token' } },
                    { configMap: { name: 'ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
                    { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
                  ],
                },
              },
            ],
          },
        },
      },
    },
  },
};

interface FakeServer {
  url: string;
  kubeconfig: string;
  cacheDir: string;
  captured: Captured[];
  close(): Promise<void>;
}

async function startFakeApiServer(dir: string): Promise<FakeServer> {
  const pki = await loadOrCreatePKI(path.join(dir, 'pki'), { hosts: ['127.0.0.1', 'localhost'] });
  const captured: Captured[] = [];
  const server = https.createServer({ key: pki.servingKeyPem, cert: pki.servingCertPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      const send = (code: number, obj: unknown) => {
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(JSON.stringify(obj));
      };
      const status = (code: number, reason: string, message: string) =>
        send(code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
      if (req.method === 'GET') {
        if (url.pathname === '/version') return send(200, { major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' });
        if (url.pathname === '/apis/batch/v1/namespaces/default/cronjobs/rich') return send(200, RICH_CRONJOB);
        const d = discovery(url.pathname);
        if (d) return send(200, d);
        return status(404, 'NotFound', `${url.pathname} not found`);
      }
      if (req.method === 'POST') {
        const contentType = String(req.headers['content-type'] ?? '');
        captured.push({ method: req.method, path: url.pathname, contentType, body });
        let obj: Record<string, unknown>;
        try {
          obj = isKubernetesProtobuf(contentType) ? decodeKubernetesProtobuf(body).object : (JSON.parse(body.toString('utf8')) as Record<string, unknown>);
        } catch (e) {
          return status(415, 'UnsupportedMediaType', (e as Error).message);
        }
        // Echo the object back with what a server would add, so kubectl prints and exits normally.
        const meta = { ...((obj.metadata as Record<string, unknown>) ?? {}) };
        meta.name ??= 'generated';
        meta.uid = '11111111-2222-3333-4444-555555555555';
        meta.resourceVersion = '1';
        meta.creationTimestamp = '2024-01-02T03:04:05Z';
        const echo: Record<string, unknown> = { ...obj, metadata: meta };
        if (obj.kind === 'TokenRequest') echo.status = { token: 'fake-token', expirationTimestamp: '2030-01-01T00:00:00Z' };
        if (obj.kind === 'SelfSubjectAccessReview') echo.status = { allowed: true };
        if (obj.kind === 'SelfSubjectReview') echo.status = { userInfo: { username: 'admin', groups: ['system:masters'] } };
        return send(201, echo);
      }
      return status(405, 'MethodNotAllowed', `${req.method} is not allowed`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `https://127.0.0.1:${port}`;
  const kubeconfig = path.join(dir, 'kubeconfig');
  await writeKubeconfig(
    kubeconfig,
    buildKubeconfig({
      server: url,
      caPem: pki.caCertPem,
      contextName: 'fake',
      clusterName: 'fake',
      namespace: 'default',
      user: { clientCertPem: pki.adminCertPem, clientKeyPem: pki.adminKeyPem },
    }),
  );
  return {
    url,
    kubeconfig,
    cacheDir: path.join(dir, 'cache'),
    captured,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Go's JSON writes `null` for the zero time (`creationTimestamp: null`) and for nil slices without
 * omitempty (`rules: null`); the decoder omits both.
 */
function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = dropNulls(x);
    return out;
  }
  return v;
}

const hasKubectl = (await run('kubectl', ['version', '--client'])).code === 0;

describe('real kubectl protobuf request bodies', { skip: !hasKubectl && 'kubectl not on PATH' }, () => {
  let dir: string;
  let srv: FakeServer;
  let tlsCert: string;
  let tlsKey: string;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pb-kubectl-'));
    srv = await startFakeApiServer(dir);
    // Any PEM pair will do for `create secret tls`: kubectl checks only that the key matches the certificate.
    const pki = await loadOrCreatePKI(path.join(dir, 'pki'), { hosts: ['127.0.0.1'] });
    tlsCert = path.join(dir, 'tls.crt');
    tlsKey = path.join(dir, 'tls.key');
    writeFileSync(tlsCert, pki.servingCertPem);
    writeFileSync(tlsKey, pki.servingKeyPem);
  });
  after(async () => {
    await srv?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const kubectl = (...args: string[]) =>
    run('kubectl', ['--kubeconfig', srv.kubeconfig, '--cache-dir', srv.cacheDir, '--request-timeout=20s', ...args]);

  /** Runs a create command for real and as a client dry run; returns the decoded body and the dry-run JSON. */
  async function capture(args: string[], wantPath: string) {
    const before = srv.captured.length;
    const r = await kubectl(...args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.stderr}`);
    const posts = srv.captured.slice(before);
    assert.equal(posts.length, 1, `expected one POST, got ${posts.map((p) => p.path).join(', ')}`);
    const post = posts[0]!;
    assert.equal(post.path, wantPath);
    assert.ok(isKubernetesProtobuf(post.contentType), `content type ${post.contentType}`);
    assert.deepEqual([...post.body.subarray(0, 4)], [0x6b, 0x38, 0x73, 0x00]);
    return decodeKubernetesProtobuf(post.body);
  }

  async function dryRun(args: string[]): Promise<unknown> {
    const dash = args.indexOf('--');
    const flags = ['--dry-run=client', '-o', 'json'];
    const r = await kubectl(...(dash < 0 ? [...args, ...flags] : [...args.slice(0, dash), ...flags, ...args.slice(dash)]));
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} --dry-run=client failed: ${r.stderr}`);
    return dropNulls(JSON.parse(r.stdout));
  }

  const cases: { args: string[]; path: string; check: (o: Record<string, any>) => void }[] = [
    {
      args: ['create', 'configmap', 'cm1', '--from-literal=a=b', '--from-literal=c=d'],
      path: '/api/v1/namespaces/default/configmaps',
      check: (o) => {
        assert.equal(o.metadata.name, 'cm1');
        assert.deepEqual(o.data, { a: 'b', c: 'd' });
      },
    },
    {
      args: ['create', 'secret', 'generic', 's1', '--from-literal=user=admin', '--from-literal=pw=s3cr3t!'],
      path: '/api/v1/namespaces/default/secrets',
      check: (o) => {
        assert.equal(Buffer.from(o.data.pw, 'base64').toString(), 's3cr3t!');
        assert.equal(Buffer.from(o.data.user, 'base64').toString(), 'admin');
      },
    },
    {
      args: ['create', 'secret', 'docker-registry', 'dr1', '--docker-server=x.io', '--docker-username=u', '--docker-password=p'],
      path: '/api/v1/namespaces/default/secrets',
      check: (o) => {
        assert.equal(o.type, 'kubernetes.io/dockerconfigjson');
        const cfg = JSON.parse(Buffer.from(o.data['.dockerconfigjson'], 'base64').toString());
        assert.equal(cfg.auths['x.io'].username, 'u');
      },
    },
    {
      args: ['create', 'namespace', 'ns1'],
      path: '/api/v1/namespaces',
      check: (o) => {
        assert.equal(o.metadata.name, 'ns1');
        assert.deepEqual(o.spec, {});
        assert.deepEqual(o.status, {});
      },
    },
    {
      args: ['create', 'serviceaccount', 'sa1'],
      path: '/api/v1/namespaces/default/serviceaccounts',
      check: (o) => assert.deepEqual(o, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa1' } }),
    },
    {
      args: ['create', 'deployment', 'd1', '--image=nginx', '--port=80', '--replicas=2'],
      path: '/apis/apps/v1/namespaces/default/deployments',
      check: (o) => {
        assert.equal(o.spec.replicas, 2);
        assert.deepEqual(o.spec.selector, { matchLabels: { app: 'd1' } });
        assert.deepEqual(o.spec.template.spec.containers, [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }], resources: {} }]);
        assert.deepEqual(o.spec.strategy, {});
        assert.deepEqual(o.status, {});
      },
    },
    {
      args: ['create', 'deployment', 'd0', '--image=nginx', '--image=redis', '--replicas=0'],
      path: '/apis/apps/v1/namespaces/default/deployments',
      check: (o) => {
        assert.equal(o.spec.replicas, 0, 'a pointer field keeps its zero value');
        assert.deepEqual(o.spec.template.spec.containers.map((c: { image: string }) => c.image), ['nginx', 'redis']);
      },
    },
    {
      args: ['create', 'service', 'clusterip', 'svc1', '--tcp=80:8080', '--tcp=443:https'],
      path: '/api/v1/namespaces/default/services',
      check: (o) => {
        assert.equal(o.spec.type, 'ClusterIP');
        assert.deepEqual(o.spec.ports, [
          { name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 },
          { name: '443-https', protocol: 'TCP', port: 443, targetPort: 'https' },
        ]);
      },
    },
    {
      args: ['create', 'service', 'clusterip', 'headless', '--clusterip=None'],
      path: '/api/v1/namespaces/default/services',
      check: (o) => assert.equal(o.spec.clusterIP, 'None'),
    },
    {
      args: ['create', 'service', 'nodeport', 'np1', '--tcp=80:8080', '--node-port=30080'],
      path: '/api/v1/namespaces/default/services',
      check: (o) => assert.equal(o.spec.ports[0].nodePort, 30080),
    },
    {
      args: ['create', 'service', 'loadbalancer', 'lb1', '--tcp=80:8080'],
      path: '/api/v1/namespaces/default/services',
      check: (o) => assert.equal(o.spec.type, 'LoadBalancer'),
    },
    {
      args: ['create', 'service', 'externalname', 'en1', '--external-name=foo.com'],
      path: '/api/v1/namespaces/default/services',
      check: (o) => assert.equal(o.spec.externalName, 'foo.com'),
    },
    {
      args: ['create', 'job', 'j1', '--image=busybox', '--', 'echo', 'hi'],
      path: '/apis/batch/v1/namespaces/default/jobs',
      check: (o) => {
        assert.deepEqual(o.spec.template.spec.containers[0].command, ['echo', 'hi']);
        assert.equal(o.spec.template.spec.restartPolicy, 'Never');
      },
    },
    {
      args: ['create', 'cronjob', 'cj1', '--image=busybox', '--schedule=*/1 * * * *', '--', 'date'],
      path: '/apis/batch/v1/namespaces/default/cronjobs',
      check: (o) => {
        assert.equal(o.spec.schedule, '*/1 * * * *');
        assert.equal(o.spec.jobTemplate.spec.template.spec.containers[0].image, 'busybox');
      },
    },
    {
      args: ['create', 'job', 'from-rich', '--from=cronjob/rich'],
      path: '/apis/batch/v1/namespaces/default/jobs',
      check: (o) => {
        assert.deepEqual(o.spec.template, RICH_CRONJOB.spec.jobTemplate.spec.template);
        assert.equal(o.spec.backoffLimit, 0);
        assert.equal(o.spec.suspend, false);
        assert.deepEqual(o.spec.podFailurePolicy, RICH_CRONJOB.spec.jobTemplate.spec.podFailurePolicy);
        assert.equal(o.metadata.ownerReferences[0].uid, RICH_CRONJOB.metadata.uid);
        assert.equal(o.metadata.ownerReferences[0].controller, true);
      },
    },
    {
      args: ['create', 'role', 'r1', '--verb=get', '--verb=list', '--resource=pods', '--resource=deployments.apps', '--resource-name=x'],
      path: '/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles',
      check: (o) => {
        assert.deepEqual(o.rules, [
          { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'], resourceNames: ['x'] },
          { verbs: ['get', 'list'], apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['x'] },
        ]);
      },
    },
    {
      args: ['create', 'clusterrole', 'cr1', '--verb=get', '--resource=pods', '--non-resource-url=/logs/*'],
      path: '/apis/rbac.authorization.k8s.io/v1/clusterroles',
      check: (o) => assert.deepEqual(o.rules[1], { verbs: ['get'], nonResourceURLs: ['/logs/*'] }),
    },
    {
      args: ['create', 'clusterrole', 'agg', '--aggregation-rule=rbac.example.com/aggregate=true'],
      path: '/apis/rbac.authorization.k8s.io/v1/clusterroles',
      check: (o) => assert.deepEqual(o.aggregationRule, { clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/aggregate': 'true' } }] }),
    },
    {
      args: ['create', 'rolebinding', 'rb1', '--role=x', '--user=u'],
      path: '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings',
      check: (o) => {
        assert.deepEqual(o.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'x' });
        assert.deepEqual(o.subjects, [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'u' }]);
      },
    },
    {
      args: ['create', 'clusterrolebinding', 'crb1', '--clusterrole=x', '--group=g', '--serviceaccount=ns:sa'],
      path: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
      check: (o) => assert.deepEqual(o.subjects[1], { kind: 'ServiceAccount', name: 'sa', namespace: 'ns' }),
    },
    {
      args: ['create', 'quota', 'q1', '--hard=cpu=1,memory=1Gi,pods=10', '--scopes=BestEffort'],
      path: '/api/v1/namespaces/default/resourcequotas',
      check: (o) => {
        assert.deepEqual(o.spec.hard, { cpu: '1', memory: '1Gi', pods: '10' });
        assert.deepEqual(o.spec.scopes, ['BestEffort']);
      },
    },
    {
      args: ['create', 'pdb', 'pdb1', '--selector=a=b', '--min-available=50%'],
      path: '/apis/policy/v1/namespaces/default/poddisruptionbudgets',
      check: (o) => {
        assert.equal(o.spec.minAvailable, '50%');
        assert.deepEqual(o.spec.selector, { matchLabels: { a: 'b' } });
      },
    },
    {
      args: ['create', 'pdb', 'pdb0', '--selector=a=b', '--max-unavailable=0'],
      path: '/apis/policy/v1/namespaces/default/poddisruptionbudgets',
      check: (o) => assert.equal(o.spec.maxUnavailable, 0, 'a pointer IntOrString keeps 0'),
    },
    {
      args: ['create', 'ingress', 'ing1', '--rule=foo.com/bar=svc1:8080', '--rule=bar.com/*=svc2:http,tls=my-cert', '--class=nginx', '--annotation=a=b'],
      path: '/apis/networking.k8s.io/v1/namespaces/default/ingresses',
      check: (o) => {
        assert.equal(o.spec.ingressClassName, 'nginx');
        assert.deepEqual(o.spec.rules[0], {
          host: 'foo.com',
          http: { paths: [{ path: '/bar', pathType: 'Exact', backend: { service: { name: 'svc1', port: { number: 8080 } } } }] },
        });
        assert.deepEqual(o.spec.rules[1].http.paths[0].backend.service.port, { name: 'http' });
        assert.deepEqual(o.spec.tls, [{ hosts: ['bar.com'], secretName: 'my-cert' }]);
        assert.deepEqual(o.metadata.annotations, { a: 'b' });
      },
    },
    {
      args: ['create', 'priorityclass', 'pc1', '--value=10', '--description=d', '--preemption-policy=Never'],
      path: '/apis/scheduling.k8s.io/v1/priorityclasses',
      check: (o) => {
        assert.equal(o.value, 10);
        assert.equal(o.preemptionPolicy, 'Never');
      },
    },
  ];

  for (const c of cases) {
    test(`kubectl ${c.args.join(' ')}`, async () => {
      const decoded = await capture(c.args, c.path);
      assert.equal(decoded.object.kind, decoded.kind);
      assert.equal(decoded.object.apiVersion, decoded.apiVersion);
      c.check(decoded.object as Record<string, any>);
      assert.deepEqual(decoded.object, await dryRun(c.args));
    });
  }

  test('kubectl create secret tls', async () => {
    const args = ['create', 'secret', 'tls', 't1', `--cert=${tlsCert}`, `--key=${tlsKey}`];
    const decoded = await capture(args, '/api/v1/namespaces/default/secrets');
    const o = decoded.object as Record<string, any>;
    assert.equal(o.type, 'kubernetes.io/tls');
    assert.match(Buffer.from(o.data['tls.crt'], 'base64').toString(), /BEGIN CERTIFICATE/);
    assert.deepEqual(decoded.object, await dryRun(args));
  });

  test('kubectl create token', async () => {
    const decoded = await capture(['create', 'token', 'sa1', '--duration=1h', '--audience=a1', '--audience=a2'], '/api/v1/namespaces/default/serviceaccounts/sa1/token');
    assert.deepEqual(decoded.object, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      metadata: {},
      spec: { audiences: ['a1', 'a2'], expirationSeconds: 3600 },
      status: { token: '' }, // TokenRequestStatus.token has no omitempty
    });
  });

  test('kubectl auth can-i', async () => {
    const r = await kubectl('auth', 'can-i', 'get', 'pods', '--subresource=log');
    assert.equal(r.stdout.trim(), 'yes', r.stderr);
    const post = srv.captured.at(-1)!;
    assert.equal(post.path, '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews');
    const o = decodeKubernetesProtobuf(post.body).object as Record<string, any>;
    assert.equal(o.kind, 'SelfSubjectAccessReview');
    assert.deepEqual(o.spec.resourceAttributes, { namespace: 'default', verb: 'get', resource: 'pods', subresource: 'log' });
  });

  test('kubectl auth whoami', async () => {
    const r = await kubectl('auth', 'whoami', '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    const post = srv.captured.at(-1)!;
    assert.equal(post.path, '/apis/authentication.k8s.io/v1/selfsubjectreviews');
    const o = decodeKubernetesProtobuf(post.body).object as Record<string, any>;
    assert.equal(o.kind, 'SelfSubjectReview');
    assert.equal(JSON.parse(r.stdout).status.userInfo.username, 'admin');
  });
});
