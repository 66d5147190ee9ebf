// Patch application for the API server: JSON patch, JSON merge patch, strategic merge patch and
// server-side apply with managedFields. Pure functions over plain JSON values.

export { PatchError, type PatchErrorReason } from './errors.js';
export { applyJsonPatch, applyMergePatch } from './jsonpatch.js';
export { applyStrategicMergePatch } from './strategic.js';
export {
  serverSideApply,
  updateManagedFieldsForUpdate,
  conflictMessage,
  conflictCauses,
  stripSystemFields,
  SYSTEM_METADATA_FIELDS,
  LAST_APPLIED_ANNOTATION,
  BEFORE_FIRST_APPLY_MANAGER,
  KUBECTL_SSA_MANAGER,
  type Conflict,
  type ServerSideApplyOptions,
  type ServerSideApplyResult,
  type UpdateManagedFieldsOptions,
} from './apply.js';
export { FieldSet, pathString, type Path, type PathElement } from './fieldpath.js';
export { toFieldSet, compare, merge, removeItems } from './typed.js';
export { rootSchema, OBJECT_META_SCHEMA } from './schemanav.js';
