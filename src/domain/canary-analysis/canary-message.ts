import { plainText, type Block, type Reply, type Text, type Tone } from "../../core/reply.js";
import { humanDuration } from "../format/human-duration.js";
import { formatTable } from "../format/text-table.js";
import type { CanaryAnalysisConfig } from "./analysis-config.js";
import { formatFigure, thresholdsText, type AnalysisResult } from "./evaluate-analysis.js";

// The canary's message: one per canary run, posted by the guard and rewritten in place every analysis round, with
// the latest figures for canary vs stable (each query: both values, its thresholds, pass or fail), the Istio weight
// and step, the samples against the minimum and the bake time against the required; the end (aborted with the
// numbers that failed, or promoting) is written into it last. Plain data: Slack and the terminal render it.

export interface CanaryMessageFacts {
  app: string;
  baseEnv: string;
  pr?: number;
  sha?: string;
  analysis: CanaryAnalysisConfig;
  /** The latest evaluation, if one was made. */
  result?: AnalysisResult;
  /** Istio mode: the canary's weight now and the configured steps. */
  istio?: { weight: number; steps: number[] };
  /** When the canary started (tugboat.dev/canary-started-at), for the bake time. */
  startedAt?: string;
  now: Date;
  /** What just happened that the figures do not say ("passed at 5%: now takes 25% of the traffic"). */
  news?: string;
  /** How this canary run ended, once it has (promoting: the automatic promotion was asked for). */
  end?: { outcome: "aborted" | "promoting" | "promoted"; text: Text };
}

const VERDICT: Record<AnalysisResult["verdict"], string> = { pass: "passing", fail: "failing", "too-few-samples": "too few samples", unreachable: "Prometheus unreachable" };

export function canaryTitle(f: Pick<CanaryMessageFacts, "app" | "baseEnv" | "pr" | "sha">): string {
  return `${f.app} canary${f.pr !== undefined ? ` of PR #${f.pr}` : ""}${f.sha ? ` (${f.sha.slice(0, 7)})` : ""} in ${f.baseEnv}`;
}

function trafficText(istio: CanaryMessageFacts["istio"]): string {
  if (!istio) return "its pods beside the stable pods (no weights)";
  const step = istio.steps.indexOf(istio.weight);
  return `${istio.weight}%${step >= 0 ? ` (step ${step + 1} of ${istio.steps.length})` : ""}`;
}

/** One row per query: canary, stable, thresholds, and pass/fail (not judged while samples are too few). */
export function figuresTable(result: AnalysisResult, analysis: CanaryAnalysisConfig): string {
  const judged = result.verdict === "pass" || result.verdict === "fail";
  const rows = result.figures.map((fig) => {
    const query = analysis.queries[fig.name];
    const outcome = !judged ? "not judged" : fig.failure ? "FAIL" : fig.canary === undefined ? "n/a" : "pass";
    return [fig.label, formatFigure(fig.canary, fig.format), formatFigure(fig.stable, fig.format), query ? thresholdsText(query) : "-", outcome];
  });
  return formatTable(["QUERY", "CANARY", "STABLE", "THRESHOLD", "RESULT"], rows);
}

function analysisText(result: AnalysisResult | undefined, now: Date): string {
  if (!result) return "waiting for the first round";
  const ago = Math.max(0, Math.round((now.getTime() - Date.parse(result.at)) / 1000));
  return `${VERDICT[result.verdict]} (${ago}s ago)`;
}

export function canaryMessage(f: CanaryMessageFacts): Reply {
  const { analysis, result } = f;
  const started = Date.parse(f.startedAt ?? "");
  const baked = Number.isFinite(started) ? humanDuration(Math.max(0, f.now.getTime() - started)) : "?";
  const bakeText = `${baked} of ${humanDuration(analysis.bakeSeconds * 1000)}`;
  const samplesText = `${result?.samples !== undefined ? Math.floor(result.samples) : "-"} of ${analysis.minSamples} needed`;
  const blocks: Block[] = [
    { type: "header", text: canaryTitle(f) },
    {
      type: "fields",
      fields: [
        { label: "Analysis", value: analysisText(result, f.now) },
        { label: "Traffic", value: trafficText(f.istio) },
        { label: "Samples", value: samplesText },
        { label: "Bake time", value: bakeText },
      ],
    },
  ];
  if (result && result.figures.length > 0) blocks.push({ type: "code", text: figuresTable(result, analysis) });
  const notes = [f.end?.text, f.news, !f.end && result && result.verdict !== "pass" ? result.reason : undefined].filter((t): t is Text => t !== undefined && t !== "");
  for (const text of notes) blocks.push({ type: "text", text });
  if (!f.end) blocks.push({ type: "context", text: `Judged every ${analysis.intervalSeconds}s and updated here; \`/canary status ${f.app}\` shows the same figures.` });
  const tone: Tone = f.end ? (f.end.outcome === "aborted" ? "error" : "success") : "info";
  const figures = result?.figures.map((fig) => `${fig.label} ${formatFigure(fig.canary, fig.format)} vs ${formatFigure(fig.stable, fig.format)}`).join(", ");
  const summary = f.end
    ? plainText(f.end.text)
    : `${canaryTitle(f)}: ${analysisText(result, f.now)}${figures ? `, ${figures}` : ""}; traffic ${trafficText(f.istio)}; samples ${samplesText}; baked ${bakeText}`;
  return { summary, tone, blocks };
}
