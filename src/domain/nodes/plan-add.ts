import type { AutoscalerBounds } from "./describe-pool.js";

// What `/nodes add N` would do to a pool: the new replica count, the limit it must stay within, and
// the autoscaler min-size it has to raise so the cluster-autoscaler does not take the nodes back.

export interface PoolLimits {
  /** nodes.clusters[cluster].pools[pool].maxSize, if configured. */
  configMax?: number;
  autoscaler: AutoscalerBounds;
}

export interface PoolLimit {
  max: number;
  /** Where the limit comes from, e.g. "config maxSize 12" or "autoscaler max-size 10". */
  source: string;
}

export interface AddPlan {
  count: number;
  before: number;
  after: number;
  limit: PoolLimit;
  /** Set when the autoscaler's min-size has to go up to `after`. */
  minSize?: { from: number; to: number };
}

export type PlanResult = { ok: true; plan: AddPlan } | { ok: false; reason: string; canAdd: number; limit?: PoolLimit };

/** The smaller of the configured maximum and the autoscaler's max-size annotation; undefined when neither is set. */
export function poolLimit(limits: PoolLimits): PoolLimit | undefined {
  const candidates: PoolLimit[] = [];
  if (limits.configMax !== undefined) candidates.push({ max: limits.configMax, source: `configured maxSize ${limits.configMax}` });
  if (limits.autoscaler.max !== undefined) candidates.push({ max: limits.autoscaler.max, source: `autoscaler max-size ${limits.autoscaler.max}` });
  if (candidates.length === 0) return undefined;
  return candidates.reduce((a, b) => (b.max < a.max ? b : a));
}

/**
 * Plans adding `count` nodes to a pool that has `current` replicas. The target is always current + count:
 * never more than asked. Refused when there is no limit at all or the target would pass it.
 */
export function planAdd(pool: string, current: number, count: number, limits: PoolLimits): PlanResult {
  // An autoscaler bound Tugboat cannot read may be a maximum it would pass: refuse rather than guess.
  if (limits.autoscaler.invalid.length > 0) {
    return {
      ok: false,
      canAdd: 0,
      reason: `pool ${pool} has autoscaler annotations that are not whole numbers (${limits.autoscaler.invalid.join(", ")}); fix them on the MachineDeployment, then try again`,
    };
  }
  const limit = poolLimit(limits);
  if (!limit) {
    return {
      ok: false,
      canAdd: 0,
      reason: `pool ${pool} has no maximum: neither nodes.clusters.<cluster>.pools.${pool}.maxSize in the config nor the autoscaler max-size annotation is set, so Tugboat will not add nodes to it`,
    };
  }
  const after = current + count;
  if (after > limit.max) {
    const canAdd = Math.max(0, limit.max - current);
    const most = canAdd === 0 ? "no more nodes can be added" : `at most ${canAdd} more can be added`;
    return {
      ok: false,
      canAdd,
      limit,
      reason: `adding ${count} would take pool ${pool} from ${current} to ${after} nodes, past its maximum of ${limit.max} (${limit.source}); ${most}`,
    };
  }
  const plan: AddPlan = { count, before: current, after, limit };
  const min = limits.autoscaler.min;
  if (min !== undefined && min < after) plan.minSize = { from: min, to: after };
  return { ok: true, plan };
}
