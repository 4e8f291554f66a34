import type { Logger } from "../../core/logger.js";
import type { BackgroundTask, Services } from "../../core/services.js";
import { errorMessage } from "../../core/errors.js";
import { getOwn } from "../../core/own-keys.js";
import { mention, rich, type Reply } from "../../core/reply.js";
import { repeatOnClock } from "../../core/repeat-on-clock.js";
import { LeaseLock, keepRenewing } from "../lease-lock.js";
import { mapLimit } from "../apply-objects.js";
import { findLab, listLabs } from "./find-labs.js";
import { humanDuration } from "../format/human-duration.js";
import type { LabInfo } from "./lab-metadata.js";
import { deleteLabNamespace, markLabInactive, noteLabRemoved } from "./remove-lab.js";

// The reaper removes labs whose expiry has passed or whose PR was closed or merged. One bot replica reaps:
// the leader, elected through a Lease it keeps renewing (it does not release it between passes, so the
// other replicas stay followers until it stops or dies). A pass is idempotent: terminating labs are skipped
// and a namespace that is already gone counts as removed.

export interface ReapedLab {
  lab: LabInfo;
  reason: string;
}

export interface ReapReport {
  /** This instance held the lease and made the pass. */
  leader: boolean;
  /** The leader, when it was someone else. */
  heldBy?: string;
  reaped: ReapedLab[];
  failures: string[];
}

const running = new WeakMap<Services, Promise<ReapReport>>();

export function reaperLock(services: Services): LeaseLock | undefined {
  const cfg = services.config.reviewlab;
  if (!cfg) return undefined;
  return new LeaseLock(services.kube.cluster(cfg.cluster), cfg.reaper.leaseNamespace, cfg.reaper.leaseName);
}

function leaseSeconds(services: Services): number {
  const r = services.config.reviewlab!.reaper;
  return r.leaseSeconds ?? Math.max(60, Math.ceil(r.intervalSeconds * 2));
}

/** One reaper pass. Concurrent calls on the same services share one pass. */
export function reapOnce(services: Services, log: Logger): Promise<ReapReport> {
  const current = running.get(services);
  if (current) return current;
  const pass = reapPass(services, log).finally(() => running.delete(services));
  running.set(services, pass);
  return pass;
}

async function reapPass(services: Services, log: Logger): Promise<ReapReport> {
  const cfg = services.config.reviewlab;
  const lock = reaperLock(services);
  if (!cfg || !lock) return { leader: false, reaped: [], failures: [] };
  const holder = services.instanceId;
  const now = services.clock.now();
  // Still the leader? Renew. Otherwise try to become it.
  if (!(await lock.renew(holder, now))) {
    const got = await lock.acquire({ holder, kind: "reviewlab-reaper", reason: "review-lab reaper", durationSeconds: leaseSeconds(services), now });
    if (!got.acquired) {
      log.debug("review-lab reaper: another replica leads", { leader: got.heldBy.holder });
      return { leader: false, heldBy: got.heldBy.holder, reaped: [], failures: [] };
    }
  }

  // Keep the lease while the pass runs (PR lookups can be slow); stop deleting if leadership is lost meanwhile.
  const renewal = keepRenewing(() => lock.renew(holder, services.clock.now()), leaseSeconds(services), lock.name, services.clock);
  try {
    return await reapAsLeader(services, log, renewal.lost);
  } finally {
    renewal.stop();
  }
}

async function reapAsLeader(services: Services, log: Logger, lost: AbortSignal): Promise<ReapReport> {
  const cfg = services.config.reviewlab!;
  const now = services.clock.now();
  const cluster = services.kube.cluster(cfg.cluster);
  const labs = (await listLabs(cluster)).filter((l) => !l.terminating);
  const doomed: ReapedLab[] = [];
  const failures: string[] = [];
  const prChecks: LabInfo[] = [];
  for (const lab of labs) {
    // A pinned lab outlives its expiry, not its PR.
    if (lab.expiresAt.getTime() <= now.getTime() && !lab.pinned) doomed.push({ lab, reason: `expired ${humanDuration(now.getTime() - lab.expiresAt.getTime())} ago` });
    else if (lab.pr !== undefined) prChecks.push(lab);
  }
  await mapLimit(prChecks, 4, async (lab) => {
    const repo = getOwn(services.config.apps, lab.app)?.repo;
    if (!repo) return;
    try {
      const pr = await services.github.getPull(repo, lab.pr!);
      if (pr.state === "closed") doomed.push({ lab, reason: `PR #${pr.number} was ${pr.merged ? "merged" : "closed"}` });
    } catch (err) {
      log.warn("review-lab reaper: cannot read the lab's PR; keeping the lab", { namespace: lab.namespace, pr: lab.pr, error: errorMessage(err) });
    }
  });

  const reaped: ReapedLab[] = [];
  await mapLimit(doomed, 4, async (d) => {
    if (lost.aborted) return; // another replica leads now; it will judge this lab itself
    try {
      // The list may be stale by now (PR lookups take a while): someone may have run `up` or `extend` since.
      // Delete only what still is the lab we judged; a changed lab is judged again on the next pass.
      const fresh = await findLab(cluster, d.lab.namespace);
      if (fresh.state === "foreign") return;
      if (fresh.state === "lab" && changedSince(d.lab, fresh.lab)) {
        log.info("review-lab reaper: lab changed since it was listed; keeping it", { namespace: d.lab.namespace });
        return;
      }
      if (fresh.state === "lab" && !fresh.lab.terminating) await deleteLabNamespace(cluster, d.lab.namespace);
      reaped.push(d);
      log.info("review-lab reaper removed a lab", { namespace: d.lab.namespace, branch: d.lab.branch, reason: d.reason });
      const repo = getOwn(services.config.apps, d.lab.app)?.repo;
      if (repo) {
        await markLabInactive(services.github, repo, d.lab, log);
        await noteLabRemoved(services.github, repo, d.lab, d.reason, log);
      }
    } catch (err) {
      failures.push(`${d.lab.namespace}: ${errorMessage(err)}`);
      log.warn("review-lab reaper could not remove a lab", { namespace: d.lab.namespace, error: errorMessage(err) });
    }
  });

  services.metrics?.labsAlive(labs.length - reaped.length);
  if ((reaped.length > 0 || failures.length > 0) && cfg.reaper.channel) {
    try {
      await services.notifier.post(cfg.reaper.channel, reaperReply(reaped, failures));
    } catch (err) {
      log.warn("review-lab reaper could not post its report", { error: errorMessage(err) });
    }
  }
  return { leader: true, reaped, failures };
}

function changedSince(listed: LabInfo, now: LabInfo): boolean {
  return (
    listed.branch !== now.branch ||
    listed.sha !== now.sha ||
    listed.pr !== now.pr ||
    listed.pinned !== now.pinned ||
    listed.updatedAt.getTime() !== now.updatedAt.getTime() ||
    listed.expiresAt.getTime() !== now.expiresAt.getTime()
  );
}

export function reaperReply(reaped: ReapedLab[], failures: string[]): Reply {
  const n = reaped.length;
  const summary = `Review-lab reaper removed ${n} lab${n === 1 ? "" : "s"}${failures.length > 0 ? ` (${failures.length} could not be removed)` : ""}`;
  const blocks: Reply["blocks"] = [{ type: "text", text: `*${summary}*` }];
  if (n > 0) {
    blocks.push({
      type: "list",
      items: reaped.map(({ lab, reason }) => rich`\`${lab.branch}\` (${lab.namespace}, owner ${mention(lab.owner)}): ${reason}`),
    });
  }
  if (failures.length > 0) blocks.push({ type: "list", items: failures.map((f) => `could not remove ${f}`) });
  return { summary, tone: failures.length > 0 ? "warning" : "info", blocks };
}

/** The family's background starter: a pass at startup, then one every reaper.intervalSeconds. */
export function startReaper(services: Services, log: Logger): BackgroundTask {
  const cfg = services.config.reviewlab;
  if (!cfg) return { stop: async () => {} };
  const passes = repeatOnClock(services.clock, cfg.reaper.intervalSeconds * 1000, async () => void (await reapOnce(services, log)), {
    first: "now",
    onError: (err) => log.warn("review-lab reaper pass failed", { error: errorMessage(err) }),
  });
  return {
    stop: async () => {
      await passes.stop();
      // Hand leadership over at once instead of making the others wait for the lease to expire.
      await reaperLock(services)?.release(services.instanceId).catch(() => false);
    },
  };
}
