import { findPrometheus, PROMETHEUS_MISSING } from "@tugboat/sandbox/metrics";

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
