import { expect } from "chai";
import { guardCanaries } from "../../../src/domain/deploy/canary-guard.js";
import type { Services } from "../../../src/core/services.js";
import { latestState, startHarness, type Harness } from "../../helpers/harness.js";
import { renderText } from "../../../src/chat/terminal/render-text.js";
import { podsNamed, startFilePrometheus, waitForSeries, type FilePrometheus } from "../../helpers/prometheus.js";
import { IMAGE, SHAS, appImages, deployment } from "../deploy/helpers.js";

// Canaries judged by their metrics (issue 18), against the sandbox's pod metrics scraped by a real Prometheus.
// Prometheus scrapes in real time (every second); the guard's rounds run on a clock the test moves.

const INTERVAL = 2;
const BAKE = 60;
const log = { debug() {}, info() {}, warn() {}, error() {}, child() { return log; } } as never;

describe("canary analysis with Prometheus", function () {
  this.timeout(60000);
  // One Prometheus for the file (it first scrapes ~5 s after it starts), pointed at each test's sandbox.
  let prometheus: FilePrometheus;
  let h: Harness;
  let at: number;
  let services: Services;

  async function start(opts: { autoPromote?: boolean; prometheusUrl?: string } = {}) {
    h = await startHarness();
    prometheus.serve(h.sandbox.clusters);
    Object.assign(h.config.deploy.analysis, { prometheusUrl: opts.prometheusUrl ?? prometheus.url, intervalSeconds: INTERVAL, bakeSeconds: BAKE, minSamples: 50, autoPromote: opts.autoPromote ?? false });
    at = Date.now();
    // The guard's clock: the test moves it from one round to the next.
    services = { ...h.app.services, clock: { now: () => new Date(at), sleep: async () => undefined } };
  }

  /** Starts the canary and waits (real time) until Prometheus has a rate over the canary pod's requests. */
  async function canaryOf(pr: string, extra = "") {
    const t = await h.run(`/deploy ${pr} to canary ${extra}`.trim(), { user: "UADMIN", channel: "CDEPLOYS" });
    expect(t.final?.tone, t.text).to.equal("success");
    // This test's canary pod by name: an earlier test's canary is still in Prometheus for a while.
    const canary = podsNamed(h.sandbox, "production", "github-production", "unicorn-canary-");
    await waitForSeries(prometheus.url, `rate(http_requests_total{namespace="github-production",pod=~"${canary}"}[${INTERVAL}s]) > 0`);
    at = Date.now();
  }

  async function round(): Promise<string[]> {
    const removed = await guardCanaries(services, log);
    at += INTERVAL * 1000;
    return removed;
  }

  before(async () => {
    // 1,000 requests a second a pod, as the Istio tests: a 2 s window then holds enough of the slowest requests for
    // the figures not to move with scrape jitter on a loaded machine.
    prometheus = await startFilePrometheus({ requestsPerSecond: 1000 });
  });
  after(async () => {
    await prometheus?.stop();
  });
  afterEach(async () => {
    prometheus?.serve({});
    await h?.stop();
  });

  it("aborts an erroring canary within two intervals, with the numbers", async () => {
    await start();
    await canaryOf("PR4816");
    const removed = [...(await round()), ...(await round())];
    expect(removed.sort()).to.deep.equal(["unicorn-api-canary", "unicorn-canary"]);
    const notice = h.notices.find((n) => n.reply.tone === "error");
    expect(notice?.channel).to.equal("CDEPLOYS");
    expect(notice?.reply.summary).to.match(/Aborted the github canary automatically: error ratio (9\.\d|10\.\d)% vs stable 0\.\d% \(limit stable \+ 1 points\)/);
    expect(deployment(h, "production", "github-production", "unicorn-canary")).to.equal(undefined);
    // The canary's message ends with the verdict and the failing figure, and says it once.
    const message = latestState(h.notices[0]!);
    expect(message.tone).to.equal("error");
    expect(message.summary).to.equal(notice!.reply.summary);
    expect(renderText(message)).to.match(/error ratio +(9\.\d|10\.\d)% +0\.\d% +≤ stable \+ 1 points +FAIL/);
    expect(h.notices.filter((n) => n.reply.summary === notice!.reply.summary)).to.have.length(1);
  });

  it("fails a slow canary on its p99 latency", async () => {
    await start();
    await canaryOf("PR4814", "--force");
    const removed = [...(await round()), ...(await round())];
    expect(removed).to.include("unicorn-canary");
    const notice = h.notices.find((n) => n.reply.tone === "error");
    // The seeded mix: p99 about 487 ms for the slow image, 97 ms for the others (inside their buckets).
    expect(notice?.reply.summary, notice?.reply.summary).to.match(/p99 latency (4[5-9]\d|500) ms vs stable (9\d|100) ms \(limit 1\.2x stable\)/);
  });

  it("passes a healthy canary, shows its figures in its one message and /canary status, and promotes it after its bake time", async () => {
    await start({ autoPromote: true });
    await canaryOf("PR4812");
    expect(await round()).to.deep.equal([]);
    const s = await h.run("/canary status", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(s.text).to.match(/Analysis \(pass[^)]*\): error ratio 0\.\d% \(stable 0\.\d%\), p99 latency \d+ ms \(stable \d+ ms\)/);
    expect(s.text).to.match(/\nerror ratio +0\.\d% +0\.\d% +≤ stable \+ 1 points +pass\np99 latency +\d+ ms +\d+ ms +≤ 1\.2x stable +pass\n/);
    // Not baked yet: still a canary.
    expect(deployment(h, "production", "github-production", "unicorn-canary")).to.not.equal(undefined);
    // Its message is posted once and rewritten each round with the figures, samples and bake time.
    expect(h.notices).to.have.length(1);
    expect(await round()).to.deep.equal([]);
    expect(h.notices).to.have.length(1);
    const first = h.notices[0]!;
    expect(first.updates).to.have.length(1);
    expect(renderText(first.updates[0]!)).to.match(/Analysis: passing \(0s ago\)\nTraffic: its pods beside the stable pods \(no weights\)\nSamples: \d+ of 50 needed\nBake time: \d+s of 60s\nQUERY .*\nerror ratio +0\.\d% +0\.\d% +≤ stable \+ 1 points +pass\np99 latency +\d+ ms +\d+ ms +≤ 1\.2x stable +pass/);
    // Someone deleted it: the next round posts a new one, which the rounds after update.
    first.deleted = true;
    expect(await round()).to.deep.equal([]);
    expect(h.notices).to.have.length(2);
    expect(h.notices[1]!.reply.summary).to.match(/^github canary of PR #4812 \(\w{7}\) in production: passing/);
    expect(deployment(h, "production", "github-production", "unicorn-canary").metadata.annotations["tugboat.dev/canary-message"]).to.include(`"id":"${h.notices[1]!.ref.id}"`);
    at += BAKE * 1000;
    expect(await round()).to.deep.equal([]);
    // The verdict is written into the message and posted anew to notify the channel.
    expect(latestState(h.notices[1]!).tone).to.equal("success");
    expect(latestState(h.notices[1]!).summary).to.match(/passed its analysis .* promoting it to production/);
    for (let i = 0; i < 200 && !h.notices.some((n) => /Promote canary|Removed the canary/.test(JSON.stringify(n.reply))); i++) await new Promise((r) => setTimeout(r, 100));
    expect(h.notices[2]!.reply.summary).to.match(/passed its analysis .* promoting it to production/);
    // The promotion, once done, is the message's last word.
    for (let i = 0; i < 50 && !latestState(h.notices[1]!).summary.startsWith("Promoted"); i++) await new Promise((r) => setTimeout(r, 100));
    expect(latestState(h.notices[1]!).summary).to.equal("Promoted to production by @UADMIN: the canary's sha runs there and the canary was removed.");
    expect(appImages(h, "production", "github-production")).to.deep.equal({ unicorn: `${IMAGE}:${SHAS.pr4812}`, "unicorn-api": `${IMAGE}:${SHAS.pr4812}` });
    expect(deployment(h, "production", "github-production", "unicorn-canary")).to.equal(undefined);
  });

  it("leaves the canary running and says so when Prometheus is unreachable, and never promotes blind", async () => {
    await start({ autoPromote: true, prometheusUrl: "http://127.0.0.1:9" });
    const t = await h.run("/deploy PR4812 to canary", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(t.final?.tone, t.text).to.equal("success");
    expect(await round()).to.deep.equal([]);
    at += BAKE * 1000;
    expect(await round()).to.deep.equal([]);
    const warnings = h.notices.filter((n) => n.reply.tone === "warning");
    expect(warnings).to.have.length(1);
    expect(warnings[0]!.reply.summary).to.match(/Cannot judge the github canary: Prometheus at 127\.0\.0\.1:9 is unreachable\. It keeps running/);
    expect(deployment(h, "production", "github-production", "unicorn-canary")).to.not.equal(undefined);
    expect(appImages(h, "production", "github-production").unicorn).to.equal(`${IMAGE}:${SHAS.main}`);
    const s = await h.run("/canary status", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(s.text).to.match(/Analysis \(unreachable[^)]*\): Prometheus at 127\.0\.0\.1:9 is unreachable/);
    // Its message says so; a person's /canary abort is written into it.
    const message = h.notices.find((n) => /^github canary of PR #4812/.test(n.reply.summary))!;
    expect(renderText(latestState(message))).to.include("Analysis: Prometheus unreachable");
    const abort = await h.run("/canary abort", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(abort.final?.tone, abort.text).to.equal("success");
    expect(latestState(message).tone).to.equal("error");
    expect(renderText(latestState(message))).to.match(/\nAborted by @UADMIN with \/canary abort: removed unicorn(-api)?-canary, unicorn(-api)?-canary; production runs only its stable pods\.$/);
  });
});
