import type { BackgroundStarter } from "../../core/services.js";
import { guardCanaries } from "../../domain/deploy/canary-guard.js";

// The canary guard as background work: a round every canaryReadySeconds/4 (1 s to 30 s) on the injected clock,
// never two at once, on the elected leader only (two replicas would race to abort and post twice).

export function canaryGuardInterval(readySeconds: number): number {
  return Math.max(1000, Math.min(30_000, (readySeconds * 1000) / 4));
}

export const startCanaryGuard: BackgroundStarter = (services, log) => {
  const stopping = new AbortController();
  const interval = canaryGuardInterval(services.config.deploy.canaryReadySeconds);
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
