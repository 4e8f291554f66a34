// Privilege escalation prevention, as the API server's RBAC storage enforces it: a Role or ClusterRole may only
// be written by someone who already holds every permission in it (or may `escalate` roles), and a binding only
// by someone who may `bind` its role or holds every permission of it. Denials are the API server's 403.
import { parse as parseYaml } from "yaml";
import { ApiError, errors } from "../errors.js";
import { findByKind } from "../resources.js";
import type { Store } from "../store.js";
import type { UserInfo } from "./identities.js";
import type { PolicyRule, RbacAuthorizer } from "./rbac.js";
import type { Attributes } from "./request-info.js";

const ROLES = new Set(["roles", "clusterroles"]);
const BINDINGS = new Set(["rolebindings", "clusterrolebindings"]);

export function isRbacWrite(a: Attributes): boolean {
  return a.resourceRequest && a.apiGroup === "rbac.authorization.k8s.io" && !a.subresource && ["create", "update", "patch"].includes(a.verb) && (ROLES.has(a.resource) || BINDINGS.has(a.resource));
}

const has = (list: string[] | undefined, v: string) => (list ?? []).some((x) => x === "*" || x === v);

/** One verb on one resource (and name), or one verb on one URL: what `covers` checks. */
function covered(owner: PolicyRule[], verb: string, group: string, resource: string, name: string): boolean {
  return owner.some((r) => {
    if (!has(r.verbs, verb) || !has(r.apiGroups, group)) return false;
    const sub = resource.includes("/") ? resource.slice(resource.indexOf("/") + 1) : "";
    const resOk = (r.resources ?? []).some((x) => x === "*" || x === resource || (sub !== "" && x === `*/${sub}`));
    if (!resOk) return false;
    return !r.resourceNames?.length || (name !== "" && r.resourceNames.includes(name));
  });
}

function coveredUrl(owner: PolicyRule[], verb: string, url: string): boolean {
  return owner.some((r) => has(r.verbs, verb) && (r.nonResourceURLs ?? []).some((u) => u === "*" || u === url || (u.endsWith("*") && url.startsWith(u.slice(0, -1)))));
}

/** The rules of `wanted` that `owner` does not cover, each as the API server prints it. */
function missing(owner: PolicyRule[], wanted: PolicyRule[]): string[] {
  const out: string[] = [];
  for (const rule of wanted) {
    for (const verb of rule.verbs ?? []) {
      if (rule.nonResourceURLs?.length) {
        for (const url of rule.nonResourceURLs) if (!coveredUrl(owner, verb, url)) out.push(`{NonResourceURLs:["${url}"], Verbs:["${verb}"]}`);
        continue;
      }
      for (const group of rule.apiGroups ?? []) {
        for (const resource of rule.resources ?? []) {
          const names = rule.resourceNames?.length ? rule.resourceNames : [""];
          for (const name of names) {
            if (covered(owner, verb, group, resource, name)) continue;
            out.push(`{APIGroups:["${group}"], Resources:["${resource}"]${name ? `, ResourceNames:["${name}"]` : ""}, Verbs:["${verb}"]}`);
          }
        }
      }
    }
  }
  return [...new Set(out)];
}

function parseBody(body: string, contentType: string): any {
  if (contentType.startsWith("application/apply-patch")) return parseYaml(body);
  return JSON.parse(body);
}

/** Throws the API server's 403 when `a` (an RBAC write) would grant permissions the user does not hold. */
export function checkEscalation(a: Attributes, body: string, contentType: string, rbac: RbacAuthorizer, store: Store): void {
  const user = a.user;
  if (user.groups.includes("system:masters")) return;
  const isRole = ROLES.has(a.resource);
  // Someone allowed to escalate (roles) or bind (bindings) may write anything.
  const bypass = { ...a, verb: isRole ? "escalate" : "bind", subresource: "", name: "" };
  let obj: any;
  const plainPatch = a.verb === "patch" && !contentType.startsWith("application/apply-patch");
  if (!plainPatch) {
    try {
      obj = parseBody(body, contentType);
    } catch {
      return; // the API answers the malformed body itself
    }
  }
  const namespace = a.namespace;
  if (isRole) {
    if (rbac.authorize(bypass).allowed) return;
    // A merge or JSON patch is not evaluated here: it needs `escalate` (stricter than the API server, which checks the result).
    const wanted: PolicyRule[] = plainPatch ? [{ verbs: ["escalate"], apiGroups: ["rbac.authorization.k8s.io"], resources: [a.resource] }] : (obj?.rules ?? []);
    refuseIfMissing(a, user, rbac.rulesFor(user, namespace).bound.flatMap((b) => b.rules), wanted);
    return;
  }
  const ref = obj?.roleRef ?? (a.name ? existingRoleRef(a, store) : undefined);
  if (!ref?.name) return;
  if (rbac.authorize({ ...bypass, resource: ref.kind === "Role" ? "roles" : "clusterroles", name: ref.name }).allowed) return;
  const roleDef = findByKind("rbac.authorization.k8s.io/v1", ref.kind === "Role" ? "Role" : "ClusterRole");
  const role = roleDef ? store.get(roleDef, ref.kind === "Role" ? namespace : undefined, ref.name) : undefined;
  if (!role) throw errors.notFound(roleDef!, ref.name);
  refuseIfMissing(a, user, rbac.rulesFor(user, namespace).bound.flatMap((b) => b.rules), role.rules ?? []);
}

function existingRoleRef(a: Attributes, store: Store): any {
  const def = findByKind("rbac.authorization.k8s.io/v1", a.resource === "rolebindings" ? "RoleBinding" : "ClusterRoleBinding");
  return def ? store.get(def, a.resource === "rolebindings" ? a.namespace : undefined, a.name)?.roleRef : undefined;
}

function refuseIfMissing(a: Attributes, user: UserInfo, owner: PolicyRule[], wanted: PolicyRule[]): void {
  const lacking = missing(owner, wanted);
  if (lacking.length === 0) return;
  const groups = `[${user.groups.map((g) => JSON.stringify(g)).join(" ")}]`;
  const why = `user "${user.username}" (groups=${groups}) is attempting to grant RBAC permissions not currently held:\n${lacking.join("\n")}`;
  const gr = `${a.resource}.${a.apiGroup}`;
  throw new ApiError(403, "Forbidden", a.name ? `${gr} "${a.name}" is forbidden: ${why}` : `${gr} is forbidden: ${why}`, { ...(a.name ? { name: a.name } : {}), group: a.apiGroup, kind: a.resource });
}
