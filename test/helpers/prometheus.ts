import type { Sandbox } from "@tugboat/sandbox";
import { findPrometheus, PROMETHEUS_MISSING, startPodMetrics, startPrometheus, type PodMetrics, type RunningPrometheus } from "@tugboat/sandbox/metrics";

// A real Prometheus (Debian's 2.42, installed by npm test's pretest or .ci/run) on a loopback port, scraping the
// given targets every second from a generated config, with its data in a temporary directory.
// When it is not installed the test fails (never skips), saying what to install.

export { startPrometheus, type RunningPrometheus } from "@tugboat/sandbox/metrics";

export function prometheusBinary(): string {
  const found = findPrometheus();
  if (found) return found;
  throw new Error(`${PROMETHEUS_MISSING} (npm test's pretest does it when it may)`);
}

/** Waits (real time: Prometheus scrapes on its own clock) until `promql` has a result. */
export async function waitForSeries(url: string, promql: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const body = (await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`).then((r) => r.json())) as { data?: { result?: unknown[] } };
    if ((body.data?.result?.length ?? 0) > 0) return;
    if (Date.now() > deadline) throw new Error(`no series for ${promql} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A file's one Prometheus, scraping the pod metrics of the sandbox its running test has. */
export interface FilePrometheus {
  url: string;
  metrics: PodMetrics;
  /** The pods of these clusters are scraped from now on (none: `{}`). */
  serve(clusters: Sandbox["clusters"]): void;
  stop(): Promise<void>;
}

/**
 * One Prometheus for all the tests of a file: Prometheus 2.42 scrapes a target for the first time only about 5 s after
 * it starts (its target discovery sends updates at most every 5 s), so one per test waits that long each time. It
 * scrapes one pod-metrics server, which each test points at its own sandbox; this returns once the first scrape is in.
 * Series of earlier tests' pods remain in Prometheus (stale): a test asks for its own pods by name.
 */
export async function startFilePrometheus(opts: { scrapeIntervalMs?: number; requestsPerSecond?: number } = {}): Promise<FilePrometheus> {
  const metrics = await startPodMetrics({ clusters: {}, requestsPerSecond: opts.requestsPerSecond });
  let prometheus: RunningPrometheus | undefined;
  try {
    prometheus = await startPrometheus([metrics.target], prometheusBinary(), { scrapeIntervalMs: opts.scrapeIntervalMs });
    await waitForSeries(prometheus.url, `up{instance="${metrics.target}"} == 1`);
  } catch (err) {
    await prometheus?.stop();
    await metrics.stop();
    throw err;
  }
  const running = prometheus;
  return {
    url: running.url,
    metrics,
    serve: (clusters) => metrics.serve(clusters),
    stop: async () => {
      await running.stop();
      await metrics.stop();
    },
  };
}

/** An exact-name PromQL regex of the running pods whose names start with `prefix` in a namespace of `cluster`. */
export function podsNamed(sandbox: Sandbox, cluster: string, namespace: string, prefix: string): string {
  const pods = sandbox.control.cluster(cluster).objects.list({ apiVersion: "v1", kind: "Pod", namespace });
  const names = pods.map((p) => p.metadata.name ?? "").filter((n) => n.startsWith(prefix));
  if (names.length === 0) throw new Error(`no pod named ${prefix}… in ${cluster}/${namespace}`);
  return names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\\\$&")).join("|");
}
