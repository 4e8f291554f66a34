// Field schemas of the shared core types (ObjectMeta, LabelSelector, pod templates, containers).
import { s, type Schema } from "./schema.js";

export const PULL_POLICIES = ["Always", "IfNotPresent", "Never"];
export const PROTOCOLS = ["SCTP", "TCP", "UDP"];
export const RESTART_POLICIES = ["Always", "Never", "OnFailure"];

export const objectMeta: Schema = s.obj("ObjectMeta", () => ({
  name: s.str("Name must be unique within a namespace. Cannot be updated."),
  generateName: s.str("Optional prefix used by the server to generate a unique name when name is not given."),
  namespace: s.str("Namespace defines the space within which each name must be unique."),
  selfLink: s.str(),
  uid: s.str("UID is the unique in time and space value for this object, set by the server."),
  resourceVersion: s.str("An opaque value that represents the internal version of this object."),
  generation: s.int64("A sequence number representing a specific generation of the desired state."),
  creationTimestamp: s.time("The time this object was created, set by the server."),
  deletionTimestamp: s.time("When this object will be deleted, set by the server when a graceful deletion is requested."),
  deletionGracePeriodSeconds: s.int64(),
  labels: s.strMap("Map of string keys and values that can be used to organize and categorize objects."),
  annotations: s.strMap("Unstructured key value map stored with a resource that may be set by external tools."),
  ownerReferences: s.arr(ownerReference(), "Objects depended on by this object.", "uid"),
  finalizers: s.strArr("Must be empty before the object is deleted from the registry."),
  managedFields: s.arr(s.any(), "Maps workflow-id and version to the set of fields that are managed by that workflow."),
}), { desc: "Standard object's metadata." });

function ownerReference(): Schema {
  return s.obj("OwnerReference", () => ({
    apiVersion: s.str(), kind: s.str(), name: s.str(), uid: s.str(), controller: s.bool(), blockOwnerDeletion: s.bool(),
  }), { required: ["apiVersion", "kind", "name", "uid"] });
}

export const labelSelector: Schema = s.obj("LabelSelector", () => ({
  matchLabels: s.strMap("matchLabels is a map of {key,value} pairs."),
  matchExpressions: s.arr(s.obj("LabelSelectorRequirement", () => ({
    key: s.str(), operator: s.str(), values: s.strArr(),
  }), { required: ["key", "operator"] }), "matchExpressions is a list of label selector requirements."),
}), { desc: "A label query over a set of resources." });

const resources = s.obj("ResourceRequirements", () => ({
  limits: s.map(s.quantity(), "Limits describes the maximum amount of compute resources allowed."),
  requests: s.map(s.quantity(), "Requests describes the minimum amount of compute resources required."),
  claims: s.arr(s.any()),
}), { desc: "Compute Resources required by this container." });

const capabilities = s.obj("Capabilities", () => ({ add: s.strArr(), drop: s.strArr() }));

const securityContext = s.obj("SecurityContext", () => ({
  privileged: s.bool("Run container in privileged mode."),
  allowPrivilegeEscalation: s.bool(),
  capabilities,
  runAsNonRoot: s.bool(),
  runAsUser: s.int64(),
  runAsGroup: s.int64(),
  readOnlyRootFilesystem: s.bool(),
  procMount: s.str(),
  seccompProfile: s.any(),
  seLinuxOptions: s.any(),
  windowsOptions: s.any(),
  appArmorProfile: s.any(),
}), { desc: "SecurityContext defines the security options the container should be run with." });

const containerPort = s.obj("ContainerPort", () => ({
  name: s.str(),
  containerPort: s.int32("Number of port to expose on the pod's IP address."),
  hostPort: s.int32(),
  hostIP: s.str(),
  protocol: s.enumOf(PROTOCOLS, "Protocol for port. Defaults to \"TCP\"."),
}), { required: ["containerPort"] });

const envVar = s.obj("EnvVar", () => ({ name: s.str(), value: s.str(), valueFrom: s.any() }), { required: ["name"] });

export function container(): Schema {
  return s.obj("Container", () => ({
    name: s.str("Name of the container specified as a DNS_LABEL."),
    image: s.str("Container image name."),
    command: s.strArr(),
    args: s.strArr(),
    workingDir: s.str(),
    ports: s.arr(containerPort, "List of ports to expose from the container.", "containerPort"),
    envFrom: s.arr(s.any()),
    env: s.arr(envVar, "List of environment variables to set in the container.", "name"),
    resources,
    resizePolicy: s.arr(s.any()),
    restartPolicy: s.str(),
    volumeMounts: s.arr(s.obj("VolumeMount", () => ({
      name: s.str(), readOnly: s.bool(), recursiveReadOnly: s.str(), mountPath: s.str(), subPath: s.str(), mountPropagation: s.str(), subPathExpr: s.str(),
    }), { required: ["name", "mountPath"] }), undefined, "mountPath"),
    volumeDevices: s.arr(s.any()),
    livenessProbe: s.any(),
    readinessProbe: s.any(),
    startupProbe: s.any(),
    lifecycle: s.any(),
    terminationMessagePath: s.str(),
    terminationMessagePolicy: s.enumOf(["FallbackToLogsOnError", "File"]),
    imagePullPolicy: s.enumOf(PULL_POLICIES, "Image pull policy. One of Always, Never, IfNotPresent."),
    securityContext,
    stdin: s.bool(),
    stdinOnce: s.bool(),
    tty: s.bool(),
  }), { required: ["name"] });
}

export const podSpec: Schema = s.obj("PodSpec", () => ({
  volumes: s.arr(s.any(), "List of volumes that can be mounted by containers belonging to the pod.", "name"),
  initContainers: s.arr(container(), "List of initialization containers belonging to the pod.", "name"),
  containers: s.arr(container(), "List of containers belonging to the pod.", "name"),
  ephemeralContainers: s.arr(s.any()),
  restartPolicy: s.enumOf(RESTART_POLICIES, "Restart policy for all containers within the pod."),
  terminationGracePeriodSeconds: s.int64(),
  activeDeadlineSeconds: s.int64(),
  dnsPolicy: s.enumOf(["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"]),
  nodeSelector: s.strMap("A selector which must be true for the pod to fit on a node."),
  serviceAccountName: s.str(),
  serviceAccount: s.str(),
  automountServiceAccountToken: s.bool(),
  nodeName: s.str(),
  hostNetwork: s.bool(),
  hostPID: s.bool(),
  hostIPC: s.bool(),
  shareProcessNamespace: s.bool(),
  securityContext: s.any(),
  imagePullSecrets: s.arr(s.obj("LocalObjectReference", () => ({ name: s.str() })), undefined, "name"),
  hostname: s.str(),
  subdomain: s.str(),
  affinity: s.any(),
  schedulerName: s.str(),
  tolerations: s.arr(s.any()),
  hostAliases: s.arr(s.any()),
  priorityClassName: s.str(),
  priority: s.int32(),
  dnsConfig: s.any(),
  readinessGates: s.arr(s.any()),
  runtimeClassName: s.str(),
  enableServiceLinks: s.bool(),
  preemptionPolicy: s.str(),
  overhead: s.map(s.quantity()),
  topologySpreadConstraints: s.arr(s.any()),
  setHostnameAsFQDN: s.bool(),
  os: s.any(),
  hostUsers: s.bool(),
  schedulingGates: s.arr(s.any()),
  resourceClaims: s.arr(s.any()),
  resources: s.any(),
}), { required: ["containers"], desc: "Specification of the desired behavior of the pod." });

export const podTemplateSpec: Schema = s.obj("PodTemplateSpec", () => ({
  metadata: objectMeta,
  spec: podSpec,
}), { desc: "Template describes the pods that will be created." });
