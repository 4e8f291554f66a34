import type { CommandContext } from "../../core/command.js";
import { DeniedError, UserError, errorMessage } from "../../core/errors.js";
import { handOverQueue } from "../../domain/deploy-queue/hand-over.js";
import { mention, outside, rich, textReply } from "../../core/reply.js";
import { describeHolder, readDeployInsideLock, readLock, removeLock, takeManualLock } from "../../domain/deploy/deploy-lock.js";
import { resolveAppName, resolveDeployEnv, type DeployEnv } from "../../domain/deploy/resolve-deploy-env.js";
import type { LockInfo } from "../../domain/lease-lock.js";
import { LOCK_USAGE, UNLOCK_USAGE, type AppEnvArgs } from "./parse-deploy-args.js";

// /deploy lock and /deploy unlock: manual Lease locks that carry their owner and reason, scoped per
// environment. Locking needs deploy:lock:<env> (or deploy:<env>), unlocking deploy:unlock:<env> (or
// deploy:<env>). A canary shares its base environment's lock, so the base environment's permission decides.

/** What locking or unlocking `env` needs: the explicit permission, or the right to deploy there. */
export function lockPermission(verb: "lock" | "unlock", env: string): string {
  return `deploy:${verb}:${env}|deploy:${env}`;
}

/** The lock is the base environment's: a canary's name must not let a canary deployer lock production. */
async function requireOnBase(verb: "lock" | "unlock", env: DeployEnv, ctx: CommandContext): Promise<void> {
  if (env.baseEnv !== env.env) await ctx.auth.require(lockPermission(verb, env.baseEnv));
}

/**
 * Someone else's lock may be removed with deploy:unlock:<env>. With only deploy:<env>, not when its owner has
 * rights here that the caller lacks (an admin's freeze stays until someone allowed to lift it does).
 */
async function requireMayRemove(lock: LockInfo, env: DeployEnv, ctx: CommandContext): Promise<void> {
  if (!lock.owner || lock.owner === ctx.actor.id) return;
  const unlock = `deploy:unlock:${env.baseEnv}`;
  if (await ctx.auth.allows(unlock)) return;
  const relevant = [unlock, `deploy:lock:${env.baseEnv}`, `deploy:${env.baseEnv}`, "deploy:force"];
  const theirsOnly: string[] = [];
  for (const p of relevant) if ((await ctx.auth.userHas(lock.owner, p)) && !(await ctx.auth.allows(p))) theirsOnly.push(p);
  if (theirsOnly.length === 0) return;
  throw new DeniedError(
    rich`Denied: the lock on ${env.app} ${env.baseEnv} is ${mention(lock.owner)}'s, who has ${theirsOnly.map((p) => `\`${p}\``).join(", ")} and you do not; removing it needs \`${unlock}\`.`,
    unlock,
  );
}

export async function lockEnvironment(args: AppEnvArgs, ctx: CommandContext): Promise<void> {
  const { config, kube, clock } = ctx.services;
  const app = resolveAppName(config, ctx.channel.id, args.app, LOCK_USAGE);
  const env = resolveDeployEnv(config, app, args.env, LOCK_USAGE);
  await requireOnBase("lock", env, ctx);
  const cluster = kube.cluster(env.cluster);
  // Re-taking one's own lock rewrites the Lease; not while a deploy runs inside it (that would forget the deploy).
  const inside = await readDeployInsideLock(cluster, env.namespace, env.lockName, clock.now());
  if (inside) throw new UserError(rich`${app} ${env.baseEnv} is ${describeHolder(inside, clock.now())} (inside the manual lock). Try again when it is done.`);
  const got = await takeManualLock(cluster, env.namespace, env.lockName, ctx.actor.id, args.reason, clock.now());
  if (!got.acquired) throw new UserError(rich`${app} ${env.baseEnv} is already locked: ${describeHolder(got.heldBy, clock.now())}.`);
  ctx.audit({ app, environment: env.baseEnv, lock: env.lockName, reason: args.reason });
  // Not "only you until you unlock": whoever may remove someone else's lock (requireMayRemove) can lift it too.
  const text = rich`Locked ${app} ${env.baseEnv}${env.canary ? " (and its canary)" : ""}${args.reason ? rich`: ${outside(args.reason)}` : ""}. Only ${mention(ctx.actor.id)} may deploy there while it holds. \`/deploy unlock ${app} ${env.baseEnv}\` lifts it: by ${mention(ctx.actor.id)}, or by anyone else allowed to unlock ${env.baseEnv} (\`deploy:unlock:${env.baseEnv}\`, or \`deploy:${env.baseEnv}\` with at least your rights there).`;
  const unlock = { type: "actions" as const, buttons: [{ label: "Unlock", command: `/deploy unlock ${app} ${env.baseEnv}` }] };
  await ctx.reply.send(textReply(text, "success", { type: "text", text }, unlock));
}

export async function unlockEnvironment(args: AppEnvArgs, ctx: CommandContext): Promise<void> {
  const { config, kube, clock } = ctx.services;
  const app = resolveAppName(config, ctx.channel.id, args.app, UNLOCK_USAGE);
  const env = resolveDeployEnv(config, app, args.env, UNLOCK_USAGE);
  await requireOnBase("unlock", env, ctx);
  const cluster = kube.cluster(env.cluster);
  const now = clock.now();
  const current = await readLock(cluster, env.namespace, env.lockName, now);
  if (!current) {
    await ctx.reply.send(textReply(`${app} ${env.baseEnv} is not locked.`, "success"));
    return;
  }
  if (current.kind === "deploy" && !current.expired) {
    throw new UserError(rich`${app} ${env.baseEnv} is ${describeHolder(current, now)}. A running deploy's lock is released when it ends (or expires ${current.durationSeconds}s after its bot stops).`);
  }
  const inside = await readDeployInsideLock(cluster, env.namespace, env.lockName, now);
  if (inside) {
    throw new UserError(rich`${app} ${env.baseEnv} is ${describeHolder(inside, now)} (inside the manual lock). Unlock it when that deploy has ended.`);
  }
  await requireMayRemove(current, env, ctx);
  // Only the lock that was checked is removed: if it changed meanwhile, say so instead.
  const removed = await removeLock(cluster, env.namespace, env.lockName, now, current.holder);
  if (removed === "changed") throw new UserError(`The lock on ${app} ${env.baseEnv} changed while unlocking it; nothing was removed. See \`/deploy status\`.`);
  ctx.audit({
    app,
    environment: env.baseEnv,
    lock: env.lockName,
    removedBy: ctx.actor.id,
    lockOwner: removed?.owner,
    removed: removed ? { holder: removed.holder, owner: removed.owner, reason: removed.reason } : undefined,
  });
  const whose = removed?.owner && removed.owner !== ctx.actor.id ? rich` (it was ${mention(removed.owner)}'s${removed.reason ? `: ${removed.reason}` : ""})` : "";
  await ctx.reply.send(textReply(rich`Unlocked ${app} ${env.baseEnv}${whose}.`, "success"));
  // The environment is free: the next person in its deploy queue gets the turn (the leader would, a round later).
  await handOverQueue(ctx.services, { app, env: env.baseEnv }, ctx.log).catch((err: unknown) => ctx.log.warn("could not move the deploy queue on; the leader will", { error: errorMessage(err) }));
}
