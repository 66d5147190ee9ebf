// Releases deleted (Cluster)PropagationPolicies. karmada-webhook puts the policy-controller finalizer on
// every policy so the resource detector can unclaim its templates before the policy goes; this is that
// last step (handlePolicyDeletion). Until templates are claimed by a detector there is nothing to
// unclaim, so the finalizer is simply removed once the policy is being deleted.

import { pino, type Logger } from 'pino';
import {
  CLUSTER_PROPAGATION_POLICY_CONTROLLER_FINALIZER,
  PROPAGATION_POLICY_CONTROLLER_FINALIZER,
} from '../../apis/policy/v1alpha1/wellknown.js';
import type { ObjectClient } from '../../runtime/client.js';
import { Controller, type ReconcileResult, type Runnable } from '../../runtime/controller.js';
import type { SharedInformerFactory } from '../../runtime/factory.js';
import { gvr, type GVR } from '../../runtime/gvr.js';
import type { Informer } from '../../runtime/informer.js';
import { isConflict, isNotFound } from '../../runtime/rest.js';
import type { KubeObject } from '../../runtime/types.js';

export const PROPAGATION_POLICIES = gvr('policy.karmada.io', 'v1alpha1', 'propagationpolicies');
export const CLUSTER_PROPAGATION_POLICIES = gvr('policy.karmada.io', 'v1alpha1', 'clusterpropagationpolicies', false);

export interface PolicyDeletionControllerOptions {
  client: ObjectClient;
  informers: SharedInformerFactory;
  logger?: Logger;
}

/** The finalizers left on a policy once its own finalizer is released. */
export function releaseFinalizer(policy: KubeObject, finalizer: string): string[] | undefined {
  const f = policy.metadata?.finalizers ?? [];
  if (!policy.metadata?.deletionTimestamp || !f.includes(finalizer)) return undefined;
  return f.filter((x) => x !== finalizer);
}

export class PolicyDeletionController implements Runnable {
  readonly name = 'policyDeletion';
  private readonly controllers: Controller[];

  constructor(opts: PolicyDeletionControllerOptions) {
    const log = (opts.logger ?? pino({ level: 'silent' })).child({ controller: this.name });
    const make = (resource: GVR, finalizer: string) => {
      const informer: Informer<KubeObject> = opts.informers.informerFor(resource);
      const reconcile = async (key: string): Promise<ReconcileResult> => {
        const policy = informer.indexer.get(key);
        const finalizers = policy && releaseFinalizer(policy, finalizer);
        if (!policy || !finalizers) return {};
        try {
          await opts.client.resource(resource).patch(
            policy.metadata!.name!,
            [
              { op: 'test', path: '/metadata/resourceVersion', value: policy.metadata!.resourceVersion },
              { op: 'replace', path: '/metadata/finalizers', value: finalizers },
            ],
            { namespace: policy.metadata!.namespace, type: 'json' },
          );
          log.info({ kind: resource.resource, key }, 'released deleted policy');
        } catch (err) {
          if (isNotFound(err)) return {};
          if (isConflict(err)) return { requeue: true };
          throw err;
        }
        return {};
      };
      return new Controller({ name: `${this.name}-${resource.resource}`, workers: 1, logger: opts.logger, reconcile }).watch(informer);
    };
    this.controllers = [
      make(PROPAGATION_POLICIES, PROPAGATION_POLICY_CONTROLLER_FINALIZER),
      make(CLUSTER_PROPAGATION_POLICIES, CLUSTER_PROPAGATION_POLICY_CONTROLLER_FINALIZER),
    ];
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all(this.controllers.map((c) => c.run(signal)));
  }
}
