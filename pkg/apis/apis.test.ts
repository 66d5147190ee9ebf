// The schemas accept what Karmada users write (samples from Karmada's docs and this repo's samples/),
// carry descriptions for kubectl explain, and reject shapes Karmada's CRDs reject.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { findKind, KARMADA_KINDS } from './crd.js';
import { kindSchema, validateKindShape, zodCauses } from './validate.js';
import { structuralSchema } from './jsonschema.js';
import { validateCRDSchema } from '../apiserver/crd/validation.js';
import { FieldPath } from '../apiserver/validation/field.js';
import { PropagationPolicySchema, replicaSchedulingType } from './policy/v1alpha1/index.js';

const SAMPLES = fileURLToPath(new URL('../../../samples/', import.meta.url));

function docs(text: string): Record<string, any>[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  return parseAllDocuments(text).map((d) => d.toJS()).filter(Boolean);
}

function kindFor(obj: { apiVersion?: string; kind?: string }) {
  const group = (obj.apiVersion ?? '').split('/')[0]!;
  return findKind(group, obj.kind ?? '');
}

function assertAccepted(obj: Record<string, unknown>, label: string): void {
  const k = kindFor(obj);
  assert.ok(k, `${label}: ${obj.apiVersion} ${obj.kind} is not a Karmada kind`);
  assert.deepEqual(validateKindShape(k, obj), [], label);
  assert.deepEqual(zodCauses(k.schema, obj), [], `${label} (zod)`);
}

// Samples in the shape of Karmada's documentation and e2e suites.
const UPSTREAM = `
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata:
  name: nginx-propagation
spec:
  resourceSelectors:
    - apiVersion: apps/v1
      kind: Deployment
      name: nginx
  propagateDeps: true
  placement:
    clusterAffinities:
      - affinityName: local-clusters
        clusterNames:
          - member1
          - member2
      - affinityName: cloud-clusters
        clusterNames:
          - public-cloud-member1
    clusterTolerations:
      - key: cluster.karmada.io/not-ready
        operator: Exists
        effect: NoExecute
        tolerationSeconds: 300
    spreadConstraints:
      - spreadByField: region
        maxGroups: 2
        minGroups: 2
      - spreadByField: cluster
        maxGroups: 3
        minGroups: 2
    replicaScheduling:
      replicaSchedulingType: Divided
      replicaDivisionPreference: Weighted
      weightPreference:
        dynamicWeight: AvailableReplicas
  failover:
    application:
      decisionConditions:
        tolerationSeconds: 30
      purgeMode: Directly
    cluster:
      purgeMode: Gracefully
      statePreservation:
        rules:
          - aliasLabelName: cluster.karmada.io/failover-jobid
            jsonPath: "{ .jobStatus.jobID }"
  conflictResolution: Overwrite
  priority: 10
  preemption: Always
  suspension:
    dispatchingOnClusters:
      clusterNames: [member2]
  preserveResourcesOnDeletion: true
  schedulePriority:
    priorityClassSource: KubePriorityClass
    priorityClassName: high
---
apiVersion: policy.karmada.io/v1alpha1
kind: ClusterPropagationPolicy
metadata:
  name: crd-propagation
spec:
  resourceSelectors:
    - apiVersion: apiextensions.k8s.io/v1
      kind: CustomResourceDefinition
      labelSelector:
        matchExpressions:
          - key: app
            operator: In
            values: [guestbook]
  placement:
    clusterAffinity:
      fieldSelector:
        matchExpressions:
          - key: region
            operator: NotIn
            values: [cn-south-1]
      exclude: [member3]
---
apiVersion: policy.karmada.io/v1alpha1
kind: OverridePolicy
metadata:
  name: example
  namespace: default
spec:
  resourceSelectors:
    - apiVersion: apps/v1
      kind: Deployment
      labelSelector:
        matchLabels:
          app: nginx
  overrideRules:
    - targetCluster:
        labelSelector:
          matchLabels:
            cluster: member1
      overriders:
        imageOverrider:
          - predicate:
              path: /spec/template/spec/containers/0/image
            component: Tag
            operator: replace
            value: "1.27"
        commandOverrider:
          - containerName: nginx
            operator: add
            value: ["--verbose"]
        argsOverrider:
          - containerName: nginx
            operator: remove
            value: ["--debug"]
        annotationsOverrider:
          - operator: add
            value:
              example.io/owner: team-a
        fieldOverrider:
          - fieldPath: /data/config.yaml
            yaml:
              - subPath: /db/port
                operator: replace
                value: 5432
        plaintext:
          - path: /spec/template/spec/containers/0/resources
            operator: add
            value:
              limits:
                cpu: 500m
---
apiVersion: policy.karmada.io/v1alpha1
kind: ClusterOverridePolicy
metadata:
  name: legacy-form
spec:
  resourceSelectors:
    - apiVersion: v1
      kind: ConfigMap
  targetCluster:
    clusterNames: [member1]
  overriders:
    labelsOverrider:
      - operator: remove
        value:
          debug: ""
---
apiVersion: work.karmada.io/v1alpha2
kind: ResourceBinding
metadata:
  name: nginx-deployment
  namespace: default
spec:
  resource:
    apiVersion: apps/v1
    kind: Deployment
    namespace: default
    name: nginx
    uid: 2a8f2c9e-0e1a-4b8a-9f0c-1c1e1c1e1c1e
    resourceVersion: "1234"
  replicas: 3
  replicaRequirements:
    resourceRequest:
      cpu: 100m
      memory: 128Mi
    nodeClaim:
      nodeSelector:
        disktype: ssd
  clusters:
    - name: member1
      replicas: 2
    - name: member2
      replicas: 1
  placement:
    clusterAffinity:
      clusterNames: [member1, member2]
  gracefulEvictionTasks:
    - fromCluster: member3
      producer: TaintManager
      reason: TaintUntolerated
      replicas: 1
      creationTimestamp: "2024-05-01T10:00:00Z"
  requiredBy:
    - namespace: default
      name: app-deployment
      clusters:
        - name: member1
  schedulerName: default-scheduler
  conflictResolution: Abort
  rescheduleTriggeredAt: "2024-05-01T10:00:00Z"
  suspension:
    scheduling: false
status:
  schedulerObservedGeneration: 2
  lastScheduledTime: "2024-05-01T10:00:01Z"
  conditions:
    - type: Scheduled
      status: "True"
      reason: Success
      message: Binding has been scheduled successfully.
      lastTransitionTime: "2024-05-01T10:00:01Z"
  aggregatedStatus:
    - clusterName: member1
      applied: true
      health: Healthy
      status:
        replicas: 2
        readyReplicas: 2
---
apiVersion: work.karmada.io/v1alpha1
kind: Work
metadata:
  name: nginx-687f7fb96f
  namespace: karmada-es-member1
spec:
  workload:
    manifests:
      - apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: nginx
          namespace: default
        spec:
          replicas: 2
status:
  conditions:
    - type: Applied
      status: "True"
      reason: AppliedSuccessful
      message: Manifest has been successfully applied
      lastTransitionTime: "2024-05-01T10:00:02Z"
  manifestStatuses:
    - identifier:
        ordinal: 0
        group: apps
        version: v1
        kind: Deployment
        resource: deployments
        namespace: default
        name: nginx
      health: Healthy
      status:
        availableReplicas: 2
---
apiVersion: cluster.karmada.io/v1alpha1
kind: Cluster
metadata:
  name: member1
spec:
  id: 5f0c1a4e-9f0a-4c1e-8b1a-0f1e2d3c4b5a
  syncMode: Push
  apiEndpoint: https://172.18.0.3:6443
  secretRef:
    namespace: karmada-cluster
    name: member1
  impersonatorSecretRef:
    namespace: karmada-cluster
    name: member1-impersonator
  provider: aws
  region: us-east-1
  zones: [us-east-1a]
  taints:
    - key: cluster.karmada.io/not-ready
      effect: NoSchedule
  resourceModels:
    - grade: 0
      ranges:
        - name: cpu
          min: "0"
          max: "1"
    - grade: 1
      ranges:
        - name: cpu
          min: "1"
          max: "9223372036854775807"
status:
  kubernetesVersion: v1.30.0
  apiEnablements:
    - groupVersion: apps/v1
      resources:
        - name: deployments
          kind: Deployment
  conditions:
    - type: Ready
      status: "True"
      reason: ClusterReady
      message: cluster is healthy and ready to accept workloads
      lastTransitionTime: "2024-05-01T10:00:00Z"
  nodeSummary:
    totalNum: 3
    readyNum: 3
  resourceSummary:
    allocatable:
      cpu: "12"
      memory: 48Gi
      pods: 330
    allocated:
      cpu: 2500m
    allocatableModelings:
      - grade: 0
        count: 0
      - grade: 1
        count: 3
---
apiVersion: search.karmada.io/v1alpha1
kind: ResourceRegistry
metadata:
  name: proxy-sample
spec:
  targetCluster:
    clusterNames: [member1, member2]
  resourceSelectors:
    - apiVersion: v1
      kind: Pod
    - apiVersion: apps/v1
      kind: Deployment
      namespace: default
`;

test('schemas accept Karmada-documented objects of every kind', () => {
  const objs = docs(UPSTREAM);
  assert.equal(objs.length, 8);
  for (const o of objs) assertAccepted(o, `${o.kind} ${o.metadata.name}`);
});

test("samples/ hold valid Karmada objects (and the nginx sample is Karmada's)", () => {
  const files: string[] = [];
  const walk = (p: string) => {
    for (const e of readdirSync(p)) {
      const f = `${p}/${e}`;
      if (statSync(f).isDirectory()) walk(f);
      else if (f.endsWith('.yaml')) files.push(f);
    }
  };
  walk(SAMPLES);
  let karmada = 0;
  for (const f of files) {
    for (const o of docs(readFileSync(f, 'utf8'))) {
      if (!kindFor(o)) continue;
      karmada++;
      assertAccepted(o, f);
    }
  }
  assert.ok(karmada >= 9, `found ${karmada} Karmada objects in samples/`);
  const nginx = docs(readFileSync(`${SAMPLES}/nginx/propagationpolicy.yaml`, 'utf8'))[0]!;
  assert.equal(nginx.spec.resourceSelectors[0].name, 'nginx');
  assert.equal(replicaSchedulingType(nginx.spec.placement), 'Divided');
});

test('every kind schema is a valid structural CRD schema', () => {
  for (const k of KARMADA_KINDS) {
    assert.deepEqual(validateCRDSchema(kindSchema(k), FieldPath.of('schema'), k.statusSubresource), [], k.kind);
  }
});

test('fields carry descriptions for kubectl explain', () => {
  const s = structuralSchema(PropagationPolicySchema);
  const placement = s.properties!.spec!.properties!.placement!;
  assert.match(placement.description!, /select clusters/);
  for (const f of ['clusterAffinity', 'clusterAffinities', 'clusterTolerations', 'spreadConstraints', 'replicaScheduling']) {
    assert.ok(placement.properties![f]!.description, `spec.placement.${f} has no description`);
  }
  assert.match(placement.properties!.clusterAffinity!.properties!.clusterNames!.description!, /clusters to be selected/);
  assert.match(s.description!, /propagates a group of resources/);
});

test('shapes Karmada rejects are rejected, with kube-apiserver messages', () => {
  const k = findKind('policy.karmada.io', 'PropagationPolicy')!;
  const bad = {
    apiVersion: 'policy.karmada.io/v1alpha1',
    kind: 'PropagationPolicy',
    metadata: { name: 'x' },
    spec: { resourceSelectors: [{ apiVersion: 'v1' }], conflictResolution: 'Merge', placement: { replicaScheduling: { replicaSchedulingType: 'Spread' } } },
  };
  const causes = validateKindShape(k, bad).map((c) => `${c.field}: ${c.message}`);
  assert.ok(causes.includes('spec.resourceSelectors[0].kind: Required value'), causes.join('\n'));
  assert.ok(causes.some((c) => c.startsWith('spec.conflictResolution: Unsupported value: "Merge"')), causes.join('\n'));
  assert.ok(causes.some((c) => c.startsWith('spec.placement.replicaScheduling.replicaSchedulingType: Unsupported value: "Spread"')), causes.join('\n'));

  const cluster = findKind('cluster.karmada.io', 'Cluster')!;
  const q = validateKindShape(cluster, { apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name: 'c' }, spec: { syncMode: 'Push' }, status: { resourceSummary: { allocatable: { cpu: 'lots' } } } });
  assert.equal(q.length, 1);
  assert.equal(q[0]!.field, 'status.resourceSummary.allocatable[cpu]');
  assert.deepEqual(zodCauses(cluster.schema, { spec: {} }).map((c) => c.field), ['spec.syncMode']);
});

test('exported TS types describe wire objects and fit the API server\'s KubeObject', async () => {
  const { API_VERSION, isClusterReady } = await import('./cluster/v1alpha1/index.js');
  type Cluster = import('./cluster/v1alpha1/index.js').Cluster;
  type PropagationPolicy = import('./policy/v1alpha1/index.js').PropagationPolicy;
  type KubeObject = import('../apiserver/registry/types.js').KubeObject;
  const c: Cluster = {
    apiVersion: API_VERSION,
    kind: 'Cluster',
    metadata: { name: 'member1', labels: { region: 'eu' } },
    spec: { syncMode: 'Push', apiEndpoint: 'https://10.0.0.1:6443' },
    status: { conditions: [{ type: 'Ready', status: 'True', reason: 'ClusterReady', message: '', lastTransitionTime: '2024-01-01T00:00:00Z' }] },
  };
  const p: PropagationPolicy = { spec: { resourceSelectors: [{ apiVersion: 'v1', kind: 'ConfigMap' }] } };
  const asKube: KubeObject[] = [c, p];
  assert.equal(asKube.length, 2);
  assert.ok(isClusterReady(c));
});
