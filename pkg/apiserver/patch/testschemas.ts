// Hand-made schemas shared by this package's tests (not used at run time).

import type { JSONSchemaProps } from '../schema/types.js';

const str: JSONSchemaProps = { type: 'string' };
const int: JSONSchemaProps = { type: 'integer' };
const strMap: JSONSchemaProps = { type: 'object', additionalProperties: str };

/** strategicpatch's test type MergeItem (recursive), as OpenAPI with patch metadata. */
export function mergeItemSchema(): JSONSchemaProps {
  const item: JSONSchemaProps = { type: 'object', properties: {} };
  const p = item.properties!;
  p.name = str;
  p.value = str;
  p.other = str;
  p.mergingList = { type: 'array', items: item, 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'name' };
  p.nonMergingList = { type: 'array', items: item };
  p.mergingIntList = { type: 'array', items: int, 'x-kubernetes-patch-strategy': 'merge' };
  p.nonMergingIntList = { type: 'array', items: int };
  p.mergeItemPtr = { type: 'array', items: item, 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'name' };
  p.simpleMap = strMap;
  p.replacingItem = { 'x-kubernetes-preserve-unknown-fields': true, 'x-kubernetes-patch-strategy': 'replace' };
  p.retainKeysMap = {
    type: 'object',
    'x-kubernetes-patch-strategy': 'retainKeys',
    properties: {
      name: str,
      value: str,
      other: str,
      simpleMap: strMap,
      mergingIntList: { type: 'array', items: int, 'x-kubernetes-patch-strategy': 'merge' },
      mergingList: { type: 'array', items: item, 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'name' },
      nonMergingList: { type: 'array', items: item },
    },
  };
  p.retainKeysMergingList = {
    type: 'array',
    items: item,
    'x-kubernetes-patch-strategy': 'merge,retainKeys',
    'x-kubernetes-patch-merge-key': 'name',
  };
  return item;
}

const envVar: JSONSchemaProps = { type: 'object', properties: { name: str, value: str } };
const containerPort: JSONSchemaProps = {
  type: 'object',
  properties: { containerPort: int, name: str, protocol: { type: 'string', default: 'TCP' } },
};

const container: JSONSchemaProps = {
  type: 'object',
  properties: {
    name: str,
    image: str,
    imagePullPolicy: str,
    terminationMessagePath: str,
    args: { type: 'array', items: str, 'x-kubernetes-list-type': 'atomic' },
    command: { type: 'array', items: str },
    env: {
      type: 'array',
      items: envVar,
      'x-kubernetes-patch-strategy': 'merge',
      'x-kubernetes-patch-merge-key': 'name',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    },
    ports: {
      type: 'array',
      items: containerPort,
      'x-kubernetes-patch-strategy': 'merge',
      'x-kubernetes-patch-merge-key': 'containerPort',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['containerPort', 'protocol'],
    },
    volumeMounts: {
      type: 'array',
      items: { type: 'object', properties: { name: str, mountPath: str } },
      'x-kubernetes-patch-strategy': 'merge',
      'x-kubernetes-patch-merge-key': 'mountPath',
    },
    resources: {
      type: 'object',
      properties: { limits: { type: 'object', additionalProperties: str }, requests: { type: 'object', additionalProperties: str } },
    },
  },
};

const podSpec: JSONSchemaProps = {
  type: 'object',
  properties: {
    containers: {
      type: 'array',
      items: container,
      'x-kubernetes-patch-strategy': 'merge',
      'x-kubernetes-patch-merge-key': 'name',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    },
    volumes: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: str,
          configMap: { type: 'object', properties: { name: str } },
          emptyDir: { type: 'object', properties: { medium: str } },
        },
      },
      'x-kubernetes-patch-strategy': 'merge,retainKeys',
      'x-kubernetes-patch-merge-key': 'name',
    },
    nodeSelector: strMap,
    restartPolicy: str,
  },
};

const labelSelector: JSONSchemaProps = {
  type: 'object',
  'x-kubernetes-map-type': 'atomic',
  properties: { matchLabels: strMap, matchExpressions: { type: 'array', items: { type: 'object' } } },
};

/** A Deployment-shaped schema with the patch and list metadata of apps/v1. */
export function deploymentSchema(): JSONSchemaProps {
  return {
    type: 'object',
    properties: {
      apiVersion: str,
      kind: str,
      metadata: { type: 'object' },
      spec: {
        type: 'object',
        properties: {
          replicas: int,
          selector: labelSelector,
          strategy: {
            type: 'object',
            'x-kubernetes-patch-strategy': 'retainKeys',
            properties: {
              type: str,
              rollingUpdate: { type: 'object', properties: { maxSurge: { 'x-kubernetes-int-or-string': true }, maxUnavailable: { 'x-kubernetes-int-or-string': true } } },
            },
          },
          template: {
            type: 'object',
            properties: {
              metadata: { type: 'object', properties: { labels: strMap, annotations: strMap } },
              spec: podSpec,
            },
          },
        },
      },
      status: { type: 'object', properties: { replicas: int, readyReplicas: int } },
    },
  };
}
