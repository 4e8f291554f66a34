import { mention, outside, rich, type RichText } from "../../core/reply.js";
import type { Clock } from "../../core/services.js";
import { isGatewayError, type KubeCluster } from "../../gateways/types.js";
import type { V1Lease } from "../../gateways/kube-models.js";
import { ageSince } from "../format/human-duration.js";
import { LeaseLock, describeLease, keepRenewing, type AcquireRequest, type LockInfo } from "../lease-lock.js";

// The deploy lock of one app in one environment: a Lease `tugboat-lock-<app>-<env>` that a deploy holds and
// renews while it runs. A bot that dies stops renewing, and the lease expires after its duration.

/** Manual locks (/deploy lock) last until someone unlocks them; the API wants a finite duration. */
export const MANUAL_LOCK_SECONDS = 30 * 24 * 3600;

export interface LockHold {
  /** Aborted when a renewal finds the lease taken by someone else (or unrenewable past its expiry). */
  lost: AbortSignal;
  /** Stops renewing and deletes the lease. */
  release(): Promise<void>;
  /** Stops renewing and leaves the lease to expire (the bot is going away mid-deploy). */
  abandon(): void;
}

export type HoldResult = { held: true; hold: LockHold } | { held: false; heldBy: LockInfo };

export function deployLock(cluster: KubeCluster, namespace: string, name: string): LeaseLock {
  return new LeaseLock(cluster, namespace, name);
}

export async function readLock(cluster: KubeCluster, namespace: string, name: string, now: Date): Promise<LockInfo | undefined> {
  return deployLock(cluster, namespace, name).read(now);
}

/** Takes the lock and keeps renewing it every third of its duration until released or abandoned. */
export async function holdLock(cluster: KubeCluster, namespace: string, name: string, req: AcquireRequest, clock: Clock): Promise<HoldResult> {
  const lock = deployLock(cluster, namespace, name);
  const got = await lock.acquire(req);
  if (!got.acquired) return { held: false, heldBy: got.heldBy };
  const renewal = keepRenewing(() => lock.renew(req.holder, clock.now()), req.durationSeconds, name, clock);
  return { held: true, hold: renewedHold(renewal, () => lock.release(req.holder).catch(() => false)) };
}

/** A hold whose release (run once) stops renewing first; abandoning only stops renewing. */
function renewedHold(renewal: { lost: AbortSignal; stop(): void }, releaseLease: () => Promise<unknown>): LockHold {
  let done = false;
  return {
    lost: renewal.lost,
    release: async () => {
      if (done) return;
      done = true;
      renewal.stop();
      await releaseLease();
    },
    abandon: () => {
      done = true;
      renewal.stop();
    },
  };
}

// A deploy by the owner of a manual lock runs inside that lock: the Lease stays the manual one (its owner and
// reason still show), and the running deploy is recorded in annotations that it renews like a lease. A second
// deploy (even by the same owner) is refused while that record is live; a dead bot's record expires.
const ANN_INNER_HOLDER = "tugboat.dev/deploying-holder";
const ANN_INNER_REASON = "tugboat.dev/deploying-reason";
const ANN_INNER_SINCE = "tugboat.dev/deploying-since";
const ANN_INNER_RENEWED = "tugboat.dev/deploying-renewed";
const ANN_INNER_SECONDS = "tugboat.dev/deploying-seconds";
const INNER_KEYS = [ANN_INNER_HOLDER, ANN_INNER_REASON, ANN_INNER_SINCE, ANN_INNER_RENEWED, ANN_INNER_SECONDS];

/** The live deploy running inside a manual lock, or undefined. */
export function deployInsideLock(lease: V1Lease | undefined, now: Date): LockInfo | undefined {
  const ann = lease?.metadata?.annotations ?? {};
  const holder = ann[ANN_INNER_HOLDER];
  if (!holder) return undefined;
  const duration = Number(ann[ANN_INNER_SECONDS] ?? 0);
  const renewed = ann[ANN_INNER_RENEWED] ?? ann[ANN_INNER_SINCE];
  const expired = !(duration > 0) || !renewed || Date.parse(renewed) + duration * 1000 < now.getTime();
  if (expired) return undefined;
  const outer = describeLease(lease!, now);
  return {
    name: outer.name,
    holder,
    owner: outer.owner,
    reason: ann[ANN_INNER_REASON] || undefined,
    kind: "deploy",
    acquiredAt: ann[ANN_INNER_SINCE],
    renewedAt: renewed,
    durationSeconds: duration,
    expired: false,
  };
}

/** Reads the live deploy inside the manual lock `name` (undefined: none). */
export async function readDeployInsideLock(cluster: KubeCluster, namespace: string, name: string, now: Date): Promise<LockInfo | undefined> {
  return deployInsideLock(await cluster.leases.find(name, namespace), now);
}

/**
 * Holds the manual lock of `req.owner` for one deploy (see deployInsideLock). When the manual lock is gone,
 * this is holdLock; when another deploy runs inside it, the result says who.
 */
export async function holdInsideManualLock(cluster: KubeCluster, namespace: string, name: string, req: AcquireRequest, clock: Clock): Promise<HoldResult> {
  const manual = req.owner ? manualHolder(req.owner) : "";
  /** Edits the lease's annotations, written with the read resourceVersion (a conflict reads again). */
  const update = (edit: (annotations: Record<string, string>, lease: V1Lease) => boolean): Promise<"done" | "declined" | "gone"> =>
    cluster.retryOnConflict(async () => {
      const lease = await cluster.leases.find(name, namespace);
      if (!lease || lease.spec?.holderIdentity !== manual) return "gone";
      const annotations = { ...(lease.metadata?.annotations ?? {}) };
      if (!edit(annotations, lease)) return "declined";
      await cluster.leases.replace({ ...lease, metadata: { ...lease.metadata, annotations } });
      return "done";
    });
  let heldBy: LockInfo | undefined;
  const took = await update((annotations, lease) => {
    const now = clock.now();
    const inner = deployInsideLock(lease, now);
    if (inner && inner.holder !== req.holder) {
      heldBy = inner;
      return false;
    }
    Object.assign(annotations, {
      [ANN_INNER_HOLDER]: req.holder,
      [ANN_INNER_REASON]: req.reason ?? "",
      [ANN_INNER_SINCE]: now.toISOString(),
      [ANN_INNER_RENEWED]: now.toISOString(),
      [ANN_INNER_SECONDS]: String(req.durationSeconds),
    });
    return true;
  });
  if (took === "gone") return holdLock(cluster, namespace, name, req, clock);
  if (took === "declined") return { held: false, heldBy: heldBy! };

  const renewal = keepRenewing(
    async () =>
      (await update((annotations) => {
        if (annotations[ANN_INNER_HOLDER] !== req.holder) return false;
        annotations[ANN_INNER_RENEWED] = clock.now().toISOString();
        return true;
      })) === "done",
    req.durationSeconds,
    name,
    clock,
  );
  // On release the manual lock stays; only this deploy's record goes.
  const removeRecord = () =>
    update((annotations) => {
      if (annotations[ANN_INNER_HOLDER] !== req.holder) return false;
      for (const k of INNER_KEYS) delete annotations[k];
      return true;
    }).catch(() => undefined);
  return { held: true, hold: renewedHold(renewal, removeRecord) };
}

/** Takes (or re-takes) a manual lock for a person. */
export async function takeManualLock(
  cluster: KubeCluster,
  namespace: string,
  name: string,
  owner: string,
  reason: string | undefined,
  now: Date,
): Promise<{ acquired: true; lock: LockInfo } | { acquired: false; heldBy: LockInfo }> {
  const lock = deployLock(cluster, namespace, name);
  return lock.acquire({ holder: manualHolder(owner), owner, reason, kind: "manual", durationSeconds: MANUAL_LOCK_SECONDS, now });
}

export function manualHolder(owner: string): string {
  return `manual:${owner}`;
}

/**
 * Removes the lock. With `expectHolder`, only while that holder still has it (the delete carries the read
 * resourceVersion as a precondition): "changed" when someone else took it meanwhile. Returns what was removed.
 */
export async function removeLock(cluster: KubeCluster, namespace: string, name: string, now: Date, expectHolder?: string): Promise<LockInfo | undefined | "changed"> {
  const current = await cluster.leases.find(name, namespace);
  if (!current) return undefined;
  const info = describeLease(current, now);
  if (expectHolder !== undefined && info.holder !== expectHolder) return "changed";
  const resourceVersion = expectHolder !== undefined ? current.metadata?.resourceVersion : undefined;
  try {
    await cluster.leases.delete(name, namespace, { preconditions: resourceVersion ? { resourceVersion } : undefined });
  } catch (err) {
    if (isGatewayError(err, "conflict")) return "changed";
    if (!isGatewayError(err, "not-found")) throw err;
  }
  return info.holder ? info : undefined;
}

export function since(info: LockInfo, now: Date): string {
  if (!info.acquiredAt) return "";
  const at = new Date(info.acquiredAt).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  return `since ${at} (${ageSince(info.acquiredAt, now)} ago)`;
}

/** "locked by @U1 since … (3m ago): deploying PR #4812 (eed486a)", the owner as a mention and the reason as text. */
export function describeHolder(info: LockInfo, now: Date): RichText {
  const who = info.owner ? mention(info.owner) : info.holder;
  const what = info.kind === "manual" ? "locked by" : info.kind === "deploy" ? "being deployed by" : `held (${info.kind}) by`;
  // Deploy holders are "<bot instance>/<request id>": one bot may run many requests.
  const bot = info.kind === "deploy" ? ` through Tugboat instance \`${info.holder.split("/")[0]}\`` : "";
  const when = since(info, now);
  return rich`${what} ${who}${bot}${when ? ` ${when}` : ""}${info.reason ? rich`: ${outside(info.reason)}` : ""}`;
}
