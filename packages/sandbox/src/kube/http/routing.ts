// Which resource a path names (group, version, namespace, name, subresource) and which verb a method means for it.
import { errors } from "../errors.js";
import { RESOURCES, type ResourceDef } from "../resources.js";

export interface ResourceRoute {
  def: ResourceDef;
  namespace?: string;
  name?: string;
  sub?: string;
}

export function wantsTable(accept: string): boolean {
  return /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

/**
 * Query booleans as the API server converts them (Convert_Slice_string_To_bool): absent, "0" and "false" (any
 * case) are false; every other value, even an empty one, is true.
 */
export function boolParam(v: string | null): boolean {
  if (v === null) return false;
  return v !== "0" && v.toLowerCase() !== "false";
}

export function resolveRoute(group: string, version: string, rest: string[]): ResourceRoute | undefined {
  const find = (plural: string) => RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
  if (rest[0] === "namespaces" && rest.length >= 3) {
    const def = find(rest[2]);
    if (def && def.namespaced) {
      if (rest.length > 5) return undefined;
      const sub = rest[4];
      if (sub && !def.subresources.includes(sub)) return undefined;
      return { def, namespace: rest[1], name: rest[3], sub };
    }
  }
  const def = find(rest[0]);
  if (!def) return undefined;
  if (rest.length > 3) return undefined;
  const sub = rest[2];
  if (sub && !def.subresources.includes(sub)) return undefined;
  return { def, name: rest[1], sub };
}

export function verbOf(method: string, r: ResourceRoute, isWatch: boolean): string {
  switch (method) {
    case "GET":
    case "HEAD":
      if (r.name) return "get";
      return isWatch ? "watch" : "list";
    case "POST":
      if (r.name) throw errors.methodNotAllowed();
      if (r.def.namespaced && !r.namespace) throw errors.methodNotAllowed();
      if (!r.def.verbs.includes("create")) throw errors.methodNotAllowed();
      return "create";
    case "PUT":
      if (!r.name) throw errors.methodNotAllowed();
      if (r.sub === "log") throw errors.methodNotAllowed();
      if (!r.sub && !r.def.verbs.includes("update")) throw errors.methodNotAllowed();
      return "update";
    case "PATCH":
      if (!r.name || r.sub === "log") throw errors.methodNotAllowed();
      if (!r.sub && !r.def.verbs.includes("patch")) throw errors.methodNotAllowed();
      return "patch";
    case "DELETE":
      if (r.sub) throw errors.methodNotAllowed();
      if (!r.name) {
        if (!r.def.verbs.includes("deletecollection")) throw errors.methodNotAllowed();
        return "deletecollection";
      }
      if (!r.def.verbs.includes("delete")) throw errors.methodNotAllowed();
      return "delete";
    default:
      throw errors.methodNotAllowed();
  }
}
