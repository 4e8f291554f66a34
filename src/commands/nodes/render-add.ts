import type { Block, ProgressState, Reply, Text } from "../../core/reply.js";
import type { AddPlan } from "../../domain/nodes/plan-add.js";
import type { MinSizeResult } from "../../domain/nodes/scale-pool.js";
import type { AddTarget } from "../../domain/nodes/add-nodes.js";
import type { Slot } from "../../domain/nodes/follow-pool.js";
import { humanDuration } from "../../domain/format/human-duration.js";

// Replies of /nodes add: the plan (confirmation and --dry-run), progress, and the final outcome.

function machineDeploymentOf(t: AddTarget): string {
  return `${t.namespace}/${t.machineDeployment ?? t.pool}${t.managementCluster ? ` on ${t.managementCluster}` : ""}`;
}

function nodes(n: number): string {
  return `${n} ${n === 1 ? "node" : "nodes"}`;
}

export function minSizeNote(m: { from: number; to: number }): string {
  return `Autoscaler min-size raised from ${m.from} to ${m.to}, so the cluster-autoscaler does not take these nodes back. It stays at ${m.to} until someone lowers it.`;
}

export function planFields(t: AddTarget, plan: AddPlan, autoscaled: boolean): Block {
  const fields = [
    { label: "Cluster", value: t.cluster },
    { label: "Pool", value: `${t.pool}${t.instanceType ? ` (${t.instanceType})` : ""}` },
    { label: "Nodes", value: `${plan.before} → ${plan.after} (+${plan.count})` },
    { label: "Maximum", value: `${plan.limit.max} (${plan.limit.source})` },
  ];
  if (plan.minSize) fields.push({ label: "Autoscaler min-size", value: `${plan.minSize.from} → ${plan.minSize.to} (stays raised until someone lowers it)` });
  else if (autoscaled) fields.push({ label: "Autoscaler min-size", value: "unchanged (already covers the new count)" });
  return { type: "fields", fields };
}

export function planReply(t: AddTarget, plan: AddPlan, autoscaled: boolean, dryRun: boolean): Reply {
  const what = `add ${nodes(plan.count)} to pool ${t.pool} on ${t.cluster}: ${plan.before} → ${plan.after}`;
  const blocks: Block[] = [
    { type: "header", text: dryRun ? "Dry run: /nodes add" : "Add nodes?" },
    planFields(t, plan, autoscaled),
    {
      type: "context",
      text: t.topologyCluster
        ? `Scales Cluster ${t.topologyCluster}'s topology entry ${t.pool} (ClusterClass), which sets MachineDeployment ${machineDeploymentOf(t)}.`
        : `Scales MachineDeployment ${machineDeploymentOf(t)} through its scale subresource.`,
    },
  ];
  if (dryRun) {
    blocks.push({ type: "text", text: "Dry run: nothing was changed." });
    return { summary: `Dry run: would ${what}${plan.minSize ? ` and raise autoscaler min-size to ${plan.minSize.to}` : ""}. Nothing was changed.`, tone: "success", blocks };
  }
  return { summary: `${what[0]!.toUpperCase()}${what.slice(1)}${plan.minSize ? `, and raise autoscaler min-size ${plan.minSize.from} → ${plan.minSize.to}` : ""}?`, tone: "info", blocks };
}

export interface AddProgress {
  target: AddTarget;
  count: number;
  lock: { state: ProgressState; detail?: Text };
  scale: { state: ProgressState; detail?: string; label?: string };
  minSize?: { state: ProgressState; label: string; detail?: string };
  slots: Slot[];
}

const SLOT_STATE: Record<Slot["state"], ProgressState> = {
  waiting: "pending",
  provisioning: "running",
  registered: "running",
  ready: "done",
  failed: "failed",
};

export function slotDetail(s: Slot): string {
  switch (s.state) {
    case "waiting":
      return "waiting for the Machine to be created";
    case "provisioning":
      return `Machine ${s.machine!.phase}, no Node yet${s.machine!.waitingFor ? ` (${s.machine!.waitingFor})` : ""}`;
    case "registered":
      return `Node ${s.node!.name} registered, not Ready yet`;
    case "ready":
      return `Node ${s.node!.name} Ready`;
    case "failed":
      return `Machine failed${s.machine?.failure ? `: ${s.machine.failure}` : ""}`;
  }
}

export function progressBlock(p: AddProgress): Block {
  const items: Array<{ label: string; state: ProgressState; detail?: Text }> = [
    { label: `Lock tugboat-nodes-${p.target.machineDeployment ?? p.target.pool}`, ...p.lock },
    { label: p.scale.label ?? `Scale ${p.target.pool} by +${p.count}`, state: p.scale.state, ...(p.scale.detail ? { detail: p.scale.detail } : {}) },
  ];
  if (p.minSize) items.push(p.minSize);
  p.slots.forEach((s, i) => items.push({ label: s.machine?.name ?? `Machine ${i + 1} of ${p.count}`, state: SLOT_STATE[s.state], detail: slotDetail(s) }));
  return { type: "progress", items };
}

export function progressReply(p: AddProgress): Reply {
  const ready = p.slots.filter((s) => s.state === "ready").length;
  const summary = `Adding ${nodes(p.count)} to ${p.target.pool} on ${p.target.cluster}: ${ready}/${p.count} Ready`;
  return { summary, tone: "info", blocks: [{ type: "text", text: `Adding ${nodes(p.count)} to pool *${p.target.pool}* on ${p.target.cluster}…` }, progressBlock(p)] };
}

export interface AddOutcome {
  progress: AddProgress;
  plan: AddPlan;
  /** Replicas changed by someone else between the lock read and our write. */
  moved?: { from: number; to: number };
  minSize?: MinSizeResult;
  minSizeError?: string;
  tookMs: number;
  timeoutSeconds: number;
  /** Stopped early because Tugboat is shutting down. */
  interrupted?: boolean;
}

export function finalReply(o: AddOutcome): Reply {
  const { progress: p, plan } = o;
  const t = p.target;
  const readyNodes = p.slots.filter((s) => s.state === "ready").map((s) => s.node!.name);
  const stuck = p.slots.filter((s) => s.state !== "ready");
  const took = humanDuration(o.tookMs);
  const blocks: Block[] = [];
  const notes: string[] = [];
  if (o.moved) notes.push(`Replicas changed from ${o.moved.from} to ${o.moved.to} while Tugboat was scaling, so the ${nodes(plan.count)} went on top of ${o.moved.to}.`);
  if (o.minSize?.changed) notes.push(minSizeNote(o.minSize));
  else if (o.minSize) notes.push(`Autoscaler min-size is already ${o.minSize.to}; left unchanged.`);
  if (o.minSizeError) notes.push(`Could not raise the autoscaler min-size (${o.minSizeError}): the cluster-autoscaler may take the new nodes back. Raise ${"`cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size`"} to ${plan.after} by hand.`);

  let summary: string;
  let tone: Reply["tone"];
  if (stuck.length === 0) {
    summary = `Added ${nodes(plan.count)} to ${t.pool} on ${t.cluster} (${plan.before} → ${plan.after}) in ${took}: ${readyNodes.join(", ")}`;
    tone = o.minSizeError ? "warning" : "success";
    blocks.push({ type: "text", text: `*Added ${nodes(plan.count)}* to pool *${t.pool}* on ${t.cluster}: ${plan.before} → ${plan.after} replicas, all Ready.` });
    blocks.push({ type: "list", items: readyNodes.map((n) => `\`${n}\` Ready`) });
  } else {
    const names = stuck.map((s) => `${s.machine?.name ?? "(Machine not created yet)"} (${slotDetail(s)})`);
    const failed = stuck.some((s) => s.state === "failed");
    // Every stuck Machine reported why it cannot provision: Tugboat stopped waiting before the deadline.
    const allFailed = stuck.every((s) => s.state === "failed");
    const stuckNames = stuck.map((s) => s.machine?.name ?? "(not created)").join(", ");
    const were = `${stuck.length} of ${nodes(plan.count)} ${plan.count === 1 ? "was" : "were"}`;
    const reasons = [...new Set(stuck.filter((s) => s.state === "failed").map((s) => s.machine?.failure ?? "failed"))].join("; ");
    summary = o.interrupted
      ? `Scaled ${t.pool} on ${t.cluster} to ${plan.after}; Tugboat stopped following the new nodes (it is shutting down) while ${were} not Ready; stuck Machines: ${stuckNames}`
      : allFailed
        ? `Scaled ${t.pool} on ${t.cluster} to ${plan.after}, but ${were} not provisioned (${reasons}); stuck Machines: ${stuckNames}`
        : `Scaled ${t.pool} on ${t.cluster} to ${plan.after}, but ${were} not Ready after ${o.timeoutSeconds}s; stuck Machines: ${stuckNames}`;
    tone = failed || readyNodes.length === 0 ? "error" : "warning";
    blocks.push({
      type: "text",
      text: `*${stuck.length} of ${nodes(plan.count)}* added to pool *${t.pool}* on ${t.cluster} ${o.interrupted ? "were not Ready when Tugboat stopped following them" : allFailed ? "cannot be provisioned" : `were not Ready before the deadline (${o.timeoutSeconds}s)`}. Stuck Machines:`,
    });
    blocks.push({ type: "list", items: names });
    if (readyNodes.length > 0) blocks.push({ type: "text", text: `Ready: ${readyNodes.map((n) => `\`${n}\``).join(", ")}` });
    blocks.push({ type: "text", text: `The scale to ${plan.after} replicas stays: Tugboat does not undo it. Inspect the Machines in namespace ${t.namespace}, or lower the pool once you know why.` });
  }
  for (const n of notes) blocks.push({ type: "text", text: n });
  blocks.push(progressBlock(p));
  blocks.push({ type: "context", text: `${t.cluster} · MachineDeployment ${machineDeploymentOf(t)} · took ${took}` });
  return { summary, tone, blocks };
}
