import { errorMessage } from "../core/errors.js";
import { joinText, rich, textReply, type Reply } from "../core/reply.js";
import type { Services } from "../core/services.js";
import { resolveDeployEnv } from "../domain/deploy/resolve-deploy-env.js";
import { describeFreeze, freezeScope } from "../domain/freeze/check-freeze.js";
import { followDeployHolds } from "../domain/freeze/follow-deploy-holds.js";
import { environmentChannels } from "../domain/freeze/break-glass.js";
import { describeIgnored, imageGateOf, readImageGate } from "../domain/image-gate.js";
import { coordinationOf } from "../domain/replicas/coordination.js";
import type { DeliveryContext } from "./dispatch.js";

// The two waits of deploy on merge outside the deploy use case: the deadline for a commit's image
// (autoDeploy.imageTimeoutMinutes), and, with autoDeploy.duringFreeze: queue, waiting out a freeze and any live turn
// of the environment's deploy queue before deploying. Both end early when the branch moves on (a newer merge
// supersedes) or Tugboat stops; both live in this replica's memory only (a restart forgets them, as it forgets
// nothing else: the next push or status asks again).

/** How often a queued merge asks again whether it is still the branch's head (an unfreeze or a turn's end wakes it at once). */
export const FREEZE_RECHECK_MS = 60_000;

export interface MergeCommit {
  app: string;
  repo: string;
  sha: string;
  branch: string;
}

/** Posts to `channel` (nothing when there is none); a failed post is logged, not thrown. */
export async function postTo(services: Services, ctx: DeliveryContext, channel: string | undefined, reply: Reply): Promise<void> {
  if (!channel) return;
  await services.notifier.post(channel, reply).catch((err: unknown) => ctx.log.warn("auto-deploy: cannot post to the channel", { error: errorMessage(err) }));
}

/** The channel of an app's first auto-deploy environment, which hears of merges that deploy nothing. */
export function autoDeployChannel(services: Services, app: string): string | undefined {
  return environmentChannels(services.config, app, services.config.apps[app]!.autoDeploy!.environments[0]!)[0];
}

async function isHead(services: Services, m: MergeCommit): Promise<boolean> {
  return (await services.github.getCommit(m.repo, m.branch)).sha === m.sha;
}

/** False when `signal` ended the sleep (Tugboat stops). */
async function sleepUnlessStopped(services: Services, ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await services.clock.sleep(ms, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * After `imageTimeoutMinutes`, a commit that is still the branch's head and whose image contexts are not all green is
 * given up: the first environment's channel is told in one line (once across replicas, `claim`). Started, not
 * awaited, by the push, so a delivery's handlers do not stay open for the whole deadline.
 */
export async function imageDeadline(services: Services, ctx: DeliveryContext, m: MergeCommit, claim: (key: string) => Promise<boolean>): Promise<void> {
  const app = services.config.apps[m.app]!;
  const auto = app.autoDeploy!;
  const minutes = auto.imageTimeoutMinutes;
  if (!(await sleepUnlessStopped(services, minutes * 60_000, ctx.signal))) return;
  try {
    if (!(await isHead(services, m))) return;
    const gate = await readImageGate(services.github, m.repo, m.sha, imageGateOf(m.app, app));
    if (gate.every((g) => g.state === "success")) return;
    if (!(await claim(`auto-deploy-timeout:${m.app}:${m.sha}`))) return;
    const states = gate.map((g) => `${g.context} ${g.state}${g.ignored ? ` (ignored ${describeIgnored(g)}: not trusted)` : ""}`).join(", ");
    ctx.log.warn("auto-deploy: the image did not turn green in time", { app: m.app, sha: m.sha, gate: states });
    await postTo(
      services,
      ctx,
      autoDeployChannel(services, m.app),
      textReply(`Auto-deploy of ${m.app} ${m.sha.slice(0, 7)} (${m.branch}): its image never turned green within ${minutes} min (${states}); nothing was deployed.`, "warning"),
    );
  } catch (err) {
    ctx.log.warn("auto-deploy: the image deadline could not be checked", { app: m.app, sha: m.sha, error: errorMessage(err) });
  }
}

/**
 * autoDeploy.duringFreeze: queue. Waits while `env` is frozen or someone's turn in its deploy queue is live, saying
 * once in the channel that the merge waits; true when the deploy may go on, false when a newer merge superseded it
 * or Tugboat stops. The freeze and queue Leases are followed by informers, so an unfreeze or a turn's end goes on
 * at once; a window or turn that ends by time alone wakes it at that moment, and the branch is asked again whether
 * this merge is still its head at least every FREEZE_RECHECK_MS. The deploy use case checks the freeze again.
 */
export async function waitOutFreeze(services: Services, ctx: DeliveryContext, m: MergeCommit, env: string): Promise<boolean> {
  const { config } = services;
  const c = coordinationOf(services);
  const key = { app: m.app, env: resolveDeployEnv(config, m.app, env).baseEnv };
  const channel = environmentChannels(config, m.app, env)[0];
  const holds = await followDeployHolds(config, c, freezeScope(config, env), key);
  let told = false;
  try {
    for (;;) {
      const { windows, turnLive, changesAt } = holds.now();
      if (windows.length === 0 && !turnLive) {
        if (told) await postTo(services, ctx, channel, textReply(`Auto-deploy of ${m.app} ${m.sha.slice(0, 7)} to ${env}: the wait is over, deploying.`, "info"));
        return true;
      }
      const now = c.now();
      if (!told) {
        const why = windows.length > 0 ? rich`${env} is frozen (${joinText(windows.map((w) => describeFreeze(w, now)), "; ")})` : `it is someone's turn in the ${env} deploy queue`;
        await postTo(services, ctx, channel, textReply(rich`Auto-deploy of ${m.app} ${m.sha.slice(0, 7)} to ${env} is queued: ${why}; it deploys when that ends, unless a newer merge replaces it.`, "warning"));
        ctx.log.info("auto-deploy: queued behind a freeze or a queue's turn", { app: m.app, sha: m.sha, env, frozen: windows.length > 0, turn: turnLive });
        told = true;
      }
      const untilChange = (changesAt ?? Number.POSITIVE_INFINITY) - now.getTime();
      await holds.untilClear(Math.max(1_000, Math.min(untilChange, FREEZE_RECHECK_MS)), ctx.signal);
      if (ctx.signal.aborted) return false;
      if (!(await isHead(services, m))) {
        ctx.log.info("auto-deploy: a queued merge was superseded by a newer one", { app: m.app, sha: m.sha, env });
        return false;
      }
    }
  } finally {
    holds.stop();
  }
}
