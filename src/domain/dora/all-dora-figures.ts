import type { TugboatConfig } from "../../config/schema.js";
import type { DoraGaugeValues } from "../../core/metrics.js";
import type { GithubGateway } from "../../gateways/types.js";
import { resolveDeployEnv } from "../deploy/resolve-deploy-env.js";
import { readDoraFigures } from "./read-deploy-history.js";

// Every app's DORA figures in each of its environments (canaries are their base's), for /metrics.

export const METRICS_DAYS = 30;

export async function allDoraFigures(config: TugboatConfig, github: GithubGateway, until: Date): Promise<Array<{ app: string; env: string; days: number; figures: DoraGaugeValues }>> {
  const out: Array<{ app: string; env: string; days: number; figures: DoraGaugeValues }> = [];
  // One environment at a time: a refresh is background work and should not burst GitHub's rate limit.
  for (const app of Object.keys(config.apps)) {
    for (const name of Object.keys(config.environments)) {
      const env = resolveDeployEnv(config, app, name);
      if (env.canary) continue;
      const figures = await readDoraFigures(github, { repo: env.repo, environment: env.env, until, days: METRICS_DAYS });
      out.push({ app, env: env.env, days: METRICS_DAYS, figures });
    }
  }
  return out;
}
