// Simulated request traffic per running pod, by seed facts on the pod's image: what share of its requests fail
// and how slow they are. Counts are cumulative and exact (floor of the running total times each share), so
// Prometheus's rate() over them gives the configured ratios without noise.

/** A seed fact about an image (glob on the full image reference). */
export interface TrafficFact {
  match: string;
  /** Share of requests answered 500, 0..1. */
  errorRatio?: number;
  /** Multiplies every request's latency. */
  latencyFactor?: number;
}

/** The seed facts (docs/sandbox-seed-facts.md): PR #4816's image errors 10%, PR #4814's is four times slower. */
export const DEFAULT_TRAFFIC_FACTS: TrafficFact[] = [
  { match: "*:663c692a0f1296edefa2dbd3fa35d535f8881708", errorRatio: 0.1 },
  { match: "*:5b6d0fbafdfd99b84f1b0fc998dffb8944f99f70", latencyFactor: 4 },
];

/**
 * What every other pod does: 0.3% errors, latencies 40 ms (90%), 80 ms (9.5%), 200 ms (0.5%). The 99th percentile
 * falls inside a histogram bucket (about 97 ms; 487 ms four times slower), not on a bucket's bound: with 1% at the
 * slowest it sat exactly on 100 ms (500 ms), and one slow request more or fewer in a short rate window moved
 * histogram_quantile's answer between 100 and 175 ms, enough to fail a healthy canary's 1.2x-stable check.
 */
export const BASELINE_ERROR_RATIO = 0.003;
const LATENCY_MIX: Array<{ seconds: number; share: number }> = [
  { seconds: 0.04, share: 0.9 },
  { seconds: 0.08, share: 0.095 },
  { seconds: 0.2, share: 0.005 },
];
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface PodCounts {
  ok: number;
  errors: number;
  /** Cumulative count per LATENCY_BUCKETS bound, then +Inf. */
  buckets: number[];
  sumSeconds: number;
  count: number;
}

function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp("^" + pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*") + "$");
  return re.test(value);
}

export function factFor(facts: TrafficFact[], images: string[]): { errorRatio: number; latencyFactor: number } {
  let errorRatio = BASELINE_ERROR_RATIO;
  let latencyFactor = 1;
  for (const image of images) {
    for (const f of facts) {
      if (!globMatch(f.match, image)) continue;
      if (f.errorRatio !== undefined) errorRatio = f.errorRatio;
      if (f.latencyFactor !== undefined) latencyFactor = f.latencyFactor;
    }
  }
  return { errorRatio, latencyFactor };
}

/** The counters after `served` requests in all (fractional; counts are floored). */
export function countsAfter(served: number, fact: { errorRatio: number; latencyFactor: number }): PodCounts {
  const count = Math.floor(served);
  const errors = Math.floor(served * fact.errorRatio);
  const perLatency = LATENCY_MIX.map((m) => ({ seconds: m.seconds * fact.latencyFactor, n: Math.floor(served * m.share) }));
  // Rounding leftovers go to the fastest share, so the histogram's count equals the requests'.
  perLatency[0]!.n += count - perLatency.reduce((s, p) => s + p.n, 0);
  const buckets = [...LATENCY_BUCKETS, Infinity].map((le) => perLatency.filter((p) => p.seconds <= le).reduce((s, p) => s + p.n, 0));
  const sumSeconds = perLatency.reduce((s, p) => s + p.n * p.seconds, 0);
  return { ok: count - errors, errors, buckets, sumSeconds, count };
}
