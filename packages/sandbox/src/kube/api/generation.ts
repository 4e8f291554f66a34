import { deepEqual } from "../util.js";

/** everything but metadata, status, apiVersion and kind: what metadata.generation counts changes of */
function specOf(obj: any): any {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

export function specChanged(old: any, obj: any): boolean {
  return !deepEqual(specOf(old), specOf(obj));
}
