// The default roles and bindings a real API server creates at start (a subset of its bootstrap policy):
// cluster-admin for system:masters; discovery, self-reviews and public info for every authenticated user;
// admin/edit/view for RoleBindings, spelled out over the resources the sandbox serves.
import { isoNow } from "../util.js";

const READ = ["get", "list", "watch"];
const WRITE = ["create", "delete", "deletecollection", "patch", "update"];

const viewRules = [
  { apiGroups: [""], resources: ["configmaps", "endpoints", "events", "pods", "pods/log", "pods/status", "serviceaccounts", "services", "services/status", "namespaces", "namespaces/status"], verbs: READ },
  { apiGroups: ["apps"], resources: ["deployments", "deployments/scale", "deployments/status", "replicasets", "replicasets/scale", "replicasets/status"], verbs: READ },
  { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers", "horizontalpodautoscalers/status"], verbs: READ },
  { apiGroups: ["networking.k8s.io"], resources: ["ingresses", "ingresses/status"], verbs: READ },
  { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: READ },
];

const editRules = [
  { apiGroups: [""], resources: ["configmaps", "pods", "secrets", "serviceaccounts", "services"], verbs: WRITE },
  { apiGroups: [""], resources: ["secrets"], verbs: READ },
  { apiGroups: ["apps"], resources: ["deployments", "deployments/scale", "replicasets", "replicasets/scale"], verbs: WRITE },
  { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: WRITE },
  { apiGroups: ["networking.k8s.io"], resources: ["ingresses"], verbs: WRITE },
  { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: [...READ, ...WRITE] },
  ...viewRules,
];

const adminRules = [
  { apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles", "rolebindings"], verbs: [...READ, ...WRITE] },
  { apiGroups: ["authorization.k8s.io"], resources: ["localsubjectaccessreviews"], verbs: ["create"] },
  ...editRules,
];

function clusterRole(name: string, rules: object[]): any {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name, labels: { "kubernetes.io/bootstrapping": "rbac-defaults" }, annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" } },
    rules,
  };
}

function clusterRoleBinding(name: string, role: string, groups: string[]): any {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name, labels: { "kubernetes.io/bootstrapping": "rbac-defaults" }, annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" } },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
    subjects: groups.map((g) => ({ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: g })),
  };
}

/**
 * The sandbox serves plain HTTP, and kubectl never sends a bearer token over plain HTTP: it arrives as
 * system:anonymous. This binding (not part of a real cluster's defaults) gives anonymous requests
 * cluster-admin so `kubectl` works unchanged, including --as impersonation. Clients that send a token
 * (Tugboat, client-node) are that token's user. Delete the binding to make anonymous requests as powerless
 * as on a real cluster.
 */
function plainHttpAdmin(): any {
  const b = clusterRoleBinding("sandbox:plain-http-admin", "cluster-admin", []);
  b.metadata.labels = { "sandbox.tugboat.dev/plain-http": "true" };
  b.metadata.annotations = { "sandbox.tugboat.dev/why": "kubectl sends no token over plain HTTP; anonymous requests get cluster-admin in the sandbox" };
  b.subjects = [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "system:anonymous" }];
  return b;
}

export function bootstrapPolicy(): any[] {
  const objects = [
    clusterRole("cluster-admin", [
      { apiGroups: ["*"], resources: ["*"], verbs: ["*"] },
      { nonResourceURLs: ["*"], verbs: ["*"] },
    ]),
    clusterRole("admin", adminRules),
    clusterRole("edit", editRules),
    clusterRole("view", viewRules),
    clusterRole("system:discovery", [
      { nonResourceURLs: ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"], verbs: ["get"] },
    ]),
    clusterRole("system:basic-user", [
      { apiGroups: ["authorization.k8s.io"], resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], verbs: ["create"] },
      { apiGroups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"], verbs: ["create"] },
    ]),
    clusterRole("system:public-info-viewer", [{ nonResourceURLs: ["/healthz", "/livez", "/readyz", "/version", "/version/"], verbs: ["get"] }]),
    clusterRoleBinding("cluster-admin", "cluster-admin", ["system:masters"]),
    clusterRoleBinding("system:discovery", "system:discovery", ["system:authenticated"]),
    clusterRoleBinding("system:basic-user", "system:basic-user", ["system:authenticated"]),
    clusterRoleBinding("system:public-info-viewer", "system:public-info-viewer", ["system:authenticated", "system:unauthenticated"]),
    plainHttpAdmin(),
  ];
  const at = isoNow(Date.now() - 60 * 86_400_000);
  for (const o of objects) o.metadata.creationTimestamp = at;
  return objects;
}
