import type { TugboatConfig } from "../../config/schema.js";
import type { AnalysisQuery } from "../../config/analysis-schema.js";

// An app's canary analysis: deploy.analysis with apps.<app>.analysis over it (queries merged by name).

export interface CanaryAnalysisConfig {
  prometheusUrl: string;
  intervalSeconds: number;
  minSamples: number;
  samplesQuery: string;
  bakeSeconds: number;
  autoPromote: boolean;
  queries: Record<string, AnalysisQuery>;
}

/** The app's analysis, or undefined when no Prometheus URL is configured for it (analysis off). */
export function analysisFor(config: TugboatConfig, app: string): CanaryAnalysisConfig | undefined {
  const defaults = config.deploy.analysis;
  const own = config.apps[app]?.analysis ?? {};
  const prometheusUrl = own.prometheusUrl ?? defaults.prometheusUrl;
  if (!prometheusUrl) return undefined;
  return {
    prometheusUrl,
    intervalSeconds: own.intervalSeconds ?? defaults.intervalSeconds,
    minSamples: own.minSamples ?? defaults.minSamples,
    samplesQuery: own.samplesQuery ?? defaults.samplesQuery,
    bakeSeconds: own.bakeSeconds ?? defaults.bakeSeconds,
    autoPromote: own.autoPromote ?? defaults.autoPromote,
    queries: { ...defaults.queries, ...(own.queries ?? {}) },
  };
}
