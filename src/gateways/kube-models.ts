// HOW TO USE THE TYPED KUBERNETES PORT (domain/ and commands/):
// 1. Objects: `import type { V1Deployment, V1Lease, Machine } from "../gateways/kube-models.js"` (client-node's own
//    models as JSON, timestamps as RFC 3339 strings; Cluster API types declared below). Never import @kubernetes/*.
// 2. Calls: the well-known kinds hang off the cluster, resolved once through discovery (every served version):
//    `await cluster.deployments.get(name, ns)` is a V1Deployment; also find/list/create/replace/apply/patch/delete,
//    and getScale/setScale on deployments, replicaSets and machineDeployments; no per-kind lookup helpers.
// 3. Waiting: `const inf = await cluster.pods.informer({ namespace, labelSelector })` is an Informer<V1Pod>;
//    `await inf.waitFor((i) => i.items().every(ready) || undefined, { timeoutMs, signal })`, then `inf.stop()`.
// 4. `await cluster.machineDeployments.served()` says whether a cluster has Cluster API at all (before a UserError).
// 5. Anything else (CRDs, /kube's any-type paths) keeps the untyped `cluster.resolve(type)` + `cluster.get(res, …)`,
//    whose objects are KObject: narrow their unknown fields with a check, never with `any`.
// 6. Tests: test/helpers/fake-cluster.ts is an in-memory KubeCluster (typed kinds + informer) for fast domain tests.
import type * as k8s from "@kubernetes/client-node";

// Type-only on purpose: this module is the one place outside src/gateways/kubernetes that names client-node, and it
// loads nothing of it at run time (eslint.config.js allows domain/ and commands/ to import it, and only as types).

/**
 * A client-node model as it travels as JSON. client-node's models differ from the wire where its own serializer
 * converts: timestamps are `Date` there and RFC 3339 strings here; fields named by a reserved word carry a leading
 * underscore there (`_default`, `_continue`, `_from`, `_int`) and their JSON name here (`default`, …). Tugboat's
 * port reads the API server's JSON as is. A field client-node leaves untyped (`any`, e.g. managedFields' fieldsV1)
 * is `unknown` here. (CRD schema models, which Tugboat does not read, also rename `x-kubernetes-*`; those are not
 * mapped.)
 */
export type Json<T> = 0 extends 1 & T
  ? unknown
  : T extends Date
    ? string
    : T extends Array<infer U>
      ? Array<Json<U>>
      : T extends object
        ? { [K in keyof T as K extends `_${infer Name}` ? Name : K]: Json<T[K]> }
        : T;

export type V1ObjectMeta = Json<k8s.V1ObjectMeta>;
export type V1OwnerReference = Json<k8s.V1OwnerReference>;
export type V1LabelSelector = Json<k8s.V1LabelSelector>;
export type V1Condition = Json<k8s.V1Condition>;

export type V1Deployment = Json<k8s.V1Deployment>;
export type V1DeploymentSpec = Json<k8s.V1DeploymentSpec>;
export type V1DeploymentStatus = Json<k8s.V1DeploymentStatus>;
export type V1DeploymentCondition = Json<k8s.V1DeploymentCondition>;
export type V1ReplicaSet = Json<k8s.V1ReplicaSet>;
export type V1PodTemplateSpec = Json<k8s.V1PodTemplateSpec>;
export type V1Pod = Json<k8s.V1Pod>;
export type V1PodSpec = Json<k8s.V1PodSpec>;
export type V1PodStatus = Json<k8s.V1PodStatus>;
export type V1PodCondition = Json<k8s.V1PodCondition>;
export type V1Container = Json<k8s.V1Container>;
export type V1ContainerStatus = Json<k8s.V1ContainerStatus>;
export type V1ContainerState = Json<k8s.V1ContainerState>;
export type V1EnvVar = Json<k8s.V1EnvVar>;
export type V1Volume = Json<k8s.V1Volume>;
export type V1VolumeMount = Json<k8s.V1VolumeMount>;
export type V1Probe = Json<k8s.V1Probe>;
export type V1ResourceRequirements = Json<k8s.V1ResourceRequirements>;
export type V1TopologySpreadConstraint = Json<k8s.V1TopologySpreadConstraint>;
export type V1Toleration = Json<k8s.V1Toleration>;
export type V1Taint = Json<k8s.V1Taint>;
export type V1SecurityContext = Json<k8s.V1SecurityContext>;
export type V1PodSecurityContext = Json<k8s.V1PodSecurityContext>;
export type V1Job = Json<k8s.V1Job>;
export type V1Service = Json<k8s.V1Service>;
export type V1ServiceSpec = Json<k8s.V1ServiceSpec>;
export type V1ServicePort = Json<k8s.V1ServicePort>;
export type V1ConfigMap = Json<k8s.V1ConfigMap>;
export type V1Secret = Json<k8s.V1Secret>;
export type V1Ingress = Json<k8s.V1Ingress>;
export type V1IngressBackend = Json<k8s.V1IngressBackend>;
export type V1Namespace = Json<k8s.V1Namespace>;
export type V1Node = Json<k8s.V1Node>;
export type V1NodeSpec = Json<k8s.V1NodeSpec>;
export type V1NodeCondition = Json<k8s.V1NodeCondition>;
export type V1Lease = Json<k8s.V1Lease>;
export type V1LeaseSpec = Json<k8s.V1LeaseSpec>;
/** A core/v1 Event (what kubectl describe lists). */
export type CoreV1Event = Json<k8s.CoreV1Event>;
export type V1Status = Json<k8s.V1Status>;
export type V1ResourceQuota = Json<k8s.V1ResourceQuota>;
export type V1LimitRange = Json<k8s.V1LimitRange>;
export type V1EndpointSlice = Json<k8s.V1EndpointSlice>;

// ------------------------------------------------------------- Cluster API (cluster.x-k8s.io, v1beta1 and v1beta2)
// client-node has no Cluster API models. These declare what Tugboat reads and writes, once, covering both served
// versions: v1beta1 (failureReason/failureMessage, conditions with severity, the new ones under status.v1beta2)
// and v1beta2 (CAPI 1.11+: conditions are metav1.Conditions, the old fields under status.deprecated.v1beta1).

/** A Cluster API condition: v1beta1's (with severity) or v1beta2's (metav1.Condition). */
export interface CapiCondition {
  type: string;
  /** "True", "False" or "Unknown". */
  status: string;
  reason?: string;
  message?: string;
  /** v1beta1 only: Error, Warning or Info. */
  severity?: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

export interface CapiObjectReference {
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  uid?: string;
}

/** v1beta1's failure fields, which v1beta2 keeps under status.deprecated.v1beta1. */
export interface CapiLegacyFailure {
  failureReason?: string;
  failureMessage?: string;
  conditions?: CapiCondition[];
}

export interface CapiObjectTemplateMeta {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** One worker pool of a ClusterClass-managed Cluster (spec.topology.workers.machineDeployments[]). */
export interface MachineDeploymentTopology {
  name: string;
  class: string;
  replicas?: number;
  metadata?: CapiObjectTemplateMeta;
  failureDomain?: string;
}

export interface ClusterTopology {
  /** v1beta1: the ClusterClass's name. */
  class?: string;
  /** v1beta2: the ClusterClass reference. */
  classRef?: { name: string; namespace?: string };
  version?: string;
  workers?: { machineDeployments?: MachineDeploymentTopology[] };
}

export interface Cluster {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec?: {
    paused?: boolean;
    topology?: ClusterTopology;
    controlPlaneRef?: CapiObjectReference;
    infrastructureRef?: CapiObjectReference;
  };
  status?: {
    phase?: string;
    conditions?: CapiCondition[];
    v1beta2?: { conditions?: CapiCondition[] };
    deprecated?: { v1beta1?: CapiLegacyFailure };
  };
}

export interface MachineSpec {
  clusterName: string;
  version?: string;
  bootstrap?: { configRef?: CapiObjectReference; dataSecretName?: string };
  infrastructureRef?: CapiObjectReference;
  failureDomain?: string;
}

export interface MachineStatus extends CapiLegacyFailure {
  phase?: string;
  nodeRef?: { name: string; uid?: string; apiVersion?: string; kind?: string };
  addresses?: Array<{ type: string; address: string }>;
  nodeInfo?: Json<k8s.V1NodeSystemInfo>;
  v1beta2?: { conditions?: CapiCondition[] };
  deprecated?: { v1beta1?: CapiLegacyFailure };
}

export interface Machine {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec?: MachineSpec;
  status?: MachineStatus;
}

export interface MachineDeployment {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec?: {
    clusterName: string;
    replicas?: number;
    selector?: V1LabelSelector;
    template?: { metadata?: CapiObjectTemplateMeta; spec: MachineSpec };
    paused?: boolean;
  };
  status?: {
    phase?: string;
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    updatedReplicas?: number;
    unavailableReplicas?: number;
    /** v1beta2: up-to-date replicas (v1beta1 says updatedReplicas). */
    upToDateReplicas?: number;
    conditions?: CapiCondition[];
    v1beta2?: { conditions?: CapiCondition[]; readyReplicas?: number; availableReplicas?: number; upToDateReplicas?: number };
    deprecated?: { v1beta1?: CapiLegacyFailure & { readyReplicas?: number; availableReplicas?: number; updatedReplicas?: number; unavailableReplicas?: number } };
  };
}
