// prune.RemoveIrrelevantFields (resourceinterpreter/default/native/prune): the fields the control plane's
// API server filled in, or that belong to one cluster only, are dropped before a template becomes a
// Work manifest. Doing it here, not only in a webhook, keeps a re-render byte-identical to what is stored,
// so an unchanged template never rewrites its Works.

import type { KubeObject } from '../../runtime/types.js';

type Obj = Record<string, unknown>;

const META_FIELDS = [
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'generation',
  'managedFields',
  'resourceVersion',
  'selfLink',
  'uid',
  'ownerReferences',
  'finalizers',
];

const DEPLOYMENT_REVISION_ANNOTATIONS = ['deployment.kubernetes.io/revision', 'deployment.kubernetes.io/revision-history'];
const JOB_GENERATED_SELECTOR_LABELS = ['controller-uid', 'batch.kubernetes.io/controller-uid'];
const JOB_GENERATED_TEMPLATE_LABELS = ['controller-uid', 'job-name', 'batch.kubernetes.io/controller-uid', 'batch.kubernetes.io/job-name'];
const SERVICE_ACCOUNT_UID_ANNOTATION = 'kubernetes.io/service-account.uid';
const SELECTED_NODE_ANNOTATION = 'volume.kubernetes.io/selected-node';

function child(obj: Obj | undefined, ...path: string[]): Obj | undefined {
  let cur: unknown = obj;
  for (const p of path) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Obj)[p];
  }
  return cur && typeof cur === 'object' && !Array.isArray(cur) ? (cur as Obj) : undefined;
}

function dropKeys(map: Obj | undefined, keys: string[]): void {
  if (!map) return;
  for (const k of keys) delete map[k];
}

const KIND_PRUNERS: Record<string, (o: Obj) => void> = {
  Deployment: (o) => dropKeys(child(o, 'metadata', 'annotations'), DEPLOYMENT_REVISION_ANNOTATIONS),
  // Generated selectors only: a Job with manualSelector keeps what the user wrote.
  Job: (o) => {
    if (child(o, 'spec')?.manualSelector === true) return;
    dropKeys(child(o, 'spec', 'selector', 'matchLabels'), JOB_GENERATED_SELECTOR_LABELS);
    dropKeys(child(o, 'spec', 'template', 'metadata', 'labels'), JOB_GENERATED_TEMPLATE_LABELS);
  },
  // Token secrets of the control plane's service accounts mean nothing in a member.
  Secret: (o) => {
    if (o.type !== 'kubernetes.io/service-account-token') return;
    dropKeys(child(o, 'metadata', 'annotations'), [SERVICE_ACCOUNT_UID_ANNOTATION]);
    o.data = null;
  },
  ServiceAccount: (o) => {
    const name = child(o, 'metadata')?.name;
    if (!Array.isArray(o.secrets) || typeof name !== 'string') return;
    const prefix = `${name}-token-`;
    o.secrets = o.secrets.filter((s) => !(typeof (s as Obj)?.name === 'string' && ((s as Obj).name as string).startsWith(prefix)));
  },
  // clusterIP is allocated by each member; "None" (headless) is the user's choice and stays.
  Service: (o) => {
    const spec = child(o, 'spec');
    if (!spec || !('clusterIP' in spec) || spec.clusterIP === 'None') return;
    delete spec.clusterIP;
    delete spec.clusterIPs;
  },
  PersistentVolumeClaim: (o) => {
    const ann = child(o, 'metadata', 'annotations');
    if (ann?.[SELECTED_NODE_ANNOTATION]) delete ann[SELECTED_NODE_ANNOTATION];
  },
};

export interface PruneOptions {
  /**
   * Drop a Job's spec.ttlSecondsAfterFinished (prune.RemoveJobTTLSeconds): a member's TTL controller
   * would delete the Job and Karmada would create it again.
   */
  removeJobTTLSeconds?: boolean;
}

/** Removes the irrelevant fields from obj in place and returns it. */
export function removeIrrelevantFields<T extends KubeObject>(obj: T, opts: PruneOptions = {}): T {
  const o = obj as Obj;
  const meta = child(o, 'metadata');
  if (meta) for (const f of META_FIELDS) delete meta[f];
  delete o.status;
  KIND_PRUNERS[obj.kind ?? '']?.(o);
  if (opts.removeJobTTLSeconds && obj.kind === 'Job') delete child(o, 'spec')?.ttlSecondsAfterFinished;
  return obj;
}
