// WorkloadRebalancer validation (pkg/webhook/workloadrebalancer): the spec cannot change once created;
// a new rebalance is a new WorkloadRebalancer.

import type { FieldCause } from '../../../apiserver/registry/types.js';
import { FieldPath, forbidden, required } from '../../../apiserver/validation/field.js';
import { deepEqual } from '../../../util/deepequal.js';
import type { WorkloadRebalancer } from './types.js';

export function validateWorkloadRebalancer(wr: WorkloadRebalancer, old?: WorkloadRebalancer): FieldCause[] {
  const errs: FieldCause[] = [];
  const workloads = FieldPath.of('spec', 'workloads');
  if (!wr.spec?.workloads?.length) errs.push(required(workloads, 'list at least one workload, e.g. {apiVersion: apps/v1, kind: Deployment, namespace: default, name: nginx}'));
  (wr.spec?.workloads ?? []).forEach((w, i) => {
    for (const f of ['apiVersion', 'kind', 'name'] as const) if (!w[f]) errs.push(required(workloads.index(i).child(f), ''));
  });
  if (old && !deepEqual(wr.spec, old.spec)) {
    errs.push(forbidden(FieldPath.of('spec'), 'the spec field should not be modified; create a new WorkloadRebalancer to rebalance again'));
  }
  return errs;
}
