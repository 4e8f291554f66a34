/** Resource definitions, well-known labels and small object helpers the simulated controllers share. */
import { findByPlural } from "../resources.js";

export const D = {
  ns: findByPlural("", "v1", "namespaces")!,
  pod: findByPlural("", "v1", "pods")!,
  node: findByPlural("", "v1", "nodes")!,
  event: findByPlural("", "v1", "events")!,
  svc: findByPlural("", "v1", "services")!,
  endpoints: findByPlural("", "v1", "endpoints")!,
  slice: findByPlural("discovery.k8s.io", "v1", "endpointslices")!,
  sa: findByPlural("", "v1", "serviceaccounts")!,
  cm: findByPlural("", "v1", "configmaps")!,
  secret: findByPlural("", "v1", "secrets")!,
  deploy: findByPlural("apps", "v1", "deployments")!,
  rs: findByPlural("apps", "v1", "replicasets")!,
  md: findByPlural("cluster.x-k8s.io", "v1beta1", "machinedeployments")!,
  machine: findByPlural("cluster.x-k8s.io", "v1beta1", "machines")!,
  cluster: findByPlural("cluster.x-k8s.io", "v1beta1", "clusters")!,
};

/** EndpointSlices name their Service with this label; the controller marks its own with MANAGED_BY */
export const SERVICE_NAME_LABEL = "kubernetes.io/service-name";
export const MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";
export const SLICE_CONTROLLER = "endpointslice-controller.k8s.io";
/** on Endpoints a controller keeps itself, so that the EndpointSlice mirroring controller leaves them alone */
export const SKIP_MIRROR_LABEL = "endpointslice.kubernetes.io/skip-mirror";
/** what the service-account and root-ca-cert-publisher controllers keep in every namespace */
export const DEFAULT_SERVICE_ACCOUNT = "default";
export const ROOT_CA_CONFIGMAP = "kube-root-ca.crt";

export const REVISION = "deployment.kubernetes.io/revision";
export const NEVER_READY = "sandbox.tugboat.dev/nodes-never-ready";
export const MD_NAME_LABEL = "cluster.x-k8s.io/deployment-name";
export const CLUSTER_LABEL = "cluster.x-k8s.io/cluster-name";
export const MACHINE_ANNOTATION = "cluster.x-k8s.io/machine";
export const CLUSTER_NAMESPACE_ANNOTATION = "cluster.x-k8s.io/cluster-namespace";
/** set on MachineDeployments the topology (ClusterClass) controller manages */
export const TOPOLOGY_OWNED_LABEL = "topology.cluster.x-k8s.io/owned";
/** the name of the Cluster.spec.topology.workers.machineDeployments[] entry a managed MachineDeployment implements */
export const TOPOLOGY_MD_LABEL = "topology.cluster.x-k8s.io/deployment-name";
/** sandbox-only: Machines of an annotated MachineDeployment (or the Machine itself) never get infrastructure; the value is "Reason: message" */
export const PROVISION_FAILURE = "sandbox.tugboat.dev/provision-failure";

/** "namespace/name" ("/name" when cluster-scoped): the id the reconcile queue and indexes use */
export function idOf(o: any): string {
  return `${o.metadata.namespace ?? ""}/${o.metadata.name}`;
}

export function splitId(id: string): [string, string] {
  const slash = id.indexOf("/");
  return [id.slice(0, slash), id.slice(slash + 1)];
}

export function ownedBy(o: any, uid: string): boolean {
  return (o.metadata.ownerReferences ?? []).some((r: any) => r.uid === uid && r.controller !== false);
}

export function ownerRef(apiVersion: string, kind: string, owner: any): any {
  return { apiVersion, kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}

/** a Service's selector (a plain map) matches these labels; no selector matches nothing */
export function selectorMatches(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || !Object.keys(selector).length) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/** a pod or node whose Ready condition is True */
export function isReady(o: any): boolean {
  return (o.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True");
}

/** the machine ("ns/name") a Cluster API node is annotated with */
export function machineOfNode(n: any): { ns: string; name: string } | undefined {
  const name = n?.metadata.annotations?.[MACHINE_ANNOTATION];
  return name ? { ns: n.metadata.annotations[CLUSTER_NAMESPACE_ANNOTATION] ?? "default", name } : undefined;
}
