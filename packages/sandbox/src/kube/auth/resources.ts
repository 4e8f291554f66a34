// The API resources of authentication and authorization: RBAC objects (stored like any other object) and
// the self-reviews (answered by ./reviews.ts, never stored).
import type { ResourceDef } from "../resources.js";

const RW = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

/** RBAC names are path segments ("system:discovery"), not DNS names. */
export const AUTH_RESOURCES: ResourceDef[] = [
  { group: "rbac.authorization.k8s.io", version: "v1", plural: "clusterroles", singular: "clusterrole", kind: "ClusterRole", namespaced: false, verbs: RW, subresources: [], nameRule: "path", generation: false },
  { group: "rbac.authorization.k8s.io", version: "v1", plural: "clusterrolebindings", singular: "clusterrolebinding", kind: "ClusterRoleBinding", namespaced: false, verbs: RW, subresources: [], nameRule: "path", generation: false },
  { group: "rbac.authorization.k8s.io", version: "v1", plural: "roles", singular: "role", kind: "Role", namespaced: true, verbs: RW, subresources: [], nameRule: "path", generation: false },
  { group: "rbac.authorization.k8s.io", version: "v1", plural: "rolebindings", singular: "rolebinding", kind: "RoleBinding", namespaced: true, verbs: RW, subresources: [], nameRule: "path", generation: false },
  { group: "authorization.k8s.io", version: "v1", plural: "selfsubjectaccessreviews", singular: "selfsubjectaccessreview", kind: "SelfSubjectAccessReview", namespaced: false, verbs: ["create"], subresources: [], nameRule: "path", generation: false },
  { group: "authorization.k8s.io", version: "v1", plural: "selfsubjectrulesreviews", singular: "selfsubjectrulesreview", kind: "SelfSubjectRulesReview", namespaced: false, verbs: ["create"], subresources: [], nameRule: "path", generation: false },
  { group: "authentication.k8s.io", version: "v1", plural: "selfsubjectreviews", singular: "selfsubjectreview", kind: "SelfSubjectReview", namespaced: false, verbs: ["create"], subresources: [], nameRule: "path", generation: false },
];

/** Resources answered by the reviews instead of the store. */
export const REVIEW_PLURALS = new Set(["selfsubjectaccessreviews", "selfsubjectrulesreviews", "selfsubjectreviews"]);
