import type { CommandContext } from "../../core/command.js";
import { UsageError, UserError, errorMessage } from "../../core/errors.js";
import { mention, rich, textReply } from "../../core/reply.js";
import { describeHolder, readLock } from "../../domain/deploy/deploy-lock.js";
import type { DeployEnv } from "../../domain/deploy/resolve-deploy-env.js";
import { claimTurn, endTurn, join, queueSettings } from "../../domain/deploy-queue/deploy-queue.js";
import { handOverQueue, queuedCommand } from "../../domain/deploy-queue/hand-over.js";
import { isQueueableTarget, readQueue, type QueueKey, type QueueTurn } from "../../domain/deploy-queue/queue-store.js";
import { humanDuration, utcMinute } from "../../domain/format/human-duration.js";
import { coordinationOf } from "../../domain/replicas/coordination.js";
import { approvalRulesFor } from "../../domain/approvals/approval-rules.js";
import { parseTarget, resolveTarget } from "../../domain/resolve-target.js";
import { DEPLOY_USAGE } from "./parse-deploy-args.js";

// A deploy and the environment's queue: while it is someone else's turn the deploy waits its own (refused, or with
// --queue put in line); with --queue a locked or busy environment puts it in line instead of refusing it; the
// person whose turn it is deploys, and when their deploy is over (whatever its outcome) the turn moves on.

export interface QueuedDeploy {
  env: DeployEnv;
  targetText: string;
  queue: boolean;
  auto: boolean;
  dryRun: boolean;
}

export async function deployWithQueue(d: QueuedDeploy, ctx: CommandContext, runDeploy: () => Promise<unknown>): Promise<void> {
  if (d.dryRun) {
    await runDeploy();
    return;
  }
  const { config, clock } = ctx.services;
  const c = coordinationOf(ctx.services);
  const key: QueueKey = { app: d.env.app, env: d.env.baseEnv };
  const settings = queueSettings(config);
  // Nobody follows a deploy the queue starts: it cannot be confirmed, and its approval card would go unseen.
  if (d.auto && (d.env.envConfig.confirm || approvalRulesFor(config, d.env.env))) {
    const what = d.env.envConfig.confirm ? "asks for confirmation" : "waits for approval";
    throw new UsageError(`${d.env.env} ${what}, which nobody sees when the queue starts the deploy: leave out --auto (you will be mentioned instead)`, DEPLOY_USAGE);
  }
  // A turn that is due (a free lock, a turn that ran out) is given first, so nobody passes the head of the line.
  // (An environment nobody queues for costs one read.)
  const line = await readQueue(c, key);
  let claim: { mine: boolean; other?: QueueTurn } = { mine: false };
  if (line.entries.length > 0 || line.turn) {
    await handOverQueue(ctx.services, key, ctx.log);
    claim = await claimTurn(c, key, ctx.actor.id, settings);
  }
  if (claim.other) {
    if (d.queue) return joinQueue(d, key, ctx, rich`it is ${mention(claim.other.user)}'s turn (${turnEnd(claim.other)})`);
    throw new UserError(
      rich`It is ${mention(claim.other.user)}'s turn to deploy ${key.app} ${key.env} (${turnEnd(claim.other)}). \`--queue\` puts you in line after them; \`/deploy queue ${key.env}\` shows the queue.`,
    );
  }
  if (!claim.mine && d.queue) {
    const lock = await readLock(ctx.services.kube.cluster(d.env.cluster), d.env.namespace, d.env.lockName, clock.now());
    const ownManual = lock?.kind === "manual" && lock.owner === ctx.actor.id;
    const waiting = (await readQueue(c, key)).entries.length;
    if (lock && !lock.expired && !ownManual) return joinQueue(d, key, ctx, rich`${key.app} ${key.env} is ${describeHolder(lock, clock.now())}`);
    if (waiting > 0) return joinQueue(d, key, ctx, rich`${String(waiting)} ${waiting === 1 ? "person waits" : "people wait"} before you`);
  }
  if (claim.mine) ctx.audit({ queueTurn: true });
  try {
    await runDeploy();
  } finally {
    // The deploy has released its lock by now: end this person's turn and give the next one.
    try {
      if (claim.mine) await endTurn(c, key, ctx.actor.id);
      await handOverQueue(ctx.services, key, ctx.log);
    } catch (err) {
      ctx.log.warn("could not move the deploy queue on; the leader will", { error: errorMessage(err) });
    }
  }
}

function turnEnd(turn: QueueTurn): string {
  return turn.startedAt ? `deploying since ${utcMinute(turn.startedAt)}` : `who has until ${utcMinute(turn.until)} to start`;
}

async function joinQueue(d: QueuedDeploy, key: QueueKey, ctx: CommandContext, why: ReturnType<typeof rich>): Promise<void> {
  const { config } = ctx.services;
  if (!isQueueableTarget(d.targetText)) throw new UsageError(`"${d.targetText}" cannot wait in a queue: name a PR, branch or sha of at most 200 characters`, DEPLOY_USAGE);
  const c = coordinationOf(ctx.services);
  // An --auto entry is pinned to the commit its target names now (QueueEntry.sha).
  const pinned = d.auto ? { sha: (await resolveTarget(ctx.services.github, d.env.appConfig.repo, parseTarget(d.targetText, DEPLOY_USAGE))).sha } : {};
  const entry = { user: ctx.actor.id, env: d.env.env, target: d.targetText, channel: ctx.channel.id, auto: d.auto, ...pinned, joinedAt: c.now().toISOString() };
  const out = await join(c, key, entry, queueSettings(config));
  const command = queuedCommand(entry, key.app);
  if (!out.joined) {
    if (out.why === "full") throw new UserError(`The ${key.app} ${key.env} deploy queue is full (${config.deploy.queue.maxLength} waiting). Try again later.`);
    if (out.why === "has-turn") throw new UserError(`It is your turn to deploy ${key.app} ${key.env}: deploy without --queue.`);
    throw new UserError(`You are already #${out.position} in the ${key.app} ${key.env} deploy queue. \`/deploy queue leave ${key.env}\` leaves it.`);
  }
  ctx.audit({ app: key.app, environment: d.env.env, queued: { position: out.position, target: d.targetText, auto: d.auto } });
  const minutes = humanDuration(config.deploy.queue.turnMinutes * 60_000);
  const then = d.auto ? `the queue starts \`${command}\` for you when your turn comes` : `you will be mentioned here when it is your turn, and have ${minutes} to start`;
  const text = rich`Queued: ${why}. You are #${String(out.position)} in the ${key.app} ${key.env} deploy queue; ${then}. \`/deploy queue ${key.env}\` shows it, \`/deploy queue leave ${key.env}\` leaves it.`;
  await ctx.reply.send(textReply(text, "success"));
}
