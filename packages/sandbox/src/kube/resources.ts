/** Registry of the API resources the sandbox serves. */
import { alternateVersionDefs } from "./versions/index.js";
import { AUTH_RESOURCES } from "./auth/resources.js";

export interface ResourceDef {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs: string[];
  subresources: string[]; // "status" | "scale" | "log"
  /** served as a CustomResourceDefinition */
  crd?: boolean;
  /** name validation: "label" (DNS-1123 label), "subdomain" (DNS-1123 subdomain), "dns1035" */
  nameRule: "label" | "subdomain" | "dns1035" | "path";
  /** object tracks metadata.generation */
  generation: boolean;
  /** additional printer columns (CRDs) */
  printerColumns?: Array<{ name: string; type: string; jsonPath: string; description?: string; priority?: number }>;
}

const RW = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

export const RESOURCES: ResourceDef[] = [
  { group: "", version: "v1", plural: "namespaces", singular: "namespace", kind: "Namespace", namespaced: false, shortNames: ["ns"], verbs: ["create", "delete", "get", "list", "patch", "update", "watch"], subresources: ["status", "finalize"], nameRule: "label", generation: false },
  { group: "", version: "v1", plural: "pods", singular: "pod", kind: "Pod", namespaced: true, shortNames: ["po"], categories: ["all"], verbs: RW, subresources: ["status", "log"], nameRule: "subdomain", generation: false },
  { group: "", version: "v1", plural: "services", singular: "service", kind: "Service", namespaced: true, shortNames: ["svc"], categories: ["all"], verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"], subresources: ["status"], nameRule: "dns1035", generation: false },
  { group: "", version: "v1", plural: "configmaps", singular: "configmap", kind: "ConfigMap", namespaced: true, shortNames: ["cm"], verbs: RW, subresources: [], nameRule: "subdomain", generation: false },
  { group: "", version: "v1", plural: "secrets", singular: "secret", kind: "Secret", namespaced: true, verbs: RW, subresources: [], nameRule: "subdomain", generation: false },
  { group: "", version: "v1", plural: "events", singular: "event", kind: "Event", namespaced: true, shortNames: ["ev"], verbs: RW, subresources: [], nameRule: "subdomain", generation: false },
  { group: "", version: "v1", plural: "nodes", singular: "node", kind: "Node", namespaced: false, shortNames: ["no"], verbs: RW, subresources: ["status"], nameRule: "subdomain", generation: false },
  { group: "", version: "v1", plural: "resourcequotas", singular: "resourcequota", kind: "ResourceQuota", namespaced: true, shortNames: ["quota"], verbs: RW, subresources: ["status"], nameRule: "subdomain", generation: false },
  // Kept by the endpoints and endpointslice controllers for every Service with a selector (controllers/endpoints-controller.ts).
  { group: "", version: "v1", plural: "endpoints", singular: "endpoints", kind: "Endpoints", namespaced: true, shortNames: ["ep"], verbs: RW, subresources: [], nameRule: "subdomain", generation: false },
  { group: "discovery.k8s.io", version: "v1", plural: "endpointslices", singular: "endpointslice", kind: "EndpointSlice", namespaced: true, verbs: RW, subresources: [], nameRule: "subdomain", generation: false },
  { group: "", version: "v1", plural: "serviceaccounts", singular: "serviceaccount", kind: "ServiceAccount", namespaced: true, shortNames: ["sa"], verbs: RW, subresources: [], nameRule: "subdomain", generation: false },
  { group: "apps", version: "v1", plural: "deployments", singular: "deployment", kind: "Deployment", namespaced: true, shortNames: ["deploy"], categories: ["all"], verbs: RW, subresources: ["status", "scale"], nameRule: "subdomain", generation: true },
  { group: "apps", version: "v1", plural: "replicasets", singular: "replicaset", kind: "ReplicaSet", namespaced: true, shortNames: ["rs"], categories: ["all"], verbs: RW, subresources: ["status", "scale"], nameRule: "subdomain", generation: true },
  // Jobs are stored and validated (restartPolicy, the immutable template) but never run: no Job controller.
  { group: "batch", version: "v1", plural: "jobs", singular: "job", kind: "Job", namespaced: true, categories: ["all"], verbs: RW, subresources: ["status"], nameRule: "subdomain", generation: true },
  { group: "autoscaling", version: "v2", plural: "horizontalpodautoscalers", singular: "horizontalpodautoscaler", kind: "HorizontalPodAutoscaler", namespaced: true, shortNames: ["hpa"], categories: ["all"], verbs: RW, subresources: ["status"], nameRule: "subdomain", generation: false },
  { group: "policy", version: "v1", plural: "poddisruptionbudgets", singular: "poddisruptionbudget", kind: "PodDisruptionBudget", namespaced: true, shortNames: ["pdb"], verbs: RW, subresources: ["status"], nameRule: "subdomain", generation: true },
  { group: "networking.k8s.io", version: "v1", plural: "ingresses", singular: "ingress", kind: "Ingress", namespaced: true, shortNames: ["ing"], verbs: RW, subresources: ["status"], nameRule: "subdomain", generation: true },
  // Istio's traffic routing (its CRDs installed: structural schemas, validation/istio-kinds.ts).
  { group: "networking.istio.io", version: "v1", plural: "virtualservices", singular: "virtualservice", kind: "VirtualService", namespaced: true, shortNames: ["vs"], categories: ["istio-io", "networking-istio-io"], verbs: RW, subresources: ["status"], crd: true, nameRule: "subdomain", generation: true },
  { group: "networking.istio.io", version: "v1", plural: "destinationrules", singular: "destinationrule", kind: "DestinationRule", namespaced: true, shortNames: ["dr"], categories: ["istio-io", "networking-istio-io"], verbs: RW, subresources: ["status"], crd: true, nameRule: "subdomain", generation: true },
  { group: "coordination.k8s.io", version: "v1", plural: "leases", singular: "lease", kind: "Lease", namespaced: true, verbs: RW, subresources: [], nameRule: "subdomain", generation: false },
  { group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", singular: "customresourcedefinition", kind: "CustomResourceDefinition", namespaced: false, shortNames: ["crd", "crds"], categories: ["api-extensions"], verbs: ["get", "list", "watch"], subresources: ["status"], nameRule: "subdomain", generation: true },
  {
    group: "cluster.x-k8s.io", version: "v1beta1", plural: "machinedeployments", singular: "machinedeployment", kind: "MachineDeployment", namespaced: true, shortNames: ["md"], categories: ["cluster-api"], verbs: RW, subresources: ["status", "scale"], crd: true, nameRule: "subdomain", generation: true,
    printerColumns: [
      { name: "Cluster", type: "string", jsonPath: ".spec.clusterName", description: "Cluster" },
      { name: "Replicas", type: "integer", jsonPath: ".status.replicas", description: "Total number of non-terminated machines targeted by this MachineDeployment" },
      { name: "Ready", type: "integer", jsonPath: ".status.readyReplicas", description: "Total number of ready machines targeted by this MachineDeployment" },
      { name: "Updated", type: "integer", jsonPath: ".status.updatedReplicas", description: "Total number of non-terminated machines targeted by this deployment that have the desired template spec" },
      { name: "Unavailable", type: "integer", jsonPath: ".status.unavailableReplicas", description: "Total number of unavailable machines targeted by this MachineDeployment" },
      { name: "Phase", type: "string", jsonPath: ".status.phase", description: "MachineDeployment status such as ScalingUp/ScalingDown/Running/Failed/Unknown" },
      { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp", description: "Time duration since creation of MachineDeployment" },
      { name: "Version", type: "string", jsonPath: ".spec.template.spec.version", description: "Kubernetes version associated with this MachineDeployment" },
    ],
  },
  {
    group: "cluster.x-k8s.io", version: "v1beta1", plural: "machines", singular: "machine", kind: "Machine", namespaced: true, shortNames: ["ma"], categories: ["cluster-api"], verbs: RW, subresources: ["status"], crd: true, nameRule: "subdomain", generation: true,
    printerColumns: [
      { name: "Cluster", type: "string", jsonPath: ".spec.clusterName", description: "Cluster" },
      { name: "NodeName", type: "string", jsonPath: ".status.nodeRef.name", description: "Node name associated with this machine" },
      { name: "ProviderID", type: "string", jsonPath: ".spec.providerID", description: "Provider ID" },
      { name: "Phase", type: "string", jsonPath: ".status.phase", description: "Machine status such as Terminating/Pending/Running/Failed etc" },
      { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp", description: "Time duration since creation of Machine" },
      { name: "Version", type: "string", jsonPath: ".spec.version", description: "Kubernetes version associated with this Machine" },
    ],
  },
  {
    group: "cluster.x-k8s.io", version: "v1beta1", plural: "clusters", singular: "cluster", kind: "Cluster", namespaced: true, shortNames: ["cl"], categories: ["cluster-api"], verbs: RW, subresources: ["status"], crd: true, nameRule: "subdomain", generation: true,
    printerColumns: [
      { name: "ClusterClass", type: "string", jsonPath: ".spec.topology.class", description: "ClusterClass of this Cluster, empty if the Cluster is not using a ClusterClass" },
      { name: "Phase", type: "string", jsonPath: ".status.phase", description: "Cluster status such as Pending/Provisioning/Provisioned/Deleting/Failed" },
      { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp", description: "Time duration since creation of Cluster" },
      { name: "Version", type: "string", jsonPath: ".spec.topology.version", description: "Kubernetes version associated with this Cluster" },
    ],
  },
  // Role-based access control and the self-reviews (./auth).
  ...AUTH_RESOURCES,
];
// autoscaling/v1 HorizontalPodAutoscalers, Cluster API v1beta2: served from the objects stored above
RESOURCES.push(...alternateVersionDefs(RESOURCES));

export function apiVersionOf(def: ResourceDef): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}

/** "deployments.apps", "pods" — the qualified resource used in error messages */
export function qualifiedResource(def: ResourceDef): string {
  return def.group ? `${def.plural}.${def.group}` : def.plural;
}

export function qualifiedKind(def: ResourceDef): string {
  return def.group ? `${def.kind}.${def.group}` : def.kind;
}

export function resourceKey(def: ResourceDef): string {
  return `${def.group}/${def.plural}`;
}

export function findByPlural(group: string, version: string, plural: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

export function findByKind(apiVersion: string, kind: string): ResourceDef | undefined {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  return RESOURCES.find((r) => r.group === group && r.version === version && r.kind === kind);
}

export function groupVersions(): Array<{ group: string; version: string }> {
  const out: Array<{ group: string; version: string }> = [];
  for (const r of RESOURCES) {
    if (!out.some((g) => g.group === r.group && g.version === r.version)) out.push({ group: r.group, version: r.version });
  }
  return out;
}
