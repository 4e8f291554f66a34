import type { Clock } from "../../core/services.js";
import { GatewayError, type RetryPolicy } from "../types.js";

// The one retry policy for Kubernetes calls, applied by the cluster client to every request. What is retried
// depends on whether the server can have acted on the request:
// - 429 and 503 (the server refused before doing anything; Retry-After is honoured): every method;
// - other 5xx and connections reset mid-request: every method but POST (a create may have happened; repeating it
//   would answer 409 AlreadyExists and hide the first answer); a refused connection is not retried (the server
//   is down, not flaky: say so at once, as client-go does);
// - a time-out: reads only (a slow write may still land);
// - 409 Conflict: never here; a read-modify-write step is repeated from its read by `retryOnConflict`.

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 2000, maxRetryAfterMs: 10_000 };

export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  return { ...DEFAULT_RETRY_POLICY, ...overrides };
}

export function isRetryable(err: unknown, method: string): boolean {
  if (!(err instanceof GatewayError)) return false;
  const status = err.status;
  if (status === 429 || status === 503) return true;
  if (err.kind === "timeout") return method === "GET";
  if (method === "POST" || err.kind !== "unavailable") return false;
  if (status !== undefined) return status >= 500;
  return RESET_CODES.has((err.body as { code?: string } | undefined)?.code ?? "");
}

/** Transport failures after the request went out (client-go's connection reset / EOF cases). */
const RESET_CODES = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED"]);

/** Back-off before try `attempt + 1`: exponential from the base, capped, with jitter in [½, 1) of it. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exp * (0.5 + random() / 2));
}

/** Parses a Retry-After header (seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

export interface RetryContext {
  clock: Clock;
  random: () => number;
  /** Names the cluster in the message of a Retry-After too long to wait for. */
  cluster: string;
}

/** Runs `call` under `policy`; `retryable` says which failures may be tried again. */
export async function withRetries<T>(call: () => Promise<T>, policy: RetryPolicy, ctx: RetryContext, retryable: (err: unknown) => boolean): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (attempt >= policy.attempts || !retryable(err)) throw err;
      const retryAfter = (err as GatewayError).retryAfterMs;
      if (retryAfter !== undefined && retryAfter > policy.maxRetryAfterMs) throw throttled(err as GatewayError, ctx.cluster, retryAfter);
      await ctx.clock.sleep(Math.max(retryAfter ?? 0, backoffDelay(attempt, policy, ctx.random)));
    }
  }
}

function throttled(err: GatewayError, cluster: string, retryAfterMs: number): GatewayError {
  const what = err.status === 429 ? "is throttling requests (429 Too Many Requests)" : `is unavailable (${err.status})`;
  const out = new GatewayError(err.kind, `the API server of cluster ${cluster} ${what} and asked to come back in ${Math.ceil(retryAfterMs / 1000)} s`, err.status, err.body);
  out.retryAfterMs = retryAfterMs;
  return out;
}
