import type { Logger } from "../core/logger.js";
import type { Unreachable } from "./check-reachable.js";

// Whether this replica should get traffic (/readyz). Probes come every few seconds from the kubelet, so the
// Kubernetes and GitHub checks run on their own interval and the probe reads the last result: one round of
// API calls per interval, not per probe. Other conditions (the chat transport, draining, later leadership)
// are cheap functions read on every probe.

export interface ReadinessOptions {
  /** One round of reachability checks (findUnreachable with a time-out). */
  check(): Promise<Unreachable[]>;
  intervalMs: number;
  log: Logger;
}

/** A condition that says why this replica is not ready, or undefined when it is fine. */
export type NotReadyReason = () => string | undefined;

export interface ReadinessState {
  ready: boolean;
  /** Short reasons, safe to show to whoever can reach the port (no URLs or error details: those are logged). */
  reasons: string[];
}

export class Readiness {
  private unreachable: Unreachable[] | undefined;
  private draining = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly conditions: NotReadyReason[] = [];

  constructor(private readonly opts: ReadinessOptions) {}

  /** Adds a condition (the chat transport is connected, this replica leads…). */
  require(condition: NotReadyReason): void {
    this.conditions.push(condition);
  }

  /** Runs the first check now and then every interval. */
  start(): Promise<void> {
    this.timer ??= setInterval(() => void this.checkNow(), this.opts.intervalMs);
    this.timer.unref();
    return this.checkNow();
  }

  /** One round of checks (concurrent calls share it). */
  checkNow(): Promise<void> {
    this.running ??= this.opts
      .check()
      .then(
        (found) => {
          const before = new Set((this.unreachable ?? []).map((u) => u.what));
          for (const u of found) if (!before.has(u.what)) this.opts.log.warn("readiness: unreachable", { what: u.what, reason: u.reason });
          this.unreachable = found;
        },
        (err) => {
          this.opts.log.warn("readiness: the checks failed", { reason: String(err) });
          this.unreachable = [{ what: "checks", reason: String(err) }];
        },
      )
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** From now on /readyz says 503: shutting down, take no new traffic. */
  startDraining(): void {
    this.draining = true;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  state(): ReadinessState {
    const reasons: string[] = [];
    if (this.draining) reasons.push("draining: shutting down");
    for (const c of this.conditions) {
      const why = c();
      if (why) reasons.push(why);
    }
    if (this.unreachable === undefined) reasons.push("not checked yet");
    else for (const u of this.unreachable) reasons.push(`${u.what} unreachable`);
    return { ready: reasons.length === 0, reasons };
  }
}
