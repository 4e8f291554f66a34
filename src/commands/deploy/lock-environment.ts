import type { CommandContext } from "../../core/command.js";
import { UserError } from "../../core/errors.js";
import { describeHolder, readDeployInsideLock, readLock, removeLock, takeManualLock } from "../../domain/deploy/deploy-lock.js";
import { resolveAppName, resolveDeployEnv } from "../../domain/deploy/resolve-deploy-env.js";
import { reply } from "./format-deploy.js";
import { LOCK_USAGE, UNLOCK_USAGE, type AppEnvArgs } from "./parse-deploy-args.js";

// /deploy lock and /deploy unlock: manual Lease locks that carry their owner and reason.

export async function lockEnvironment(args: AppEnvArgs, ctx: CommandContext): Promise<void> {
  const { config, kube, clock } = ctx.services;
  const app = resolveAppName(config, ctx.channel.id, args.app, LOCK_USAGE);
  const env = resolveDeployEnv(config, app, args.env, LOCK_USAGE);
  const cluster = kube.cluster(env.cluster);
  // Re-taking one's own lock rewrites the Lease; not while a deploy runs inside it (that would forget the deploy).
  const inside = await readDeployInsideLock(cluster, env.namespace, env.lockName, clock.now());
  if (inside) throw new UserError(`${app} ${env.baseEnv} is ${describeHolder(inside, clock.now())} (inside the manual lock). Try again when it is done.`);
  const got = await takeManualLock(cluster, env.namespace, env.lockName, ctx.actor.id, args.reason, clock.now());
  if (!got.acquired) throw new UserError(`${app} ${env.baseEnv} is already locked: ${describeHolder(got.heldBy, clock.now())}.`);
  ctx.audit({ app, environment: env.baseEnv, lock: env.lockName, reason: args.reason });
  const text = `Locked ${app} ${env.baseEnv}${env.canary ? " (and its canary)" : ""}${args.reason ? `: ${args.reason}` : ""}. Only <@${ctx.actor.id}> may deploy there until \`/deploy unlock ${app} ${env.baseEnv}\`.`;
  await ctx.reply.send(reply(text, "success"));
}

export async function unlockEnvironment(args: AppEnvArgs, ctx: CommandContext): Promise<void> {
  const { config, kube, clock } = ctx.services;
  const app = resolveAppName(config, ctx.channel.id, args.app, UNLOCK_USAGE);
  const env = resolveDeployEnv(config, app, args.env, UNLOCK_USAGE);
  const cluster = kube.cluster(env.cluster);
  const now = clock.now();
  const current = await readLock(cluster, env.namespace, env.lockName, now);
  if (!current) {
    await ctx.reply.send(reply(`${app} ${env.baseEnv} is not locked.`, "success"));
    return;
  }
  if (current.kind === "deploy" && !current.expired) {
    throw new UserError(`${app} ${env.baseEnv} is ${describeHolder(current, now)}. A running deploy's lock is released when it ends (or expires ${current.durationSeconds}s after its bot stops).`);
  }
  const inside = await readDeployInsideLock(cluster, env.namespace, env.lockName, now);
  if (inside) {
    throw new UserError(`${app} ${env.baseEnv} is ${describeHolder(inside, now)} (inside the manual lock). Unlock it when that deploy has ended.`);
  }
  const removed = await removeLock(cluster, env.namespace, env.lockName, now);
  ctx.audit({ app, environment: env.baseEnv, lock: env.lockName, removed: removed ? { holder: removed.holder, owner: removed.owner, reason: removed.reason } : undefined });
  const whose = removed?.owner && removed.owner !== ctx.actor.id ? ` (it was <@${removed.owner}>'s${removed.reason ? `: ${removed.reason}` : ""})` : "";
  await ctx.reply.send(reply(`Unlocked ${app} ${env.baseEnv}${whose}.`, "success"));
}
