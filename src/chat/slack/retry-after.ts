import { retryAfterSeconds } from "./describe-slack-error.js";

// The WebClient rejects a rate-limited call at once (rejectRateLimitedCalls) instead of pausing every other call
// for Retry-After. Calls that must still land (a confirmation prompt, a private answer, an upload) wait here, each
// on its own: Slack's Retry-After for this call only, a few times, never longer than maxWaitSeconds.

export interface RetryAfterOptions {
  tries?: number;
  maxWaitSeconds?: number;
  sleep?: (ms: number) => Promise<void>;
}

const sleepMs = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function withRetryAfter<T>(call: () => Promise<T>, opts: RetryAfterOptions = {}): Promise<T> {
  const tries = opts.tries ?? 3;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const seconds = retryAfterSeconds(err);
      if (seconds === undefined || attempt >= tries || seconds > (opts.maxWaitSeconds ?? 60)) throw err;
      await (opts.sleep ?? sleepMs)(seconds * 1000);
    }
  }
}
