import { isGatewayError, type GatewayErrorKind } from "../../gateways/types.js";

// Bounded retries for API calls that may safely be repeated (reads, server-side apply, JSON patches with the
// same content): 5xx, 429, timeouts and transport errors are retried with a short backoff.

export interface RetryOptions {
  attempts?: number;
  baseMs?: number;
  /** Also retry these kinds (e.g. "conflict" for idempotent patches). */
  also?: GatewayErrorKind[];
  signal?: AbortSignal;
}

const TRANSIENT: GatewayErrorKind[] = ["unavailable", "timeout"];

export function isTransient(err: unknown, also: GatewayErrorKind[] = []): boolean {
  return [...TRANSIENT, ...also].some((k) => isGatewayError(err, k));
}

export async function retryTransient<T>(fn: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const attempts = opts.attempts ?? 6;
  const base = opts.baseMs ?? 50;
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts || !isTransient(err, opts.also) || opts.signal?.aborted) throw err;
      await new Promise((r) => setTimeout(r, Math.min(2000, base * 2 ** (i - 1)) * (0.5 + Math.random() / 2)));
    }
  }
}
