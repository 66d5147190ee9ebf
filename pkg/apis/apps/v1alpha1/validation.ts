// WorkloadRebalancer validation. Upstream's webhook (pkg/webhook/workloadrebalancer) denies any spec
// change, yet its controller re-runs the entries added to an edited list; here editing is allowed so that
// adding a workload to a rebalancer re-runs only the new entry (the controller keeps earlier results).

import type { FieldCause } from '../../../apiserver/registry/types.js';
import { FieldPath, required } from '../../../apiserver/validation/field.js';
import type { WorkloadRebalancer } from './types.js';

export function validateWorkloadRebalancer(wr: WorkloadRebalancer, _old?: WorkloadRebalancer): FieldCause[] {
  const errs: FieldCause[] = [];
  const workloads = FieldPath.of('spec', 'workloads');
  if (!wr.spec?.workloads?.length) errs.push(required(workloads, 'list at least one workload, e.g. {apiVersion: apps/v1, kind: Deployment, namespace: default, name: nginx}'));
  (wr.spec?.workloads ?? []).forEach((w, i) => {
    for (const f of ['apiVersion', 'kind', 'name'] as const) if (!w[f]) errs.push(required(workloads.index(i).child(f), ''));
  });
  return errs;
}
