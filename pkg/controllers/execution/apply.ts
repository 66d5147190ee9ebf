// Applying and removing one Work's manifests in one member cluster (the execution controller's
// syncToClusters / tryDeleteWorkload / cleanupPolicyClaimMetadata), independent of who built the member
// client: the push execution controller and the karmada-agent both call these.

import type { Work } from '../../apis/work/v1alpha1/index.js';
import { errText } from '../../runtime/informer.js';
import type { KubeObject } from '../../runtime/types.js';
import type { MemberCluster } from '../../util/memberinformer/member.js';
import { appliedCondition } from './conditions.js';
import type { ApplyOperation, ObjectWatcher } from './objectwatcher.js';
import type { StatusCondition } from '../../util/conditions.js';

export interface ManifestApplyResult {
  ordinal: number;
  manifest: KubeObject;
  operation?: ApplyOperation;
  error?: unknown;
}

export interface WorkApplyResult {
  results: ManifestApplyResult[];
  succeeded: number;
  total: number;
  /** Error messages, one per failed manifest. */
  errors: string[];
  /** Whether anything was written to the member. */
  changed: boolean;
  /** The Applied condition this outcome calls for. */
  applied: StatusCondition;
}

export function workManifests(work: Work): KubeObject[] {
  return (work.spec?.workload?.manifests ?? []) as KubeObject[];
}

/** Creates or updates every manifest of the Work in the member; failures are collected, not thrown. */
export async function applyWork(watcher: ObjectWatcher, member: MemberCluster, work: Work): Promise<WorkApplyResult> {
  const manifests = workManifests(work);
  const results: ManifestApplyResult[] = [];
  for (const [ordinal, manifest] of manifests.entries()) {
    try {
      const { operation } = await watcher.createOrUpdate(member, manifest);
      results.push({ ordinal, manifest, operation });
    } catch (error) {
      results.push({ ordinal, manifest, error });
    }
  }
  const errors = results.filter((r) => r.error !== undefined).map((r) => errText(r.error));
  const succeeded = results.length - errors.length;
  return {
    results,
    succeeded,
    total: manifests.length,
    errors,
    changed: results.some((r) => r.operation === 'created' || r.operation === 'updated'),
    applied: appliedCondition(succeeded, manifests.length, errors),
  };
}

/** Deletes the Work's objects from the member (objects another owner took over are left alone). Throws on the first failure. */
export async function deleteWorkResources(watcher: ObjectWatcher, member: MemberCluster, work: Work): Promise<void> {
  for (const manifest of workManifests(work)) await watcher.delete(member, manifest);
}

/** Strips Karmada's metadata from the Work's objects so they stay as ordinary member objects. */
export async function releaseWorkResources(watcher: ObjectWatcher, member: MemberCluster, work: Work): Promise<void> {
  for (const manifest of workManifests(work)) await watcher.release(member, manifest);
}
