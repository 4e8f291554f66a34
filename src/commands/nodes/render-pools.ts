import type { Block, Reply } from "../../core/reply.js";
import type { PoolInfo } from "../../domain/nodes/describe-pool.js";
import type { PoolSource } from "../../domain/nodes/pool-source.js";
import { ageSince } from "../../domain/format/human-duration.js";
import { formatTable } from "../../domain/format/text-table.js";

// The /nodes list reply: one row per pool, then each pool's Nodes, then a line of totals.

function autoscalerText(p: PoolInfo): string {
  const { min, max } = p.autoscaler;
  if (min === undefined && max === undefined) return "-";
  return [min !== undefined ? `min ${min}` : undefined, max !== undefined ? `max ${max}` : undefined].filter(Boolean).join(", ");
}

/** Where the MachineDeployments were read, for the reply's context line. */
function whereFrom(source: Pick<PoolSource, "capi" | "namespace" | "clusterName" | "nodes">): string {
  if (source.clusterName === undefined) return `namespace ${source.namespace}`;
  return `namespace ${source.namespace} of management cluster ${source.capi.name} (Cluster ${source.clusterName})`;
}

export function renderPoolList(source: Pick<PoolSource, "cluster" | "capi" | "namespace" | "clusterName" | "nodes">, pools: PoolInfo[], now: Date): Reply {
  const cluster = source.cluster;
  if (pools.length === 0) {
    const text = `No node pools on ${cluster}: no Cluster API MachineDeployments in ${whereFrom(source)}.`;
    return { summary: text, tone: "success", blocks: [{ type: "text", text }] };
  }
  const poolTable = formatTable(
    ["POOL", "DESIRED", "READY", "AVAILABLE", "TYPE", "AUTOSCALER"],
    pools.map((p) => [p.name, String(p.desired), String(p.ready), String(p.available), p.instanceType ?? "<unknown>", autoscalerText(p)]),
  );
  const sections = pools.map((p) => {
    const title = `${p.name} (${p.instanceType ?? "type unknown"})`;
    const rows = p.nodes.map((n) => [n.name, n.status, ageSince(n.createdAt, now), n.roles, n.kubeletVersion || "<unknown>"]);
    const lines = [title];
    if (rows.length > 0) lines.push(formatTable(["NODE", "STATUS", "AGE", "ROLES", "VERSION"], rows));
    else lines.push("(no Nodes)");
    if (p.topology) lines.push(`replicas set by Cluster ${p.topology.cluster}'s topology (ClusterClass); MachineDeployment ${p.machineDeployment}`);
    for (const m of p.pendingMachines) {
      const why = m.failure ? ` (cannot provision: ${m.failure})` : m.waitingFor ? ` (${m.waitingFor})` : "";
      lines.push(`machine ${m.name}: ${m.phase}${why}, no Node yet`);
    }
    return lines.join("\n");
  });

  const nodes = pools.flatMap((p) => p.nodes);
  const sum = (f: (p: PoolInfo) => number) => pools.reduce((a, p) => a + f(p), 0);
  const totals =
    `Totals: ${pools.length} ${pools.length === 1 ? "pool" : "pools"} · ${sum((p) => p.desired)} desired · ${sum((p) => p.ready)} ready · ` +
    `${sum((p) => p.available)} available · ${nodes.length} ${nodes.length === 1 ? "node" : "nodes"}, ${nodes.filter((n) => n.ready).length} Ready`;
  const warnings = pools.flatMap((p) => p.autoscaler.invalid.map((a) => `${p.name}: ignoring autoscaler annotation ${a} (not a whole number)`));

  const blocks: Block[] = [
    { type: "header", text: `Node pools on ${cluster}` },
    { type: "code", text: [poolTable, ...sections].join("\n\n") },
  ];
  if (warnings.length > 0) blocks.push({ type: "list", items: warnings });
  blocks.push({ type: "context", text: `Cluster API MachineDeployments in ${whereFrom(source)}` });
  blocks.push({ type: "text", text: totals });
  return { summary: `${cluster}: ${totals}`, tone: "success", blocks };
}
