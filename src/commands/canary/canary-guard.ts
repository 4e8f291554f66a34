import { repeatOnClock } from "../../core/repeat-on-clock.js";
import type { BackgroundStarter } from "../../core/services.js";
import { guardCanaries } from "../../domain/deploy/canary-guard.js";
import { analysisFor } from "../../domain/canary-analysis/analysis-config.js";
import type { TugboatConfig } from "../../config/schema.js";

// The canary guard as background work: a round every canaryReadySeconds/4 (1 s to 30 s), or more often when an
// app's canary analysis interval is shorter, on the injected clock, never two at once, on the elected leader only
// (two replicas would race to abort and post twice).

export function canaryGuardInterval(config: TugboatConfig): number {
  const readyMs = Math.max(1000, Math.min(30_000, (config.deploy.canaryReadySeconds * 1000) / 4));
  const analysisMs = Object.keys(config.apps).map((app) => (analysisFor(config, app)?.intervalSeconds ?? Infinity) * 1000);
  return Math.max(1000, Math.min(readyMs, ...analysisMs));
}

export const startCanaryGuard: BackgroundStarter = (services, log) => {
  const rounds = repeatOnClock(services.clock, canaryGuardInterval(services.config), async () => {
    if (services.leader && !services.leader.isLeader()) return;
    await guardCanaries(services, log);
  });
  return { stop: () => rounds.stop() };
};
