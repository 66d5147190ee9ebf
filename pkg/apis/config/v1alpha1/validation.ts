// ResourceInterpreterCustomization validation (pkg/webhook/resourceinterpretercustomization): a target is
// required, and two customizations of the same target may not both define the same operation.

import type { FieldCause } from '../../../apiserver/registry/types.js';
import { FieldPath, forbidden, required } from '../../../apiserver/validation/field.js';
import { CUSTOMIZATION_OPERATIONS, type CustomizationRuleName, type ResourceInterpreterCustomization } from './types.js';

function script(ric: ResourceInterpreterCustomization, rule: CustomizationRuleName): string {
  return ric.spec?.customizations?.[rule]?.luaScript ?? '';
}

/**
 * Validates ric against the other customizations in the cluster (`others` may include ric itself,
 * which is skipped by name).
 */
export function validateResourceInterpreterCustomization(ric: ResourceInterpreterCustomization, others: ResourceInterpreterCustomization[] = []): FieldCause[] {
  const errs: FieldCause[] = [];
  const target = FieldPath.of('spec', 'target');
  if (!ric.spec?.target?.apiVersion) errs.push(required(target.child('apiVersion'), 'the API version of the customized kind, e.g. apps/v1'));
  if (!ric.spec?.target?.kind) errs.push(required(target.child('kind'), 'the customized kind, e.g. Deployment'));
  for (const rule of Object.keys(CUSTOMIZATION_OPERATIONS) as CustomizationRuleName[]) {
    const r = ric.spec?.customizations?.[rule];
    if (r && !r.luaScript) errs.push(required(FieldPath.of('spec', 'customizations', rule, 'luaScript'), 'the Lua function implementing this rule'));
  }
  for (const other of others) {
    if (other.metadata?.name === ric.metadata?.name) continue;
    if (other.spec?.target?.apiVersion !== ric.spec?.target?.apiVersion || other.spec?.target?.kind !== ric.spec?.target?.kind) continue;
    for (const rule of Object.keys(CUSTOMIZATION_OPERATIONS) as CustomizationRuleName[]) {
      if (script(other, rule) && script(ric, rule)) {
        errs.push(
          forbidden(
            FieldPath.of('spec', 'customizations', rule),
            `conflicting with InterpreterOperation(${CUSTOMIZATION_OPERATIONS[rule]}) of existing ResourceInterpreterCustomization(${other.metadata?.name}); edit that object or drop this rule`,
          ),
        );
      }
    }
  }
  return errs;
}
