import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { expect } from "chai";
import { buildConfigSchema } from "../../../src/config/schema.js";
import { analysisFor } from "../../../src/domain/canary-analysis/analysis-config.js";
import { fillQuery } from "../../../src/domain/canary-analysis/promql-template.js";
import { checkFigure } from "../../../src/domain/canary-analysis/evaluate-analysis.js";
import { canaryGuardInterval } from "../../../src/commands/canary/canary-guard.js";

// Canary analysis config: defaults with per-app overrides, placeholders escaped for PromQL, thresholds.

const sandboxConfig = parse(readFileSync("config/sandbox/tugboat.yaml", "utf8")) as { apps: Record<string, Record<string, unknown>>; deploy?: Record<string, unknown> };

/** The sandbox config with these analysis defaults and, for app github, these overrides. */
function config(analysis: Record<string, unknown>, appAnalysis?: Record<string, unknown>) {
  const raw = structuredClone(sandboxConfig);
  raw.deploy = { ...(raw.deploy ?? {}), analysis };
  if (appAnalysis) raw.apps.github!.analysis = appAnalysis;
  return buildConfigSchema().parse(raw);
}

describe("canary analysis config", () => {
  it("is off without a Prometheus URL, and an app's fields and queries go over the defaults", () => {
    expect(analysisFor(config({}), "github")).to.equal(undefined);
    const a = analysisFor(config({ prometheusUrl: "http://prom:9090", intervalSeconds: 30 }, { autoPromote: true, queries: { p99Latency: { label: "p99", query: "q", format: "duration", max: 0.5 } } }), "github")!;
    expect(a).to.include({ prometheusUrl: "http://prom:9090", intervalSeconds: 30, autoPromote: true, minSamples: 50, bakeSeconds: 600 });
    expect(Object.keys(a.queries).sort()).to.deep.equal(["errorRatio", "p99Latency"]);
    expect(a.queries.p99Latency!.max).to.equal(0.5);
  });

  it("refuses a Prometheus URL that is not http(s) and unknown fields", () => {
    expect(() => config({ prometheusUrl: "file:///etc/passwd" })).to.throw();
    expect(() => config({ prometheusUrl: "http://prom:9090", interval: 5 })).to.throw();
  });

  it("escapes every value for a PromQL label matcher, pods as an exact-name regex", () => {
    const q = fillQuery('x{namespace="{{namespace}}",pod=~"{{ pods }}",track="{{track}}"}[{{interval}}]', { namespace: 'a"b\\c', track: "canary", pods: ["web-1.x", "web-2"], intervalSeconds: 30 });
    expect(q).to.equal('x{namespace="a\\"b\\\\c",pod=~"web-1\\\\.x|web-2",track="canary"}[30s]');
    expect(fillQuery('pod=~"{{pods}}"', { namespace: "n", track: "stable", pods: [], intervalSeconds: 1 })).to.equal('pod=~"$^"');
  });

  it("checks absolute and relative thresholds and says which failed with the numbers", () => {
    const q = { label: "error ratio", query: "q", format: "percent" as const, maxAboveStable: 0.01, max: 0.2 };
    expect(checkFigure(q, 0.102, 0.003)).to.equal("error ratio 10.2% vs stable 0.3% (limit stable + 1 points)");
    expect(checkFigure(q, 0.012, 0.003)).to.equal(undefined);
    expect(checkFigure(q, 0.25, undefined)).to.equal("error ratio 25.0% vs stable n/a (limit 20.0%)");
    expect(checkFigure({ label: "p99 latency", query: "q", format: "duration", maxTimesStable: 1.2 }, 0.5, 0.1)).to.equal("p99 latency 500 ms vs stable 100 ms (limit 1.2x stable)");
  });

  it("the guard runs at least as often as the shortest analysis interval", () => {
    expect(canaryGuardInterval(config({}))).to.equal(30_000);
    expect(canaryGuardInterval(config({ prometheusUrl: "http://prom:9090", intervalSeconds: 5 }))).to.equal(5000);
  });
});
