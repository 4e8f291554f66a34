import { expect } from "chai";
import { guardCanaries } from "../../../src/domain/deploy/canary-guard.js";
import type { Services } from "../../../src/core/services.js";
import { latestState, startHarness, type Harness } from "../../helpers/harness.js";
import { podsNamed, startFilePrometheus, waitForSeries, type FilePrometheus } from "../../helpers/prometheus.js";
import { deployment } from "../deploy/helpers.js";
import { renderText } from "../../../src/chat/terminal/render-text.js";

// The Istio canary (issue 18): weights stepped through Tugboat's own VirtualService, analysis at each step against a
// real Prometheus scraping the sandbox's pod metrics (which honour the weights); an abort puts the weight back to 0.

const INTERVAL = 2;
const log = { debug() {}, info() {}, warn() {}, error() {}, child() { return log; } } as never;
const VS = { apiVersion: "networking.istio.io/v1", kind: "VirtualService", namespace: "github-production", name: "tugboat-canary-unicorn" };

describe("Istio canary: weights in steps", function () {
  this.timeout(60000);
  let h: Harness;
  // One Prometheus for the file (it first scrapes ~5 s after it starts), pointed at each test's sandbox.
  let prometheus: FilePrometheus;
  let at: number;
  let services: Services;

  before(async () => {
    // 1,000 requests a second a pod: at a 5% weight the canary still serves hundreds in an interval, so its error
    // ratio comes out near the seeded 10% (at 100 a second, 20-odd requests made it 6% or 14% now and then).
    prometheus = await startFilePrometheus({ requestsPerSecond: 1000 });
  });
  after(async () => {
    await prometheus?.stop();
  });
  beforeEach(async () => {
    h = await startHarness({ configure: (c) => void (c.apps.github!.canary = { mode: "istio", steps: [5, 25, 50, 100] }) });
    prometheus.serve(h.sandbox.clusters);
    Object.assign(h.config.deploy.analysis, { prometheusUrl: prometheus.url, intervalSeconds: INTERVAL, bakeSeconds: 0, minSamples: 10, autoPromote: false });
    at = Date.now();
    services = { ...h.app.services, clock: { now: () => new Date(at), sleep: async () => undefined } };
  });
  afterEach(async () => {
    prometheus?.serve({});
    await h?.stop();
  });

  async function canaryOf(pr: string) {
    const t = await h.run(`/deploy ${pr} to canary`, { user: "UADMIN", channel: "CDEPLOYS" });
    expect(t.final?.tone, t.text).to.equal("success");
    // This test's canary pod by name: an earlier test's canary is still in Prometheus for a while.
    const canary = podsNamed(h.sandbox, "production", "github-production", "unicorn-canary-");
    await waitForSeries(prometheus.url, `rate(http_requests_total{namespace="github-production",pod=~"${canary}"}[${INTERVAL}s]) > 0`);
    at = Date.now();
  }

  function weights(): Record<string, number> {
    const vs = h.sandbox.control.cluster("production").objects.get(VS);
    const route = ((vs?.spec as { http: Array<{ route: Array<{ destination: { subset: string }; weight: number }> }> } | undefined)?.http ?? [])[0]?.route ?? [];
    return Object.fromEntries(route.map((r) => [r.destination.subset, r.weight]));
  }

  async function round(): Promise<string[]> {
    const removed = await guardCanaries(services, log);
    at += INTERVAL * 1000;
    return removed;
  }

  it("steps a healthy canary 5 → 25 → 50 → 100, one passing analysis each", async () => {
    await canaryOf("PR4812");
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) {
      expect(await round()).to.deep.equal([]);
      seen.push(weights().canary!);
      expect(weights().stable).to.equal(100 - weights().canary!);
    }
    expect(seen).to.deep.equal([5, 25, 50, 100]);
    const dr = h.sandbox.control.cluster("production").objects.require({ ...VS, kind: "DestinationRule" });
    expect((dr.spec as { subsets: Array<{ name: string; labels: Record<string, string> }> }).subsets.map((s) => s.name)).to.deep.equal(["stable", "canary"]);
    // One message, rewritten in place at each step (traffic and figures), nothing else posted.
    expect(h.notices.map((n) => n.channel)).to.deep.equal(["CDEPLOYS"]);
    const states = [h.notices[0]!.reply, ...h.notices[0]!.updates];
    expect(states.map((r) => /traffic (\d+)%/.exec(r.summary)?.[1])).to.deep.equal(["5", "25", "50", "100"]);
    expect(renderText(states.at(-1)!)).to.match(/passed at 50% \(error ratio .*\): it now takes 100% of the traffic/);
  });

  it("aborts an erroring canary at its first step and puts the weight back to 0", async () => {
    await canaryOf("PR4816");
    expect(await round()).to.deep.equal([]);
    expect(weights()).to.deep.equal({ stable: 95, canary: 5 });
    // Prometheus sees the canary's requests at 5%.
    await new Promise((r) => setTimeout(r, INTERVAL * 1000 + 500));
    at = Date.now();
    const removed = await round();
    expect(removed).to.include("unicorn-canary");
    expect(weights()).to.deep.equal({ stable: 100, canary: 0 });
    expect(deployment(h, "production", "github-production", "unicorn-canary")).to.equal(undefined);
    const abort = h.notices.find((n) => n.reply.tone === "error")?.reply.summary;
    // At 5% the canary serves few requests in an interval: its ratio is near, not at, the seeded 10%.
    const [, canaryRatio] = /error ratio (\d+\.\d)% vs stable \d\.\d%/.exec(abort ?? "") ?? [];
    expect(Number(canaryRatio), abort).to.be.within(7, 14);
    // The canary's one message ends with the verdict, its traffic back to 0%.
    const message = latestState(h.notices[0]!);
    expect(message.summary).to.equal(abort);
    expect(renderText(message)).to.match(/\nTraffic: 0%\n[^]*\nerror ratio +\d+\.\d% +\d\.\d% +≤ stable \+ 1 points +FAIL\n/);
  });
});
