// Built-in kind strategies (what kube-apiserver's per-kind PrepareForCreate/Validate do) for the
// kinds users propagate: system-set fields, the defaults that matter to scheduling, and the checks
// that keep obviously broken workloads out.

import { invalid } from '../errors.js';
import type { FieldCause, KubeObject, ResourceDescriptor } from '../registry/types.js';
import type { AdmissionAttributes, AdmissionPlugin } from './types.js';
import { matchesLabels, fromLabelSelectorObject } from '../selectors.js';
import { deepEqual } from '../store/store.js';
import { forbidden, invalid as invalidField } from '../validation/field.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

const WORKLOADS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet']);

export function builtinStrategies(): AdmissionPlugin {
  return {
    name: 'BuiltinStrategies',
    admit(a: AdmissionAttributes) {
      const d = a.descriptor;
      const obj = a.object;
      if (!obj || a.subresource === 'status') return;
      // With a status subresource, status is only written through it (custom resources too).
      if (a.operation === 'CREATE' && d.subresources.status) delete obj.status;
      if (d.crd) return;
      if (d.group === '' && d.kind === 'Namespace') {
        const spec = (isObj(obj.spec) ? obj.spec : (obj.spec = {})) as Obj;
        if (a.operation === 'CREATE') {
          if (!Array.isArray(spec.finalizers)) spec.finalizers = ['kubernetes'];
          obj.status = { phase: 'Active' };
        }
        (obj.metadata!.labels ??= {})['kubernetes.io/metadata.name'] = obj.metadata!.name!;
      }
      if (d.group === '' && d.kind === 'Secret') foldStringData(obj);
      if (d.group === 'apps' && WORKLOADS.has(d.kind)) defaultWorkload(d, obj);
      if (d.group === 'batch' && d.kind === 'Job') defaultPodTemplate(((obj.spec as Obj | undefined)?.template as Obj | undefined));
    },
    validate(a: AdmissionAttributes) {
      const d = a.descriptor;
      const obj = a.object;
      if (!obj || d.crd || a.operation === 'DELETE' || a.subresource === 'status') return;
      const causes: FieldCause[] = [];
      if (d.group === 'apps' && WORKLOADS.has(d.kind)) validateWorkload(obj, causes);
      if (d.group === '' && d.kind === 'Pod') validatePodSpec(obj.spec, 'spec', causes);
      if (d.group === '' && d.kind === 'Secret') validateSecretData(obj, causes);
      if (a.operation === 'UPDATE' && a.oldObject && d.group === '' && (d.kind === 'ConfigMap' || d.kind === 'Secret')) {
        validateImmutableData(obj, a.oldObject, d.kind === 'Secret', causes);
      }
      if (causes.length) throw invalid(d.group, d.kind, obj.metadata?.name ?? '', causes);
    },
  };
}

/** stringData is write-only: it is folded into data (base64) as the API server does. */
function foldStringData(obj: KubeObject): void {
  const sd = obj.stringData;
  if (!isObj(sd)) return;
  const data = (isObj(obj.data) ? obj.data : (obj.data = {})) as Obj;
  for (const [k, v] of Object.entries(sd)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
  delete obj.stringData;
  if (!obj.type) obj.type = 'Opaque';
}

function defaultWorkload(d: ResourceDescriptor, obj: KubeObject): void {
  const spec = obj.spec;
  if (!isObj(spec)) return;
  if (d.kind !== 'DaemonSet' && spec.replicas === undefined) spec.replicas = 1;
  if (spec.revisionHistoryLimit === undefined) spec.revisionHistoryLimit = 10;
  if (d.kind === 'Deployment') {
    spec.progressDeadlineSeconds ??= 600;
    if (!isObj(spec.strategy)) spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } };
  }
  if (d.kind === 'StatefulSet') {
    spec.podManagementPolicy ??= 'OrderedReady';
    if (!isObj(spec.updateStrategy)) spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
  }
  defaultPodTemplate(spec.template as Obj | undefined);
}

function defaultPodTemplate(template: Obj | undefined): void {
  if (!isObj(template) || !isObj(template.spec)) return;
  const ps = template.spec;
  ps.restartPolicy ??= 'Always';
  ps.dnsPolicy ??= 'ClusterFirst';
  ps.schedulerName ??= 'default-scheduler';
  ps.terminationGracePeriodSeconds ??= 30;
  if (!isObj(ps.securityContext)) ps.securityContext = {};
  for (const c of Array.isArray(ps.containers) ? ps.containers : []) {
    if (!isObj(c)) continue;
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
    if (c.imagePullPolicy === undefined && typeof c.image === 'string') {
      const tagged = /:[^/]+$/.test(c.image) && !c.image.endsWith(':latest');
      c.imagePullPolicy = tagged || c.image.includes('@') ? 'IfNotPresent' : 'Always';
    }
    if (!isObj(c.resources)) c.resources = {};
  }
}

function validateWorkload(obj: KubeObject, causes: FieldCause[]): void {
  const spec = obj.spec;
  if (!isObj(spec)) {
    causes.push({ reason: 'FieldValueRequired', field: 'spec', message: 'Required value' });
    return;
  }
  if (typeof spec.replicas === 'number' && (spec.replicas < 0 || !Number.isInteger(spec.replicas))) {
    causes.push({ reason: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${spec.replicas}: must be greater than or equal to 0` });
  }
  const selector = spec.selector;
  if (!isObj(selector)) {
    causes.push({ reason: 'FieldValueRequired', field: 'spec.selector', message: 'Required value' });
  } else if (!isObj(selector.matchLabels) && !Array.isArray(selector.matchExpressions)) {
    causes.push({ reason: 'FieldValueInvalid', field: 'spec.selector', message: 'Invalid value: {}: empty selector is invalid for deployment' });
  }
  const template = spec.template;
  if (!isObj(template)) {
    causes.push({ reason: 'FieldValueRequired', field: 'spec.template', message: 'Required value' });
    return;
  }
  const labels = (isObj(template.metadata) ? template.metadata.labels : undefined) as Record<string, string> | undefined;
  if (isObj(selector) && !matchesLabels(fromLabelSelectorObject(selector as never), labels)) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'spec.template.metadata.labels',
      message: `Invalid value: ${JSON.stringify(labels ?? {})}: \`selector\` does not match template \`labels\``,
    });
  }
  validatePodSpec(template.spec, 'spec.template.spec', causes);
}

function validatePodSpec(ps: unknown, path: string, causes: FieldCause[]): void {
  if (!isObj(ps)) {
    causes.push({ reason: 'FieldValueRequired', field: path, message: 'Required value' });
    return;
  }
  const containers = ps.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    causes.push({ reason: 'FieldValueRequired', field: `${path}.containers`, message: 'Required value' });
    return;
  }
  const seen = new Set<string>();
  containers.forEach((c, i) => {
    const at = `${path}.containers[${i}]`;
    if (!isObj(c)) return;
    if (typeof c.name !== 'string' || !c.name) causes.push({ reason: 'FieldValueRequired', field: `${at}.name`, message: 'Required value' });
    else if (seen.has(c.name)) causes.push({ reason: 'FieldValueDuplicate', field: `${at}.name`, message: `Duplicate value: "${c.name}"` });
    else seen.add(c.name);
    if (typeof c.image !== 'string' || !c.image.trim()) causes.push({ reason: 'FieldValueRequired', field: `${at}.image`, message: 'Required value' });
  });
}

function validateSecretData(obj: KubeObject, causes: FieldCause[]): void {
  const data = obj.data;
  if (!isObj(data)) return;
  for (const [k, v] of Object.entries(data)) {
    if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0) {
      causes.push({ reason: 'FieldValueInvalid', field: `data[${k}]`, message: 'Invalid value: "<secret contents redacted>": must be base64-encoded' });
    }
  }
}

/** ValidateConfigMapUpdate / ValidateSecretUpdate: immutable data stays as it is; a Secret's type never changes. */
function validateImmutableData(obj: KubeObject, old: KubeObject, secret: boolean, causes: FieldCause[]): void {
  if (secret && (obj.type ?? 'Opaque') !== (old.type ?? 'Opaque')) causes.push(invalidField('type', obj.type ?? '', 'field is immutable'));
  if (old.immutable !== true) return;
  const why = 'field is immutable when `immutable` is set';
  if (obj.immutable !== true) causes.push(forbidden('immutable', why));
  if (!deepEqual(obj.data, old.data)) causes.push(forbidden('data', why));
  if (!deepEqual(obj.binaryData, old.binaryData)) causes.push(forbidden('binaryData', why));
}
