/**
 * Patch implementations: JSON Patch (RFC 6902), JSON merge patch (RFC 7386),
 * strategic merge patch (subset of k8s semantics) and server-side apply with
 * managedFields tracking (FieldsV1).
 */
export { listKey } from "./list-keys.js";
export { applyJsonPatch } from "./json-patch.js";
export { applyMergePatch } from "./merge-patch.js";
export { smp } from "./strategic-merge.js";
export { type FieldSet, fieldSetOf, valueAt, deleteAt, pathToString, toFieldsV1, fromFieldsV1 } from "./field-sets.js";
export { trackUpdate } from "./managed-fields.js";
export { serverSideApply } from "./server-side-apply.js";
