// Field schemas of the built-in kinds the sandbox serves. Custom resources (Cluster API) keep their permissive
// CRD schemas; status stanzas are free-form because main-resource writes ignore them.
import { labelSelector, objectMeta, podSpec, podTemplateSpec, PROTOCOLS } from "./core-types.js";
import { s, type Schema } from "./schema.js";
import { ISTIO_KIND_SCHEMAS } from "./istio-kinds.js";

function kindSchema(go: string, props: Record<string, Schema>, desc: string, required: string[] = []): Schema {
  return s.obj(go, () => ({
    apiVersion: s.str("APIVersion defines the versioned schema of this representation of an object."),
    kind: s.str("Kind is a string value representing the REST resource this object represents."),
    metadata: objectMeta,
    ...props,
  }), { desc, required });
}

const deploymentSpec = s.obj("DeploymentSpec", () => ({
  replicas: s.int32("Number of desired pods. This is a pointer to distinguish between explicit zero and not specified. Defaults to 1."),
  selector: labelSelector,
  template: podTemplateSpec,
  strategy: s.obj("DeploymentStrategy", () => ({
    type: s.enumOf(["Recreate", "RollingUpdate"], "Type of deployment. Can be \"Recreate\" or \"RollingUpdate\". Default is RollingUpdate."),
    rollingUpdate: s.obj("RollingUpdateDeployment", () => ({ maxUnavailable: s.intOrString(), maxSurge: s.intOrString() })),
  }), { desc: "The deployment strategy to use to replace existing pods with new ones." }),
  minReadySeconds: s.int32("Minimum number of seconds for which a newly created pod should be ready without any of its container crashing."),
  revisionHistoryLimit: s.int32("The number of old ReplicaSets to retain to allow rollback. Defaults to 10."),
  paused: s.bool("Indicates that the deployment is paused."),
  progressDeadlineSeconds: s.int32("The maximum time in seconds for a deployment to make progress before it is considered to be failed. Defaults to 600s."),
}), { required: ["selector", "template"], desc: "Specification of the desired behavior of the Deployment." });

const replicaSetSpec = s.obj("ReplicaSetSpec", () => ({
  replicas: s.int32("Replicas is the number of desired pods. Defaults to 1."),
  minReadySeconds: s.int32(),
  selector: labelSelector,
  template: podTemplateSpec,
}), { required: ["selector"], desc: "Spec defines the specification of the desired behavior of the ReplicaSet." });

const jobSpec = s.obj("JobSpec", () => ({
  parallelism: s.int32("Specifies the maximum desired number of pods the job should run at any given time."),
  completions: s.int32("Specifies the desired number of successfully finished pods the job should be run with."),
  activeDeadlineSeconds: s.int64("Specifies the duration in seconds relative to the startTime that the job may be continuously active before the system tries to terminate it."),
  backoffLimit: s.int32("Specifies the number of retries before marking this job failed. Defaults to 6"),
  selector: labelSelector,
  manualSelector: s.bool(),
  template: podTemplateSpec,
  ttlSecondsAfterFinished: s.int32(),
  completionMode: s.enumOf(["NonIndexed", "Indexed"]),
  suspend: s.bool("suspend specifies whether the Job controller should create Pods or not."),
}), { required: ["template"], desc: "Specification of the desired behavior of a job." });

const servicePort = s.obj("ServicePort", () => ({
  name: s.str(),
  protocol: s.enumOf(PROTOCOLS),
  appProtocol: s.str(),
  port: s.int32("The port that will be exposed by this service."),
  targetPort: s.intOrString("Number or name of the port to access on the pods targeted by the service."),
  nodePort: s.int32(),
}), { required: ["port"] });

const serviceSpec = s.obj("ServiceSpec", () => ({
  ports: s.arr(servicePort, "The list of ports that are exposed by this service.", "port"),
  selector: s.strMap("Route service traffic to pods with label keys and values matching this selector."),
  clusterIP: s.str("clusterIP is the IP address of the service; it cannot be changed once set."),
  clusterIPs: s.strArr(),
  type: s.enumOf(["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"], "type determines how the Service is exposed."),
  externalIPs: s.strArr(),
  sessionAffinity: s.enumOf(["ClientIP", "None"]),
  loadBalancerIP: s.str(),
  loadBalancerSourceRanges: s.strArr(),
  externalName: s.str(),
  externalTrafficPolicy: s.enumOf(["Cluster", "Local"]),
  healthCheckNodePort: s.int32(),
  publishNotReadyAddresses: s.bool(),
  sessionAffinityConfig: s.any(),
  ipFamilies: s.strArr(),
  ipFamilyPolicy: s.enumOf(["PreferDualStack", "RequireDualStack", "SingleStack"]),
  allocateLoadBalancerNodePorts: s.bool(),
  loadBalancerClass: s.str(),
  internalTrafficPolicy: s.enumOf(["Cluster", "Local"]),
  trafficDistribution: s.str(),
}), { desc: "Spec defines the behavior of a service." });

const ingressBackend = s.obj("IngressBackend", () => ({
  service: s.obj("IngressServiceBackend", () => ({
    name: s.str(),
    port: s.obj("ServiceBackendPort", () => ({ name: s.str(), number: s.int32() })),
  }), { required: ["name"] }),
  resource: s.any(),
}));

const ingressSpec = s.obj("IngressSpec", () => ({
  ingressClassName: s.str("The name of an IngressClass cluster resource."),
  defaultBackend: ingressBackend,
  tls: s.arr(s.obj("IngressTLS", () => ({ hosts: s.strArr(), secretName: s.str() }))),
  rules: s.arr(s.obj("IngressRule", () => ({
    host: s.str(),
    http: s.obj("HTTPIngressRuleValue", () => ({
      paths: s.arr(s.obj("HTTPIngressPath", () => ({
        path: s.str(),
        pathType: s.enumOf(["Exact", "ImplementationSpecific", "Prefix"], "pathType determines the interpretation of the path matching."),
        backend: ingressBackend,
      }), { required: ["pathType", "backend"] })),
    }), { required: ["paths"] }),
  }))),
}), { desc: "spec is the desired state of the Ingress." });

const hpaV2Spec = s.obj("HorizontalPodAutoscalerSpec", () => ({
  scaleTargetRef: s.obj("CrossVersionObjectReference", () => ({ kind: s.str(), name: s.str(), apiVersion: s.str() }), { required: ["kind", "name"] }),
  minReplicas: s.int32("minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down."),
  maxReplicas: s.int32("maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up."),
  metrics: s.arr(s.any(), "metrics contains the specifications for which to use to calculate the desired replica count."),
  behavior: s.any(),
}), { required: ["scaleTargetRef", "maxReplicas"] });

const hpaV1Spec = s.obj("HorizontalPodAutoscalerSpec", () => ({
  scaleTargetRef: s.obj("CrossVersionObjectReference", () => ({ kind: s.str(), name: s.str(), apiVersion: s.str() }), { required: ["kind", "name"] }),
  minReplicas: s.int32("minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down."),
  maxReplicas: s.int32("maxReplicas is the upper limit for the number of pods that can be set by the autoscaler."),
  targetCPUUtilizationPercentage: s.int32("targetCPUUtilizationPercentage is the target average CPU utilization over all the pods."),
}), { required: ["scaleTargetRef", "maxReplicas"] });

const objectReference = s.obj("ObjectReference", () => ({
  kind: s.str(), namespace: s.str(), name: s.str(), uid: s.str(), apiVersion: s.str(), resourceVersion: s.str(), fieldPath: s.str(),
}));

const endpointPort = s.obj("EndpointPort", () => ({
  name: s.str(), port: s.int32(), protocol: s.enumOf(PROTOCOLS), appProtocol: s.str(),
}));

const endpointSubset = s.obj("EndpointSubset", () => {
  const address = s.obj("EndpointAddress", () => ({ ip: s.str(), hostname: s.str(), nodeName: s.str(), targetRef: objectReference }), { required: ["ip"] });
  return { addresses: s.arr(address), notReadyAddresses: s.arr(address), ports: s.arr(endpointPort) };
});

const sliceEndpoint = s.obj("Endpoint", () => ({
  addresses: s.strArr("addresses of this endpoint."),
  conditions: s.obj("EndpointConditions", () => ({ ready: s.bool(), serving: s.bool(), terminating: s.bool() })),
  hostname: s.str(), nodeName: s.str(), zone: s.str(), targetRef: objectReference, hints: s.any(),
}), { required: ["addresses"] });

/** `group/version/Kind` → schema */
export const KIND_SCHEMAS: Record<string, Schema> = {
  "/v1/Namespace": kindSchema("Namespace", { spec: s.obj("NamespaceSpec", () => ({ finalizers: s.strArr() })), status: s.any() }, "Namespace provides a scope for Names."),
  "/v1/Pod": kindSchema("Pod", { spec: podSpec, status: s.any() }, "Pod is a collection of containers that can run on a host."),
  "/v1/Service": kindSchema("Service", { spec: serviceSpec, status: s.any() }, "Service is a named abstraction of software service consisting of local port that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy."),
  "/v1/ConfigMap": kindSchema("ConfigMap", {
    immutable: s.bool("Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated."),
    data: s.strMap("Data contains the configuration data."),
    binaryData: s.map(s.str()),
  }, "ConfigMap holds configuration data for pods to consume."),
  "/v1/Secret": kindSchema("Secret", {
    immutable: s.bool(), data: s.map(s.str()), stringData: s.strMap(), type: s.str("Used to facilitate programmatic handling of secret data."),
  }, "Secret holds secret data of a certain type."),
  "/v1/ServiceAccount": kindSchema("ServiceAccount", { secrets: s.arr(s.any()), imagePullSecrets: s.arr(s.any()), automountServiceAccountToken: s.bool() }, "ServiceAccount binds together a name, a principal and a set of secrets."),
  "/v1/Endpoints": kindSchema("Endpoints", { subsets: s.arr(endpointSubset, "The set of all endpoints is the union of all subsets.") }, "Endpoints is a collection of endpoints that implement the actual service."),
  "discovery.k8s.io/v1/EndpointSlice": kindSchema("EndpointSlice", {
    addressType: s.enumOf(["IPv4", "IPv6", "FQDN"], "addressType specifies the type of address carried by this EndpointSlice."),
    endpoints: s.arr(sliceEndpoint, "endpoints is a list of unique endpoints in this slice."),
    ports: s.arr(endpointPort, "ports specifies the list of network ports exposed by each endpoint in this slice."),
  }, "EndpointSlice represents a subset of the endpoints that implement a service.", ["addressType"]),
  "/v1/ResourceQuota": kindSchema("ResourceQuota", {
    spec: s.obj("ResourceQuotaSpec", () => ({ hard: s.map(s.quantity(), "hard is the set of desired hard limits for each named resource."), scopes: s.strArr(), scopeSelector: s.any() })),
    status: s.any(),
  }, "ResourceQuota sets aggregate quota restrictions enforced per namespace."),
  "apps/v1/Deployment": kindSchema("Deployment", { spec: deploymentSpec, status: s.any() }, "Deployment enables declarative updates for Pods and ReplicaSets."),
  "batch/v1/Job": kindSchema("Job", { spec: jobSpec, status: s.any() }, "Job represents the configuration of a single job."),
  "apps/v1/ReplicaSet": kindSchema("ReplicaSet", { spec: replicaSetSpec, status: s.any() }, "ReplicaSet ensures that a specified number of pod replicas are running at any given time."),
  "networking.k8s.io/v1/Ingress": kindSchema("Ingress", { spec: ingressSpec, status: s.any() }, "Ingress is a collection of rules that allow inbound connections to reach the endpoints defined by a backend."),
  "coordination.k8s.io/v1/Lease": kindSchema("Lease", {
    spec: s.obj("LeaseSpec", () => ({
      holderIdentity: s.str(), leaseDurationSeconds: s.int32(), acquireTime: s.str(), renewTime: s.str(), leaseTransitions: s.int32(), strategy: s.str(), preferredHolder: s.str(),
    })),
  }, "Lease defines a lease concept."),
  "policy/v1/PodDisruptionBudget": kindSchema("PodDisruptionBudget", {
    spec: s.obj("PodDisruptionBudgetSpec", () => ({
      minAvailable: s.intOrString("An eviction is allowed if at least \"minAvailable\" pods selected by \"selector\" will still be available after the eviction."),
      maxUnavailable: s.intOrString("An eviction is allowed if at most \"maxUnavailable\" pods selected by \"selector\" are unavailable after the eviction."),
      selector: labelSelector,
      unhealthyPodEvictionPolicy: s.enumOf(["AlwaysAllow", "IfHealthyBudget"], "UnhealthyPodEvictionPolicy defines the criteria for when unhealthy pods should be considered for eviction."),
    })),
    status: s.any(),
  }, "PodDisruptionBudget is an object to define the max disruption that can be caused to a collection of pods"),
  "autoscaling/v2/HorizontalPodAutoscaler": kindSchema("HorizontalPodAutoscaler", { spec: hpaV2Spec, status: s.any() }, "HorizontalPodAutoscaler is the configuration for a horizontal pod autoscaler."),
  "autoscaling/v1/HorizontalPodAutoscaler": kindSchema("HorizontalPodAutoscaler", { spec: hpaV1Spec, status: s.any() }, "configuration of a horizontal pod autoscaler."),
};

export function kindSchemaOf(group: string, version: string, kind: string): Schema | undefined {
  return KIND_SCHEMAS[`${group}/${version}/${kind}`] ?? ISTIO_KIND_SCHEMAS[`${group}/${version}/${kind}`];
}
