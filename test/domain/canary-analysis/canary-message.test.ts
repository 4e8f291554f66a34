import { expect } from "chai";
import { canaryMessage, type CanaryMessageFacts } from "../../../src/domain/canary-analysis/canary-message.js";
import type { CanaryAnalysisConfig } from "../../../src/domain/canary-analysis/analysis-config.js";
import { DEFAULT_ANALYSIS_QUERIES } from "../../../src/config/analysis-schema.js";
import { renderText } from "../../../src/chat/terminal/render-text.js";
import { renderBlocks } from "../../../src/chat/slack/render-blocks.js";

// The canary's message as data: the latest figures canary vs stable with thresholds and pass/fail, the Istio step,
// samples and bake time, and the end written into it; rendered the same by the terminal and Slack.

const analysis: CanaryAnalysisConfig = {
  prometheusUrl: "http://127.0.0.1:9090",
  intervalSeconds: 30,
  minSamples: 50,
  samplesQuery: "x",
  bakeSeconds: 600,
  autoPromote: true,
  queries: { ...DEFAULT_ANALYSIS_QUERIES, saturation: { label: "saturation", query: "y", format: "number", max: 0.9 } },
};
const now = new Date("2026-11-30T10:00:00Z");
const base: CanaryMessageFacts = { app: "github", baseEnv: "production", pr: 4812, sha: "abcdef1234567", analysis, startedAt: "2026-11-30T09:57:30Z", now };
const passing: CanaryMessageFacts["result"] = {
  at: "2026-11-30T09:59:55Z",
  verdict: "pass",
  samples: 118.6,
  figures: [
    { name: "errorRatio", label: "error ratio", format: "percent", canary: 0.002, stable: 0.003 },
    { name: "p99Latency", label: "p99 latency", format: "duration", canary: 0.081, stable: 0.08 },
    { name: "saturation", label: "saturation", format: "number", canary: undefined, stable: 0.5 },
  ],
};

describe("the canary's message", () => {
  it("shows each query's canary and stable figures, thresholds and result, with step, samples and bake time", () => {
    const reply = canaryMessage({ ...base, result: passing, istio: { weight: 25, steps: [5, 25, 50, 100] } });
    expect(reply.tone).to.equal("info");
    expect(renderText(reply)).to.equal(
      [
        "github canary of PR #4812 (abcdef1) in production",
        "Analysis: passing (5s ago)",
        "Traffic: 25% (step 2 of 4)",
        "Samples: 118 of 50 needed",
        "Bake time: 2m30s of 10m",
        "QUERY         CANARY   STABLE   THRESHOLD             RESULT",
        "error ratio   0.2%     0.3%     ≤ stable + 1 points   pass",
        "p99 latency   81 ms    80 ms    ≤ 1.2x stable         pass",
        "saturation    n/a      0.5      ≤ 0.9                 n/a",
        "Judged every 30s and updated here; `/canary status github` shows the same figures.",
      ].join("\n"),
    );
    expect(reply.summary).to.equal(
      "github canary of PR #4812 (abcdef1) in production: passing (5s ago), error ratio 0.2% vs 0.3%, p99 latency 81 ms vs 80 ms, saturation n/a vs 0.5; traffic 25% (step 2 of 4); samples 118 of 50 needed; baked 2m30s of 10m",
    );
  });

  it("marks the failing figure, and writes the end into the message", () => {
    const failing: CanaryMessageFacts["result"] = {
      ...passing!,
      verdict: "fail",
      figures: [{ name: "errorRatio", label: "error ratio", format: "percent", canary: 0.102, stable: 0.003, failure: "error ratio 10.2% vs stable 0.3% (limit stable + 1 points)" }],
      reason: "error ratio 10.2% vs stable 0.3% (limit stable + 1 points)",
    };
    const text = "Aborted the github canary automatically: error ratio 10.2% vs stable 0.3% (limit stable + 1 points). Removed unicorn-canary; production runs only its stable pods.";
    const reply = canaryMessage({ ...base, result: failing, end: { outcome: "aborted", text } });
    expect(reply.tone).to.equal("error");
    expect(reply.summary).to.equal(text);
    const shown = renderText(reply);
    expect(shown).to.include("error ratio   10.2%    0.3%     ≤ stable + 1 points   FAIL");
    expect(shown).to.include("Traffic: its pods beside the stable pods (no weights)");
    expect(shown.split("\n").at(-1)).to.equal(text);
    expect(canaryMessage({ ...base, result: passing, end: { outcome: "promoting", text: "promoting it to production." } }).tone).to.equal("success");
  });

  it("does not judge figures while samples are too few, and says why; before any round it waits", () => {
    const few = { ...passing!, verdict: "too-few-samples" as const, samples: 12, reason: "12 requests to the canary in 30s, fewer than the 50 a verdict needs" };
    const shown = renderText(canaryMessage({ ...base, result: few }));
    expect(shown).to.include("Analysis: too few samples (5s ago)");
    expect(shown).to.include("Samples: 12 of 50 needed");
    expect(shown).to.match(/error ratio +0\.2% +0\.3% +≤ stable \+ 1 points +not judged/);
    expect(shown).to.include("12 requests to the canary in 30s, fewer than the 50 a verdict needs");
    const first = renderText(canaryMessage({ ...base, istio: { weight: 5, steps: [5, 25, 50, 100] }, news: "The github canary takes 5% of the traffic (Istio)." }));
    expect(first).to.include("Analysis: waiting for the first round");
    expect(first).to.include("Samples: - of 50 needed");
    expect(first).to.not.include("QUERY");
    expect(first).to.include("The github canary takes 5% of the traffic (Istio).");
  });

  it("is plain text for Slack: labels from config stay text, the table a code block", () => {
    const hostile = { ...analysis, queries: { errorRatio: { ...DEFAULT_ANALYSIS_QUERIES.errorRatio, label: "<!channel> errors" } } };
    const result = { ...passing!, figures: [{ ...passing!.figures[0]!, label: "<!channel> errors" }] };
    const rendered = renderBlocks(canaryMessage({ ...base, analysis: hostile, result }));
    const json = JSON.stringify(rendered.blocks);
    expect(json).to.not.include("<!channel>");
    expect(json).to.include("&lt;!channel&gt; errors");
    expect(rendered.text).to.not.include("<!channel>");
  });
});
