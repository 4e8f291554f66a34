import {
  GatewayError,
  type ApiResource,
  type Informer,
  type KObject,
  type KubeObject,
  type KindModels,
  type KindName,
  type ScalableKindClient,
  type UntypedKubeCluster,
  type WellKnownKinds,
} from "./types.js";

// The typed kinds of a KubeCluster (WellKnownKinds), built once over its untyped calls so that every implementation
// (client-node's, the tests' in-memory fake) resolves and types them the same way. See kube-models.ts for the how-to.

/** How a kind is found in discovery: its group and plural, and the API versions its model describes. */
export interface KindSpec {
  group: string;
  plural: string;
  /** The versions the model covers; of those the cluster serves, discovery's preferred one wins. */
  versions: readonly string[];
  /** For messages: "Deployments", "Cluster API MachineDeployments". */
  label: string;
}

const CAPI_VERSIONS = ["v1beta2", "v1beta1"];

export const KIND_SPECS: Record<KindName, KindSpec> = {
  deployments: { group: "apps", plural: "deployments", versions: ["v1"], label: "Deployments" },
  replicaSets: { group: "apps", plural: "replicasets", versions: ["v1"], label: "ReplicaSets" },
  pods: { group: "", plural: "pods", versions: ["v1"], label: "Pods" },
  services: { group: "", plural: "services", versions: ["v1"], label: "Services" },
  configMaps: { group: "", plural: "configmaps", versions: ["v1"], label: "ConfigMaps" },
  secrets: { group: "", plural: "secrets", versions: ["v1"], label: "Secrets" },
  ingresses: { group: "networking.k8s.io", plural: "ingresses", versions: ["v1"], label: "Ingresses" },
  namespaces: { group: "", plural: "namespaces", versions: ["v1"], label: "Namespaces" },
  nodes: { group: "", plural: "nodes", versions: ["v1"], label: "Nodes" },
  leases: { group: "coordination.k8s.io", plural: "leases", versions: ["v1"], label: "coordination.k8s.io Leases" },
  events: { group: "", plural: "events", versions: ["v1"], label: "Events" },
  resourceQuotas: { group: "", plural: "resourcequotas", versions: ["v1"], label: "ResourceQuotas" },
  limitRanges: { group: "", plural: "limitranges", versions: ["v1"], label: "LimitRanges" },
  endpointSlices: { group: "discovery.k8s.io", plural: "endpointslices", versions: ["v1"], label: "EndpointSlices" },
  capiClusters: { group: "cluster.x-k8s.io", plural: "clusters", versions: CAPI_VERSIONS, label: "Cluster API Clusters" },
  machineDeployments: { group: "cluster.x-k8s.io", plural: "machinedeployments", versions: CAPI_VERSIONS, label: "Cluster API MachineDeployments" },
  machines: { group: "cluster.x-k8s.io", plural: "machines", versions: CAPI_VERSIONS, label: "Cluster API Machines" },
};

/**
 * The one resolver of well-known kinds: the first resource in discovery order (preferred versions first) with the
 * spec's group and plural in a version its model covers.
 */
export function resolveKind(resources: readonly ApiResource[], spec: KindSpec): ApiResource | undefined {
  return resources.find((r) => r.group === spec.group && r.plural === spec.plural && spec.versions.includes(r.version));
}

// Answers per discovery result: a cluster's discovery is cached, so each kind is resolved once per discovery.
const resolved = new WeakMap<readonly ApiResource[], Map<KindSpec, ApiResource | undefined>>();

function resolveCached(resources: readonly ApiResource[], spec: KindSpec): ApiResource | undefined {
  let answers = resolved.get(resources);
  if (!answers) resolved.set(resources, (answers = new Map()));
  if (!answers.has(spec)) answers.set(spec, resolveKind(resources, spec));
  return answers.get(spec);
}

async function findKind(cluster: UntypedKubeCluster, spec: KindSpec): Promise<ApiResource | undefined> {
  // A miss reads discovery again: the kind may be a CRD installed since (as kubectl does).
  return resolveCached(await cluster.discover(), spec) ?? resolveCached(await cluster.discover(true), spec);
}

function kindClient<T extends KubeObject>(cluster: UntypedKubeCluster, spec: KindSpec): ScalableKindClient<T> {
  const resource = async (): Promise<ApiResource> => {
    const res = await findKind(cluster, spec);
    if (!res) throw new GatewayError("not-found", `cluster ${cluster.name} serves no ${spec.label}`);
    return res;
  };
  // The API server answers with objects of the resource it was asked for: this is where its JSON becomes the model.
  const typed = (o: KubeObject): T => o as T;
  return {
    resource,
    served: async () => (await findKind(cluster, spec)) !== undefined,
    get: async (name, namespace) => typed(await cluster.get(await resource(), name, namespace)),
    find: async (name, namespace) => {
      const found = await cluster.find(await resource(), name, namespace);
      return found && typed(found);
    },
    list: async (opts) => {
      const { items, resourceVersion } = await cluster.list(await resource(), opts);
      return { items: items.map(typed), resourceVersion };
    },
    create: async (obj) => typed(await cluster.create(await resource(), obj)),
    replace: async (obj) => typed(await cluster.replace(await resource(), obj)),
    apply: async (obj, opts) => typed(await cluster.apply(await resource(), obj, opts)),
    patch: async (name, namespace, patch, type, opts) => typed(await cluster.patch(await resource(), name, namespace, patch, type, opts)),
    delete: async (name, namespace, opts) => cluster.delete(await resource(), name, namespace, opts),
    // The informer's store holds what the list and watch of this resource answered: objects of this kind.
    informer: async (opts) => cluster.informer(await resource(), opts) as unknown as Informer<T>,
    getScale: async (name, namespace) => cluster.getScale(await resource(), name, namespace),
    setScale: async (name, namespace, replicas, resourceVersion) => cluster.setScale(await resource(), name, namespace, replicas, resourceVersion),
  };
}

/** The typed kinds of `cluster`, for a KubeCluster implementation to expose. */
export function wellKnownKinds(cluster: UntypedKubeCluster): WellKnownKinds {
  const kind = <K extends KindName>(name: K) => kindClient<KindModels[K]>(cluster, KIND_SPECS[name]);
  return {
    deployments: kind("deployments"),
    replicaSets: kind("replicaSets"),
    pods: kind("pods"),
    services: kind("services"),
    configMaps: kind("configMaps"),
    secrets: kind("secrets"),
    ingresses: kind("ingresses"),
    namespaces: kind("namespaces"),
    nodes: kind("nodes"),
    leases: kind("leases"),
    events: kind("events"),
    resourceQuotas: kind("resourceQuotas"),
    limitRanges: kind("limitRanges"),
    endpointSlices: kind("endpointSlices"),
    capiClusters: kind("capiClusters"),
    machineDeployments: kind("machineDeployments"),
    machines: kind("machines"),
  };
}
