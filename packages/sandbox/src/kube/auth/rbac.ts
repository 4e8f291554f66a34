// RBAC as the API server's authorizer evaluates it: ClusterRoleBindings, then the RoleBindings of the
// request's namespace; a rule allows when its verbs, API groups, resources (with subresources) and
// resourceNames match, or for non-resource requests its nonResourceURLs. Deny by default.
import { findByKind } from "../resources.js";
import type { Store } from "../store.js";
import type { UserInfo } from "./identities.js";
import type { Attributes } from "./request-info.js";

export interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

interface Subject {
  kind?: string;
  name?: string;
  namespace?: string;
}

export interface Decision {
  allowed: boolean;
  /** "RBAC: allowed by …", or on a denial the bindings whose roles were missing. */
  reason: string;
}

const has = (list: string[] | undefined, v: string) => (list ?? []).some((x) => x === "*" || x === v);

function resourceMatches(rule: PolicyRule, resource: string, subresource: string): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  return (rule.resources ?? []).some((r) => r === "*" || r === combined || (subresource !== "" && r === `*/${subresource}`));
}

function nonResourceMatches(rule: PolicyRule, path: string): boolean {
  return (rule.nonResourceURLs ?? []).some((u) => u === "*" || u === path || (u.endsWith("*") && path.startsWith(u.slice(0, -1))));
}

export function ruleAllows(rule: PolicyRule, a: Attributes): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (!a.resourceRequest) return nonResourceMatches(rule, a.path);
  if (!has(rule.apiGroups, a.apiGroup) || !resourceMatches(rule, a.resource, a.subresource)) return false;
  // A rule naming objects never covers requests without a name (list, create, watch of all).
  return !rule.resourceNames?.length || rule.resourceNames.includes(a.name);
}

function appliesTo(s: Subject, user: UserInfo, bindingNamespace: string): boolean {
  switch (s.kind) {
    case "User":
      return s.name === user.username;
    case "Group":
      return !!s.name && user.groups.includes(s.name);
    case "ServiceAccount":
      return user.username === `system:serviceaccount:${s.namespace || bindingNamespace}:${s.name}`;
    default:
      return false;
  }
}

export interface BoundRules {
  /** "ClusterRoleBinding \"x\" of ClusterRole \"y\" to User \"u\"" */
  source: string;
  rules: PolicyRule[];
}

export class RbacAuthorizer {
  constructor(private readonly store: Store) {}

  private objects(apiVersionKind: [string, string], namespace?: string): any[] {
    const def = findByKind(apiVersionKind[0], apiVersionKind[1]);
    return def ? this.store.list(def, namespace) : [];
  }

  private role(kind: string, name: string, namespace: string): any | undefined {
    const def = findByKind("rbac.authorization.k8s.io/v1", kind);
    return def ? this.store.get(def, kind === "Role" ? namespace : undefined, name) : undefined;
  }

  /** Every rule bound to the user that applies in `namespace` ("" = cluster scope), with where it came from. */
  rulesFor(user: UserInfo, namespace: string): { bound: BoundRules[]; errors: string[] } {
    const bound: BoundRules[] = [];
    const errors: string[] = [];
    const collect = (binding: any, bindingKind: string, ns: string) => {
      const subject = ((binding.subjects ?? []) as Subject[]).find((s) => appliesTo(s, user, ns));
      if (!subject) return;
      const ref = binding.roleRef ?? {};
      const role = ref.kind === "ClusterRole" || ref.kind === "Role" ? this.role(ref.kind, ref.name, ns) : undefined;
      if (!role) {
        errors.push(`${String(ref.kind ?? "role").toLowerCase()}.rbac.authorization.k8s.io "${ref.name}" not found`);
        return;
      }
      const where = bindingKind === "RoleBinding" ? ` in ${ns}` : "";
      bound.push({ source: `${bindingKind} "${binding.metadata.name}" of ${ref.kind} "${ref.name}" to ${subject.kind} "${subject.name}"${where}`, rules: role.rules ?? [] });
    };
    for (const b of this.objects(["rbac.authorization.k8s.io/v1", "ClusterRoleBinding"])) collect(b, "ClusterRoleBinding", "");
    if (namespace) for (const b of this.objects(["rbac.authorization.k8s.io/v1", "RoleBinding"], namespace)) collect(b, "RoleBinding", namespace);
    return { bound, errors };
  }

  authorize(a: Attributes): Decision {
    // The API server's privileged-group authorizer runs before RBAC.
    if (a.user.groups.includes("system:masters")) return { allowed: true, reason: "" };
    const { bound, errors } = this.rulesFor(a.user, a.resourceRequest ? a.namespace : "");
    for (const b of bound) if (b.rules.some((r) => ruleAllows(r, a))) return { allowed: true, reason: `RBAC: allowed by ${b.source}` };
    return { allowed: false, reason: errors.length === 0 ? "" : `RBAC: ${errors.length === 1 ? errors[0] : `[${errors.join(", ")}]`}` };
  }
}
