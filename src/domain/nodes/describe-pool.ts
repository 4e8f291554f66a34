import type { Machine, MachineDeployment, V1Node } from "../../gateways/kube-models.js";
import { machineProblem } from "./machine-status.js";

// The node-pool model: a Cluster API MachineDeployment, its Machines and their Nodes, as plain data.

export const DEPLOYMENT_NAME_LABEL = "cluster.x-k8s.io/deployment-name";
/** Set on MachineDeployments the Cluster topology (ClusterClass) manages. */
export const TOPOLOGY_OWNED_LABEL = "topology.cluster.x-k8s.io/owned";
/** The Cluster.spec.topology.workers.machineDeployments[].name a managed MachineDeployment implements. */
export const TOPOLOGY_NAME_LABEL = "topology.cluster.x-k8s.io/deployment-name";
export const AUTOSCALER_MIN = "cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size";
export const AUTOSCALER_MAX = "cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size";

/** Labels that name a machine's size, most specific first. */
const TYPE_LABELS = [
  "node.kubernetes.io/instance-type",
  "beta.kubernetes.io/instance-type",
  "node.kubernetes.io/node-type",
  "cloud.google.com/machine-family",
];

export interface NodeInfo {
  name: string;
  /** "Ready", "NotReady" or "Unknown", as kubectl prints STATUS (plus ",SchedulingDisabled"). */
  status: string;
  ready: boolean;
  createdAt?: string;
  /** kubectl's ROLES: node-role.kubernetes.io/<role> labels, "<none>" when there are none. */
  roles: string;
  kubeletVersion: string;
}

export interface MachineInfo {
  name: string;
  phase: string;
  createdAt?: string;
  nodeName?: string;
  /** Why it has no Node: a terminal failure (failureReason, or a provisioning condition that reports an error). */
  failure?: string;
  /** What a provisioning condition says while it is not done yet (not a failure). */
  waitingFor?: string;
}

/** A ClusterClass-managed pool: its replicas belong to the Cluster's topology entry. */
export interface TopologyRef {
  /** The Cluster API Cluster (same namespace as the MachineDeployment). */
  cluster: string;
  /** Its spec.topology.workers.machineDeployments[].name. */
  name: string;
}

export interface AutoscalerBounds {
  min?: number;
  max?: number;
  /** Annotation values that are not whole numbers, for a warning. */
  invalid: string[];
}

export interface PoolInfo {
  /** The pool's name: the topology entry's name for ClusterClass pools, else the MachineDeployment's name. */
  name: string;
  machineDeployment: string;
  topology?: TopologyRef;
  namespace: string;
  desired: number;
  ready: number;
  available: number;
  instanceType?: string;
  autoscaler: AutoscalerBounds;
  machines: MachineInfo[];
  nodes: NodeInfo[];
  /** Machines with no Node yet (still provisioning, or failed). */
  pendingMachines: MachineInfo[];
}

function whole(raw: string | undefined): number | undefined {
  if (raw === undefined || !/^\s*\d+\s*$/.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : undefined;
}

export function autoscalerBounds(md: MachineDeployment): AutoscalerBounds {
  const ann = md.metadata?.annotations ?? {};
  const out: AutoscalerBounds = { invalid: [] };
  for (const [key, field] of [
    [AUTOSCALER_MIN, "min"],
    [AUTOSCALER_MAX, "max"],
  ] as const) {
    const raw = ann[key];
    if (raw === undefined) continue;
    const n = whole(raw);
    if (n === undefined) out.invalid.push(`${key}=${JSON.stringify(raw)}`);
    else out[field] = n;
  }
  return out;
}

function typeFrom(labels: Record<string, string> | undefined): string | undefined {
  for (const key of TYPE_LABELS) if (labels?.[key]) return labels[key];
  return undefined;
}

export function nodeReadyStatus(node: V1Node): { ready: boolean; status: string } {
  const cond = (node.status?.conditions ?? []).find((c) => c.type === "Ready");
  const ready = cond?.status === "True";
  let status = cond === undefined || cond.status === "Unknown" ? "Unknown" : ready ? "Ready" : "NotReady";
  if (node.spec?.unschedulable) status += ",SchedulingDisabled";
  return { ready, status };
}

export function nodeRoles(node: V1Node): string {
  const labels = node.metadata?.labels ?? {};
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(labels)) {
    if (k.startsWith("node-role.kubernetes.io/")) roles.add(k.slice("node-role.kubernetes.io/".length));
    else if (k === "kubernetes.io/role" && v) roles.add(v);
  }
  roles.delete("");
  return roles.size > 0 ? [...roles].sort().join(",") : "<none>";
}

export function describeNode(node: V1Node): NodeInfo {
  const { ready, status } = nodeReadyStatus(node);
  return {
    name: node.metadata?.name ?? "",
    status,
    ready,
    createdAt: node.metadata?.creationTimestamp,
    roles: nodeRoles(node),
    kubeletVersion: node.status?.nodeInfo?.kubeletVersion ?? "",
  };
}

export function describeMachine(m: Machine): MachineInfo {
  const problem = m.status?.nodeRef?.name ? undefined : machineProblem(m);
  return {
    name: m.metadata?.name ?? "",
    phase: m.status?.phase ?? "Pending",
    createdAt: m.metadata?.creationTimestamp,
    nodeName: m.status?.nodeRef?.name,
    ...(problem?.failed ? { failure: problem.text } : problem ? { waitingFor: problem.text } : {}),
  };
}

/** The topology entry that manages this MachineDeployment, if a ClusterClass does. */
export function topologyOf(md: MachineDeployment): TopologyRef | undefined {
  const labels = md.metadata?.labels ?? {};
  const name = labels[TOPOLOGY_NAME_LABEL];
  const cluster = labels["cluster.x-k8s.io/cluster-name"] ?? md.spec?.clusterName;
  if (labels[TOPOLOGY_OWNED_LABEL] === undefined || !name || !cluster) return undefined;
  return { cluster, name };
}

/** What users call the pool: the topology entry's name (the MachineDeployment's own is generated), else the MachineDeployment's. */
export function poolName(md: MachineDeployment): string {
  return topologyOf(md)?.name ?? md.metadata?.name ?? "";
}

/** Oldest first, then by name: the order Machines were created in. */
export function byCreation(a: { createdAt?: string; name: string }, b: { createdAt?: string; name: string }): number {
  return (a.createdAt ?? "").localeCompare(b.createdAt ?? "") || a.name.localeCompare(b.name);
}

/** True when a Machine belongs to the MachineDeployment named `machineDeployment`. */
export function machineOfPool(m: Machine, machineDeployment: string): boolean {
  return m.metadata?.labels?.[DEPLOYMENT_NAME_LABEL] === machineDeployment && !m.metadata?.deletionTimestamp;
}

export function describePool(md: MachineDeployment, machines: Machine[], nodes: Map<string, V1Node>): PoolInfo {
  const mdName = md.metadata?.name ?? "";
  const topology = topologyOf(md);
  const mine = machines.filter((m) => machineOfPool(m, mdName)).map(describeMachine).sort(byCreation);
  const poolNodes: NodeInfo[] = [];
  const pending: MachineInfo[] = [];
  for (const m of mine) {
    const node = m.nodeName ? nodes.get(m.nodeName) : undefined;
    if (node) poolNodes.push(describeNode(node));
    else pending.push(m);
  }
  const firstNode = mine.map((m) => (m.nodeName ? nodes.get(m.nodeName) : undefined)).find((n) => n !== undefined);
  const instanceType =
    typeFrom(md.spec?.template?.metadata?.labels) ?? typeFrom(md.metadata?.labels) ?? (firstNode ? typeFrom(firstNode.metadata?.labels) : undefined);
  return {
    name: poolName(md),
    machineDeployment: mdName,
    ...(topology ? { topology } : {}),
    namespace: md.metadata?.namespace ?? "",
    desired: md.spec?.replicas ?? 0,
    ready: md.status?.readyReplicas ?? 0,
    available: md.status?.availableReplicas ?? 0,
    ...(instanceType ? { instanceType } : {}),
    autoscaler: autoscalerBounds(md),
    machines: mine,
    nodes: poolNodes,
    pendingMachines: pending,
  };
}
