import type { Logger } from "../../core/logger.js";
import type { BackgroundTask, Services } from "../../core/services.js";
import { coordinationOf, sweepExpired } from "./coordination.js";
import { Leadership } from "./leadership.js";
import { recoverDeploys } from "./recover-deploys.js";

// What only the leader does: on gaining leadership, restart recovery (recover-deploys.ts); on every tenth round,
// deleting expired coordination Leases. Sets services.leader, which the canary watchdog consults.

export function startLeaderWork(services: Services, log: Logger): BackgroundTask & { leadership: Leadership } {
  const c = coordinationOf(services);
  let rounds = 0;
  const leadership = new Leadership(
    c,
    log,
    async () => {
      await recoverDeploys(services, log, services.audit);
      await sweep();
    },
    async () => {
      if (++rounds % 10 === 0) await sweep();
    },
  );
  const sweep = async () => {
    for (const purpose of ["confirmation", "event", "replica"] as const) await sweepExpired(c, purpose);
  };
  services.leader = leadership;
  leadership.start();
  return { leadership, stop: () => leadership.stop() };
}
