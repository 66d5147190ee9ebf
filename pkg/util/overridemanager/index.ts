export {
  applyOverridePolicies,
  applyPolicyOverriders,
  getOverridersFromOverridePolicies,
  OverrideError,
  type OverridePolicies,
  type OverridePolicyKind,
  type OverrideResult,
  type PolicyOverriders,
} from './overridemanager.js';
export { marshalAppliedOverrides, type OverridePolicyShadow } from './appliedoverrides.js';
export { parseImage, splitHostname, ImageComponents } from './imageparser.js';
