// How the member-side controllers write a Work's status. In the controller manager (push) a write goes
// straight to the API server; a karmada-agent hands in a writer backed by its durable outbox
// (pkg/agent/store/outbox.ts), so status reported while the control plane is unreachable is kept and
// delivered later instead of failing the reconcile.

import type { ManifestStatus, Work } from '../../apis/work/v1alpha1/index.js';
import type { ObjectClient } from '../../runtime/client.js';
import { isNotFound } from '../../runtime/rest.js';
import type { Condition } from '../../runtime/types.js';
import { WORKS } from '../../util/clusterapi.js';

/** Top-level keys of work.status to set; each is a full list (null removes manifestStatuses). */
export type WorkStatusPatch = { conditions?: Condition[]; manifestStatuses?: ManifestStatus[] | null };

/** Writes (part of) a Work's status; resolves false when the Work is gone. */
export type WorkStatusWriter = (work: Work, status: WorkStatusPatch) => Promise<boolean>;

/** A merge patch of the status subresource, now. */
export function directWorkStatusWriter(client: ObjectClient): WorkStatusWriter {
  const works = client.resource<Work>(WORKS);
  return async (work, status) => {
    try {
      await works.patchStatus(work.metadata!.name!, { status }, { namespace: work.metadata?.namespace });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  };
}
