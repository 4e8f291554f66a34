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
  const stopping = new AbortController();
  const interval = canaryGuardInterval(services.config);
  const rounds = async () => {
    while (!stopping.signal.aborted) {
      await services.clock.sleep(interval, stopping.signal).catch(() => undefined);
      if (stopping.signal.aborted || (services.leader && !services.leader.isLeader())) continue;
      await guardCanaries(services, log).catch(() => undefined);
    }
  };
  const running = rounds();
  return {
    stop: async () => {
      stopping.abort();
      await running;
    },
  };
};
