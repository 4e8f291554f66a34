import { expect } from "chai";
import { startSandbox, TEST_DELAYS, type Sandbox } from "@tugboat/sandbox";
import { startPodMetrics, type PodMetrics } from "@tugboat/sandbox/metrics";
import { startPrometheus, waitForSeries, type RunningPrometheus } from "../helpers/prometheus.js";

// The sandbox's per-pod request metrics, scraped by a real Prometheus: the seed facts' ratios come out of rate().

// Scrapes four times a second, so two samples (what rate() needs) are there soon after the start.
const SCRAPE_MS = 250;
const ERRORING = "registry.example.com/github:663c692a0f1296edefa2dbd3fa35d535f8881708";

async function query(url: string, promql: string): Promise<number> {
  const body = (await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`).then((r) => r.json())) as { data: { result: Array<{ value: [number, string] }> } };
  return Number(body.data.result[0]?.value[1]);
}

describe("sandbox pod metrics, scraped by Prometheus", function () {
  this.timeout(30000);
  let sandbox: Sandbox;
  let metrics: PodMetrics;
  let prometheus: RunningPrometheus;
  before(async () => {
    sandbox = await startSandbox({ writeFiles: false, delays: TEST_DELAYS });
    const prod = sandbox.control.cluster("production");
    const pod = prod.objects.list({ apiVersion: "v1", kind: "Pod", namespace: "github-production", labelSelector: "app=unicorn" })[0]!;
    // One pod runs the image the seed facts make fail 10% of its requests.
    prod.objects.update({ apiVersion: "v1", kind: "Pod", namespace: "github-production", name: pod.metadata.name! }, (p) => {
      (p.spec as { containers: Array<{ image: string }> }).containers[0]!.image = ERRORING;
    });
    // 1,000 requests a second per pod: one second between two scrapes holds enough requests for the ratios to
    // come out within a tenth of a point (the counts are floored), so the test need not wait for more scrapes.
    metrics = await startPodMetrics({ clusters: sandbox.clusters, requestsPerSecond: 1000 });
    prometheus = await startPrometheus([metrics.target], undefined, { scrapeIntervalMs: SCRAPE_MS });
  });
  after(async () => {
    await prometheus?.stop();
    await metrics?.stop();
    await sandbox?.stop();
  });

  it("serves http_requests_total and the latency histogram per running pod", () => {
    const text = metrics.render();
    expect(text).to.match(/^http_requests_total\{namespace="github-production",pod="unicorn-[^"]+",code="500"\} \d+$/m);
    expect(text).to.match(/^http_request_duration_seconds_bucket\{namespace="github-staging",pod="unicorn-[^"]+",le="\+Inf"\} \d+$/m);
  });

  it("serves another sandbox's pods, or none, on the same target when told to", async () => {
    const other = await startPodMetrics({ clusters: {} });
    try {
      expect(other.render()).not.to.contain("http_requests_total{");
      other.serve(sandbox.clusters);
      expect(other.render()).to.match(/^http_requests_total\{namespace="github-production",pod="unicorn-[^"]+",code="200"\} \d+$/m);
      other.serve({});
      expect(other.render()).not.to.contain("http_requests_total{");
    } finally {
      await other.stop();
    }
  });

  it("scrapes as often as asked", async () => {
    const config = (await fetch(`${prometheus.url}/api/v1/status/config`).then((r) => r.json())) as { data: { yaml: string } };
    expect(config.data.yaml).to.match(/scrape_interval: 250ms/);
  });

  it("gives the erroring image 10% errors and the others 0.3%, as Prometheus computes them", async () => {
    await waitForSeries(prometheus.url, "rate(http_requests_total[3s])");
    const ratio = (sel: string) => `sum(rate(http_requests_total{${sel},code=~"5.."}[3s])) / sum(rate(http_requests_total{${sel}}[3s]))`;
    const pods = sandbox.control.cluster("production").objects.list({ apiVersion: "v1", kind: "Pod", namespace: "github-production", labelSelector: "app=unicorn" });
    const bad = pods.find((p) => (p.spec as { containers: Array<{ image: string }> }).containers[0]!.image === ERRORING)!.metadata.name!;
    expect(await query(prometheus.url, ratio(`namespace="github-production",pod="${bad}"`))).to.be.closeTo(0.1, 0.01);
    expect(await query(prometheus.url, ratio(`namespace="github-staging"`))).to.be.lessThan(0.01);
    const p99 = await query(prometheus.url, `histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="github-staging"}[3s])))`);
    // Inside the 50-100 ms bucket (about 97 ms), not on its bound: one slow request more or fewer must not move it.
    expect(p99).to.be.within(0.09, 0.1);
  });
});
