// CustomResourceDefinition admission: defaults and validation of the CRD object itself.

import { invalid } from '../errors.js';
import { defaultCRD, validateCRD } from '../crd/validation.js';
import type { AdmissionAttributes, AdmissionPlugin } from './types.js';

export function crdAdmission(): AdmissionPlugin {
  const isCRD = (a: AdmissionAttributes) =>
    a.descriptor.group === 'apiextensions.k8s.io' && a.descriptor.kind === 'CustomResourceDefinition' && a.subresource !== 'status';
  return {
    name: 'CustomResourceDefinition',
    admit(a) {
      if (!isCRD(a) || !a.object || a.operation === 'DELETE') return;
      defaultCRD(a.object as never);
    },
    validate(a) {
      if (!isCRD(a) || !a.object || a.operation === 'DELETE') return;
      const causes = validateCRD(a.object as never, a.oldObject as never);
      if (causes.length) throw invalid('apiextensions.k8s.io', 'CustomResourceDefinition', a.object.metadata?.name ?? '', causes);
    },
  };
}
