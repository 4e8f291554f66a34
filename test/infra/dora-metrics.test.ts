import { expect } from "chai";
import { PromMetrics } from "../../src/infra/metrics.js";

// The DORA gauges refresh themselves when scraped, at most once per maxAgeMs, and a scrape never waits for GitHub.

describe("PromMetrics: DORA gauges refreshed on scrape", () => {
  it("starts a refresh on the first scrape, shows its figures afterwards, and refreshes again only once they are old", async () => {
    let now = 0;
    let calls = 0;
    let release!: () => void;
    const metrics = new PromMetrics();
    metrics.refreshDoraWith({
      refresh: async () => {
        calls++;
        await new Promise<void>((r) => (release = r));
        return [{ app: "github", env: "production", days: 30, figures: { deploysPerDay: 0.5 + calls, changeFailureRate: 0.25 } }];
      },
      maxAgeMs: 1000,
      now: () => now,
      onError: () => undefined,
    });
    // The first scrape does not wait for the refresh, and the four gauges start only one.
    expect(await metrics.text()).not.to.include("tugboat_dora_deploys_per_day{");
    expect(calls).to.equal(1);
    release();
    await new Promise((r) => setImmediate(r));
    const text = await metrics.text();
    expect(text).to.include('tugboat_dora_deploys_per_day{app="github",env="production",days="30"} 1.5');
    expect(text).to.include('tugboat_dora_change_failure_ratio{app="github",env="production",days="30"} 0.25');
    expect(text).not.to.include("tugboat_dora_lead_time_seconds{");
    now = 999;
    await metrics.text();
    expect(calls).to.equal(1);
    now = 1000;
    await metrics.text();
    expect(calls).to.equal(2);
    release();
    await new Promise((r) => setImmediate(r));
    expect(await metrics.text()).to.include('tugboat_dora_deploys_per_day{app="github",env="production",days="30"} 2.5');
  });
});
