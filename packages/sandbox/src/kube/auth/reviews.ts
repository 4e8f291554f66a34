// SelfSubjectAccessReview and SelfSubjectRulesReview (authorization.k8s.io/v1) and SelfSubjectReview
// (authentication.k8s.io/v1): answered for the caller (or whom it impersonates), never stored. They are what
// `kubectl auth can-i`, `kubectl auth can-i --list` and `kubectl auth whoami` send.
import { ApiError, errors } from "../errors.js";
import type { UserInfo } from "./identities.js";
import type { RbacAuthorizer } from "./rbac.js";
import type { Attributes } from "./request-info.js";

function review(kind: string, apiVersion: string, spec: unknown, status: unknown): any {
  return { kind, apiVersion, metadata: { creationTimestamp: null }, spec, status };
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

export function answerReview(plural: string, body: any, user: UserInfo, rbac: RbacAuthorizer): any {
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw errors.badRequest("the request body must be an object");
  const spec = body.spec ?? {};
  switch (plural) {
    case "selfsubjectaccessreviews": {
      const ra = spec.resourceAttributes;
      const nra = spec.nonResourceAttributes;
      if (!ra === !nra) {
        throw new ApiError(422, "Invalid", `SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec: Invalid value: ${JSON.stringify(spec)}: exactly one of nonResourceAttributes or resourceAttributes must be specified`, { group: "authorization.k8s.io", kind: "SelfSubjectAccessReview", causes: [{ reason: "FieldValueInvalid", field: "spec", message: "exactly one of nonResourceAttributes or resourceAttributes must be specified" }] });
      }
      const attrs: Attributes = ra
        ? { user, verb: str(ra.verb), resourceRequest: true, path: "", apiGroup: str(ra.group), apiVersion: str(ra.version), resource: str(ra.resource), subresource: str(ra.subresource), namespace: str(ra.namespace), name: str(ra.name) }
        : { user, verb: str(nra.verb), resourceRequest: false, path: str(nra.path), apiGroup: "", apiVersion: "", resource: "", subresource: "", namespace: "", name: "" };
      const d = rbac.authorize(attrs);
      const status: any = { allowed: d.allowed };
      if (d.reason) status.reason = d.reason;
      return review("SelfSubjectAccessReview", "authorization.k8s.io/v1", spec, status);
    }
    case "selfsubjectrulesreviews": {
      const namespace = str(spec.namespace);
      const { bound, errors: missing } = rbac.rulesFor(user, namespace);
      const resourceRules: any[] = [];
      const nonResourceRules: any[] = [];
      if (user.groups.includes("system:masters")) {
        resourceRules.push({ verbs: ["*"], apiGroups: ["*"], resources: ["*"] });
        nonResourceRules.push({ verbs: ["*"], nonResourceURLs: ["*"] });
      }
      for (const b of bound) {
        for (const r of b.rules) {
          if (r.nonResourceURLs?.length) nonResourceRules.push({ verbs: r.verbs ?? [], nonResourceURLs: r.nonResourceURLs });
          else resourceRules.push({ verbs: r.verbs ?? [], apiGroups: r.apiGroups ?? [], resources: r.resources ?? [], ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}) });
        }
      }
      const status: any = { resourceRules, nonResourceRules, incomplete: missing.length > 0 };
      if (missing.length) status.evaluationError = missing.join(", ");
      return review("SelfSubjectRulesReview", "authorization.k8s.io/v1", { namespace: namespace || undefined }, status);
    }
    case "selfsubjectreviews": {
      const userInfo: any = { username: user.username, groups: user.groups };
      if (user.uid) userInfo.uid = user.uid;
      if (user.extra && Object.keys(user.extra).length) userInfo.extra = user.extra;
      return { kind: "SelfSubjectReview", apiVersion: "authentication.k8s.io/v1", metadata: { creationTimestamp: null }, status: { userInfo } };
    }
    default:
      throw errors.notFoundPath();
  }
}
