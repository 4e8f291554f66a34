import { UserError } from "../../core/errors.js";
import { mention, rich } from "../../core/reply.js";
import type { Clock } from "../../core/services.js";
import type { KubeCluster } from "../../gateways/types.js";
import { LeaseLock, withLeaseWaiting, type LockInfo } from "../lease-lock.js";

// Serializes `/nodes add` on one pool with a Lease `tugboat-nodes-<pool>` in the MachineDeployments'
// namespace. A second add waits for the first (following the Lease until it is free, at most LOCK_WAIT_MS) instead
// of being refused, so it computes its target from the first one's result.

export const LOCK_LEASE_SECONDS = 30;
export const LOCK_WAIT_MS = 60_000;

export function poolLockName(pool: string): string {
  // A Lease name is a DNS subdomain (≤ 253 characters, alphanumeric at both ends).
  return `tugboat-nodes-${pool}`.slice(0, 253).replace(/[-.]+$/, "");
}

export interface PoolLockRequest {
  /** Where the Lease lives: next to the MachineDeployments (a management cluster's, when there is one). */
  cluster: KubeCluster;
  namespace: string;
  /** The MachineDeployment's name, unique in its namespace (the Lease is named after it). */
  pool: string;
  /** The pool and cluster as the user named them, for the refusal (default: `pool` and the Lease's cluster). */
  label?: { pool: string; cluster: string };
  /** Unique per request: two requests in one bot process must not share a holder. */
  holder: string;
  owner: string;
  reason: string;
  clock: Clock;
  signal?: AbortSignal;
  waitMs?: number;
  /** Called once, the first time the lock is found taken. */
  onWait?: (heldBy: LockInfo) => void | Promise<void>;
}

export async function withPoolLock<T>(req: PoolLockRequest, work: (lost: AbortSignal) => Promise<T>): Promise<T> {
  const lock = new LeaseLock(req.cluster, req.namespace, poolLockName(req.pool));
  const waitMs = req.waitMs ?? LOCK_WAIT_MS;
  const got = await withLeaseWaiting(
    lock,
    () => ({ holder: req.holder, owner: req.owner, reason: req.reason, kind: "nodes-add", durationSeconds: LOCK_LEASE_SECONDS, now: req.clock.now() }),
    req.clock,
    work,
    { waitMs, signal: req.signal, onWait: req.onWait },
  );
  if (got.acquired) return got.value;
  const who = got.heldBy.owner ? mention(got.heldBy.owner) : got.heldBy.holder;
  throw new UserError(
    rich`Pool ${req.label?.pool ?? req.pool} on ${req.label?.cluster ?? req.cluster.name} is busy: ${who} holds the lock ${lock.name} (${got.heldBy.reason ?? got.heldBy.kind}) and did not release it within ${Math.round(waitMs / 1000)}s. Nothing was changed; try again.`,
  );
}
