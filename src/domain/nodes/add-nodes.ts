import type { TugboatConfig } from "../../config/schema.js";
import { UsageError, UserError, errorMessage } from "../../core/errors.js";
import type { Logger } from "../../core/logger.js";
import { getOwn } from "../../core/own-keys.js";
import type { Clock } from "../../core/services.js";
import type { MachineDeployment } from "../../gateways/kube-models.js";
import type { KubeGateway } from "../../gateways/types.js";
import type { LockInfo } from "../lease-lock.js";
import { autoscalerBounds, describePool, poolName } from "./describe-pool.js";
import { explainKubeError } from "./explain-kube-error.js";
import { PoolFollower, type Slot } from "./follow-pool.js";
import { poolLockName, withPoolLock } from "./lock-pool.js";
import { planAdd, type AddPlan } from "./plan-add.js";
import { poolSource, poolsWhere } from "./pool-source.js";
import { listMachineDeployments, requireClusterApi } from "./read-pools.js";
import { raiseMinSize, scaleUp, type MinSizeResult, type ScaleUpResult } from "./scale-pool.js";
import { replicaOwner, type ReplicaOwner } from "./scale-topology.js";

// `nodes add` as a use case: plan → confirm (a dependency: chat asks with buttons) → under the pool's Lease scale +N
// (the port re-runs the read-modify-write on 409), raise the autoscaler's min-size, wait until the new Machines exist
// → release → follow them until their Nodes are Ready or the deadline. It knows no chat; events in order:
//   planned → dry-run | cancelled | locking → lock-waiting? → locked → scaled → min-size? → machines* → finished
//   (or refused: unknown pool, past the maximum, the lock busy, a cluster refusal before the scale).
// Once scaled, nothing is undone: a later failure ends in `finished` saying which Machines are stuck.

/** How long the lock is kept after scaling while the MachineSet creates the new Machines (attribution). */
const CLAIM_WAIT_MS = 15_000;

export interface NodesAddInput {
  /** The workload cluster, as configured. */
  cluster: string;
  /** The pool; default: the cluster's defaultPool in the config. */
  pool?: string;
  count: number;
  dryRun: boolean;
  actorId: string;
  requestId: string;
  /** Usage shown under refusals of the pool name (a chat grammar's). */
  usage?: string;
}

export interface NodesAddDeps {
  config: TugboatConfig;
  kube: KubeGateway;
  clock: Clock;
  log: Logger;
  audit: (facts: Record<string, unknown>) => void;
  instanceId: string;
  signal: AbortSignal;
  /** Asks whoever started it to go ahead with the plan (chat: Confirm/Cancel); false cancels. */
  confirm: (plan: PlannedAdd) => Promise<boolean>;
}

export interface AddTarget {
  cluster: string;
  pool: string;
  namespace: string;
  instanceType?: string;
  /** The MachineDeployment's name (a ClusterClass pool's is generated); default: the pool's name. */
  machineDeployment?: string;
  /** Set when replicas are scaled through this Cluster's topology (ClusterClass). */
  topologyCluster?: string;
  /** Set when the Cluster API objects live in a management cluster. */
  managementCluster?: string;
}

export interface PlannedAdd {
  target: AddTarget;
  plan: AddPlan;
  /** The pool has autoscaler bounds. */
  autoscaled: boolean;
}

export interface AddFinished {
  type: "finished";
  target: AddTarget;
  plan: AddPlan;
  slots: Slot[];
  /** Replicas changed by someone else between the lock read and our write. */
  moved?: { from: number; to: number };
  minSize?: MinSizeResult;
  minSizeError?: string;
  startedAt: Date;
  finishedAt: Date;
  timeoutSeconds: number;
  /** Stopped early because Tugboat is shutting down. */
  interrupted: boolean;
}

export type NodesAddOutcome =
  | ({ type: "dry-run" } & PlannedAdd)
  | ({ type: "cancelled" } & PlannedAdd)
  | AddFinished
  | { type: "refused"; error: UserError };

export type NodesAddEvent =
  | ({ type: "planned" } & PlannedAdd)
  | { type: "locking" }
  | { type: "lock-waiting"; heldBy: LockInfo }
  | { type: "locked" }
  | { type: "scaled"; plan: AddPlan; conflicts: number }
  /** The autoscaler's min-size, raised after the scale (or with it, through a topology). */
  | { type: "min-size"; from: number; to: number; result?: MinSizeResult; error?: string }
  /** The new Machines and their Nodes, after the scale and on every change. */
  | { type: "machines"; slots: Slot[] }
  | NodesAddOutcome;

type Emit = (event: NodesAddEvent) => void | Promise<void>;

export async function addNodes(input: NodesAddInput, deps: NodesAddDeps, emit: Emit): Promise<NodesAddOutcome> {
  let outcome: NodesAddOutcome;
  try {
    outcome = await addSteps(input, deps, emit);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    outcome = { type: "refused", error: err };
  }
  await emit(outcome);
  return outcome;
}

async function addSteps(input: NodesAddInput, deps: NodesAddDeps, emit: Emit): Promise<NodesAddOutcome> {
  const { config, clock } = deps;
  const { count } = input;
  const source = poolSource(config, deps.kube, input.cluster, input.usage);
  const { namespace, capi: cluster } = source;
  const clusterName = source.cluster;
  const clusterConfig = getOwn(config.nodes.clusters, clusterName);

  let mds: MachineDeployment[];
  try {
    await requireClusterApi(source);
    mds = await listMachineDeployments(source);
  } catch (err) {
    explainKubeError(err, poolsWhere(source), "read the node pools");
  }
  const existing = [...new Set(mds.map(poolName))];
  const poolList = existing.length > 0 ? `pools on ${clusterName}: ${existing.join(", ")}` : `${clusterName} has no node pools in namespace ${namespace}${source.clusterName !== undefined ? ` of ${cluster.name}` : ""}`;
  const pool = input.pool ?? clusterConfig?.defaultPool;
  if (!pool) throw new UsageError(`name the pool: cluster ${clusterName} has no default pool in the config (${poolList})`, input.usage);
  const matching = mds.filter((m) => poolName(m) === pool);
  if (matching.length > 1) throw new UserError(`Refused: pool ${pool} on ${clusterName} is ambiguous: MachineDeployments ${matching.map((m) => m.metadata?.name).join(", ")} all go by that name.`);
  const md = matching[0];
  if (!md) throw new UsageError(`unknown pool "${pool}" (${poolList})`, input.usage);
  const mdName = md.metadata?.name ?? pool;

  let owner: ReplicaOwner;
  try {
    owner = await replicaOwner(cluster, namespace, md);
  } catch (err) {
    explainKubeError(err, poolsWhere(source), `read the topology of pool ${pool}`);
  }
  const { current, topology } = owner;

  const configMax = getOwn(clusterConfig?.pools, pool)?.maxSize;
  const bounds = autoscalerBounds(md);
  const planned = planAdd(pool, current, count, { configMax, autoscaler: bounds });
  if (!planned.ok) throw new UserError(`Refused: ${planned.reason}.`);
  const instanceType = describePool(md, [], new Map()).instanceType;
  const target: AddTarget = {
    cluster: clusterName,
    pool,
    namespace,
    machineDeployment: mdName,
    ...(topology ? { topologyCluster: topology.ref.cluster } : {}),
    ...(source.clusterName !== undefined ? { managementCluster: cluster.name } : {}),
    ...(instanceType ? { instanceType } : {}),
  };
  const plannedAdd: PlannedAdd = { target, plan: planned.plan, autoscaled: bounds.min !== undefined };
  await emit({ type: "planned", ...plannedAdd });

  if (input.dryRun) {
    deps.audit({ cluster: clusterName, pool, dryRun: true, before: planned.plan.before, after: planned.plan.after, minSizeRaisedTo: planned.plan.minSize?.to });
    return { type: "dry-run", ...plannedAdd };
  }
  if (!(await deps.confirm(plannedAdd))) return { type: "cancelled", ...plannedAdd };

  const startedAt = clock.now();
  await emit({ type: "locking" });
  const follower = new PoolFollower(source, mdName, deps.log);
  let scaled: ScaleUpResult | undefined;
  let minSize: MinSizeResult | undefined;
  let minSizeError: string | undefined;
  let scaledAt = startedAt.getTime();
  try {
    await withPoolLock(
      {
        cluster,
        namespace,
        // MachineDeployment names are unique in their namespace, also when a management cluster holds several clusters' pools.
        pool: mdName,
        label: { pool, cluster: clusterName },
        holder: `${deps.instanceId}/${input.requestId}`,
        owner: input.actorId,
        reason: `/nodes add ${count} ${pool}`,
        clock,
        signal: deps.signal,
        onWait: (heldBy) => emit({ type: "lock-waiting", heldBy }),
      },
      async (lost) => {
        await emit({ type: "locked" });
        await follower.start();
        if (lost.aborted) throw new UserError(`Lost the lock ${poolLockName(mdName)} before scaling; nothing was changed. Try again.`);
        scaled = await scaleUp({ cluster, namespace, pool: mdName, label: pool, clusterLabel: clusterName, count, configMax, ...(topology ? { target: topology.target } : {}) });
        scaledAt = clock.now().getTime();
        const plan = scaled.plan;
        deps.audit({ cluster: clusterName, pool, requested: count, readUnderLock: scaled.readUnderLock, before: plan.before, after: plan.after, conflicts: scaled.conflicts, ...(topology ? { via: "topology" } : {}) });
        await emit({ type: "scaled", plan, conflicts: scaled.conflicts });
        if (plan.minSize) {
          try {
            // Through the topology, min-size went into the same write as the replicas.
            const written = topology?.minSizeWritten();
            minSize = topology ? (written ? { ...written, changed: true } : undefined) : await raiseMinSize(cluster, namespace, mdName, plan.minSize.to);
            await emit({ type: "min-size", ...plan.minSize, ...(minSize ? { result: minSize } : {}) });
          } catch (err) {
            minSizeError = errorMessage(err);
            await emit({ type: "min-size", ...plan.minSize, error: minSizeError });
          }
        }
        deps.audit({ minSizeRaisedTo: minSize?.changed ? minSize.to : null, ...(minSizeError ? { minSizeError } : {}) });
        await emit({ type: "machines", slots: follower.slots(count) });
        // Keep the lock until the MachineSet has created our Machines, so the next add's "before" set has them.
        await follower.waitUntil(
          () => follower.newMachines().length >= count,
          (signal) => clock.sleep(Math.min(CLAIM_WAIT_MS, config.nodes.readyTimeoutSeconds * 1000), signal),
        );
      },
    );
  } catch (err) {
    if (!scaled) {
      follower.stop();
      if (deps.signal.aborted) throw new UserError(`Tugboat is restarting; pool ${pool} on ${clusterName} was not changed. Try again in a minute.`);
      explainKubeError(err, poolsWhere(source), `scale pool ${pool}`);
    }
    // Scaled, then something failed while claiming the Machines: report the scale, never pretend nothing happened.
    deps.log.warn("error after scaling", { error: errorMessage(err) });
  }
  const done = scaled as ScaleUpResult | undefined;
  if (!done) throw new Error("the scale result is set once the locked work has scaled");

  // Follow the new Machines until their Nodes are Ready or the deadline (counted from the scale) passes.
  const deadline = scaledAt + config.nodes.readyTimeoutSeconds * 1000;
  const unsubscribe = follower.onChange(() => {
    Promise.resolve(emit({ type: "machines", slots: follower.slots(count) })).catch((err: unknown) => deps.log.warn("nodes add: progress not shown", { error: errorMessage(err) }));
  });
  // Settled: every new Machine has a Ready Node or reported that it cannot provision (no point waiting for the deadline).
  const settled = () => follower.slots(count).every((s) => s.state === "ready" || s.state === "failed");
  let onShutdown = () => {};
  const shutdown = new Promise<void>((resolve) => {
    onShutdown = () => resolve();
    if (deps.signal.aborted) resolve();
    deps.signal.addEventListener("abort", onShutdown, { once: true });
  });
  let interrupted = false;
  let slots: Slot[];
  try {
    await follower.waitUntil(settled, (signal) =>
      Promise.race([clock.sleep(Math.max(0, deadline - clock.now().getTime()), signal), shutdown.then(() => void (interrupted = true))]),
    );
  } finally {
    deps.signal.removeEventListener("abort", onShutdown);
    unsubscribe();
    slots = follower.slots(count);
    follower.stop();
  }
  if (slots.every((s) => s.state === "ready")) interrupted = false;
  const plan = done.plan;
  const moved = done.readUnderLock !== plan.before ? { from: done.readUnderLock, to: plan.before } : undefined;
  deps.audit({ newNodes: slots.flatMap((s) => (s.node ? [s.node.name] : [])), allReady: slots.every((s) => s.state === "ready") });
  return {
    type: "finished",
    target,
    plan,
    slots,
    ...(moved ? { moved } : {}),
    ...(minSize ? { minSize } : {}),
    ...(minSizeError ? { minSizeError } : {}),
    startedAt,
    finishedAt: clock.now(),
    timeoutSeconds: config.nodes.readyTimeoutSeconds,
    interrupted,
  };
}
