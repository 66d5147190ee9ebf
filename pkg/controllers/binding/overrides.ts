// The override manager as the binding controller uses it: a function type, so the controller can be
// given any implementation (tests pass a small fake); the types are the override manager's own.

import type { applyOverridePolicies } from '../../util/overridemanager/index.js';

export type { OverridePolicies as OverridePolicySet, OverrideResult } from '../../util/overridemanager/index.js';

/** Pure: returns the object as it should be in the cluster; throws with a message naming the policy. */
export type ApplyOverridePolicies = typeof applyOverridePolicies;
