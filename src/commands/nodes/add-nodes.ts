import { defineCommand, type CommandContext } from "../../core/command.js";
import { UsageError, UserError, errorMessage } from "../../core/errors.js";
import { getOwn } from "../../core/own-keys.js";
import { mention, rich, type Reply } from "../../core/reply.js";
import { autoscalerBounds, describePool, poolName } from "../../domain/nodes/describe-pool.js";
import { withPoolLock, poolLockName } from "../../domain/nodes/lock-pool.js";
import { planAdd } from "../../domain/nodes/plan-add.js";
import { listMachineDeployments, poolResources, type PoolResources } from "../../domain/nodes/read-pools.js";
import { replicaOwner, type ReplicaOwner } from "../../domain/nodes/scale-topology.js";
import { raiseMinSize, scaleUpWithRetry, type MinSizeResult } from "../../domain/nodes/scale-with-retry.js";
import { PoolFollower } from "../../domain/nodes/follow-pool.js";
import type { KObject } from "../../gateways/types.js";
import { explainKubeError } from "./explain-kube-error.js";
import { ADD_USAGE, parseAddArgs, validateCount, type AddArgs } from "./parse-nodes-args.js";
import { finalReply, planReply, progressReply, type AddProgress, type AddTarget } from "./render-add.js";
import { poolSourceFor, resolveClusterName } from "./resolve-cluster.js";
import { poolsWhere } from "../../domain/nodes/pool-source.js";

// /nodes add N [POOL]: plan → confirm → (under the pool's Lease) scale +N with retry, raise the autoscaler's
// min-size, wait until the new Machines exist → release → follow them until their Nodes are Ready.

/** How long the lock is kept after scaling while the MachineSet creates the new Machines (attribution). */
const CLAIM_WAIT_MS = 15_000;

export const addNodesCommand = defineCommand<AddArgs>({
  family: "nodes",
  verb: "add",
  summary: "Add N nodes to a pool through Cluster API (and raise the autoscaler's min-size so they stay)",
  usage: ADD_USAGE,
  examples: ["/nodes add 2", "/nodes add 2 highmem --cluster production", "/nodes add 3 general --dry-run"],
  sideEffects: true,
  parse: parseAddArgs,
  permission: () => "nodes:add",
  run: (args, ctx) => addNodes(args, ctx),
});

async function addNodes(args: AddArgs, ctx: CommandContext): Promise<void> {
  const { config, clock } = ctx.services;
  const clusterName = resolveClusterName(args.cluster, ctx, ADD_USAGE);
  const count = validateCount(args, config.nodes.maxPerRequest);
  const clusterConfig = getOwn(config.nodes.clusters, clusterName);
  const source = poolSourceFor(ctx, clusterName, ADD_USAGE);
  const { namespace, capi: cluster } = source;

  let res: PoolResources;
  let mds: KObject[];
  try {
    res = await poolResources(source);
    mds = await listMachineDeployments(source, res);
  } catch (err) {
    explainKubeError(err, poolsWhere(source), "read the node pools");
  }
  const existing = [...new Set(mds.map(poolName))];
  const poolList = existing.length > 0 ? `pools on ${clusterName}: ${existing.join(", ")}` : `${clusterName} has no node pools in namespace ${namespace}${source.clusterName !== undefined ? ` of ${cluster.name}` : ""}`;
  const pool = args.pool ?? clusterConfig?.defaultPool;
  if (!pool) throw new UsageError(`name the pool: cluster ${clusterName} has no default pool in the config (${poolList})`, ADD_USAGE);
  const matching = mds.filter((m) => poolName(m) === pool);
  if (matching.length > 1) throw new UserError(`Refused: pool ${pool} on ${clusterName} is ambiguous: MachineDeployments ${matching.map((m) => m.metadata?.name).join(", ")} all go by that name.`);
  const md = matching[0];
  if (!md) throw new UsageError(`unknown pool "${pool}" (${poolList})`, ADD_USAGE);
  const mdName = md.metadata?.name ?? pool;

  let owner: ReplicaOwner;
  try {
    owner = await replicaOwner(cluster, res.machineDeployments, namespace, md);
  } catch (err) {
    explainKubeError(err, poolsWhere(source), `read the topology of pool ${pool}`);
  }
  const { current, topology } = owner;

  const configMax = getOwn(clusterConfig?.pools, pool)?.maxSize;
  const bounds = autoscalerBounds(md);
  const autoscaled = bounds.min !== undefined;
  const planned = planAdd(pool, current, count, { configMax, autoscaler: bounds });
  if (!planned.ok) throw new UserError(`Refused: ${planned.reason}.`);
  const target: AddTarget = {
    cluster: clusterName,
    pool,
    namespace,
    machineDeployment: mdName,
    ...(topology ? { topologyCluster: topology.ref.cluster } : {}),
    ...(source.clusterName !== undefined ? { managementCluster: cluster.name } : {}),
    ...withType(describePool(md, [], new Map()).instanceType),
  };

  if (args.dryRun) {
    ctx.audit({ cluster: clusterName, pool, dryRun: true, before: planned.plan.before, after: planned.plan.after, minSizeRaisedTo: planned.plan.minSize?.to });
    await ctx.reply.send(planReply(target, planned.plan, autoscaled, true));
    return;
  }
  if (!(await ctx.confirm(planReply(target, planned.plan, autoscaled, false)))) {
    const text = `Cancelled: pool ${pool} on ${clusterName} stays at ${planned.plan.before} ${planned.plan.before === 1 ? "node" : "nodes"}. Nothing was changed.`;
    await ctx.reply.send({ summary: text, tone: "warning", blocks: [{ type: "text", text }] });
    return;
  }

  const started = clock.now().getTime();
  const updates = latestSender((r) => ctx.reply.send(r));
  const progress: AddProgress = { target, count, lock: { state: "running", detail: "taking the lock" }, scale: { state: "pending" }, slots: [] };
  updates.push(progressReply(progress));

  const follower = new PoolFollower(source, res, mdName, ctx.log);
  let scaled: Awaited<ReturnType<typeof scaleUpWithRetry>> | undefined;
  let minSize: MinSizeResult | undefined;
  let minSizeError: string | undefined;
  let scaledAt = started;
  try {
    await withPoolLock(
      {
        cluster,
        namespace,
        // MachineDeployment names are unique in their namespace, also when a management cluster holds several clusters' pools.
        pool: mdName,
        label: { pool, cluster: clusterName },
        holder: `${ctx.services.instanceId}/${ctx.requestId}`,
        owner: ctx.actor.id,
        reason: `/nodes add ${count} ${pool}`,
        clock,
        signal: ctx.signal,
        onWait: (heldBy) => {
          const who = heldBy.owner ? mention(heldBy.owner) : heldBy.holder;
          progress.lock = { state: "running", detail: rich`waiting: ${who} holds ${poolLockName(mdName)} (${heldBy.reason ?? heldBy.kind})` };
          updates.push(progressReply(progress));
        },
      },
      async (lost) => {
        progress.lock = { state: "done", detail: "held" };
        progress.scale = { state: "running" };
        updates.push(progressReply(progress));
        await follower.start();
        if (lost.aborted) throw new UserError(`Lost the lock ${poolLockName(mdName)} before scaling; nothing was changed. Try again.`);
        scaled = await scaleUpWithRetry({ cluster, machineDeployments: res.machineDeployments, namespace, pool: mdName, label: pool, clusterLabel: clusterName, count, configMax, ...(topology ? { target: topology.target } : {}) });
        scaledAt = clock.now().getTime();
        const plan = scaled.plan;
        ctx.audit({ cluster: clusterName, pool, requested: count, readUnderLock: scaled.readUnderLock, before: plan.before, after: plan.after, conflicts: scaled.conflicts, ...(topology ? { via: "topology" } : {}) });
        progress.scale = {
          state: "done",
          label: `Scale ${pool} ${plan.before} → ${plan.after}`,
          ...(scaled.conflicts > 0 ? { detail: `after ${scaled.conflicts} ${scaled.conflicts === 1 ? "conflict" : "conflicts"}` } : {}),
        };
        if (plan.minSize) {
          const label = `Autoscaler min-size ${plan.minSize.from} → ${plan.minSize.to}`;
          try {
            // Through the topology, min-size went into the same write as the replicas.
            const written = topology?.minSizeWritten();
            minSize = topology ? (written ? { ...written, changed: true } : undefined) : await raiseMinSize(cluster, res.machineDeployments, namespace, mdName, plan.minSize.to);
            progress.minSize = { label, state: "done", detail: minSize?.changed === false ? `already ${minSize.to}` : minSize ? "stays raised until someone lowers it" : "annotation gone" };
          } catch (err) {
            minSizeError = errorMessage(err);
            progress.minSize = { label, state: "failed", detail: minSizeError };
          }
        }
        ctx.audit({ minSizeRaisedTo: minSize?.changed ? minSize.to : null, ...(minSizeError ? { minSizeError } : {}) });
        progress.slots = follower.slots(count);
        updates.push(progressReply(progress));
        // Keep the lock until the MachineSet has created our Machines, so the next add's "before" set has them.
        await follower.waitUntil(
          () => follower.newMachines().length >= count,
          (signal) => clock.sleep(Math.min(CLAIM_WAIT_MS, config.nodes.readyTimeoutSeconds * 1000), signal),
        );
      },
    );
  } catch (err) {
    if (scaled) {
      // Scaled, then something failed while claiming the Machines: report the scale, never pretend nothing happened.
      ctx.log.warn("error after scaling", { error: errorMessage(err) });
    } else {
      follower.stop();
      await updates.flush();
      if (ctx.signal.aborted) throw new UserError(`Tugboat is restarting; pool ${pool} on ${clusterName} was not changed. Try again in a minute.`);
      explainKubeError(err, poolsWhere(source), `scale pool ${pool}`);
    }
  }
  const plan = scaled!.plan;

  // Follow the new Machines until their Nodes are Ready or the deadline (counted from the scale) passes.
  const deadline = scaledAt + config.nodes.readyTimeoutSeconds * 1000;
  const unsubscribe = follower.onChange(() => {
    progress.slots = follower.slots(count);
    updates.push(progressReply(progress));
  });
  // Settled: every new Machine has a Ready Node or reported that it cannot provision (no point waiting for the deadline).
  const settled = () => follower.slots(count).every((s) => s.state === "ready" || s.state === "failed");
  let onShutdown = () => {};
  const shutdown = new Promise<void>((resolve) => {
    onShutdown = () => resolve();
    if (ctx.signal.aborted) resolve();
    ctx.signal.addEventListener("abort", onShutdown, { once: true });
  });
  let interrupted = false;
  try {
    await follower.waitUntil(settled, (signal) =>
      Promise.race([clock.sleep(Math.max(0, deadline - clock.now().getTime()), signal), shutdown.then(() => void (interrupted = true))]),
    );
  } finally {
    ctx.signal.removeEventListener("abort", onShutdown);
    unsubscribe();
    progress.slots = follower.slots(count);
    follower.stop();
  }
  if (progress.slots.every((s) => s.state === "ready")) interrupted = false;
  await updates.flush();
  const moved = scaled!.readUnderLock !== plan.before ? { from: scaled!.readUnderLock, to: plan.before } : undefined;
  ctx.audit({ newNodes: progress.slots.filter((s) => s.node).map((s) => s.node!.name), allReady: progress.slots.every((s) => s.state === "ready") });
  await ctx.reply.send(
    finalReply({
      progress,
      plan,
      ...(moved ? { moved } : {}),
      ...(minSize ? { minSize } : {}),
      ...(minSizeError ? { minSizeError } : {}),
      tookMs: clock.now().getTime() - started,
      timeoutSeconds: config.nodes.readyTimeoutSeconds,
      interrupted,
    }),
  );
}

function withType(instanceType: string | undefined): { instanceType?: string } {
  return instanceType ? { instanceType } : {};
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
