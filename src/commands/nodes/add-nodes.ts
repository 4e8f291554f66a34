import { defineCommand, type CommandContext } from "../../core/command.js";
import { mention, rich, type Reply } from "../../core/reply.js";
import { addNodes, type NodesAddEvent } from "../../domain/nodes/add-nodes.js";
import { poolLockName } from "../../domain/nodes/lock-pool.js";
import { ADD_USAGE, parseAddArgs, validateCount, type AddArgs } from "./parse-nodes-args.js";
import { finalReply, planReply, progressReply, type AddProgress } from "./render-add.js";
import { resolveClusterName } from "./resolve-cluster.js";

// /nodes add N [POOL]: the command resolves the cluster, checks N, asks to confirm and renders the use case's
// events (src/domain/nodes/add-nodes.ts) into one message.

export const addNodesCommand = defineCommand<AddArgs>({
  family: "nodes",
  verb: "add",
  summary: "Add N nodes to a pool through Cluster API (and raise the autoscaler's min-size so they stay)",
  usage: ADD_USAGE,
  examples: ["/nodes add 2", "/nodes add 2 highmem --cluster production", "/nodes add 3 general --dry-run"],
  sideEffects: true,
  parse: parseAddArgs,
  permission: () => "nodes:add",
  run: (args, ctx) => runAdd(args, ctx),
});

async function runAdd(args: AddArgs, ctx: CommandContext): Promise<void> {
  const { config, clock, instanceId } = ctx.services;
  const clusterName = resolveClusterName(args.cluster, ctx, ADD_USAGE);
  const count = validateCount(args, config.nodes.maxPerRequest);
  const updates = latestSender((r) => ctx.reply.send(r));
  let progress: AddProgress | undefined;
  const render = async (e: NodesAddEvent): Promise<void> => {
    switch (e.type) {
      case "planned":
        progress = { target: e.target, count, lock: { state: "running", detail: "taking the lock" }, scale: { state: "pending" }, slots: [] };
        return;
      case "dry-run":
        await ctx.reply.send(planReply(e.target, e.plan, e.autoscaled, true));
        return;
      case "cancelled": {
        const text = `Cancelled: pool ${e.target.pool} on ${e.target.cluster} stays at ${e.plan.before} ${e.plan.before === 1 ? "node" : "nodes"}. Nothing was changed.`;
        await ctx.reply.send({ summary: text, tone: "warning", blocks: [{ type: "text", text }] });
        return;
      }
      case "locking":
        updates.push(progressReply(progress!));
        return;
      case "lock-waiting": {
        const who = e.heldBy.owner ? mention(e.heldBy.owner) : e.heldBy.holder;
        progress!.lock = { state: "running", detail: rich`waiting: ${who} holds ${poolLockName(progress!.target.machineDeployment ?? progress!.target.pool)} (${e.heldBy.reason ?? e.heldBy.kind})` };
        updates.push(progressReply(progress!));
        return;
      }
      case "locked":
        progress!.lock = { state: "done", detail: "held" };
        progress!.scale = { state: "running" };
        updates.push(progressReply(progress!));
        return;
      case "scaled":
        progress!.scale = {
          state: "done",
          label: `Scale ${progress!.target.pool} ${e.plan.before} → ${e.plan.after}`,
          ...(e.conflicts > 0 ? { detail: `after ${e.conflicts} ${e.conflicts === 1 ? "conflict" : "conflicts"}` } : {}),
        };
        return;
      case "min-size": {
        const label = `Autoscaler min-size ${e.from} → ${e.to}`;
        progress!.minSize =
          e.error !== undefined
            ? { label, state: "failed", detail: e.error }
            : { label, state: "done", detail: e.result?.changed === false ? `already ${e.result.to}` : e.result ? "stays raised until someone lowers it" : "annotation gone" };
        return;
      }
      case "machines":
        progress!.slots = e.slots;
        updates.push(progressReply(progress!));
        return;
      case "finished":
        progress!.slots = e.slots;
        await updates.flush();
        await ctx.reply.send(
          finalReply({
            progress: progress!,
            plan: e.plan,
            ...(e.moved ? { moved: e.moved } : {}),
            ...(e.minSize ? { minSize: e.minSize } : {}),
            ...(e.minSizeError ? { minSizeError: e.minSizeError } : {}),
            tookMs: e.finishedAt.getTime() - e.startedAt.getTime(),
            timeoutSeconds: e.timeoutSeconds,
            interrupted: e.interrupted,
          }),
        );
        return;
      case "refused":
        await updates.flush();
        return;
    }
  };
  const outcome = await addNodes(
    { cluster: clusterName, ...(args.pool !== undefined ? { pool: args.pool } : {}), count, dryRun: args.dryRun, actorId: ctx.actor.id, requestId: ctx.requestId, usage: ADD_USAGE },
    {
      config,
      kube: ctx.services.kube,
      clock,
      instanceId,
      log: ctx.log,
      audit: (facts) => ctx.audit(facts),
      signal: ctx.signal,
      confirm: (p) => ctx.confirm(planReply(p.target, p.plan, p.autoscaled, false)),
    },
    render,
  ).catch(async (err: unknown) => {
    // An unforeseen failure: the progress already queued goes out before the router's error reply.
    await updates.flush();
    throw err;
  });
  if (outcome.type === "refused") throw outcome.error;
}

/** Sends replies in order, skipping intermediate ones that were superseded before they went out. */
function latestSender(send: (r: Reply) => Promise<void>): { push(r: Reply): void; flush(): Promise<void> } {
  let pending: Reply | undefined;
  let lastSent = "";
  let loop: Promise<void> = Promise.resolve();
  let running = false;
  const drain = async () => {
    running = true;
    try {
      while (pending) {
        const r = pending;
        pending = undefined;
        const key = JSON.stringify(r);
        if (key === lastSent) continue;
        lastSent = key;
        await send(r).catch(() => {});
      }
    } finally {
      running = false;
    }
  };
  return {
    push(r) {
      pending = r;
      if (!running) loop = drain();
    },
    flush: () => loop,
  };
}
