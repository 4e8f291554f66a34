import type { V1Lease, V1Node, V1NodeSpec, V1Pod } from "../../gateways/kube-models.js";
import { ageSince } from "../../domain/format/human-duration.js";
import { errorMessage } from "../../core/errors.js";
import { listFor, type DescribeCtx } from "./describe-context.js";
import { writeEvents } from "./describe-events.js";
import { annotationsMultiline, DescribeWriter, labelsMultiline, rfc1123z, taintsMultiline } from "./describe-writer.js";
import { addQuantities, formatQuantity, parseQuantity, quantityValue, ZERO, type Quantity } from "./quantity.js";

// kubectl's NodeDescriber: roles, taints, lease, conditions, addresses, capacity, system info, the node's
// non-terminated pods with their requests and limits, allocated totals, and events (by uid and by name).

type Totals = Record<string, Quantity>;

function roles(node: V1Node): string {
  const set = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith("node-role.kubernetes.io/") && k.length > "node-role.kubernetes.io/".length) set.add(k.slice("node-role.kubernetes.io/".length));
    else if (k === "kubernetes.io/role" && v !== "") set.add(v);
  }
  return set.size ? [...set].sort().join(",") : "<none>";
}

/** resourcehelper.PodRequestsAndLimits: containers summed, init containers as a floor, plus overhead. */
function podTotals(pod: V1Pod, field: "requests" | "limits"): Totals {
  const sum: Totals = {};
  for (const c of pod.spec?.containers ?? []) {
    for (const [k, v] of Object.entries(c.resources?.[field] ?? {})) sum[k] = addQuantities(sum[k] ?? ZERO, parseQuantity(v));
  }
  for (const c of pod.spec?.initContainers ?? []) {
    for (const [k, v] of Object.entries(c.resources?.[field] ?? {})) {
      const q = parseQuantity(v);
      if (!sum[k] || q.milli > sum[k]!.milli) sum[k] = q;
    }
  }
  for (const [k, v] of Object.entries(pod.spec?.overhead ?? {})) if (sum[k]) sum[k] = addQuantities(sum[k]!, parseQuantity(v));
  return sum;
}

const pct = (part: number, whole: number) => (whole === 0 ? 0 : Math.trunc((part / whole) * 100));

function nodeResources(w: DescribeWriter, node: V1Node, pods: V1Pod[], now: Date): void {
  const allocatable = node.status?.allocatable ?? {};
  const alloc = Object.keys(allocatable).length ? allocatable : (node.status?.capacity ?? {});
  const a = (r: string) => parseQuantity(alloc[r]);
  w.line(0, `Non-terminated Pods:\t(${pods.length} in total)`);
  w.line(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge");
  w.line(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---");
  const reqs: Totals = {};
  const lims: Totals = {};
  for (const p of pods) {
    const r = podTotals(p, "requests");
    const l = podTotals(p, "limits");
    for (const [k, v] of Object.entries(r)) reqs[k] = addQuantities(reqs[k] ?? ZERO, v);
    for (const [k, v] of Object.entries(l)) lims[k] = addQuantities(lims[k] ?? ZERO, v);
    const cpu = (t: Totals) => `${formatQuantity(t.cpu ?? ZERO)} (${pct((t.cpu ?? ZERO).milli, a("cpu").milli)}%)`;
    const mem = (t: Totals) => `${formatQuantity(t.memory ?? ZERO)} (${pct(quantityValue(t.memory ?? ZERO), quantityValue(a("memory")))}%)`;
    w.line(1, `${p.metadata?.namespace}\t${p.metadata?.name}\t\t${cpu(r)}\t${cpu(l)}\t${mem(r)}\t${mem(l)}\t${ageSince(p.metadata?.creationTimestamp, now)}`);
  }
  w.write(0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n");
  w.line(1, "Resource\tRequests\tLimits");
  w.line(1, "--------\t--------\t------");
  const row = (r: string, milli: boolean) => {
    const f = (t: Totals) => {
      const q = t[r] ?? ZERO;
      return `${formatQuantity(q)} (${milli ? pct(q.milli, a(r).milli) : pct(quantityValue(q), quantityValue(a(r)))}%)`;
    };
    w.line(1, `${r}\t${f(reqs)}\t${f(lims)}`);
  };
  row("cpu", true);
  row("memory", false);
  row("ephemeral-storage", false);
  const names = Object.keys(alloc);
  for (const r of names.filter((n) => n.startsWith("hugepages-")).sort()) row(r, false);
  const standard = new Set(["cpu", "memory", "ephemeral-storage", "pods"]);
  for (const r of names.filter((n) => !n.startsWith("hugepages-") && !standard.has(n)).sort()) {
    w.line(1, `${r}\t${formatQuantity(reqs[r] ?? ZERO)}\t${formatQuantity(lims[r] ?? ZERO)}`);
  }
}

async function lease(d: DescribeCtx<V1Node>, name: string): Promise<string | V1Lease> {
  try {
    const leases = d.q.client.leases;
    if (!(await leases.served())) return "the server could not find the requested resource";
    const res = await leases.resource();
    if (!(await d.q.allows(res.plural, "kube-node-lease"))) return `type \`${res.plural}\` is not allowed for you`;
    const found = await d.q.call(() => leases.find(name, "kube-node-lease"));
    return found ?? `leases.coordination.k8s.io "${name}" not found`;
  } catch (err) {
    return errorMessage(err);
  }
}

export async function describeNode(d: DescribeCtx<V1Node>): Promise<string> {
  const node = d.obj;
  const name = node.metadata?.name ?? "";
  const spec: V1NodeSpec = node.spec ?? {};
  const status = node.status ?? {};
  const [pods, events, ls] = await Promise.all([
    listFor(d.q, "pods", undefined, { fieldSelector: `spec.nodeName=${name},status.phase!=Succeeded,status.phase!=Failed` }),
    d.events([
      { name, namespace: undefined, kind: "Node", uid: node.metadata?.uid },
      { name, namespace: undefined, kind: "Node", uid: name },
    ]),
    lease(d, name),
  ]);
  const w = new DescribeWriter();
  w.line(0, `Name:\t${name}`);
  w.line(0, `Roles:\t${roles(node)}`);
  labelsMultiline(w, "Labels", node.metadata?.labels);
  annotationsMultiline(w, "Annotations", node.metadata?.annotations);
  w.line(0, `CreationTimestamp:\t${rfc1123z(node.metadata?.creationTimestamp)}`);
  taintsMultiline(w, "Taints", spec.taints);
  w.line(0, `Unschedulable:\t${spec.unschedulable === true}`);
  if (typeof ls === "string") w.line(0, `Lease:\tFailed to get lease: ${ls}`);
  else {
    w.line(0, "Lease:");
    w.line(1, `HolderIdentity:\t${ls.spec?.holderIdentity ?? "<unset>"}`);
    w.line(1, `AcquireTime:\t${ls.spec?.acquireTime ? rfc1123z(ls.spec.acquireTime) : "<unset>"}`);
    w.line(1, `RenewTime:\t${ls.spec?.renewTime ? rfc1123z(ls.spec.renewTime) : "<unset>"}`);
  }
  const conditions = status.conditions ?? [];
  if (conditions.length > 0) {
    w.write(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n");
    w.line(1, "----\t------\t-----------------\t------------------\t------\t-------");
    for (const c of conditions) {
      w.line(1, `${c.type} \t${c.status} \t${rfc1123z(c.lastHeartbeatTime)} \t${rfc1123z(c.lastTransitionTime)} \t${c.reason ?? ""} \t${c.message ?? ""}`);
    }
  }
  w.line(0, "Addresses:");
  for (const addr of status.addresses ?? []) w.line(1, `${addr.type}:\t${addr.address}`);
  for (const [title, list] of [["Capacity", status.capacity ?? {}], ["Allocatable", status.allocatable ?? {}]] as const) {
    const keys = Object.keys(list).sort();
    if (keys.length === 0) continue;
    w.line(0, `${title}:`);
    for (const k of keys) w.line(0, `  ${k}:\t${list[k]}`);
  }
  const info: Record<string, unknown> = { ...status.nodeInfo };
  w.line(0, "System Info:");
  for (const [label, key] of [
    ["Machine ID", "machineID"],
    ["System UUID", "systemUUID"],
    ["Boot ID", "bootID"],
    ["Kernel Version", "kernelVersion"],
    ["OS Image", "osImage"],
    ["Operating System", "operatingSystem"],
    ["Architecture", "architecture"],
    ["Container Runtime Version", "containerRuntimeVersion"],
    ["Kubelet Version", "kubeletVersion"],
    ["Kube-Proxy Version", "kubeProxyVersion"],
  ]) {
    w.line(0, `  ${label}:\t${String(info[key!] ?? "")}`);
  }
  if (spec.podCIDR) w.line(0, `PodCIDR:\t${spec.podCIDR}`);
  if ((spec.podCIDRs ?? []).length > 0) w.line(0, `PodCIDRs:\t${(spec.podCIDRs ?? []).join(",")}`);
  if (spec.providerID) w.line(0, `ProviderID:\t${spec.providerID}`);
  if ("items" in pods) nodeResources(w, node, pods.items, d.now);
  else w.line(0, "Pods:\tnot authorized");
  writeEvents(w, events, d.now);
  return w.text();
}
