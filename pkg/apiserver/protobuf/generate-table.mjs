#!/usr/bin/env node
// Regenerates table.ts from the protobuf descriptors that a kubectl binary carries.
//
// Every k8s.io/api and k8s.io/apimachinery generated.pb.go registers its generated.proto as a gzipped
// FileDescriptorProto (with the gogoproto options go-to-protobuf compiled it with, so `nullable=false`
// tells non-pointer Go fields from pointer ones). This script finds those blobs in the binary, walks
// the messages reachable from the root kinds below and writes the field table (numbers, JSON names,
// kinds, pointer-ness). The Go struct tags, also in the binary, supply JSON names that differ from the
// protobuf names (uID → uid), `json:",inline"` embeds, and omitempty.
// Usage: node pkg/apiserver/protobuf/generate-table.mjs [path/to/kubectl]   (then review the diff of table.ts)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const kubectl = process.argv[2] ?? execFileSync('sh', ['-c', 'readlink -f "$(command -v kubectl)"']).toString().trim();

/** apiVersion/kind → root message. */
const ROOTS = {
  'v1/ConfigMap': 'k8s.io.api.core.v1.ConfigMap',
  'v1/Secret': 'k8s.io.api.core.v1.Secret',
  'v1/Namespace': 'k8s.io.api.core.v1.Namespace',
  'v1/ServiceAccount': 'k8s.io.api.core.v1.ServiceAccount',
  'v1/Service': 'k8s.io.api.core.v1.Service',
  'v1/ResourceQuota': 'k8s.io.api.core.v1.ResourceQuota',
  'v1/Pod': 'k8s.io.api.core.v1.Pod',
  'apps/v1/Deployment': 'k8s.io.api.apps.v1.Deployment',
  'batch/v1/Job': 'k8s.io.api.batch.v1.Job',
  'batch/v1/CronJob': 'k8s.io.api.batch.v1.CronJob',
  'rbac.authorization.k8s.io/v1/Role': 'k8s.io.api.rbac.v1.Role',
  'rbac.authorization.k8s.io/v1/ClusterRole': 'k8s.io.api.rbac.v1.ClusterRole',
  'rbac.authorization.k8s.io/v1/RoleBinding': 'k8s.io.api.rbac.v1.RoleBinding',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': 'k8s.io.api.rbac.v1.ClusterRoleBinding',
  'policy/v1/PodDisruptionBudget': 'k8s.io.api.policy.v1.PodDisruptionBudget',
  'policy/v1/Eviction': 'k8s.io.api.policy.v1.Eviction',
  'networking.k8s.io/v1/Ingress': 'k8s.io.api.networking.v1.Ingress',
  'scheduling.k8s.io/v1/PriorityClass': 'k8s.io.api.scheduling.v1.PriorityClass',
  'authentication.k8s.io/v1/TokenRequest': 'k8s.io.api.authentication.v1.TokenRequest',
  'authentication.k8s.io/v1/SelfSubjectReview': 'k8s.io.api.authentication.v1.SelfSubjectReview',
  'authorization.k8s.io/v1/SelfSubjectAccessReview': 'k8s.io.api.authorization.v1.SelfSubjectAccessReview',
  'authorization.k8s.io/v1/SelfSubjectRulesReview': 'k8s.io.api.authorization.v1.SelfSubjectRulesReview',
  'autoscaling/v1/HorizontalPodAutoscaler': 'k8s.io.api.autoscaling.v1.HorizontalPodAutoscaler',
  'certificates.k8s.io/v1/CertificateSigningRequest': 'k8s.io.api.certificates.v1.CertificateSigningRequest',
};

/** Types with their own JSON form; decoded specially, not expanded. */
const SPECIAL = new Set([
  'k8s.io.apimachinery.pkg.apis.meta.v1.Time',
  'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime',
  'k8s.io.apimachinery.pkg.apis.meta.v1.Duration',
  'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1',
  'k8s.io.apimachinery.pkg.runtime.RawExtension',
  'k8s.io.apimachinery.pkg.api.resource.Quantity',
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString',
]);

/**
 * Go embedded structs tagged `json:",inline"` whose struct tag has no protobuf name (so the tag scan below
 * cannot see them); the others are found from the struct tags.
 */
const INLINE = new Set(['k8s.io.api.core.v1.EphemeralContainer.ephemeralContainerCommon']);

/**
 * Non-pointer scalar (or IntOrString) fields whose Go JSON tag lacks omitempty: zero values are kept.
 * The struct-tag scan finds these by itself where every struct tag with the same protobuf name and number
 * agrees; this list covers the names that are omitempty in some types and not in others.
 */
const KEEP_ZERO = new Set([
  'k8s.io.apimachinery.pkg.apis.meta.v1.OwnerReference.apiVersion',
  'k8s.io.apimachinery.pkg.apis.meta.v1.OwnerReference.kind',
  'k8s.io.apimachinery.pkg.apis.meta.v1.OwnerReference.name',
  'k8s.io.apimachinery.pkg.apis.meta.v1.OwnerReference.uid',
  'k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement.key',
  'k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement.operator',
  'k8s.io.api.core.v1.Container.name',
  'k8s.io.api.core.v1.EphemeralContainerCommon.name',
  'k8s.io.api.core.v1.ContainerPort.containerPort',
  'k8s.io.api.core.v1.ServicePort.port',
  'k8s.io.api.core.v1.EnvVar.name',
  'k8s.io.api.core.v1.Volume.name',
  'k8s.io.api.core.v1.VolumeMount.name',
  'k8s.io.api.core.v1.VolumeMount.mountPath',
  'k8s.io.api.core.v1.VolumeDevice.name',
  'k8s.io.api.core.v1.VolumeDevice.devicePath',
  'k8s.io.api.core.v1.KeyToPath.key',
  'k8s.io.api.core.v1.KeyToPath.path',
  'k8s.io.api.core.v1.ConfigMapKeySelector.key',
  'k8s.io.api.core.v1.SecretKeySelector.key',
  'k8s.io.api.core.v1.ObjectFieldSelector.fieldPath',
  'k8s.io.api.core.v1.ResourceFieldSelector.resource',
  'k8s.io.api.core.v1.HTTPHeader.name',
  'k8s.io.api.core.v1.HTTPHeader.value',
  'k8s.io.api.core.v1.HTTPGetAction.port',
  'k8s.io.api.core.v1.TCPSocketAction.port',
  'k8s.io.api.core.v1.GRPCAction.port',
  'k8s.io.api.core.v1.NodeSelectorRequirement.key',
  'k8s.io.api.core.v1.NodeSelectorRequirement.operator',
  'k8s.io.api.core.v1.PreferredSchedulingTerm.weight',
  'k8s.io.api.core.v1.WeightedPodAffinityTerm.weight',
  'k8s.io.api.core.v1.PodAffinityTerm.topologyKey',
  'k8s.io.api.core.v1.TopologySpreadConstraint.maxSkew',
  'k8s.io.api.core.v1.TopologySpreadConstraint.topologyKey',
  'k8s.io.api.core.v1.TopologySpreadConstraint.whenUnsatisfiable',
  'k8s.io.api.core.v1.ScopedResourceSelectorRequirement.scopeName',
  'k8s.io.api.core.v1.ScopedResourceSelectorRequirement.operator',
  'k8s.io.api.core.v1.Sysctl.name',
  'k8s.io.api.core.v1.Sysctl.value',
  'k8s.io.api.core.v1.DownwardAPIVolumeFile.path',
  'k8s.io.api.core.v1.ServiceAccountTokenProjection.path',
  'k8s.io.api.core.v1.ContainerResizePolicy.resourceName',
  'k8s.io.api.core.v1.ContainerResizePolicy.restartPolicy',
  'k8s.io.api.core.v1.PodResourceClaim.name',
  'k8s.io.api.core.v1.ResourceClaim.name',
  'k8s.io.api.rbac.v1.Subject.kind',
  'k8s.io.api.rbac.v1.Subject.name',
  'k8s.io.api.rbac.v1.RoleRef.apiGroup',
  'k8s.io.api.rbac.v1.RoleRef.kind',
  'k8s.io.api.rbac.v1.RoleRef.name',
  'k8s.io.api.networking.v1.IngressServiceBackend.name',
  'k8s.io.api.batch.v1.CronJobSpec.schedule',
  'k8s.io.api.policy.v1.PodDisruptionBudgetStatus.disruptionsAllowed',
  'k8s.io.api.policy.v1.PodDisruptionBudgetStatus.currentHealthy',
  'k8s.io.api.policy.v1.PodDisruptionBudgetStatus.desiredHealthy',
  'k8s.io.api.policy.v1.PodDisruptionBudgetStatus.expectedPods',
  'k8s.io.api.scheduling.v1.PriorityClass.value',
  'k8s.io.api.autoscaling.v1.HorizontalPodAutoscalerSpec.maxReplicas',
  'k8s.io.api.autoscaling.v1.HorizontalPodAutoscalerStatus.currentReplicas',
  'k8s.io.api.autoscaling.v1.HorizontalPodAutoscalerStatus.desiredReplicas',
  'k8s.io.api.autoscaling.v1.CrossVersionObjectReference.kind',
  'k8s.io.api.autoscaling.v1.CrossVersionObjectReference.name',
  'k8s.io.api.authentication.v1.TokenRequestStatus.token',
  'k8s.io.api.authorization.v1.SubjectAccessReviewStatus.allowed',
  'k8s.io.api.authorization.v1.SubjectRulesReviewStatus.incomplete',
  'k8s.io.api.authorization.v1.ResourceRule.verbs',
  'k8s.io.api.certificates.v1.CertificateSigningRequestSpec.signerName',
  'k8s.io.api.certificates.v1.CertificateSigningRequestCondition.type',
  'k8s.io.api.certificates.v1.CertificateSigningRequestCondition.status',
  'k8s.io.api.batch.v1.PodFailurePolicyOnExitCodesRequirement.operator',
  'k8s.io.api.batch.v1.PodFailurePolicyOnPodConditionsPattern.type',
  'k8s.io.api.batch.v1.PodFailurePolicyOnPodConditionsPattern.status',
  'k8s.io.api.core.v1.AppArmorProfile.type',
  'k8s.io.api.core.v1.SeccompProfile.type',
  'k8s.io.api.core.v1.AzureFileVolumeSource.secretName',
  'k8s.io.api.core.v1.GlusterfsVolumeSource.path',
  'k8s.io.api.core.v1.HostPathVolumeSource.path',
  'k8s.io.api.core.v1.NFSVolumeSource.path',
  'k8s.io.api.core.v1.RBDVolumeSource.image',
  'k8s.io.api.core.v1.PodOS.name',
  'k8s.io.api.core.v1.PodSchedulingGate.name',
  'k8s.io.api.core.v1.TypedLocalObjectReference.kind',
  'k8s.io.api.core.v1.TypedLocalObjectReference.name',
  'k8s.io.api.core.v1.TypedObjectReference.kind',
  'k8s.io.api.core.v1.TypedObjectReference.name',
  'k8s.io.apimachinery.pkg.apis.meta.v1.FieldSelectorRequirement.key',
  'k8s.io.apimachinery.pkg.apis.meta.v1.FieldSelectorRequirement.operator',
  'k8s.io.api.apps.v1.DeploymentCondition.type',
  'k8s.io.api.apps.v1.DeploymentCondition.status',
  'k8s.io.api.batch.v1.JobCondition.type',
  'k8s.io.api.batch.v1.JobCondition.status',
  'k8s.io.api.core.v1.NamespaceCondition.type',
  'k8s.io.api.core.v1.NamespaceCondition.status',
  'k8s.io.api.core.v1.PodCondition.type',
  'k8s.io.api.core.v1.PodCondition.status',
]);

// ---- a tiny protobuf reader for the descriptors ----
function* fields(buf) {
  let p = 0;
  const varint = () => {
    let r = 0n, s = 0n;
    for (;;) { const b = buf[p++]; r |= BigInt(b & 0x7f) << s; s += 7n; if (!(b & 0x80)) return r; }
  };
  while (p < buf.length) {
    const key = Number(varint());
    const no = key >>> 3, wt = key & 7;
    if (wt === 0) yield [no, varint()];
    else if (wt === 2) { const l = Number(varint()); yield [no, buf.subarray(p, p + l)]; p += l; }
    else if (wt === 1) { yield [no, buf.subarray(p, p + 8)]; p += 8; }
    else if (wt === 5) { yield [no, buf.subarray(p, p + 4)]; p += 4; }
    else throw new Error(`wire type ${wt}`);
  }
}

const messages = new Map(); // full name → { fields: [...], mapEntry }
function readMessage(b, prefix) {
  let name = '', mapEntry = false; const fs_ = [], nested = [];
  for (const [n, v] of fields(b)) {
    if (n === 1) name = v.toString();
    else if (n === 2) {
      const f = { nullable: true };
      for (const [fn, fv] of fields(v)) {
        if (fn === 1) f.name = fv.toString();
        else if (fn === 3) f.number = Number(fv);
        else if (fn === 4) f.label = Number(fv);
        else if (fn === 5) f.type = Number(fv);
        else if (fn === 6) f.typeName = fv.toString().replace(/^\./, '');
        else if (fn === 8) for (const [on, ov] of fields(fv)) { if (on === 65001 && ov === 0n) f.nullable = false; }
      }
      fs_.push(f);
    } else if (n === 3) nested.push(v);
    else if (n === 7) for (const [on, ov] of fields(v)) if (on === 7 && ov === 1n) mapEntry = true;
  }
  const full = prefix + name;
  messages.set(full, { fields: fs_, mapEntry });
  for (const nb of nested) readMessage(nb, full + '.');
}

const bin = fs.readFileSync(kubectl);
const magic = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00]);
for (let i = bin.indexOf(magic); i >= 0; i = bin.indexOf(magic, i + 1)) {
  let d;
  // Raw inflate of the member's deflate stream stops at its end (gunzip would run on into an adjacent blob).
  try { d = zlib.inflateRawSync(bin.subarray(i + 10, i + 10 + 4_000_000), { finishFlush: zlib.constants.Z_SYNC_FLUSH }); } catch { continue; }
  let file = '', pkg = '';
  try { for (const [n, v] of fields(d)) { if (n === 1) file = v.toString(); if (n === 2) pkg = v.toString(); } } catch { continue; }
  if (!/^k8s\.io\/.*generated\.proto$/.test(file)) continue;
  for (const [n, v] of fields(d)) if (n === 4) readMessage(v, pkg + '.');
}

// Go struct tags (kept in the binary for reflection): `json:"uid,omitempty" protobuf:"bytes,4,opt,name=uID"`.
// Keyed by protobuf name and number: the JSON name where it differs from the protobuf name, `,inline`,
// and whether every such tag has omitempty.
const tags = new Map(); // 'uID#4' → { json: Set, omitempty: Set<boolean> }
{
  const text = bin.toString('latin1');
  const re = /json:"([^"]*)"\s+protobuf:"[a-z0-9]+,(\d+),(?:opt|rep|req)[^"]*?name=([A-Za-z0-9_]+)[^"]*"/g;
  for (let m; (m = re.exec(text)); ) {
    const key = `${m[3]}#${m[2]}`;
    const [json, ...opts] = m[1].split(',');
    const t = tags.get(key) ?? { json: new Set(), omitempty: new Set() };
    t.json.add(opts.includes('inline') ? ',inline' : json);
    t.omitempty.add(opts.includes('omitempty'));
    tags.set(key, t);
  }
}

const SCALAR = { 1: 'double', 3: 'int64', 5: 'int32', 8: 'bool', 9: 'string', 12: 'bytes' };
const out = new Map();
const queue = Object.values(ROOTS);
const inlineSeen = [];
while (queue.length) {
  const name = queue.shift();
  if (out.has(name) || SPECIAL.has(name)) continue;
  const m = messages.get(name);
  if (!m) throw new Error(`message ${name} not found in ${kubectl}`);
  const defs = [];
  for (const f of [...m.fields].sort((a, b) => a.number - b.number)) {
    const def = { no: f.number, json: f.name, protoName: f.name };
    const tag = tags.get(`${f.name}#${f.number}`);
    if (tag && !tag.json.has(f.name)) {
      if (tag.json.size !== 1) throw new Error(`ambiguous JSON name for ${name}.${f.name}: ${[...tag.json]}`);
      const [j] = tag.json;
      if (j === ',inline') INLINE.add(`${name}.${f.name}`);
      else if (j === '-') throw new Error(`${name}.${f.name} is not serialized to JSON`);
      else def.json = j;
    }
    if (f.type === 11) {
      const t = messages.get(f.typeName);
      if (t?.mapEntry) {
        const [k, v] = [...t.fields].sort((a, b) => a.number - b.number);
        if (k.type !== 9) throw new Error(`map key ${f.typeName}`);
        def.map = true;
        if (v.type === 11) { def.type = v.typeName; queue.push(v.typeName); }
        else def.type = SCALAR[v.type];
      } else {
        def.type = f.typeName;
        queue.push(f.typeName);
      }
    } else {
      def.type = SCALAR[f.type];
      if (!def.type) throw new Error(`type ${f.type} of ${name}.${f.name}`);
    }
    if (f.label === 3 && !def.map) def.repeated = true;
    if (f.nullable && !def.repeated && !def.map) def.pointer = true;
    if (INLINE.has(`${name}.${f.name}`)) { def.inline = true; inlineSeen.push(`${name}.${f.name}`); }
    const scalarLike = SCALAR[f.type] || f.typeName === 'k8s.io.apimachinery.pkg.util.intstr.IntOrString';
    const noOmitempty = tag && tag.omitempty.size === 1 && tag.omitempty.has(false);
    if (KEEP_ZERO.has(`${name}.${f.name}`) || (scalarLike && !def.pointer && !def.repeated && !def.map && noOmitempty)) def.keepZero = true;
    defs.push(def);
  }
  out.set(name, defs);
}
for (const k of INLINE) if (!inlineSeen.includes(k)) throw new Error(`inline override ${k} names no field`);
for (const k of KEEP_ZERO) {
  const i = k.lastIndexOf('.');
  const defs = out.get(k.slice(0, i));
  if (!defs?.some((d) => d.protoName === k.slice(i + 1))) throw new Error(`keep-zero override ${k} names no field`);
}

const q = (s) => `'${s}'`;
let ts = `// GENERATED by generate-table.mjs from the protobuf descriptors compiled into kubectl ${execFileSync(kubectl, ['version', '--client', '-o', 'json']).toString().match(/"gitVersion":\s*"([^"]+)"/)?.[1] ?? ''}
// (k8s.io/api and k8s.io/apimachinery generated.proto). Field numbers and names only; do not edit by hand.
import type { MessageTable } from './types.js';

/** apiVersion/kind → root message. */
export const ROOT_MESSAGES: Readonly<Record<string, string>> = {
${Object.entries(ROOTS).map(([k, v]) => `  ${q(k)}: ${q(v)},`).join('\n')}
};

export const MESSAGES: MessageTable = {
`;
for (const [name, defs] of [...out].sort(([a], [b]) => a.localeCompare(b))) {
  ts += `  ${q(name)}: {\n`;
  for (const d of defs) {
    const parts = [`json: ${q(d.json)}`, `type: ${q(d.type)}`];
    for (const flag of ['repeated', 'map', 'pointer', 'inline', 'keepZero']) if (d[flag]) parts.push(`${flag}: true`);
    ts += `    ${d.no}: { ${parts.join(', ')} },\n`;
  }
  ts += `  },\n`;
}
ts += `};\n`;
fs.writeFileSync(path.join(here, 'table.ts'), ts);
console.log(`wrote ${out.size} messages; inline fields: ${inlineSeen.join(', ')}`);
