import type { Logger } from "../../core/logger.js";
import type { BackgroundTask, Services } from "../../core/services.js";
import { coordinationOf, sweepExpired } from "./coordination.js";
import { Leadership } from "./leadership.js";
import { recoverDeploys } from "./recover-deploys.js";
import { recoverLabs } from "./recover-labs.js";
import { handOverAll } from "../deploy-queue/hand-over.js";

// What only the leader does: restart recovery (recover-deploys.ts) on gaining leadership and every twelfth round
// (a round is a third of coordination.leaseSeconds), and deleting expired coordination Leases every tenth. Sets
// services.leader, which the canary guard consults.

const RECOVERY_EVERY_ROUNDS = 12;

export function startLeaderWork(services: Services, log: Logger): BackgroundTask & { leadership: Leadership } {
  const c = coordinationOf(services);
  let rounds = 0;
  const leadership = new Leadership(
    c,
    log,
    async () => {
      await recover();
      await sweep();
    },
    async () => {
      rounds++;
      // A follower that dies mid-deploy leaves its deploy to the leader: look again about once a minute (default).
      if (rounds % RECOVERY_EVERY_ROUNDS === 0) await recover();
      if (rounds % 10 === 0) await sweep();
      // A lock that expired (its replica died) or a turn that ran out: the next in a deploy queue gets the turn.
      await handOverAll(services, log);
    },
  );
  // Stopping aborts a recovery that is following a rollout: shutdown must not wait for a rollout time-out.
  const stopping = new AbortController();
  const recover = async () => {
    await recoverDeploys(services, log, services.audit, stopping.signal);
    if (!stopping.signal.aborted) await recoverLabs(services, log, services.audit);
  };
  const sweep = async () => {
    for (const purpose of ["confirmation", "event", "replica", "approval", "freeze", "queue"] as const) await sweepExpired(c, purpose);
  };
  services.leader = leadership;
  leadership.start();
  return {
    leadership,
    stop: async () => {
      stopping.abort();
      await leadership.stop();
    },
  };
}
