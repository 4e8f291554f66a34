import type { Clock } from "./services.js";

// The one periodic loop of domain/ and commands/: lease renewals, the leader's rounds, the review-lab reaper, the
// canary guard and a replica taking its presence back all run their rounds through it, on the injected clock, so
// none of them writes a loop of sleeps of its own and tests move the clock instead of waiting.

export interface Repeating {
  /** Stops the rounds (a pending sleep ends at once) and settles once a round in progress has. */
  stop(): Promise<void>;
  /** Settles when the rounds have ended (stopped, or a round answered "done"). */
  readonly ended: Promise<void>;
}

export interface RepeatOptions {
  /** "now": the first round runs at once; otherwise after one period. */
  first?: "now" | "after-period";
  /** Aborting it stops the rounds as stop() does. */
  signal?: AbortSignal;
  /** A round that throws: told here (default: ignored), and the rounds go on. */
  onError?: (err: unknown) => void;
}

/** Runs `round` every `periodMs` on `clock`, one at a time, until stopped or a round answers "done". */
export function repeatOnClock(clock: Clock, periodMs: number, round: () => Promise<"done" | void>, opts: RepeatOptions = {}): Repeating {
  const stopping = new AbortController();
  if (opts.signal?.aborted) stopping.abort();
  const onAbort = () => stopping.abort();
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  const rounds = async (): Promise<void> => {
    for (let first = true; !stopping.signal.aborted; first = false) {
      if (!(first && opts.first === "now")) {
        const slept = await clock.sleep(periodMs, stopping.signal).then(
          () => true,
          () => false,
        );
        if (!slept || stopping.signal.aborted) return;
      }
      const answer = await round().catch((err: unknown) => void opts.onError?.(err));
      if (answer === "done") return;
    }
  };
  // The signal may outlive the rounds (a replica's stop signal, shared by each taking back of its presence): let go of it.
  const ended = rounds().finally(() => opts.signal?.removeEventListener("abort", onAbort));
  return {
    stop: async () => {
      stopping.abort();
      await ended;
    },
    ended,
  };
}
