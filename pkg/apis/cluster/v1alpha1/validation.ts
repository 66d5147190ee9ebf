// Cluster validation as karmada-aggregated-apiserver applies it (pkg/apis/cluster/validation): the name
// must be a DNS-1123 label of at most 48 characters (so karmada-es-<name> stays a label), syncMode
// Push|Pull, endpoint and proxy URLs, secret references, taints and resource models.

import type { FieldCause } from '../../../apiserver/registry/types.js';
import { FieldPath, duplicate, invalid, notSupported, required } from '../../../apiserver/validation/field.js';
import { isDNS1123Label, isValidLabelValue } from '../../../apiserver/validation/names.js';
import { validateLabelName } from '../../../apiserver/validation/objectmeta.js';
import { TAINT_EFFECTS, type Taint } from '../../core/v1/types.js';
import { compareQuantities, isValidQuantity, MAX_INT64, parseQuantity } from '../../core/v1/quantity.js';
import { CLUSTER_NAME_MAX_LENGTH } from './wellknown.js';
import { SYNC_MODES, type Cluster, type ResourceModel } from './types.js';

/** ValidateClusterName: non-empty, at most 48 characters, a DNS-1123 label. */
export function validateClusterName(name: string): string[] {
  if (!name) return ['must be not empty'];
  if (name.length > CLUSTER_NAME_MAX_LENGTH) {
    return [`must be no more than ${CLUSTER_NAME_MAX_LENGTH} characters (the execution namespace karmada-es-<name> must stay a DNS label)`];
  }
  return isDNS1123Label(name);
}

/** Taints: qualified-name keys, label values, a supported effect, unique by key and effect. */
export function validateTaints(taints: Taint[] | undefined, fld: FieldPath): FieldCause[] {
  const errs: FieldCause[] = [];
  const seen = new Map<string, Set<string>>();
  (taints ?? []).forEach((t, i) => {
    const p = fld.index(i);
    errs.push(...validateLabelName(t.key ?? '', p.child('key')));
    const valueErrs = isValidLabelValue(t.value ?? '');
    if (valueErrs.length) errs.push(invalid(p.child('value'), t.value ?? '', valueErrs.join(';')));
    if (!t.effect) errs.push(required(p.child('effect'), 'taint effect is required: one of NoSchedule, PreferNoSchedule, NoExecute'));
    else if (!(TAINT_EFFECTS as readonly string[]).includes(t.effect)) errs.push(notSupported(p.child('effect'), t.effect, TAINT_EFFECTS));
    const keys = seen.get(t.effect) ?? new Set<string>();
    if (keys.has(t.key)) {
      const d = duplicate(p, t);
      d.message += ': taints must be unique by key and effect pair';
      errs.push(d);
      return;
    }
    keys.add(t.key);
    seen.set(t.effect, keys);
  });
  return errs;
}

function validateURL(fld: FieldPath, value: string, what: string): { url?: URL; errs: FieldCause[] } {
  try {
    return { url: new URL(value), errs: [] };
  } catch (err) {
    return { errs: [invalid(fld, value, `${what} must be a valid URL such as https://10.0.0.1:6443: ${(err as Error).message}`)] };
  }
}

/** ValidateClusterAPIEndpoint. */
export function validateAPIEndpoint(fld: FieldPath, apiEndpoint: string): FieldCause[] {
  const form = '; desired format: https://hostname, https://hostname:port, https://IP or https://IP:port';
  const { url, errs } = validateURL(fld, apiEndpoint, 'apiEndpoint');
  if (!url) return errs;
  if (!url.host) errs.push(invalid(fld, url.host, 'host must be provided' + form));
  if (url.username || url.password) errs.push(invalid(fld, url.username, 'user information is not permitted in the URL'));
  if (url.hash) errs.push(invalid(fld, url.hash.slice(1), 'fragments are not permitted in the URL'));
  if (url.search) errs.push(invalid(fld, url.search.slice(1), 'query parameters are not permitted in the URL'));
  return errs;
}

/** ValidateClusterProxyURL: http, https or socks5. */
export function validateProxyURL(fld: FieldPath, proxyURL: string): FieldCause[] {
  const { url, errs } = validateURL(fld, proxyURL, 'proxyURL');
  if (!url) return errs;
  const scheme = url.protocol.replace(/:$/, '');
  if (!['http', 'https', 'socks5'].includes(scheme)) {
    errs.push(invalid(fld, proxyURL, `unsupported scheme ${JSON.stringify(scheme)}, must be http, https, or socks5`));
  }
  return errs;
}

const MODEL_RESOURCES = ['cpu', 'ephemeral-storage', 'memory', 'storage'];

/** ValidateClusterResourceModels: grades distinct, same resources in the same order, contiguous [min,max). */
export function validateResourceModels(fld: FieldPath, models: ResourceModel[]): FieldCause[] {
  const bad = (msg: string) => [invalid(fld, models, msg)];
  for (let i = 0; i < models.length; i++) {
    const m = models[i]!;
    const prev = models[i - 1];
    if (prev && m.grade === prev.grade) return bad('the grade of each model must be different');
    if (prev && prev.ranges.length !== m.ranges.length) return bad('every model must list the same number of resource types');
    for (let j = 0; j < m.ranges.length; j++) {
      const r = m.ranges[j]!;
      if (!MODEL_RESOURCES.includes(r.name)) return [notSupported(fld.index(i).child('ranges').index(j).child('name'), r.name, MODEL_RESOURCES)];
      if (!isValidQuantity(r.min) || !isValidQuantity(r.max)) return bad(`ranges[${j}] of grade ${m.grade} has a malformed quantity`);
      if (compareQuantities(r.max, r.min) <= 0) return bad('the max value of each resource must be greater than the min value');
      if (i === 0) {
        if (parseQuantity(r.min) !== 0n) return bad('the min value of each resource in the first model must be 0');
      } else if (prev!.ranges[j]!.name !== r.name) {
        return bad('the resource types of each model must be the same and in the same order');
      } else if (compareQuantities(prev!.ranges[j]!.max, r.min) !== 0) {
        return bad('model intervals for resources must be contiguous and non-overlapping: each min must equal the previous grade\'s max');
      }
      if (i === models.length - 1 && parseQuantity(r.max) / 1_000_000_000n !== MAX_INT64) {
        return bad('the max value of each resource in the last model must be MaxInt64 (9223372036854775807)');
      }
    }
  }
  return [];
}

/** ValidateCluster (create and update): name and spec rules. Metadata is validated by the API server. */
export function validateCluster(cluster: Cluster): FieldCause[] {
  const errs: FieldCause[] = [];
  const name = cluster.metadata?.name ?? '';
  if (name) for (const msg of validateClusterName(name)) errs.push(invalid(FieldPath.of('metadata', 'name'), name, msg));
  const spec = cluster.spec;
  const fld = FieldPath.of('spec');
  if (!spec) return [...errs, required(fld, 'spec.syncMode is required')];
  if (!spec.syncMode) errs.push(required(fld.child('syncMode'), 'set syncMode to Push or Pull'));
  else if (!(SYNC_MODES as readonly string[]).includes(spec.syncMode)) errs.push(notSupported(fld.child('syncMode'), spec.syncMode, SYNC_MODES));
  if (spec.apiEndpoint) errs.push(...validateAPIEndpoint(fld.child('apiEndpoint'), spec.apiEndpoint));
  for (const ref of ['secretRef', 'impersonatorSecretRef'] as const) {
    const r = spec[ref];
    if (!r) continue;
    if (!r.namespace) errs.push(required(fld.child(ref, 'namespace'), ''));
    if (!r.name) errs.push(required(fld.child(ref, 'name'), ''));
  }
  if (spec.proxyURL) errs.push(...validateProxyURL(fld.child('proxyURL'), spec.proxyURL));
  if (spec.taints?.length) errs.push(...validateTaints(spec.taints, fld.child('taints')));
  if (spec.resourceModels?.length) errs.push(...validateResourceModels(fld.child('resourceModels'), spec.resourceModels));
  return errs;
}
