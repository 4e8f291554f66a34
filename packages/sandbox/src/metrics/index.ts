/**
 * Per-pod request metrics for the sandbox's running pods, in Prometheus's text format on GET /metrics, for a real
 * Prometheus to scrape: `http_requests_total{namespace,pod,code}` and `http_request_duration_seconds` (a
 * histogram). Traffic is simulated from seed facts on each pod's image (traffic.ts); where an Istio
 * VirtualService splits a host's traffic by weight, pods get their subset's share (istio-traffic.ts).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { KubeControl, KubeObject } from "../kube/control.js";
import { countsAfter, DEFAULT_TRAFFIC_FACTS, factFor, LATENCY_BUCKETS, type TrafficFact } from "./traffic.js";
import { podTrafficShares } from "./istio-traffic.js";

export { DEFAULT_TRAFFIC_FACTS, BASELINE_ERROR_RATIO, type TrafficFact } from "./traffic.js";

export interface PodMetricsOptions {
  /** The clusters whose pods serve traffic, by name. */
  clusters: Record<string, { control: KubeControl }>;
  facts?: TrafficFact[];
  /** Requests a second one pod serves when traffic is not split by weight (default 100). */
  requestsPerSecond?: number;
  /** Milliseconds now (tests inject it); default Date.now. */
  now?: () => number;
  host?: string;
  port?: number;
}

export interface PodMetrics {
  url: string;
  /** host:port, as a Prometheus scrape target. */
  target: string;
  /** The text a scrape gets now. */
  render(): string;
  /**
   * Serves the pods of these clusters from now on instead (the same port, so the same scrape target): a test file
   * keeps one Prometheus across its tests' sandboxes.
   */
  serve(clusters: PodMetricsOptions["clusters"]): void;
  stop(): Promise<void>;
}

interface PodState {
  served: number;
  lastMs: number;
}

function isRunning(pod: KubeObject): boolean {
  const status = pod.status as { phase?: string; conditions?: Array<{ type: string; status: string }> } | undefined;
  return status?.phase === "Running" && (status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

function podImages(pod: KubeObject): string[] {
  const spec = pod.spec as { containers?: Array<{ image?: string }> } | undefined;
  return (spec?.containers ?? []).map((c) => c.image ?? "");
}

const labelValue = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

export async function startPodMetrics(opts: PodMetricsOptions): Promise<PodMetrics> {
  const facts = opts.facts ?? DEFAULT_TRAFFIC_FACTS;
  const rps = opts.requestsPerSecond ?? 100;
  const now = opts.now ?? Date.now;
  const state = new Map<string, PodState>();
  let clusters = opts.clusters;

  const render = (): string => {
    const at = now();
    const requests: string[] = [];
    const histogram: string[] = [];
    const seen = new Set<string>();
    for (const { control } of Object.values(clusters)) {
      const pods = control.objects.list({ apiVersion: "v1", kind: "Pod" }).filter(isRunning);
      const shares = podTrafficShares(control, pods);
      for (const pod of pods) {
        const uid = pod.metadata.uid ?? `${pod.metadata.namespace}/${pod.metadata.name}`;
        seen.add(uid);
        const s = state.get(uid) ?? { served: 0, lastMs: at };
        s.served += (rps * (shares.get(pod) ?? 1) * Math.max(0, at - s.lastMs)) / 1000;
        s.lastMs = at;
        state.set(uid, s);
        const c = countsAfter(s.served, factFor(facts, podImages(pod)));
        const base = `namespace="${labelValue(pod.metadata.namespace ?? "")}",pod="${labelValue(pod.metadata.name ?? "")}"`;
        requests.push(`http_requests_total{${base},code="200"} ${c.ok}`, `http_requests_total{${base},code="500"} ${c.errors}`);
        [...LATENCY_BUCKETS.map(String), "+Inf"].forEach((le, i) => histogram.push(`http_request_duration_seconds_bucket{${base},le="${le}"} ${c.buckets[i]}`));
        histogram.push(`http_request_duration_seconds_sum{${base}} ${c.sumSeconds}`, `http_request_duration_seconds_count{${base}} ${c.count}`);
      }
    }
    for (const uid of state.keys()) if (!seen.has(uid)) state.delete(uid);
    return [
      "# HELP http_requests_total Requests served, by pod and status code.",
      "# TYPE http_requests_total counter",
      ...requests,
      "# HELP http_request_duration_seconds Request latency, by pod.",
      "# TYPE http_request_duration_seconds histogram",
      ...histogram,
      "",
    ].join("\n");
  };

  const server: Server = createServer((req, res) => {
    if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(render());
  });
  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const target = `${host}:${(server.address() as AddressInfo).port}`;
  return {
    url: `http://${target}/metrics`,
    target,
    render,
    serve: (next) => {
      clusters = next;
      state.clear();
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export { findPrometheus, startPrometheus, PROMETHEUS_MISSING, type PrometheusOptions, type RunningPrometheus } from "./prometheus.js";
