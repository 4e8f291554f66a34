import { z } from "zod";

// Canary analysis (issue 18): named PromQL queries run against Prometheus every interval while a canary runs,
// each for the canary's pods and for the stable pods, with thresholds absolute and relative to stable.
// `deploy.analysis` holds the defaults; `apps.<app>.analysis` overrides them field by field (queries by name).

export const DEFAULT_ANALYSIS_QUERIES = {
  errorRatio: {
    label: "error ratio",
    query:
      'sum(rate(http_requests_total{namespace="{{namespace}}",pod=~"{{pods}}",code=~"5.."}[{{interval}}])) / sum(rate(http_requests_total{namespace="{{namespace}}",pod=~"{{pods}}"}[{{interval}}]))',
    format: "percent" as const,
    maxAboveStable: 0.01,
  },
  p99Latency: {
    label: "p99 latency",
    query: 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="{{namespace}}",pod=~"{{pods}}"}[{{interval}}])))',
    format: "duration" as const,
    maxTimesStable: 1.2,
  },
};

export const DEFAULT_SAMPLES_QUERY = 'sum(increase(http_requests_total{namespace="{{namespace}}",pod=~"{{pods}}"}[{{interval}}]))';

/**
 * The schemas, built with the config schema (buildConfigSchema) and dropped after the parse, not kept at module level.
 */
export function analysisSchemas() {
  /** One query: `{{namespace}}`, `{{pods}}` (a regex of pod names), `{{track}}` and `{{interval}}` are filled in. */
  const analysisQuerySchema = z
    .object({
      /** How the figure reads in chat: "error ratio". */
      label: z.string().min(1).max(60),
      query: z.string().min(1).max(2000),
      /** How to show the figure: a percentage, seconds as ms, or a plain number. */
      format: z.enum(["percent", "duration", "number"]).default("number"),
      /** Fails when the canary's figure is above this. */
      max: z.number().nonnegative().optional(),
      /** Fails when the canary's figure is above stable's plus this (0.01 = one point for a ratio). */
      maxAboveStable: z.number().nonnegative().optional(),
      /** Fails when the canary's figure is above this many times stable's. */
      maxTimesStable: z.number().positive().optional(),
    })
    .strict();

  const analysisFields = {
    /** Prometheus's base URL (http or https); analysis is off for an app without one. */
    prometheusUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** Seconds between evaluations; also the `{{interval}}` of the queries' range vectors. */
    intervalSeconds: z.number().int().min(1).max(3600).optional(),
    /** Requests the canary must have served in an interval for that interval's figures to count. */
    minSamples: z.number().int().nonnegative().optional(),
    /** A query giving the canary's requests in the interval, for minSamples. */
    samplesQuery: z.string().min(1).max(2000).optional(),
    /** How long the canary must pass before it may be promoted automatically. */
    bakeSeconds: z.number().int().nonnegative().optional(),
    /** Promote through the normal production path (approvals and freezes apply) once baked and passing. */
    autoPromote: z.boolean().optional(),
    queries: z.record(z.string().regex(/^[a-z][a-zA-Z0-9_-]{0,39}$/, "a query name such as errorRatio"), analysisQuerySchema).optional(),
  };

  /** Per-app overrides: every field optional. */
  const appAnalysisSchema = z.object(analysisFields).strict();

  /** The defaults (`deploy.analysis`). */
  const analysisDefaultsSchema = z
    .object({
      ...analysisFields,
      intervalSeconds: analysisFields.intervalSeconds.default(60),
      minSamples: analysisFields.minSamples.default(50),
      samplesQuery: analysisFields.samplesQuery.default(DEFAULT_SAMPLES_QUERY),
      bakeSeconds: analysisFields.bakeSeconds.default(600),
      autoPromote: analysisFields.autoPromote.default(false),
      queries: analysisFields.queries.default(DEFAULT_ANALYSIS_QUERIES),
    })
    .strict();

  /** How an app's canary takes traffic: `pod` (one pod behind the Service) or `istio` (weights stepped through a VirtualService). */
  const canaryModeSchema = z
    .object({
      mode: z.enum(["pod", "istio"]).default("pod"),
      /** Istio: the canary's weights in percent, rising, the last 100; one step per passing analysis. */
      steps: z
        .array(z.number().int().min(1).max(100))
        .min(1)
        .max(20)
        .refine((s) => s.every((w, i) => i === 0 || w > s[i - 1]!) && s.at(-1) === 100, "rising weights ending at 100, e.g. [5, 25, 50, 100]")
        .default([5, 25, 50, 100]),
    })
    .strict();
  return { analysisQuerySchema, appAnalysisSchema, analysisDefaultsSchema, canaryModeSchema };
}

type AnalysisSchemas = ReturnType<typeof analysisSchemas>;
export type AnalysisDefaults = z.infer<AnalysisSchemas["analysisDefaultsSchema"]>;
export type AppAnalysis = z.infer<AnalysisSchemas["appAnalysisSchema"]>;
export type AnalysisQuery = z.infer<AnalysisSchemas["analysisQuerySchema"]>;
