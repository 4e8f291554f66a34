import type { Clock } from "../../src/core/services.js";

// A clock that moves only when the test moves it: sleeps resolve when `advance` passes their due time, so
// back-offs, Retry-After waits and deadlines take no wall-clock time and happen in a known order.

interface Sleeper {
  due: number;
  ms: number;
  resolve: () => void;
}

export class ManualClock implements Clock {
  private at: number;
  private readonly sleepers = new Set<Sleeper>();
  /** Every sleep asked for, in order (ms). */
  readonly sleeps: number[] = [];

  constructor(start = Date.parse("2026-01-01T00:00:00Z")) {
    this.at = start;
  }

  now(): Date {
    return new Date(this.at);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason ?? new Error("aborted"));
      const sleeper: Sleeper = {
        due: this.at + ms,
        ms,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.sleepers.delete(sleeper);
        reject(signal!.reason ?? new Error("aborted"));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.sleepers.add(sleeper);
    });
  }

  /** Sleeps not yet due, shortest first (their lengths as asked). */
  pending(): number[] {
    return [...this.sleepers].sort((a, b) => a.due - b.due).map((s) => s.ms);
  }

  /** Moves time forward by `ms`, waking every sleep that falls due, in order. */
  advance(ms: number): void {
    this.at += ms;
    for (const s of [...this.sleepers].sort((a, b) => a.due - b.due)) {
      if (s.due > this.at) break;
      this.sleepers.delete(s);
      s.resolve();
    }
  }

  /**
   * How far to move to wake the earliest sleep shorter than `deadlineMs`, if that wakes no sleep of `deadlineMs` or
   * longer (a deadline); undefined when there is none or it would.
   */
  nextStepBefore(deadlineMs: number): number | undefined {
    const bySoonest = [...this.sleepers].sort((a, b) => a.due - b.due);
    const deadline = bySoonest.find((s) => s.ms >= deadlineMs);
    const next = bySoonest.find((s) => s.ms < deadlineMs);
    if (!next || (deadline && next.due >= deadline.due)) return undefined;
    return Math.max(0, next.due - this.at);
  }

  /** Moves time to the earliest pending sleep (the shortest) and wakes it; returns how far it moved. */
  advanceToNext(): number {
    const next = [...this.sleepers].sort((a, b) => a.due - b.due)[0];
    if (!next) return 0;
    const step = Math.max(0, next.due - this.at);
    this.advance(step);
    return step;
  }
}

/**
 * Settles `work`, moving the clock to each sleep it asks for that is shorter than `deadlineMs` (back-offs,
 * renewals, pacing), never to the deadline itself, so the work ends by what it does, not by its time-out.
 * Short sleeps add up: stepping renewals one after another would carry the clock past a pending deadline while
 * real-time work (the sandbox's rollouts) is still under way, so the clock never moves to or beyond the earliest
 * pending deadline; short sleeps due after it wait for the work to finish on its own.
 */
export async function settleOnClock<T>(clock: ManualClock, work: Promise<T>, deadlineMs: number): Promise<T> {
  let finished = false;
  const done = work.finally(() => (finished = true));
  while (!finished) {
    await new Promise((r) => setTimeout(r, 5));
    const step = clock.nextStepBefore(deadlineMs);
    if (step !== undefined) clock.advance(step);
  }
  return done;
}

/** Polls (real time, 5 ms steps) until `cond` holds; for waiting on I/O the clock does not govern. */
export async function eventually(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
