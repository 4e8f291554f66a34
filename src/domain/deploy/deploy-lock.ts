import type { Clock } from "../../core/services.js";
import { isGatewayError, type KubeCluster } from "../../gateways/types.js";
import { ageSince } from "../format/human-duration.js";
import { LeaseLock, describeLease, leaseResource, type AcquireRequest, type LockInfo } from "../lease-lock.js";
import { retryTransient } from "./retry-transient.js";

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
  return retryTransient(() => deployLock(cluster, namespace, name).read(now));
}

/** Renews once; false only when the lease is definitely someone else's (or gone). */
async function renewOnce(cluster: KubeCluster, namespace: string, name: string, holder: string, now: Date): Promise<boolean> {
  const res = await leaseResource(cluster);
  for (let i = 0; i < 3; i++) {
    const current = await cluster.find(res, name, namespace);
    if (!current || current.spec?.holderIdentity !== holder) return false;
    current.spec.renewTime = now.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
    try {
      await cluster.replace(res, current);
      return true;
    } catch (err) {
      // A conflict may be our own earlier write or an injected fault: read again and decide on the holder.
      if (!isGatewayError(err, "conflict")) throw err;
    }
  }
  return true;
}

/** Takes the lock and keeps renewing it every third of its duration until released or abandoned. */
export async function holdLock(cluster: KubeCluster, namespace: string, name: string, req: AcquireRequest, clock: Clock): Promise<HoldResult> {
  const lock = deployLock(cluster, namespace, name);
  const got = await retryTransient(() => lock.acquire(req));
  if (!got.acquired) return { held: false, heldBy: got.heldBy };
  const lost = new AbortController();
  let lastRenewed = Date.now();
  let renewing = false;
  const interval = setInterval(() => {
    if (renewing) return;
    renewing = true;
    renewOnce(cluster, namespace, name, req.holder, clock.now())
      .then(
        (ok) => {
          if (ok) lastRenewed = Date.now();
          else lost.abort(new Error(`lost the lock ${name}`));
        },
        () => {
          if (Date.now() - lastRenewed > req.durationSeconds * 1000) lost.abort(new Error(`could not renew the lock ${name}`));
        },
      )
      .finally(() => (renewing = false));
  }, Math.max(200, (req.durationSeconds * 1000) / 3));
  interval.unref();
  let done = false;
  return {
    held: true,
    hold: {
      lost: lost.signal,
      release: async () => {
        if (done) return;
        done = true;
        clearInterval(interval);
        await retryTransient(() => lock.release(req.holder)).catch(() => false);
      },
      abandon: () => {
        done = true;
        clearInterval(interval);
      },
    },
  };
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
  return retryTransient(() => lock.acquire({ holder: manualHolder(owner), owner, reason, kind: "manual", durationSeconds: MANUAL_LOCK_SECONDS, now }));
}

export function manualHolder(owner: string): string {
  return `manual:${owner}`;
}

/** Removes the lock whoever holds it. Returns what was removed. */
export async function removeLock(cluster: KubeCluster, namespace: string, name: string, now: Date): Promise<LockInfo | undefined> {
  const res = await leaseResource(cluster);
  const current = await retryTransient(() => cluster.find(res, name, namespace));
  if (!current) return undefined;
  const info = describeLease(current, now);
  await retryTransient(() => cluster.delete(res, name, namespace)).catch((err) => {
    if (!isGatewayError(err, "not-found")) throw err;
  });
  return info.holder ? info : undefined;
}

export function since(info: LockInfo, now: Date): string {
  if (!info.acquiredAt) return "";
  const at = new Date(info.acquiredAt).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  return `since ${at} (${ageSince(info.acquiredAt, now)} ago)`;
}

/** "locked by <@U1> since … (3m ago): deploying PR #4812 (eed486a)" */
export function describeHolder(info: LockInfo, now: Date): string {
  const who = info.owner ? `<@${info.owner}>` : info.holder;
  const what = info.kind === "manual" ? "locked by" : info.kind === "deploy" ? "being deployed by" : `held (${info.kind}) by`;
  // Deploy holders are "<bot instance>/<request id>": one bot may run many requests.
  const bot = info.kind === "deploy" ? ` through Tugboat instance \`${info.holder.split("/")[0]}\`` : "";
  const reason = info.reason ? `: ${info.reason}` : "";
  return `${what} ${who}${bot} ${since(info, now)}${reason}`.replace(/\s+:/, ":").trim();
}
