import type { Logger } from "../../core/logger.js";
import { errorMessage } from "../../core/errors.js";
import { repeatOnClock } from "../../core/repeat-on-clock.js";
import { LeaseLock, renewalPeriodMs } from "../lease-lock.js";
import type { Coordination } from "./coordination.js";

// One replica leads background work (canary guard, restart recovery, sweeping expired coordination Leases):
// the holder of Lease tugboat-leader. Every third of the lease the leader renews and a follower tries to take it,
// so when a leader dies another takes over within about one lease duration.

export const LEADER_LEASE = "tugboat-leader";

export interface LeaderView {
  isLeader(): boolean;
}

export class Leadership implements LeaderView {
  private leader = false;
  private readonly stopping = new AbortController();
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  private busy = false;
  private work: Promise<void> = Promise.resolve();
  private readonly lock: LeaseLock;

  constructor(
    private readonly c: Coordination,
    private readonly log: Logger,
    /** Runs each time this replica becomes the leader (not awaited by the election). */
    private readonly onGained: () => Promise<void>,
    /** Runs on each of the leader's ticks. */
    private readonly onTick: () => Promise<void> = async () => {},
  ) {
    this.lock = new LeaseLock(c.cluster, c.namespace, LEADER_LEASE);
  }

  isLeader(): boolean {
    return this.leader;
  }

  /** One round of the election; the timer calls it, tests may too. */
  async tick(): Promise<void> {
    if (this.stopped) return;
    const now = this.c.now();
    try {
      if (this.leader && (await this.lock.renew(this.c.instanceId, now))) {
        this.background(this.onTick);
        return;
      }
      if (this.leader) this.log.warn("lost the leader Lease", { lease: LEADER_LEASE });
      this.leader = false;
      const got = await this.lock.acquire({ holder: this.c.instanceId, kind: "leader", reason: "background work", durationSeconds: this.c.leaseSeconds, now });
      if (!got.acquired || this.stopped) return;
      this.leader = true;
      this.log.info("this replica leads background work now", { lease: LEADER_LEASE });
      this.busy = false;
      this.background(this.onGained);
    } catch (err) {
      this.log.warn("leader election round failed", { error: errorMessage(err) });
    }
  }

  /** Work runs beside the election, never blocking the renewals; one piece at a time. */
  private background(work: () => Promise<void>): void {
    if (this.busy) return;
    this.busy = true;
    this.work = this.work
      .then(work)
      .catch((err) => this.log.warn("leader work failed", { error: errorMessage(err) }))
      .finally(() => (this.busy = false));
  }

  /** Settles when the leader's current work has. */
  idle(): Promise<void> {
    return this.work;
  }

  start(): void {
    // Rounds every third of the lease, on the injected clock, the first at once.
    this.running = repeatOnClock(this.c.clock, renewalPeriodMs(this.c.leaseSeconds), () => this.tick(), { first: "now", signal: this.stopping.signal }).ended;
  }

  /** Stops; a leader hands over at once by deleting the Lease. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    await this.running;
    await this.work;
    if (this.leader) await this.lock.release(this.c.instanceId).catch(() => false);
    this.leader = false;
  }
}
