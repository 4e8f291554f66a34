import { UserError } from "../../core/errors.js";
import type { MachineDeployment } from "../../gateways/kube-models.js";
import { isGatewayError, type KubeCluster } from "../../gateways/types.js";
import { AUTOSCALER_MIN, autoscalerBounds } from "./describe-pool.js";
import { planAdd, type AddPlan } from "./plan-add.js";

// Adds N replicas through the scale subresource with a resourceVersion precondition; a 409 runs the step again
// through the port (cluster.retryOnConflict), never a loop of its own.
//
// The intent of `/nodes add N` is "N more nodes than there are", never "set replicas to a number
// computed earlier". So each attempt reads the scale, targets (replicas read) + N, and writes it with
// the resourceVersion it read. On a 409 it reads again: if only the object's metadata or status moved,
// the target is the same; if someone outside Tugboat's lock (the autoscaler, a GitOps controller, a
// person with kubectl) changed replicas in between, the target is recomputed as their value + N, so we
// add exactly N on top of their change instead of undoing it, and the pool maximum is checked again.

export const MAX_SCALE_ATTEMPTS = 4; // the first try plus 3 retries

export interface ScaleUpResult {
  plan: AddPlan;
  /** Replicas read when the lock was taken (first attempt). */
  readUnderLock: number;
  attempts: number;
  conflicts: number;
}

/** One way of reading and writing a pool's replicas: the MachineDeployment's scale, or its Cluster's topology. */
export interface ScaleTarget {
  /** Replicas now, the MachineDeployment (for its autoscaler annotations) and an opaque version for the write. */
  read(): Promise<{ replicas: number; md: MachineDeployment; version: unknown }>;
  /** Writes `plan.after` with the read version as precondition; a stale one is a GatewayError "conflict". */
  write(plan: AddPlan, version: unknown): Promise<void>;
  /** What a 409 on every attempt was about, e.g. "the MachineDeployment". */
  readonly what: string;
}

export interface ScaleUpRequest {
  cluster: KubeCluster;
  namespace: string;
  /** The MachineDeployment's name. */
  pool: string;
  count: number;
  configMax?: number;
  maxAttempts?: number;
  /** Called after the plan for an attempt is known, before the write (tests, logs). */
  onAttempt?: (attempt: number, plan: AddPlan) => void;
  /** How replicas are read and written; default: the MachineDeployment's scale subresource. */
  target?: ScaleTarget;
  /** The pool's name in messages (default `pool`). */
  label?: string;
  /** The workload cluster's name in messages (default: the cluster written to, which may be a management cluster). */
  clusterLabel?: string;
}

/** The MachineDeployment's scale subresource, with its resourceVersion as precondition. */
export function machineDeploymentScale(cluster: KubeCluster, namespace: string, name: string): ScaleTarget {
  return {
    what: "the MachineDeployment",
    async read() {
      const md = await cluster.machineDeployments.get(name, namespace);
      const scale = await cluster.machineDeployments.getScale(name, namespace);
      return { replicas: scale.replicas, md, version: scale.resourceVersion };
    },
    async write(plan, version) {
      // Never retried by the gateway: a repeated write that had landed would answer 409, and the re-read would add N again.
      await cluster.withRetry({ attempts: 1 }).machineDeployments.setScale(name, namespace, plan.after, String(version));
    },
  };
}

export async function scaleUp(req: ScaleUpRequest): Promise<ScaleUpResult> {
  const { cluster, namespace, pool, count } = req;
  const label = req.label ?? pool;
  const where = req.clusterLabel ?? cluster.name;
  const target = req.target ?? machineDeploymentScale(cluster, namespace, pool);
  const maxAttempts = req.maxAttempts ?? MAX_SCALE_ATTEMPTS;
  let readUnderLock: number | undefined;
  let conflicts = 0;
  let attempt = 0;
  // One attempt: read, plan, write with the read version. A 409 runs it again from the read (the port's retryOnConflict).
  const attemptOnce = async (): Promise<ScaleUpResult> => {
    attempt++;
    const now = await target.read();
    readUnderLock ??= now.replicas;
    const planned = planAdd(label, now.replicas, count, { configMax: req.configMax, autoscaler: autoscalerBounds(now.md) });
    if (!planned.ok) {
      const moved = now.replicas !== readUnderLock ? ` (replicas changed from ${readUnderLock} to ${now.replicas} while Tugboat was scaling)` : "";
      throw new UserError(`Refused: ${planned.reason}${moved}.`);
    }
    req.onAttempt?.(attempt, planned.plan);
    try {
      await target.write(planned.plan, now.version);
      return { plan: planned.plan, readUnderLock, attempts: attempt, conflicts };
    } catch (err) {
      if (isGatewayError(err, "timeout") || isGatewayError(err, "unavailable")) {
        // The write may have reached the API server before the connection failed: do not retry blindly.
        throw new UserError(
          `Could not confirm the scale of pool ${label} on ${where} to ${planned.plan.after} (${err.message}); it may or may not have been applied. Check /nodes list before trying again.`,
        );
      }
      if (isGatewayError(err, "conflict")) conflicts++;
      throw err;
    }
  };
  try {
    return await cluster.retryOnConflict(attemptOnce, { attempts: maxAttempts });
  } catch (err) {
    if (!isGatewayError(err, "conflict")) throw err;
    throw new UserError(
      `Could not scale pool ${label} on ${where}: ${target.what} changed under Tugboat ${conflicts} times in a row (409 Conflict on every attempt). Nothing was changed; try again.`,
    );
  }
}

export interface MinSizeResult {
  from: number;
  to: number;
  /** false when min-size was already at least `to` (someone raised it meanwhile). */
  changed: boolean;
}

/**
 * Raises the autoscaler's min-size annotation to `to` (never lowers it), with a resourceVersion precondition
 * and the same bounded retry. Undefined when the annotation is gone.
 */
export async function raiseMinSize(
  cluster: KubeCluster,
  namespace: string,
  pool: string,
  to: number,
  maxAttempts = MAX_SCALE_ATTEMPTS,
): Promise<MinSizeResult | undefined> {
  const attemptOnce = async (): Promise<MinSizeResult | undefined> => {
    const md = await cluster.machineDeployments.get(pool, namespace);
    const { min } = autoscalerBounds(md);
    if (min === undefined) return undefined;
    if (min >= to) return { from: min, to: min, changed: false };
    const patch = { metadata: { resourceVersion: md.metadata?.resourceVersion, annotations: { [AUTOSCALER_MIN]: String(to) } } };
    await cluster.machineDeployments.patch(pool, namespace, patch, "merge");
    return { from: min, to, changed: true };
  };
  try {
    return await cluster.retryOnConflict(attemptOnce, { attempts: maxAttempts });
  } catch (err) {
    if (!isGatewayError(err, "conflict")) throw err;
    throw new UserError(`the MachineDeployment kept changing (409 Conflict ${maxAttempts} times)`);
  }
}
