/** JSON merge patch (RFC 7386). */
import { clone, isPlainObject } from "../util.js";

export function applyMergePatch(target: any, patch: any): any {
  if (!isPlainObject(patch)) return clone(patch);
  const out = isPlainObject(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}
