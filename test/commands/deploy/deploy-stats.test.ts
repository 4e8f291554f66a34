import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { ManualClock } from "../../helpers/manual-clock.js";
import { PromMetrics } from "../../../src/infra/metrics.js";
import { renderText } from "../../../src/chat/terminal/render-text.js";
import { REPO, SHAS } from "./helpers.js";

// /deploy stats: the four DORA figures from a seeded GitHub deploy history, checked against values worked out by
// hand below, in the reply and on /metrics.

const NOW = Date.parse("2026-11-30T12:00:00Z");
const sha = (c: string) => c.repeat(40);
const A1 = sha("a"), A2 = sha("b"), B1 = sha("c"), D1 = sha("d");

/** A deployment to production created at `at`, with statuses [state, time] in the order posted. */
async function seedDeployment(h: Harness, ref: string, at: string, statuses: Array<[string, string]>): Promise<number> {
  const d = await h.github.createDeployment(REPO, { ref, environment: "production", payload: {}, productionEnvironment: true });
  for (const [state] of statuses) await h.github.createDeploymentStatus(REPO, d.id, { state: state as "success", autoInactive: false });
  // The sandbox stamps the time of the request; the history needs times of its own.
  h.sandbox.github.store.deployment(REPO, d.id)!.created_at = at;
  h.sandbox.github.store.deploymentStatuses(REPO, d.id).forEach((s, i) => (s.created_at = statuses[i]![1]));
  return d.id;
}

describe("/deploy stats (DORA figures)", function () {
  this.timeout(20000);
  let h: Harness;
  let metrics: PromMetrics;
  beforeEach(async () => {
    metrics = new PromMetrics();
    h = await startHarness({ clock: new ManualClock(NOW), metrics });
    const store = h.sandbox.github.store;
    store.addCommit(REPO, { sha: A1, message: "A1", parents: [SHAS.main], author: "octocat", date: "2026-11-01T08:00:00Z" });
    store.addCommit(REPO, { sha: A2, message: "A2", parents: [A1], author: "octocat", date: "2026-11-01T10:00:00Z" });
    store.addCommit(REPO, { sha: B1, message: "B1", parents: [A2], author: "hubot", date: "2026-11-10T00:00:00Z" });
    store.addCommit(REPO, { sha: D1, message: "D1", parents: [B1], author: "hubot", date: "2026-11-20T00:00:00Z" });
    store.setBranch(REPO, "main", D1);
    // Before the 30-day window: only the success the first deploy in it is compared with.
    await seedDeployment(h, SHAS.main, "2026-10-20T00:00:00Z", [["success", "2026-10-20T00:10:00Z"], ["inactive", "2026-11-02T00:30:00Z"]]);
    // Lead time 16h30m (A1 08:00 → 00:30 next day).
    await seedDeployment(h, A2, "2026-11-02T00:00:00Z", [["in_progress", "2026-11-02T00:00:05Z"], ["success", "2026-11-02T00:30:00Z"], ["inactive", "2026-11-10T14:20:00Z"]]);
    // Failed (rolled back) at 12:20, restored at 14:20 (2h); lead time 14h20m (B1 00:00 → 14:20).
    await seedDeployment(h, B1, "2026-11-10T12:00:00Z", [["failure", "2026-11-10T12:20:00Z"]]);
    await seedDeployment(h, B1, "2026-11-10T14:00:00Z", [["success", "2026-11-10T14:20:00Z"]]);
    // Apply failed at 06:05, rolled back at 07:10, restored at 09:05 (3h from the first failure); lead time 9h05m.
    await seedDeployment(h, D1, "2026-11-20T06:00:00Z", [["error", "2026-11-20T06:05:00Z"]]);
    await seedDeployment(h, D1, "2026-11-20T07:00:00Z", [["failure", "2026-11-20T07:10:00Z"]]);
    await seedDeployment(h, D1, "2026-11-20T09:00:00Z", [["success", "2026-11-20T09:05:00Z"]]);
  });
  afterEach(async () => {
    await h.stop();
  });

  it("prints the four figures of a seeded history as worked out by hand, and exposes them on /metrics", async () => {
    const t = await h.run("/deploy stats github production --days 30", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(t.final?.tone, t.text).to.equal("success");
    const text = renderText(t.final!);
    // 3 successes in 30 days; lead times 16h30m, 14h20m, 9h05m (median 14h20m, kubectl's format: 14h);
    // 3 failures of 6; restores 2h and 3h (median 2h30m, which kubectl writes 150m).
    expect(text, text).to.match(/production\s+0\.10\/day \(3\)\s+14h\s+50% \(3 of 6\)\s+150m/);
    const scraped = await metrics.text();
    expect(scraped).to.include('tugboat_dora_deploys_per_day{app="github",env="production",days="30"} 0.1');
    expect(scraped).to.include('tugboat_dora_lead_time_seconds{app="github",env="production",days="30"} 51600');
    expect(scraped).to.include('tugboat_dora_change_failure_ratio{app="github",env="production",days="30"} 0.5');
    expect(scraped).to.include('tugboat_dora_time_to_restore_seconds{app="github",env="production",days="30"} 9000');
  });

  it("a shorter window leaves out what came before it (the last 12 days: one outage and one success)", async () => {
    const t = await h.run("/deploy stats github production --days 12", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    // Since 11-18 12:00: d4 error, d5 failure, d6 success (lead 9h05m: kubectl shows 9h); restore 3h.
    expect(renderText(t.final!), t.text).to.match(/production\s+0\.08\/day \(1\)\s+9h\s+67% \(2 of 3\)\s+3h/);
  });

  it("/deploy stats github prints every environment's figures; bad input gets one line and the usage", async () => {
    const t = await h.run("/deploy stats github", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    const text = renderText(t.final!);
    expect(text, t.text).to.include("DEPLOY FREQUENCY").and.include("LEAD TIME").and.include("CHANGE FAILURE RATE").and.include("TIME TO RESTORE");
    expect(text).to.match(/staging\s+0\.0\/day \(0\)\s+-\s+- \(0 of 0\)\s+-/);
    expect(text).to.match(/production\s+0\.10\/day \(3\)/);
    const bad = await h.run("/deploy stats github --days 0", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(bad.text).to.include("/deploy stats [APP] [ENV] [--days 30]");
    const unknown = await h.run("/deploy stats nosuch", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(unknown.text).to.include('"nosuch" is neither an app');
  });
});
