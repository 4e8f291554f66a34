/** Server-side printing: meta.k8s.io/v1 Table with the same columns the real API server uses. */
import type { ResourceDef } from "./resources.js";
import { selectorToString } from "./selectors.js";
import { ageOf, getPath } from "./util.js";

import { AGE, AGE_DESC, col, type Col, NAME, NAME_DESC, type Printer } from "./table-columns.js";
import { ENDPOINT_PRINTERS } from "./tables-endpoints.js";

function containersCells(podSpec: any): [string, string] {
  const cs = podSpec?.containers ?? [];
  return [cs.map((c: any) => c.name).join(","), cs.map((c: any) => c.image).join(",")];
}

function formatLabels(m: Record<string, string> | undefined): string {
  const keys = Object.keys(m ?? {}).sort();
  if (!keys.length) return "<none>";
  return keys.map((k) => `${k}=${m![k]}`).join(",");
}

function podCells(p: any, now: number): unknown[] {
  let restarts = 0;
  let lastRestart = 0;
  let ready = 0;
  const total = (p.spec?.containers ?? []).length;
  let reason: string = p.status?.reason || p.status?.phase || "";
  const statuses = p.status?.containerStatuses ?? [];
  let hasRunning = false;
  for (let i = statuses.length - 1; i >= 0; i--) {
    const c = statuses[i];
    restarts += c.restartCount ?? 0;
    const fin = c.lastState?.terminated?.finishedAt;
    if (fin && Date.parse(fin) > lastRestart) lastRestart = Date.parse(fin);
    if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
    else if (c.state?.terminated?.reason) reason = c.state.terminated.reason;
    else if (c.state?.terminated) reason = c.state.terminated.signal ? `Signal:${c.state.terminated.signal}` : `ExitCode:${c.state.terminated.exitCode}`;
    else if (c.ready && c.state?.running) {
      hasRunning = true;
      ready++;
    }
  }
  if (reason === "Completed" && hasRunning) reason = "Running";
  if (p.metadata.deletionTimestamp) reason = "Terminating";
  let restartsStr = String(restarts);
  if (restarts !== 0 && lastRestart) restartsStr = `${restarts} (${ageOf(new Date(lastRestart).toISOString(), now)} ago)`;
  const ip = p.status?.podIPs?.[0]?.ip || p.status?.podIP || "<none>";
  const gates = p.spec?.readinessGates ?? [];
  let gatesStr = "<none>";
  if (gates.length) {
    const conds = p.status?.conditions ?? [];
    const trueCount = gates.filter((g: any) => conds.some((c: any) => c.type === g.conditionType && c.status === "True")).length;
    gatesStr = `${trueCount}/${gates.length}`;
  }
  return [p.metadata.name, `${ready}/${total}`, reason, restartsStr, ageOf(p.metadata.creationTimestamp, now), ip, p.spec?.nodeName || "<none>", p.status?.nominatedNodeName || "<none>", gatesStr];
}

function servicePorts(s: any): string {
  const ports = s.spec?.ports ?? [];
  if (!ports.length) return "<none>";
  return ports.map((p: any) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? "TCP"}` : `${p.port}/${p.protocol ?? "TCP"}`)).join(",");
}

function serviceExternalIP(s: any): string {
  const type = s.spec?.type ?? "ClusterIP";
  const ext: string[] = s.spec?.externalIPs ?? [];
  if (type === "ExternalName") return s.spec?.externalName ?? "<none>";
  if (type === "LoadBalancer") {
    const lb = (s.status?.loadBalancer?.ingress ?? []).map((i: any) => i.ip || i.hostname).filter(Boolean);
    const all = [...lb, ...ext];
    return all.length ? all.join(",") : "<pending>";
  }
  return ext.length ? ext.join(",") : "<none>";
}

function nodeStatus(n: any): string {
  const conds = n.status?.conditions ?? [];
  const ready = conds.find((c: any) => c.type === "Ready");
  const parts: string[] = [];
  if (!ready) parts.push("Unknown");
  else if (ready.status === "True") parts.push("Ready");
  else if (ready.status === "False") parts.push("NotReady");
  else parts.push("Unknown");
  if (n.spec?.unschedulable) parts.push("SchedulingDisabled");
  return parts.join(",");
}

function nodeRoles(n: any): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries<string>(n.metadata.labels ?? {})) {
    if (k.startsWith("node-role.kubernetes.io/")) roles.add(k.slice("node-role.kubernetes.io/".length));
    else if (k === "kubernetes.io/role" && v) roles.add(v);
  }
  return roles.size ? [...roles].sort().join(",") : "<none>";
}

function nodeAddress(n: any, type: string): string {
  const a = (n.status?.addresses ?? []).find((x: any) => x.type === type);
  return a?.address ?? "<none>";
}

function ingressHosts(i: any): string {
  const hosts: string[] = [];
  for (const r of i.spec?.rules ?? []) if (r.host) hosts.push(r.host);
  if (!hosts.length) return "*";
  if (hosts.length > 3) return `${hosts.slice(0, 3).join(",")} + ${hosts.length - 3} more...`;
  return hosts.join(",");
}

const PRINTERS: Record<string, Printer> = {
  Pod: {
    columns: [
      NAME,
      col("Ready", "The aggregate readiness state of this pod for accepting traffic."),
      col("Status", "The aggregate status of the containers in this pod."),
      col("Restarts", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
      AGE,
      col("IP", "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", { priority: 1 }),
      col("Node", "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename", { priority: 1 }),
      col("Nominated Node", "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.", { priority: 1 }),
      col("Readiness Gates", "If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to \"True\" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates", { priority: 1 }),
    ],
    cells: podCells,
  },
  Deployment: {
    columns: [
      NAME,
      col("Ready", "Number of the pod with ready state"),
      col("Up-to-date", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
      col("Available", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
      AGE,
      col("Containers", "Names of each container in the template.", { priority: 1 }),
      col("Images", "Images referenced by each container in the template.", { priority: 1 }),
      col("Selector", "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment. It must match the pod template's labels.", { priority: 1 }),
    ],
    cells: (d, now) => {
      const [c, i] = containersCells(d.spec?.template?.spec);
      return [d.metadata.name, `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`, d.status?.updatedReplicas ?? 0, d.status?.availableReplicas ?? 0, ageOf(d.metadata.creationTimestamp, now), c, i, selectorToString(d.spec?.selector)];
    },
  },
  ReplicaSet: {
    columns: [
      NAME,
      col("Desired", "Replicas is the number of desired pods. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset", { type: "integer" }),
      col("Current", "Replicas is the most recently observed number of non-terminating pods. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset", { type: "integer" }),
      col("Ready", "The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition.", { type: "integer" }),
      AGE,
      col("Containers", "Names of each container in the template.", { priority: 1 }),
      col("Images", "Images referenced by each container in the template.", { priority: 1 }),
      col("Selector", "Selector is a label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this replica set. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", { priority: 1 }),
    ],
    cells: (r, now) => {
      const [c, i] = containersCells(r.spec?.template?.spec);
      return [r.metadata.name, r.spec?.replicas ?? 0, r.status?.replicas ?? 0, r.status?.readyReplicas ?? 0, ageOf(r.metadata.creationTimestamp, now), c, i, selectorToString(r.spec?.selector)];
    },
  },
  Service: {
    columns: [
      NAME,
      col("Type", "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer."),
      col("Cluster-IP", "clusterIP is the IP address of the service and is usually assigned randomly."),
      col("External-IP", "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."),
      col("Port(s)", "The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies"),
      AGE,
      col("Selector", "Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify.", { priority: 1 }),
    ],
    cells: (s, now) => [s.metadata.name, s.spec?.type ?? "ClusterIP", s.spec?.clusterIP || "<none>", serviceExternalIP(s), servicePorts(s), ageOf(s.metadata.creationTimestamp, now), formatLabels(s.spec?.selector)],
  },
  Node: {
    columns: [
      NAME,
      col("Status", "The status of the node"),
      col("Roles", "The roles of the node"),
      AGE,
      col("Version", "Kubelet Version reported by the node."),
      col("Internal-IP", "List of addresses reachable to the node. Queried from cloud provider, if available.", { priority: 1 }),
      col("External-IP", "List of addresses reachable to the node. Queried from cloud provider, if available.", { priority: 1 }),
      col("OS-Image", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", { priority: 1 }),
      col("Kernel-Version", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", { priority: 1 }),
      col("Container-Runtime", "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).", { priority: 1 }),
    ],
    cells: (n, now) => [
      n.metadata.name, nodeStatus(n), nodeRoles(n), ageOf(n.metadata.creationTimestamp, now), n.status?.nodeInfo?.kubeletVersion ?? "",
      nodeAddress(n, "InternalIP"), nodeAddress(n, "ExternalIP"), n.status?.nodeInfo?.osImage || "<unknown>", n.status?.nodeInfo?.kernelVersion || "<unknown>", n.status?.nodeInfo?.containerRuntimeVersion || "<unknown>",
    ],
  },
  Namespace: {
    columns: [NAME, col("Status", "The status of the namespace"), AGE],
    cells: (n, now) => [n.metadata.name, n.status?.phase ?? "", ageOf(n.metadata.creationTimestamp, now)],
  },
  ConfigMap: {
    columns: [NAME, col("Data", "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process."), AGE],
    cells: (c, now) => [c.metadata.name, Object.keys(c.data ?? {}).length + Object.keys(c.binaryData ?? {}).length, ageOf(c.metadata.creationTimestamp, now)],
  },
  Secret: {
    columns: [NAME, col("Type", "Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types"), col("Data", "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4"), AGE],
    cells: (s, now) => [s.metadata.name, s.type ?? "Opaque", Object.keys(s.data ?? {}).length, ageOf(s.metadata.creationTimestamp, now)],
  },
  ServiceAccount: {
    columns: [NAME, col("Secrets", "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use."), AGE],
    cells: (s, now) => [s.metadata.name, (s.secrets ?? []).length, ageOf(s.metadata.creationTimestamp, now)],
  },
  Event: {
    columns: [
      col("Last Seen", "The time at which the most recent occurrence of this event was recorded."),
      col("Type", "Type of this event (Normal, Warning), new types could be added in the future"),
      col("Reason", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
      col("Object", "The object that this event is about."),
      col("Subobject", "If the reference is to an object, this field is a string path to a field within the object like spec.containers[2]", { priority: 1 }),
      col("Source", "The component reporting this event. Should be a short machine understandable string.", { priority: 1 }),
      col("Message", "A human-readable description of the status of this operation."),
      col("First Seen", "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)", { priority: 1 }),
      col("Count", "The number of times this event has occurred.", { priority: 1 }),
      col("Name", NAME_DESC, { priority: 1, format: "name" }),
    ],
    cells: (e, now) => {
      const last = e.lastTimestamp || e.eventTime || e.metadata.creationTimestamp;
      const first = e.firstTimestamp || e.eventTime || e.metadata.creationTimestamp;
      const src = e.source?.component ? (e.source.host ? `${e.source.component}, ${e.source.host}` : e.source.component) : e.reportingComponent ?? "";
      return [ageOf(last, now), e.type ?? "", e.reason ?? "", `${String(e.involvedObject?.kind ?? "").toLowerCase()}/${e.involvedObject?.name ?? ""}`, e.involvedObject?.fieldPath ?? "", src, e.message?.trim() ?? "", ageOf(first, now), e.count ?? 1, e.metadata.name];
    },
  },
  Ingress: {
    columns: [
      NAME,
      col("Class", "The name of the IngressClass resource that should be used for ingress"),
      col("Hosts", "Hosts that incoming requests are matched against before the ingress rule"),
      col("Address", "Address is a list containing ingress points for the load-balancer"),
      col("Ports", "Ports of TLS configurations that open"),
      AGE,
    ],
    cells: (i, now) => [
      i.metadata.name,
      i.spec?.ingressClassName ?? i.metadata.annotations?.["kubernetes.io/ingress.class"] ?? "<none>",
      ingressHosts(i),
      (i.status?.loadBalancer?.ingress ?? []).map((x: any) => x.ip || x.hostname).filter(Boolean).join(","),
      (i.spec?.tls ?? []).length ? "80, 443" : "80",
      ageOf(i.metadata.creationTimestamp, now),
    ],
  },
  Lease: {
    columns: [NAME, col("Holder", "holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field."), AGE],
    cells: (l, now) => [l.metadata.name, l.spec?.holderIdentity ?? "", ageOf(l.metadata.creationTimestamp, now)],
  },
  ...ENDPOINT_PRINTERS,
};

function crdPrinter(def: ResourceDef): Printer {
  const extra = def.printerColumns ?? [];
  const hasAge = extra.some((c) => c.name === "Age");
  const columns: Col[] = [NAME, ...extra.map((c) => col(c.name, c.description ?? "", { type: c.type, priority: c.priority ?? 0 }))];
  if (!hasAge) columns.push(col("Age", AGE_DESC, { type: "date" }));
  return {
    columns,
    cells: (o) => {
      const out: unknown[] = [o.metadata.name];
      for (const c of extra) {
        const v = getPath(o, c.jsonPath);
        if (v === undefined || v === null) out.push(null);
        else if (c.type === "date") out.push(typeof v === "string" ? ageOf(v) : "<invalid>");
        else if (c.type === "string") out.push(typeof v === "string" ? v : JSON.stringify(v));
        else out.push(v);
      }
      if (!hasAge) out.push(ageOf(o.metadata.creationTimestamp));
      return out;
    },
  };
}

const DEFAULT_PRINTER: Printer = {
  columns: [NAME, col("Created At", AGE_DESC, { type: "date" })],
  cells: (o) => [o.metadata.name, o.metadata.creationTimestamp],
};

export function printerFor(def: ResourceDef): Printer {
  if (def.crd) return crdPrinter(def);
  return PRINTERS[def.kind] ?? DEFAULT_PRINTER;
}

export type IncludeObject = "None" | "Metadata" | "Object";

export function tableRow(def: ResourceDef, obj: any, include: IncludeObject, now = Date.now()): any {
  const row: any = { cells: printerFor(def).cells(obj, now) };
  if (include === "Object") row.object = obj;
  else if (include === "Metadata") {
    const md = { ...obj.metadata };
    row.object = { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: md };
  }
  return row;
}

export function toTable(def: ResourceDef, objs: any[], listMeta: any, include: IncludeObject, withColumns = true): any {
  const now = Date.now();
  const t: any = { kind: "Table", apiVersion: "meta.k8s.io/v1", metadata: listMeta ?? {} };
  t.columnDefinitions = withColumns ? printerFor(def).columns : null;
  t.rows = objs.map((o) => tableRow(def, o, include, now));
  return t;
}
