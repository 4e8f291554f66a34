/** JSON Patch (RFC 6902). */
import { ApiError, errors } from "../errors.js";
import { clone, deepEqual, isPlainObject } from "../util.js";

function unescapePtr(s: string): string {
  return s.replace(/~1/g, "/").replace(/~0/g, "~");
}

function parsePointer(p: string): string[] {
  if (p === "") return [];
  if (!p.startsWith("/")) throw errors.badRequest(`the server rejected our request due to an error in our request: invalid JSON pointer "${p}"`);
  return p.slice(1).split("/").map(unescapePtr);
}

function resolveParent(doc: any, tokens: string[], op: string, path: string): { parent: any; key: string } {
  let cur = doc;
  for (let i = 0; i < tokens.length - 1; i++) {
    const t = tokens[i];
    const next = Array.isArray(cur) ? cur[Number(t)] : isPlainObject(cur) ? cur[t] : undefined;
    if (next === undefined || next === null) {
      throw new ApiError(422, "Invalid", `the server rejected our request due to an error in our request: ${op} operation does not apply: doc is missing path: "${path}": missing value`);
    }
    cur = next;
  }
  return { parent: cur, key: tokens[tokens.length - 1] };
}

export function applyJsonPatch(doc: any, ops: any): any {
  if (!Array.isArray(ops)) throw errors.badRequest("the server rejected our request due to an error in our request: json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  let root = clone(doc);
  const missing = (op: string, path: string) =>
    new ApiError(422, "Invalid", `the server rejected our request due to an error in our request: ${op} operation does not apply: doc is missing path: "${path}": missing value`);
  const get = (path: string): any => {
    let cur = root;
    for (const t of parsePointer(path)) {
      if (Array.isArray(cur)) cur = cur[Number(t)];
      else if (isPlainObject(cur)) cur = cur[t];
      else return undefined;
      if (cur === undefined) return undefined;
    }
    return cur;
  };
  const add = (path: string, value: any, op: string) => {
    const toks = parsePointer(path);
    if (toks.length === 0) {
      root = clone(value);
      return;
    }
    const { parent, key } = resolveParent(root, toks, op, path);
    if (Array.isArray(parent)) {
      const idx = key === "-" ? parent.length : Number(key);
      if (!Number.isInteger(idx) || idx < 0 || idx > parent.length) throw missing(op, path);
      parent.splice(idx, 0, clone(value));
    } else if (isPlainObject(parent)) parent[key] = clone(value);
    else throw missing(op, path);
  };
  const remove = (path: string, op: string) => {
    const toks = parsePointer(path);
    const { parent, key } = resolveParent(root, toks, op, path);
    if (Array.isArray(parent)) {
      const idx = Number(key);
      if (!Number.isInteger(idx) || idx < 0 || idx >= parent.length) throw missing(op, path);
      parent.splice(idx, 1);
    } else if (isPlainObject(parent) && key in parent) delete parent[key];
    else throw missing(op, path);
  };
  for (const o of ops) {
    switch (o.op) {
      case "add": add(o.path, o.value, "add"); break;
      case "remove": remove(o.path, "remove"); break;
      case "replace": {
        const toks = parsePointer(o.path);
        if (toks.length === 0) { root = clone(o.value); break; }
        const { parent, key } = resolveParent(root, toks, "replace", o.path);
        if (Array.isArray(parent)) {
          const idx = Number(key);
          if (!Number.isInteger(idx) || idx < 0 || idx >= parent.length) throw missing("replace", o.path);
          parent[idx] = clone(o.value);
        } else if (isPlainObject(parent) && key in parent) parent[key] = clone(o.value);
        else throw missing("replace", o.path);
        break;
      }
      case "move": {
        const v = get(o.from);
        if (v === undefined) throw missing("move", o.from);
        remove(o.from, "move");
        add(o.path, v, "move");
        break;
      }
      case "copy": {
        const v = get(o.from);
        if (v === undefined) throw missing("copy", o.from);
        add(o.path, v, "copy");
        break;
      }
      case "test": {
        if (!deepEqual(get(o.path), o.value)) throw new ApiError(422, "Invalid", `the server rejected our request due to an error in our request: testing value ${o.path} failed: test failed`);
        break;
      }
      default:
        throw errors.badRequest(`the server rejected our request due to an error in our request: Unexpected kind: ${o.op}`);
    }
  }
  return root;
}
