// NamespaceLifecycle: no new content in a missing or terminating namespace, and the system namespaces
// cannot be deleted.

import { ApiError, notFound } from '../errors.js';
import type { ResourceDescriptor } from '../registry/types.js';
import type { AdmissionAttributes, AdmissionPlugin } from './types.js';

const IMMORTAL_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

export function namespaceLifecycle(namespaces: () => ResourceDescriptor): AdmissionPlugin {
  return {
    name: 'NamespaceLifecycle',
    async validate(a: AdmissionAttributes) {
      const d = a.descriptor;
      if (a.operation === 'DELETE' && d.group === '' && d.kind === 'Namespace' && IMMORTAL_NAMESPACES.has(a.name)) {
        throw new ApiError(403, 'Forbidden', `namespaces "${a.name}" is forbidden: this namespace may not be deleted`, {
          name: a.name,
          kind: 'namespaces',
        });
      }
      if (a.operation !== 'CREATE' || !d.namespaced || !a.namespace) return;
      const ns = await a.store.tryGet(namespaces(), undefined, a.namespace);
      if (!ns) throw notFound('', 'namespaces', a.namespace);
      if (ns.metadata?.deletionTimestamp) {
        throw new ApiError(
          403,
          'Forbidden',
          `${d.group ? `${d.resource}.${d.group}` : d.resource} "${a.name}" is forbidden: unable to create new content in namespace ${a.namespace} because it is being terminated`,
          { name: a.name, group: d.group, kind: d.resource, causes: [{ reason: 'NamespaceTerminating', message: `namespace ${a.namespace} is being terminated`, field: 'metadata.namespace' }] },
        );
      }
    },
  };
}
