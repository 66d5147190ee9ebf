import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { ApiError } from '../errors.js';
import {
  MESSAGES,
  ROOT_MESSAGES,
  WireReader,
  decodeKubernetesProtobuf,
  decodeProtobufMessage,
  isKubernetesProtobuf,
  supportedProtobufKinds,
} from './index.js';

// ---- a tiny test-only protobuf writer ----
type Bytes = Uint8Array;
const cat = (...parts: Bytes[]): Bytes => Buffer.concat(parts);
function varint(v: number | bigint): Bytes {
  let x = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  do {
    let b = Number(x & 0x7fn);
    x >>= 7n;
    if (x) b |= 0x80;
    out.push(b);
  } while (x);
  return Uint8Array.from(out);
}
const key = (no: number, wt: number) => varint(no * 8 + wt);
/** varint field (int32/int64/bool); negatives take 10 bytes, as Go writes them. */
const vi = (no: number, v: number | bigint | boolean) => cat(key(no, 0), varint(typeof v === 'boolean' ? (v ? 1 : 0) : v));
const ld = (no: number, b: Bytes) => cat(key(no, 2), varint(b.length), b);
const str = (no: number, s: string) => ld(no, Buffer.from(s, 'utf8'));
const msg = (no: number, ...parts: Bytes[]) => ld(no, cat(...parts));
const entry = (no: number, k: string, v: string | Bytes) => msg(no, str(1, k), typeof v === 'string' ? str(2, v) : ld(2, v));
const intOrString = (no: number, v: number | string) =>
  typeof v === 'number' ? msg(no, vi(1, 0), vi(2, v), str(3, '')) : msg(no, vi(1, 1), vi(2, 0), str(3, v));
const quantity = (no: number, k: string, q: string) => msg(no, str(1, k), msg(2, str(1, q)));

const MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);
const envelope = (apiVersion: string, kind: string, raw: Bytes, contentEncoding = '') =>
  cat(MAGIC, msg(1, str(1, apiVersion), str(2, kind)), ld(2, raw), str(3, contentEncoding), str(4, ''));

/** ObjectMeta as the Go generator writes it: every non-pointer field, zero or not. */
const objectMeta = (name: string, ...extra: Bytes[]) =>
  msg(1, str(1, name), str(2, ''), str(3, 'default'), str(4, ''), str(5, ''), str(6, ''), vi(7, 0), msg(8), ...extra);

function decode(body: Bytes) {
  return decodeKubernetesProtobuf(body).object;
}

function assertApiError(fn: () => unknown, code: number, re: RegExp) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ApiError, `not an ApiError: ${String(e)}`);
    assert.equal(e.code, code);
    assert.match(e.message, re);
    return true;
  });
}

describe('WireReader', () => {
  test('varints, negatives, fixed widths', () => {
    const r = new WireReader(cat(varint(300), varint(-1), varint(2n ** 63n), vi(1, -5), Uint8Array.of(1, 0, 0, 0), Uint8Array.of(0, 0, 0, 0, 0, 0, 0xf0, 0x3f)));
    assert.equal(r.uint32(), 300);
    assert.equal(r.int32(), -1);
    assert.equal(r.varint(), 2n ** 63n);
    assert.deepEqual(r.tag(), { field: 1, wireType: 0 });
    assert.equal(r.int64(), -5);
    assert.equal(r.fixed32(), 1);
    assert.equal(r.double(), 1);
    assert.ok(r.eof());
  });

  test('skips every wire type, groups included', () => {
    const group = cat(key(7, 3), vi(1, 1), str(2, 'x'), key(7, 4));
    const r = new WireReader(cat(vi(1, 5), key(2, 1), new Uint8Array(8), str(3, 'abc'), key(4, 5), new Uint8Array(4), group, vi(9, 1)));
    for (let i = 0; i < 5; i++) {
      const t = r.tag();
      r.skip(t.wireType, t.field);
    }
    assert.deepEqual(r.tag(), { field: 9, wireType: 0 });
  });

  test('rejects truncated input', () => {
    assert.throws(() => new WireReader(Uint8Array.of(0x80)).varint(), /truncated varint/);
    assert.throws(() => new WireReader(cat(varint(5), Uint8Array.of(1))).bytes(), /runs past the end/);
    assert.throws(() => new WireReader(Uint8Array.of(1, 2)).fixed32(), /truncated fixed32/);
  });
});

describe('decodeKubernetesProtobuf', () => {
  test('ConfigMap: data, binaryData (base64), immutable; zero-valued metadata omitted', () => {
    const raw = cat(
      objectMeta('cm1', entry(11, 'app', 'web')),
      entry(2, 'a', 'b'),
      entry(2, 'empty', ''),
      entry(3, 'bin', Uint8Array.of(0, 1, 2, 255)),
      vi(4, true),
    );
    assert.deepEqual(decode(envelope('v1', 'ConfigMap', raw)), {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm1', namespace: 'default', labels: { app: 'web' } },
      data: { a: 'b', empty: '' },
      binaryData: { bin: 'AAEC/w==' },
      immutable: true,
    });
  });

  test('Secret: data bytes become base64; a pointer false is kept', () => {
    const raw = cat(objectMeta('s1'), entry(2, 'password', Buffer.from('s3cr3t')), entry(4, 'plain', 'text'), str(3, 'Opaque'), vi(5, false));
    assert.deepEqual(decode(envelope('v1', 'Secret', raw)), {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's1', namespace: 'default' },
      data: { password: Buffer.from('s3cr3t').toString('base64') },
      stringData: { plain: 'text' },
      type: 'Opaque',
      immutable: false,
    });
  });

  test('Deployment: containers, ports, resource quantities, strategy, empty structs kept', () => {
    const container = msg(
      2,
      str(1, 'web'),
      str(2, 'nginx:1.27'),
      msg(6, str(1, 'http'), vi(2, 0), vi(3, 8080), str(4, 'TCP'), str(5, '')),
      msg(8, quantity(1, 'cpu', '500m'), quantity(1, 'memory', '128Mi'), quantity(2, 'cpu', '250m')),
      str(13, '/dev/termination-log'),
      str(14, 'IfNotPresent'),
      vi(16, false),
      str(20, 'File'),
    );
    const podSpec = cat(container, str(3, 'Always'), vi(4, 30), str(6, 'ClusterFirst'), str(8, ''), vi(11, false), str(19, 'default-scheduler'));
    const raw = cat(
      objectMeta('web', entry(11, 'app', 'web')),
      msg(
        2,
        vi(1, 3),
        msg(2, entry(1, 'app', 'web'), msg(2, str(1, 'tier'), str(2, 'In'), str(3, 'fe'), str(3, 'be'))),
        msg(3, msg(1, entry(11, 'app', 'web'), msg(8)), msg(2, podSpec)),
        msg(4, str(1, 'RollingUpdate'), msg(2, intOrString(1, 0), intOrString(2, '25%'))),
        vi(5, 0),
        vi(7, false),
      ),
      msg(3, vi(1, 0), vi(2, 0)),
    );
    assert.deepEqual(decode(envelope('apps/v1', 'Deployment', raw)), {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe', 'be'] }] },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [
              {
                name: 'web',
                image: 'nginx:1.27',
                ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
                resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '250m' } },
                terminationMessagePath: '/dev/termination-log',
                imagePullPolicy: 'IfNotPresent',
                terminationMessagePolicy: 'File',
              },
            ],
            restartPolicy: 'Always',
            terminationGracePeriodSeconds: 30,
            dnsPolicy: 'ClusterFirst',
            schedulerName: 'default-scheduler',
          },
        },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } },
      },
      status: {},
    });
  });

  test('RoleBinding: subjects and roleRef (no omitempty on their names)', () => {
    const raw = cat(
      objectMeta('rb'),
      msg(2, str(1, 'User'), str(2, 'rbac.authorization.k8s.io'), str(3, 'alice'), str(4, '')),
      msg(2, str(1, 'ServiceAccount'), str(2, ''), str(3, 'default'), str(4, 'kube-system')),
      msg(3, str(1, 'rbac.authorization.k8s.io'), str(2, 'ClusterRole'), str(3, 'view')),
    );
    assert.deepEqual(decode(envelope('rbac.authorization.k8s.io/v1', 'RoleBinding', raw)), {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'rb', namespace: 'default' },
      subjects: [
        { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' },
        { kind: 'ServiceAccount', name: 'default', namespace: 'kube-system' },
      ],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    });
  });

  test('Service: IntOrString targetPort as number, as string, and unset', () => {
    const port = (name: string, p: number, target?: number | string) =>
      msg(1, str(1, name), str(2, 'TCP'), vi(3, p), target === undefined ? msg(4, vi(1, 0), vi(2, 0), str(3, '')) : intOrString(4, target), vi(5, 0));
    const raw = cat(
      objectMeta('svc'),
      msg(2, port('http', 80, 8080), port('https', 443, 'https'), port('dns', 53), entry(2, 'app', 'web'), str(3, '10.0.0.10'), str(4, 'ClusterIP'), str(7, '')),
      msg(3, msg(1)),
    );
    assert.deepEqual(decode(envelope('v1', 'Service', raw)), {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'svc', namespace: 'default' },
      spec: {
        ports: [
          { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 },
          { name: 'https', protocol: 'TCP', port: 443, targetPort: 'https' },
          { name: 'dns', protocol: 'TCP', port: 53 },
        ],
        selector: { app: 'web' },
        clusterIP: '10.0.0.10',
        type: 'ClusterIP',
      },
      status: { loadBalancer: {} },
    });
  });

  test('metadata: timestamps, ownerReferences, managedFields (FieldsV1 as JSON), negative pointer int', () => {
    const t = (no: number, seconds: number, nanos = 0) => msg(no, vi(1, seconds), vi(2, nanos));
    const raw = objectMeta(
      'x',
      t(9, 1704164645, 123),
      vi(10, -1),
      msg(13, str(1, 'ReplicaSet'), str(3, 'rs'), str(4, 'uid-1'), str(5, 'apps/v1'), vi(6, true)),
      msg(17, str(1, 'kubectl'), str(2, 'Apply'), str(3, 'v1'), t(4, 0), str(6, 'FieldsV1'), msg(7, str(1, '{"f:data":{".":{}}}')), str(8, '')),
    );
    assert.deepEqual(decode(envelope('v1', 'ConfigMap', raw)).metadata, {
      name: 'x',
      namespace: 'default',
      deletionTimestamp: '2024-01-02T03:04:05Z',
      deletionGracePeriodSeconds: -1,
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'uid-1', controller: true }],
      managedFields: [{ manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', time: '1970-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { '.': {} } } }],
    });
  });

  test('inline embedded structs, packed and unpacked repeated ints, pointer zeros', () => {
    const podSpec = cat(
      msg(1, str(1, 'cfg'), msg(2, msg(19, msg(1, str(1, 'app-config')), vi(3, 420), vi(4, false)))),
      msg(
        2,
        str(1, 'c'),
        str(2, 'img'),
        msg(10, msg(1, msg(2, str(1, '/healthz'), intOrString(2, 'http'), str(4, 'HTTP'))), vi(2, 5), vi(3, 0)),
        msg(7, str(1, 'X'), str(2, ''), msg(3, msg(3, msg(1, str(1, 'cm')), str(2, 'k')))),
      ),
      vi(4, 0),
      msg(14, ld(4, cat(varint(1), varint(2))), vi(4, 3)),
    );
    const raw = cat(objectMeta('p'), msg(2, podSpec));
    assert.deepEqual(decode(envelope('v1', 'Pod', raw)).spec, {
      volumes: [{ name: 'cfg', configMap: { name: 'app-config', defaultMode: 420, optional: false } }],
      containers: [
        {
          name: 'c',
          image: 'img',
          livenessProbe: { httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' }, initialDelaySeconds: 5 },
          env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } }],
        },
      ],
      terminationGracePeriodSeconds: 0,
      securityContext: { supplementalGroups: [1, 2, 3] },
    });
  });

  test('a message field sent twice merges, as protobuf specifies', () => {
    const raw = cat(msg(1, str(1, 'a'), entry(11, 'x', '1')), msg(1, str(3, 'ns'), entry(11, 'y', '2')));
    assert.deepEqual(decode(envelope('v1', 'ConfigMap', raw)).metadata, { name: 'a', namespace: 'ns', labels: { x: '1', y: '2' } });
  });

  test('every root kind decodes an empty object to apiVersion/kind/empty structs', () => {
    for (const [gvk, root] of Object.entries(ROOT_MESSAGES)) {
      const i = gvk.lastIndexOf('/');
      const d = decodeKubernetesProtobuf(envelope(gvk.slice(0, i), gvk.slice(i + 1), objectMeta('n')));
      assert.equal(d.object.kind, gvk.slice(i + 1), root);
      assert.deepEqual(d.object.metadata, { name: 'n', namespace: 'default' });
    }
    assert.deepEqual(supportedProtobufKinds(), Object.keys(ROOT_MESSAGES));
  });

  test('the table is closed: every message type it names is defined or decoded specially', () => {
    const special = /\.(Time|MicroTime|FieldsV1|RawExtension|Quantity|IntOrString)$/;
    const scalars = new Set(['string', 'bytes', 'bool', 'int32', 'int64', 'double']);
    for (const root of Object.values(ROOT_MESSAGES)) assert.ok(MESSAGES[root], root);
    for (const [name, def] of Object.entries(MESSAGES)) {
      for (const [no, f] of Object.entries(def)) {
        assert.ok(scalars.has(f.type) || MESSAGES[f.type] || special.test(f.type), `${name}.${no} → ${f.type}`);
      }
    }
  });
});

describe('errors', () => {
  test('an unknown field names the field, message and path (415)', () => {
    const raw = cat(objectMeta('d'), msg(2, msg(3, msg(2, str(19, 'default-scheduler'), ld(99, Uint8Array.of(1))))));
    assertApiError(
      () => decodeKubernetesProtobuf(envelope('apps/v1', 'Deployment', raw)),
      415,
      /^protobuf field 99 \(wire type 2\) of k8s\.io\.api\.core\.v1\.PodSpec at spec\.template\.spec is not supported by this server; send the object as JSON/,
    );
    assertApiError(() => decodeProtobufMessage(cat(str(1, 'x'), vi(42, 1)), 'k8s.io.api.core.v1.Container'), 415, /protobuf field 42 .* of k8s\.io\.api\.core\.v1\.Container/);
  });

  test('an unknown kind lists the supported ones (415)', () => {
    assertApiError(() => decodeKubernetesProtobuf(envelope('apps/v1', 'StatefulSet', new Uint8Array(0))), 415, /supported only for v1\/ConfigMap, .*apps\/v1\/Deployment.*got apps\/v1\/StatefulSet/);
  });

  test('malformed bodies (400)', () => {
    assertApiError(() => decodeKubernetesProtobuf(Buffer.from('{"kind":"ConfigMap"}')), 400, /magic/);
    assertApiError(() => decodeKubernetesProtobuf(cat(MAGIC, ld(2, new Uint8Array(0)))), 400, /no apiVersion\/kind/);
    const truncated = envelope('v1', 'ConfigMap', objectMeta('x')).subarray(0, 30);
    assertApiError(() => decodeKubernetesProtobuf(truncated), 400, /invalid protobuf request body/);
    assertApiError(() => decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', vi(1, 5))), 400, /field 1 of k8s\.io\.api\.core\.v1\.ConfigMap \(metadata\) has wire type 0, expected 2/);
    assertApiError(() => decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', msg(1, vi(1, 5)))), 400, /has wire type 0, expected 2/);
  });

  test('content encodings are refused (415)', () => {
    assertApiError(() => decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', new Uint8Array(0), 'gzip')), 415, /content encoding "gzip"/);
  });
});

test('isKubernetesProtobuf', () => {
  assert.equal(isKubernetesProtobuf('application/vnd.kubernetes.protobuf'), true);
  assert.equal(isKubernetesProtobuf('Application/Vnd.Kubernetes.Protobuf; charset=binary'), true);
  assert.equal(isKubernetesProtobuf('application/json'), false);
  assert.equal(isKubernetesProtobuf('application/vnd.kubernetes.protobuf.foo'), false);
  assert.equal(isKubernetesProtobuf(undefined), false);
});
