import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import type { KubeObject, ResourceDescriptor } from '../registry/types.js';
import { humanDuration } from './duration.js';
import { goFloat, labelSelectorString } from './format.js';
import { evaluateJsonPath } from './jsonpath-lite.js';
import { createWatchTableConverter, tableColumns, tableForWatchEvent, toTable } from './table.js';

const NOW = new Date('2025-06-01T12:00:00Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

function desc(group: string, version: string, resource: string, kind: string, extra: Partial<ResourceDescriptor> = {}): ResourceDescriptor {
  return {
    group,
    version,
    resource,
    singular: kind.toLowerCase(),
    kind,
    listKind: `${kind}List`,
    namespaced: true,
    verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
    subresources: {},
    strategicMergePatch: !extra.crd,
    ...extra,
  };
}

const podsDesc = desc('', 'v1', 'pods', 'Pod');
const deploymentsDesc = desc('apps', 'v1', 'deployments', 'Deployment');

const names = (t: { columnDefinitions: { name: string }[] }) => t.columnDefinitions.map((c) => c.name);

describe('humanDuration', () => {
  it('matches apimachinery duration.HumanDuration', () => {
    const cases: [number, string][] = [
      [-5 * S, '<invalid>'],
      [-1 * S, '0s'],
      [0, '0s'],
      [1 * S, '1s'],
      [5 * S, '5s'],
      [70 * S, '70s'],
      [119 * S, '119s'],
      [120 * S, '2m'],
      [190 * S, '3m10s'],
      [10 * M, '10m'],
      [70 * M, '70m'],
      [3 * H + 4 * M, '3h4m'],
      [5 * H, '5h'],
      [47 * H, '47h'],
      [49 * H, '2d1h'],
      [2 * D, '2d'],
      [(8 * 24 + 2) * H, '8d'],
      [245 * D, '245d'],
      [367 * D, '367d'],
      [(365 * 2 * 24 + 25) * H, '2y1d'],
      [(365 * 8 * 24 + 2) * H, '8y'],
    ];
    for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `${ms}ms`);
  });
});

describe('helpers', () => {
  it('formats label selectors like LabelSelectorAsSelector().String()', () => {
    assert.equal(
      labelSelectorString({
        matchLabels: { z: '1', app: 'web' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['b', 'a'] },
          { key: 'env', operator: 'NotIn', values: ['prod'] },
          { key: 'x', operator: 'Exists' },
          { key: 'gone', operator: 'DoesNotExist' },
        ],
      }),
      'app=web,env notin (prod),!gone,tier in (a,b),x,z=1',
    );
    assert.equal(labelSelectorString({ matchExpressions: [{ key: 'a', operator: 'Bogus' }] }), undefined);
  });

  it('prints floats like Go %v', () => {
    assert.equal(goFloat(0.5), '0.5');
    assert.equal(goFloat(123456.7), '123456.7');
    assert.equal(goFloat(1234567.5), '1.2345675e+06');
    assert.equal(goFloat(0.00001), '1e-05');
  });

  it('evaluates the JSONPath subset CRD columns use', () => {
    const obj = {
      metadata: { labels: { 'app.kubernetes.io/name': 'x' } },
      spec: { items: [{ n: 1 }, { n: 2 }] },
      status: { conditions: [{ type: 'Scheduled', status: 'False' }, { type: 'Ready', status: 'True' }] },
    };
    assert.deepEqual(evaluateJsonPath(obj, '.status.conditions[?(@.type=="Ready")].status'), ['True']);
    assert.deepEqual(evaluateJsonPath(obj, ".status.conditions[?(@.type=='Scheduled')].status"), ['False']);
    assert.deepEqual(evaluateJsonPath(obj, '.spec.items[*].n'), [1, 2]);
    assert.deepEqual(evaluateJsonPath(obj, '.spec.items[1].n'), [2]);
    assert.deepEqual(evaluateJsonPath(obj, '.spec.items[-1].n'), [2]);
    assert.deepEqual(evaluateJsonPath(obj, "{.metadata.labels['app.kubernetes.io/name']}"), ['x']);
    assert.deepEqual(evaluateJsonPath(obj, '.metadata.labels.app\\.kubernetes\\.io/name'), ['x']);
    assert.deepEqual(evaluateJsonPath(obj, '.spec.missing.deeper'), []);
    assert.deepEqual(evaluateJsonPath(obj, '..n'), [1, 2]);
  });
});

describe('toTable: pods', () => {
  const running: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-0', namespace: 'default', resourceVersion: '42', creationTimestamp: ago(3 * H + 4 * M), uid: 'u1' },
    spec: { nodeName: 'node-a', containers: [{ name: 'a', image: 'nginx' }, { name: 'b', image: 'busybox' }] },
    status: {
      phase: 'Running',
      podIP: '10.0.0.5',
      podIPs: [{ ip: '10.0.0.5' }],
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [
        { name: 'a', ready: true, restartCount: 2, state: { running: {} }, lastState: { terminated: { exitCode: 1, finishedAt: ago(10 * M) } } },
        { name: 'b', ready: false, restartCount: 0, state: { waiting: { reason: 'CrashLoopBackOff' } } },
      ],
    },
  };

  it('has kube pod columns with wide ones at priority 1', () => {
    const cols = tableColumns(podsDesc);
    assert.deepEqual(
      cols.map((c) => [c.name, c.priority]),
      [['Name', 0], ['Ready', 0], ['Status', 0], ['Restarts', 0], ['Age', 0], ['IP', 1], ['Node', 1], ['Nominated Node', 1], ['Readiness Gates', 1]],
    );
    assert.equal(cols[0].format, 'name');
    for (const c of cols) assert.equal(typeof c.description, 'string');
  });

  it('renders cells and PartialObjectMetadata by default', () => {
    const t = toTable(podsDesc, [running], { includeObject: 'Metadata', now: NOW, listMeta: { resourceVersion: '100', continue: 'abc', remainingItemCount: 3 } });
    assert.equal(t.kind, 'Table');
    assert.equal(t.apiVersion, 'meta.k8s.io/v1');
    assert.deepEqual(t.metadata, { resourceVersion: '100', continue: 'abc', remainingItemCount: 3 });
    assert.deepEqual(t.rows[0].cells, ['web-0', '1/2', 'CrashLoopBackOff', '2 (10m ago)', '3h4m', '10.0.0.5', 'node-a', '<none>', '<none>']);
    assert.deepEqual(t.rows[0].object, { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: running.metadata });
  });

  it('honours includeObject=Object/None and the negotiated table version', () => {
    const full = toTable(podsDesc, [running], { includeObject: 'Object', now: NOW });
    assert.equal(full.rows[0].object, running);
    assert.deepEqual(full.metadata, { resourceVersion: '42' });
    const none = toTable(podsDesc, [running], { includeObject: 'None', now: NOW });
    assert.equal('object' in none.rows[0], false);
    const beta = toTable(podsDesc, [running], { includeObject: 'Metadata', now: NOW, apiVersion: 'meta.k8s.io/v1beta1' });
    assert.equal(beta.apiVersion, 'meta.k8s.io/v1beta1');
    assert.equal((beta.rows[0].object as { apiVersion: string }).apiVersion, 'meta.k8s.io/v1beta1');
    // objects without apiVersion/kind get them from the descriptor
    const bare = toTable(podsDesc, [{ metadata: { name: 'x' } }], { includeObject: 'Object', now: NOW });
    assert.deepEqual(bare.rows[0].object, { metadata: { name: 'x' }, apiVersion: 'v1', kind: 'Pod' });
  });

  it('derives pod status like printPod', () => {
    const status = (p: Partial<KubeObject>) =>
      toTable(podsDesc, [{ metadata: { name: 'p', creationTimestamp: ago(5 * S) }, ...p }], { includeObject: 'None', now: NOW }).rows[0];
    assert.deepEqual(status({ spec: { containers: [{ name: 'a' }] }, status: { phase: 'Pending' } }).cells.slice(1, 5), ['0/1', 'Pending', '0', '5s']);
    const init = status({
      spec: { initContainers: [{ name: 'i1' }, { name: 'i2' }], containers: [{ name: 'a' }] },
      status: { phase: 'Pending', initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 0 } } }, { name: 'i2', state: { running: {} } }] },
    });
    assert.equal(init.cells[2], 'Init:1/2');
    const initFail = status({
      spec: { initContainers: [{ name: 'i1' }], containers: [{ name: 'a' }] },
      status: { phase: 'Pending', initContainerStatuses: [{ name: 'i1', restartCount: 3, state: { terminated: { exitCode: 2 } } }] },
    });
    assert.deepEqual(initFail.cells.slice(2, 4), ['Init:ExitCode:2', '3']);
    const sidecar = status({
      spec: { initContainers: [{ name: 's', restartPolicy: 'Always' }], containers: [{ name: 'a' }] },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Initialized', status: 'True' }],
        initContainerStatuses: [{ name: 's', started: true, ready: true, state: { running: {} } }],
        containerStatuses: [{ name: 'a', ready: true, state: { running: {} } }],
      },
    });
    assert.deepEqual(sidecar.cells.slice(1, 3), ['2/2', 'Running']);
    const done = status({ spec: { containers: [{ name: 'a' }] }, status: { phase: 'Succeeded', containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] } });
    assert.equal(done.cells[2], 'Completed');
    assert.deepEqual(done.conditions, [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
    const terminating = status({ metadata: { name: 'p', creationTimestamp: ago(S), deletionTimestamp: NOW.toISOString() }, spec: { containers: [] }, status: { phase: 'Running' } });
    assert.equal(terminating.cells[2], 'Terminating');
    const gated = status({ spec: { containers: [{ name: 'a' }] }, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] } });
    assert.equal(gated.cells[2], 'SchedulingGated');
    const gates = status({
      spec: { containers: [], readinessGates: [{ conditionType: 'x' }, { conditionType: 'y' }] },
      status: { phase: 'Running', conditions: [{ type: 'x', status: 'True' }] },
    });
    assert.equal(gates.cells[8], '1/2');
  });
});

describe('toTable: built-in kinds', () => {
  it('deployments: READY UP-TO-DATE AVAILABLE AGE, wide CONTAINERS IMAGES SELECTOR', () => {
    const d: KubeObject = {
      metadata: { name: 'web', creationTimestamp: ago(2 * D) },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1' }, { name: 'side', image: 'busybox' }] } },
      },
      status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    };
    const t = toTable(deploymentsDesc, [d], { includeObject: 'None', now: NOW });
    assert.deepEqual(names(t), ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector']);
    assert.deepEqual(t.rows[0].cells, ['web', '2/3', 3, 2, '2d', 'nginx,side', 'nginx:1,busybox', 'app=web']);
  });

  const row = (d: ResourceDescriptor, o: KubeObject) => toTable(d, [o], { includeObject: 'None', now: NOW }).rows[0].cells;

  it('services, configmaps, secrets, namespaces, nodes, leases, jobs', () => {
    assert.deepEqual(
      row(desc('', 'v1', 'services', 'Service'), {
        metadata: { name: 'svc', creationTimestamp: ago(10 * M) },
        spec: { type: 'NodePort', clusterIPs: ['10.96.0.10'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }], selector: { app: 'x' } },
      }),
      ['svc', 'NodePort', '10.96.0.10', '<none>', '80:30080/TCP,53/UDP', '10m', 'app=x'],
    );
    assert.deepEqual(
      row(desc('', 'v1', 'services', 'Service'), { metadata: { name: 'lb', creationTimestamp: ago(S) }, spec: { type: 'LoadBalancer', clusterIP: '10.0.0.1', ports: [] } }),
      ['lb', 'LoadBalancer', '10.0.0.1', '<pending>', '<none>', '1s', '<none>'],
    );
    assert.deepEqual(row(desc('', 'v1', 'configmaps', 'ConfigMap'), { metadata: { name: 'cm', creationTimestamp: ago(5 * S) }, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }), ['cm', 3, '5s']);
    assert.deepEqual(row(desc('', 'v1', 'secrets', 'Secret'), { metadata: { name: 's', creationTimestamp: ago(5 * S) }, type: 'kubernetes.io/tls', data: { 'tls.crt': '', 'tls.key': '' } }), ['s', 'kubernetes.io/tls', 2, '5s']);
    const nsDesc = desc('', 'v1', 'namespaces', 'Namespace', { namespaced: false });
    assert.deepEqual(names(toTable(nsDesc, [], { includeObject: 'None', now: NOW })), ['Name', 'Status', 'Age']);
    assert.deepEqual(row(nsDesc, { metadata: { name: 'default', creationTimestamp: ago(245 * D) }, status: { phase: 'Active' } }), ['default', 'Active', '245d']);
    const nodeDesc = desc('', 'v1', 'nodes', 'Node', { namespaced: false });
    assert.deepEqual(
      row(nodeDesc, {
        metadata: { name: 'n1', creationTimestamp: ago(H), labels: { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/master': '' } },
        spec: { unschedulable: true },
        status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.32.0' }, addresses: [{ type: 'InternalIP', address: '172.18.0.2' }] },
      }),
      ['n1', 'Ready,SchedulingDisabled', 'control-plane,master', '60m', 'v1.32.0', '172.18.0.2', '<none>', '<unknown>', '<unknown>', '<unknown>'],
    );
    assert.deepEqual(names(toTable(nodeDesc, [], { includeObject: 'None', now: NOW })).slice(0, 5), ['Name', 'Status', 'Roles', 'Age', 'Version']);
    assert.deepEqual(row(desc('coordination.k8s.io', 'v1', 'leases', 'Lease'), { metadata: { name: 'l', creationTimestamp: ago(5 * S) }, spec: { holderIdentity: 'me' } }), ['l', 'me', '5s']);
    const jobsDesc = desc('batch', 'v1', 'jobs', 'Job');
    assert.deepEqual(names(toTable(jobsDesc, [], { includeObject: 'None', now: NOW })).slice(0, 5), ['Name', 'Status', 'Completions', 'Duration', 'Age']);
    assert.deepEqual(
      row(jobsDesc, {
        metadata: { name: 'j', creationTimestamp: ago(5 * M) },
        spec: { completions: 3, template: { spec: { containers: [{ name: 'c', image: 'i' }] } }, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u' } } },
        status: { succeeded: 3, startTime: ago(5 * M), completionTime: ago(4 * M), conditions: [{ type: 'Complete', status: 'True' }] },
      }),
      ['j', 'Complete', '3/3', '60s', '5m', 'c', 'i', 'batch.kubernetes.io/controller-uid=u'],
    );
  });

  it('events put Name last (wide) like kube', () => {
    const ev = desc('', 'v1', 'events', 'Event');
    const t = toTable(
      ev,
      [
        {
          metadata: { name: 'pod.123', creationTimestamp: ago(M) },
          involvedObject: { kind: 'Pod', name: 'web-0' },
          reason: 'Scheduled',
          type: 'Normal',
          message: ' assigned \n',
          source: { component: 'scheduler' },
          firstTimestamp: ago(2 * M),
          lastTimestamp: ago(M),
          count: 2,
        },
      ],
      { includeObject: 'None', now: NOW },
    );
    assert.deepEqual(names(t), ['Last Seen', 'Type', 'Reason', 'Object', 'Subobject', 'Source', 'Message', 'First Seen', 'Count', 'Name']);
    assert.equal(t.columnDefinitions[9].format, 'name');
    assert.deepEqual(t.rows[0].cells, ['60s', 'Normal', 'Scheduled', 'pod/web-0', '', 'scheduler', 'assigned', '2m', 2, 'pod.123']);
  });

  it('kinds without a printer use Name + Created At (RFC3339)', () => {
    for (const d of [
      desc('rbac.authorization.k8s.io', 'v1', 'roles', 'Role'),
      desc('', 'v1', 'limitranges', 'LimitRange'),
      desc('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', { namespaced: false }),
    ]) {
      const t = toTable(d, [{ metadata: { name: 'x', creationTimestamp: '2024-01-02T03:04:05.678Z' } }, { metadata: { name: 'y' } }], { includeObject: 'None', now: NOW });
      assert.deepEqual(t.columnDefinitions.map((c) => [c.name, c.type, c.format]), [['Name', 'string', 'name'], ['Created At', 'date', '']]);
      assert.deepEqual(t.rows.map((r) => r.cells), [['x', '2024-01-02T03:04:05Z'], ['y', '0001-01-01T00:00:00Z']]);
    }
  });

  it('resourcequotas, rolebindings, hpa, pdb', () => {
    assert.deepEqual(
      row(desc('', 'v1', 'resourcequotas', 'ResourceQuota'), {
        metadata: { name: 'q', creationTimestamp: ago(S) },
        status: { hard: { pods: '10', 'limits.cpu': '2', 'requests.cpu': '1' }, used: { pods: '3', 'requests.cpu': '500m' } },
      }),
      ['q', 'pods: 3/10, requests.cpu: 500m/1', 'limits.cpu: 0/2', '1s'],
    );
    assert.deepEqual(
      row(desc('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', { namespaced: false }), {
        metadata: { name: 'b', creationTimestamp: ago(S) },
        roleRef: { kind: 'ClusterRole', name: 'admin' },
        subjects: [{ kind: 'User', name: 'u' }, { kind: 'Group', name: 'g1' }, { kind: 'Group', name: 'g2' }, { kind: 'ServiceAccount', namespace: 'ns', name: 'sa' }],
      }),
      ['b', 'ClusterRole/admin', '1s', 'u', 'g1, g2', 'ns/sa'],
    );
    assert.deepEqual(
      row(desc('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler'), {
        metadata: { name: 'h', creationTimestamp: ago(S) },
        spec: {
          scaleTargetRef: { kind: 'Deployment', name: 'web' },
          minReplicas: 1,
          maxReplicas: 5,
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
        },
        status: { currentReplicas: 2, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 35 } } }] },
      }),
      ['h', 'Deployment/web', 'cpu: 35%/80%', '1', 5, 2, '1s'],
    );
    assert.deepEqual(
      row(desc('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget'), { metadata: { name: 'p', creationTimestamp: ago(S) }, spec: { minAvailable: '50%' }, status: { disruptionsAllowed: 1 } }),
      ['p', '50%', 'N/A', 1, '1s'],
    );
  });
});

describe('toTable: custom resources', () => {
  const crd = { name: 'clusters.cluster.karmada.io', uid: 'u', preserveUnknownFields: false };
  const clusterDesc = desc('cluster.karmada.io', 'v1alpha1', 'clusters', 'Cluster', {
    namespaced: false,
    crd,
    printerColumns: [
      { name: 'VERSION', type: 'string', jsonPath: '.status.kubernetesVersion' },
      { name: 'MODE', type: 'string', jsonPath: '.spec.syncMode' },
      { name: 'READY', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
      { name: 'NODES', type: 'integer', jsonPath: '.status.nodeSummary.totalNum', priority: 1, description: 'node count' },
      { name: 'RATIO', type: 'number', jsonPath: '.status.ratio' },
      { name: 'OK', type: 'boolean', jsonPath: '.status.ok' },
      { name: 'LABELS', type: 'string', jsonPath: '.metadata.labels' },
      { name: 'AGE', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ],
  });

  it('evaluates additionalPrinterColumns', () => {
    const t = toTable(
      clusterDesc,
      [
        {
          apiVersion: 'cluster.karmada.io/v1alpha1',
          kind: 'Cluster',
          metadata: { name: 'member1', creationTimestamp: ago(3 * H + 4 * M), labels: { b: '2', a: '<1>' } },
          spec: { syncMode: 'Push' },
          status: { kubernetesVersion: 'v1.31.0', conditions: [{ type: 'Ready', status: 'True' }], nodeSummary: { totalNum: 3 }, ratio: 0.5, ok: true },
        },
        { metadata: { name: 'member2', creationTimestamp: 'garbage' } },
      ],
      { includeObject: 'Metadata', now: NOW },
    );
    assert.deepEqual(
      t.columnDefinitions.map((c) => [c.name, c.type, c.priority]),
      [['Name', 'string', 0], ['VERSION', 'string', 0], ['MODE', 'string', 0], ['READY', 'string', 0], ['NODES', 'integer', 1], ['RATIO', 'number', 0], ['OK', 'boolean', 0], ['LABELS', 'string', 0], ['AGE', 'date', 0]],
    );
    assert.equal(t.columnDefinitions[1].description, 'Custom resource definition column (in JSONPath format): .status.kubernetesVersion');
    assert.equal(t.columnDefinitions[4].description, 'node count');
    assert.deepEqual(t.rows[0].cells, ['member1', 'v1.31.0', 'Push', 'True', 3, 0.5, true, '{"a":"\\u003c1\\u003e","b":"2"}', '3h4m']);
    // an unparsable date renders as <invalid>, as in kube's cellForJSONValue
    assert.deepEqual(t.rows[1].cells, ['member2', null, null, null, null, null, null, null, '<invalid>']);
  });

  it('a CRD version without columns serves Name + Age', () => {
    const d = desc('example.com', 'v1', 'widgets', 'Widget', { crd: { name: 'widgets.example.com', uid: 'u', preserveUnknownFields: false } });
    const t = toTable(d, [{ metadata: { name: 'w', creationTimestamp: ago(10 * M) } }], { includeObject: 'None', now: NOW });
    assert.deepEqual(t.columnDefinitions.map((c) => [c.name, c.type]), [['Name', 'string'], ['Age', 'date']]);
    assert.deepEqual(t.rows[0].cells, ['w', '10m']);
  });

  it('stops at an unparsable column like kube', () => {
    const d = desc('example.com', 'v1', 'widgets', 'Widget', {
      crd: { name: 'widgets.example.com', uid: 'u', preserveUnknownFields: false },
      printerColumns: [
        { name: 'A', type: 'string', jsonPath: '.spec.a' },
        { name: 'B', type: 'string', jsonPath: '.spec[' },
        { name: 'C', type: 'string', jsonPath: '.spec.c' },
      ],
    });
    assert.deepEqual(names(toTable(d, [], { includeObject: 'None', now: NOW })), ['Name', 'A']);
  });
});

describe('watch tables', () => {
  it('single-row table per event, headers only on the first', () => {
    const pod: KubeObject = { metadata: { name: 'p', resourceVersion: '7', creationTimestamp: ago(S) }, spec: { containers: [] }, status: { phase: 'Running' } };
    const one = tableForWatchEvent(podsDesc, pod, { includeObject: 'Metadata', now: NOW });
    assert.equal(one.rows.length, 1);
    assert.equal(one.columnDefinitions.length, 9);
    assert.deepEqual(one.metadata, { resourceVersion: '7' });
    const conv = createWatchTableConverter(podsDesc, { includeObject: 'Metadata' });
    assert.equal(conv(pod, NOW).columnDefinitions.length, 9);
    const second = conv(pod, NOW);
    assert.deepEqual(second.columnDefinitions, []);
    assert.equal(second.rows[0].cells[0], 'p');
  });
});

// ---- real kubectl renders our tables --------------------------------------------------------------

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('kubectl renders the tables', async () => {
  const hasKubectl = (await run('kubectl', ['version', '--client'])).code === 0;

  it('kubectl get pods / -o wide / get -w / CRD', { skip: !hasKubectl && 'kubectl not on PATH' }, async () => {
    const pods: KubeObject[] = [
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'web-0', namespace: 'default', resourceVersion: '5', creationTimestamp: new Date(Date.now() - 3 * H - 4 * M).toISOString() },
        spec: { nodeName: 'node-a', containers: [{ name: 'a', image: 'nginx' }] },
        status: { phase: 'Running', podIPs: [{ ip: '10.0.0.5' }], containerStatuses: [{ name: 'a', ready: true, restartCount: 0, state: { running: {} } }] },
      },
    ];
    const widgetsDesc = desc('example.com', 'v1', 'widgets', 'Widget', {
      crd: { name: 'widgets.example.com', uid: 'u', preserveUnknownFields: false },
      printerColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }, { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }],
    });
    const widgets: KubeObject[] = [
      { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1', namespace: 'default', creationTimestamp: new Date(Date.now() - 2 * D).toISOString() }, spec: { size: 7 } },
    ];
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const accept = String(req.headers.accept ?? '');
      seen.push(`${req.method} ${url.pathname}${url.search} ${accept}`);
      const json = (code: number, body: unknown) => {
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const asTable = accept.includes('as=Table');
      const apiVersion = /as=Table;v=v1;g=meta.k8s.io|as=Table;g=meta.k8s.io;v=v1(?!beta)/.test(accept) ? 'meta.k8s.io/v1' : 'meta.k8s.io/v1beta1';
      switch (url.pathname) {
        case '/api':
          return json(200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] });
        case '/apis':
          return json(200, {
            kind: 'APIGroupList',
            apiVersion: 'v1',
            groups: [{ name: 'example.com', versions: [{ groupVersion: 'example.com/v1', version: 'v1' }], preferredVersion: { groupVersion: 'example.com/v1', version: 'v1' } }],
          });
        case '/api/v1':
          return json(200, {
            kind: 'APIResourceList',
            groupVersion: 'v1',
            resources: [{ name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list', 'watch'], shortNames: ['po'] }],
          });
        case '/apis/example.com/v1':
          return json(200, {
            kind: 'APIResourceList',
            apiVersion: 'v1',
            groupVersion: 'example.com/v1',
            resources: [{ name: 'widgets', singularName: 'widget', namespaced: true, kind: 'Widget', verbs: ['get', 'list', 'watch'] }],
          });
        case '/api/v1/namespaces/default/pods':
        case '/apis/example.com/v1/namespaces/default/widgets': {
          const isPods = url.pathname.endsWith('/pods');
          const d = isPods ? podsDesc : widgetsDesc;
          const items = isPods ? pods : widgets;
          if (!asTable) return json(406, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 406 });
          if (url.searchParams.get('watch') === 'true') {
            res.writeHead(200, { 'content-type': 'application/json' });
            const conv = createWatchTableConverter(d, { includeObject: 'Metadata', apiVersion });
            for (const o of items) res.write(JSON.stringify({ type: 'ADDED', object: conv(o) }) + '\n');
            const modified = { ...items[0], metadata: { ...items[0].metadata, name: 'web-1' } };
            res.end(JSON.stringify({ type: 'ADDED', object: conv(modified) }) + '\n');
            return;
          }
          return json(200, toTable(d, items, { includeObject: 'Metadata', now: new Date(), listMeta: { resourceVersion: '9' }, apiVersion }));
        }
      }
      json(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), 'tables-kubectl-'));
    const kubeconfig = join(dir, 'config');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: http://127.0.0.1:${port}\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\n    namespace: default\ncurrent-context: c\nusers:\n- name: u\n  user:\n    token: t\n`,
    );
    const k = (...args: string[]) => run('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args]);
    try {
      const get = await k('get', 'pods');
      assert.equal(get.code, 0, get.stderr);
      const lines = get.stdout.trim().split('\n').map((l) => l.split(/\s{2,}/));
      assert.deepEqual(lines[0], ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
      assert.deepEqual(lines[1], ['web-0', '1/1', 'Running', '0', '3h4m']);

      const wide = await k('get', 'pods', '-o', 'wide');
      assert.equal(wide.code, 0, wide.stderr);
      const wl = wide.stdout.trim().split('\n').map((l) => l.split(/\s{2,}/));
      assert.deepEqual(wl[0], ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
      assert.deepEqual(wl[1], ['web-0', '1/1', 'Running', '0', '3h4m', '10.0.0.5', 'node-a', '<none>', '<none>']);

      const watch = await k('get', 'pods', '--watch-only', '--request-timeout', '5s');
      assert.equal(watch.code, 0, watch.stderr);
      const wlines = watch.stdout.trim().split('\n').map((l) => l.split(/\s{2,}/)[0]);
      assert.deepEqual(wlines, ['NAME', 'web-0', 'web-1']);

      const crs = await k('get', 'widgets');
      assert.equal(crs.code, 0, crs.stderr);
      const cl = crs.stdout.trim().split('\n').map((l) => l.split(/\s{2,}/));
      assert.deepEqual(cl, [['NAME', 'SIZE', 'AGE'], ['w1', '7', '2d']]);

      assert.ok(seen.some((s) => s.includes('as=Table')), 'kubectl asked for tables');
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
