// Which kinds a deploy or a review lab may contain: names in the config's allow-list, and the kinds never allowed
// whatever it says (they would let a pull request take over the cluster or Tugboat itself).

export interface GroupKind {
  /** "" for the core group. */
  group: string;
  kind: string;
}

/** API group of the built-in kinds that config may name without a group. */
const BUILT_IN_GROUPS: Record<string, string> = {
  ConfigMap: "",
  Service: "",
  ServiceAccount: "",
  Pod: "",
  PersistentVolumeClaim: "",
  ReplicationController: "",
  Endpoints: "",
  LimitRange: "",
  ResourceQuota: "",
  Deployment: "apps",
  StatefulSet: "apps",
  DaemonSet: "apps",
  ReplicaSet: "apps",
  Job: "batch",
  CronJob: "batch",
  Ingress: "networking.k8s.io",
  NetworkPolicy: "networking.k8s.io",
  HorizontalPodAutoscaler: "autoscaling",
  PodDisruptionBudget: "policy",
  EndpointSlice: "discovery.k8s.io",
  // Never allowed, but named here so that config naming them gets the reason rather than "not a built-in kind".
  Secret: "",
  Namespace: "",
  Lease: "coordination.k8s.io",
  Role: "rbac.authorization.k8s.io",
  RoleBinding: "rbac.authorization.k8s.io",
  ClusterRole: "rbac.authorization.k8s.io",
  ClusterRoleBinding: "rbac.authorization.k8s.io",
};

/** Cluster-scoped kinds, known without asking the cluster (discovery decides for everything else). */
export const CLUSTER_SCOPED = new Set(["/Namespace", "/Node", "/PersistentVolume", "/ComponentStatus", "storage.k8s.io/StorageClass", "scheduling.k8s.io/PriorityClass"]);

export const DEFAULT_KINDS = ["Deployment", "Service", "ConfigMap", "Ingress", "HorizontalPodAutoscaler", "PodDisruptionBudget", "ServiceAccount"];

export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

export function gkKey(gk: GroupKind): string {
  return `${gk.group}/${gk.kind}`;
}

/** "Deployment" (a built-in), "core/Pod", or "group/Kind" for anything else; undefined when it names no kind. */
export function parseKindEntry(entry: string): GroupKind | undefined {
  const slash = entry.lastIndexOf("/");
  if (slash < 0) {
    const group = Object.hasOwn(BUILT_IN_GROUPS, entry) ? BUILT_IN_GROUPS[entry] : undefined;
    return group === undefined ? undefined : { group, kind: entry };
  }
  const group = entry.slice(0, slash);
  const kind = entry.slice(slash + 1);
  if (!/^[A-Z][A-Za-z0-9]*$/.test(kind) || !/^(core|[a-z0-9]([a-z0-9.-]*[a-z0-9])?)$/.test(group)) return undefined;
  return { group: group === "core" ? "" : group, kind };
}

/** Why a kind can never be in a deploy or a review lab, or undefined. */
export function neverAllowed(gk: GroupKind): string | undefined {
  const { group, kind } = gk;
  if (group === "" && kind === "Secret") return "Secrets never come from manifests or templates (Tugboat layers them from its own sources)";
  if (group === "rbac.authorization.k8s.io") return "RBAC objects are never applied (they would grant permissions)";
  if (group === "coordination.k8s.io") return "Leases are never applied (Tugboat's locks are Leases)";
  if (group === "cluster.x-k8s.io" || group.endsWith(".cluster.x-k8s.io")) return "Cluster API objects are never applied (they change the cluster's machines)";
  if (group === "admissionregistration.k8s.io") return "admission webhooks and policies are never applied";
  if (group === "apiextensions.k8s.io") return "CustomResourceDefinitions are never applied";
  if (group === "apiregistration.k8s.io") return "API services are never applied";
  if (CLUSTER_SCOPED.has(gkKey(gk))) return `${kind} is cluster-scoped; only objects in the target namespace are applied`;
  return undefined;
}
