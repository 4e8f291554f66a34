import { UserError } from "../../core/errors.js";
import type { Clock } from "../../core/services.js";
import type { KubeCluster } from "../../gateways/types.js";
import { LeaseLock, withLeaseWaiting } from "../lease-lock.js";

// Creating a lab is serialized on the review-lab cluster by one Lease, held from the limit check until the
// lab's Namespace exists. Otherwise two `up`s at once would both count the same labs and both pass the limits.

export const CREATION_LOCK_NAME = "tugboat-reviewlab-create";
const LEASE_SECONDS = 30;
const WAIT_MS = 30_000;

export async function withCreationLock<T>(
  req: { cluster: KubeCluster; namespace: string; holder: string; owner: string; reason: string; clock: Clock; signal?: AbortSignal; waitMs?: number },
  work: () => Promise<T>,
): Promise<T> {
  const lock = new LeaseLock(req.cluster, req.namespace, CREATION_LOCK_NAME);
  const waitMs = req.waitMs ?? WAIT_MS;
  const got = await withLeaseWaiting(
    lock,
    () => ({ holder: req.holder, owner: req.owner, reason: req.reason, kind: "reviewlab-create", durationSeconds: LEASE_SECONDS, now: req.clock.now() }),
    req.clock,
    work,
    // Shutting down while waiting: nothing was created yet, so say so.
    { waitMs, signal: req.signal, abortError: () => new UserError("Tugboat is shutting down; nothing was created.") },
  );
  if (got.acquired) return got.value;
  throw new UserError(`Another review lab is being created (${got.heldBy.reason ?? got.heldBy.holder}) and took longer than ${Math.round(waitMs / 1000)} s; nothing was created, try again.`);
}
