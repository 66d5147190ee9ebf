// Keeps metadata.managedFields for every write and performs server-side apply, turning apply
// conflicts into Kubernetes' 409 Status.

import { ApiError } from '../errors.js';
import { conflictCauses, conflictMessage, PatchError, serverSideApply, updateManagedFieldsForUpdate } from '../patch/index.js';
import { apiVersionOf, type KubeObject, type ResourceDescriptor } from '../registry/types.js';
import { nowTimestamp } from '../store/store.js';

/** Fields nobody can own through a given endpoint: status on the main resource, everything else on /status. */
function ignoredFields(d: ResourceDescriptor, subresource?: string): string[][] | undefined {
  if (subresource === 'status' || subresource === 'approval') return [['spec'], ['metadata']];
  if (d.subresources.status) return [['status']];
  return undefined;
}

export function patchErrorToApiError(err: unknown): unknown {
  if (err instanceof PatchError) return new ApiError(err.code, err.reason, err.message);
  return err;
}

export class FieldManager {
  onCreate(d: ResourceDescriptor, obj: KubeObject, manager: string, _warnings: string[]): void {
    this.track(d, undefined, obj, manager);
  }

  onUpdate(d: ResourceDescriptor, current: KubeObject, desired: KubeObject, manager: string, subresource?: string): void {
    this.track(d, current, desired, manager, subresource);
  }

  private track(d: ResourceDescriptor, old: KubeObject | undefined, updated: KubeObject, manager: string, subresource?: string): void {
    try {
      const out = updateManagedFieldsForUpdate({
        old,
        updated,
        manager,
        schema: d.schema,
        apiVersion: apiVersionOf(d),
        now: nowTimestamp(),
        subresource,
        ignoredFields: ignoredFields(d, subresource),
      });
      const mf = out.metadata?.managedFields;
      if (mf && mf.length) (updated.metadata ??= {}).managedFields = mf;
      else if (updated.metadata) delete updated.metadata.managedFields;
    } catch (err) {
      throw patchErrorToApiError(err);
    }
  }

  /** Server-side apply of `applied` onto `live` (undefined: create). Throws 409 on conflicts unless force. */
  apply(d: ResourceDescriptor, live: KubeObject | undefined, applied: KubeObject, manager: string, force: boolean, subresource?: string): KubeObject {
    let result;
    try {
      result = serverSideApply({
        live,
        applied,
        manager,
        force,
        schema: d.schema,
        apiVersion: apiVersionOf(d),
        kind: d.kind,
        now: nowTimestamp(),
        subresource,
        ignoredFields: ignoredFields(d, subresource),
      });
    } catch (err) {
      throw patchErrorToApiError(err);
    }
    if (result.conflicts?.length) {
      throw new ApiError(409, 'Conflict', conflictMessage(result.conflicts), {
        name: live?.metadata?.name,
        group: d.group,
        kind: d.resource,
        causes: conflictCauses(result.conflicts),
      });
    }
    return result.object;
  }
}
