import type { Informer, KubeCluster } from "../gateways/types.js";
import { isGatewayError } from "../gateways/types.js";
import type { V1Lease } from "../gateways/kube-models.js";
import type { Clock } from "../core/services.js";
import { repeatOnClock } from "../core/repeat-on-clock.js";

// Locks as coordination.k8s.io/v1 Leases, so they survive restarts and work across bot replicas.
// Taking a lock: read it, then create or replace it with the read resourceVersion; a 409 means someone else won.

export const LEASE_GVK = { group: "coordination.k8s.io", plural: "leases" };
const ANNOTATION_OWNER = "tugboat.dev/owner";
const ANNOTATION_REASON = "tugboat.dev/reason";
const ANNOTATION_KIND = "tugboat.dev/lock-kind";

export interface LockInfo {
  name: string;
  holder: string;
  /** The person behind it (Slack user id), when a person took it. */
  owner?: string;
  reason?: string;
  /** "deploy" (held while a deploy runs), "manual" (/deploy lock), or another task name. */
  kind: string;
  acquiredAt?: string;
  renewedAt?: string;
  durationSeconds: number;
  /** A lease whose holder stopped renewing it is expired and may be taken over. */
  expired: boolean;
}

export interface AcquireRequest {
  holder: string;
  owner?: string;
  reason?: string;
  kind: string;
  durationSeconds: number;
  now: Date;
}

export type AcquireResult = { acquired: true; lock: LockInfo } | { acquired: false; heldBy: LockInfo };

/** A Lease's MicroTime (RFC 3339 with microseconds). */
function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export function describeLease(lease: V1Lease, now: Date): LockInfo {
  const spec = lease.spec ?? {};
  const ann = lease.metadata?.annotations ?? {};
  const duration = Number(spec.leaseDurationSeconds ?? 0);
  const renewed = spec.renewTime ?? spec.acquireTime;
  const expired = !spec.holderIdentity || (duration > 0 && renewed !== undefined && Date.parse(renewed) + duration * 1000 < now.getTime());
  return {
    name: lease.metadata?.name ?? "",
    holder: spec.holderIdentity ?? "",
    owner: ann[ANNOTATION_OWNER] || undefined,
    reason: ann[ANNOTATION_REASON] || undefined,
    kind: ann[ANNOTATION_KIND] ?? "unknown",
    acquiredAt: spec.acquireTime,
    renewedAt: spec.renewTime,
    durationSeconds: duration,
    expired,
  };
}

export class LeaseLock {
  constructor(
    private readonly cluster: KubeCluster,
    readonly namespace: string,
    readonly name: string,
  ) {}

  async read(now: Date): Promise<LockInfo | undefined> {
    const lease = await this.cluster.leases.find(this.name, this.namespace);
    if (!lease) return undefined;
    const info = describeLease(lease, now);
    return info.holder ? info : undefined;
  }

  /** Takes the lock unless a live holder other than `req.holder` has it. */
  async acquire(req: AcquireRequest): Promise<AcquireResult> {
    const leases = this.cluster.leases;
    const current = await leases.find(this.name, this.namespace);
    const body = (prev?: V1Lease): V1Lease => ({
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: {
        name: this.name,
        namespace: this.namespace,
        resourceVersion: prev?.metadata?.resourceVersion,
        labels: { "app.kubernetes.io/managed-by": "tugboat" },
        annotations: {
          [ANNOTATION_KIND]: req.kind,
          ...(req.owner ? { [ANNOTATION_OWNER]: req.owner } : {}),
          ...(req.reason ? { [ANNOTATION_REASON]: req.reason } : {}),
        },
      },
      spec: {
        holderIdentity: req.holder,
        leaseDurationSeconds: req.durationSeconds,
        acquireTime: microTime(req.now),
        renewTime: microTime(req.now),
        leaseTransitions: Number(prev?.spec?.leaseTransitions ?? 0) + (prev ? 1 : 0),
      },
    });
    try {
      if (!current) {
        const created = await leases.create(body());
        return { acquired: true, lock: describeLease(created, req.now) };
      }
      const info = describeLease(current, req.now);
      if (info.holder && !info.expired && info.holder !== req.holder) return { acquired: false, heldBy: info };
      const replaced = await leases.replace(body(current));
      return { acquired: true, lock: describeLease(replaced, req.now) };
    } catch (err) {
      if (isGatewayError(err, "conflict") || isGatewayError(err, "already-exists")) {
        const now = await leases.find(this.name, this.namespace);
        if (now) return { acquired: false, heldBy: describeLease(now, req.now) };
      }
      throw err;
    }
  }

  /**
   * Extends our hold. Returns false when the lease is no longer ours. A conflict says only that the lease changed
   * since it was read (our own earlier write, an edit of its annotations, a fault): the port's retryOnConflict reads
   * it again and the holder decides. Conflicts to the end throw: not renewed, but not known lost either.
   */
  async renew(holder: string, now: Date): Promise<boolean> {
    return this.cluster.retryOnConflict(async () => {
      const current = await this.cluster.leases.find(this.name, this.namespace);
      if (!current?.spec || current.spec.holderIdentity !== holder) return false;
      await this.cluster.leases.replace({ ...current, spec: { ...current.spec, renewTime: microTime(now) } });
      return true;
    });
  }

  /** An informer on this one Lease, for waiting until it is free (see withLeaseWaiting); stop it when done. */
  follow(): Promise<Informer<V1Lease>> {
    return followLease(this.cluster, this.namespace, this.name);
  }

  /** Releases our hold (deletes the Lease). A lease held by someone else is left alone unless `force`. */
  async release(holder: string, opts: { force?: boolean } = {}): Promise<boolean> {
    const current = await this.cluster.leases.find(this.name, this.namespace);
    if (!current) return false;
    if (!opts.force && current.spec?.holderIdentity !== holder) return false;
    try {
      await this.cluster.leases.delete(this.name, this.namespace);
      return true;
    } catch (err) {
      if (isGatewayError(err, "not-found")) return false;
      throw err;
    }
  }
}

/** An informer on the one Lease `name` (a field selector on its name), for waiting on it; stop it when done. */
export function followLease(cluster: KubeCluster, namespace: string, name: string): Promise<Informer<V1Lease>> {
  return cluster.leases.informer({ namespace, fieldSelector: `metadata.name=${name}` });
}

/** A third of a lease's duration (at least 200 ms): how often its holder renews it (locks, presence, leadership). */
export function renewalPeriodMs(durationSeconds: number): number {
  return Math.max(200, (durationSeconds * 1000) / 3);
}

/**
 * Renews a lease every third of its duration (on `clock`) until stopped. `lost` aborts when a renewal finds the
 * lease is no longer ours, or when renewals keep failing for longer than the lease lasts (others may have taken it).
 */
export function keepRenewing(renew: () => Promise<boolean>, durationSeconds: number, name: string, clock: Clock): { lost: AbortSignal; stop(): void } {
  const lost = new AbortController();
  renewingLocks++;
  let stopped = false;
  let lastRenewed = clock.now().getTime();
  const renewal = async (): Promise<"done" | void> => {
    try {
      if (await renew()) lastRenewed = clock.now().getTime();
      else lost.abort(new Error(`lost the lock ${name}`));
    } catch {
      if (clock.now().getTime() - lastRenewed > durationSeconds * 1000) lost.abort(new Error(`could not renew the lock ${name}`));
    }
    return lost.signal.aborted ? "done" : undefined;
  };
  const rounds = repeatOnClock(clock, renewalPeriodMs(durationSeconds), renewal);
  return {
    lost: lost.signal,
    stop: () => {
      if (!stopped) renewingLocks--;
      stopped = true;
      void rounds.stop();
    },
  };
}

/** Every lock held in this process is renewed by keepRenewing until released: their count is the locks it holds. */
let renewingLocks = 0;

/** How many locks this process holds right now (the tugboat_locks_held gauge). */
export function locksHeldHere(): number {
  return renewingLocks;
}

/**
 * Holds a lock while `work` runs, renewing it (see keepRenewing); the work should stop when the signal it is
 * given aborts. Always releases at the end.
 */
export async function withLease<T>(
  lock: LeaseLock,
  req: AcquireRequest,
  clock: Clock,
  work: (lostSignal: AbortSignal) => Promise<T>,
): Promise<{ acquired: true; value: T } | { acquired: false; heldBy: LockInfo }> {
  const got = await lock.acquire(req);
  if (!got.acquired) return got;
  const renewal = keepRenewing(() => lock.renew(req.holder, clock.now()), req.durationSeconds, lock.name, clock);
  try {
    return { acquired: true, value: await work(renewal.lost) };
  } finally {
    renewal.stop();
    await lock.release(req.holder).catch(() => false);
  }
}

export interface WaitOptions {
  /** Give up after this long (on the clock). */
  waitMs: number;
  /** Aborts the wait: throws abortError() if given, else the signal's reason. */
  signal?: AbortSignal;
  abortError?: () => Error;
  /** Called once, the first time the lock is found taken. */
  onWait?: (heldBy: LockInfo) => void | Promise<void>;
}

/**
 * withLease, waiting while someone else holds the lock. The wait follows the Lease with an informer (no polling):
 * it tries again when the Lease is released or changes hands, or at the moment the holder's hold would expire on
 * `clock` (a renewal moves that moment on). Returns who held it when the wait ran out; an informer that gives up
 * rejects with its GatewayError, which says why.
 */
export async function withLeaseWaiting<T>(
  lock: LeaseLock,
  request: () => AcquireRequest,
  clock: Clock,
  work: (lostSignal: AbortSignal) => Promise<T>,
  opts: WaitOptions,
): Promise<{ acquired: true; value: T } | { acquired: false; heldBy: LockInfo }> {
  const deadline = clock.now().getTime() + opts.waitMs;
  let informer: Informer<V1Lease> | undefined;
  try {
    for (;;) {
      const got = await withLease(lock, request(), clock, work);
      if (got.acquired) return got;
      const now = clock.now().getTime();
      if (!informer) {
        await opts.onWait?.(got.heldBy);
        informer = await lock.follow();
      }
      if (now >= deadline) return got;
      const free = (i: Informer<V1Lease>) => {
        const lease = i.get(lock.name, lock.namespace);
        return !lease || describeLease(lease, clock.now()).holder !== got.heldBy.holder || undefined;
      };
      await informer.waitFor(free, { timeoutMs: Math.min(deadline, expiresAt(got.heldBy, now)) - now, signal: opts.signal });
      if (opts.signal?.aborted) throw opts.abortError ? opts.abortError() : opts.signal.reason;
    }
  } finally {
    informer?.stop();
  }
}

/** When a hold renewed last at `renewedAt` lapses (ms on the clock); now for one already expired. */
function expiresAt(held: LockInfo, now: number): number {
  const renewed = held.renewedAt ?? held.acquiredAt;
  if (held.expired || renewed === undefined) return now;
  return Math.max(now, Date.parse(renewed) + held.durationSeconds * 1000 + 1);
}
