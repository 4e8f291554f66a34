import type { CommandContext } from "../../core/command.js";
import { canaryEnvName, findCanary } from "../../domain/deploy/find-canary.js";
import { endCanaryMessage } from "../../domain/canary-analysis/end-canary-message.js";
import { mention, rich } from "../../core/reply.js";
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
  // As they are before the promotion removes them: they say where the canary's message is.
  const { canaries } = await findCanary(config, ctx.services.kube, app);
  // Promoting ships to the base environment: its approvals (the two-person rule) apply as to every deploy there.
  const outcome = await runDeployInChat(ctx, (deps) => promote(input, { ...deps, steps: { ...deps.steps, approvals: deployApprovals(ctx, ctx.channel.id) } }));
  if (outcome === "success") {
    const text = rich`Promoted to ${base} by ${mention(ctx.actor.id)}: the canary's sha runs there and the canary was removed.`;
    await endCanaryMessage({ ...ctx.services, log: ctx.log, app, baseEnv: base, canaries, now: ctx.services.clock.now(), end: { outcome: "promoted", text } });
  }
}
