import type { CommandContext } from "../../core/command.js";
import { canaryEnvName } from "../../domain/deploy/find-canary.js";
import { runDeployInChat } from "../../domain/deploy/deploy-replies.js";
import { promoteCanary as promote } from "../../domain/deploy/promote-canary.js";
import { resolveAppName, resolveDeployEnv } from "../../domain/deploy/resolve-deploy-env.js";
import { deployApprovals } from "../../domain/approvals/require-approvals.js";
import { CANARY_PROMOTE_USAGE, type CanaryArgs } from "./parse-canary-args.js";

// /canary promote: the caller must be allowed to deploy the base environment; the promotion is the domain's
// (a deploy of the canary's sha, then the canary removed), rendered like every deploy.

export async function promoteCanary(args: CanaryArgs, ctx: CommandContext): Promise<void> {
  const { config } = ctx.services;
  const app = resolveAppName(config, ctx.channel.id, args.app, CANARY_PROMOTE_USAGE);
  const base = resolveDeployEnv(config, app, canaryEnvName(config)).baseEnv;
  await ctx.auth.require(`deploy:${base}`);
  const input = { app, actor: ctx.actor.id, channel: ctx.channel.id, requestId: ctx.requestId, force: args.force };
  // Promoting ships to the base environment: its approvals (the two-person rule) apply as to every deploy there.
  await runDeployInChat(ctx, (deps) => promote(input, { ...deps, steps: { ...deps.steps, approvals: deployApprovals(ctx, ctx.channel.id) } }));
}
