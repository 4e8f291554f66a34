import { errorMessage } from "../../core/errors.js";
import type { AnalysisQuery } from "../../config/analysis-schema.js";
import type { PrometheusGateway } from "../../gateways/prometheus-port.js";
import type { CanaryAnalysisConfig } from "./analysis-config.js";
import { fillQuery } from "./promql-template.js";

// One evaluation of a canary: each named query for the canary's pods and for the stable pods, then the
// thresholds. Prometheus computes every figure; this only compares them.

export interface AnalysisFigure {
  name: string;
  label: string;
  format: AnalysisQuery["format"];
  canary?: number;
  stable?: number;
  /** Why this figure fails its thresholds ("error ratio 10.2% vs stable 0.3%, above stable + 1 point"). */
  failure?: string;
}

export interface AnalysisResult {
  /** ISO time of the evaluation. */
  at: string;
  verdict: "pass" | "fail" | "too-few-samples" | "unreachable";
  /** The canary's requests in the interval, when the samples query answered. */
  samples?: number;
  figures: AnalysisFigure[];
  /** fail: the failures joined; unreachable: what went wrong; too-few-samples: how many there were. */
  reason?: string;
}

export function formatFigure(value: number | undefined, format: AnalysisQuery["format"]): string {
  if (value === undefined) return "n/a";
  if (format === "percent") return `${(value * 100).toFixed(1)}%`;
  if (format === "duration") return value >= 1 ? `${value.toFixed(2)} s` : `${Math.round(value * 1000)} ms`;
  return Number(value.toPrecision(3)).toString();
}

function limitText(q: AnalysisQuery, which: "max" | "above" | "times"): string {
  if (which === "max") return `limit ${formatFigure(q.max, q.format)}`;
  if (which === "times") return `limit ${q.maxTimesStable}x stable`;
  return q.format === "percent" ? `limit stable + ${Number(((q.maxAboveStable ?? 0) * 100).toPrecision(3))} points` : `limit stable + ${formatFigure(q.maxAboveStable, q.format)}`;
}

/** A query's thresholds as the canary's message shows them ("≤ stable + 1 points, ≤ 500 ms"); "-" when it has none. */
export function thresholdsText(q: AnalysisQuery): string {
  const limits = [q.max !== undefined ? "max" : undefined, q.maxAboveStable !== undefined ? "above" : undefined, q.maxTimesStable !== undefined ? "times" : undefined];
  const texts = limits.filter((w): w is "max" | "above" | "times" => w !== undefined).map((w) => `≤ ${limitText(q, w).slice("limit ".length)}`);
  return texts.length > 0 ? texts.join(", ") : "-";
}

/** Why the canary's figure fails the query's thresholds, if it does. A missing stable figure skips the relative ones. */
export function checkFigure(q: AnalysisQuery, canary: number | undefined, stable: number | undefined): string | undefined {
  if (canary === undefined) return undefined;
  const figures = `${q.label} ${formatFigure(canary, q.format)} vs stable ${formatFigure(stable, q.format)}`;
  if (q.max !== undefined && canary > q.max) return `${figures} (${limitText(q, "max")})`;
  if (stable !== undefined && q.maxAboveStable !== undefined && canary > stable + q.maxAboveStable + 1e-12) return `${figures} (${limitText(q, "above")})`;
  if (stable !== undefined && q.maxTimesStable !== undefined && canary > stable * q.maxTimesStable + 1e-12) return `${figures} (${limitText(q, "times")})`;
  return undefined;
}

export async function evaluateCanary(
  prometheus: PrometheusGateway,
  analysis: CanaryAnalysisConfig,
  input: { namespace: string; canaryPods: string[]; stablePods: string[]; at: Date },
): Promise<AnalysisResult> {
  const at = input.at.toISOString();
  const values = (track: "canary" | "stable", pods: string[]) => ({ namespace: input.namespace, track, pods, intervalSeconds: analysis.intervalSeconds });
  const run = (template: string, track: "canary" | "stable", pods: string[]) => prometheus.queryNumber(analysis.prometheusUrl, fillQuery(template, values(track, pods)));
  try {
    const samples = (await run(analysis.samplesQuery, "canary", input.canaryPods)) ?? 0;
    const figures: AnalysisFigure[] = [];
    for (const [name, q] of Object.entries(analysis.queries)) {
      const [canary, stable] = await Promise.all([run(q.query, "canary", input.canaryPods), run(q.query, "stable", input.stablePods)]);
      figures.push({ name, label: q.label, format: q.format, canary, stable, failure: checkFigure(q, canary, stable) });
    }
    if (samples < analysis.minSamples) {
      return { at, verdict: "too-few-samples", samples, figures, reason: `${Math.floor(samples)} requests to the canary in ${analysis.intervalSeconds}s, fewer than the ${analysis.minSamples} a verdict needs` };
    }
    const failures = figures.map((f) => f.failure).filter((f): f is string => f !== undefined);
    if (failures.length > 0) return { at, verdict: "fail", samples, figures, reason: failures.join("; ") };
    return { at, verdict: "pass", samples, figures };
  } catch (err) {
    return { at, verdict: "unreachable", figures: [], reason: errorMessage(err) };
  }
}

/** "error ratio 0.2% (stable 0.3%), p99 latency 80 ms (stable 80 ms)" */
export function figuresLine(result: AnalysisResult): string {
  return result.figures.map((f) => `${f.label} ${formatFigure(f.canary, f.format)} (stable ${formatFigure(f.stable, f.format)})`).join(", ");
}

/** How /canary status and the canary's message show the latest evaluation. */
export function analysisStatusLine(result: AnalysisResult, now: Date): string {
  const ago = Math.max(0, Math.round((now.getTime() - Date.parse(result.at)) / 1000));
  const head = `Analysis (${result.verdict}, ${ago}s ago)`;
  if (result.verdict === "unreachable") return `${head}: ${result.reason}; the canary keeps running and is not promoted.`;
  const figures = figuresLine(result);
  if (result.verdict === "too-few-samples") return `${head}: ${result.reason}${figures ? `; ${figures}` : ""}.`;
  return `${head}: ${figures}${result.verdict === "fail" ? ` — ${result.reason}` : ""}.`;
}
